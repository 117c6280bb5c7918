//! Moving files between disk and a bucket, at full speed in flat memory.
//!
//! Uploads below [`TransferOptions::multipart_threshold`] are one `multipart/form-data`
//! `POST` each (the shipped wire), several files at once. Bigger ones go multipart: the
//! file is cut into windows that stream from disk, several parts in flight at once,
//! each retried on its own by the pipeline; a failure aborts the upload so nothing is
//! left half-made on the server. Downloads of big objects fetch ranges in parallel
//! into one pre-sized partial file, renamed into place only when complete. Memory is
//! bounded by the parts in flight times the copy buffer, never by the part size.

use std::path::{Path, PathBuf};

use super::{clean_up, concurrently, flavour, Buckets, Client};
use crate::models::{PartUploaded, MAX_PARTS};
use crate::transfer::download::{changed_during_download, content_range, Expect, Fetch};
use crate::transfer::key_paths::{local_targets, skip};
use crate::transfer::partial::{create_sized, PartialFile};
use crate::transfer::plan::{download_target, outside_error, plan_upload, UploadItem};
use crate::transfer::progress::{stopped, TransferProgress};
use crate::transport::{FileWindow, RequestBody};
use crate::wire::storage as wire;
use crate::{models::TransferSummary, Error, ObjectQuery, Result, TransferOptions};

/// An object to download: its key, where it lands, its size when known.
#[derive(Debug, Clone)]
pub(crate) struct DownloadItem {
    pub key: String,
    pub target: PathBuf,
    pub size: Option<u64>,
}

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

/// A listed key's path below `prefix`, `/`-separated and exactly as listed (see
/// [`key_paths`](crate::transfer::key_paths) for which become local paths); `None` for a folder
/// marker (a key ending in `/`, which holds no file). A key outside the prefix is an
/// error: the server listed what was not asked for.
pub(crate) fn relative_key<'k>(key: &'k str, prefix: &str) -> Result<Option<&'k str>> {
    let relative = key
        .strip_prefix(prefix)
        .ok_or_else(|| outside_error(key, prefix))?;
    Ok((!relative.is_empty() && !relative.ends_with('/')).then_some(relative))
}

/// The `(start, end)` byte ranges, both ends included, of `len` bytes in parts of
/// `part` bytes.
fn ranges(len: u64, part: u64) -> Vec<(u64, u64)> {
    (0..len.div_ceil(part))
        .map(|i| (i * part, ((i + 1) * part).min(len) - 1))
        .collect()
}

#[flavour]
impl Buckets {
    /// Uploads a local file as the object `key`. A `key` ending in `/` is a prefix: the
    /// file keeps its name under it. Files of at least 100 MiB go multipart (see
    /// [`upload_with`](Self::upload_with)).
    #[doc = doc_example!(
        "client.buckets().upload(\"bucket-id\", \"./data.csv\", \"datasets/data.csv\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be read, changes size
    /// while it is sent, or is a directory without [`TransferOptions::recursive`];
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn upload(
        &self,
        bucket_id: &str,
        local: impl AsRef<Path>,
        key: &str,
    ) -> Result<TransferSummary> {
        self.upload_with(bucket_id, local, key, &TransferOptions::new())
            .await
    }

    /// Uploads a file, or with [`TransferOptions::recursive`] a directory tree with each
    /// file's key under the `key` prefix, reporting progress.
    ///
    /// Files stream from disk. Those of at least
    /// [`multipart_threshold`](TransferOptions::multipart_threshold) go multipart in
    /// [`part_size`](TransferOptions::part_size) parts,
    /// [`concurrency`](TransferOptions::concurrency) at once, each part retried on its
    /// own; an upload that fails is aborted on the server. Smaller files move
    /// `concurrency` at once. A file that changes size while it is sent fails with
    /// [`Error::Io`](crate::Error::Io) "file changed during upload". A symbolic link that
    /// leads nowhere is skipped, logged as a warning and listed in
    /// [`TransferSummary::skipped`]; links to directories are not followed.
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new()\n"
        "    .recursive(true)\n"
        "    .part_size(100 * 1024 * 1024)\n"
        "    .progress(|done, total| eprintln!(\"Uploading: {done}/{total} bytes\"));\n"
        "client.buckets().upload_with(\"bucket-id\", \"./training_data/\", \"data/\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be read, changes size
    /// while it is sent, is a directory without [`TransferOptions::recursive`], or has a
    /// name that is not Unicode (which no key can name: nothing is sent);
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn upload_with(
        &self,
        bucket_id: &str,
        local: impl AsRef<Path>,
        key: &str,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let (mut items, skipped) = plan_upload(local.as_ref(), key, options.recursive)?;
        for item in &mut items {
            item.remote = item.remote.trim_start_matches('/').to_owned();
        }
        let mut summary = self.upload_items(bucket_id, items, options).await?;
        summary.skipped = skipped;
        Ok(summary)
    }

    /// Uploads each item under its key: small ones `concurrency` at once, then big ones
    /// one after another, each with `concurrency` parts at once.
    pub(crate) async fn upload_items(
        &self,
        bucket_id: &str,
        items: Vec<UploadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let outcome = self.upload_all(bucket_id, items, options).await;
        // A panicking progress callback stopped the transfer: raise it here.
        options.resume_panic();
        outcome
    }

    async fn upload_all(
        &self,
        bucket_id: &str,
        items: Vec<UploadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        if let Some(item) = items.iter().find(|item| item.remote.is_empty()) {
            return Err(Error::config(format!(
                "no object key for {}: give a key, or a prefix ending in /",
                item.local.display()
            )));
        }
        let total = items.iter().map(|item| item.size).sum();
        let progress = TransferProgress::new(total, options);
        let (big, small): (Vec<_>, Vec<_>) = items
            .into_iter()
            // An empty file has no parts: it goes as one request whatever the threshold.
            .partition(|item| item.size > 0 && item.size >= options.multipart_threshold);
        let files = (small.len() + big.len()) as u64;
        let progress = &progress;
        concurrently(options.concurrency, small, |item| async move {
            let window = FileWindow::whole(item.local.clone(), item.size, progress.window());
            self.client
                .send_empty(wire::upload_object(bucket_id, &item.remote, window))
                .await?;
            if !progress.file_done(&item.remote, item.size) {
                return Err(stopped());
            }
            Ok(())
        })
        .await?;
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
        Ok(TransferSummary {
            files,
            bytes: total,
            skipped: Vec::new(),
        })
    }

    /// One object of `size` bytes as a multipart upload; `part(start, len)` is the body
    /// of the part of `len` bytes from `start` (a file window, or a slice of memory),
    /// and `stored(len)` is told when it is stored (`false` stops the upload).
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
        let started: crate::models::MultipartStarted = self
            .client
            .send_json(wire::start_multipart(bucket_id, key)?)
            .await?;
        let mut upload = MultipartUpload {
            client: &self.client,
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
                let uploaded: PartUploaded = self.client.send_json(request).await?;
                if !stored(len) {
                    return Err(stopped());
                }
                Ok(uploaded.etag)
            },
        )
        .await;
        let outcome = match sent {
            Ok(etags) => match wire::complete_multipart(bucket_id, upload_id, &etags) {
                Ok(request) => self.client.send_empty(request).await,
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            // Abort now, and wait for it, rather than from the guard in the background.
            upload.finished = true;
            let abort = wire::abort_multipart(bucket_id, &upload.upload_id);
            if let Err(abort_error) = self.client.send_empty(abort).await {
                log::debug!("aborting the multipart upload failed: {abort_error}");
            }
            return Err(error);
        }
        upload.finished = true;
        Ok(())
    }

    /// Downloads the object `key` to `local`. An existing local directory, or a `local`
    /// ending in a path separator, receives it under the key's last segment. Objects of
    /// at least 100 MiB are fetched in parallel ranges (see
    /// [`download_with`](Self::download_with)).
    #[doc = doc_example!(
        "client.buckets().download(\"bucket-id\", \"models/model.pt\", \"./model.pt\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be written;
    /// [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does not
    /// exist. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn download(
        &self,
        bucket_id: &str,
        key: &str,
        local: impl AsRef<Path>,
    ) -> Result<TransferSummary> {
        self.download_with(bucket_id, key, local, &TransferOptions::new())
            .await
    }

    /// Downloads an object, or with [`TransferOptions::recursive`] every object under
    /// the `key` prefix into the directory `local` (keys become relative paths),
    /// reporting progress.
    ///
    /// Objects stream to disk and appear under their final names only when complete;
    /// a failed or cancelled download leaves no partial file. Objects of at least
    /// [`multipart_threshold`](TransferOptions::multipart_threshold) are fetched as
    /// [`concurrency`](TransferOptions::concurrency) ranged requests at once into one
    /// pre-sized file; smaller objects move `concurrency` at once. Each answer must hold
    /// exactly what it promised (its `Content-Length` or `Content-Range`, and the listed
    /// size): one that breaks off is fetched again, as a failed request is retried.
    ///
    /// A key is written only to the one local path that maps back to it: keys with an
    /// empty, `.` or `..` segment, names this platform refuses (on Windows `\`, `:`,
    /// `CON`...), keys that land on one file with another (by case on Windows and macOS),
    /// and paths through a symbolic link inside `local` are skipped, logged as warnings
    /// and listed in [`TransferSummary::skipped`] with their
    /// [`SkipReason`](crate::transfer::SkipReason). Nothing is ever written outside
    /// `local`.
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new().recursive(true);\n"
        "client.buckets().download_with(\"bucket-id\", \"results/\", \"./results/\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be written, or the
    /// key's last segment is no file name here when `local` is a directory;
    /// [`Error::Network`](crate::Error::Network) if an answer breaks off (after the
    /// retries); [`Error::Integrity`](crate::Error::Integrity) if the object changes
    /// during the download or a range comes back other than asked (not retried);
    /// [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does not
    /// exist. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn download_with(
        &self,
        bucket_id: &str,
        key: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let local = local.as_ref();
        if !options.recursive {
            let item = DownloadItem {
                key: key.to_owned(),
                target: download_target(key, local)?,
                size: None,
            };
            return self.download_items(bucket_id, vec![item], options).await;
        }
        let prefix = match key.trim_start_matches('/') {
            "" => String::new(),
            key => format!("{}/", key.trim_end_matches('/')),
        };
        let objects = self
            .list_objects(bucket_id, &ObjectQuery::new().prefix(prefix.as_str()))
            .await?;
        let mut listed = Vec::with_capacity(objects.len());
        for object in &objects {
            if let Some(relative) = relative_key(&object.key, &prefix)? {
                listed.push((object, relative)); // else a folder marker
            }
        }
        let entries: Vec<_> = listed
            .iter()
            .map(|(_, relative)| (*relative, false))
            .collect();
        let mut items = Vec::with_capacity(listed.len());
        let mut skipped = Vec::new();
        for ((object, _), target) in listed.iter().zip(local_targets(local, &entries)) {
            match target {
                Ok(target) => items.push(DownloadItem {
                    key: object.key.clone(),
                    target,
                    size: Some(object.size_bytes),
                }),
                Err(reason) => skipped.push(skip(object.key.as_str(), reason)),
            }
        }
        let mut summary = self.download_items(bucket_id, items, options).await?;
        summary.skipped = skipped;
        Ok(summary)
    }

    /// Downloads each item: `concurrency` at once, each big one in parallel ranges.
    pub(crate) async fn download_items(
        &self,
        bucket_id: &str,
        items: Vec<DownloadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let outcome = self.download_all(bucket_id, items, options).await;
        options.resume_panic();
        outcome
    }

    async fn download_all(
        &self,
        bucket_id: &str,
        items: Vec<DownloadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let known: u64 = items.iter().filter_map(|item| item.size).sum();
        let progress = TransferProgress::new(known, options);
        let files = items.len() as u64;
        let progress = &progress;
        // A file of a few big ones moves one at a time, with its ranges in parallel.
        let at_once = if items
            .iter()
            .any(|item| item.size.is_none_or(|s| s >= options.multipart_threshold))
        {
            1
        } else {
            options.concurrency
        };
        let sizes = concurrently(at_once, items, |item| async move {
            if let Some(parent) = item.target.parent() {
                self.client.create_local_dir(parent).await?;
            }
            let bytes = self
                .download_one(bucket_id, &item, options, progress)
                .await?;
            if !progress.file_done(&item.key, bytes) {
                return Err(stopped());
            }
            Ok(bytes)
        })
        .await?;
        Ok(TransferSummary {
            files,
            bytes: sizes.iter().sum(),
            skipped: Vec::new(),
        })
    }

    /// One object into its target: ranged and parallel when big, else one stream.
    async fn download_one(
        &self,
        bucket_id: &str,
        item: &DownloadItem,
        options: &TransferOptions,
        progress: &TransferProgress,
    ) -> Result<u64> {
        let part_size = options.part_size.max(1);
        let whole = || wire::download_object(bucket_id, &item.key);
        let whole_fetch = Fetch {
            request: whole(),
            what: &item.key,
            version: None,
            expect: Expect::Whole { listed: item.size },
            count_total: item.size.is_none(),
        };
        if item
            .size
            .is_some_and(|size| size < options.multipart_threshold)
            || options.multipart_threshold == u64::MAX
        {
            return self
                .client
                .download_whole(&whole_fetch, None, &item.target, progress)
                .await;
        }
        // The first range tells the total; a server that ignores Range sends it all.
        let first = whole().range(0, part_size - 1);
        let response = match self.client.send_streaming(&first).await {
            Err(error) if error.status_code() == Some(416) => {
                // An empty object has no byte 0.
                return self
                    .client
                    .download_whole(&whole_fetch, None, &item.target, progress)
                    .await;
            }
            other => other?,
        };
        let total = match (
            response.status,
            content_range(response.content_range.as_deref()),
        ) {
            (206, Some((_, _, total))) => total,
            (206, None) => {
                // Part of the object, and no way to know the rest: never a torn file.
                return Err(Error::integrity(format!(
                    "the server answered a range of {:?} without a usable Content-Range",
                    item.key
                )));
            }
            _ => {
                return self
                    .client
                    .download_whole(&whole_fetch, Some(response), &item.target, progress)
                    .await;
            }
        };
        match item.size {
            None => progress.add_total(total),
            Some(listed) if listed != total => {
                return Err(changed_during_download(
                    &item.key,
                    &format!("it was listed at {listed} bytes, now {total}"),
                ));
            }
            Some(_) => {}
        }
        // Every range, the first one too, must be the one asked for, from the version
        // the first one came from.
        let version = response.etag.clone();
        let version = version.as_deref();
        let partial = PartialFile::new(&item.target);
        let path = partial.path();
        create_sized(path, total)
            .map_err(|e| Error::io(format!("could not write {}", path.display()), e))?;
        // The first range's body streams in while the others are fetched beside it.
        let mut first = Some(response);
        let jobs: Vec<_> = ranges(total, part_size)
            .into_iter()
            .map(|range| (range, first.take()))
            .collect();
        let key = item.key.as_str();
        concurrently(
            options.concurrency,
            jobs,
            |((start, end), answer)| async move {
                let fetch = Fetch {
                    request: whole().range(start, end).if_match(version),
                    what: key,
                    version,
                    expect: Expect::Range { start, end, total },
                    count_total: false,
                };
                self.client
                    .fetch_into(&fetch, answer, path, progress)
                    .await
                    .map(drop)
            },
        )
        .await?;
        partial.commit()?;
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_file_exactly() {
        assert_eq!(ranges(10, 4), [(0, 3), (4, 7), (8, 9)]);
        assert_eq!(ranges(8, 4), [(0, 3), (4, 7)]);
        assert_eq!(ranges(0, 4), []);
    }
}
