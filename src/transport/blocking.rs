//! The blocking transport: one `ureq` agent, shared by every clone of the client.
//!
//! # The token never reaches ureq
//!
//! ureq's protocol layer (`ureq_proto`) logs every byte it writes and reads at `trace`
//! level through the `log` crate, in 16-byte hex rows, and that logging cannot be turned
//! off by a Cargo feature. A program that enables trace logging for a bug report would
//! hand out the token. So ureq is never given it: the `Authorization` header carries a
//! random stand-in of the same length, and [`shield`]'s connector, the last link of the
//! connector chain (after TCP and TLS set up, before any HTTP byte is written), puts the
//! token in place of the stand-in only as the bytes go to the socket (or into TLS).
//! Going the other way, it replaces the token with the stand-in in what the server sends
//! before ureq parses (and logs) it, so a server that echoes the token cannot put it in
//! the log either; the pipeline redacts the stand-in like the token, and a streamed
//! download gets the token's bytes back.
//!
//! # Redirects
//!
//! ureq's own redirect handling compares hosts only; it is switched off and
//! [`Transport::send`] follows redirects itself, comparing origins.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ureq::http;
use ureq::unversioned::transport::Connector;

use super::{
    invalid_header, local_file_error, origin, protocol_error, resolve_location, timeout_message,
    tls_hint, too_many_redirects, unreadable_file, Deadline, FileWindow, HttpRequest, HttpResponse,
    Method, RequestBody, WindowCursor, CHUNK_SIZE, MAX_REDIRECTS, USER_AGENT,
};
use crate::core::error::Error;
use crate::core::limits::TransportOptions;
use crate::core::proxy::ProxyRules;

#[path = "shield.rs"]
mod shield;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    /// `User-Agent` and `Accept`, parsed once.
    common_headers: http::HeaderMap,
    proxies: Arc<Proxies>,
    /// The token and its stand-in.
    secret: Arc<shield::Secret>,
}

/// The proxy rule and the ureq proxies it names, built once.
#[derive(Debug)]
struct Proxies {
    rules: ProxyRules,
    built: Vec<(String, ureq::Proxy)>,
}

impl Proxies {
    fn for_url(&self, url: &str) -> Option<ureq::Proxy> {
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
            // Redirects are followed by `send`, which compares origins.
            .max_redirects(0)
            // The proxy is chosen per request by the shared rule.
            .proxy(None)
            .tls_config(tls_config(options)?)
            .build();
        let secret = Arc::new(shield::Secret::new(&options.token));
        let connector = ureq::unversioned::transport::DefaultConnector::new()
            .chain(shield::ShieldConnector::new(secret.clone()));
        let agent = ureq::Agent::with_parts(
            config,
            connector,
            ureq::unversioned::resolver::DefaultResolver::default(),
        );
        let mut common_headers = http::HeaderMap::with_capacity(2);
        common_headers.insert("user-agent", http::HeaderValue::from_static(USER_AGENT));
        common_headers.insert("accept", http::HeaderValue::from_static("application/json"));
        Ok(Transport {
            agent,
            timeout,
            common_headers,
            proxies: Arc::new(Proxies {
                rules: options.proxy.clone(),
                built,
            }),
            secret,
        })
    }

    /// The stand-in that replaces the token wherever ureq could see it.
    pub(crate) fn stand_in(&self) -> Option<&str> {
        self.secret.stand_in()
    }

    /// Sends `request`, following redirects (at most [`MAX_REDIRECTS`]): the token goes
    /// only to the request's own origin, never from https to http, and a body is sent
    /// again only when it can be (`307`/`308` with a one-shot reader stop at the
    /// redirect, which the pipeline then maps by its status).
    pub(crate) fn send(
        &self,
        request: &HttpRequest<'_>,
        deadline: Option<Deadline>,
    ) -> Result<HttpResponse<ResponseBody>, Error> {
        let first_origin = origin(&request.url);
        let mut url = request.url.clone();
        let mut method = request.method;
        let mut with_body = true;
        let mut redirects = 0;
        loop {
            let same_origin = first_origin.is_some() && origin(&url) == first_origin;
            let response =
                self.send_once(request, &url, method, with_body, same_origin, deadline)?;
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let next = match (status.as_u16(), location) {
                (301 | 302 | 303 | 307 | 308, Some(location)) => resolve_location(&url, &location),
                _ => None,
            };
            let Some(next) = next else {
                return Ok(self.answer(response, deadline));
            };
            let downgrade = url.starts_with("https:") && next.starts_with("http:");
            let keeps_body = matches!(status.as_u16(), 307 | 308);
            let body_lost = keeps_body && with_body && !request.body.replayable();
            if downgrade || body_lost {
                return Ok(self.answer(response, deadline));
            }
            if redirects == MAX_REDIRECTS {
                return Err(too_many_redirects());
            }
            redirects += 1;
            if !keeps_body && (status.as_u16() == 303 || method == Method::Post) {
                method = Method::Get;
                with_body = false;
            }
            log::debug!("following a {} redirect", status.as_u16());
            url = next;
        }
    }

    /// One request, no redirects followed.
    fn send_once(
        &self,
        request: &HttpRequest<'_>,
        url: &str,
        method: Method,
        with_body: bool,
        same_origin: bool,
        deadline: Option<Deadline>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let http_method = match method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        };
        let mut builder = http::Request::builder().method(http_method).uri(url);
        if let Some(headers) = builder.headers_mut() {
            headers.clone_from(&self.common_headers);
            for header in &request.headers {
                if header.sensitive && !same_origin {
                    continue;
                }
                if !with_body && header.name == "content-type" {
                    continue;
                }
                let value = if header.sensitive {
                    self.secret.hide(&header.value)
                } else {
                    header.value.clone()
                };
                let mut value =
                    http::HeaderValue::from_str(&value).map_err(|_| invalid_header(header.name))?;
                value.set_sensitive(header.sensitive);
                headers.insert(header.name, value);
            }
        }
        let read_timeout = request.answer_timeout.resolve(self.timeout);
        if !with_body {
            return self.run(builder.body(()), url, read_timeout, deadline);
        }
        match request.body {
            RequestBody::Empty => self.run(builder.body(()), url, read_timeout, deadline),
            RequestBody::Bytes(bytes) => {
                self.run(builder.body(&bytes[..]), url, read_timeout, deadline)
            }
            RequestBody::File(window) => {
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
            RequestBody::Reader(one_shot) => {
                let mut reader = one_shot.take()?;
                let builder = match one_shot.len {
                    Some(len) => builder.header("content-length", len.to_string()),
                    None => builder,
                };
                self.run(
                    builder.body(ureq::SendBody::from_reader(&mut reader)),
                    url,
                    read_timeout,
                    deadline,
                )
            }
            #[cfg(feature = "async")]
            RequestBody::AsyncReader(_) => Err(Error::config(
                "an async reader cannot be sent by the blocking client",
            )),
        }
    }

    /// The answer, its body unread.
    fn answer(
        &self,
        response: http::Response<ureq::Body>,
        deadline: Option<Deadline>,
    ) -> HttpResponse<ResponseBody> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let content_length = header("content-length").and_then(|v| v.parse().ok());
        let content_range = header("content-range");
        let etag = header("etag");
        let status = response.status().as_u16();
        HttpResponse {
            status,
            request_id,
            retry_after,
            content_length,
            content_range,
            etag,
            body: ResponseBody {
                reader: response.into_body().into_reader(),
                timeout: self.timeout,
                deadline,
                restore: shield::Restore::new(self.secret.clone()),
            },
        }
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
        let request = self
            .agent
            .configure_request(request)
            .timeout_per_read(read_timeout)
            .timeout_global(deadline.map(|d| d.remaining()))
            .proxy(self.proxies.for_url(url))
            .build();
        self.agent
            .run(request)
            .map_err(|e| map_error(e, self.timeout, deadline))
    }

    pub(crate) fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
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
    timeout: Duration,
    deadline: Option<Deadline>,
    /// Gives a streamed download the token's bytes back (see [`shield`]).
    restore: shield::Restore,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseBody")
    }
}

impl ResponseBody {
    /// Reads at most `cap` bytes of the body into memory (JSON answers and error
    /// bodies); the flag says whether that was all of it. The rest is left unread.
    pub(crate) fn read_capped(self, cap: u64) -> Result<(Vec<u8>, bool), Error> {
        let mut body = Vec::new();
        let (timeout, deadline) = (self.timeout, self.deadline);
        let mut limited = self.reader.take(cap.saturating_add(1));
        limited
            .read_to_end(&mut body)
            .map_err(|e| map_io_error(e, timeout, deadline))?;
        let whole = body.len() as u64 <= cap;
        body.truncate(usize::try_from(cap).unwrap_or(usize::MAX).min(body.len()));
        Ok((body, whole))
    }

    /// The next piece of the body, at most [`CHUNK_SIZE`] bytes; `None` at the end.
    pub(crate) fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let mut buffer = vec![0; CHUNK_SIZE];
            let n = self
                .reader
                .read(&mut buffer)
                .map_err(|e| map_io_error(e, self.timeout, self.deadline))?;
            buffer.truncate(n);
            match self.restore.next(buffer) {
                shield::Restored::Piece(piece) => return Ok(Some(Bytes::from(piece))),
                shield::Restored::End => return Ok(None),
                shield::Restored::NeedMore => continue,
            }
        }
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

fn map_error(error: ureq::Error, timeout: Duration, deadline: Option<Deadline>) -> Error {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Global) => match deadline {
            Some(deadline) => deadline.error(),
            None => Error::timeout(timeout_message(timeout)),
        },
        ureq::Error::Timeout(_) => Error::timeout(timeout_message(timeout)),
        ureq::Error::Io(e) => map_io_error(e, timeout, deadline),
        ureq::Error::HostNotFound => Error::network(
            "could not resolve the server's host name",
            Some(error.into()),
        ),
        ureq::Error::ConnectionFailed => Error::network(super::CONNECT_FAILED, Some(error.into())),
        // The server broke HTTP: it will do so again, so this is not retried.
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BodyExceedsLimit(_)
        | ureq::Error::RedirectFailed => protocol_error(&error),
        ureq::Error::TooManyRedirects => super::too_many_redirects(),
        ureq::Error::Rustls(ref e) => Error::network(tls_hint(&e.to_string()), Some(error.into())),
        ureq::Error::Tls(detail) => Error::network(tls_hint(detail), Some(error.into())),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            Error::network("could not connect through the proxy", Some(error.into()))
        }
        other => Error::network("the connection failed", Some(other.into())),
    }
}

fn map_io_error(error: io::Error, timeout: Duration, deadline: Option<Deadline>) -> Error {
    if let Some(local) = local_file_error(&error) {
        return local;
    }
    // rustls reports a refused certificate as invalid data ("invalid peer certificate").
    if error.kind() == io::ErrorKind::InvalidData && error.to_string().contains("certificate") {
        let hint = tls_hint(&error.to_string());
        return Error::network(hint, Some(error.into()));
    }
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            Error::network(super::CONNECT_FAILED, Some(error.into()))
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => match deadline {
            Some(deadline) if deadline.remaining().is_zero() => deadline.error(),
            _ => Error::timeout(timeout_message(timeout)),
        },
        _ => {
            // ureq wraps its own errors (a timeout while reading a body) in io::Error.
            match error.downcast::<ureq::Error>() {
                Ok(inner) => map_error(inner, timeout, deadline),
                Err(error) => Error::network("the connection failed", Some(error.into())),
            }
        }
    }
}
