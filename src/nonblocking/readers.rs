//! Readers and writers of the async client: `AsyncRead` uploads checked to hold their
//! promised length, and downloads into any `AsyncWrite`.

use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(doc)]
use super::Client;
use super::{Buckets, Presigned};
use crate::transport::{Counted, OneShot, RequestBody};
use crate::Result;

impl Presigned {
    /// Uploads what `reader` yields through a presigned `PUT` URL, without the token.
    /// `len`, when known, is sent as `Content-Length` (some stores require it), and the
    /// reader must hold exactly `len` bytes: one that ends sooner or holds more fails
    /// with [`Error::Io`](crate::Error::Io) before the store has the whole body (after
    /// `len` bytes it is read once more, into a 1-byte buffer, and the last bytes go on
    /// only if it is at its end). Without `len` the body is chunked. A reader can be read
    /// only once, so a failed upload is not retried.
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let file = tokio::fs::File::open("data.csv").await.expect("readable");
    /// let len = file.metadata().await.expect("readable").len();
    /// let url = "https://storage.example.com/b/data.csv?X-Signature=...";
    /// client.presigned().upload_reader(url, file, Some(len)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if `url` is not an absolute http(s) URL
    /// (nothing is sent); the store's refusal as the matching HTTP error (an expired URL is
    /// typically [`Error::Permission`](crate::Error::Permission), HTTP 403);
    /// [`Error::Io`](crate::Error::Io) if `reader` fails or does not hold exactly `len`
    /// bytes; [`Error::Network`](crate::Error::Network) or
    /// [`Error::Timeout`](crate::Error::Timeout) from the transport. Never retried.
    pub async fn upload_reader(
        &self,
        url: &str,
        reader: impl tokio::io::AsyncRead + Send + 'static,
        len: Option<u64>,
    ) -> Result<()> {
        let body = RequestBody::AsyncReader(OneShot::new(exact(reader, len), len));
        self.put_body(url, body).await
    }
}

impl Buckets {
    /// Uploads what `reader` yields as the object `key`, streamed (never held in
    /// memory whole), in the one form request [`upload`](Self::upload) sends for a
    /// small file, whatever its size: there is no multipart upload from a reader.
    /// With `len`, the reader must hold exactly `len` bytes, sent with a
    /// `Content-Length`: one that ends sooner fails with [`Error::Io`](crate::Error::Io),
    /// and so does one that holds more (after `len` bytes it is read once more, into a
    /// 1-byte buffer, and the last bytes go on only if it is at its end): the body stops
    /// before the form is complete, so nothing is stored, never an object cut at `len`.
    /// Without `len` the body is chunked and holds all the reader yields.
    ///
    /// The reader is `'static` and `Send` so that the upload's future is too: pass an
    /// owned reader (a `tokio::fs::File`, a `std::io::Cursor<Vec<u8>>`, a pipe).
    ///
    /// A reader can be read only once, so this upload is **never retried**: a failed
    /// one fails at once, whatever the [retry policy](crate::ClientBuilder::retry). To
    /// have it retried, upload from memory ([`put_object`](Self::put_object)) or from a
    /// file ([`upload`](Self::upload)).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let file = tokio::fs::File::open("data.csv").await.expect("readable");
    /// let len = file.metadata().await.expect("readable").len();
    /// client.buckets().upload_reader("bucket-id", "datasets/data.csv", file, Some(len)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (empty, or ending in `/`): nothing is sent;
    /// [`Error::Io`](crate::Error::Io) if `reader` fails or does not hold exactly `len`
    /// bytes (nothing is stored);
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call), none of them retried.
    pub async fn upload_reader(
        &self,
        bucket_id: &str,
        key: &str,
        reader: impl tokio::io::AsyncRead + Send + 'static,
        len: Option<u64>,
    ) -> Result<()> {
        use std::io::Cursor;
        use tokio::io::AsyncReadExt;

        let frame = |head, tail, total| {
            let framed = Cursor::new(head).chain(exact(reader, len));
            RequestBody::AsyncReader(OneShot::new(
                Box::pin(framed.chain(Cursor::new(tail))),
                total,
            ))
        };
        self.send_framed(bucket_id, key, len, frame).await
    }

    /// Streams the object `key` into `writer` (a `tokio::fs::File`, a `Vec<u8>`, a
    /// socket: any `tokio::io::AsyncWrite + Unpin + Send`, or `&mut` one), flushes it
    /// and returns how many bytes it wrote. Nothing is held in memory beyond one
    /// network piece, whatever the object's size.
    ///
    /// A failed request is retried like any call. A body that breaks off is fetched
    /// again from where it stopped, since `writer` already holds its start: a ranged
    /// request for the rest, of the same version (`If-Match`), under the same retry
    /// policy as every download. An answer without a `Content-Length` cannot be resumed
    /// that way, so its breaking off is an [`Error::Network`](crate::Error::Network).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let mut file = tokio::fs::File::create("model.pt").await.expect("writable");
    /// let bytes = client.buckets().download_to_writer("bucket-id", "models/model.pt", &mut file).await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (nothing is sent); [`Error::NotFound`](crate::Error::NotFound) if
    /// the bucket or the object does not exist; [`Error::Io`](crate::Error::Io) if
    /// `writer` fails; [`Error::Network`](crate::Error::Network) if the body breaks off
    /// and the retries are spent; [`Error::Integrity`](crate::Error::Integrity) if the
    /// object changes before the rest of a broken-off body is fetched (not retried).
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn download_to_writer(
        &self,
        bucket_id: &str,
        key: &str,
        mut writer: impl tokio::io::AsyncWrite + Unpin + Send,
    ) -> Result<u64> {
        self.download_into(bucket_id, key, &mut writer).await
    }
}

/// A reader that must hold exactly its promised length (see [`Counted`]).
struct Exact<R> {
    reader: R,
    count: Counted,
    /// The bytes that keep the promise, held until the probe finds the reader's end.
    held: Option<Vec<u8>>,
}

/// `reader`, checked to hold exactly `len` bytes when `len` is given.
fn exact<R: tokio::io::AsyncRead + Send + 'static>(
    reader: R,
    len: Option<u64>,
) -> Pin<Box<dyn tokio::io::AsyncRead + Send>> {
    match len {
        Some(len) => Box::pin(Exact {
            reader: Box::pin(reader),
            count: Counted::new(len),
            held: None,
        }),
        None => Box::pin(reader),
    }
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Exact<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buffer: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if buffer.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.held.is_none() {
            let left = this.count.left();
            if left > buffer.remaining() as u64 {
                // This read cannot keep the promise: straight into `buffer`.
                let before = buffer.filled().len();
                std::task::ready!(Pin::new(&mut this.reader).poll_read(cx, buffer))?;
                let n = buffer.filled().len() - before;
                return Poll::Ready(this.count.advance(n));
            }
            if !this.count.probe_due() && left == 0 {
                // Kept and probed: the end.
                return Poll::Ready(Ok(()));
            }
            // The last bytes promised (`left` fits in `buffer`): read into a buffer of
            // our own, held until the reader is known to end with them.
            let mut part = vec![0u8; left as usize];
            if left > 0 {
                let mut read = tokio::io::ReadBuf::new(&mut part);
                std::task::ready!(Pin::new(&mut this.reader).poll_read(cx, &mut read))?;
                let n = read.filled().len();
                this.count.advance(n)?;
                part.truncate(n);
                if !this.count.probe_due() {
                    buffer.put_slice(&part);
                    return Poll::Ready(Ok(()));
                }
            }
            this.held = Some(part);
        }
        // The promise is kept: the reader must be at its end before the last bytes go
        // on, so that a longer one fails before the server has the whole body.
        let mut probe = [0u8; 1];
        let mut probe = tokio::io::ReadBuf::new(&mut probe);
        std::task::ready!(Pin::new(&mut this.reader).poll_read(cx, &mut probe))?;
        let extra = probe.filled().len();
        let held = this.held.take().unwrap_or_default();
        this.count.probed(extra)?;
        buffer.put_slice(&held);
        Poll::Ready(Ok(()))
    }
}
