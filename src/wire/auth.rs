//! The identity call's method and path. The handler in `flavoured/api/auth.rs` only
//! calls this.

use super::ApiRequest;

/// `GET /v1/auth/whoami`.
pub(crate) fn whoami() -> ApiRequest {
    ApiRequest::get("/auth/whoami")
}
