//! The HTTP transports: the only modules that name an HTTP crate.
//!
//! [`blocking`] sends with a `ureq` agent (feature `blocking`), [`asynchronous`] with a
//! `reqwest` client on tokio (feature `async`); a build may hold both. Each exposes the
//! same `Transport` (`send`, `sleep`) and `ResponseBody` (`read_all`, `chunk`), so the
//! request pipeline is written once and compiled for each.
//!
//! A transport carries only `User-Agent` and `Accept` on every request; the pipeline
//! adds `Authorization` (marked sensitive, so nothing below prints it) and
//! `X-Project-Id` to the requests that should carry them. Both keep one connection pool
//! for the life of the client, stream file bodies both ways in fixed-size pieces, and
//! follow at most [`MAX_REDIRECTS`] redirects: never from https to http, and without the
//! `Authorization` header as soon as one leaves the request's origin (scheme, host and
//! port). They map connection failures and timeouts to
//! [`Error::Network`](crate::Error::Network) and [`Error::Timeout`](crate::Error::Timeout),
//! and an answer that breaks HTTP (too many redirects, an oversized header, a malformed
//! chunk) to [`Error::Api`](crate::Error::Api): a server that does that will do it again,
//! so it is not retried.
//!
//! Both apply the same [proxy rule](crate::net::proxy) per request, the same extra root
//! certificates, and saturate every duration (see [`limits`](crate::net::limits)) so
//! that `Duration::MAX` means "no limit" rather than an overflow.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::{Error, ErrorContext};
use crate::net::limits;
use crate::net::url::origin;

#[cfg(feature = "async")]
pub(crate) mod asynchronous;
#[cfg(feature = "blocking")]
pub(crate) mod blocking;

/// How many redirects are followed (keeping the token only within the origin).
pub(crate) const MAX_REDIRECTS: u32 = 5;

/// Tokens shorter than this are never shielded or searched for (a stand-in this short
/// would match too easily by chance; Podstack's tokens are far longer).
pub(crate) const MIN_SHIELDED_TOKEN: usize = 12;

/// The size of the pieces file bodies are read and written in.
pub(crate) const CHUNK_SIZE: usize = 64 * 1024;

/// The server a request went to, as a network error names it: `host:port` (the
/// scheme's port when the URL gives none), never the URL's user name, password, path
/// or query; "the server" when the URL cannot be read.
pub(crate) fn peer(url: &str) -> String {
    match origin(url) {
        Some((_, host, port)) if host.contains(':') => format!("[{host}]:{port}"),
        Some((_, host, port)) => format!("{host}:{port}"),
        None => "the server".to_owned(),
    }
}

/// The message of a connection that could not be made, the same in both clients.
pub(crate) fn connect_failed(peer: &str) -> String {
    format!("could not connect to {peer}: check the endpoint and the network")
}

/// The message of a host name that could not be resolved, the same in both clients.
pub(crate) fn not_resolved(peer: &str) -> String {
    format!(
        "could not connect to {peer}: its host name could not be resolved; check the \
         endpoint and the network"
    )
}

/// The message of a connection through a proxy that could not be made (ureq says so;
/// reqwest reports it as a connect error).
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
pub(crate) fn proxy_failed(peer: &str) -> String {
    format!("could not connect through the proxy to reach {peer}")
}

/// The message of a connection that broke, the same in both clients.
pub(crate) fn connection_failed(peer: &str) -> String {
    format!("the connection to {peer} failed")
}

/// The `User-Agent` every request carries.
pub(crate) const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));

/// The HTTP methods the API uses (`GET`, `POST`, `PUT`, `DELETE`), as both HTTP
/// crates name them.
pub(crate) use http::Method;

/// Called with the number of body bytes sent so far; `false` stops the upload (a
/// progress callback panicked).
pub(crate) type SentBytes = Arc<Mutex<dyn FnMut(u64) -> bool + Send>>;

/// A request body whose reader lives for `'b` (see [`RequestBodyOf::Reader`]).
#[derive(Default)]
pub(crate) enum RequestBodyOf<'b> {
    #[default]
    Empty,
    /// In memory; `Bytes` so that a retry resends it without copying.
    Bytes(Bytes),
    /// An object's bytes in memory, in pieces sent one after another (a form around
    /// them, or a slice of them as one part), never copied; a retry resends them. Like
    /// a file, bounded by inactivity rather than by the call deadline.
    Pieces(Vec<Bytes>),
    /// A window of a file, opened anew for each attempt.
    File(FileWindow),
    /// A reader that can be sent once: a request with it is never retried. It may
    /// borrow (`&mut file`, `&data[..]`): the blocking transport reads it within the
    /// call, and the request is never kept past it.
    #[cfg(feature = "blocking")]
    Reader(OneShot<Box<dyn io::Read + Send + 'b>>),
    /// An async reader that can be sent once: a request with it is never retried.
    #[cfg(feature = "async")]
    /// (`'static`: the HTTP crate's body stream is.)
    AsyncReader(OneShot<std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send + 'static>>>),
    /// Never made (`Infallible`): holds `'b` in a build without the blocking reader.
    #[cfg(not(feature = "blocking"))]
    #[allow(dead_code)]
    Never(std::convert::Infallible, std::marker::PhantomData<&'b ()>),
}

/// A request body that borrows nothing: every request but a blocking
/// `upload_reader`'s.
pub(crate) type RequestBody = RequestBodyOf<'static>;

impl RequestBodyOf<'_> {
    /// The pieces of a [`Pieces`](RequestBodyOf::Pieces) body cut to at most
    /// [`CHUNK_SIZE`] bytes each (slices, never copies), for a transport to hand on one
    /// at a time; and their total length.
    pub(crate) fn chunked(pieces: &[Bytes]) -> (Vec<Bytes>, u64) {
        let mut chunks = Vec::new();
        let mut len = 0;
        for piece in pieces {
            len += piece.len() as u64;
            let mut start = 0;
            while start < piece.len() {
                let end = (start + CHUNK_SIZE).min(piece.len());
                chunks.push(piece.slice(start..end));
                start = end;
            }
        }
        (chunks, len)
    }

    /// Whether the body can be sent again by a retry.
    pub(crate) fn replayable(&self) -> bool {
        match self {
            RequestBodyOf::Empty
            | RequestBodyOf::Bytes(_)
            | RequestBodyOf::Pieces(_)
            | RequestBodyOf::File(_) => true,
            #[cfg(feature = "blocking")]
            RequestBodyOf::Reader(_) => false,
            #[cfg(feature = "async")]
            RequestBodyOf::AsyncReader(_) => false,
            #[cfg(not(feature = "blocking"))]
            RequestBodyOf::Never(never, _) => match *never {},
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, RequestBodyOf::Empty)
    }
}

impl std::fmt::Debug for RequestBodyOf<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestBodyOf::Empty => f.write_str("Empty"),
            RequestBodyOf::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            RequestBodyOf::Pieces(pieces) => write!(
                f,
                "Pieces({} bytes)",
                pieces.iter().map(Bytes::len).sum::<usize>()
            ),
            RequestBodyOf::File(w) => write!(
                f,
                "File({}, {} bytes at {})",
                w.path.display(),
                w.len,
                w.offset
            ),
            #[cfg(feature = "blocking")]
            RequestBodyOf::Reader(_) => f.write_str("Reader"),
            #[cfg(feature = "async")]
            RequestBodyOf::AsyncReader(_) => f.write_str("AsyncReader"),
            #[cfg(not(feature = "blocking"))]
            RequestBodyOf::Never(never, _) => match *never {},
        }
    }
}

/// `len` bytes of a file starting at `offset`: a whole file, or one part of a multipart
/// upload. The file must still be `file_len` bytes long when the window has been sent,
/// else the upload fails with "file changed during upload" instead of sending a torn
/// copy.
#[derive(Clone)]
pub(crate) struct FileWindow {
    pub path: PathBuf,
    pub offset: u64,
    pub len: u64,
    /// The file's size when the upload was planned.
    pub file_len: u64,
    pub sent: Option<SentBytes>,
    /// Bytes sent before and after the file's (a `multipart/form-data` frame).
    pub frame: Option<Arc<Frame>>,
}

/// What a body sends around a file window: the opening and closing lines of a
/// `multipart/form-data` body.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub head: Bytes,
    pub tail: Bytes,
}

impl FileWindow {
    /// The whole file, as big as it is now.
    pub(crate) fn whole(path: PathBuf, len: u64, sent: Option<SentBytes>) -> Self {
        FileWindow {
            path,
            offset: 0,
            len,
            file_len: len,
            sent,
            frame: None,
        }
    }

    /// The bytes of the frame before the file's, and after them (empty without one).
    pub(crate) fn frame(&self) -> (Bytes, Bytes) {
        match &self.frame {
            Some(frame) => (frame.head.clone(), frame.tail.clone()),
            None => (Bytes::new(), Bytes::new()),
        }
    }

    /// The body's length: the window and its frame.
    pub(crate) fn body_len(&self) -> u64 {
        let (head, tail) = self.frame();
        self.len + head.len() as u64 + tail.len() as u64
    }

    /// The error for a read that cannot go on: wrapped so that the transports can tell
    /// it from a network failure and return it as [`Error::Io`], not retried.
    fn changed(&self, how: &str) -> io::Error {
        io::Error::other(LocalFileError {
            message: format!(
                "file changed during upload: {} {how}; the upload was stopped, not retried",
                self.path.display()
            ),
            kind: io::ErrorKind::UnexpectedEof,
            detail: "file changed during upload".to_owned(),
        })
    }

    /// The error for an upload stopped because a progress callback panicked.
    fn stopped(&self) -> io::Error {
        io::Error::other(LocalFileError {
            message: format!(
                "the upload of {} was stopped: a progress callback panicked",
                self.path.display()
            ),
            kind: io::ErrorKind::Interrupted,
            detail: "a progress callback panicked".to_owned(),
        })
    }

    pub(crate) fn unreadable(&self, error: io::Error) -> io::Error {
        io::Error::other(LocalFileError {
            message: format!("could not read {}", self.path.display()),
            kind: error.kind(),
            detail: error.to_string(),
        })
    }
}

/// Progress through a [`FileWindow`] as it is read: written once, used by both
/// transports' readers.
pub(crate) struct WindowCursor {
    remaining: u64,
    done: u64,
}

impl WindowCursor {
    pub(crate) fn new(window: &FileWindow) -> Self {
        WindowCursor {
            remaining: window.len,
            done: 0,
        }
    }

    /// How many bytes the next read may take, at most `buffer`.
    pub(crate) fn next_read(&self, buffer: usize) -> usize {
        usize::try_from(self.remaining).map_or(buffer, |r| r.min(buffer))
    }

    pub(crate) fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Accounts for a read of `n` bytes; a file that ends early changed under us.
    pub(crate) fn advance(&mut self, window: &FileWindow, n: usize) -> io::Result<()> {
        if n == 0 && self.remaining > 0 {
            return Err(window.changed("it became shorter"));
        }
        self.remaining -= n as u64;
        self.done += n as u64;
        if let Some(sent) = &window.sent {
            let go_on = sent.lock().map_or(true, |mut sent| sent(self.done));
            if !go_on {
                return Err(window.stopped());
            }
        }
        Ok(())
    }

    /// Checks, once the window is sent, that the file still has its planned size.
    pub(crate) fn finish(
        &self,
        window: &FileWindow,
        current_len: io::Result<u64>,
    ) -> io::Result<()> {
        match current_len {
            Ok(len) if len == window.file_len => Ok(()),
            Ok(len) if len > window.file_len => Err(window.changed("it grew")),
            Ok(_) => Err(window.changed("it became shorter")),
            Err(e) => Err(window.unreadable(e)),
        }
    }
}

/// A reader that the first attempt takes; there is no second.
pub(crate) struct OneShot<R> {
    reader: Mutex<Option<R>>,
    /// Sent as `Content-Length` when known; else the body is chunked.
    pub len: Option<u64>,
}

impl<R> OneShot<R> {
    pub(crate) fn new(reader: R, len: Option<u64>) -> Self {
        OneShot {
            reader: Mutex::new(Some(reader)),
            len,
        }
    }

    /// The reader, the first time; an internal error after that (a bug: the pipeline
    /// never resends a body that is not [`replayable`](RequestBody::replayable)).
    pub(crate) fn take(&self) -> Result<R, Error> {
        self.reader
            .lock()
            .ok()
            .and_then(|mut reader| reader.take())
            .ok_or_else(|| Error::internal("a streamed request body can be sent only once"))
    }
}

/// An error about a local file raised inside a transport's body reader, carried through
/// the HTTP crate as the source of an `io::Error` and taken out again by
/// [`local_file_error`].
#[derive(Debug)]
pub(crate) struct LocalFileError {
    message: String,
    kind: io::ErrorKind,
    detail: String,
}

impl LocalFileError {
    fn to_error(&self) -> Error {
        Error::io(
            self.message.clone(),
            io::Error::new(self.kind, self.detail.clone()),
        )
    }
}

impl std::fmt::Display for LocalFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LocalFileError {}

/// What a reader sent with a promised length has given (the reader is cut at the
/// promise): ending short of it, or holding more, is an [`Error::Io`](crate::Error::Io),
/// never a body the server waits for in vain nor an object cut at the promise. Both
/// clients' `Exact` readers follow it: read at most [`room`](Self::room), account with
/// [`advance`](Self::advance); once the promise is kept ([`probe_due`](Self::probe_due)),
/// read the reader once more into a 1-byte probe and account with
/// [`probed`](Self::probed) BEFORE handing on the last bytes read, so that a longer
/// reader fails while the server still lacks part of the body (the last bytes, and a
/// form's closing boundary).
#[derive(Debug)]
pub(crate) struct Counted {
    pub promised: u64,
    pub given: u64,
    /// Whether the reader was found at its end after the promise.
    probed: bool,
}

impl Counted {
    pub(crate) fn new(promised: u64) -> Self {
        Counted {
            promised,
            given: 0,
            probed: false,
        }
    }

    /// The bytes still promised.
    pub(crate) fn left(&self) -> u64 {
        self.promised.saturating_sub(self.given)
    }

    /// How much of a buffer with `room` bytes the next read may fill: never past the
    /// promise.
    #[cfg(feature = "blocking")]
    pub(crate) fn room(&self, room: usize) -> usize {
        usize::try_from(self.left()).map_or(room, |left| left.min(room))
    }

    /// Whether the promise is kept and the reader not yet probed for its end.
    pub(crate) fn probe_due(&self) -> bool {
        self.left() == 0 && !self.probed
    }

    /// Accounts for a read of `n` bytes into a 1-byte probe once the promise is kept:
    /// a reader that still holds something was longer than promised.
    pub(crate) fn probed(&mut self, n: usize) -> io::Result<()> {
        if n == 0 {
            self.probed = true;
            return Ok(());
        }
        Err(io::Error::other(LocalFileError {
            message: format!(
                "the reader held more than the {} bytes given as its length; the upload was \
                 stopped before the server had all of it (nothing stored), not retried",
                self.promised
            ),
            kind: io::ErrorKind::InvalidInput,
            detail: "the reader held more than its given length".to_owned(),
        }))
    }

    /// Accounts for a read of `n` bytes into a buffer that had room for some: `n == 0`
    /// before the promise is kept is a reader that ended early.
    pub(crate) fn advance(&mut self, n: usize) -> io::Result<()> {
        self.given += n as u64;
        if n == 0 && self.given < self.promised {
            return Err(io::Error::other(LocalFileError {
                message: format!(
                    "the reader ended after {} of the {} bytes promised; the upload was \
                     stopped, not retried",
                    self.given, self.promised
                ),
                kind: io::ErrorKind::UnexpectedEof,
                detail: "the reader ended early".to_owned(),
            }));
        }
        Ok(())
    }
}

/// The local file error somewhere in a transport error's chain, if there is one.
pub(crate) fn local_file_error(error: &(dyn std::error::Error + 'static)) -> Option<Error> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(local) = e.downcast_ref::<LocalFileError>() {
            return Some(local.to_error());
        }
        if let Some(local) = e
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<LocalFileError>())
        {
            return Some(local.to_error());
        }
        next = e.source();
    }
    None
}

/// How long to wait for the server to start answering (and, in the blocking build,
/// for each later read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AnswerTimeout {
    /// The client's configured timeout.
    Default,
    /// The server works this long before answering (an exec with a timeout); the
    /// client's timeout is added on top.
    Extended(Duration),
    /// Wait as long as it takes (a followed log stream).
    Unbounded,
}

impl AnswerTimeout {
    /// The wait this stands for, given the client's timeout; `None` is unbounded.
    fn resolve(self, timeout: Duration) -> Option<Duration> {
        match self {
            AnswerTimeout::Default => Some(limits::saturate(timeout)),
            AnswerTimeout::Extended(work) => Some(limits::saturate(work.saturating_add(timeout))),
            AnswerTimeout::Unbounded => None,
        }
    }
}

/// One HTTP request, fully prepared by the client's pipeline: the `http` crate's method
/// and headers, which ureq and reqwest take as they are.
#[derive(Debug)]
pub(crate) struct HttpRequest<'a, 'b> {
    pub method: Method,
    pub url: String,
    /// This call's headers; they replace the transport's own of the same name. The
    /// token's (`Authorization`) is marked sensitive, so that neither HTTP crate nor
    /// this `Debug` prints it.
    pub headers: http::HeaderMap,
    pub body: &'a RequestBodyOf<'b>,
    pub answer_timeout: AnswerTimeout,
}

/// An HTTP answer whose body has not been read yet.
#[derive(Debug)]
pub(crate) struct HttpResponse<B> {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub content_length: Option<u64>,
    /// `Content-Range` of a `206` answer: `bytes a-b/total`.
    pub content_range: Option<String>,
    /// `ETag`: the version of what the answer holds.
    pub etag: Option<String>,
    pub body: B,
}

/// `X-Request-Id`: the server's id of the request, which errors quote.
const X_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-request-id");

impl HttpResponse<()> {
    /// What the pipeline reads of an answer's head, the same for both transports: the
    /// status and the first of each header it uses (a value that is not visible ASCII
    /// counts as absent), each passed through `restore` (the blocking transport gives
    /// back the token where the server echoed its stand-in).
    pub(crate) fn read_head(
        status: http::StatusCode,
        headers: &http::HeaderMap,
        restore: impl Fn(&str) -> String,
    ) -> Self {
        let (mut request_id, mut retry_after, mut content_length) = (None, None, None);
        let (mut content_range, mut etag) = (None, None);
        // One pass over the headers (the first of each, as `get`).
        for (name, value) in headers {
            let slot = match name {
                n if *n == X_REQUEST_ID => &mut request_id,
                n if *n == http::header::RETRY_AFTER => &mut retry_after,
                n if *n == http::header::CONTENT_LENGTH => &mut content_length,
                n if *n == http::header::CONTENT_RANGE => &mut content_range,
                n if *n == http::header::ETAG => &mut etag,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.to_str().ok().map(&restore));
            }
        }
        HttpResponse {
            status: status.as_u16(),
            request_id: request_id.flatten(),
            retry_after: retry_after.flatten(),
            content_length: content_length.flatten().and_then(|v| v.parse().ok()),
            content_range: content_range.flatten(),
            etag: etag.flatten(),
            body: (),
        }
    }

    /// The answer with its body.
    pub(crate) fn with_body<B>(self, body: B) -> HttpResponse<B> {
        HttpResponse {
            status: self.status,
            request_id: self.request_id,
            retry_after: self.retry_after,
            content_length: self.content_length,
            content_range: self.content_range,
            etag: self.etag,
            body,
        }
    }
}

/// The error for a header value that cannot be sent (a control character in a token
/// or project id). Names the header, never its value: it may be the token.
pub(crate) fn invalid_header(name: &str) -> Error {
    Error::config(format!(
        "the {name} header value contains characters that cannot be sent in HTTP"
    ))
}

/// The error for a file body that cannot be opened.
fn unreadable_file(path: &std::path::Path, error: io::Error) -> Error {
    Error::io(format!("could not read {}", path.display()), error)
}

/// The message of a timeout error: the server (see [`peer`]) did not answer in time.
fn timeout_message(peer: &str, timeout: Duration) -> String {
    format!("the request to {peer} timed out after {timeout:?}")
}

/// The whole-call deadline of one JSON call: when it ends and how long it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub at: Instant,
    pub total: Duration,
}

impl Deadline {
    /// A deadline `total` from now; `None` when that is too far to represent.
    pub(crate) fn after(total: Duration) -> Option<Self> {
        limits::instant_after(total).map(|at| Deadline { at, total })
    }

    /// What is left of it (zero once passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// The error for a call that ran out of it.
    pub(crate) fn error(&self) -> Error {
        Error::timeout(limits::deadline_message(self.total))
    }
}

/// The error for an answer that breaks HTTP, or a redirect chain that does not end: not
/// transient, so not retried.
pub(crate) fn protocol_error(message: impl std::fmt::Display) -> Error {
    Error::Api {
        context: ErrorContext::new(format!("the server's answer broke HTTP: {message}")),
    }
}

/// The error for a redirect to a URL that holds the API token: not followed.
pub(crate) fn token_in_redirect() -> Error {
    Error::Api {
        context: ErrorContext::new(
            "the server redirected to a URL that holds the API token; it was not followed \
             (a URL is kept in logs and by proxies)",
        ),
    }
}

/// The error for a chain of redirects longer than [`MAX_REDIRECTS`].
pub(crate) fn too_many_redirects() -> Error {
    protocol_error(format!(
        "more than {MAX_REDIRECTS} redirects in a row; the call was stopped"
    ))
}

/// The message of a TLS failure, with the hint that fixes a private CA.
pub(crate) fn tls_hint(peer: &str, detail: &str) -> String {
    format!(
        "TLS handshake with {peer} failed: {detail}. If the server's certificate comes from a private \
         CA, add it with ClientBuilder::add_root_certificate (or trust the system's \
         certificates with ClientBuilder::tls_native_roots)"
    )
}
