//! The async transport: one `reqwest` client on tokio, shared by every clone.
//!
//! reqwest is the async client most Rust services already depend on; it runs on the
//! tokio runtime the caller already has, pools connections and is `Send + Sync`.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{
    invalid_header, local_file_error, timeout_message, unreadable_file, AnswerTimeout, FileWindow,
    HttpRequest, HttpResponse, Method, RequestBody, WindowCursor, CHUNK_SIZE, MAX_REDIRECTS,
    USER_AGENT,
};
use crate::core::error::Error;

/// Sends requests over a pooled `reqwest` client.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    /// A transport whose connects, waits for an answer and reads of a body each wait at
    /// most `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Self, Error> {
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
        let mut common_headers = HeaderMap::with_capacity(2);
        common_headers.insert("user-agent", HeaderValue::from_static(USER_AGENT));
        common_headers.insert("accept", HeaderValue::from_static("application/json"));
        // Timeouts are inactivity timeouts, as in the blocking client: connecting, the
        // wait for an answer and each wait for more of its body are bounded separately
        // (see `send` and `ResponseBody::chunk`), so a long transfer that keeps flowing
        // is never cut off.
        let client = reqwest::Client::builder()
            .default_headers(common_headers)
            .connect_timeout(timeout)
            .redirect(policy)
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(Transport { client, timeout })
    }

    pub(crate) async fn send(
        &self,
        request: &HttpRequest<'_>,
    ) -> Result<HttpResponse<ResponseBody>, Error> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, request.url.as_str());
        for header in &request.headers {
            let mut value =
                HeaderValue::from_str(&header.value).map_err(|_| invalid_header(header.name))?;
            value.set_sensitive(header.sensitive);
            builder = builder.header(header.name, value);
        }
        let mut answer_timeout = request.answer_timeout.resolve(self.timeout);
        match request.body {
            RequestBody::Empty => {}
            RequestBody::Bytes(bytes) => builder = builder.body(bytes.clone()),
            RequestBody::File(window) => {
                let (head, tail) = window.frame();
                let chunks = stream::iter([Ok(head)])
                    .chain(window_stream(window).await?)
                    .chain(stream::iter([Ok(tail)]))
                    .try_filter(|piece| std::future::ready(!piece.is_empty()));
                builder = builder
                    .header("content-length", window.body_len().to_string())
                    .body(reqwest::Body::wrap_stream(chunks));
                // The upload happens inside `send`; hyper has no write timeout to
                // bound a stalled upload by, so the wait is not bounded in total.
                answer_timeout = None;
            }
            RequestBody::AsyncReader(one_shot) => {
                let reader = one_shot.take()?;
                if let Some(len) = one_shot.len {
                    builder = builder.header("content-length", len.to_string());
                }
                builder = builder.body(reqwest::Body::wrap_stream(reader_stream(reader)));
                answer_timeout = None;
            }
            #[cfg(feature = "blocking")]
            RequestBody::Reader(_) => {
                return Err(Error::config(
                    "a blocking reader cannot be sent by the async client",
                ))
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
        let content_range = header("content-range");
        let status = response.status().as_u16();
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            content_length: response.content_length(),
            content_range,
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
    // The URL may be a presigned one whose query is its signature: never repeat it.
    let error = error.without_url();
    if let Some(local) = local_file_error(&error) {
        local
    } else if error.is_timeout() {
        Error::timeout(timeout_message(timeout))
    } else if error.is_connect() {
        Error::network("could not connect to the API", Some(error.into()))
    } else if error.is_builder() {
        Error::config(format!("could not build the HTTP request: {error}"))
    } else {
        Error::network(format!("connection error: {error}"), Some(error.into()))
    }
}
