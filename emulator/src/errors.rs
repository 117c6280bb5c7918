//! Error bodies, in one of two styles chosen by the route ([`ErrorStyle`]):
//! the `/v1` envelope `{"error": {"code", "message", "details", "field_errors"}, "request_id"}`,
//! or the platform service's plain `{"error": "message"}` (storage routes).
//!
//! Handlers return [`ApiError`]; its `IntoResponse` only records the error in the
//! response extensions. The outermost middleware (`server::finish`) then writes
//! the JSON body in the route's style with the request id of that exchange.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// How a route renders its errors. This is the single place that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorStyle {
    /// `{"error": {"code", "message", "details", "field_errors"}, "request_id"}` (`/v1`, admin).
    Envelope,
    /// `{"error": "message"}` (plus `field_errors` when there are some): the platform
    /// service's storage routes and presigned URLs.
    Plain,
}

impl ErrorStyle {
    /// The style of the route serving `path`.
    pub fn for_path(path: &str) -> Self {
        if path.starts_with("/platform/") || path.starts_with("/presigned/") {
            ErrorStyle::Plain
        } else {
            ErrorStyle::Envelope
        }
    }
}

/// An API error, rendered in the route's [`ErrorStyle`].
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
    pub field_errors: BTreeMap<String, Vec<String>>,
    pub retry_after: Option<u64>,
}

/// Result alias for handlers.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Map::new(),
            field_errors: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    /// 400 validation error on one field.
    pub fn field(field: &str, msg: &str) -> Self {
        Self::fields(vec![(field.to_string(), msg.to_string())])
    }

    /// 400 validation error on several fields; the message names the first.
    pub fn fields(errors: Vec<(String, String)>) -> Self {
        let message = match errors.first() {
            Some((f, m)) => format!("{f} {m}"),
            None => "invalid request".to_string(),
        };
        let mut e = Self::new(StatusCode::BAD_REQUEST, "validation_error", message);
        for (f, m) in errors {
            e.field_errors.entry(f).or_default().push(m);
        }
        e
    }

    /// 400 validation error not tied to a field.
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_error", msg)
    }

    pub fn not_found(resource_type: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{resource_type} {id} not found"),
        )
        .detail("resource_type", resource_type)
        .detail("resource_id", id)
    }

    pub fn route_not_found(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {method} {path}"),
        )
        .detail("resource_type", "route")
        .detail("resource_id", format!("{method} {path}"))
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", msg)
    }

    pub fn conflict_state(msg: impl Into<String>, state: &str) -> Self {
        Self::conflict(msg).detail("current_state", state)
    }

    pub fn denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "permission_denied",
            "Access denied to resource",
        )
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Invalid API token",
        )
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", msg)
    }

    /// The JSON body for this error in a style, with a request id (envelope only).
    pub fn render(&self, style: ErrorStyle, request_id: &str) -> Value {
        match style {
            ErrorStyle::Envelope => self.body(request_id),
            ErrorStyle::Plain if self.field_errors.is_empty() => json!({"error": self.message}),
            ErrorStyle::Plain => json!({"error": self.message, "field_errors": self.field_errors}),
        }
    }

    /// The JSON envelope for this error and a request id.
    pub fn body(&self, request_id: &str) -> Value {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "field_errors": self.field_errors,
            },
            "request_id": request_id,
        })
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format!("storage error: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = self.status.into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp.extensions_mut().insert(Arc::new(self));
        resp
    }
}

/// The `code` the emulator uses for a bare status (rejections, faults, 405 ...).
pub(crate) fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 413 | 415 | 422 => "validation_error",
        401 => "authentication_error",
        402 => "insufficient_balance",
        403 => "permission_denied",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        416 => "range_not_satisfiable",
        429 => "rate_limited",
        _ if status.is_server_error() => "internal_error",
        _ => "error",
    }
}
