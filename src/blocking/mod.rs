//! The blocking client: [`Client`](crate::Client) over a pooled `ureq` agent (feature
//! `blocking`, on by default).
//!
//! The API source (`flavoured/`) is shared with
//! the async client and compiled here with `maybe_async::must_be_sync`, which removes
//! its `async` and `.await`s. Only what differs in kind lives in this file: the
//! `Iterator`s over lazy sequences, and SSH in the terminal.

// Read by the shared source as `#[flavour]`.
use maybe_async::must_be_sync as flavour;

/// Renders a doc example for the blocking client: `await` markers vanish.
macro_rules! doc_example {
    ($($body:tt)*) => { client_doc_example!(blocking $($body)*) };
}

pub(crate) use crate::transport::blocking::{ResponseBody, Transport};

/// The local file system transfers write to.
mod local_fs {

    /// What `Buckets::download_to_writer` writes into.
    pub(crate) trait Sink: std::io::Write {}

    impl<W: std::io::Write + ?Sized> Sink for W {}
    pub(crate) use std::fs::create_dir_all;
    pub(crate) use std::io::Write as WriteExt;

    /// The lowercase hex digest of a file's content.
    pub(crate) fn content_hash(
        path: &std::path::Path,
        kind: crate::transfer::hash::ContentHash,
    ) -> std::io::Result<String> {
        crate::transfer::hash::hash_of(path, kind)
    }

    pub(crate) use crate::transfer::partial::open_at;
}

/// Runs `job` on each item, at most `limit` at once on scoped threads, and returns the
/// results in the items' order, or the first error (no new item starts after one).
fn concurrently<T: Send, R: Send>(
    limit: usize,
    items: Vec<T>,
    job: impl Fn(T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    let count = items.len();
    if limit <= 1 || count <= 1 {
        return items.into_iter().map(job).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let outcomes = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..limit.min(count) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().map(|mut queue| queue.next());
                    let Ok(Some((index, item))) = next else { break };
                    let outcome = job(item);
                    failed.fetch_or(outcome.is_err(), Ordering::Relaxed);
                    if let Ok(mut outcomes) = outcomes.lock() {
                        outcomes.push((index, outcome));
                    }
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_default();
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Sends a clean-up request for a transfer that ended early (a multipart upload to
/// abort), waiting for it: the blocking client has nothing to hand it to.
fn clean_up(client: &Client, request: crate::wire::ApiRequest) {
    if let Err(error) = client.send_empty(request) {
        log::debug!("clean-up failed: {error}");
    }
}

/// Runs `work` inside `span` (a `tracing` span with the `tracing` feature).
fn traced<T>(span: &crate::net::trace::Span, work: impl FnOnce() -> T) -> T {
    #[cfg(feature = "tracing")]
    return span.in_scope(work);
    #[cfg(not(feature = "tracing"))]
    {
        let _ = span;
        work()
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

use crate::transport::{Counted, OneShot, RequestBodyOf};
use crate::{Error, Result};

/// Log lines as a pod writes them, from [`Pods::follow_logs`]: an
/// `Iterator<Item = Result<String>>` that ends when the server ends the stream (the pod
/// stopped). Dropping it closes the connection.
///
/// ```no_run
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?;
/// for line in client.pods().follow_logs("pod-id")? {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub struct LogStream {
    lines: pages::Lines,
}

impl LogStream {
    fn new(lines: pages::Lines) -> Self {
        LogStream { lines }
    }

    /// The next line, or `None` at the end (the same as [`Iterator::next`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut lines = client.pods().follow_logs("pod-id")?;
    /// while let Some(line) = lines.next_line() {
    ///     println!("{}", line?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_line(&mut self) -> Option<Result<String>> {
        self.lines.next_item()
    }
}

impl Iterator for LogStream {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line()
    }
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

/// The items of a list, fetched lazily a page at a time as the iterator is read, from
/// calls such as [`Pods::list_stream`]. An error ends it after being yielded.
///
/// ```no_run
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?;
/// for pod in client.pods().list_stream(&podstack::PodFilter::new()).take(10) {
///     println!("{}", pod?.name);
/// }
/// # Ok(()) }
/// ```
pub struct ListStream<T> {
    items: Box<dyn Iterator<Item = Result<T>> + Send>,
}

impl<T> ListStream<T> {
    fn new<P>(pages: pages::Pages<P>) -> Self
    where
        P: crate::paging::Pager<Item = T> + 'static,
        T: Send + 'static,
    {
        let mut pages = pages;
        ListStream {
            items: Box::new(std::iter::from_fn(move || pages.next_item())),
        }
    }
}

impl<T> ListStream<T> {
    /// The next item, or `None` at the end (the same as [`Iterator::next`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut pods = client.pods().list_stream(&podstack::PodFilter::new());
    /// if let Some(first) = pods.next_item() {
    ///     println!("{}", first?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_item(&mut self) -> Option<Result<T>> {
        self.items.next()
    }
}

impl<T> Iterator for ListStream<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item()
    }
}

impl<T> std::fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListStream").finish_non_exhaustive()
    }
}

impl Pods {
    /// Opens an interactive SSH session to the pod in this terminal and waits for it to
    /// end (blocking client only; with the async client run [`Pod::ssh`](crate::Pod::ssh)'s
    /// command yourself).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let status = client.pods().ssh("pod-id")?;
    /// println!("ssh exited with {status}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::UnexpectedState`](crate::Error::UnexpectedState) if the pod has no SSH
    /// command yet (see [`Pod::ssh`](crate::Pod::ssh));
    /// [`Error::Config`](crate::Error::Config) if that command cannot be split into words;
    /// [`Error::Io`](crate::Error::Io) if `ssh` cannot be run. Otherwise the [errors of
    /// every call](Client#errors-of-every-call).
    pub fn ssh(&self, id: &str) -> Result<std::process::ExitStatus> {
        let pod = self.get(id)?;
        pod.ssh()?
            .status()
            .map_err(|e| Error::io("could not run ssh", e))
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
    /// `reader` may be borrowed (`&mut file`, `&data[..]`): it is read within the call
    /// and not kept after it.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::open("data.csv").expect("readable");
    /// let len = file.metadata().expect("readable").len();
    /// let url = "https://storage.example.com/b/data.csv?X-Signature=...";
    /// client.presigned().upload_reader(url, &mut file, Some(len))?;
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
    pub fn upload_reader(
        &self,
        url: &str,
        reader: impl std::io::Read + Send,
        len: Option<u64>,
    ) -> Result<()> {
        let body = RequestBodyOf::Reader(OneShot::new(exact(reader, len), len));
        self.put_body(url, body)
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
    /// `reader` may be borrowed (`&mut file`, `&data[..]`): it is read within the call
    /// and not kept after it. It must be `Send`, as a `File`, a slice or a `Cursor` is
    /// (a `StdinLock` is not: pass `std::io::stdin()` itself).
    ///
    /// A reader can be read only once, so this upload is **never retried**: a failed
    /// one fails at once, whatever the [retry policy](crate::ClientBuilder::retry). To
    /// have it retried, upload from memory ([`put_object`](Self::put_object)) or from a
    /// file ([`upload`](Self::upload)).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::open("data.csv").expect("readable");
    /// let len = file.metadata().expect("readable").len();
    /// client.buckets().upload_reader("bucket-id", "datasets/data.csv", &mut file, Some(len))?;
    /// // A slice reads as well.
    /// let data = b"id,name\n1,alpha\n".to_vec();
    /// client.buckets().upload_reader("bucket-id", "datasets/tiny.csv", &data[..], None)?;
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
    pub fn upload_reader(
        &self,
        bucket_id: &str,
        key: &str,
        reader: impl std::io::Read + Send,
        len: Option<u64>,
    ) -> Result<()> {
        use std::io::{Cursor, Read};

        self.send_framed(bucket_id, key, len, |head, tail, total| {
            let framed = Cursor::new(head).chain(exact(reader, len));
            let framed = framed.chain(Cursor::new(tail));
            RequestBodyOf::Reader(OneShot::new(Box::new(framed), total))
        })
    }

    /// Streams the object `key` into `writer` (a file, a `Vec<u8>`, a socket, a
    /// hasher: any [`Write`](std::io::Write), or `&mut` one), flushes it and returns
    /// how many bytes it wrote. Nothing is held in memory beyond one network piece,
    /// whatever the object's size.
    ///
    /// A failed request is retried like any call. A body that breaks off is fetched
    /// again from where it stopped, since `writer` already holds its start: a ranged
    /// request for the rest, of the same version (`If-Match`), under the same retry
    /// policy as every download. An answer without a `Content-Length` cannot be resumed
    /// that way, so its breaking off is an [`Error::Network`](crate::Error::Network).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::create("model.pt").expect("writable");
    /// let bytes = client.buckets().download_to_writer("bucket-id", "models/model.pt", &mut file)?;
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
    pub fn download_to_writer(
        &self,
        bucket_id: &str,
        key: &str,
        mut writer: impl std::io::Write,
    ) -> Result<u64> {
        self.download_into(bucket_id, key, &mut writer)
    }
}

/// A reader that must hold exactly its promised length (see [`Counted`]).
struct Exact<R> {
    reader: R,
    count: Counted,
}

/// `reader`, checked to hold exactly `len` bytes when `len` is given.
fn exact<'r, R: std::io::Read + Send + 'r>(
    reader: R,
    len: Option<u64>,
) -> Box<dyn std::io::Read + Send + 'r> {
    match len {
        Some(len) => Box::new(Exact {
            reader,
            count: Counted::new(len),
        }),
        None => Box::new(reader),
    }
}

impl<R: std::io::Read> std::io::Read for Exact<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        let room = self.count.room(buffer.len());
        let n = if room == 0 {
            0
        } else {
            let n = self.reader.read(&mut buffer[..room])?;
            self.count.advance(n)?;
            n
        };
        if self.count.probe_due() {
            // These bytes keep the promise: they go on only once the reader is known to
            // end here, so that a longer one fails before the server has the whole body.
            let extra = loop {
                match self.reader.read(&mut [0u8; 1]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.count.probed(extra)?;
        }
        Ok(n)
    }
}
