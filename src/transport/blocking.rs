//! The blocking transport: one `ureq` agent, shared by every clone of the client.
//!
//! # The token never reaches ureq
//!
//! ureq's protocol layer (`ureq_proto`) logs every byte of a request head, of a chunked
//! request body and of every answer at `trace` level through the `log` crate, in 16-byte
//! hex rows, and that logging cannot be turned off by a Cargo feature. A program that
//! enables trace logging for a bug report would hand out the token. So ureq is never
//! given it, and no byte a caller sends or gets is changed on the way: see [`shield`].
//!
//! # Connections
//!
//! Host names are looked up when a connection is opened, not per request, and a pooled
//! connection is probed once between two requests, when it is taken for the next one
//! (see [`lookup`]). The pool keeps up to `pool_max_idle_per_host` idle connections per
//! host, so that a client shared by many threads reuses one connection per thread.
//!
//! # Redirects
//!
//! ureq's own redirect handling compares hosts only; it is switched off and
//! [`Transport::send`] follows redirects itself, comparing origins.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Duration;

use ureq::http;
use ureq::unversioned::transport::Connector;

use super::{
    local_file_error, protocol_error, timeout_message, tls_hint, too_many_redirects,
    unreadable_file, Deadline, FileWindow, HttpRequest, HttpResponse, Method, RequestBody,
    RequestBodyOf, WindowCursor, CHUNK_SIZE, MAX_REDIRECTS, USER_AGENT,
};
use crate::error::Error;
use crate::net::options::TransportOptions;
use crate::net::proxy::ProxyRules;
use crate::net::url::{is_downgrade, origin, resolve_location};

#[path = "lookup.rs"]
mod lookup;
#[path = "shield/mod.rs"]
mod shield;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    /// The deadline the agent applies when a request sets none of its own.
    agent_deadline: Option<Duration>,
    /// `User-Agent` and `Accept`, parsed once.
    common_headers: http::HeaderMap,
    proxies: Arc<Proxies>,
    /// The token and its stand-in.
    secret: Arc<shield::Secret>,
    /// `Bearer <stand-in>`, sensitive: what ureq is given for the client's own token
    /// (`None` when the token cannot be sent in HTTP).
    hidden_bearer: Option<http::HeaderValue>,
}

/// The proxy rule and the ureq proxies it names, built once.
#[derive(Debug)]
struct Proxies {
    rules: ProxyRules,
    built: Vec<(String, ureq::Proxy)>,
}

impl Proxies {
    fn for_url(&self, url: &str) -> Option<ureq::Proxy> {
        if self.built.is_empty() {
            return None;
        }
        let chosen = self.rules.for_url(url)?;
        self.built
            .iter()
            .find(|(full, _)| full == chosen.with_credentials())
            .map(|(_, proxy)| proxy.clone())
    }
}

impl Transport {
    /// A transport whose connects and reads each wait at most `options.timeout`.
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        let timeout = options.timeout;
        let mut built = Vec::new();
        for proxy in options.proxy.proxies() {
            let parsed = ureq::Proxy::new(proxy.with_credentials())
                .map_err(|_| Error::config(format!("the proxy {proxy} cannot be used by ureq")))?;
            built.push((proxy.with_credentials().to_owned(), parsed));
        }
        let config = ureq::Agent::config_builder()
            // The pipeline maps every status itself.
            .http_status_as_error(false)
            // An inactivity timeout: connecting, and each read or write, may take at most
            // this long. A whole-call deadline would cut off large transfers that are
            // still flowing, and makes ureq reset socket timeouts on every read; JSON
            // calls get one per request (see `run`).
            .timeout_connect(Some(timeout))
            .timeout_per_read(Some(timeout))
            .timeout_per_write(Some(timeout))
            // What a JSON call's first attempt needs (see `run`), so that it needs no
            // settings of its own.
            .timeout_recv_response(Some(head_timeout(timeout)))
            .timeout_global(options.call_deadline)
            // Redirects are followed by `send`, which compares origins.
            .max_redirects(0)
            // Answers as they are (the shield reads them on the wire), whatever features
            // another crate turns on in ureq (`gzip`, `brotli`).
            .accept_encoding("identity")
            // One idle connection per thread sharing the client, as reqwest's pool
            // keeps them (ureq's default is 3 per host, 10 in all).
            .max_idle_connections_per_host(options.pool_max_idle_per_host)
            .max_idle_connections(options.pool_max_idle_per_host.saturating_mul(4))
            // The proxy is chosen per request by the shared rule.
            .proxy(None)
            .tls_config(tls_config(options)?)
            .build();
        let secret = Arc::new(shield::Secret::new(&options.token));
        let proxy_hosts = built
            .iter()
            .map(|(_, proxy)| format!("{}:{}", proxy.host(), proxy.port()))
            .collect();
        // ureq's default chain without SOCKS (never configured here): a CONNECT tunnel
        // when a proxy is used, else TCP (looking the host up only now); TLS; the shield.
        let connector = ()
            .chain(ureq::unversioned::transport::ConnectProxyConnector::default())
            .chain(lookup::LookupOnConnect::default())
            .chain(ureq::unversioned::transport::RustlsConnector::default())
            .chain(shield::ShieldConnector::new(secret.clone(), proxy_hosts));
        let agent = ureq::Agent::with_parts(config, connector, lookup::ResolveOnConnect);
        let hidden_bearer =
            http::HeaderValue::from_str(&secret.hide_authorization(secret.bearer()))
                .ok()
                .map(|mut value| {
                    value.set_sensitive(true);
                    value
                });
        let mut common_headers = http::HeaderMap::with_capacity(2);
        common_headers.insert("user-agent", http::HeaderValue::from_static(USER_AGENT));
        common_headers.insert("accept", http::HeaderValue::from_static("application/json"));
        Ok(Transport {
            agent,
            timeout,
            agent_deadline: options.call_deadline,
            common_headers,
            proxies: Arc::new(Proxies {
                rules: options.proxy.clone(),
                built,
            }),
            secret,
            hidden_bearer,
        })
    }

    /// Sends `request`, following redirects (at most [`MAX_REDIRECTS`]): the token goes
    /// only to the request's own origin, never from https to http, and a body is sent
    /// again only when it can be (a redirect that would resend a one-shot reader stops
    /// at that answer, which the pipeline then maps by its status).
    pub(crate) fn send(
        &self,
        request: &HttpRequest<'_, '_>,
        deadline: Option<Deadline>,
    ) -> Result<HttpResponse<ResponseBody>, Error> {
        let mut url = request.url.clone();
        let mut method = request.method.clone();
        let mut with_body = true;
        let mut redirects = 0;
        loop {
            // Compared only after a redirect: the first request goes where it was meant to.
            let same_origin = redirects == 0 || {
                let first = origin(&request.url);
                first.is_some() && origin(&url) == first
            };
            let response = self.send_once(
                request,
                &url,
                method.clone(),
                with_body,
                same_origin,
                deadline,
            )?;
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let redirect = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
            // A redirect to a URL holding the token is not followed (in either client):
            // the token would travel in a URL, which logs and proxies keep.
            if redirect && location.as_deref().is_some_and(|l| self.secret.is_in(l)) {
                return Err(super::token_in_redirect());
            }
            let next = match (status.as_u16(), location) {
                (301 | 302 | 303 | 307 | 308, Some(location)) => resolve_location(&url, &location),
                _ => None,
            };
            let Some(next) = next else {
                return Ok(self.answer(response, url, deadline));
            };
            let downgrade = is_downgrade(&url, &next);
            let keeps_body = matches!(status.as_u16(), 307 | 308);
            let to_get = !keeps_body && (status.as_u16() == 303 || method == Method::POST);
            // A body read once cannot go again: a redirect that would resend it (a `307`
            // or `308`, and a `301`/`302` of a `PUT`) ends at that answer.
            let body_lost = with_body && !to_get && !request.body.replayable();
            if downgrade || body_lost {
                return Ok(self.answer(response, url, deadline));
            }
            if redirects == MAX_REDIRECTS {
                return Err(too_many_redirects());
            }
            redirects += 1;
            if to_get {
                method = Method::GET;
                with_body = false;
            }
            log::debug!("following a {} redirect", status.as_u16());
            url = next;
        }
    }

    /// One request, no redirects followed.
    fn send_once(
        &self,
        request: &HttpRequest<'_, '_>,
        url: &str,
        method: Method,
        with_body: bool,
        same_origin: bool,
        deadline: Option<Deadline>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let mut builder = http::Request::builder().method(method).uri(url);
        if let Some(headers) = builder.headers_mut() {
            headers.reserve(self.common_headers.len() + request.headers.len());
            for (name, value) in &self.common_headers {
                headers.insert(name, value.clone());
            }
            // The call's own headers replace the transport's of the same name; the token
            // stays within the request's origin and never reaches ureq (see `shield`).
            for (name, value) in &request.headers {
                if value.is_sensitive() && !same_origin {
                    continue;
                }
                if !with_body && name == http::header::CONTENT_TYPE {
                    continue;
                }
                let value = if name == http::header::AUTHORIZATION {
                    self.hidden_authorization(value)?
                } else {
                    value.clone()
                };
                headers.insert(name, value);
            }
        }
        let read_timeout = request.answer_timeout.resolve(self.timeout);
        if !with_body {
            return self.run(builder.body(()), url, read_timeout, deadline);
        }
        match request.body {
            RequestBodyOf::Empty => self.run(builder.body(()), url, read_timeout, deadline),
            RequestBodyOf::Bytes(bytes) => {
                self.run(builder.body(&bytes[..]), url, read_timeout, deadline)
            }
            RequestBodyOf::Pieces(pieces) => {
                let (chunks, len) = RequestBody::chunked(pieces);
                let mut reader = Pieces {
                    chunks: chunks.into(),
                };
                let builder = builder.header("content-length", len.to_string());
                self.run(
                    builder.body(ureq::SendBody::from_reader(&mut reader)),
                    url,
                    read_timeout,
                    deadline,
                )
            }
            RequestBodyOf::File(window) => {
                let (head, tail) = window.frame();
                let mut reader = (&head[..])
                    .chain(WindowReader::open(window)?)
                    .chain(&tail[..]);
                // A known length is sent as Content-Length instead of chunked.
                let builder = builder.header("content-length", window.body_len().to_string());
                self.run(
                    builder.body(ureq::SendBody::from_reader(&mut reader)),
                    url,
                    read_timeout,
                    deadline,
                )
            }
            RequestBodyOf::Reader(one_shot) => {
                let reader = one_shot.take()?;
                // ureq logs a chunked body (not one with a length): hide the token in it.
                let (builder, mut reader): (_, Box<dyn Read + Send + '_>) = match one_shot.len {
                    Some(len) => (builder.header("content-length", len.to_string()), reader),
                    None => (
                        builder,
                        Box::new(shield::Hidden::new(reader, self.secret.clone())),
                    ),
                };
                self.run(
                    builder.body(ureq::SendBody::from_reader(&mut reader)),
                    url,
                    read_timeout,
                    deadline,
                )
            }
            #[cfg(feature = "async")]
            // Never built: each client makes its own kind of reader body.
            RequestBodyOf::AsyncReader(_) => Err(Error::internal(
                "an async reader cannot be sent by the blocking client",
            )),
        }
    }

    /// The `Authorization` value ureq is given: the token replaced by its stand-in (see
    /// [`shield`]), still marked sensitive; made once for the client's own token.
    fn hidden_authorization(&self, value: &http::HeaderValue) -> Result<http::HeaderValue, Error> {
        if let Some(hidden) = &self.hidden_bearer {
            if value.as_bytes() == self.secret.bearer().as_bytes() {
                return Ok(hidden.clone());
            }
        }
        let shown = value
            .to_str()
            .map_err(|_| super::invalid_header("authorization"))?;
        let mut hidden = http::HeaderValue::from_str(&self.secret.hide_authorization(shown))
            .map_err(|_| super::invalid_header("authorization"))?;
        hidden.set_sensitive(true);
        Ok(hidden)
    }

    /// The answer, its body unread.
    fn answer(
        &self,
        response: http::Response<ureq::Body>,
        url: String,
        deadline: Option<Deadline>,
    ) -> HttpResponse<ResponseBody> {
        // As the server sent them: with an echoed token back in place of the stand-in.
        let head = HttpResponse::read_head(response.status(), response.headers(), |v| {
            self.secret.restore_str(v).into_owned()
        });
        let body = ResponseBody {
            reader: response.into_body().into_reader(),
            content_length: head.content_length,
            buffer: Vec::new(),
            timeout: self.timeout,
            deadline,
            restore: shield::Restore::new(self.secret.clone()),
            url,
        };
        head.with_body(body)
    }

    fn run<B: ureq::AsSendBody>(
        &self,
        request: Result<http::Request<B>, http::Error>,
        url: &str,
        read_timeout: Option<Duration>,
        deadline: Option<Deadline>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let request =
            request.map_err(|e| Error::config(format!("could not build the HTTP request: {e}")))?;
        let proxy = self.proxies.for_url(url);
        // A first attempt of a JSON call with the default timeouts and no proxy is what
        // the agent is set up for: building settings per request costs more than the
        // rest of the SDK's own work on a call.
        let agent_defaults = proxy.is_none()
            && read_timeout == Some(self.timeout)
            && match (deadline, self.agent_deadline) {
                (Some(deadline), Some(agent)) => {
                    deadline.total == agent && deadline.remaining() + AGENT_DEADLINE_SLACK >= agent
                }
                _ => false,
            };
        let request = if agent_defaults {
            request
        } else {
            self.agent
                .configure_request(request)
                .timeout_per_read(read_timeout)
                .timeout_recv_response(read_timeout.map(head_timeout))
                .timeout_global(deadline.map(|d| d.remaining()))
                .proxy(proxy)
                .build()
        };
        self.agent
            .run(request)
            .map_err(|e| map_error(e, &super::peer(url), self.timeout, deadline))
    }

    pub(crate) fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// How much of a call's deadline may have passed before its first attempt still uses
/// the agent's deadline (which is then longer by at most this).
const AGENT_DEADLINE_SLACK: Duration = Duration::from_millis(10);

/// The wait for an answer's head as a whole, so that a head sent a line at a time or
/// behind endless `1xx` answers cannot hold a call for ever: an eighth over the read
/// timeout, so that the read timeout (which stays the same from call to call) is the one
/// a socket is set to, not a new value each call.
fn head_timeout(read_timeout: Duration) -> Duration {
    read_timeout.saturating_add(read_timeout / 8)
}

/// The TLS settings: the bundled Mozilla roots (ureq's default) unless the system's
/// roots are asked for, plus every extra root certificate.
fn tls_config(options: &TransportOptions) -> Result<ureq::tls::TlsConfig, Error> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    if options.root_certificates.is_empty() && !options.native_roots {
        return Ok(TlsConfig::default());
    }
    let mut roots: Vec<Certificate<'static>> = if options.native_roots {
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            log::warn!("skipping part of the system's certificate store: {error}");
        }
        if found.certs.is_empty() {
            // As reqwest does: not an error, but nothing but the added roots is trusted.
            log::warn!("tls_native_roots: no certificate found in the system's store");
        }
        found
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect()
    } else {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect()
    };
    roots.extend(
        options
            .root_certificates
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
    );
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::new_with_certs(&roots))
        .build())
}

/// An answer's body, read as it arrives.
pub(crate) struct ResponseBody {
    reader: ureq::BodyReader<'static>,
    /// The answer's `Content-Length`, when it has one.
    content_length: Option<u64>,
    /// Where [`chunk`](Self::chunk) reads each piece (allocated at the first).
    buffer: Vec<u8>,
    timeout: Duration,
    deadline: Option<Deadline>,
    /// Gives the body the token's bytes back (see [`shield`]).
    restore: shield::Restore,
    /// Where it comes from: an error while reading it names the server (`host:port`,
    /// worked out only then: see [`super::peer`]).
    url: String,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseBody")
    }
}

impl ResponseBody {
    /// Reads at most `cap` bytes of the body into memory (JSON answers and error
    /// bodies); the flag says whether that was all of it. The rest is left unread.
    pub(crate) fn read_capped(mut self, cap: u64) -> Result<(Vec<u8>, bool), Error> {
        // Room for the whole answer when its length is known (and within the cap), so
        // that it is read without growing the buffer or probing for more.
        let hint = self.content_length.filter(|&len| len <= cap).unwrap_or(0);
        let mut body = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).saturating_add(1));
        let (timeout, deadline) = (self.timeout, self.deadline);
        let mut limited = (&mut self.reader).take(cap.saturating_add(1));
        limited
            .read_to_end(&mut body)
            .map_err(|e| map_io_error(e, &super::peer(&self.url), timeout, deadline))?;
        let whole = body.len() as u64 <= cap;
        body.truncate(usize::try_from(cap).unwrap_or(usize::MAX).min(body.len()));
        self.restore.apply(&mut body, true);
        Ok((body, whole))
    }

    /// The next piece of the body, at most [`CHUNK_SIZE`] bytes (and a stand-in's
    /// length); `None` at the end. The piece is read into one buffer kept for the whole
    /// body, and lent until the next call.
    pub(crate) fn chunk(&mut self) -> Result<Option<&[u8]>, Error> {
        let room = self.restore.most_held() + CHUNK_SIZE;
        if self.buffer.len() < room {
            self.buffer.resize(room, 0);
        }
        loop {
            let held = self.restore.take_held(&mut self.buffer);
            let n = self
                .reader
                .read(&mut self.buffer[held..held + CHUNK_SIZE])
                .map_err(|e| {
                    map_io_error(e, &super::peer(&self.url), self.timeout, self.deadline)
                })?;
            let ready = self.restore.apply(&mut self.buffer[..held + n], n == 0);
            match (ready, n) {
                (0, 0) => return Ok(None),
                (0, _) => continue,
                (ready, _) => return Ok(Some(&self.buffer[..ready])),
            }
        }
    }
}

/// Reads the pieces of an in-memory body one after another.
struct Pieces {
    chunks: std::collections::VecDeque<bytes::Bytes>,
}

impl Read for Pieces {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        use bytes::Buf;
        while let Some(chunk) = self.chunks.front_mut() {
            if chunk.is_empty() {
                self.chunks.pop_front();
                continue;
            }
            let n = chunk.len().min(buffer.len());
            buffer[..n].copy_from_slice(&chunk[..n]);
            chunk.advance(n);
            return Ok(n);
        }
        Ok(0)
    }
}

/// Reads a [`FileWindow`], reporting progress and refusing a file that changes.
struct WindowReader<'w> {
    file: File,
    window: &'w FileWindow,
    cursor: WindowCursor,
}

impl<'w> WindowReader<'w> {
    fn open(window: &'w FileWindow) -> Result<Self, Error> {
        let mut file = File::open(&window.path).map_err(|e| unreadable_file(&window.path, e))?;
        if window.offset > 0 {
            file.seek(SeekFrom::Start(window.offset))
                .map_err(|e| unreadable_file(&window.path, e))?;
        }
        Ok(WindowReader {
            file,
            window,
            cursor: WindowCursor::new(window),
        })
    }
}

impl Read for WindowReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cursor.is_done() {
            return Ok(0);
        }
        let want = self.cursor.next_read(buf.len());
        let n = self
            .file
            .read(&mut buf[..want])
            .map_err(|e| self.window.unreadable(e))?;
        self.cursor.advance(self.window, n)?;
        // With a Content-Length the HTTP client may never read again: check now.
        if self.cursor.is_done() {
            let len = self.file.metadata().map(|m| m.len());
            self.cursor.finish(self.window, len)?;
        }
        Ok(n)
    }
}

/// The SDK's error for what ureq said; `peer` is the server the request went to (see
/// [`super::peer`]), which the message names.
fn map_error(
    error: ureq::Error,
    peer: &str,
    timeout: Duration,
    deadline: Option<Deadline>,
) -> Error {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Global) => match deadline {
            Some(deadline) => deadline.error(),
            None => Error::timeout(timeout_message(peer, timeout)),
        },
        ureq::Error::Timeout(ureq::Timeout::RecvResponse) => Error::timeout(format!(
            "the answer's head from {peer} did not arrive within {:?} (an eighth over the timeout of \
             {timeout:?}; change it with ClientBuilder::timeout)",
            head_timeout(timeout)
        )),
        ureq::Error::Timeout(_) => Error::timeout(timeout_message(peer, timeout)),
        ureq::Error::Io(e) => map_io_error(e, peer, timeout, deadline),
        ureq::Error::HostNotFound => {
            Error::network(super::not_resolved(peer), Some(error.into()))
        }
        ureq::Error::ConnectionFailed => {
            Error::network(super::connect_failed(peer), Some(error.into()))
        }
        // The server broke HTTP: it will do so again, so this is not retried.
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BodyExceedsLimit(_)
        | ureq::Error::RedirectFailed => protocol_error(&error),
        ureq::Error::TooManyRedirects => super::too_many_redirects(),
        ureq::Error::Rustls(ref e) => {
            Error::network(tls_hint(peer, &e.to_string()), Some(error.into()))
        }
        ureq::Error::Tls(detail) => Error::network(tls_hint(peer, detail), Some(error.into())),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            Error::network(super::proxy_failed(peer), Some(error.into()))
        }
        other => Error::network(super::connection_failed(peer), Some(other.into())),
    }
}

/// The SDK's error for an I/O error of a request to `peer` (see [`map_error`]).
fn map_io_error(
    error: io::Error,
    peer: &str,
    timeout: Duration,
    deadline: Option<Deadline>,
) -> Error {
    if let Some(local) = local_file_error(&error) {
        return local;
    }
    if error
        .get_ref()
        .is_some_and(|e| e.is::<lookup::NotResolved>())
    {
        return Error::network(super::not_resolved(peer), Some(error.into()));
    }
    if let Some(seen) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<shield::StandInSeen>())
    {
        return Error::Api {
            context: crate::error::ErrorContext::new(seen.to_string()),
        };
    }
    // rustls reports a refused certificate as invalid data ("invalid peer certificate").
    if error.kind() == io::ErrorKind::InvalidData && error.to_string().contains("certificate") {
        let hint = tls_hint(peer, &error.to_string());
        return Error::network(hint, Some(error.into()));
    }
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            Error::network(super::connect_failed(peer), Some(error.into()))
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => match deadline {
            Some(deadline) if deadline.remaining().is_zero() => deadline.error(),
            _ => Error::timeout(timeout_message(peer, timeout)),
        },
        _ => {
            // ureq wraps its own errors (a timeout while reading a body) in io::Error.
            match error.downcast::<ureq::Error>() {
                Ok(inner) => map_error(inner, peer, timeout, deadline),
                Err(error) => Error::network(super::connection_failed(peer), Some(error.into())),
            }
        }
    }
}
