//! Calls through presigned URLs: absolute URLs the API signed for one object and
//! method, which carry neither the token nor the project. The handler in
//! `flavoured/api/presigned.rs` only calls these.

use super::{ApiRequest, ApiRequestOf};
use crate::net::url::{default_port, Url};
use crate::transport::{Method, RequestBodyOf};
use crate::{Error, Result};

/// Checks that a presigned URL is an absolute http(s) URL, without echoing its
/// signature into the error.
pub(crate) fn checked_url(url: &str) -> Result<&str> {
    // http and https are the schemes with a default port.
    match Url::split(url) {
        Some(parts) if default_port(parts.scheme).is_some() => Ok(url),
        _ => Err(Error::config(format!(
            "a presigned URL must be an absolute http(s) URL, not {:?}",
            url.split('?').next().unwrap_or_default()
        ))),
    }
}

/// `GET {url}` of an already checked URL ([`checked_url`]): what the URL points at.
pub(crate) fn fetch(url: &str) -> ApiRequest {
    ApiRequest::absolute(Method::GET, url).accept("application/octet-stream")
}

/// `PUT {url}` of an already checked URL (the body is the caller's).
pub(crate) fn upload(url: &str) -> ApiRequest {
    ApiRequest::absolute(Method::PUT, url)
}

/// `PUT {url}` with `body`.
pub(crate) fn put_body<'b>(url: &str, body: RequestBodyOf<'b>) -> Result<ApiRequestOf<'b>> {
    Ok(ApiRequestOf::absolute(Method::PUT, checked_url(url)?).raw(body))
}
