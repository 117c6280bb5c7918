//! Every wallet, pricing and GPU call's method, path and query. The handlers in
//! `flavoured/api/wallet.rs` and `gpus.rs` only call these.

use super::ApiRequest;

/// `GET /v1/billing/wallet`.
pub(crate) fn wallet() -> ApiRequest {
    ApiRequest::get("/billing/wallet")
}

/// `GET /v1/billing/usage`, per day between two dates (both included).
pub(crate) fn usage(start_date: &str, end_date: &str) -> ApiRequest {
    ApiRequest::get("/billing/usage")
        .query("start_date", start_date)
        .query("end_date", end_date)
        .query("group_by", "day")
}

/// `GET /v1/pricing`.
pub(crate) fn pricing() -> ApiRequest {
    ApiRequest::get("/pricing")
}

/// `GET /v1/gpus`.
pub(crate) fn gpus() -> ApiRequest {
    ApiRequest::get("/gpus")
}
