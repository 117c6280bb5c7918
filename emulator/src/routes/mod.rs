//! The route table (the single list both the router and the OpenAPI test use),
//! plus the shared extractors: query parsing, JSON bodies and pagination.

pub(crate) mod admin;
pub(crate) mod auth;
pub(crate) mod billing;
pub(crate) mod buckets;
pub(crate) mod form;
pub(crate) mod identity;
pub(crate) mod pods;
pub(crate) mod projects;
pub(crate) mod volumes;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{on, MethodFilter, MethodRouter};
use serde::de::DeserializeOwned;

use crate::errors::{ApiError, ApiResult};
use crate::state::App;

/// One API route (`/v1`, `/platform/api/v1` or `/presigned`).
pub(crate) struct RouteDef {
    pub method: &'static str,
    pub path: &'static str,
    /// Creates something: `Idempotency-Key` replays apply.
    pub idempotent: bool,
    /// Needs no `Authorization` (presigned URLs carry their own signature).
    pub public: bool,
    pub handler: MethodRouter<App>,
}

fn filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        _ => MethodFilter::DELETE,
    }
}

macro_rules! rt {
    ($m:literal, $p:literal, $h:expr) => {
        RouteDef {
            method: $m,
            path: $p,
            idempotent: false,
            public: false,
            handler: on(filter($m), $h),
        }
    };
    (create $m:literal, $p:literal, $h:expr) => {
        RouteDef {
            method: $m,
            path: $p,
            idempotent: true,
            public: false,
            handler: on(filter($m), $h),
        }
    };
    (public $m:literal, $p:literal, $h:expr) => {
        RouteDef {
            method: $m,
            path: $p,
            idempotent: false,
            public: true,
            handler: on(filter($m), $h),
        }
    };
}

/// Every API route the emulator serves (admin routes aside).
pub(crate) fn table() -> Vec<RouteDef> {
    vec![
        rt!("GET", "/v1/auth/whoami", identity::whoami),
        // projects
        rt!("GET", "/v1/projects", projects::list),
        rt!(create "POST", "/v1/projects", projects::create),
        rt!("GET", "/v1/projects/{id}", projects::get),
        rt!("DELETE", "/v1/projects/{id}", projects::delete),
        // money and hardware
        rt!("GET", "/v1/billing/wallet", billing::wallet),
        rt!("GET", "/v1/billing/usage", billing::usage),
        rt!("GET", "/v1/gpus", billing::gpus),
        rt!("GET", "/v1/pricing", billing::pricing),
        rt!("GET", "/v1/templates", pods::list_templates),
        // pods
        rt!("GET", "/v1/pods", pods::list),
        rt!(create "POST", "/v1/pods", pods::create),
        rt!("GET", "/v1/pods/{id}", pods::get),
        rt!("DELETE", "/v1/pods/{id}", pods::delete),
        rt!("POST", "/v1/pods/{id}/start", pods::start),
        rt!("POST", "/v1/pods/{id}/stop", pods::stop),
        rt!("POST", "/v1/pods/{id}/restart", pods::restart),
        rt!("POST", "/v1/pods/{id}/exec", pods::exec),
        rt!("GET", "/v1/tasks/{id}", pods::get_task),
        rt!("GET", "/v1/pods/{id}/logs", pods::logs),
        rt!("GET", "/v1/pods/{id}/metrics", pods::metrics),
        rt!("GET", "/v1/pods/{id}/events", pods::events),
        rt!("PUT", "/v1/pods/{id}/files", pods::put_file),
        rt!("GET", "/v1/pods/{id}/files", pods::get_file),
        rt!("GET", "/v1/pods/{id}/files/list", pods::list_files),
        rt!(create "POST", "/v1/pods/{id}/template", pods::save_template),
        // storage: the platform service (errors in the plain style, X-Project-Id required)
        rt!("GET", "/platform/api/v1/buckets", buckets::list),
        rt!(create "POST", "/platform/api/v1/buckets", buckets::create),
        rt!("GET", "/platform/api/v1/buckets/{id}", buckets::get),
        rt!("DELETE", "/platform/api/v1/buckets/{id}", buckets::delete),
        rt!(
            "GET",
            "/platform/api/v1/buckets/{id}/objects",
            buckets::list_objects
        ),
        rt!(
            "POST",
            "/platform/api/v1/buckets/{id}/objects",
            buckets::upload
        ),
        rt!(
            "DELETE",
            "/platform/api/v1/buckets/{id}/objects",
            buckets::delete_object
        ),
        rt!(
            "GET",
            "/platform/api/v1/buckets/{id}/objects/download",
            buckets::download
        ),
        rt!(
            "POST",
            "/platform/api/v1/buckets/{id}/objects/delete",
            buckets::delete_objects
        ),
        rt!(
            "POST",
            "/platform/api/v1/buckets/{id}/objects/copy",
            buckets::copy_object
        ),
        rt!(create "POST", "/platform/api/v1/buckets/{id}/multipart", buckets::multipart_init),
        rt!(
            "PUT",
            "/platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}",
            buckets::multipart_part
        ),
        rt!(
            "POST",
            "/platform/api/v1/buckets/{id}/multipart/{upload_id}/complete",
            buckets::multipart_complete
        ),
        rt!(
            "DELETE",
            "/platform/api/v1/buckets/{id}/multipart/{upload_id}",
            buckets::multipart_abort
        ),
        rt!(
            "POST",
            "/platform/api/v1/buckets/{id}/presign",
            buckets::presign
        ),
        rt!(
            "GET",
            "/platform/api/v1/buckets/{id}/credentials",
            buckets::credentials
        ),
        rt!("GET", "/platform/api/v1/storage", volumes::list),
        rt!(create "POST", "/platform/api/v1/storage", volumes::create),
        rt!("GET", "/platform/api/v1/storage/{id}", volumes::get),
        rt!("DELETE", "/platform/api/v1/storage/{id}", volumes::delete),
        rt!(
            "POST",
            "/platform/api/v1/storage/{id}/resize",
            volumes::resize
        ),
        // presigned URLs (no auth; signature and expiry in the query)
        rt!(public "GET", "/presigned/{opaque}", buckets::presigned_get),
        rt!(public "PUT", "/presigned/{opaque}", buckets::presigned_put),
    ]
}

/// Parsed query string, repeated keys kept.
pub(crate) struct Q(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Q {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(Q)
            .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))
    }
}

impl Q {
    /// Last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Last non-empty value of `key`.
    pub fn nonempty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// All values of `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An integer parameter; present but empty (`?tail=`) is not a number (400).
    pub fn u64(&self, key: &str) -> ApiResult<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            // at most i64::MAX, as the OpenAPI document says
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|&n| n <= i64::MAX as u64)
                .map(Some)
                .ok_or_else(|| ApiError::field(key, "must be an integer from 0 to 2^63-1")),
        }
    }

    /// A boolean parameter (`true`/`false` in any case, `1`/`0`); absent is false,
    /// present but empty is 400.
    pub fn bool(&self, key: &str) -> ApiResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) if v == "1" || v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v == "0" || v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(ApiError::field(key, "must be true or false")),
        }
    }

    /// `limit` (default 50, 1..=200) and `offset` (default 0).
    pub fn page(&self) -> ApiResult<(usize, usize)> {
        let limit = self.u64("limit")?.unwrap_or(50);
        if limit == 0 || limit > 200 {
            return Err(ApiError::field("limit", "must be between 1 and 200"));
        }
        let offset = self.u64("offset")?.unwrap_or(0);
        Ok((limit as usize, offset.min(usize::MAX as u64) as usize))
    }
}

/// Applies `(limit, offset)` to a full list.
pub(crate) fn paginate<T>(items: Vec<T>, (limit, offset): (usize, usize)) -> Vec<T> {
    items.into_iter().skip(offset).take(limit).collect()
}

/// A JSON request body; an empty body reads as `{}`; errors are 400 envelopes.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("cannot read body: {e}")))?;
        let text: &[u8] = if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            b"{}"
        } else {
            &bytes
        };
        let value = serde_json::from_slice::<serde_json::Value>(text);
        if value.as_ref().is_ok_and(|v| !v.is_object()) {
            // serde would read a struct from an array too; every body is an object
            return Err(ApiError::field("body", "must be a JSON object"));
        }
        value
            .and_then(|mut v| {
                whole_floats_to_ints(&mut v);
                T::deserialize(v)
            })
            .map(JsonBody)
            .map_err(|e| {
                let msg = e.to_string();
                if let Some(rest) = msg.strip_prefix("missing field `") {
                    if let Some(field) = rest.split('`').next() {
                        return ApiError::field(field, "is required");
                    }
                }
                let mut err = ApiError::bad_request(format!("invalid JSON body: {msg}"));
                err.field_errors
                    .insert("body".to_string(), vec![format!("invalid JSON: {msg}")]);
                err
            })
    }
}

/// `31.0` → `31` throughout a JSON value: JSON (and JSON Schema's `integer`) does
/// not tell them apart, serde's integer fields do.
fn whole_floats_to_ints(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(whole_floats_to_ints),
        Value::Object(o) => o.values_mut().for_each(whole_floats_to_ints),
        _ => {}
    }
}

/// Collects validation problems, then fails with all of them at once.
#[derive(Default)]
pub(crate) struct Check(Vec<(String, String)>);

impl Check {
    pub fn add(&mut self, field: &str, msg: &str) {
        self.0.push((field.to_string(), msg.to_string()));
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(self.0))
        }
    }
}

/// A required string with at least one character that is not ASCII white space
/// (the OpenAPI document's `pattern: "[^ \t\n\f\r]"`), trimmed of ASCII white
/// space; otherwise a field error.
pub(crate) fn required(check: &mut Check, field: &str, v: &Option<String>) -> String {
    match v
        .as_deref()
        .map(|s| s.trim_matches(|c: char| c.is_ascii_whitespace()))
    {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            check.add(field, "must not be empty");
            String::new()
        }
    }
}
