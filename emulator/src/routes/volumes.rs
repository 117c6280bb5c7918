//! Stub (work in progress).
use crate::errors::ApiError;
pub(crate) async fn list() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn create() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn get() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn delete() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn resize() -> ApiError {
    ApiError::internal("not implemented yet")
}
