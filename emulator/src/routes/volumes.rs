//! NFS volumes of the platform service (`/platform/api/v1/storage…`), scoped
//! to the `X-Project-Id` project. A volume's data is what pods write below its
//! mount path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Auth;
use super::buckets::project;
use super::{required, Check, JsonBody, Q};
use crate::errors::{ApiError, ApiResult};
use crate::state::{new_id, App, State as Model, Volume};
use crate::time::now_rfc3339;

fn dir_bytes(p: &std::path::Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn used_bytes(app: &App, v: &Volume) -> u64 {
    dir_bytes(&app.volume_root(&v.id))
}

fn mounted_by(st: &Model, id: &str) -> Vec<String> {
    st.pods
        .iter()
        .filter(|p| p.volumes.iter().any(|m| m.volume_id == id))
        .map(|p| p.id.clone())
        .collect()
}

fn volume_json(app: &App, st: &Model, v: &Volume) -> Value {
    let mounted = mounted_by(st, &v.id);
    json!({
        "id": v.id,
        "name": v.name,
        "status": if mounted.is_empty() { "available" } else { "in_use" },
        "quota_gb": v.quota_gb,
        "used_bytes": used_bytes(app, v),
        "nfs_enabled": v.nfs_enabled,
        "nfs_server": "127.0.0.1",
        "nfs_path": format!("/exports/{}", v.id),
        "billing_period": v.billing_period,
        "mounted_by": mounted,
        "created_at": v.created_at,
    })
}

fn find<'a>(st: &'a Model, project: &str, id: &str) -> ApiResult<&'a Volume> {
    st.volumes
        .iter()
        .find(|v| v.id == id && v.project_id == project)
        .ok_or_else(|| ApiError::not_found("volume", id))
}

/// `GET /storage` → `{"volumes": [Volume]}` of the project.
pub(crate) async fn list(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let st = app.lock();
    let all: Vec<Value> = st
        .volumes
        .iter()
        .filter(|v| v.project_id == project)
        .map(|v| volume_json(&app, &st, v))
        .collect();
    Ok(Json(json!({ "volumes": all })))
}

#[derive(Deserialize)]
pub(crate) struct CreateVolume {
    name: Option<String>,
    quota_gb: Option<i64>,
    nfs_enabled: Option<bool>,
    billing_period: Option<String>,
}

/// `POST /storage` → 201 Volume.
pub(crate) async fn create(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    JsonBody(b): JsonBody<CreateVolume>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = project(&auth)?;
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    // The shipped package sends 0 when the caller gives no quota.
    let quota = b.quota_gb.unwrap_or(0);
    if quota < 0 {
        check.add("quota_gb", "must not be negative");
    }
    // Kept as sent: the shipped package sends "month"; nothing says which others exist.
    let billing_period = b
        .billing_period
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "month".into());
    check.finish()?;
    let mut st = app.lock();
    let v = Volume {
        id: new_id("vol"),
        name,
        project_id: project,
        quota_gb: quota as u64,
        nfs_enabled: b.nfs_enabled.unwrap_or(true),
        billing_period,
        created_at: now_rfc3339(),
    };
    let _ = std::fs::create_dir_all(app.volume_root(&v.id));
    let body = volume_json(&app, &st, &v);
    st.volumes.push(v);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /storage/{id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let st = app.lock();
    let v = find(&st, &project, &id)?;
    Ok(Json(volume_json(&app, &st, v)))
}

#[derive(Deserialize)]
pub(crate) struct ResizeBody {
    quota_gb: Option<i64>,
}

/// `POST /storage/{id}/resize {"quota_gb"}`: grow only.
pub(crate) async fn resize(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ResizeBody>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let quota = b
        .quota_gb
        .ok_or_else(|| ApiError::field("quota_gb", "is required"))?;
    let mut st = app.lock();
    let v = find(&st, &project, &id)?;
    if quota < v.quota_gb as i64 {
        return Err(ApiError::field(
            "quota_gb",
            &format!(
                "must not be smaller than the current quota of {} GB",
                v.quota_gb
            ),
        ));
    }
    let Some(v) = st.volumes.iter_mut().find(|v| v.id == id) else {
        return Err(ApiError::not_found("volume", &id));
    };
    v.quota_gb = quota as u64;
    let v = v.clone();
    Ok(Json(volume_json(&app, &st, &v)))
}

/// `DELETE /storage/{id}?force=true`: 409 while mounted (even forced) or
/// holding data (unless forced).
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let project = project(&auth)?;
    let force = q.bool("force")?;
    {
        let mut st = app.lock();
        let v = find(&st, &project, &id)?;
        let mounted = mounted_by(&st, &id);
        if !mounted.is_empty() {
            return Err(ApiError::conflict_state(
                format!("volume {id} is mounted by {}", mounted.join(", ")),
                "in_use",
            ));
        }
        if !force && used_bytes(&app, v) > 0 {
            return Err(ApiError::conflict_state(
                format!("volume {id} holds data; pass force=true to delete it too"),
                "not_empty",
            ));
        }
        st.volumes.retain(|v| v.id != id);
    }
    let _ = tokio::fs::remove_dir_all(app.volume_root(&id)).await;
    Ok(StatusCode::NO_CONTENT)
}
