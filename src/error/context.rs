//! [`ErrorContext`]: what every [`Error`](super::Error) carries, whatever its variant.

use std::fmt;

use crate::error::redact::Redactor;

/// The context every [`Error`](super::Error) carries: message, API code, request id,
/// HTTP status and the raw `details` object of the error body.
#[derive(Clone, PartialEq)]
pub struct ErrorContext(pub(super) Box<ContextFields>);

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ContextFields {
    pub(super) message: String,
    pub(super) code: Option<String>,
    pub(super) request_id: Option<String>,
    pub(super) status_code: Option<u16>,
    pub(super) details: serde_json::Value,
    /// What to call instead, in this SDK's terms, when the server's message speaks of
    /// the wire (`pass force=true`).
    pub(super) hint: Option<&'static str>,
}

impl ErrorContext {
    /// A context with a message only: an error raised on this side, no answer.
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

    /// Removes the token from the message, code, request id and `details`.
    pub(super) fn redact(&mut self, redactor: &Redactor) {
        let fields = &mut *self.0;
        redactor.string(&mut fields.message);
        for text in [&mut fields.code, &mut fields.request_id]
            .into_iter()
            .flatten()
        {
            redactor.string(text);
        }
        redactor.json(&mut fields.details);
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
    /// The message, then the HTTP status and request id when there were any, then the
    /// hint.
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
