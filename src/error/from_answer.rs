//! The mapping from an HTTP answer to an [`Error`], following the error table of the
//! wire contract: the error `code` in the body decides when present, the status decides
//! otherwise, and a body that is not the error envelope (a proxy's HTML page, an empty
//! body) is mapped by status alone with a short excerpt of what came back.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::context::{ContextFields, ErrorContext};
use super::Error;

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
pub(super) fn excerpt(body: &[u8]) -> String {
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
fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn map(status: u16, body: &str) -> Error {
        from_response(&ErrorResponse {
            status,
            request_id: None,
            retry_after: None,
            body: body.as_bytes(),
        })
    }

    pub(crate) fn map_with_request_id(status: u16, body: &str) -> Error {
        from_response(&ErrorResponse {
            status,
            request_id: Some("req_hdr"),
            retry_after: Some("7"),
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
