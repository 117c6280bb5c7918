//! The HTTP transport: the only module that names an HTTP crate.
//!
//! The blocking build sends requests with a `ureq` agent ([`blocking`]); the `async`
//! feature swaps in a `reqwest` client on tokio ([`asynchronous`]). Both expose the same
//! [`Transport`] with `send` and `sleep`, so the client's request pipeline is written
//! once and `maybe-async` only adds or removes `.await`.
//!
//! Both keep one connection pool for the life of the client, never follow a redirect
//! to another host (or from https to http) with the `Authorization` header, and map
//! connection failures and timeouts to [`Error::Network`](crate::Error::Network) and
//! [`Error::Timeout`](crate::Error::Timeout).

use std::time::Duration;

use bytes::Bytes;

#[cfg(not(feature = "async"))]
mod blocking;
#[cfg(not(feature = "async"))]
pub(crate) use blocking::Transport;

#[cfg(feature = "async")]
mod asynchronous;
#[cfg(feature = "async")]
pub(crate) use asynchronous::Transport;

/// How many redirects are followed (to the same host only keeping the token).
const MAX_REDIRECTS: u32 = 5;

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// One HTTP request, fully prepared by the client's pipeline.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    /// The body; `Bytes` so that a retry resends it without copying.
    pub body: Option<Bytes>,
}

/// The parts of an HTTP answer the pipeline uses.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Settings the transport is built with.
pub(crate) struct TransportOptions {
    /// How long connecting, or waiting for the next bytes, may take.
    pub timeout: Duration,
    /// Headers sent on every request; a request's own header of the same name wins.
    pub common_headers: Vec<(&'static str, String)>,
}

/// The error for a header value that cannot be sent (a control character in a token
/// or project id). Names the header, never its value: it may be the token.
fn invalid_header(name: &str) -> crate::core::error::Error {
    crate::core::error::Error::config(format!(
        "the {name} header value contains characters that cannot be sent in HTTP"
    ))
}

/// The message of a timeout error.
fn timeout_message(timeout: Duration) -> String {
    format!("the request timed out after {timeout:?}")
}
