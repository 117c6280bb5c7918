//! Moving files and directories in and out of a pod, streamed in fixed-size pieces so
//! memory stays flat for any size. A download is written to a hidden `.partial` file
//! beside the destination and renamed into place only when complete.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{pod_path, Pods};
use crate::client::ApiRequest;
use crate::core::random;
use crate::local_fs::{self, WriteExt};
use crate::transport::{ResponseBody, SentBytes};
use crate::{Error, Result};

type Progress = Arc<Mutex<dyn FnMut(u64, u64) + Send>>;

/// Options for [`Pods::upload_with`] and [`Pods::download_with`].
///
/// ```
/// use podstack::TransferOptions;
///
/// let options = TransferOptions::new()
///     .recursive(true)
///     .progress(|done, total| eprintln!("Progress: {done}/{total} bytes"));
/// # let _ = options;
/// ```
#[derive(Default)]
#[must_use]
pub struct TransferOptions {
    recursive: bool,
    progress: Option<Progress>,
}

impl fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferOptions")
            .field("recursive", &self.recursive)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl TransferOptions {
    /// A single file, no progress reports.
    pub fn new() -> Self {
        TransferOptions::default()
    }

    /// Transfers a whole directory tree (required for directories).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Called with (bytes done, bytes in all) as the transfer goes.
    pub fn progress(mut self, progress: impl FnMut(u64, u64) + Send + 'static) -> Self {
        self.progress = Some(Arc::new(Mutex::new(progress)));
        self
    }

    fn report(&self, done: u64, total: u64) {
        if let Some(progress) = &self.progress {
            if let Ok(mut progress) = progress.lock() {
                progress(done, total);
            }
        }
    }
}

/// What a transfer moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferSummary {
    /// Files transferred.
    pub files: u64,
    /// Bytes transferred.
    pub bytes: u64,
}

/// One file to upload: local source, remote destination, size.
struct UploadItem {
    local: PathBuf,
    remote: String,
    size: u64,
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Pods<'_> {
    /// Uploads a file. A `remote` ending in `/` is a directory: the file keeps its name.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// client.pods().upload("pod-id", "./train.py", "/workspace/train.py")?;
    /// # Ok(()) }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn upload(
        &self,
        id: &str,
        local: impl AsRef<Path>,
        remote: &str,
    ) -> Result<TransferSummary> {
        self.upload_with(id, local, remote, TransferOptions::new())
            .await
    }

    /// Uploads a file, or with [`TransferOptions::recursive`] a directory tree, reporting
    /// progress. Each file is streamed from disk; a failed piece is retried from the
    /// start of its file.
    pub async fn upload_with(
        &self,
        id: &str,
        local: impl AsRef<Path>,
        remote: &str,
        options: TransferOptions,
    ) -> Result<TransferSummary> {
        let items = plan_upload(local.as_ref(), remote, options.recursive)?;
        let total: u64 = items.iter().map(|item| item.size).sum();
        let mut done = 0;
        for item in &items {
            let sent = options.progress.clone().map(|progress| {
                let base = done;
                let sent: SentBytes = Arc::new(Mutex::new(move |n: u64| {
                    if let Ok(mut progress) = progress.lock() {
                        progress(base + n, total);
                    }
                }));
                sent
            });
            let request = ApiRequest::put(format!("{}/files", pod_path(id)))
                .query("path", &item.remote)
                .file(item.local.clone(), item.size, sent);
            self.client.send_empty(request).await?;
            done += item.size;
            options.report(done, total);
        }
        Ok(TransferSummary {
            files: items.len() as u64,
            bytes: total,
        })
    }

    /// Downloads a file. An existing local directory, or a `local` ending in a path
    /// separator, receives the file under its remote name.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// client.pods().download("pod-id", "/workspace/model.pt", "./model.pt")?;
    /// # Ok(()) }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn download(
        &self,
        id: &str,
        remote: &str,
        local: impl AsRef<Path>,
    ) -> Result<TransferSummary> {
        self.download_with(id, remote, local, TransferOptions::new())
            .await
    }

    /// Downloads a file, or with [`TransferOptions::recursive`] the tree under a remote
    /// directory into `local`, reporting progress. Files are streamed to disk and
    /// appear under their final names only when complete.
    pub async fn download_with(
        &self,
        id: &str,
        remote: &str,
        local: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<TransferSummary> {
        let local = local.as_ref();
        if !options.recursive {
            let target = download_target(remote, local);
            let bytes = self.fetch(id, remote, &target, 0, None, &options).await?;
            return Ok(TransferSummary { files: 1, bytes });
        }
        let root = remote.trim_end_matches('/');
        let entries = self.list_files(id, root).await?;
        let mut files = Vec::new();
        for entry in entries {
            let relative = entry
                .path
                .strip_prefix(root)
                .map(|rest| rest.trim_start_matches('/'))
                .filter(|rest| !rest.is_empty())
                .ok_or_else(|| outside_error(&entry.path, root))?;
            let target =
                safe_join(local, relative).ok_or_else(|| outside_error(&entry.path, root))?;
            if entry.is_dir {
                local_fs::create_dir_all(&target)
                    .await
                    .map_err(|e| Error::io(format!("could not create {}", target.display()), e))?;
            } else {
                files.push((entry.path, target, entry.size));
            }
        }
        let total: u64 = files.iter().map(|(_, _, size)| size).sum();
        let mut done = 0;
        for (remote_path, target, _) in &files {
            if let Some(parent) = target.parent() {
                local_fs::create_dir_all(parent)
                    .await
                    .map_err(|e| Error::io(format!("could not create {}", parent.display()), e))?;
            }
            done += self
                .fetch(id, remote_path, target, done, Some(total), &options)
                .await?;
        }
        Ok(TransferSummary {
            files: files.len() as u64,
            bytes: done,
        })
    }

    /// Streams one remote file to `target` through a `.partial` file; returns its size.
    async fn fetch(
        &self,
        id: &str,
        remote: &str,
        target: &Path,
        base: u64,
        total: Option<u64>,
        options: &TransferOptions,
    ) -> Result<u64> {
        let request = ApiRequest::get(format!("{}/files", pod_path(id)))
            .query("path", remote)
            .accept("application/octet-stream");
        let response = self.client.send_streaming(request).await?;
        let total = total.unwrap_or(response.content_length.unwrap_or(0));
        let partial = partial_path(target);
        match write_body(response.body, &partial, base, total, options).await {
            Ok(written) => {
                local_fs::rename(&partial, target).await.map_err(|e| {
                    Error::io(
                        format!("could not move the download to {}", target.display()),
                        e,
                    )
                })?;
                Ok(written)
            }
            Err(error) => {
                // Never leave a truncated file behind.
                let _ = local_fs::remove_file(&partial).await;
                Err(error)
            }
        }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
async fn write_body(
    mut body: ResponseBody,
    partial: &Path,
    base: u64,
    total: u64,
    options: &TransferOptions,
) -> Result<u64> {
    let failed = |e| Error::io(format!("could not write {}", partial.display()), e);
    let mut file = local_fs::File::create(partial).await.map_err(failed)?;
    let mut written = 0;
    while let Some(piece) = body.chunk().await? {
        file.write_all(&piece).await.map_err(failed)?;
        written += piece.len() as u64;
        options.report(base + written, total.max(base + written));
    }
    file.flush().await.map_err(failed)?;
    Ok(written)
}

/// The files to upload, with their remote paths, in a stable order.
fn plan_upload(local: &Path, remote: &str, recursive: bool) -> Result<Vec<UploadItem>> {
    let unreadable = |path: &Path, e| Error::io(format!("could not read {}", path.display()), e);
    let metadata = std::fs::metadata(local).map_err(|e| unreadable(local, e))?;
    if metadata.is_file() {
        let remote = if remote.ends_with('/') {
            let name = local
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            format!("{remote}{name}")
        } else {
            remote.to_owned()
        };
        return Ok(vec![UploadItem {
            local: local.to_path_buf(),
            remote,
            size: metadata.len(),
        }]);
    }
    if !recursive {
        return Err(Error::io(
            format!("{} is a directory", local.display()),
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "pass TransferOptions::new().recursive(true) to upload a directory",
            ),
        ));
    }
    let mut items = Vec::new();
    let mut pending = vec![(local.to_path_buf(), remote.trim_end_matches('/').to_owned())];
    while let Some((dir, remote_dir)) = pending.pop() {
        let mut entries = std::fs::read_dir(&dir)
            .and_then(|entries| entries.collect::<std::io::Result<Vec<_>>>())
            .map_err(|e| unreadable(&dir, e))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let remote_path = format!("{remote_dir}/{name}");
            // Symbolic links to directories are not followed, so a loop cannot recurse.
            let file_type = entry.file_type().map_err(|e| unreadable(&path, e))?;
            let metadata = std::fs::metadata(&path).map_err(|e| unreadable(&path, e))?;
            if metadata.is_dir() && !file_type.is_symlink() {
                pending.push((path, remote_path));
            } else if metadata.is_file() {
                items.push(UploadItem {
                    local: path,
                    remote: remote_path,
                    size: metadata.len(),
                });
            }
        }
    }
    items.sort_by(|a, b| a.remote.cmp(&b.remote));
    Ok(items)
}

fn download_target(remote: &str, local: &Path) -> PathBuf {
    let into_dir = local.is_dir()
        || local
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR);
    match (into_dir, remote.trim_end_matches('/').rsplit('/').next()) {
        (true, Some(name)) if !name.is_empty() => local.join(name),
        _ => local.to_path_buf(),
    }
}

/// `.name.partial-<random>` beside the target, so a crash never leaves a truncated file
/// under the final name.
fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_owned());
    target.with_file_name(format!(
        ".{name}.partial-{:08x}",
        random::random_u64() as u32
    ))
}

/// Joins a relative path from the server under `root`, refusing anything that would
/// land outside it (`..`, absolute paths).
fn safe_join(root: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(relative))
}

fn outside_error(path: &str, root: &str) -> Error {
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

    #[test]
    fn safe_join_refuses_escapes() {
        let root = Path::new("/tmp/out");
        assert_eq!(
            safe_join(root, "a/b.txt"),
            Some(PathBuf::from("/tmp/out/a/b.txt"))
        );
        assert_eq!(safe_join(root, "../etc/passwd"), None);
        assert_eq!(safe_join(root, "/etc/passwd"), None);
        assert_eq!(safe_join(root, "a/../../x"), None);
    }

    #[test]
    fn download_targets() {
        assert_eq!(
            download_target("/workspace/model.pt", Path::new("./model.pt")),
            PathBuf::from("./model.pt")
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            download_target("/workspace/model.pt", &dir),
            dir.join("model.pt")
        );
    }

    #[test]
    fn partial_files_are_hidden_siblings() {
        let partial = partial_path(Path::new("/tmp/out/model.pt"));
        assert_eq!(partial.parent(), Some(Path::new("/tmp/out")));
        let name = partial.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".model.pt.partial-"), "{name}");
    }

    #[test]
    fn upload_plan_walks_directories_in_order_and_names_files_into_slash_targets() {
        let root = std::env::temp_dir().join(format!("podstack-plan-{}", random::random_u64()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("b.txt"), "bb").unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();

        let plan = plan_upload(&root, "/workspace/data/", true).unwrap();
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
        let single = plan_upload(&root.join("b.txt"), "/workspace/", false).unwrap();
        assert_eq!(single[0].remote, "/workspace/b.txt");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
