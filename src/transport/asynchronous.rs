//! The async transport: one `reqwest` client on tokio, shared by every clone.
//!
//! reqwest is the async client most Rust services already depend on; it runs on the
//! tokio runtime the caller already has, pools connections and is `Send + Sync`.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{
    local_file_error, protocol_error, timeout_message, tls_hint, too_many_redirects,
    unreadable_file, AnswerTimeout, Deadline, FileWindow, HttpRequest, HttpResponse, RequestBody,
    RequestBodyOf, WindowCursor, CHUNK_SIZE, MAX_REDIRECTS, USER_AGENT,
};
use crate::error::Error;
use crate::net::limits;
use crate::net::options::TransportOptions;

/// Sends requests over a pooled `reqwest` client.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

/// The redirect policy's error for a chain that does not end; found again in
/// [`map_error`].
#[derive(Debug)]
struct TooManyRedirects;

impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {MAX_REDIRECTS} redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

/// The redirect policy's error for a `Location` that holds the token; found again in
/// [`map_error`].
#[derive(Debug)]
struct TokenInRedirect;

impl std::fmt::Display for TokenInRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a redirect to a URL holding the token")
    }
}

impl std::error::Error for TokenInRedirect {}

impl Transport {
    /// A transport whose connects, waits for an answer and reads of a body each wait at
    /// most `options.timeout`.
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        let timeout = options.timeout;
        // reqwest drops Authorization itself when a redirect changes scheme, host or
        // port (the origin); this policy also refuses https → http downgrades, and ends
        // a chain that does not stop with an error (not retried, as in the blocking
        // client).
        let token = options.token.clone();
        let policy = redirect::Policy::custom(move |attempt| {
            // As the blocking client: the token never travels in a URL.
            if token.len() >= super::MIN_SHIELDED_TOKEN && attempt.url().as_str().contains(&token) {
                return attempt.error(TokenInRedirect);
            }
            let downgrade = attempt.url().scheme() == "http"
                && attempt
                    .previous()
                    .last()
                    .is_some_and(|previous| previous.scheme() == "https");
            if downgrade {
                attempt.stop()
            } else if attempt.previous().len() > MAX_REDIRECTS as usize {
                attempt.error(TooManyRedirects)
            } else {
                attempt.follow()
            }
        });
        let mut common_headers = HeaderMap::with_capacity(2);
        common_headers.insert("user-agent", HeaderValue::from_static(USER_AGENT));
        common_headers.insert("accept", HeaderValue::from_static("application/json"));
        // Timeouts are inactivity timeouts, as in the blocking client: connecting, the
        // wait for an answer and each wait for more of its body are bounded separately
        // (see `send` and `ResponseBody::chunk`), so a long transfer that keeps flowing
        // is never cut off.
        let mut builder = reqwest::Client::builder()
            .default_headers(common_headers)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            // Answers as they came, as in the blocking client, whatever features another
            // crate turns on in reqwest.
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .redirect(policy)
            // The system's roots only when asked for; the bundled ones otherwise.
            .tls_built_in_native_certs(options.native_roots)
            .tls_built_in_webpki_certs(!options.native_roots);
        for der in &options.root_certificates {
            let certificate = reqwest::Certificate::from_der(der.as_ref())
                .map_err(|e| Error::config(format!("a root certificate cannot be used: {e}")))?;
            builder = builder.add_root_certificate(certificate);
        }
        // The shared proxy rule, asked per request; reqwest's own reading of the
        // environment is off either way.
        builder = if options.proxy.is_empty() {
            builder.no_proxy()
        } else {
            let rules = options.proxy.clone();
            builder.proxy(reqwest::Proxy::custom(move |url| {
                rules
                    .for_url(url.as_str())
                    .map(|proxy| proxy.with_credentials().to_owned())
            }))
        };
        let client = builder
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(Transport { client, timeout })
    }

    pub(crate) async fn send(
        &self,
        request: &HttpRequest<'_, '_>,
        deadline: Option<Deadline>,
    ) -> Result<HttpResponse<ResponseBody>, Error> {
        // The one place an `HttpRequest` becomes reqwest's: the http crate's method and
        // headers as they are (the token's still marked sensitive).
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.as_str())
            .headers(request.headers.clone());
        let answer_timeout = request.answer_timeout.resolve(self.timeout);
        // Set for a streamed body: when it last gave hyper a piece, and whether it ended.
        let mut upload = None;
        match request.body {
            RequestBodyOf::Empty => {}
            RequestBodyOf::Bytes(bytes) => builder = builder.body(bytes.clone()),
            RequestBodyOf::Pieces(pieces) => {
                // Piece by piece, so that the watchdog sees a big body flowing.
                let (chunks, len) = RequestBody::chunked(pieces);
                let (chunks, progress) = Watched::new(stream::iter(chunks.into_iter().map(Ok)));
                upload = Some(progress);
                builder = builder
                    .header("content-length", len.to_string())
                    .body(reqwest::Body::wrap_stream(chunks));
            }
            RequestBodyOf::File(window) => {
                let (head, tail) = window.frame();
                let chunks = stream::iter([Ok(head)])
                    .chain(window_stream(window).await?)
                    .chain(stream::iter([Ok(tail)]))
                    .try_filter(|piece| std::future::ready(!piece.is_empty()));
                let (chunks, progress) = Watched::new(chunks);
                upload = Some(progress);
                builder = builder
                    .header("content-length", window.body_len().to_string())
                    .body(reqwest::Body::wrap_stream(chunks));
            }
            RequestBodyOf::AsyncReader(one_shot) => {
                let reader = one_shot.take()?;
                if let Some(len) = one_shot.len {
                    builder = builder.header("content-length", len.to_string());
                }
                let (chunks, progress) = Watched::new(reader_stream(reader));
                upload = Some(progress);
                builder = builder.body(reqwest::Body::wrap_stream(chunks));
            }
            #[cfg(feature = "blocking")]
            RequestBodyOf::Reader(_) => {
                // Never built: each client makes its own kind of reader body.
                return Err(Error::internal(
                    "a blocking reader cannot be sent by the async client",
                ));
            }
            #[cfg(not(feature = "blocking"))]
            RequestBodyOf::Never(never, _) => match *never {},
        }
        let sending = builder.send();
        let response = match upload {
            // hyper has no write timeout: a server that stops reading the upload would
            // hold `send` for ever. The watchdog fails it once no piece has been taken
            // for the inactivity timeout, then bounds the wait for the answer.
            Some(progress) => {
                let guard = stall_guard(progress, &request.url, self.timeout, answer_timeout);
                let sending = std::pin::pin!(sending);
                let guard = std::pin::pin!(guard);
                match futures_util::future::select(sending, guard).await {
                    futures_util::future::Either::Left((response, _)) => response,
                    futures_util::future::Either::Right((error, _)) => return Err(error),
                }
            }
            None => {
                let (limit, expiry) = bounded(answer_timeout, deadline, self.timeout);
                match limit {
                    Some(limit) => tokio::time::timeout(limit, sending)
                        .await
                        .map_err(|_| expiry.error(&request.url))?,
                    None => sending.await,
                }
            }
        }
        .map_err(|e| map_error(e, &request.url, self.timeout))?;
        let head = HttpResponse::read_head(response.status(), response.headers(), str::to_owned);
        // reqwest's length: the body's exact size (0 for an answer that has none).
        let content_length = response.content_length();
        let body = ResponseBody {
            response,
            current: Bytes::new(),
            timeout: match request.answer_timeout {
                AnswerTimeout::Unbounded => None,
                _ => Some(self.timeout),
            },
            deadline,
            url: request.url.clone(),
        };
        Ok(HttpResponse {
            content_length,
            ..head.with_body(body)
        })
    }

    pub(crate) async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(limits::saturate(duration)).await;
    }
}

/// The shorter of an inactivity wait and what is left of the deadline, and which of
/// the two it is, to make the error from only if it runs out.
fn bounded(
    wait: Option<Duration>,
    deadline: Option<Deadline>,
    timeout: Duration,
) -> (Option<Duration>, Expiry) {
    match (wait, deadline) {
        (Some(wait), Some(deadline)) if deadline.remaining() < wait => {
            (Some(deadline.remaining()), Expiry::Deadline(deadline))
        }
        (None, Some(deadline)) => (Some(deadline.remaining()), Expiry::Deadline(deadline)),
        (Some(wait), _) => (Some(wait), Expiry::Idle(wait)),
        (None, None) => (None, Expiry::Idle(timeout)),
    }
}

/// What a bounded wait ran into: the call's deadline, or this long without a piece.
#[derive(Clone, Copy)]
enum Expiry {
    Deadline(Deadline),
    Idle(Duration),
}

impl Expiry {
    /// The timeout error of a wait on `url`, naming its server.
    fn error(self, url: &str) -> Error {
        match self {
            Expiry::Deadline(deadline) => deadline.error(),
            Expiry::Idle(wait) => Error::timeout(timeout_message(&super::peer(url), wait)),
        }
    }
}

/// When a streamed body last gave hyper a piece, and whether it has ended.
type Progress = Arc<Mutex<(Instant, bool)>>;

/// A body stream that records when each piece is taken.
struct Watched {
    inner: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
    progress: Progress,
}

impl Watched {
    fn new(inner: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static) -> (Self, Progress) {
        let progress = Arc::new(Mutex::new((Instant::now(), false)));
        let watched = Watched {
            inner: Box::pin(inner),
            progress: progress.clone(),
        };
        (watched, progress)
    }
}

impl Stream for Watched {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(item) = &next {
            if let Ok(mut progress) = self.progress.lock() {
                *progress = (Instant::now(), item.is_none());
            }
        }
        next
    }
}

/// Resolves, with a timeout error, once the upload has stalled for `idle` or, after
/// its end, no answer came within `answer` (never, for an unbounded answer). The error
/// names the server the upload to `url` goes to.
async fn stall_guard(
    progress: Progress,
    url: &str,
    idle: Duration,
    answer: Option<Duration>,
) -> Error {
    loop {
        let (last, done) = progress
            .lock()
            .map(|p| *p)
            .unwrap_or((Instant::now(), false));
        let limit = if done { answer } else { Some(idle) };
        let Some(limit) = limit else {
            std::future::pending::<()>().await;
            unreachable!("a pending future never resolves");
        };
        let until = last.checked_add(limit);
        match until {
            Some(until) if Instant::now() < until => {
                tokio::time::sleep_until(until.into()).await;
            }
            None => std::future::pending::<()>().await,
            Some(_) if done => return Expiry::Idle(limit).error(url),
            Some(_) => {
                return Error::timeout(format!(
                    "the upload stalled: {} took no data for {limit:?}; change the \
                     limit with ClientBuilder::timeout",
                    super::peer(url)
                ))
            }
        }
    }
}

/// A [`FileWindow`] as a stream of pieces, reporting progress and refusing a file that
/// changes while it is sent.
async fn window_stream(
    window: &FileWindow,
) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + 'static, Error> {
    let mut file = tokio::fs::File::open(&window.path)
        .await
        .map_err(|e| unreadable_file(&window.path, e))?;
    if window.offset > 0 {
        file.seek(std::io::SeekFrom::Start(window.offset))
            .await
            .map_err(|e| unreadable_file(&window.path, e))?;
    }
    // The stream outlives this borrow (reqwest wants it 'static), so it owns a copy.
    let window = window.clone();
    let cursor = WindowCursor::new(&window);
    Ok(stream::try_unfold(
        (file, window, cursor),
        |(mut file, window, mut cursor)| async move {
            if cursor.is_done() {
                return Ok(None);
            }
            let mut buffer = vec![0; cursor.next_read(CHUNK_SIZE)];
            let n = file
                .read(&mut buffer)
                .await
                .map_err(|e| window.unreadable(e))?;
            cursor.advance(&window, n)?;
            // With a Content-Length hyper may never poll again: check now.
            if cursor.is_done() {
                let len = file.metadata().await.map(|m| m.len());
                cursor.finish(&window, len)?;
            }
            buffer.truncate(n);
            Ok(Some((Bytes::from(buffer), (file, window, cursor))))
        },
    ))
}

/// An async reader as a stream of pieces.
fn reader_stream(
    reader: std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    stream::try_unfold(reader, |mut reader| async move {
        let mut buffer = vec![0; CHUNK_SIZE];
        let n = reader.read(&mut buffer).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.truncate(n);
        Ok(Some((Bytes::from(buffer), reader)))
    })
}

/// An answer's body, read as it arrives.
#[derive(Debug)]
pub(crate) struct ResponseBody {
    response: reqwest::Response,
    /// The piece [`chunk`](Self::chunk) lends out.
    current: Bytes,
    /// How long to wait for each next piece; `None` for streams that may idle.
    timeout: Option<Duration>,
    /// The call's deadline, for answers read into memory.
    deadline: Option<Deadline>,
    /// Where it comes from: an error while reading it names the server (`host:port`,
    /// worked out only then: see [`super::peer`]).
    url: String,
}

impl ResponseBody {
    /// Reads at most `cap` bytes of the body into memory (JSON answers and error
    /// bodies); the flag says whether that was all of it. The rest is left unread.
    pub(crate) async fn read_capped(mut self, cap: u64) -> Result<(Vec<u8>, bool), Error> {
        let mut body = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            body.extend_from_slice(chunk);
            if body.len() as u64 > cap {
                body.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
                return Ok((body, false));
            }
        }
        Ok((body, true))
    }

    /// The next piece of the body, lent until the next call; `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<&[u8]>, Error> {
        let fallback = self.timeout.unwrap_or_default();
        let (limit, expiry) = bounded(self.timeout, self.deadline, fallback);
        let next = self.response.chunk();
        let chunk = match limit {
            Some(limit) => tokio::time::timeout(limit, next)
                .await
                .map_err(|_| expiry.error(&self.url))?,
            None => next.await,
        };
        match chunk.map_err(|e| map_error(e, &self.url, fallback))? {
            Some(piece) => {
                self.current = piece;
                Ok(Some(&self.current))
            }
            None => Ok(None),
        }
    }
}

/// The SDK's error for what reqwest said about a request to `url`, whose server
/// ([`super::peer`]) the message names: the server a redirect led to, when it
/// failed there.
fn map_error(error: reqwest::Error, url: &str, timeout: Duration) -> Error {
    let peer = super::peer(error.url().map_or(url, |url| url.as_str()));
    let peer = peer.as_str();
    // The URL may be a presigned one whose query is its signature: never repeat it.
    let error = error.without_url();
    if let Some(local) = local_file_error(&error) {
        return local;
    }
    if find_source::<TokenInRedirect>(&error) {
        return super::token_in_redirect();
    }
    if find_source::<TooManyRedirects>(&error) || error.is_redirect() {
        return too_many_redirects();
    }
    if error.is_timeout() {
        return Error::timeout(timeout_message(peer, timeout));
    }
    if let Some(detail) = broken_http(&error) {
        return protocol_error(detail);
    }
    if let Some(detail) = tls_failure(&error) {
        return Error::network(tls_hint(peer, &detail), Some(error.into()));
    }
    if error.is_connect() && dns_failure(&error) {
        Error::network(super::not_resolved(peer), Some(error.into()))
    } else if error.is_connect() {
        Error::network(super::connect_failed(peer), Some(error.into()))
    } else if error.is_builder() {
        Error::config(format!("could not build the HTTP request: {error}"))
    } else {
        Error::network(super::connection_failed(peer), Some(error.into()))
    }
}

/// Whether a connect error is a host name that could not be resolved: hyper-util's
/// resolver says `dns error` (its error kinds are not reachable through reqwest).
fn dns_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = error.source();
    while let Some(e) = next {
        if e.to_string().starts_with("dns error") {
            return true;
        }
        next = e.source();
    }
    false
}

fn find_source<T: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<T>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// What hyper said when the answer broke HTTP (a malformed or oversized head, a bad
/// chunk), found by its words: hyper's error kinds are not reachable through reqwest.
fn broken_http(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = error.source();
    while let Some(e) = next {
        let text = e.to_string();
        let lower = text.to_ascii_lowercase();
        let malformed = lower.contains(" parsed")
            || lower.contains("message head is too large")
            || lower.contains("invalid chunk")
            || e.downcast_ref::<std::io::Error>().is_some_and(|io| {
                matches!(
                    io.kind(),
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
                )
            });
        if malformed {
            return Some(text);
        }
        next = e.source();
    }
    None
}

/// The reason a TLS handshake failed, when that is what happened.
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = error.source();
    while let Some(e) = next {
        let text = e.to_string();
        if text.contains("certificate") {
            return Some(text);
        }
        next = e.source();
    }
    None
}
