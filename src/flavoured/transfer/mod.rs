//! The one transfer engine: streaming files between disk and the network, written once
//! for both clients and used by pods, buckets and presigned URLs alike. What differs
//! between them is only the wire, which a [`Route`] names; planning, partial files,
//! progress and the integrity checks are in `crate::transfer`, compiled once.
//!
//! Uploads stream each file from disk as a [`FileWindow`],
//! [`concurrency`](TransferOptions::concurrency) files at once (serial is concurrency
//! 1); on a route with multipart (buckets) files from the
//! [`multipart_threshold`](TransferOptions::multipart_threshold) go in parts, several
//! in flight, each retried on its own, the upload aborted on failure. Downloads (see
//! `download.rs`) stream to a partial file beside the destination, renamed into place
//! only when complete, whole or (where the route allows ranges) in parallel ranges.
//! Memory is bounded by the parts in flight times the copy buffer, never by the part
//! size.

mod download;

use super::{clean_up, concurrently, flavour, Client};
use crate::models::{MultipartStarted, PartUploaded, MAX_PARTS};
use crate::transfer::plan::{ranges, UploadItem};
use crate::transfer::progress::{stopped, TransferProgress};
use crate::transfer::route::Route;
use crate::transport::{FileWindow, RequestBody};
use crate::wire::storage as wire;
use crate::{models::TransferSummary, Result, TransferOptions};

/// A multipart upload in progress: aborted on the server if it is dropped before it
/// completes (an error, a panic, a cancelled future).
struct MultipartUpload<'c> {
    client: &'c Client,
    bucket_id: String,
    upload_id: String,
    finished: bool,
}

impl Drop for MultipartUpload<'_> {
    fn drop(&mut self) {
        if !self.finished {
            clean_up(
                self.client,
                wire::abort_multipart(&self.bucket_id, &self.upload_id),
            );
        }
    }
}

#[flavour]
impl Client {
    /// Uploads each item to its place on `route`: `concurrency` whole files at once,
    /// then (on a route with multipart) the big ones one after another, each with
    /// `concurrency` parts at once; progress across all of them.
    pub(crate) async fn upload_items(
        &self,
        route: &Route<'_>,
        items: Vec<UploadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let outcome = self.upload_all(route, items, options).await;
        // A panicking progress callback stopped the transfer: raise it here.
        options.resume_panic();
        // The engine's own errors name keys and paths, which may hold the token.
        outcome.map_err(|error| self.redacted(error))
    }

    async fn upload_all(
        &self,
        route: &Route<'_>,
        items: Vec<UploadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        route.check(&items)?;
        let total = items.iter().map(|item| item.size).sum();
        let progress = TransferProgress::new(total, options);
        let multipart = route.multipart();
        let (big, small): (Vec<_>, Vec<_>) = items.into_iter().partition(|item| {
            // An empty file has no parts: it goes as one request whatever the threshold.
            multipart.is_some() && item.size > 0 && item.size >= options.multipart_threshold
        });
        let files = (small.len() + big.len()) as u64;
        let progress = &progress;
        concurrently(options.concurrency, small, |item| async move {
            let window = FileWindow::whole(item.local.clone(), item.size, progress.window());
            self.send_empty(route.upload(&item, window)).await?;
            if route.reports_file_ends() && !progress.add(0) {
                return Err(stopped());
            }
            match route.file_name(&item.remote) {
                Some(name) if !progress.file_done(name, item.size) => Err(stopped()),
                _ => Ok(()),
            }
        })
        .await?;
        if let Some(bucket_id) = multipart {
            for item in big {
                let part = |start: u64, len: u64| {
                    RequestBody::File(FileWindow {
                        path: item.local.clone(),
                        offset: start,
                        len,
                        file_len: item.size,
                        sent: progress.window(),
                        frame: None,
                    })
                };
                // A file's parts report their bytes as they are sent.
                let stored = |_| true;
                self.upload_multipart(bucket_id, &item.remote, item.size, options, part, stored)
                    .await?;
                if !progress.file_done(&item.remote, item.size) {
                    return Err(stopped());
                }
            }
        }
        Ok(TransferSummary {
            files,
            bytes: total,
            skipped: Vec::new(),
        })
    }

    /// One object of `size` bytes as a multipart upload into a bucket; `part(start,
    /// len)` is the body of the part of `len` bytes from `start` (a file window, or a
    /// slice of memory), and `stored(len)` is told when it is stored (`false` stops the
    /// upload).
    pub(crate) async fn upload_multipart(
        &self,
        bucket_id: &str,
        key: &str,
        size: u64,
        options: &TransferOptions,
        part: impl Fn(u64, u64) -> RequestBody + Sync,
        stored: impl Fn(u64) -> bool + Sync,
    ) -> Result<()> {
        let part_size = options.part_size_for(size);
        let parts = ranges(size, part_size);
        debug_assert!(parts.len() as u64 <= MAX_PARTS);
        let started: MultipartStarted = self
            .send_json(wire::start_multipart(bucket_id, key)?)
            .await?;
        let mut upload = MultipartUpload {
            client: self,
            bucket_id: bucket_id.to_owned(),
            upload_id: started.upload_id,
            finished: false,
        };
        let upload_id = upload.upload_id.as_str();
        let numbered: Vec<_> = parts.into_iter().enumerate().collect();
        let (part, stored) = (&part, &stored);
        let sent = concurrently(
            options.concurrency,
            numbered,
            |(index, (start, end))| async move {
                let len = end + 1 - start;
                let request =
                    wire::upload_part(bucket_id, upload_id, index as u64 + 1, part(start, len));
                let uploaded: PartUploaded = self.send_json(request).await?;
                if !stored(len) {
                    return Err(stopped());
                }
                Ok(uploaded.etag)
            },
        )
        .await;
        let outcome = match sent {
            Ok(etags) => match wire::complete_multipart(bucket_id, upload_id, &etags) {
                Ok(request) => self.send_empty(request).await,
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            // Abort now, and wait for it, rather than from the guard in the background.
            upload.finished = true;
            let abort = wire::abort_multipart(bucket_id, &upload.upload_id);
            if let Err(abort_error) = self.send_empty(abort).await {
                log::debug!("aborting the multipart upload failed: {abort_error}");
            }
            return Err(error);
        }
        upload.finished = true;
        Ok(())
    }
}
