//! `Buckets::sync`: copy only what is new or changed between a local directory and a
//! bucket prefix, in either direction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::transfer::relative_key;
use super::{flavour, local_fs, Buckets};
use crate::models::{SkipReason, SyncReport};
use crate::transfer::hash::ContentHash;
use crate::transfer::key_paths::{self, Platform};
use crate::transfer::plan::DownloadItem;
use crate::transfer::plan::{walk_error, walk_local, UploadItem};
use crate::transfer::route::Route;
use crate::transfer::times::{rfc3339_seconds, system_seconds};
use crate::{Error, ObjectQuery, Result, SyncDirection, SyncOptions};

/// Objects deleted per request.
const DELETE_BATCH: usize = 1000;

/// A file's (size, modified in Unix seconds).
type State = (u64, Option<i64>);

/// What comparing a source file with its target says.
#[derive(Debug, PartialEq)]
enum Verdict {
    Copy,
    Same,
    /// Same size, source newer: the same content if the hashes agree.
    CompareContent,
}

/// Whether the source's copy should replace the target's.
fn compare(source: State, target: Option<&State>) -> Verdict {
    match target {
        None => Verdict::Copy,
        Some(&(size, _)) if size != source.0 => Verdict::Copy,
        Some(&(_, modified)) => match (source.1, modified) {
            (Some(s), Some(t)) if s > t => Verdict::CompareContent,
            _ => Verdict::Same,
        },
    }
}

#[flavour]
impl Buckets {
    /// Makes the bucket prefix (upload) or the local directory (download) hold what the
    /// other holds, copying only files that are new or changed by the rule in
    /// [`SyncOptions`'s "What sync copies"](crate::SyncOptions#what-sync-copies) (size,
    /// then the time in whole seconds, then the content hash). Excluded paths are left
    /// alone on both sides. With [`SyncOptions::delete`] files the source lacks are
    /// deleted from the target; with [`SyncOptions::dry_run`] nothing changes and the
    /// report is the plan. Progress goes to the options' [`TransferOptions`](crate::TransferOptions)
    /// callbacks, per file and in total.
    ///
    /// Keys are compared with local files as the file system names them: a key is
    /// downloaded only to the one local file that maps back to it (see
    /// [`SkipReason`](crate::transfer::SkipReason)); one that does not map (`x//y.txt`,
    /// `a/./b.txt`, on Windows `CON` or `A.txt` beside `a.txt`), a local link that leads
    /// nowhere and a path through a symbolic link inside `local` are left alone on both
    /// sides and listed in [`SyncReport::skipped`](crate::storage::SyncReport::skipped),
    /// each logged as a warning. A sync never deletes a file it copied or kept, nor a
    /// local file some key lands on, so a second sync right after the first copies and
    /// deletes nothing.
    #[doc = doc_example!(
        "use podstack::{SyncDirection, SyncOptions};\n\n"
        "let options = SyncOptions::new(SyncDirection::Upload).exclude(\"*.tmp\");\n"
        "let report = client.buckets().sync(\"bucket-id\", \"./data/\", \"data/\", &options)" await "?;\n"
        "println!(\"copied {} files, {} unchanged\", report.copied.len(), report.unchanged);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Config`](crate::Error::Config) for an exclude that is not a valid
    /// glob; [`Error::Io`](crate::Error::Io) if `local` is not a directory, a local file
    /// cannot be read, written or deleted, or (upload) has a name that is not Unicode,
    /// which no key can name; [`Error::NotFound`](crate::Error::NotFound) if
    /// no bucket has this id. Otherwise the [errors of every
    /// call](super::Client#errors-of-every-call).
    pub async fn sync(
        &self,
        bucket_id: &str,
        local: impl AsRef<Path>,
        prefix: &str,
        options: &SyncOptions,
    ) -> Result<SyncReport> {
        let local = local.as_ref();
        let excludes = options.compiled_excludes()?;
        let prefix = match prefix.trim_start_matches('/') {
            "" => String::new(),
            p => format!("{}/", p.trim_end_matches('/')),
        };
        let mut report = SyncReport {
            dry_run: options.dry_run,
            ..SyncReport::default()
        };
        let upload = options.direction == SyncDirection::Upload;
        // The local side: files by their path below `local`, exactly as named.
        let mut local_items: BTreeMap<String, UploadItem> = BTreeMap::new();
        if local.is_dir() {
            let (items, skips) = walk_local(local, "", true)?;
            for skip in skips {
                let relative = skip.relative.trim_start_matches('/');
                if excludes.matches(relative) {
                    continue;
                }
                if upload && skip.reason == SkipReason::NotUnicode {
                    return Err(walk_error(&skip.local));
                }
                report.skipped.push(key_paths::skip(relative, skip.reason));
            }
            for item in items {
                local_items.insert(item.remote.trim_start_matches('/').to_owned(), item);
            }
        } else if local.exists() || upload {
            return Err(Error::io(
                format!("{} is not a directory", local.display()),
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "sync needs a directory"),
            ));
        }
        // The bucket side: objects by their key below the prefix, exactly as listed.
        let objects = self
            .list_objects(bucket_id, &ObjectQuery::new().prefix(prefix.as_str()))
            .await?;
        let mut remote: BTreeMap<String, Remote> = BTreeMap::new();
        for object in &objects {
            let Some(relative) = relative_key(&object.key, &prefix)? else {
                continue; // a folder marker
            };
            remote.insert(
                relative.to_owned(),
                Remote {
                    state: (object.size_bytes, rfc3339_seconds(&object.last_modified)),
                    hash: ContentHash::of_etag(&object.etag),
                },
            );
        }
        // Each source path with the target's copy it is compared with.
        let mut pairs: Vec<Pair<'_>> = Vec::new();
        // Every name the source gives, copied or not: what the target may keep.
        let mut named: HashSet<String> = HashSet::new();
        // Download: where each key to compare lands.
        let mut targets: HashMap<&str, PathBuf> = HashMap::new();
        let local_state = |item: &UploadItem| (item.size, item.modified.map(system_seconds));
        if upload {
            // The bucket holds keys exactly: a local path is the key it goes to.
            for relative in report.skipped.iter().map(|s| s.path.clone()) {
                named.insert(relative);
            }
            for (relative, item) in &local_items {
                named.insert(relative.clone());
                if excludes.matches(relative) {
                    report.excluded += 1;
                    continue;
                }
                let object = remote.get(relative);
                pairs.push(Pair {
                    relative,
                    source: local_state(item),
                    target: object.map(|o| o.state),
                    local: Some(item),
                    hash: object.and_then(|o| o.hash.as_ref()),
                });
            }
        } else {
            // A key lands on the local file that maps back to it alone (key_paths), and
            // is compared with the file the file system knows by that name.
            let keys: Vec<&str> = remote
                .keys()
                .filter(|relative| {
                    let excluded = excludes.matches(relative);
                    report.excluded += u64::from(excluded);
                    !excluded
                })
                .map(String::as_str)
                .collect();
            let entries: Vec<_> = keys.iter().map(|relative| (*relative, false)).collect();
            let landing = key_paths::local_targets(local, &entries);
            let by_identity: HashMap<String, &UploadItem> = local_items
                .iter()
                .filter_map(|(relative, item)| {
                    Some((key_paths::identity(relative, Platform::HERE)?, item))
                })
                .collect();
            let mut planned = Vec::new();
            for (relative, target) in keys.into_iter().zip(landing) {
                // A skipped key still keeps the file it would land on from deletion.
                let identity = key_paths::identity(relative, Platform::HERE);
                named.extend(identity.clone());
                match target {
                    Err(reason) => report.skipped.push(key_paths::skip(relative, reason)),
                    Ok(target) => planned.push((relative, target, identity)),
                }
            }
            for (relative, target, identity) in planned {
                let item = identity.and_then(|identity| by_identity.get(&identity).copied());
                targets.insert(relative, target);
                let Some((relative, object)) = remote.get_key_value(relative) else {
                    continue;
                };
                pairs.push(Pair {
                    relative,
                    source: object.state,
                    target: item.map(local_state),
                    local: item,
                    hash: object.hash.as_ref(),
                });
            }
        }
        let mut to_copy = Vec::new();
        for pair in pairs {
            let same = match compare(pair.source, pair.target.as_ref()) {
                Verdict::Copy => false,
                Verdict::Same => true,
                // A newer time alone (a fresh download, a touched file) is no change
                // when the content hashes agree.
                Verdict::CompareContent => match (pair.hash, pair.local) {
                    (Some((kind, remote_hash)), Some(item)) => {
                        local_fs::content_hash(&item.local, *kind)
                            .await
                            .ok()
                            .as_ref()
                            == Some(remote_hash)
                    }
                    _ => false,
                },
            };
            if same {
                report.unchanged += 1;
            } else {
                to_copy.push(pair.relative.clone());
                report.bytes += pair.source.0;
            }
        }
        report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        // Deleted: what the target holds and the source names in no way.
        let doomed: Vec<(String, PathBuf)> = if !options.delete {
            Vec::new()
        } else if upload {
            remote
                .keys()
                .filter(|relative| !named.contains(*relative) && !excludes.matches(relative))
                .map(|relative| (relative.clone(), PathBuf::new()))
                .collect()
        } else {
            local_items
                .iter()
                .filter(|(relative, _)| {
                    let identity = key_paths::identity(relative, Platform::HERE);
                    !identity.is_some_and(|i| named.contains(&i)) && !excludes.matches(relative)
                })
                .map(|(relative, item)| (relative.clone(), item.local.clone()))
                .collect()
        };
        report.deleted = doomed
            .iter()
            .map(|(relative, _)| relative.clone())
            .collect();
        report.copied = to_copy;
        if options.dry_run {
            return Ok(report);
        }
        if upload {
            let items = report
                .copied
                .iter()
                .filter_map(|relative| local_items.get(relative).cloned())
                .map(|mut item| {
                    item.remote = format!("{prefix}{}", item.remote.trim_start_matches('/'));
                    item
                })
                .collect();
            self.client
                .upload_items(&Route::Bucket(bucket_id), items, &options.transfer)
                .await?;
            let keys: Vec<String> = report
                .deleted
                .iter()
                .map(|r| format!("{prefix}{r}"))
                .collect();
            for batch in keys.chunks(DELETE_BATCH) {
                let outcome = self.delete_objects(bucket_id, batch).await?;
                if let Some(failure) = outcome.errors.first() {
                    return Err(Error::io(
                        format!("sync could not delete {:?} from the bucket", failure.path),
                        std::io::Error::other(failure.message.clone()),
                    ));
                }
            }
        } else {
            let items = report
                .copied
                .iter()
                .filter_map(|relative| {
                    Some(DownloadItem {
                        key: format!("{prefix}{relative}"),
                        target: targets.get(relative.as_str())?.clone(),
                        size: Some(remote.get(relative)?.state.0),
                    })
                })
                .collect();
            self.client.create_local_dir(local).await?;
            self.client
                .download_items(&Route::Bucket(bucket_id), items, &options.transfer)
                .await?;
            for (_, path) in &doomed {
                std::fs::remove_file(path).map_err(|e| {
                    Error::io(format!("sync could not delete {}", path.display()), e)
                })?;
            }
        }
        Ok(report)
    }
}

/// An object of the bucket side: its state, and its content hash when its etag is one.
struct Remote {
    state: State,
    hash: Option<(ContentHash, String)>,
}

/// A source path and the target's copy it is compared with.
struct Pair<'a> {
    relative: &'a String,
    source: State,
    target: Option<State>,
    /// The local file of the pair, whichever side it is on.
    local: Option<&'a UploadItem>,
    /// The object's content hash, when its etag is one.
    hash: Option<&'a (ContentHash, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_what_is_missing_or_resized_and_compares_what_is_newer() {
        assert_eq!(compare((1, Some(10)), None), Verdict::Copy);
        assert_eq!(compare((2, Some(10)), Some(&(1, Some(10)))), Verdict::Copy);
        assert_eq!(
            compare((1, Some(11)), Some(&(1, Some(10)))),
            Verdict::CompareContent
        );
        assert_eq!(compare((1, Some(10)), Some(&(1, Some(10)))), Verdict::Same);
        assert_eq!(compare((1, Some(9)), Some(&(1, Some(10)))), Verdict::Same);
        assert_eq!(compare((1, None), Some(&(1, Some(10)))), Verdict::Same);
    }

    /// `SyncOptions`' "What sync copies", step 3: whole seconds, fractions dropped.
    #[test]
    fn times_compare_in_whole_seconds_with_fractions_dropped() {
        use std::time::{Duration, UNIX_EPOCH};
        let object = rfc3339_seconds("2026-11-28T06:43:14.999Z");
        assert_eq!(object, Some(1_795_848_194));
        let same_second = system_seconds(UNIX_EPOCH + Duration::from_millis(1_795_848_194_100));
        assert_eq!(
            compare((1, Some(same_second)), Some(&(1, object))),
            Verdict::Same
        );
        let next_second = system_seconds(UNIX_EPOCH + Duration::from_secs(1_795_848_195));
        assert_eq!(
            compare((1, Some(next_second)), Some(&(1, object))),
            Verdict::CompareContent
        );
        // An unknown time on either side: equal sizes are unchanged.
        assert_eq!(
            compare((1, Some(next_second)), Some(&(1, None))),
            Verdict::Same
        );
    }

    #[test]
    fn an_md5_or_sha256_etag_is_a_content_hash_a_multipart_one_is_not() {
        let hash = "A".repeat(64);
        assert_eq!(
            ContentHash::of_etag(&format!("\"{hash}\"")),
            Some((ContentHash::Sha256, "a".repeat(64)))
        );
        assert_eq!(
            ContentHash::of_etag("\"D41D8CD98F00B204E9800998ECF8427E\""),
            Some((ContentHash::Md5, "d41d8cd98f00b204e9800998ecf8427e".into()))
        );
        assert_eq!(
            ContentHash::of_etag("d41d8cd98f00b204e9800998ecf8427e-2"),
            None
        );
        assert_eq!(ContentHash::of_etag(&"g".repeat(64)), None);
        assert_eq!(ContentHash::of_etag(&"a".repeat(40)), None);
    }

    #[test]
    fn a_file_hashes_as_its_etag_says() {
        let path = std::env::temp_dir().join(format!("podstack-hash-{}", std::process::id()));
        std::fs::write(&path, b"hello").unwrap();
        let md5 = crate::transfer::hash::hash_of(&path, ContentHash::Md5).unwrap();
        let sha = crate::transfer::hash::hash_of(&path, ContentHash::Sha256).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(md5, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(
            sha,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
