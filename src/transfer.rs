//! Streaming files between disk and the network, written once for both clients and
//! shared by every API area that moves files.
//!
//! Uploads stream each file from disk as a [`FileWindow`], reporting bytes as they go.
//! Downloads stream to a [`PartialFile`] beside the destination, renamed into place only
//! when complete; an error, a panic or a dropped (cancelled) call removes it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::{flavour, local_fs, Client};
use crate::files::{stopped, PartialFile, UploadItem};
use crate::request::ApiRequest;
use crate::transport::{FileWindow, RequestBody, SentBytes};
use crate::{models::TransferSummary, Error, Result, TransferOptions};

#[flavour]
impl Client {
    /// Uploads each item with the request `upload` describes for it, in order,
    /// reporting progress across all of them.
    pub(crate) async fn upload_items(
        &self,
        items: &[UploadItem],
        options: &TransferOptions,
        upload: impl Fn(&UploadItem) -> ApiRequest,
    ) -> Result<TransferSummary> {
        let outcome = self.upload_each(items, options, upload).await;
        // A panicking progress callback stopped the transfer: raise it here.
        options.resume_panic();
        outcome
    }

    async fn upload_each(
        &self,
        items: &[UploadItem],
        options: &TransferOptions,
        upload: impl Fn(&UploadItem) -> ApiRequest,
    ) -> Result<TransferSummary> {
        let total: u64 = items.iter().map(|item| item.size).sum();
        let mut done = 0;
        for item in items {
            let sent = options.progress.as_ref().map(|_| {
                let (base, options) = (done, options.clone());
                let sent: SentBytes =
                    Arc::new(Mutex::new(move |n: u64| options.report(base + n, total)));
                sent
            });
            let body = FileWindow::whole(item.local.clone(), item.size, sent);
            self.send_empty(upload(item).raw(RequestBody::File(body)))
                .await?;
            done += item.size;
            if !options.report(done, total) {
                return Err(stopped());
            }
        }
        Ok(TransferSummary {
            files: items.len() as u64,
            bytes: total,
        })
    }

    /// Streams the answer to `request` into `target`; returns its size. Progress counts
    /// from `base` towards `total` (the answer's length when `None`).
    pub(crate) async fn download_to(
        &self,
        request: ApiRequest,
        target: &Path,
        base: u64,
        total: Option<u64>,
        options: &TransferOptions,
    ) -> Result<u64> {
        let outcome = self
            .download_into(request, target, base, total, options)
            .await;
        options.resume_panic();
        outcome
    }

    async fn download_into(
        &self,
        request: ApiRequest,
        target: &Path,
        base: u64,
        total: Option<u64>,
        options: &TransferOptions,
    ) -> Result<u64> {
        let response = self.send_streaming(&request).await?;
        let total = total.unwrap_or(response.content_length.unwrap_or(0));
        let partial = PartialFile::new(target);
        let failed = |e| Error::io(format!("could not write {}", partial.path().display()), e);
        let mut file = local_fs::create(partial.path()).await.map_err(failed)?;
        let mut body = response.body;
        let mut written = 0;
        while let Some(piece) = body.chunk().await.map_err(|e| self.redacted(e))? {
            local_fs::WriteExt::write_all(&mut file, &piece)
                .await
                .map_err(failed)?;
            written += piece.len() as u64;
            if !options.report(base + written, total.max(base + written)) {
                return Err(stopped());
            }
        }
        local_fs::WriteExt::flush(&mut file).await.map_err(failed)?;
        drop(file);
        partial.commit()?;
        Ok(written)
    }

    /// Creates a local directory and its parents.
    pub(crate) async fn create_local_dir(&self, dir: &Path) -> Result<()> {
        local_fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(format!("could not create {}", dir.display()), e))
    }
}
