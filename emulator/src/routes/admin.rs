//! `/_emulator/…`: knobs over HTTP (no auth, not counted, never faulted).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::JsonBody;
use crate::errors::{code_for_status, ApiError, ApiResult};
use crate::state::App;
use crate::{faults, Fault, TokenSpec};

/// The admin router. Every request to it that is not a `GET` must say its body is
/// JSON ([`json_bodies_only`]).
pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/_emulator/faults", post(faults))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/stats/reset", post(reset))
        .route("/_emulator/tokens", post(tokens))
        .route("/_emulator/openapi.json", get(openapi))
        .route(
            "/_emulator/health",
            get(|| async { Json(json!({"ok": true})) }),
        )
        .route_layer(from_fn(json_bodies_only))
}

/// Refuses (415) an admin request that changes something (any method but `GET` and
/// `HEAD`) unless its `Content-Type` is `application/json`, empty bodies included. A
/// web page may send a cross-origin `POST` without asking first only with a
/// `text/plain`, form or missing content type; `application/json` makes the browser ask
/// first (a CORS preflight), which the emulator never grants. So no page the user
/// visits can inject faults, reset stats or mint tokens.
async fn json_bodies_only(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        return next.run(req).await;
    }
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code_for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        "admin requests must send Content-Type: application/json (also with an empty body)",
    )
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct FaultBody {
    kind: Option<String>,
    status: Option<u16>,
    retry_after: Option<u64>,
    duration_ms: Option<u64>,
    count: Option<u32>,
    route: Option<String>,
}

async fn faults(State(app): State<App>, JsonBody(b): JsonBody<FaultBody>) -> ApiResult<StatusCode> {
    let count = b.count.unwrap_or(1);
    let fault = match b.kind.as_deref() {
        Some("status") => {
            let status = b.status.unwrap_or(503);
            if !(400..=599).contains(&status) {
                return Err(ApiError::field("status", "must be between 400 and 599"));
            }
            Fault::Status {
                status,
                retry_after: b.retry_after,
                count,
            }
        }
        Some("stall") => Fault::Stall {
            duration: Duration::from_millis(b.duration_ms.unwrap_or(1000)),
            count,
        },
        Some("drop") => Fault::Drop { count },
        _ => return Err(ApiError::field("kind", "must be status, stall or drop")),
    };
    faults::inject(&app, b.route.as_deref(), fault);
    Ok(StatusCode::NO_CONTENT)
}

async fn stats(State(app): State<App>) -> Json<Value> {
    let s = faults::stats(&app);
    Json(json!({
        "connections_accepted": s.connections_accepted,
        "requests": s.requests,
        "pending_multipart_uploads": app.lock().uploads.len(),
    }))
}

async fn reset(State(app): State<App>) -> StatusCode {
    faults::reset_stats(&app);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub(crate) struct TokenBody {
    name: Option<String>,
    scopes: Option<Vec<String>>,
    projects: Option<Vec<String>>,
    expired: Option<bool>,
}

async fn tokens(
    State(app): State<App>,
    JsonBody(b): JsonBody<TokenBody>,
) -> (StatusCode, Json<Value>) {
    let d = TokenSpec::default();
    let spec = TokenSpec {
        name: b.name.unwrap_or(d.name),
        scopes: b.scopes.unwrap_or(d.scopes),
        projects: b.projects,
        expired: b.expired.unwrap_or(false),
    };
    let token = app.lock().create_token(spec);
    (StatusCode::CREATED, Json(json!({ "token": token })))
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::OPENAPI_JSON,
    )
}
