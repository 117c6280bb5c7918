//! The HTTP transport: the only module that names an HTTP crate.
//!
//! The blocking build sends requests with a `ureq` agent ([`blocking`]); the `async`
//! feature swaps in a `reqwest` client on tokio ([`asynchronous`]). Both expose the same
//! `Transport` (`send`, `sleep`) and `ResponseBody` (`read_all`, `chunk`), so the
//! client's request pipeline is written once and `maybe-async` only adds or removes
//! `.await`.
//!
//! Both keep one connection pool for the life of the client, stream file bodies both
//! ways in fixed-size pieces, never follow a redirect to another host (or from https to
//! http) with the `Authorization` header, and map connection failures and timeouts to
//! [`Error::Network`](crate::Error::Network) and [`Error::Timeout`](crate::Error::Timeout).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::core::error::Error;

#[cfg(not(any(feature = "blocking", feature = "async")))]
compile_error!("podstack needs the `blocking` (default) or the `async` feature");

#[cfg(not(feature = "async"))]
mod blocking;
#[cfg(not(feature = "async"))]
pub(crate) use blocking::{ResponseBody, Transport};

#[cfg(feature = "async")]
mod asynchronous;
#[cfg(feature = "async")]
pub(crate) use asynchronous::{ResponseBody, Transport};

/// How many redirects are followed (to the same host only keeping the token).
const MAX_REDIRECTS: u32 = 5;

/// The size of the pieces file bodies are read and written in.
pub(crate) const CHUNK_SIZE: usize = 64 * 1024;

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Called with the number of body bytes sent so far.
pub(crate) type SentBytes = Arc<Mutex<dyn FnMut(u64) + Send>>;

/// A request body.
#[derive(Clone, Default)]
pub(crate) enum RequestBody {
    #[default]
    Empty,
    /// In memory; `Bytes` so that a retry resends it without copying.
    Bytes(Bytes),
    /// Streamed from a file, opened anew for each attempt.
    File {
        path: PathBuf,
        len: u64,
        sent: Option<SentBytes>,
    },
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("Empty"),
            RequestBody::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            RequestBody::File { path, len, .. } => {
                write!(f, "File({}, {len} bytes)", path.display())
            }
        }
    }
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

/// One HTTP request, fully prepared by the client's pipeline.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub method: Method,
    pub url: String,
    /// This call's own headers; they replace common headers of the same name.
    pub headers: Vec<(&'static str, String)>,
    pub body: RequestBody,
    pub answer_timeout: AnswerTimeout,
}

/// An HTTP answer whose body has not been read yet.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub content_length: Option<u64>,
    pub body: ResponseBody,
}

/// Settings the transport is built with.
pub(crate) struct TransportOptions {
    /// How long connecting, or waiting for the next bytes, may take.
    pub timeout: Duration,
    /// Headers sent on every request; a request's own header of the same name wins.
    pub common_headers: Vec<(&'static str, String)>,
}

impl AnswerTimeout {
    /// The wait this stands for, given the client's timeout; `None` is unbounded.
    fn resolve(self, timeout: Duration) -> Option<Duration> {
        match self {
            AnswerTimeout::Default => Some(timeout),
            AnswerTimeout::Extended(work) => Some(work.saturating_add(timeout)),
            AnswerTimeout::Unbounded => None,
        }
    }
}

/// The error for a header value that cannot be sent (a control character in a token
/// or project id). Names the header, never its value: it may be the token.
fn invalid_header(name: &str) -> Error {
    Error::config(format!(
        "the {name} header value contains characters that cannot be sent in HTTP"
    ))
}

/// The error for a file body that cannot be read.
fn unreadable_file(path: &std::path::Path, error: std::io::Error) -> Error {
    Error::io(format!("could not read {}", path.display()), error)
}

/// The message of a timeout error.
fn timeout_message(timeout: Duration) -> String {
    format!("the request timed out after {timeout:?}")
}
