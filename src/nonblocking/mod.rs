//! The async client: [`nonblocking::Client`](Client), the same API as the blocking
//! [`podstack::Client`](crate::Client) with `async fn`s, over a pooled `reqwest` client on
//! tokio (feature `async`).
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() -> Result<(), podstack::Error> {
//! use podstack::nonblocking::Client;
//!
//! let client = Client::new()?;
//! let user = client.auth().whoami().await?;
//! println!("Authenticated as: {}", user.email);
//! # Ok(()) }
//! ```
//!
//! Every future is `Send`, so calls can be spawned on a multi-threaded runtime. Models,
//! [`Error`](crate::Error) and configuration types are the crate root's, shared with the
//! blocking client.
//!
//! The API source (`flavoured/`) is shared with the blocking client and compiled here with
//! `maybe_async::must_be_async`. Only what differs in kind lives in this file: the
//! `Stream`s over lazy sequences.

// Read by the shared source as `#[flavour]`.
use maybe_async::must_be_async as flavour;

/// Renders a doc example for the async client: `await` markers become `.await`.
macro_rules! doc_example {
    ($($body:tt)*) => { client_doc_example!(nonblocking $($body)*) };
}

pub(crate) use crate::transport::asynchronous::{ResponseBody, Transport};

/// The local file system transfers write to.
mod local_fs {

    /// What `Buckets::download_to_writer` writes into.
    pub(crate) trait Sink: tokio::io::AsyncWrite + Unpin + Send {}

    impl<W: tokio::io::AsyncWrite + Unpin + Send + ?Sized> Sink for W {}
    pub(crate) use tokio::fs::create_dir_all;
    pub(crate) use tokio::io::AsyncWriteExt as WriteExt;

    /// A tokio file whose write buffer is one network piece: tokio's default lets each
    /// open file hold up to 2 MiB, which parallel downloads would multiply.
    fn writer(file: std::fs::File) -> tokio::fs::File {
        let mut file = tokio::fs::File::from_std(file);
        file.set_max_buf_size(crate::transport::CHUNK_SIZE);
        file
    }

    /// The lowercase hex digest of a file's content, computed on a blocking thread.
    pub(crate) async fn content_hash(
        path: &std::path::Path,
        kind: crate::transfer::hash::ContentHash,
    ) -> std::io::Result<String> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || crate::transfer::hash::hash_of(&path, kind))
            .await
            .map_err(std::io::Error::other)?
    }

    /// Opens an existing file to write at `offset`.
    pub(crate) async fn open_at(
        path: &std::path::Path,
        offset: u64,
    ) -> std::io::Result<tokio::fs::File> {
        crate::transfer::partial::open_at(path, offset).map(writer)
    }
}

/// Runs `job` on each item, at most `limit` at once as concurrent futures of this task,
/// and returns the results in the items' order, or the first error (the others are
/// dropped, which cancels them).
async fn concurrently<T, R, F>(limit: usize, items: Vec<T>, job: impl Fn(T) -> F) -> Result<Vec<R>>
where
    F: std::future::Future<Output = Result<R>>,
{
    use futures_util::TryStreamExt;

    let mut results: Vec<(usize, R)> = futures_util::stream::iter(items.into_iter().enumerate())
        .map(|(index, item)| {
            let job = job(item);
            async move { job.await.map(|result| (index, result)) }
        })
        .buffer_unordered(limit.max(1))
        .try_collect()
        .await?;
    results.sort_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// Sends a clean-up request for a transfer that ended early (a multipart upload to
/// abort): on the current tokio runtime in the background, since a dropped future
/// cannot wait for it.
fn clean_up(client: &Client, request: crate::wire::ApiRequest) {
    let client = client.clone();
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Err(error) = client.send_empty(request).await {
                log::debug!("clean-up failed: {error}");
            }
        });
    }
}

/// Runs the future `work` makes inside `span` (a `tracing` span with the `tracing`
/// feature): entered on every poll, never held across an `.await`.
async fn traced<F: std::future::Future>(
    span: &crate::net::trace::Span,
    work: impl FnOnce() -> F,
) -> F::Output {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        work().instrument(span.clone()).await
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = span;
        work().await
    }
}

// The API source, compiled here for this client (see `flavoured/mod.rs` for the names
// this file supplies to it).
#[path = "../flavoured/mod.rs"]
mod flavoured;

pub use flavoured::api::{
    Auth, Buckets, Gpus, Pods, Presigned, Projects, Tasks, Templates, Volumes, Wallet,
};
pub use flavoured::client::{Client, ClientBuilder};
use flavoured::pages;

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};

use crate::transport::{Counted, OneShot, RequestBody};
use crate::Result;

/// Log lines as a pod writes them, from [`Pods::follow_logs`]: a
/// `Stream<Item = Result<String>>` that ends when the server ends it (the pod stopped).
/// Dropping it closes the connection.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), podstack::Error> {
/// let client = podstack::nonblocking::Client::new()?;
/// let mut lines = client.pods().follow_logs("pod-id").await?;
/// while let Some(line) = lines.next_line().await {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub struct LogStream {
    lines: Pin<Box<dyn Stream<Item = Result<String>> + Send>>,
}

impl LogStream {
    fn new(lines: pages::Lines) -> Self {
        let lines = futures_util::stream::unfold(lines, |mut lines| async move {
            let line = lines.next_item().await?;
            Some((line, lines))
        });
        LogStream {
            lines: Box::pin(lines),
        }
    }

    /// The next line, or `None` at the end (the same as `StreamExt::next`).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let mut lines = client.pods().follow_logs("pod-id").await?;
    /// while let Some(line) = lines.next_line().await {
    ///     println!("{}", line?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_line(&mut self) -> Option<Result<String>> {
        self.lines.next().await
    }
}

impl Stream for LogStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.lines.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

/// The items of a list, fetched lazily a page at a time as the stream is read, from
/// calls such as [`Pods::list_stream`]. An error ends it after being yielded.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), podstack::Error> {
/// use futures_util::StreamExt;
///
/// let client = podstack::nonblocking::Client::new()?;
/// let mut pods = client.pods().list_stream(&podstack::PodFilter::new()).take(10);
/// while let Some(pod) = pods.next().await {
///     println!("{}", pod?.name);
/// }
/// # Ok(()) }
/// ```
pub struct ListStream<T> {
    items: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> ListStream<T> {
    fn new<P>(pages: pages::Pages<P>) -> Self
    where
        P: crate::paging::Pager<Item = T> + 'static,
        T: Send + 'static,
    {
        let items = futures_util::stream::unfold(pages, |mut pages| async move {
            let item = pages.next_item().await?;
            Some((item, pages))
        });
        ListStream {
            items: Box::pin(items),
        }
    }

    /// The next item, or `None` at the end (the same as `StreamExt::next`).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let mut pods = client.pods().list_stream(&podstack::PodFilter::new());
    /// if let Some(first) = pods.next_item().await {
    ///     println!("{}", first?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_item(&mut self) -> Option<Result<T>> {
        self.items.next().await
    }
}

impl<T> Stream for ListStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListStream").finish_non_exhaustive()
    }
}

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
    /// and the retries are spent, or the object changes meanwhile. Otherwise the [errors
    /// of every call](Client#errors-of-every-call).
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
