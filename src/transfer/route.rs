//! Where a transfer's files go to or come from, and what that wire allows: the one
//! thing the shared transfer engine (`flavoured/transfer/`) asks of pods, buckets and
//! presigned URLs. The engine itself is the same for all three.

use crate::transfer::plan::UploadItem;
use crate::transport::{FileWindow, RequestBody};
use crate::wire::{self, ApiRequest};
use crate::{Error, Result};

/// The far end of a file transfer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Route<'a> {
    /// A pod's file system (`PUT`/`GET /v1/pods/{id}/files?path=..`), by pod id; an
    /// item's remote name is its absolute path in the pod.
    Pod(&'a str),
    /// A bucket, by id: form uploads, multipart from the threshold, ranged downloads;
    /// an item's remote name is its key.
    Bucket(&'a str),
    /// One presigned URL, already checked ([`wire::presigned::checked_url`]): the one
    /// object it names, whatever an item's remote name.
    Presigned(&'a str),
}

impl Route<'_> {
    /// The request that uploads `item`, its body streaming from `window`.
    pub(crate) fn upload(&self, item: &UploadItem, window: FileWindow) -> ApiRequest {
        match *self {
            Route::Pod(id) => {
                wire::pods::upload_file(id, &item.remote).raw(RequestBody::File(window))
            }
            Route::Bucket(id) => wire::storage::upload_object(id, &item.remote, window),
            Route::Presigned(url) => wire::presigned::upload(url).raw(RequestBody::File(window)),
        }
    }

    /// The request that downloads the remote file or object `remote` whole (the engine
    /// adds a `Range` where [`ranges`](Self::ranges) allows).
    pub(crate) fn download(&self, remote: &str) -> ApiRequest {
        match *self {
            Route::Pod(id) => wire::pods::download_file(id, remote),
            Route::Bucket(id) => wire::storage::download_object(id, remote),
            Route::Presigned(url) => wire::presigned::fetch(url),
        }
    }

    /// The bucket whose multipart calls upload big files, if this route has them.
    pub(crate) fn multipart(&self) -> Option<&str> {
        match *self {
            Route::Bucket(id) => Some(id),
            Route::Pod(_) | Route::Presigned(_) => None,
        }
    }

    /// Whether a download may be fetched in ranged parts. Only the bucket download is
    /// documented to answer `Range: bytes=a-b` with a `206` (CONTRACT.md, "download
    /// object"). The contract's pod file download (`GET /v1/pods/{id}/files`) says
    /// nothing of ranges, so pods are never sent one: their files come whole, through
    /// the same partial file and checks. A presigned URL is fetched whole, as it always
    /// was.
    pub(crate) fn ranges(&self) -> bool {
        matches!(self, Route::Bucket(_))
    }

    /// Whether a listed size is what the download must hold. A bucket's objects do not
    /// change under a listing without changing their size or ETag, so a different
    /// length is an object changed during the download; a pod's files may grow while
    /// listed (a running job writes them), so only the answer's length counts there.
    pub(crate) fn listed_sizes_exact(&self) -> bool {
        matches!(self, Route::Bucket(_))
    }

    /// The name a completed upload reports to
    /// [`on_file_done`](crate::TransferOptions::on_file_done): its remote name, but none
    /// for a presigned URL, which reports no file (as it never did).
    pub(crate) fn file_name<'n>(&self, remote: &'n str) -> Option<&'n str> {
        match self {
            Route::Pod(_) | Route::Bucket(_) => Some(remote),
            Route::Presigned(_) => None,
        }
    }

    /// Whether the bytes done are reported again as each uploaded file ends, so that an
    /// empty file too is reported (`(0, 0)`): as pod and presigned uploads always did.
    /// A bucket's uploads report only as bytes are sent, as they always did.
    pub(crate) fn reports_file_ends(&self) -> bool {
        !matches!(self, Route::Bucket(_))
    }

    /// Refuses items this route cannot name before anything is sent: a bucket needs a
    /// key for each file.
    pub(crate) fn check(&self, items: &[UploadItem]) -> Result<()> {
        if let Route::Bucket(_) = self {
            if let Some(item) = items.iter().find(|item| item.remote.is_empty()) {
                return Err(Error::config(format!(
                    "no object key for {}: give a key, or a prefix ending in /",
                    item.local.display()
                )));
            }
        }
        Ok(())
    }
}
