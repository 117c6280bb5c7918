//! Every project call's method, path, query and body (`/v1/projects`). The handler in
//! `flavoured/api/projects.rs` only calls these.

use super::{segment, ApiRequest};
use crate::{NewProject, Result};

/// `GET /v1/projects`: one page.
pub(crate) fn list_projects(limit: u32, offset: u64) -> ApiRequest {
    ApiRequest::get("/projects")
        .query("limit", limit)
        .query("offset", offset)
}

/// `GET /v1/projects/{id}`.
pub(crate) fn get_project(id: &str) -> ApiRequest {
    ApiRequest::get(format!("/projects/{}", segment(id)))
}

/// `POST /v1/projects`.
pub(crate) fn create_project(project: &NewProject) -> Result<ApiRequest> {
    Ok(ApiRequest::post("/projects").json(project)?.create())
}

/// `DELETE /v1/projects/{id}`.
pub(crate) fn delete_project(id: &str) -> ApiRequest {
    ApiRequest::delete(format!("/projects/{}", segment(id)))
}
