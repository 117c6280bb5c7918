//! The async transport: one `reqwest` client on tokio, shared by every clone.
//!
//! reqwest is the async client most Rust services already depend on; it runs on the
//! tokio runtime the caller already has, pools connections and is `Send + Sync`.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect;
use tokio::io::AsyncReadExt;

use super::{
    invalid_header, timeout_message, unreadable_file, AnswerTimeout, HttpRequest, HttpResponse,
    Method, RequestBody, TransportOptions, CHUNK_SIZE, MAX_REDIRECTS,
};
use crate::core::error::Error;

/// Sends requests over a pooled `reqwest` client.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        // reqwest drops Authorization itself when a redirect changes host or port; this
        // policy also refuses https → http downgrades and bounds the chain.
        let policy = redirect::Policy::custom(|attempt| {
            let downgrade = attempt.url().scheme() == "http"
                && attempt
                    .previous()
                    .last()
                    .is_some_and(|previous| previous.scheme() == "https");
            if downgrade || attempt.previous().len() > MAX_REDIRECTS as usize {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut common_headers = HeaderMap::new();
        for (name, value) in &options.common_headers {
            let mut value = HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
            value.set_sensitive(*name == "authorization");
            common_headers.insert(*name, value);
        }
        // Timeouts are inactivity timeouts, as in the blocking build: connecting, the
        // wait for an answer and each wait for more of its body are bounded separately
        // (see `send` and `ResponseBody::chunk`), so a long transfer that keeps flowing
        // is never cut off.
        let client = reqwest::Client::builder()
            // Sent on every request; a request's own header of the same name wins.
            .default_headers(common_headers)
            .connect_timeout(options.timeout)
            .redirect(policy)
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            timeout: options.timeout,
        })
    }

    pub(crate) async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, request.url.as_str());
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
            builder = builder.header(*name, value);
        }
        let mut answer_timeout = request.answer_timeout.resolve(self.timeout);
        match &request.body {
            RequestBody::Empty => {}
            RequestBody::Bytes(bytes) => builder = builder.body(bytes.clone()),
            RequestBody::File { path, len, sent } => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| unreadable_file(path, e))?;
                let path = path.clone();
                let sent = sent.clone();
                let chunks = futures_util::stream::unfold((file, 0u64), move |(mut file, done)| {
                    let (path, sent) = (path.clone(), sent.clone());
                    async move {
                        let mut buffer = vec![0; CHUNK_SIZE];
                        match file.read(&mut buffer).await {
                            Ok(0) => None,
                            Ok(n) => {
                                buffer.truncate(n);
                                let done = done + n as u64;
                                if let Some(sent) = &sent {
                                    if let Ok(mut sent) = sent.lock() {
                                        sent(done);
                                    }
                                }
                                Some((Ok(Bytes::from(buffer)), (file, done)))
                            }
                            Err(e) => Some((Err(unreadable_file(&path, e)), (file, done))),
                        }
                    }
                });
                builder = builder
                    .header("content-length", len.to_string())
                    .body(reqwest::Body::wrap_stream(chunks));
                // The upload happens inside `send`; hyper has no write timeout to
                // bound a stalled upload by, so the wait is not bounded in total.
                answer_timeout = None;
            }
        }
        let sending = builder.send();
        let response = match answer_timeout {
            Some(limit) => tokio::time::timeout(limit, sending)
                .await
                .map_err(|_| Error::timeout(timeout_message(limit)))?,
            None => sending.await,
        }
        .map_err(|e| map_error(e, self.timeout))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            content_length: response.content_length(),
            body: ResponseBody {
                response,
                timeout: match request.answer_timeout {
                    AnswerTimeout::Unbounded => None,
                    _ => Some(self.timeout),
                },
            },
        })
    }

    pub(crate) async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// An answer's body, read as it arrives.
#[derive(Debug)]
pub(crate) struct ResponseBody {
    response: reqwest::Response,
    /// How long to wait for each next piece; `None` for streams that may idle.
    timeout: Option<Duration>,
}

impl ResponseBody {
    /// Reads the whole body into memory (JSON answers and error bodies).
    pub(crate) async fn read_all(mut self) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The next piece of the body; `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let next = self.response.chunk();
        let chunk = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, next)
                .await
                .map_err(|_| Error::timeout(timeout_message(limit)))?,
            None => next.await,
        };
        chunk.map_err(|e| map_error(e, self.timeout.unwrap_or_default()))
    }
}

fn map_error(error: reqwest::Error, timeout: Duration) -> Error {
    if error.is_timeout() {
        Error::timeout(timeout_message(timeout))
    } else if error.is_connect() {
        Error::network("could not connect to the API", Some(error.into()))
    } else if error.is_builder() {
        Error::config(format!("could not build the HTTP request: {error}"))
    } else {
        Error::network(format!("connection error: {error}"), Some(error.into()))
    }
}
