//! The blocking transport: one `ureq` agent, shared by every clone of the client.

use std::fs::File;
use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use ureq::config::RedirectAuthHeaders;
use ureq::http;

use super::{
    invalid_header, timeout_message, unreadable_file, HttpRequest, HttpResponse, Method,
    RequestBody, SentBytes, TransportOptions, CHUNK_SIZE, MAX_REDIRECTS,
};
use crate::core::error::Error;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    /// Parsed once; cloning a `HeaderValue` only bumps a reference count.
    common_headers: http::HeaderMap,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        let config = ureq::Agent::config_builder()
            // The pipeline maps every status itself.
            .http_status_as_error(false)
            // An inactivity timeout: connecting, and each read or write, may take at most
            // this long. A whole-call deadline would cut off large transfers that are
            // still flowing, and makes ureq reset socket timeouts on every read.
            .timeout_connect(Some(options.timeout))
            .timeout_per_read(Some(options.timeout))
            .timeout_per_write(Some(options.timeout))
            .max_redirects(MAX_REDIRECTS)
            // Keep Authorization only for the same host and never on https → http.
            .redirect_auth_headers(RedirectAuthHeaders::SameHost)
            .build();
        Ok(Transport {
            agent: ureq::Agent::new_with_config(config),
            timeout: options.timeout,
            common_headers: header_map(&options.common_headers)?,
        })
    }

    pub(crate) fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
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
            for (name, value) in &request.headers {
                let value = http::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
                headers.insert(*name, value);
            }
        }
        let read_timeout = request.answer_timeout.resolve(self.timeout);
        let result = match &request.body {
            RequestBody::Empty => self.run(builder.body(()), read_timeout),
            RequestBody::Bytes(bytes) => self.run(builder.body(&bytes[..]), read_timeout),
            RequestBody::File { path, len, sent } => {
                let file = File::open(path).map_err(|e| unreadable_file(path, e))?;
                let reader = CountingReader {
                    inner: file,
                    sent: sent.clone(),
                    done: 0,
                };
                // A known length is sent as Content-Length instead of chunked.
                let builder = builder.header("content-length", len.to_string());
                let body = ureq::SendBody::from_owned_reader(reader);
                self.run(builder.body(body), read_timeout)
            }
        };
        let response = result?;
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
        let status = response.status().as_u16();
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            content_length,
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

/// Reports how many bytes of a file body have been handed to the connection.
struct CountingReader {
    inner: File,
    sent: Option<SentBytes>,
    done: u64,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if let Some(sent) = &self.sent {
            if let Ok(mut sent) = sent.lock() {
                sent(self.done);
            }
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

fn map_io_error(error: std::io::Error, timeout: Duration) -> Error {
    match error.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
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

/// Parses the common headers; the authorization value is marked sensitive so that
/// nothing below us prints it.
fn header_map(headers: &[(&'static str, String)]) -> Result<http::HeaderMap, Error> {
    let mut map = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let mut value = http::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
        value.set_sensitive(*name == "authorization");
        map.insert(*name, value);
    }
    Ok(map)
}
