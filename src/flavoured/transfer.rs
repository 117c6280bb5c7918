//! Streaming files between disk and the network, written once for both clients and
//! shared by every API area that moves files.
//!
//! Uploads stream each file from disk as a [`FileWindow`], reporting bytes as they go.
//! Downloads stream to a [`PartialFile`] beside the destination, renamed into place only
//! when complete; an error, a panic or a dropped (cancelled) call removes it. Every
//! downloaded byte is written here ([`Client::fetch_into`]), which checks each answer
//! against what it promised and fetches a body that broke off again.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::{flavour, local_fs, Client, ResponseBody};
use crate::transfer::download::{broke_off, longer_than_promised, Expect, Fetch};
use crate::transfer::partial::{create_sized, PartialFile};
use crate::transfer::plan::UploadItem;
use crate::transfer::progress::{stopped, TransferProgress};
use crate::transport::{FileWindow, HttpResponse, RequestBody, SentBytes};
use crate::wire::ApiRequest;
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
            skipped: Vec::new(),
        })
    }

    /// Downloads a whole object into `target` through a partial file, renamed into
    /// place only when complete; `first` is an answer to `fetch` already received.
    /// Returns its size.
    pub(crate) async fn download_whole(
        &self,
        fetch: &Fetch<'_>,
        first: Option<HttpResponse<ResponseBody>>,
        target: &Path,
        progress: &TransferProgress,
    ) -> Result<u64> {
        let partial = PartialFile::new(target);
        let written = self
            .fetch_into(fetch, first, partial.path(), progress)
            .await?;
        partial.commit()?;
        Ok(written)
    }

    /// Writes the answers to `fetch` into the file at `path`: a range at its place in
    /// the pre-sized file, a whole object into a file made anew. A body that breaks off
    /// (a dropped connection, or fewer bytes than the answer, its `Content-Range` or the
    /// listing promised) is a broken transfer: it is fetched again, as the pipeline
    /// retries a failed request (up to the retry limit, with its waits); an answer that
    /// is not the one asked for is not. `first` is an answer already received. Returns
    /// the bytes written.
    pub(crate) async fn fetch_into(
        &self,
        fetch: &Fetch<'_>,
        first: Option<HttpResponse<ResponseBody>>,
        path: &Path,
        progress: &TransferProgress,
    ) -> Result<u64> {
        let mut first = first;
        let mut retries_done = 0;
        loop {
            let response = match first.take() {
                Some(response) => response,
                None => self.send_streaming(&fetch.request).await?,
            };
            let promised = fetch.promised(&response)?;
            if fetch.count_total && retries_done == 0 {
                progress.add_total(promised.unwrap_or(0));
            }
            if let Expect::Whole { .. } = fetch.expect {
                create_sized(path, 0)
                    .map_err(|e| Error::io(format!("could not write {}", path.display()), e))?;
            }
            let error = match self
                .write_body(response.body, path, fetch, promised, progress)
                .await
            {
                Ok(written) => return Ok(written),
                Err(error) => error,
            };
            match self.retry_delay(retries_done, &error) {
                Some(delay) => {
                    log::debug!(
                        "{}; fetching it again in {delay:?} (retry {} of {})",
                        error,
                        retries_done + 1,
                        self.retry_limit()
                    );
                    self.sleep(delay).await;
                    retries_done += 1;
                }
                None => return Err(error),
            }
        }
    }

    /// Writes an answer's body into the file at `path` from the fetch's offset, never
    /// past what it `promised`; returns how many bytes it held. A body ending short of
    /// the promise is an error, and its bytes are taken back from the progress.
    async fn write_body(
        &self,
        mut body: ResponseBody,
        path: &Path,
        fetch: &Fetch<'_>,
        promised: Option<u64>,
        progress: &TransferProgress,
    ) -> Result<u64> {
        let failed = |e| Error::io(format!("could not write {}", path.display()), e);
        let mut file = local_fs::open_at(path, fetch.offset())
            .await
            .map_err(failed)?;
        let mut written = 0;
        let outcome = loop {
            let piece = match body.chunk().await {
                Ok(Some(piece)) => piece,
                Ok(None) => break Ok(()),
                Err(error) => break Err(self.redacted(error)),
            };
            let len = piece.len() as u64;
            if let Some(promised) = promised.filter(|p| written + len > *p) {
                break Err(longer_than_promised(fetch.what, promised));
            }
            if let Err(error) = local_fs::WriteExt::write_all(&mut file, piece).await {
                break Err(failed(error));
            }
            written += len;
            if !progress.add(len) {
                return Err(stopped());
            }
        };
        let outcome = outcome.and_then(|()| match promised {
            Some(promised) if written < promised => Err(broke_off(fetch.what, promised, written)),
            _ => Ok(()),
        });
        let outcome = match outcome {
            Ok(()) => local_fs::WriteExt::flush(&mut file).await.map_err(failed),
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            progress.take_back(written);
            return Err(error);
        }
        Ok(written)
    }

    /// Creates a local directory and its parents.
    pub(crate) async fn create_local_dir(&self, dir: &Path) -> Result<()> {
        local_fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(format!("could not create {}", dir.display()), e))
    }
}
