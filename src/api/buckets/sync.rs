//! `Buckets::sync`: copy only what is new or changed between a local directory and a
//! bucket prefix, in either direction.

use std::collections::BTreeMap;
use std::path::Path;

use super::transfer::{relative_key, DownloadItem};
use super::{flavour, local_fs, Buckets};
use crate::files::{
    plan_upload, rfc3339_seconds, safe_join, system_seconds, ContentHash, UploadItem,
};
use crate::{models::SyncReport, Error, ObjectQuery, Result, SyncDirection, SyncOptions};

/// Objects deleted per request.
const DELETE_BATCH: usize = 1000;

/// One side's files: relative path → (size, modified in Unix seconds).
type Side = BTreeMap<String, (u64, Option<i64>)>;

/// What comparing a source file with its target says.
#[derive(Debug, PartialEq)]
enum Verdict {
    Copy,
    Same,
    /// Same size, source newer: the same content if the hashes agree.
    CompareContent,
}

/// Whether the source's copy should replace the target's.
fn compare(source: (u64, Option<i64>), target: Option<&(u64, Option<i64>)>) -> Verdict {
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
impl Buckets<'_> {
    /// Makes the bucket prefix (upload) or the local directory (download) hold what the
    /// other holds, copying only files that are new or changed: a different size, or a
    /// newer modification time on the source (whole seconds). Excluded paths are left
    /// alone on both sides. With [`SyncOptions::delete`] files the source lacks are
    /// deleted from the target; with [`SyncOptions::dry_run`] nothing changes and the
    /// report is the plan. Progress goes to the options' [`TransferOptions`](crate::TransferOptions)
    /// callbacks, per file and in total.
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
    /// glob; [`Error::Io`](crate::Error::Io) if `local` is not a directory or a local file
    /// cannot be read, written or deleted; [`Error::NotFound`](crate::Error::NotFound) if
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
        // The local side.
        let mut local_items: BTreeMap<String, UploadItem> = BTreeMap::new();
        if local.is_dir() {
            for mut item in plan_upload(local, "", true)? {
                let relative = item.remote.trim_start_matches('/').to_owned();
                item.remote = format!("{prefix}{relative}");
                local_items.insert(relative, item);
            }
        } else if local.exists() || options.direction == SyncDirection::Upload {
            return Err(Error::io(
                format!("{} is not a directory", local.display()),
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "sync needs a directory"),
            ));
        }
        // The bucket side.
        let objects = self
            .list_objects(bucket_id, &ObjectQuery::new().prefix(prefix.as_str()))
            .await?;
        let mut remote: Side = BTreeMap::new();
        // Content hashes where the etag is one, and each object's time as sent.
        let mut hashes = BTreeMap::new();
        let mut modified_at = BTreeMap::new();
        for object in objects {
            let Some(relative) = relative_key(&object.key, &prefix)? else {
                continue; // a folder marker
            };
            let modified = rfc3339_seconds(&object.last_modified);
            remote.insert(relative.to_owned(), (object.size_bytes, modified));
            if let Some(hash) = ContentHash::of_etag(&object.etag) {
                hashes.insert(relative.to_owned(), hash);
            }
            modified_at.insert(relative.to_owned(), object.last_modified);
        }
        let local_side: Side = local_items
            .iter()
            .map(|(relative, item)| {
                let modified = item.modified.map(system_seconds);
                (relative.clone(), (item.size, modified))
            })
            .collect();
        let (source, target) = match options.direction {
            SyncDirection::Upload => (&local_side, &remote),
            SyncDirection::Download => (&remote, &local_side),
        };
        let mut to_copy = Vec::new();
        for (relative, &state) in source {
            if excludes.matches(relative) {
                report.excluded += 1;
            } else {
                let same = match compare(state, target.get(relative)) {
                    Verdict::Copy => false,
                    Verdict::Same => true,
                    // A newer time alone (a fresh download, a touched file) is no
                    // change when the content hashes agree.
                    Verdict::CompareContent => {
                        match (hashes.get(relative), local_items.get(relative)) {
                            (Some((kind, remote_hash)), Some(item)) => {
                                local_fs::content_hash(&item.local, *kind)
                                    .await
                                    .ok()
                                    .as_ref()
                                    == Some(remote_hash)
                            }
                            _ => false,
                        }
                    }
                };
                if same {
                    report.unchanged += 1;
                } else {
                    to_copy.push(relative.clone());
                    report.bytes += state.0;
                }
            }
        }
        if options.delete {
            report.deleted = target
                .keys()
                .filter(|relative| !source.contains_key(*relative) && !excludes.matches(relative))
                .cloned()
                .collect();
        }
        report.copied = to_copy;
        if options.dry_run {
            return Ok(report);
        }
        match options.direction {
            SyncDirection::Upload => {
                let items = report
                    .copied
                    .iter()
                    .filter_map(|relative| local_items.get(relative).cloned())
                    .collect();
                self.upload_items(bucket_id, items, &options.transfer)
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
            }
            SyncDirection::Download => {
                let mut items = Vec::with_capacity(report.copied.len());
                for relative in &report.copied {
                    let target = safe_join(local, relative).ok_or_else(|| {
                        crate::files::outside_error(&format!("{prefix}{relative}"), &prefix)
                    })?;
                    items.push(DownloadItem {
                        key: format!("{prefix}{relative}"),
                        target,
                        size: remote.get(relative).map(|(size, _)| *size),
                    });
                }
                self.client.create_local_dir(local).await?;
                self.download_items(bucket_id, items, &options.transfer)
                    .await?;
                for relative in &report.deleted {
                    if let Some(path) = safe_join(local, relative) {
                        std::fs::remove_file(&path).map_err(|e| {
                            Error::io(format!("sync could not delete {}", path.display()), e)
                        })?;
                    }
                }
            }
        }
        Ok(report)
    }
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
        let md5 = crate::files::hash_of(&path, ContentHash::Md5).unwrap();
        let sha = crate::files::hash_of(&path, ContentHash::Sha256).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(md5, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(
            sha,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
