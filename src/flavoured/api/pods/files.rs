//! Moving files and directories in and out of a pod: `PUT`/`GET /v1/pods/{id}/files`.
//! The streaming itself is the client's one transfer engine (`flavoured/transfer/`) on
//! [`Route::Pod`], the same as buckets' and presigned URLs' without multipart or ranges.

use std::path::Path;

use super::{flavour, Pods};
use crate::transfer::plan::{
    download_target, outside_error, plan_download, plan_upload, DownloadItem, Listed,
};
use crate::transfer::route::Route;
use crate::{models::TransferSummary, Result, TransferOptions};

#[flavour]
impl Pods {
    /// Uploads a file. A `remote` ending in `/` is a directory: the file keeps its name.
    #[doc = doc_example!(
        "client.pods().upload(\"pod-id\", \"./train.py\", \"/workspace/train.py\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be read (or changes size
    /// while it is sent); [`Error::NotFound`](crate::Error::NotFound) if no pod has this
    /// id. Otherwise the [errors of every call](super::Client#errors-of-every-call).
    pub async fn upload(
        &self,
        id: &str,
        local: impl AsRef<Path>,
        remote: &str,
    ) -> Result<TransferSummary> {
        self.upload_with(id, local, remote, &TransferOptions::new())
            .await
    }

    /// Uploads a file, or with [`TransferOptions::recursive`] a directory tree, reporting
    /// progress. Each file is streamed from disk,
    /// [`concurrency`](TransferOptions::concurrency) files at once; a failed piece is
    /// retried from the start of its file. A file that changes size while it is sent fails with
    /// [`Error::Io`](crate::Error::Io) "file changed during upload", not retried.
    ///
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new().recursive(true).progress(|done, total| eprintln!(\"{done}/{total} bytes\"));\n"
        "client.pods().upload_with(\"pod-id\", \"./data\", \"/workspace/data\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be read (or changes size
    /// while it is sent), or a directory is given without [`TransferOptions::recursive`];
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](super::Client#errors-of-every-call).
    pub async fn upload_with(
        &self,
        id: &str,
        local: impl AsRef<Path>,
        remote: &str,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let (items, skipped) = plan_upload(local.as_ref(), remote, options.recursive)?;
        let mut summary = self
            .client
            .upload_items(&Route::Pod(id), items, options)
            .await?;
        summary.skipped = skipped;
        Ok(summary)
    }

    /// Downloads a file. An existing local directory, or a `local` ending in a path
    /// separator, receives the file under its remote name.
    #[doc = doc_example!(
        "client.pods().download(\"pod-id\", \"/workspace/model.pt\", \"./model.pt\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be written;
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id or the remote file
    /// does not exist. Otherwise the [errors of every call](super::Client#errors-of-every-call).
    pub async fn download(
        &self,
        id: &str,
        remote: &str,
        local: impl AsRef<Path>,
    ) -> Result<TransferSummary> {
        self.download_with(id, remote, local, &TransferOptions::new())
            .await
    }

    /// Downloads a file, or with [`TransferOptions::recursive`] the tree under a remote
    /// directory into `local`, reporting progress. Files are streamed to disk,
    /// [`concurrency`](TransferOptions::concurrency) at once, and appear under their
    /// final names only when complete; a failed or cancelled download leaves no partial
    /// file behind. Each answer must hold exactly its `Content-Length`: one that breaks
    /// off is fetched again, as a failed request is retried. Paths follow the same rule as bucket keys: one that has no faithful local
    /// path here, lands on one file with another, or goes through a symbolic link
    /// inside `local` is skipped and listed in [`TransferSummary::skipped`].
    ///
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new().recursive(true).progress(|done, total| eprintln!(\"{done}/{total} bytes\"));\n"
        "client.pods().download_with(\"pod-id\", \"/workspace/results\", \"./results\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be written;
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id or the remote path
    /// does not exist. Otherwise the [errors of every call](super::Client#errors-of-every-call).
    pub async fn download_with(
        &self,
        id: &str,
        remote: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let local = local.as_ref();
        let route = Route::Pod(id);
        if !options.recursive {
            let item = DownloadItem {
                key: remote.to_owned(),
                target: download_target(remote, local)?,
                size: None,
            };
            return self
                .client
                .download_items(&route, vec![item], options)
                .await;
        }
        let root = remote.trim_end_matches('/');
        let entries = self.list_files(id, root).await?;
        let mut listed = Vec::with_capacity(entries.len());
        for entry in &entries {
            let relative = entry
                .path
                .strip_prefix(root)
                // `/workspace/dir2/x` is not inside `/workspace/dir`.
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|rest| !rest.is_empty())
                .ok_or_else(|| outside_error(&entry.path, root))?;
            listed.push(Listed {
                remote: &entry.path,
                relative,
                shown: relative,
                is_dir: entry.is_dir,
                size: entry.size,
            });
        }
        // The listed sizes count towards the progress; a pod's files may grow while
        // listed, so only each answer's length is checked (`Route::Pod`).
        let plan = plan_download(local, &listed);
        for dir in &plan.dirs {
            self.client.create_local_dir(dir).await?;
        }
        let mut summary = self
            .client
            .download_items(&route, plan.items, options)
            .await?;
        summary.skipped = plan.skipped;
        Ok(summary)
    }
}
