//! Errors: [`Error`] and what it carries.
//!
//! Every call returns [`Result<T, Error>`](Result). Each [`Error`] carries an
//! [`ErrorContext`] (message, API code, request id, HTTP status); `str::parse` of a
//! closed set of names fails with a [`ParseEnumError`], which converts into an
//! [`Error::Config`].

// Inside: `context` holds `ErrorContext`, `from_answer` maps an HTTP answer to an
// `Error`, `parse_enum` holds `ParseEnumError`, `redact` keeps the token out of errors
// and log lines (the pipeline uses it too), and `table` checks the README's error table
// against the enum below (it parses this file). It imports nothing else of the crate,
// so every other module may import it.

mod context;
mod from_answer;
mod parse_enum;
pub(crate) mod redact;
#[cfg(test)]
mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::redact::{RedactedSource, Redactor};

pub use context::ErrorContext;
pub(crate) use from_answer::{from_response, ErrorResponse};
pub use parse_enum::ParseEnumError;

/// A boxed error from a lower layer (the transport or the file system).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A lower layer's error, shared so that [`Error`] can be `Clone` and keep its source.
type SharedError = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in a call to the Podstack API.
///
/// Every variant carries an [`ErrorContext`] with the message, the API error code, the
/// request id and the HTTP status where there was one; the same values are reachable
/// directly with [`Error::message`], [`Error::code`], [`Error::request_id`] and
/// [`Error::status_code`]. Variants that the API documents with extra details carry
/// them as fields. [`Error::is_transient`] tells the failures worth retrying later
/// (server errors, rate limits, network failures, timeouts) from the others: an answer
/// over the size bound ([`Error::TooLarge`]) or data that is not what was promised
/// ([`Error::Integrity`]) comes back the same on a retry.
///
/// `Display` shows the message, then the HTTP status and request id when there were
/// any; it never repeats the lower layer's error, which
/// [`source()`](std::error::Error::source) returns (a network, file or JSON error). The
/// alternate form, `{:#}`, adds the sources on the same line, for a log line that says
/// everything:
///
/// ```
/// # fn show(error: &podstack::Error) {
/// eprintln!("{error}"); // could not connect to api.custom.podstack.ai:443: check the endpoint and the network
/// eprintln!("{error:#}"); // … and the network: Connection refused (os error 111)
/// # }
/// ```
///
/// `Error` is `Clone` (its sources are shared), `Send`, `Sync` and `'static`.
///
/// ```
/// use podstack::Error;
///
/// fn explain(error: &Error) -> String {
///     match error {
///         Error::InsufficientBalance { .. } => format!(
///             "top up: ${:.2} needed, ${:.2} available",
///             error.required_dollars().unwrap_or(0.0),
///             error.available_dollars().unwrap_or(0.0)
///         ),
///         Error::RateLimit { retry_after, .. } => format!("slow down, retry after {retry_after:?}"),
///         other => format!("{other} (request id {:?})", other.request_id()),
///     }
/// }
/// # let _ = explain;
/// ```
// `Display` and `source()` are written by hand below, not derived with `thiserror`
// (which `ParseEnumError` uses): thiserror's `source()` would return the `Arc` a source
// is shared in rather than the lower error itself, so `downcast_ref::<std::io::Error>()`
// on it would fail; and a thiserror format string cannot read the formatter's `{:#}`
// flag, which adds the sources.
#[derive(Clone, Debug)]
#[non_exhaustive]
#[doc(alias = "PodstackError")]
pub enum Error {
    #[doc(alias = "AuthenticationError")]
    /// No token was found, or the API rejected it (HTTP 401: invalid or expired token).
    #[non_exhaustive]
    Authentication {
        /// Message, code, request id and status.
        context: ErrorContext,
    },
    #[doc(alias = "PermissionError")]
    /// The token may not touch this resource or project (HTTP 403).
    #[non_exhaustive]
    Permission {
        /// Message, code, request id and status.
        context: ErrorContext,
    },
    #[doc(alias = "ResourceNotFoundError")]
    /// The resource does not exist (HTTP 404).
    #[non_exhaustive]
    NotFound {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// What kind of resource was missing (`"pod"`, `"project"`, ...), when the API said.
        resource_type: Option<String>,
        /// The id that was looked up, when the API said.
        resource_id: Option<String>,
    },
    #[doc(alias = "ValidationError")]
    /// The request's parameters were rejected (HTTP 400 or 422).
    #[non_exhaustive]
    Validation {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// For each rejected field, the reasons.
        field_errors: BTreeMap<String, Vec<String>>,
    },
    #[doc(alias = "InsufficientBalanceError")]
    /// The wallet cannot pay for what was asked (HTTP 402).
    #[non_exhaustive]
    InsufficientBalance {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// What the operation needs, in cents, when the API said;
        /// [`Error::required_dollars`] gives it in dollars.
        required_cents: Option<i64>,
        /// What the wallet holds, in cents, when the API said;
        /// [`Error::available_dollars`] gives it in dollars.
        available_cents: Option<i64>,
    },
    #[doc(alias = "QuotaExceededError")]
    /// A resource quota is used up (HTTP 403 or 429 with code `quota_exceeded`).
    #[non_exhaustive]
    QuotaExceeded {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// Which quota (`"pods"`, `"gpus"`, ...).
        resource_type: Option<String>,
        /// The quota's limit.
        limit: Option<u64>,
        /// How much is in use now.
        current: Option<u64>,
    },
    #[doc(alias = "RateLimitError")]
    /// Too many requests (HTTP 429 with code `rate_limited`).
    #[non_exhaustive]
    RateLimit {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// How long the server asked to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// The resource is in the wrong state for the operation (HTTP 409).
    #[non_exhaustive]
    Conflict {
        /// Message, code, request id and status.
        context: ErrorContext,
        /// The state the resource was in, when the API said.
        current_state: Option<String>,
    },
    #[doc(alias = "ServerError")]
    /// The server failed (HTTP 5xx). Quote the request id to support.
    #[non_exhaustive]
    Server {
        /// Message, code, request id and status.
        context: ErrorContext,
    },
    /// Any other unexpected HTTP status (for example a redirect that was not followed).
    #[non_exhaustive]
    Api {
        /// Message, code, request id and status.
        context: ErrorContext,
    },
    #[doc(alias = "NetworkError")]
    /// The connection could not be made, or broke.
    #[non_exhaustive]
    Network {
        /// Message (and nothing else: no answer came back).
        context: ErrorContext,
        /// The underlying I/O or TLS error (shared, so that the error can be cloned).
        source: Option<SharedError>,
    },
    /// The request took longer than the configured timeout.
    #[non_exhaustive]
    Timeout {
        /// Message saying what timed out and after how long.
        context: ErrorContext,
    },
    /// The configuration is unusable: a named profile that does not exist, an
    /// unreadable or malformed credentials file, an invalid endpoint.
    #[non_exhaustive]
    Config {
        /// Message naming the file or value at fault.
        context: ErrorContext,
    },
    /// A local file could not be read or written: an upload's source, a download's
    /// destination.
    #[non_exhaustive]
    Io {
        /// Message naming the file and what was done to it; why it failed is the `source`.
        context: ErrorContext,
        /// The I/O error (shared, so that the error can be cloned).
        source: Arc<std::io::Error>,
    },
    /// A resource reached a state the call cannot continue from, such as a pod that
    /// `failed` while [`wait_until_running`](crate::Pods::wait_until_running) waited.
    #[non_exhaustive]
    UnexpectedState {
        /// Message naming the resource and its state.
        context: ErrorContext,
        /// The resource's id.
        resource_id: String,
        /// The state it reached.
        state: String,
    },
    /// A successful answer whose body could not be decoded. (An answer over the size
    /// bound is an [`Error::TooLarge`].)
    #[non_exhaustive]
    Decode {
        /// Message naming the request, with a body excerpt; what was wrong is the
        /// `source` (and shows with `{:#}`).
        context: ErrorContext,
        /// The request's method, e.g. `GET`.
        method: String,
        /// The request's path, e.g. `/v1/auth/whoami` (a URL without its query for a
        /// presigned URL).
        path: String,
        /// The start of the body that failed to decode.
        excerpt: String,
        /// The JSON error (shared, so that the error can be cloned).
        source: Arc<serde_json::Error>,
    },
    /// An answer larger than the client reads into memory
    /// ([`max_response_body`](crate::ClientBuilder::max_response_body)). Not retried: the
    /// same answer would come back.
    #[non_exhaustive]
    TooLarge {
        /// Message naming the request, the limit, the setting that raises it and the
        /// calls that would stream the answer instead. It quotes none of the answer,
        /// which may be an object's private bytes.
        context: ErrorContext,
        /// The bound that was passed, in bytes.
        limit: u64,
    },
    /// Data that is not what was promised: an object that changed during a download
    /// (its ETag or length no longer the ones the download started with), or a range
    /// answer that is not the range asked for. Nothing is written under the target's
    /// name. Not transient: download it again from the start.
    #[non_exhaustive]
    Integrity {
        /// Message naming the object and what did not match.
        context: ErrorContext,
    },
    /// The SDK reached a state it should never reach: a bug to report, with the message.
    #[non_exhaustive]
    Internal {
        /// Message naming what went wrong inside.
        context: ErrorContext,
    },
}

/// `$body` with `$context` bound to the context of whichever variant `$error` is: the
/// one list of the variants that [`Error::context`] and [`Error::context_mut`] share.
/// It has no wildcard arm, so a new variant does not compile until it is named here.
macro_rules! with_context {
    ($error:expr, $context:ident => $body:expr) => {
        match $error {
            Error::Authentication {
                context: $context, ..
            }
            | Error::Permission {
                context: $context, ..
            }
            | Error::NotFound {
                context: $context, ..
            }
            | Error::Validation {
                context: $context, ..
            }
            | Error::InsufficientBalance {
                context: $context, ..
            }
            | Error::QuotaExceeded {
                context: $context, ..
            }
            | Error::RateLimit {
                context: $context, ..
            }
            | Error::Conflict {
                context: $context, ..
            }
            | Error::Server {
                context: $context, ..
            }
            | Error::Api {
                context: $context, ..
            }
            | Error::Network {
                context: $context, ..
            }
            | Error::Timeout {
                context: $context, ..
            }
            | Error::Config {
                context: $context, ..
            }
            | Error::Io {
                context: $context, ..
            }
            | Error::UnexpectedState {
                context: $context, ..
            }
            | Error::Decode {
                context: $context, ..
            }
            | Error::TooLarge {
                context: $context, ..
            }
            | Error::Integrity {
                context: $context, ..
            }
            | Error::Internal {
                context: $context, ..
            } => $body,
        }
    };
}

impl From<ParseEnumError> for Error {
    /// A name outside a closed set (a [`Visibility`](crate::Visibility) or
    /// [`SyncDirection`](crate::SyncDirection) from a setting) is a configuration error.
    fn from(error: ParseEnumError) -> Self {
        Error::config(error.to_string())
    }
}

/// A `Result` whose error is [`podstack::Error`](Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    /// The message, the HTTP status and the request id; with `{:#}`, then each source
    /// as `: source`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.context(), f)?;
        if f.alternate() {
            let mut next = std::error::Error::source(self);
            while let Some(source) = next {
                write!(f, ": {source}")?;
                next = source.source();
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    /// The lower layer's error: the I/O or TLS error of [`Error::Network`], the
    /// [`std::io::Error`] of [`Error::Io`], the [`serde_json::Error`] of
    /// [`Error::Decode`]; `None` for the others.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Network { source, .. } => source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static)),
            Error::Io { source, .. } => Some(&**source),
            Error::Decode { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

impl Error {
    /// The context shared by every variant.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// let context = error.context();
    /// eprintln!("{} (HTTP {:?})", context.message(), context.status_code());
    /// # }
    /// ```
    pub fn context(&self) -> &ErrorContext {
        with_context!(self, context => context)
    }

    /// The human-readable message, without the status and request id that `Display` adds.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// // `to_string()` adds the HTTP status and request id; `message()` does not.
    /// eprintln!("{}", error.message());
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        self.context().message()
    }

    /// The API's error code (`"validation_error"`, `"token_expired"`, ...), when it sent one.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// match error.code() {
    ///     Some("token_expired") => eprintln!("the token expired: create a new one"),
    ///     _ => eprintln!("{error}"),
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.context().code()
    }

    /// The request id to quote to support, from `X-Request-Id` or the error body.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(id) = error.request_id() {
    ///     eprintln!("quote request id {id} to support");
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.context().request_id()
    }

    /// The HTTP status, when an answer came back.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if error.status_code() == Some(404) {
    ///     eprintln!("already gone");
    /// }
    /// # }
    /// ```
    pub fn status_code(&self) -> Option<u16> {
        self.context().status_code()
    }

    /// The `details` object of the error body (`Null` when there was none): Python's
    /// `e.details`, the same as `error.context().details()`.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(state) = error.details().get("current_state") {
    ///     eprintln!("the resource is {state}");
    /// }
    /// # }
    /// ```
    pub fn details(&self) -> &serde_json::Value {
        self.context().details()
    }

    /// What the operation needed, in dollars (the wallet's currency units), for
    /// [`Error::InsufficientBalance`] when the API said: `required_cents` / 100, the
    /// Python package's `e.required_amount`. `None` for other errors or when the answer
    /// had no amount.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let (Some(required), Some(available)) =
    ///     (error.required_dollars(), error.available_dollars())
    /// {
    ///     eprintln!("top up: ${required:.2} needed, ${available:.2} available");
    /// }
    /// # }
    /// ```
    #[doc(alias = "required_amount")]
    pub fn required_dollars(&self) -> Option<f64> {
        match self {
            Error::InsufficientBalance { required_cents, .. } => required_cents.map(dollars),
            _ => None,
        }
    }

    /// What the wallet held, in dollars, for [`Error::InsufficientBalance`] when the
    /// API said: `available_cents` / 100, the Python package's `e.available_amount`.
    /// `None` for other errors or when the answer had no amount.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(available) = error.available_dollars() {
    ///     eprintln!("the wallet holds ${available:.2}");
    /// }
    /// # }
    /// ```
    #[doc(alias = "available_amount")]
    pub fn available_dollars(&self) -> Option<f64> {
        match self {
            Error::InsufficientBalance {
                available_cents, ..
            } => available_cents.map(dollars),
            _ => None,
        }
    }

    /// Whether retrying the same call later may succeed: server errors, rate limits,
    /// network failures and timeouts. Not an answer over the size bound
    /// ([`Error::TooLarge`]) nor data that is not what was promised
    /// ([`Error::Integrity`]): the same would come back.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if error.is_transient() {
    ///     eprintln!("try again later: {error}");
    /// }
    /// # }
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Server { .. }
                | Error::RateLimit { .. }
                | Error::Network { .. }
                | Error::Timeout { .. }
        )
    }

    pub(crate) fn authentication(message: impl Into<String>) -> Self {
        Error::Authentication {
            context: ErrorContext::new(message),
        }
    }

    /// The error with `hint` (see [`ErrorContext::hint`]) beside its message, which
    /// stays as it is.
    pub(crate) fn with_sdk_hint(mut self, hint: &'static str) -> Self {
        self.context_mut().0.hint = Some(hint);
        self
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            context: ErrorContext::new(message),
        }
    }

    /// A network error. The message says what failed and [`source()`] holds why; a
    /// message that ends with the source's text (`"connection error: {source}"`) is cut
    /// back, so that the source shows once.
    ///
    /// [`source()`]: std::error::Error::source
    pub(crate) fn network(message: impl Into<String>, source: Option<BoxError>) -> Self {
        let mut message = message.into();
        if let Some(source) = &source {
            without_source_text(&mut message, source.as_ref(), "connection error");
        }
        Error::Network {
            context: ErrorContext::new(message),
            source: source.map(SharedError::from),
        }
    }

    pub(crate) fn timeout(message: impl Into<String>) -> Self {
        Error::Timeout {
            context: ErrorContext::new(message),
        }
    }

    /// A local file error: the message names the file and what was done to it, the
    /// source says why (see [`Error::network`] for a message that repeats it).
    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        let mut message = message.into();
        without_source_text(&mut message, &source, "file error");
        Error::Io {
            context: ErrorContext::new(message),
            source: Arc::new(source),
        }
    }

    /// An answer that cannot be what was asked for (a listing that never ends, a body
    /// longer than it promised): an [`Error::Api`], not retried.
    pub(crate) fn unexpected_answer(message: impl Into<String>) -> Self {
        Error::Api {
            context: ErrorContext::new(message),
        }
    }

    pub(crate) fn unexpected_state(
        message: impl Into<String>,
        resource_id: &str,
        state: &str,
    ) -> Self {
        Error::UnexpectedState {
            context: ErrorContext::new(message),
            resource_id: resource_id.to_owned(),
            state: state.to_owned(),
        }
    }

    /// An answer to `method path` whose `body` did not decode: the message names the
    /// request and quotes the body's start, the source says what was wrong.
    pub(crate) fn decode(method: &str, path: &str, body: &[u8], source: serde_json::Error) -> Self {
        let excerpt = from_answer::excerpt(body);
        let message = if excerpt.is_empty() {
            format!("could not decode the answer to {method} {path}: the body is empty")
        } else {
            format!("could not decode the answer to {method} {path}; the body starts: {excerpt}")
        };
        Error::Decode {
            context: ErrorContext::new(message),
            method: method.to_owned(),
            path: path.to_owned(),
            excerpt,
            source: Arc::new(source),
        }
    }

    /// The error for an answer larger than the client reads into memory: its message
    /// names the request (`what`), the limit and the setting that raises it, and
    /// `instead`, the calls that would stream the answer, when there are some. It quotes
    /// none of the answer: the answer may be an object's private bytes, and its start
    /// says nothing about its size.
    pub(crate) fn too_large(what: &str, limit: u64, instead: Option<&str>) -> Self {
        let mut message = format!(
            "the answer to {what} is too large: the answer is larger than {limit} bytes, the \
             most read into memory; raise it with ClientBuilder::max_response_body"
        );
        if let Some(instead) = instead {
            message.push_str(", or stream it with ");
            message.push_str(instead);
        }
        Error::TooLarge {
            context: ErrorContext::new(message),
            limit,
        }
    }

    /// Data that is not what was promised (see [`Error::Integrity`]).
    pub(crate) fn integrity(message: impl Into<String>) -> Self {
        Error::Integrity {
            context: ErrorContext::new(message),
        }
    }

    /// A state the SDK should never reach (see [`Error::Internal`]).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            context: ErrorContext::new(message),
        }
    }

    /// Adds a hint to a message: `message: hint`.
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        let message = &mut self.context_mut().0.message;
        message.push_str(": ");
        message.push_str(hint);
        self
    }

    /// Removes the token from every field of the error: the message, code, request id
    /// and `details` of its context, each variant's own fields, and its source's text.
    /// The request pipeline calls this on every error it returns (see
    /// [`Redactor`](crate::error::redact::Redactor)).
    pub(crate) fn redact(mut self, redactor: &Redactor) -> Self {
        self.context_mut().redact(redactor);
        let redact_source = |source: &(dyn std::error::Error + 'static)| {
            redactor
                .leaks_through(source)
                .then(|| RedactedSource(redactor.text(&chain_text(source)).into_owned()))
        };
        // The variants with text or a source of their own; the others hold only their
        // context, redacted above. A new variant with a field of text belongs here.
        match &mut self {
            Error::NotFound {
                resource_type,
                resource_id,
                ..
            } => {
                for text in [resource_type, resource_id].into_iter().flatten() {
                    redactor.string(text);
                }
            }
            Error::QuotaExceeded { resource_type, .. } => {
                resource_type.iter_mut().for_each(|t| redactor.string(t))
            }
            Error::Conflict { current_state, .. } => {
                current_state.iter_mut().for_each(|t| redactor.string(t))
            }
            Error::Validation { field_errors, .. } => {
                *field_errors = std::mem::take(field_errors)
                    .into_iter()
                    .map(|(field, mut reasons)| {
                        reasons.iter_mut().for_each(|r| redactor.string(r));
                        (redactor.text(&field).into_owned(), reasons)
                    })
                    .collect();
            }
            Error::UnexpectedState {
                resource_id, state, ..
            } => {
                redactor.string(resource_id);
                redactor.string(state);
            }
            Error::Network { source, .. } => {
                if let Some(clean) = source.as_deref().and_then(|s| redact_source(s)) {
                    *source = Some(Arc::new(clean));
                }
            }
            Error::Io { source, .. } => {
                if let Some(clean) = redact_source(&**source) {
                    *source = Arc::new(std::io::Error::new(source.kind(), clean));
                }
            }
            Error::Decode {
                path,
                excerpt,
                source,
                ..
            } => {
                redactor.string(path);
                redactor.string(excerpt);
                if let Some(clean) = redact_source(&**source) {
                    *source = Arc::new(<serde_json::Error as serde::de::Error>::custom(clean));
                }
            }
            _ => {}
        }
        self
    }

    /// The context, to change it (see [`context`](Self::context)).
    fn context_mut(&mut self) -> &mut ErrorContext {
        with_context!(self, context => context)
    }
}

/// Cuts a message built as `"{what}: {source}"` back to `what`, so that `Display`
/// (the message) and `source()` do not say the same thing twice; `fallback` when
/// nothing of the message is left.
fn without_source_text(
    message: &mut String,
    source: &(dyn std::error::Error + 'static),
    fallback: &str,
) {
    let text = source.to_string();
    if text.is_empty() {
        return;
    }
    if let Some(what) = message.strip_suffix(&text) {
        let what = what.trim_end_matches([' ', ':', ';', ',', '-']);
        *message = if what.is_empty() {
            fallback.to_owned()
        } else {
            what.to_owned()
        };
    }
}

/// An error and its sources as one line, `outer: inner: innermost`.
fn chain_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(inner) = next {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        next = inner.source();
    }
    text
}

/// Dollars of an amount in cents, as the models' dollar views show them (12550 → 125.5).
/// Written here, not taken from `models`, so the error type imports nothing above it.
fn dollars(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::from_answer::tests::{map, map_with_request_id};
    use super::*;

    #[test]
    fn redact_removes_the_token_from_messages() {
        let e =
            map(500, "boom podstack_ab_secret boom").redact(&Redactor::new("podstack_ab_secret"));
        assert!(!e.to_string().contains("podstack_ab_secret"));
        assert!(e.message().contains("[redacted]"));
    }

    fn refused() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused")
    }

    /// Every source in the chain, as printed.
    fn chain(error: &Error) -> Vec<String> {
        let mut texts = Vec::new();
        let mut next = std::error::Error::source(error);
        while let Some(source) = next {
            texts.push(source.to_string());
            next = source.source();
        }
        texts
    }

    #[test]
    fn display_shows_the_message_and_the_source_only_through_source() {
        // The message a transport builds as "connection error: {source}".
        let e = Error::network(
            "connection error: Connection refused",
            Some(refused().into()),
        );
        assert_eq!(e.to_string(), "connection error");
        assert_eq!(chain(&e), ["Connection refused"]);
        assert_eq!(format!("{e:#}"), "connection error: Connection refused");

        let e = Error::network("could not connect to the API", Some(refused().into()));
        assert_eq!(e.to_string(), "could not connect to the API");
        assert_eq!(
            format!("{e:#}"),
            "could not connect to the API: Connection refused"
        );
        // A source-less error has nothing more to show.
        let e = Error::network("reset", None);
        assert_eq!(
            (e.to_string(), format!("{e:#}")),
            ("reset".into(), "reset".into())
        );

        let e = Error::io("could not read /tmp/x", refused());
        assert_eq!(e.to_string(), "could not read /tmp/x");
        assert_eq!(chain(&e), ["Connection refused"]);

        let json = serde_json::from_str::<u8>("[]").unwrap_err();
        let e = Error::decode("GET", "/v1/x", b"[]", json);
        assert_eq!(
            e.to_string(),
            "could not decode the answer to GET /v1/x; the body starts: []"
        );
        assert_eq!(chain(&e).len(), 1);
        assert!(!e.to_string().contains(&chain(&e)[0]));
        assert!(Error::decode(
            "GET",
            "/v1/x",
            b"",
            serde_json::from_str::<u8>("").unwrap_err()
        )
        .to_string()
        .ends_with("the body is empty"));
    }

    #[test]
    fn sources_are_the_lower_layers_own_errors() {
        let e = Error::io("could not read /tmp/x", refused());
        let source = std::error::Error::source(&e).unwrap();
        assert_eq!(
            source.downcast_ref::<std::io::Error>().map(|e| e.kind()),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
        let e = Error::network("x", Some(refused().into()));
        assert!(std::error::Error::source(&e)
            .unwrap()
            .downcast_ref::<std::io::Error>()
            .is_some());
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let e = Error::decode("GET", "/", b"x", json);
        assert!(std::error::Error::source(&e)
            .unwrap()
            .downcast_ref::<serde_json::Error>()
            .is_some());
    }

    #[test]
    fn a_clone_keeps_the_message_fields_and_source() {
        fn assert_traits<T: Clone + Send + Sync + 'static + std::error::Error>() {}
        assert_traits::<Error>();

        let e = Error::io("could not read /tmp/x", refused());
        let copy = e.clone();
        assert_eq!(format!("{copy:#}"), format!("{e:#}"));
        match (&e, &copy) {
            (Error::Io { source: a, .. }, Error::Io { source: b, .. }) => {
                assert!(Arc::ptr_eq(a, b));
            }
            other => panic!("{other:?}"),
        }
        let e = map_with_request_id(
            429,
            r#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
        );
        let copy = e.clone();
        assert_eq!(copy.to_string(), e.to_string());
        assert_eq!(copy.context(), e.context());
        assert!(matches!(
            copy,
            Error::RateLimit {
                retry_after: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn redaction_reaches_shared_sources() {
        let secret = "podstack_ab_secret";
        let leaky = std::io::Error::other(format!("proxy said {secret}"));
        let e = Error::io("could not read /tmp/x", leaky).redact(&Redactor::new(secret));
        assert!(!format!("{e:#} {e:?}").contains(secret), "{e:#}");
        let e = Error::network("x", Some(format!("echo {secret}").into()))
            .redact(&Redactor::new(secret));
        assert!(!format!("{e:#} {e:?}").contains(secret), "{e:#}");
    }

    #[test]
    fn a_decode_error_keeps_the_method_and_the_path_apart() {
        let json = serde_json::from_str::<u8>("[]").unwrap_err();
        match Error::decode("GET", "/v1/auth/whoami", b"[]", json) {
            Error::Decode { method, path, .. } => {
                assert_eq!((method.as_str(), path.as_str()), ("GET", "/v1/auth/whoami"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_large_and_integrity_errors_are_not_transient_and_have_no_source() {
        let e = Error::too_large("GET /v1/x", 10, Some("Buckets::download"));
        assert!(matches!(e, Error::TooLarge { limit: 10, .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the answer to GET /v1/x is too large: the answer is larger than 10 bytes, the \
             most read into memory; raise it with ClientBuilder::max_response_body, or stream \
             it with Buckets::download"
        );
        let e2 = Error::integrity("\"k\" changed during the download (its ETag changed)");
        let e3 = Error::internal("a streamed request body can be sent only once");
        for e in [e, e2, e3] {
            assert!(!e.is_transient(), "{e:?}");
            assert!(std::error::Error::source(&e).is_none(), "{e:?}");
            assert_eq!(format!("{e:#}"), e.to_string());
        }
        assert!(Error::network("reset", None).is_transient());
    }
}
