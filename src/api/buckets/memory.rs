//! Objects to and from memory, readers and writers: the same wire as files (the
//! shipped form upload, the download route, multipart for big objects from memory)
//! through the same pipeline. The calls whose signatures differ by client
//! (`upload_reader`, `download_to_writer`) are thin wrappers in `blocking.rs` and
//! `nonblocking.rs` over [`Buckets::object_form`], [`Buckets::send_object`] and
//! [`Buckets::download_into`].

use bytes::Bytes;

use super::{flavour, local_fs, Buckets};
use crate::files::{broke_off, longer_than_promised};
use crate::storage_wire as wire;
use crate::transport::RequestBody;
use crate::{Error, Result, TransferOptions};

/// The calls that stream an object, named when one is too large for memory.
const STREAM_INSTEAD: &str =
    "Buckets::download_to_writer or Buckets::download (which stream it to a writer or a file)";

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

impl Buckets {
    /// The form that uploads an object under `key` (the key checked first).
    pub(crate) fn object_form(&self, bucket_id: &str, key: &str) -> Result<wire::ObjectForm> {
        Ok(wire::object_form(bucket_id, object_key(key)?))
    }
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
        let data: Bytes = data.into();
        let key = object_key(key)?;
        let options = TransferOptions::new();
        let size = data.len() as u64;
        if size == 0 || size < options.multipart_threshold {
            return self
                .client
                .send_empty(wire::put_object(bucket_id, key, data))
                .await;
        }
        let part = |start: u64, len: u64| {
            // Within `data` by construction: the parts cover `0..size`.
            let start = start as usize;
            RequestBody::Bytes(data.slice(start..start + len as usize))
        };
        self.upload_multipart(bucket_id, key, size, &options, part)
            .await
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
    /// [`Error::Decode`](crate::Error::Decode) if the object is larger than
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

    /// Sends an upload [`object_form`](Buckets::object_form) made, with its body.
    pub(crate) async fn send_object(&self, request: crate::request::ApiRequest) -> Result<()> {
        self.client.send_empty(request).await
    }

    /// Streams the object `key` into `writer` and flushes it; returns the bytes
    /// written. A body that breaks off is an error and is not fetched again: the writer
    /// already holds its start.
    pub(crate) async fn download_into<W: local_fs::Sink>(
        &self,
        bucket_id: &str,
        key: &str,
        writer: &mut W,
    ) -> Result<u64> {
        let request = wire::download_object(bucket_id, object_key(key)?);
        let response = self.client.send_streaming(&request).await?;
        let promised = response.content_length;
        let mut body = response.body;
        let failed = |e| {
            Error::io(
                format!("could not write the object {key:?} to the writer"),
                e,
            )
        };
        let mut written = 0u64;
        loop {
            let piece = match body.chunk().await {
                Ok(Some(piece)) => piece,
                Ok(None) => break,
                Err(error) => return Err(self.client.redacted(error)),
            };
            let len = piece.len() as u64;
            if let Some(promised) = promised.filter(|p| written + len > *p) {
                return Err(longer_than_promised(key, promised));
            }
            local_fs::WriteExt::write_all(writer, piece)
                .await
                .map_err(failed)?;
            written += len;
        }
        if let Some(promised) = promised.filter(|p| written < *p) {
            return Err(broke_off(key, promised, written));
        }
        local_fs::WriteExt::flush(writer).await.map_err(failed)?;
        Ok(written)
    }
}
