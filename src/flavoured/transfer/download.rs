//! Downloads, for every route: each file streams into a partial file renamed into
//! place only when complete, whole or in parallel ranges where the route allows them,
//! every answer checked against what it promised. Every downloaded byte, to a file or
//! to a caller's writer, goes through the one loop here ([`Client::pump`]).

use std::path::Path;

use super::super::{concurrently, flavour, local_fs, Client, ResponseBody};
use crate::transfer::download::{
    broke_off, changed_during_download, content_range, longer_than_promised, Expect, Fetch,
};
use crate::transfer::partial::{create_sized, PartialFile};
use crate::transfer::plan::{ranges, DownloadItem};
use crate::transfer::progress::{stopped, TransferProgress};
use crate::transfer::route::Route;
use crate::transport::HttpResponse;
use crate::{models::TransferSummary, Error, Result, TransferOptions};

#[flavour]
impl Client {
    /// Downloads each item from `route`, each into its target (its parent directory
    /// made first): `concurrency` at once, or, when one may go in ranges, one at a time
    /// with its ranges in parallel. Reports each completed file.
    pub(crate) async fn download_items(
        &self,
        route: &Route<'_>,
        items: Vec<DownloadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let outcome = self.download_all(route, items, options).await;
        // A panicking progress callback stopped the transfer: raise it here.
        options.resume_panic();
        // The engine's own errors name keys and paths, which may hold the token.
        outcome.map_err(|error| self.redacted(error))
    }

    async fn download_all(
        &self,
        route: &Route<'_>,
        items: Vec<DownloadItem>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let known: u64 = items.iter().filter_map(|item| item.size).sum();
        let progress = TransferProgress::new(known, options);
        let files = items.len() as u64;
        let progress = &progress;
        // A file of a few big ones moves one at a time, with its ranges in parallel.
        let at_once = if route.ranges()
            && items
                .iter()
                .any(|item| item.size.is_none_or(|s| s >= options.multipart_threshold))
        {
            1
        } else {
            options.concurrency
        };
        let sizes = concurrently(at_once, items, |item| async move {
            if let Some(parent) = item.target.parent() {
                self.create_local_dir(parent).await?;
            }
            let bytes = self.download_one(route, &item, options, progress).await?;
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

    /// Downloads one item into its target as [`download_items`](Self::download_items)
    /// does, but neither makes its directory nor reports it as a completed file (a
    /// presigned URL's download, as it always was).
    pub(crate) async fn download_file(
        &self,
        route: &Route<'_>,
        item: &DownloadItem,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let progress = TransferProgress::new(item.size.unwrap_or(0), options);
        let outcome = self.download_one(route, item, options, &progress).await;
        options.resume_panic();
        Ok(TransferSummary {
            files: 1,
            bytes: outcome.map_err(|error| self.redacted(error))?,
            skipped: Vec::new(),
        })
    }

    /// One item into its target: ranged and parallel when the route allows it and the
    /// file is big, else one stream. Returns its size.
    async fn download_one(
        &self,
        route: &Route<'_>,
        item: &DownloadItem,
        options: &TransferOptions,
        progress: &TransferProgress,
    ) -> Result<u64> {
        let part_size = options.part_size.max(1);
        let whole = || route.download(&item.key);
        let whole_fetch = Fetch {
            request: whole(),
            what: &item.key,
            version: None,
            expect: Expect::Whole {
                listed: item.size.filter(|_| route.listed_sizes_exact()),
            },
            count_total: item.size.is_none(),
        };
        if !route.ranges()
            || item
                .size
                .is_some_and(|size| size < options.multipart_threshold)
            || options.multipart_threshold == u64::MAX
        {
            return self
                .download_whole(&whole_fetch, None, &item.target, progress)
                .await;
        }
        // The first range tells the total; a server that ignores Range sends it all.
        let first = whole().range(0, part_size - 1);
        let response = match self.send_streaming(&first).await {
            Err(error) if error.status_code() == Some(416) => {
                // An empty object has no byte 0.
                return self
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
                self.fetch_into(&fetch, answer, path, progress)
                    .await
                    .map(drop)
            },
        )
        .await?;
        partial.commit()?;
        Ok(total)
    }

    /// Downloads a whole file into `target` through a partial file, renamed into
    /// place only when complete; `first` is an answer to `fetch` already received.
    /// Returns its size.
    async fn download_whole(
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
    async fn fetch_into(
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
            let promised = fetch
                .promised(&response)
                .map_err(|error| self.redacted(error))?;
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
                // Redacted before it is logged below: it names the key.
                Err(error) => self.redacted(error),
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
        body: ResponseBody,
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
        let outcome = self
            .pump(
                body,
                &mut file,
                fetch.what,
                promised,
                &mut written,
                Some(progress),
                failed,
            )
            .await;
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

    /// The one loop every downloaded byte goes through: writes an answer's body into
    /// `writer` piece by piece as it arrives (no copy, no buffer of its own), counting
    /// in `written` and into `progress`, never past what the answer `promised` (which
    /// is an error: nothing past it is written); a body ending short of it is a broken
    /// transfer. `failed` makes the error of a write that failed. The writer is not
    /// flushed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn pump<W: local_fs::Sink + ?Sized>(
        &self,
        mut body: ResponseBody,
        writer: &mut W,
        what: &str,
        promised: Option<u64>,
        written: &mut u64,
        progress: Option<&TransferProgress>,
        failed: impl Fn(std::io::Error) -> Error,
    ) -> Result<()> {
        loop {
            let piece = match body.chunk().await {
                Ok(Some(piece)) => piece,
                Ok(None) => break,
                Err(error) => return Err(self.redacted(error)),
            };
            let len = piece.len() as u64;
            if let Some(promised) = promised.filter(|p| *written + len > *p) {
                return Err(longer_than_promised(what, promised));
            }
            local_fs::WriteExt::write_all(writer, piece)
                .await
                .map_err(&failed)?;
            *written += len;
            if progress.is_some_and(|progress| !progress.add(len)) {
                return Err(stopped());
            }
        }
        match promised {
            Some(promised) if *written < promised => Err(broke_off(what, promised, *written)),
            _ => Ok(()),
        }
    }

    /// Creates a local directory and its parents.
    pub(crate) async fn create_local_dir(&self, dir: &Path) -> Result<()> {
        local_fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(format!("could not create {}", dir.display()), e))
    }
}
