//! Projects: list, create, get, delete.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Auth;
use super::{paginate, required, Check, JsonBody, Q};
use crate::errors::{ApiError, ApiResult};
use crate::state::{new_id, App, Project};
use crate::time::now_rfc3339;

/// Projects the token may touch, paginated.
pub(crate) async fn list(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let page = q.page()?;
    let st = app.lock();
    let all: Vec<Project> = st
        .projects
        .iter()
        .filter(|p| auth.can(&p.id))
        .cloned()
        .collect();
    let total = all.len();
    Ok(Json(
        json!({"projects": paginate(all, page), "total": total}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct CreateProject {
    name: Option<String>,
    description: Option<String>,
}

/// Creates a project (name required).
pub(crate) async fn create(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    JsonBody(body): JsonBody<CreateProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let mut check = Check::default();
    let name = required(&mut check, "name", &body.name);
    check.finish()?;
    let now = now_rfc3339();
    let p = Project {
        id: new_id("prj"),
        name,
        description: body.description.unwrap_or_default(),
        created_at: now.clone(),
        updated_at: now,
    };
    let mut st = app.lock();
    st.projects.push(p.clone());
    // A project-restricted token can use the projects it creates.
    if let Some(t) = st.tokens.get_mut(&auth.token) {
        if let Some(list) = t.projects.as_mut() {
            list.push(p.id.clone());
        }
    }
    Ok((StatusCode::CREATED, Json(p)))
}

/// One project.
pub(crate) async fn get(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Project>> {
    let st = app.lock();
    auth.check_project(&st, &id)?;
    let p = st.projects.iter().find(|p| p.id == id).cloned();
    p.map(Json)
        .ok_or_else(|| ApiError::not_found("project", &id))
}

/// Deletes a project; 409 while it holds pods.
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut st = app.lock();
    auth.check_project(&st, &id)?;
    let pods = st.pods.iter().filter(|p| p.project_id == id).count();
    if pods > 0 {
        return Err(ApiError::conflict(format!(
            "project {id} still holds {pods} pod(s); delete them first"
        ))
        .detail("pod_count", pods));
    }
    st.projects.retain(|p| p.id != id);
    st.volumes.retain(|v| v.project_id != id);
    Ok(StatusCode::NO_CONTENT)
}
