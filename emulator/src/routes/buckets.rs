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
pub(crate) async fn list_objects() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn put_object() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn get_object() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn delete_object() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn delete_objects() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn copy_object() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn multipart_init() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn multipart_part() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn multipart_complete() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn multipart_abort() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn presign() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn credentials() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) fn presigned_router() -> axum::Router<crate::state::App> {
    axum::Router::new()
}
