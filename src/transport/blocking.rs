//! The blocking transport: one `ureq` agent, shared by every clone of the client.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::time::Duration;

use bytes::Bytes;
use ureq::config::RedirectAuthHeaders;
use ureq::http;

use super::{
    invalid_header, local_file_error, timeout_message, unreadable_file, FileWindow, HttpRequest,
    HttpResponse, Method, RequestBody, WindowCursor, CHUNK_SIZE, MAX_REDIRECTS, USER_AGENT,
};
use crate::core::error::Error;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    /// `User-Agent` and `Accept`, parsed once.
    common_headers: http::HeaderMap,
}

impl Transport {
    /// A transport whose connects and reads each wait at most `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Self, Error> {
        let config = ureq::Agent::config_builder()
            // The pipeline maps every status itself.
            .http_status_as_error(false)
            // An inactivity timeout: connecting, and each read or write, may take at most
            // this long. A whole-call deadline would cut off large transfers that are
            // still flowing, and makes ureq reset socket timeouts on every read.
            .timeout_connect(Some(timeout))
            .timeout_per_read(Some(timeout))
            .timeout_per_write(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            // Keep Authorization only for the same host and never on https → http.
            .redirect_auth_headers(RedirectAuthHeaders::SameHost)
            .build();
        let mut common_headers = http::HeaderMap::with_capacity(2);
        common_headers.insert("user-agent", http::HeaderValue::from_static(USER_AGENT));
        common_headers.insert("accept", http::HeaderValue::from_static("application/json"));
        Ok(Transport {
            agent: ureq::Agent::new_with_config(config),
            timeout,
            common_headers,
        })
    }

    pub(crate) fn send(
        &self,
        request: &HttpRequest<'_>,
    ) -> Result<HttpResponse<ResponseBody>, Error> {
        let method = match request.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        };
        let mut builder = http::Request::builder()
            .method(method)
            .uri(request.url.as_str());
        if let Some(headers) = builder.headers_mut() {
            headers.clone_from(&self.common_headers);
            for header in &request.headers {
                let mut value = http::HeaderValue::from_str(&header.value)
                    .map_err(|_| invalid_header(header.name))?;
                value.set_sensitive(header.sensitive);
                headers.insert(header.name, value);
            }
        }
        let read_timeout = request.answer_timeout.resolve(self.timeout);
        let response = match request.body {
            RequestBody::Empty => self.run(builder.body(()), read_timeout),
            RequestBody::Bytes(bytes) => self.run(builder.body(&bytes[..]), read_timeout),
            RequestBody::File(window) => {
                let (head, tail) = window.frame();
                let mut reader = (&head[..])
                    .chain(WindowReader::open(window)?)
                    .chain(&tail[..]);
                // A known length is sent as Content-Length instead of chunked.
                let builder = builder.header("content-length", window.body_len().to_string());
                let body = ureq::SendBody::from_reader(&mut reader);
                self.run(builder.body(body), read_timeout)
            }
            RequestBody::Reader(one_shot) => {
                let mut reader = one_shot.take()?;
                let builder = match one_shot.len {
                    Some(len) => builder.header("content-length", len.to_string()),
                    None => builder,
                };
                let body = ureq::SendBody::from_reader(&mut reader);
                self.run(builder.body(body), read_timeout)
            }
            #[cfg(feature = "async")]
            RequestBody::AsyncReader(_) => Err(Error::config(
                "an async reader cannot be sent by the blocking client",
            )),
        }?;
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
        let status = response.status().as_u16();
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            content_length,
            content_range,
            body: ResponseBody {
                reader: response.into_body().into_reader(),
                timeout: self.timeout,
            },
        })
    }

    fn run<B: ureq::AsSendBody>(
        &self,
        request: Result<http::Request<B>, http::Error>,
        read_timeout: Option<Duration>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let request =
            request.map_err(|e| Error::config(format!("could not build the HTTP request: {e}")))?;
        let request = if read_timeout == Some(self.timeout) {
            request
        } else {
            self.agent
                .configure_request(request)
                .timeout_per_read(read_timeout)
                .build()
        };
        self.agent
            .run(request)
            .map_err(|e| map_error(e, self.timeout))
    }

    pub(crate) fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// An answer's body, read as it arrives.
pub(crate) struct ResponseBody {
    reader: ureq::BodyReader<'static>,
    timeout: Duration,
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseBody")
    }
}

impl ResponseBody {
    /// Reads the whole body into memory (JSON answers and error bodies).
    pub(crate) fn read_all(mut self) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        self.reader
            .read_to_end(&mut body)
            .map_err(|e| map_io_error(e, self.timeout))?;
        Ok(body)
    }

    /// The next piece of the body, at most [`CHUNK_SIZE`] bytes; `None` at the end.
    pub(crate) fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let mut buffer = vec![0; CHUNK_SIZE];
        let n = self
            .reader
            .read(&mut buffer)
            .map_err(|e| map_io_error(e, self.timeout))?;
        if n == 0 {
            return Ok(None);
        }
        buffer.truncate(n);
        Ok(Some(Bytes::from(buffer)))
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

fn map_error(error: ureq::Error, timeout: Duration) -> Error {
    match error {
        ureq::Error::Timeout(_) => Error::timeout(timeout_message(timeout)),
        ureq::Error::Io(e) => map_io_error(e, timeout),
        ureq::Error::HostNotFound => {
            Error::network("could not resolve the API host", Some(error.into()))
        }
        ureq::Error::ConnectionFailed => {
            Error::network("could not connect to the API", Some(error.into()))
        }
        other => Error::network(format!("connection error: {other}"), Some(other.into())),
    }
}

fn map_io_error(error: io::Error, timeout: Duration) -> Error {
    if let Some(local) = local_file_error(&error) {
        return local;
    }
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            Error::timeout(timeout_message(timeout))
        }
        _ => {
            // ureq wraps its own errors (a timeout while reading a body) in io::Error.
            match error.downcast::<ureq::Error>() {
                Ok(inner) => map_error(inner, timeout),
                Err(error) => {
                    Error::network(format!("connection error: {error}"), Some(error.into()))
                }
            }
        }
    }
}
