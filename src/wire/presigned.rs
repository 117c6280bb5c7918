//! Calls through presigned URLs: absolute URLs the API signed for one object and
//! method, which carry neither the token nor the project. The handler in
//! `flavoured/api/presigned.rs` only calls these.

use super::{ApiRequest, ApiRequestOf};
use crate::transport::{Method, RequestBodyOf};
use crate::{Error, Result};

/// Checks that a presigned URL is an absolute http(s) URL, without echoing its
/// signature into the error.
pub(crate) fn checked_url(url: &str) -> Result<&str> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("https" | "http") => Ok(url),
        _ => Err(Error::config(format!(
            "a presigned URL must be an absolute http(s) URL, not {:?}",
            url.split('?').next().unwrap_or_default()
        ))),
    }
}

/// `GET {url}` of an already checked URL ([`checked_url`]): what the URL points at.
pub(crate) fn fetch(url: &str) -> ApiRequest {
    ApiRequest::absolute(Method::Get, url).accept("application/octet-stream")
}

/// `PUT {url}` of an already checked URL (the body is the caller's).
pub(crate) fn upload(url: &str) -> ApiRequest {
    ApiRequest::absolute(Method::Put, url)
}

/// `PUT {url}` with `body`.
pub(crate) fn put_body<'b>(url: &str, body: RequestBodyOf<'b>) -> Result<ApiRequestOf<'b>> {
    Ok(ApiRequestOf::absolute(Method::Put, checked_url(url)?).raw(body))
}
