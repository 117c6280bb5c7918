//! Which local files an upload sends and where a download lands, shared by both clients
//! and every API area that moves files.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::models::{SkipReason, Skipped};
use crate::transfer::key_paths::{self, Platform};
use crate::{Error, Result};

/// One file to upload: local source, remote destination, size, modification time.
#[derive(Debug, Clone)]
pub(crate) struct UploadItem {
    pub local: PathBuf,
    pub remote: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

/// A file or object to download: its remote name (key, path, or a presigned URL as
/// shown without its query), where it lands, its size when listed.
#[derive(Debug, Clone)]
pub(crate) struct DownloadItem {
    pub key: String,
    pub target: PathBuf,
    pub size: Option<u64>,
}

/// One entry of a listing a recursive download fetches: its remote name (key or path),
/// its path below the listed root (`/`-separated), the name a skip reports it by,
/// whether it is a directory, and its listed size.
#[derive(Debug)]
pub(crate) struct Listed<'a> {
    pub remote: &'a str,
    pub relative: &'a str,
    pub shown: &'a str,
    pub is_dir: bool,
    pub size: u64,
}

/// What a recursive download does with a listing, before anything is fetched.
#[derive(Debug, Default)]
pub(crate) struct DownloadPlan {
    /// The files to fetch, each to the one local path that maps back to it.
    pub items: Vec<DownloadItem>,
    /// The directories to make (listed ones, which may be empty).
    pub dirs: Vec<PathBuf>,
    /// What has no faithful local path here (see [`key_paths`]), logged as warnings.
    pub skipped: Vec<Skipped>,
}

/// The files, directories and skips of a recursive download of `listed` into `local`:
/// the same rule for pods and buckets (see [`key_paths::local_targets`]).
pub(crate) fn plan_download(local: &Path, listed: &[Listed<'_>]) -> DownloadPlan {
    let entries: Vec<_> = listed
        .iter()
        .map(|entry| (entry.relative, entry.is_dir))
        .collect();
    let mut plan = DownloadPlan::default();
    for (entry, target) in listed.iter().zip(key_paths::local_targets(local, &entries)) {
        match target {
            Err(reason) => plan.skipped.push(key_paths::skip(entry.shown, reason)),
            Ok(target) if entry.is_dir => plan.dirs.push(target),
            Ok(target) => plan.items.push(DownloadItem {
                key: entry.remote.to_owned(),
                target,
                size: Some(entry.size),
            }),
        }
    }
    plan
}

/// The `(start, end)` byte ranges, both ends included, of `len` bytes in parts of
/// `part` bytes: a multipart upload's parts, a ranged download's requests.
pub(crate) fn ranges(len: u64, part: u64) -> Vec<(u64, u64)> {
    (0..len.div_ceil(part))
        .map(|i| (i * part, ((i + 1) * part).min(len) - 1))
        .collect()
}

/// A local entry a walk left alone: its path, its path below the walked directory
/// (`/`-separated, shown lossily when not Unicode), and why.
#[derive(Debug)]
pub(crate) struct LocalSkip {
    pub local: PathBuf,
    pub relative: String,
    pub reason: SkipReason,
}

/// The files to upload, with their remote paths, in a stable order; links that lead
/// nowhere are skipped (logged as warnings, and returned to be reported). A name that
/// is not Unicode is an [`Error::Io`] naming it: no key can name that file.
pub(crate) fn plan_upload(
    local: &Path,
    remote: &str,
    recursive: bool,
) -> Result<(Vec<UploadItem>, Vec<Skipped>)> {
    let (items, skips) = walk_local(local, remote, recursive)?;
    let mut skipped = Vec::with_capacity(skips.len());
    for skip in skips {
        if skip.reason == SkipReason::NotUnicode {
            return Err(walk_error(&skip.local));
        }
        skipped.push(key_paths::skip(
            skip.local.display().to_string(),
            skip.reason,
        ));
    }
    Ok((items, skipped))
}

/// The error of an upload of a directory to a presigned URL, which names one object.
pub(crate) fn presigned_directory_error(path: &Path) -> Error {
    Error::io(
        format!(
            "{} is a directory; a presigned URL names one object, so upload one file \
             through it (or a directory with Buckets::upload_with and \
             TransferOptions::new().recursive(true))",
            path.display()
        ),
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file"),
    )
}

/// The error of an upload whose local file has a name that is not Unicode.
pub(crate) fn walk_error(path: &Path) -> Error {
    Error::io(
        format!(
            "{} has a name that is not valid Unicode, so no object key can name it: rename it \
             or move it out of the directory",
            path.display()
        ),
        std::io::Error::new(std::io::ErrorKind::InvalidData, "file name is not Unicode"),
    )
}

/// The files at or below `local`, with their remote paths (`remote` joined with each
/// path below `local`), in a stable order, and the entries left alone: names that are
/// not Unicode (and all below them) and symbolic links that lead nowhere. Symbolic
/// links to directories are not followed, so a loop cannot recurse.
pub(crate) fn walk_local(
    local: &Path,
    remote: &str,
    recursive: bool,
) -> Result<(Vec<UploadItem>, Vec<LocalSkip>)> {
    let unreadable = |path: &Path, e| Error::io(format!("could not read {}", path.display()), e);
    let metadata = std::fs::metadata(local).map_err(|e| unreadable(local, e))?;
    if metadata.is_file() {
        let remote = if remote.ends_with('/') {
            let name = match local.file_name().map(|n| n.to_str()) {
                Some(Some(name)) => name,
                Some(None) => return Err(walk_error(local)),
                None => "",
            };
            format!("{remote}{name}")
        } else {
            remote.to_owned()
        };
        let item = UploadItem {
            local: local.to_path_buf(),
            remote,
            size: metadata.len(),
            modified: metadata.modified().ok(),
        };
        return Ok((vec![item], Vec::new()));
    }
    if !recursive {
        return Err(Error::io(
            format!(
                "{} is a directory; to upload it and everything below it, pass \
                 TransferOptions::new().recursive(true) to upload_with \
                 (Buckets::upload_with, Pods::upload_with)",
                local.display()
            ),
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a directory is uploaded only when the upload is recursive",
            ),
        ));
    }
    let mut items = Vec::new();
    let mut skips = Vec::new();
    let mut pending = vec![(local.to_path_buf(), remote.trim_end_matches('/').to_owned())];
    while let Some((dir, remote_dir)) = pending.pop() {
        let mut entries = std::fs::read_dir(&dir)
            .and_then(|entries| entries.collect::<std::io::Result<Vec<_>>>())
            .map_err(|e| unreadable(&dir, e))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let path = entry.path();
            let name = match entry.file_name().into_string() {
                Ok(name) => name,
                Err(raw) => {
                    skips.push(LocalSkip {
                        relative: format!("{remote_dir}/{}", raw.to_string_lossy()),
                        local: path,
                        reason: SkipReason::NotUnicode,
                    });
                    continue;
                }
            };
            let remote_path = format!("{remote_dir}/{name}");
            let file_type = entry.file_type().map_err(|e| unreadable(&path, e))?;
            let metadata = match std::fs::metadata(&path) {
                Ok(metadata) => metadata,
                // A link to nothing (or into a loop) holds nothing to send.
                Err(_) if file_type.is_symlink() => {
                    skips.push(LocalSkip {
                        local: path,
                        relative: remote_path,
                        reason: SkipReason::DanglingSymlink,
                    });
                    continue;
                }
                Err(e) => return Err(unreadable(&path, e)),
            };
            if metadata.is_dir() && !file_type.is_symlink() {
                pending.push((path, remote_path));
            } else if metadata.is_file() {
                items.push(UploadItem {
                    local: path,
                    remote: remote_path,
                    size: metadata.len(),
                    modified: metadata.modified().ok(),
                });
            }
        }
    }
    items.sort_by(|a, b| a.remote.cmp(&b.remote));
    skips.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok((items, skips))
}

/// Where a download of `remote` to `local` lands: an existing directory, or a `local`
/// ending in a path separator, receives the file under its remote name, which must be
/// a faithful file name here (see [`key_paths`](crate::transfer::key_paths)).
pub(crate) fn download_target(remote: &str, local: &Path) -> Result<PathBuf> {
    let into_dir = local.is_dir()
        || local
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR);
    let name = remote.trim_end_matches('/').rsplit('/').next();
    match (into_dir, name) {
        (true, Some(name)) if !name.is_empty() => {
            key_paths::check_segment(name, Platform::HERE).map_err(|why| {
                Error::io(
                    format!(
                        "{remote:?} ends in no file name that can be used here ({why}): \
                         give the local file's path instead of a directory"
                    ),
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "no local file name"),
                )
            })?;
            Ok(local.join(name))
        }
        _ => Ok(local.to_path_buf()),
    }
}

pub(crate) fn outside_error(path: &str, root: &str) -> Error {
    Error::io(
        format!("the server listed {path:?}, which is not inside {root:?}"),
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "unexpected path in the listing",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::random;

    #[test]
    fn ranges_cover_the_file_exactly() {
        assert_eq!(ranges(10, 4), [(0, 3), (4, 7), (8, 9)]);
        assert_eq!(ranges(8, 4), [(0, 3), (4, 7)]);
        assert_eq!(ranges(0, 4), []);
    }

    #[test]
    fn download_targets() {
        assert_eq!(
            download_target("/workspace/model.pt", Path::new("./model.pt")).unwrap(),
            PathBuf::from("./model.pt")
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            download_target("/workspace/model.pt", &dir).unwrap(),
            dir.join("model.pt")
        );
        // A last segment that is no file name here is refused, never joined.
        for key in ["a/..", "a/.", "x/n\0ul"] {
            assert!(
                matches!(download_target(key, &dir), Err(Error::Io { .. })),
                "{key:?}"
            );
        }
    }

    #[test]
    fn upload_plan_walks_directories_in_order_and_names_files_into_slash_targets() {
        let root = std::env::temp_dir().join(format!("podstack-plan-{}", random::random_u64()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("b.txt"), "bb").unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();

        let (plan, skipped) = plan_upload(&root, "/workspace/data/", true).unwrap();
        assert!(skipped.is_empty());
        let remotes: Vec<_> = plan.iter().map(|i| (i.remote.as_str(), i.size)).collect();
        assert_eq!(
            remotes,
            [
                ("/workspace/data/b.txt", 2),
                ("/workspace/data/sub/a.txt", 1)
            ]
        );

        assert!(matches!(
            plan_upload(&root, "/w", false),
            Err(Error::Io { .. })
        ));
        let (single, _) = plan_upload(&root.join("b.txt"), "/workspace/", false).unwrap();
        assert_eq!(single[0].remote, "/workspace/b.txt");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
