//! Stub (work in progress).
use crate::errors::ApiError;
pub(crate) async fn list_templates() -> ApiError {
    ApiError::internal("not implemented yet")
}
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
pub(crate) async fn start() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn stop() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn restart() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn exec() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn get_task() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn logs() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn metrics() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn events() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn put_file() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn get_file() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn list_files() -> ApiError {
    ApiError::internal("not implemented yet")
}
pub(crate) async fn save_template() -> ApiError {
    ApiError::internal("not implemented yet")
}
