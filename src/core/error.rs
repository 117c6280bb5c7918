//! The SDK's one error type, and the mapping from an HTTP answer to it.
//!
//! The mapping follows the error table of the wire contract: the error `code` in the
//! body decides when present, the status decides otherwise, and a body that is not the
//! error envelope (a proxy's HTML page, an empty body) is mapped by status alone with
//! a short excerpt of what came back.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::net::redact::{RedactedSource, Redactor};

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
/// them as fields.
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
    /// A successful answer whose body could not be decoded.
    #[non_exhaustive]
    Decode {
        /// Message naming the request, with a body excerpt; what was wrong is the
        /// `source` (and shows with `{:#}`).
        context: ErrorContext,
        /// The request's method and path, e.g. `GET /v1/auth/whoami`.
        path: String,
        /// The start of the body that failed to decode.
        excerpt: String,
        /// The JSON error (shared, so that the error can be cloned).
        source: Arc<serde_json::Error>,
    },
}

impl From<crate::models::ParseEnumError> for Error {
    /// A name outside a closed set (a [`Visibility`](crate::Visibility) or
    /// [`SyncDirection`](crate::SyncDirection) from a setting) is a configuration error.
    fn from(error: crate::models::ParseEnumError) -> Self {
        Error::config(error.to_string())
    }
}

/// A `Result` whose error is [`podstack::Error`](Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The context every [`Error`] carries: message, API code, request id, HTTP status
/// and the raw `details` object of the error body.
#[derive(Clone, PartialEq)]
pub struct ErrorContext(Box<ContextFields>);

#[derive(Clone, Debug, PartialEq)]
struct ContextFields {
    message: String,
    code: Option<String>,
    request_id: Option<String>,
    status_code: Option<u16>,
    details: serde_json::Value,
    /// What to call instead, in this SDK's terms, when the server's message speaks of
    /// the wire (`pass force=true`).
    hint: Option<&'static str>,
}

impl ErrorContext {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ErrorContext(Box::new(ContextFields {
            message: message.into(),
            code: None,
            request_id: None,
            status_code: None,
            details: serde_json::Value::Null,
            hint: None,
        }))
    }

    /// The human-readable message.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// let context = error.context();
    /// eprintln!("{}", context.message());
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The API's machine-readable error code, such as `"invalid_token"`.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if error.context().code() == Some("token_expired") {
    ///     eprintln!("create a new token");
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The request id (`X-Request-Id`) to quote to support.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(id) = error.context().request_id() {
    ///     eprintln!("quote request id {id} to support");
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The HTTP status, when an answer came back.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// let answered = error.context().status_code().is_some();
    /// # let _ = answered;
    /// # }
    /// ```
    pub fn status_code(&self) -> Option<u16> {
        self.0.status_code
    }

    /// The `details` object of the error body (`Null` when there was none).
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(state) = error.context().details().get("current_state") {
    ///     eprintln!("the resource is {state}");
    /// }
    /// # }
    /// ```
    pub fn details(&self) -> &serde_json::Value {
        &self.0.details
    }

    /// What to do about it in this SDK, when the server's message names a wire
    /// parameter instead: a bucket that is not empty answers "pass force=true", and
    /// the hint names [`Buckets::force_delete`](crate::Buckets::force_delete).
    /// `Display` shows it after the message; [`message`](Self::message) stays the
    /// server's own text.
    ///
    /// ```
    /// # fn show(error: &podstack::Error) {
    /// if let Some(hint) = error.context().hint() {
    ///     eprintln!("{hint}");
    /// }
    /// # }
    /// ```
    pub fn hint(&self) -> Option<&str> {
        self.0.hint
    }
}

impl fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ErrorContext");
        s.field("message", &self.0.message);
        if let Some(code) = &self.0.code {
            s.field("code", code);
        }
        if let Some(status) = self.0.status_code {
            s.field("status_code", &status);
        }
        if let Some(id) = &self.0.request_id {
            s.field("request_id", id);
        }
        if !self.0.details.is_null() {
            s.field("details", &self.0.details);
        }
        if let Some(hint) = self.0.hint {
            s.field("hint", &hint);
        }
        s.finish()
    }
}

impl fmt::Display for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        match (self.0.status_code, &self.0.request_id) {
            (Some(status), Some(id)) => write!(f, " (HTTP {status}, request id {id})"),
            (Some(status), None) => write!(f, " (HTTP {status})"),
            (None, Some(id)) => write!(f, " (request id {id})"),
            (None, None) => Ok(()),
        }?;
        match self.0.hint {
            Some(hint) => write!(f, "; {hint}"),
            None => Ok(()),
        }
    }
}

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
        match self {
            Error::Authentication { context }
            | Error::Permission { context }
            | Error::NotFound { context, .. }
            | Error::Validation { context, .. }
            | Error::InsufficientBalance { context, .. }
            | Error::QuotaExceeded { context, .. }
            | Error::RateLimit { context, .. }
            | Error::Conflict { context, .. }
            | Error::Server { context }
            | Error::Api { context }
            | Error::Network { context, .. }
            | Error::Timeout { context }
            | Error::Config { context }
            | Error::Io { context, .. }
            | Error::UnexpectedState { context, .. }
            | Error::Decode { context, .. } => context,
        }
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
            Error::InsufficientBalance { required_cents, .. } => {
                required_cents.map(crate::models::cents_to_amount)
            }
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
            } => available_cents.map(crate::models::cents_to_amount),
            _ => None,
        }
    }

    /// Whether retrying the same call later may succeed: server errors, rate limits,
    /// network failures and timeouts.
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

    pub(crate) fn decode(what: &str, body: &[u8], source: serde_json::Error) -> Self {
        let excerpt = excerpt(body);
        let message = if excerpt.is_empty() {
            format!("could not decode the answer to {what}: the body is empty")
        } else {
            format!("could not decode the answer to {what}; the body starts: {excerpt}")
        };
        Error::Decode {
            context: ErrorContext::new(message),
            path: what.to_owned(),
            excerpt,
            source: Arc::new(source),
        }
    }

    /// The error for an answer larger than the client reads into memory: a Decode
    /// error whose message names the limit and the setting that raises it, and
    /// `instead`, the calls that would stream the answer, when there are some. It quotes
    /// none of the answer (its `excerpt` is empty): the answer may be an object's private
    /// bytes, and its start says nothing about its size.
    pub(crate) fn too_large(what: &str, limit: u64, instead: Option<&str>) -> Self {
        let mut why = format!(
            "the answer is larger than {limit} bytes, the most read into memory; \
             raise it with ClientBuilder::max_response_body"
        );
        if let Some(instead) = instead {
            why.push_str(", or stream it with ");
            why.push_str(instead);
        }
        let mut error = Error::decode(
            what,
            &[],
            <serde_json::Error as serde::de::Error>::custom(&why),
        );
        error.context_mut().0.message = format!("the answer to {what} is too large: {why}");
        error
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
    /// [`Redactor`](crate::net::redact::Redactor)).
    pub(crate) fn redact(mut self, redactor: &Redactor) -> Self {
        let fields = &mut self.context_mut().0;
        redactor.string(&mut fields.message);
        for text in [&mut fields.code, &mut fields.request_id]
            .into_iter()
            .flatten()
        {
            redactor.string(text);
        }
        redactor.json(&mut fields.details);
        let redact_source = |source: &(dyn std::error::Error + 'static)| {
            redactor
                .leaks_through(source)
                .then(|| RedactedSource(redactor.text(&chain_text(source)).into_owned()))
        };
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
            Error::Authentication { .. }
            | Error::Permission { .. }
            | Error::InsufficientBalance { .. }
            | Error::RateLimit { .. }
            | Error::Server { .. }
            | Error::Api { .. }
            | Error::Timeout { .. }
            | Error::Config { .. } => {}
        }
        self
    }

    fn context_mut(&mut self) -> &mut ErrorContext {
        match self {
            Error::Authentication { context }
            | Error::Permission { context }
            | Error::NotFound { context, .. }
            | Error::Validation { context, .. }
            | Error::InsufficientBalance { context, .. }
            | Error::QuotaExceeded { context, .. }
            | Error::RateLimit { context, .. }
            | Error::Conflict { context, .. }
            | Error::Server { context }
            | Error::Api { context }
            | Error::Network { context, .. }
            | Error::Timeout { context }
            | Error::Config { context }
            | Error::Io { context, .. }
            | Error::UnexpectedState { context, .. }
            | Error::Decode { context, .. } => context,
        }
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

/// What the client learned from a non-2xx answer, in plain values.
pub(crate) struct ErrorResponse<'a> {
    pub status: u16,
    pub request_id: Option<&'a str>,
    pub retry_after: Option<&'a str>,
    pub body: &'a [u8],
}

#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeBody,
    #[serde(default)]
    request_id: Option<String>,
}

/// The `error` member: the API's object, or the plain string the platform (storage)
/// service may send instead (`{"error": "bucket not found"}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum EnvelopeBody {
    Object(EnvelopeError),
    Plain(String),
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
    #[serde(default)]
    field_errors: Option<BTreeMap<String, Vec<String>>>,
    /// The single-field form some API versions send (`"field": "name"`).
    #[serde(default)]
    field: Option<String>,
}

/// Maps a non-2xx answer to the [`Error`] variant the contract's error table names.
pub(crate) fn from_response(response: &ErrorResponse<'_>) -> Error {
    let status = response.status;
    let envelope = serde_json::from_slice::<Envelope>(response.body).ok();
    let (code, message, details, mut field_errors, field, body_request_id) = match envelope {
        Some(Envelope {
            error: EnvelopeBody::Object(error),
            request_id,
        }) => (
            error.code,
            error.message.filter(|m| !m.trim().is_empty()),
            error.details.unwrap_or(serde_json::Value::Null),
            error.field_errors.unwrap_or_default(),
            error.field,
            request_id,
        ),
        // The plain form: the string is the message and the status decides the variant.
        Some(Envelope {
            error: EnvelopeBody::Plain(message),
            request_id,
        }) => (
            None,
            Some(message).filter(|m| !m.trim().is_empty()),
            serde_json::Value::Null,
            BTreeMap::new(),
            None,
            request_id,
        ),
        None => (
            None,
            None,
            serde_json::Value::Null,
            BTreeMap::new(),
            None,
            None,
        ),
    };
    let message = message.unwrap_or_else(|| fallback_message(status, response.body));
    if let Some(field) = field {
        field_errors
            .entry(field)
            .or_insert_with(|| vec![message.clone()]);
    }
    let retry_after = response.retry_after.and_then(parse_retry_after);
    let request_id = response
        .request_id
        .map(str::to_owned)
        .filter(|id| !id.is_empty())
        .or(body_request_id);
    let kind = code
        .as_deref()
        .and_then(kind_from_code)
        .unwrap_or_else(|| kind_from_status(status));
    let detail_str = |key: &str| details.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let detail_i64 = |key: &str| details.get(key).and_then(serde_json::Value::as_i64);
    let detail_u64 = |key: &str| details.get(key).and_then(serde_json::Value::as_u64);
    let (resource_type, resource_id) = (detail_str("resource_type"), detail_str("resource_id"));
    let (required_cents, available_cents) =
        (detail_i64("required_cents"), detail_i64("available_cents"));
    let (limit, current) = (detail_u64("limit"), detail_u64("current"));
    let current_state = detail_str("current_state");

    let context = ErrorContext(Box::new(ContextFields {
        message,
        code,
        request_id,
        status_code: Some(status),
        details,
        hint: None,
    }));
    match kind {
        Kind::Authentication => Error::Authentication { context },
        Kind::Permission => Error::Permission { context },
        Kind::NotFound => Error::NotFound {
            context,
            resource_type,
            resource_id,
        },
        Kind::Validation => Error::Validation {
            context,
            field_errors,
        },
        Kind::InsufficientBalance => Error::InsufficientBalance {
            context,
            required_cents,
            available_cents,
        },
        Kind::QuotaExceeded => Error::QuotaExceeded {
            context,
            resource_type,
            limit,
            current,
        },
        Kind::RateLimit => Error::RateLimit {
            context,
            retry_after,
        },
        Kind::Conflict => Error::Conflict {
            context,
            current_state,
        },
        Kind::Server => Error::Server { context },
        Kind::Other => Error::Api { context },
    }
}

enum Kind {
    Authentication,
    Permission,
    NotFound,
    Validation,
    InsufficientBalance,
    QuotaExceeded,
    RateLimit,
    Conflict,
    Server,
    Other,
}

fn kind_from_code(code: &str) -> Option<Kind> {
    Some(match code {
        "validation_error" => Kind::Validation,
        "authentication_error" | "invalid_token" | "token_expired" => Kind::Authentication,
        "insufficient_balance" => Kind::InsufficientBalance,
        "permission_denied" => Kind::Permission,
        "quota_exceeded" => Kind::QuotaExceeded,
        "not_found" => Kind::NotFound,
        "conflict" => Kind::Conflict,
        "rate_limited" => Kind::RateLimit,
        "internal_error" => Kind::Server,
        _ => return None,
    })
}

fn kind_from_status(status: u16) -> Kind {
    match status {
        400 | 422 => Kind::Validation,
        401 => Kind::Authentication,
        402 => Kind::InsufficientBalance,
        403 => Kind::Permission,
        404 => Kind::NotFound,
        409 => Kind::Conflict,
        429 => Kind::RateLimit,
        500..=599 => Kind::Server,
        _ => Kind::Other,
    }
}

/// The message for an answer without the error envelope: the documented wording for
/// 401 and 403 (users match on it, so it keeps its capital letter), and otherwise the
/// status with a short excerpt of the body.
fn fallback_message(status: u16, body: &[u8]) -> String {
    let base = match status {
        401 => "Invalid API token",
        403 => "Access denied to resource",
        404 => "resource not found",
        409 => "conflict with the resource's current state",
        429 => "rate limit exceeded",
        400 | 422 => "invalid request",
        500..=599 => "server error",
        _ => "unexpected response",
    };
    let excerpt = excerpt(body);
    match (status, excerpt.is_empty()) {
        (401 | 403, true) => base.to_owned(),
        (_, true) => format!("{base}: HTTP {status} with an empty body"),
        (_, false) => format!("{base}: HTTP {status}, body: {excerpt}"),
    }
}

/// The first 200 characters of a body as text, whitespace folded, `…` where cut.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let head = &body[..body.len().min(MAX_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = folded.chars();
    let cut: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() || head.len() < body.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// `Retry-After` in seconds (integer or decimal); HTTP dates are not used by the API.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> Error {
        from_response(&ErrorResponse {
            status,
            request_id: None,
            retry_after: None,
            body: body.as_bytes(),
        })
    }

    #[test]
    fn code_decides_over_status() {
        let body = r#"{"error":{"code":"quota_exceeded","message":"pod quota reached",
            "details":{"resource_type":"pods","limit":10,"current":10}},"request_id":"req_1"}"#;
        match map(403, body) {
            Error::QuotaExceeded {
                context,
                resource_type,
                limit,
                current,
            } => {
                assert_eq!(context.message(), "pod quota reached");
                assert_eq!(context.request_id(), Some("req_1"));
                assert_eq!(resource_type.as_deref(), Some("pods"));
                assert_eq!((limit, current), (Some(10), Some(10)));
            }
            other => panic!("expected QuotaExceeded, got {other:?}"),
        }
    }

    #[test]
    fn single_field_form_becomes_field_errors() {
        let body = r#"{"error":{"code":"validation_error","message":"bad name","field":"name"}}"#;
        match map(400, body) {
            Error::Validation { field_errors, .. } => {
                assert_eq!(field_errors["name"], vec!["bad name".to_owned()]);
            }
            other => panic!("expected Validation, got {other:?}"),
        }
    }

    #[test]
    fn unknown_code_falls_back_to_status() {
        let body = r#"{"error":{"code":"brand_new_code","message":"m"}}"#;
        assert!(matches!(map(409, body), Error::Conflict { .. }));
        assert!(matches!(map(418, body), Error::Api { .. }));
    }

    #[test]
    fn excerpt_cuts_long_bodies_and_folds_whitespace() {
        let long = "a  b\n".repeat(200);
        let e = excerpt(long.as_bytes());
        assert!(e.starts_with("a b a b"));
        assert!(e.ends_with('…'));
        assert_eq!(e.chars().count(), 201);
        assert_eq!(excerpt(b""), "");
    }

    #[test]
    fn retry_after_parses_seconds_only() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn redact_removes_the_token_from_messages() {
        let e =
            map(500, "boom podstack_ab_secret boom").redact(&Redactor::new("podstack_ab_secret"));
        assert!(!e.to_string().contains("podstack_ab_secret"));
        assert!(e.message().contains("[redacted]"));
    }

    fn map_with_request_id(status: u16, body: &str) -> Error {
        from_response(&ErrorResponse {
            status,
            request_id: Some("req_hdr"),
            retry_after: Some("7"),
            body: body.as_bytes(),
        })
    }

    #[test]
    fn a_plain_string_error_body_is_the_message_and_the_status_decides() {
        let body = r#"{"error": "bucket 'b1' not found"}"#;
        type IsExpected = fn(&Error) -> bool;
        let cases: [(u16, IsExpected); 11] = [
            (
                400,
                |e| matches!(e, Error::Validation { field_errors, .. } if field_errors.is_empty()),
            ),
            (422, |e| matches!(e, Error::Validation { .. })),
            (401, |e| matches!(e, Error::Authentication { .. })),
            (402, |e| matches!(e, Error::InsufficientBalance { .. })),
            (403, |e| matches!(e, Error::Permission { .. })),
            (404, |e| {
                matches!(
                    e,
                    Error::NotFound {
                        resource_type: None,
                        ..
                    }
                )
            }),
            (409, |e| {
                matches!(
                    e,
                    Error::Conflict {
                        current_state: None,
                        ..
                    }
                )
            }),
            (
                429,
                |e| matches!(e, Error::RateLimit { retry_after: Some(d), .. } if d.as_secs() == 7),
            ),
            (500, |e| matches!(e, Error::Server { .. })),
            (503, |e| matches!(e, Error::Server { .. })),
            (418, |e| matches!(e, Error::Api { .. })),
        ];
        for (status, is_expected) in cases {
            let e = map_with_request_id(status, body);
            assert!(is_expected(&e), "{status}: {e:?}");
            assert_eq!(e.message(), "bucket 'b1' not found", "{status}");
            assert_eq!(e.code(), None);
            assert_eq!(e.status_code(), Some(status));
            assert_eq!(e.request_id(), Some("req_hdr"));
            assert!(e.context().details().is_null());
        }
        // Without the header, a request id in the body is used.
        let e = map(404, r#"{"error":"gone","request_id":"req_body"}"#);
        assert_eq!(e.request_id(), Some("req_body"));
        // An empty string falls back to the status's own message.
        let e = map(404, r#"{"error":"  "}"#);
        assert!(
            e.message().starts_with("resource not found"),
            "{}",
            e.message()
        );
        // Anything else under "error" is not the envelope: mapped by status with an excerpt.
        let e = map(409, r#"{"error": 42}"#);
        assert!(matches!(e, Error::Conflict { .. }));
        assert!(e.message().contains("42"), "{}", e.message());
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
        let e = Error::decode("GET /v1/x", b"[]", json);
        assert_eq!(
            e.to_string(),
            "could not decode the answer to GET /v1/x; the body starts: []"
        );
        assert_eq!(chain(&e).len(), 1);
        assert!(!e.to_string().contains(&chain(&e)[0]));
        assert!(Error::decode(
            "GET /v1/x",
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
        let e = Error::decode("GET /", b"x", json);
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
    fn fallback_messages_are_lower_case_except_the_documented_ones() {
        assert_eq!(map(401, "").message(), "Invalid API token");
        assert_eq!(map(403, "").message(), "Access denied to resource");
        for status in [400, 404, 409, 418, 422, 429, 500, 502] {
            let message = map(status, "<html>oops</html>").message().to_owned();
            assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
            assert!(!message.ends_with('.'), "{message}");
        }
    }

    #[test]
    fn display_adds_status_and_request_id() {
        let body = r#"{"error":{"code":"invalid_token","message":"Invalid API token"},"request_id":"req_9"}"#;
        assert_eq!(
            map(401, body).to_string(),
            "Invalid API token (HTTP 401, request id req_9)"
        );
    }
}
