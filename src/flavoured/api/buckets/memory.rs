//! Objects to and from memory, readers and writers: the same wire as files (the
//! shipped form upload, the download route, multipart for big objects from memory)
//! through the same pipeline. The calls whose signatures differ by client
//! (`upload_reader`, `download_to_writer`) are thin wrappers in `blocking/readers.rs` and
//! `nonblocking/readers.rs` over [`Buckets::send_framed`] and [`Buckets::download_into`].

use bytes::Bytes;

use super::{flavour, local_fs, Buckets};
use crate::transfer::download::{Expect, Fetch};
use crate::transfer::progress::{stopped, TransferProgress};
use crate::transport::{RequestBody, RequestBodyOf};
use crate::wire::storage as wire;
use crate::{Error, Result, TransferOptions};

/// The calls that stream an object, named when one is too large for memory.
const STREAM_INSTEAD: &str =
    "Buckets::download_to_writer or Buckets::download (which stream it to a writer or a file)";

/// The error for a writer that failed.
fn write_failed(key: &str, error: std::io::Error) -> Error {
    Error::io(
        format!("could not write the object {key:?} to the writer"),
        error,
    )
}

/// A key that names one object: not empty, not a prefix (ending in `/`).
fn object_key(key: &str) -> Result<&str> {
    let trimmed = wire::object_key(key);
    if trimmed.is_empty() || trimmed.ends_with('/') {
        return Err(Error::config(format!(
            "{key:?} names no object: give a key such as \"data/file.bin\" (a key ending in / \
             is a prefix)"
        )));
    }
    Ok(trimmed)
}

#[flavour]
impl Buckets {
    /// Stores `data` as the object `key`, from memory: a `Vec<u8>`, `String`,
    /// `&'static [u8]`, [`Bytes`]... (anything `Into<Bytes>`, which takes a `Vec` or a
    /// `String` without copying). An existing object under `key` is replaced.
    ///
    /// Below [`DEFAULT_MULTIPART_THRESHOLD`](crate::transfer::DEFAULT_MULTIPART_THRESHOLD)
    /// (100 MiB) it is one request, the form [`upload`](Self::upload) sends; bigger
    /// data goes multipart, each part a slice of `data` (never a copy), several at once.
    /// The bytes are in memory, so a failed request is sent again like any other
    /// (the form with an `Idempotency-Key`: the same bytes under the same key make the
    /// same object), and each part of a multipart upload is retried on its own.
    ///
    #[doc = doc_example!(
        "for i in 0..30 {\n"
        "    let line = format!(\"record {i}\\n\");\n"
        "    client.buckets().put_object(\"bucket-id\", &format!(\"records/{i}.txt\"), line)" await "?;\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (empty, or ending in `/`): nothing is sent;
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](super::Client#errors-of-every-call).
    #[doc(alias = "put")]
    #[doc(alias = "upload_bytes")]
    pub async fn put_object(
        &self,
        bucket_id: &str,
        key: &str,
        data: impl Into<Bytes>,
    ) -> Result<()> {
        self.put_object_with(bucket_id, key, data, &TransferOptions::new())
            .await
    }

    /// [`put_object`](Self::put_object) with the
    /// [`multipart_threshold`](TransferOptions::multipart_threshold),
    /// [`part_size`](TransferOptions::part_size) and
    /// [`concurrency`](TransferOptions::concurrency) of `options` (the parts are slices
    /// of `data`, never copies). Its [`progress`](TransferOptions::progress) is reported
    /// as each part is stored (the whole object, below the threshold), and
    /// [`on_file_done`](TransferOptions::on_file_done) once with `key`; `recursive` means
    /// nothing here.
    ///
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let data = vec![0u8; 300 * 1024 * 1024];\n"
        "let options = TransferOptions::new()\n"
        "    .part_size(32 * 1024 * 1024)\n"
        "    .concurrency(8)\n"
        "    .progress(|done, total| eprintln!(\"{done}/{total} bytes\"));\n"
        "client.buckets().put_object_with(\"bucket-id\", \"blobs/zeros.bin\", data, &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// As [`put_object`](Self::put_object); a multipart upload that fails is aborted on
    /// the server.
    pub async fn put_object_with(
        &self,
        bucket_id: &str,
        key: &str,
        data: impl Into<Bytes>,
        options: &TransferOptions,
    ) -> Result<()> {
        let outcome = self.put_bytes(bucket_id, key, data.into(), options).await;
        // A panicking progress callback stopped the transfer: raise it here.
        options.resume_panic();
        outcome
    }

    async fn put_bytes(
        &self,
        bucket_id: &str,
        key: &str,
        data: Bytes,
        options: &TransferOptions,
    ) -> Result<()> {
        let key = object_key(key)?;
        let size = data.len() as u64;
        let progress = TransferProgress::new(size, options);
        if size == 0 || size < options.multipart_threshold {
            self.client
                .send_empty(wire::put_object(bucket_id, key, data))
                .await?;
            if !progress.add(size) {
                return Err(stopped());
            }
        } else {
            let part = |start: u64, len: u64| {
                // Within `data` by construction: the parts cover `0..size`. A body of
                // pieces, as a file part is a window: bounded by inactivity, not by the
                // call deadline, however slow the link.
                let start = start as usize;
                RequestBody::Pieces(vec![data.slice(start..start + len as usize)])
            };
            let stored = |len: u64| progress.add(len);
            self.client
                .upload_multipart(bucket_id, key, size, options, part, stored)
                .await?;
        }
        if !progress.file_done(key, size) {
            return Err(stopped());
        }
        Ok(())
    }

    /// The object `key`'s bytes, read into memory: at most the client's
    /// [`max_response_body`](crate::ClientBuilder::max_response_body) (16 MiB by
    /// default). A bigger object fails without reading more than that; stream it with
    /// [`download_to_writer`](Self::download_to_writer) or to a file with
    /// [`download`](Self::download) instead. Retried like any other call, within the
    /// [call deadline](crate::ClientBuilder::call_deadline).
    ///
    #[doc = doc_example!(
        "let bytes = client.buckets().get_object(\"bucket-id\", \"records/0.txt\")" await "?;\n"
        "let content: Vec<u8> = bytes.to_vec();\n"
        "println!(\"{}\", String::from_utf8_lossy(&content));"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (nothing is sent); [`Error::NotFound`](crate::Error::NotFound) if
    /// the bucket or the object does not exist;
    /// [`Error::TooLarge`](crate::Error::TooLarge) if the object is larger than
    /// `max_response_body`, with a message naming the limit, how to raise it and the
    /// calls that stream instead. Otherwise the [errors of every
    /// call](super::Client#errors-of-every-call).
    #[doc(alias = "get")]
    #[doc(alias = "download_bytes")]
    pub async fn get_object(&self, bucket_id: &str, key: &str) -> Result<Bytes> {
        let request =
            wire::download_object(bucket_id, object_key(key)?).instead_of_memory(STREAM_INSTEAD);
        let body = self.client.send_bytes(&request).await?;
        Ok(Bytes::from(body))
    }

    /// Uploads the object `key` in the one form request (the key checked first), with
    /// the body `frame` makes from the form's head and tail and the body's whole length
    /// (known when `len`, the length of what goes between them, is): each client
    /// chains its own kind of reader between them.
    pub(crate) async fn send_framed<'b>(
        &self,
        bucket_id: &str,
        key: &str,
        len: Option<u64>,
        frame: impl FnOnce(Bytes, Bytes, Option<u64>) -> RequestBodyOf<'b>,
    ) -> Result<()> {
        let form = wire::object_form(bucket_id, object_key(key)?);
        let total = len.map(|len| len.saturating_add(form.frame_len()));
        let body = frame(form.frame.head.clone(), form.frame.tail.clone(), total);
        self.client.send_empty(form.with(body)).await
    }

    /// Streams the object `key` into `writer` and flushes it; returns the bytes
    /// written. A body that breaks off is fetched again from where it stopped (a range
    /// of the same version, under the retry policy), as the writer already holds its
    /// start; without a length in the answer it cannot be, and is an error.
    pub(crate) async fn download_into<W: local_fs::Sink>(
        &self,
        bucket_id: &str,
        key: &str,
        writer: &mut W,
    ) -> Result<u64> {
        let key = object_key(key)?;
        let whole = || wire::download_object(bucket_id, key);
        let mut response = self.client.send_streaming(&whole()).await?;
        let total = response.content_length;
        let version = response.etag.clone();
        let version = version.as_deref();
        let mut written = 0u64;
        let mut retries_done = 0;
        loop {
            let failed = |e| write_failed(key, e);
            let error = match self
                .client
                .pump(
                    response.body,
                    writer,
                    key,
                    total,
                    &mut written,
                    None,
                    failed,
                )
                .await
            {
                Ok(()) => break,
                // Redacted before it is logged or returned: it names the key.
                Err(error) => self.client.redacted(error),
            };
            let Some(total) = total.filter(|total| written < *total) else {
                return Err(error);
            };
            let Some(delay) = self.client.retry_delay(retries_done, &error) else {
                return Err(error);
            };
            log::debug!(
                "{error}; fetching the rest from byte {written} in {delay:?} (retry {} of {})",
                retries_done + 1,
                self.client.retry_limit()
            );
            self.client.sleep(delay).await;
            retries_done += 1;
            let rest = Fetch {
                request: whole().range(written, total - 1).if_match(version),
                what: key,
                version,
                expect: Expect::Range {
                    start: written,
                    end: total - 1,
                    total,
                },
                count_total: false,
            };
            response = self.client.send_streaming(&rest.request).await?;
            rest.promised(&response)
                .map_err(|error| self.client.redacted(error))?;
        }
        local_fs::WriteExt::flush(writer)
            .await
            .map_err(|e| self.client.redacted(write_failed(key, e)))?;
        Ok(written)
    }
}
