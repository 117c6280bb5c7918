//! NFS volumes. A volume's data is what pods write below its mount path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Auth;
use super::{paginate, required, Check, JsonBody, Q};
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

fn used_gb(app: &App, v: &Volume) -> f64 {
    let bytes = dir_bytes(&app.volume_root(&v.id));
    if bytes == 0 {
        return 0.0;
    }
    ((bytes as f64 / 1e9) * 1e6).ceil() / 1e6
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
        "project_id": v.project_id,
        "quota_gb": v.quota_gb,
        "used_gb": used_gb(app, v),
        "nfs_server": "127.0.0.1",
        "nfs_path": format!("/exports/{}", v.id),
        "status": if mounted.is_empty() { "available" } else { "in_use" },
        "mounted_by": mounted,
        "created_at": v.created_at,
    })
}

fn find<'a>(st: &'a Model, auth: &Auth, id: &str) -> ApiResult<&'a Volume> {
    let v = st
        .volumes
        .iter()
        .find(|v| v.id == id)
        .ok_or_else(|| ApiError::not_found("volume", id))?;
    auth.check_owned(&v.project_id)?;
    Ok(v)
}

/// `GET /v1/volumes`.
pub(crate) async fn list(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let page = q.page()?;
    let st = app.lock();
    let project = auth.list_project(&st, q.get("project_id"))?;
    let all: Vec<Value> = st
        .volumes
        .iter()
        .filter(|v| auth.can(&v.project_id))
        .filter(|v| project.as_ref().is_none_or(|p| &v.project_id == p))
        .map(|v| volume_json(&app, &st, v))
        .collect();
    let total = all.len();
    Ok(Json(
        json!({"volumes": paginate(all, page), "total": total}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct CreateVolume {
    name: Option<String>,
    quota_gb: Option<i64>,
    project_id: Option<String>,
}

/// `POST /v1/volumes`.
pub(crate) async fn create(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    JsonBody(b): JsonBody<CreateVolume>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    let quota = b.quota_gb.unwrap_or(0);
    if !(1..=100_000).contains(&quota) {
        check.add("quota_gb", "must be between 1 and 100000");
    }
    check.finish()?;
    let mut st = app.lock();
    let project_id = auth.project_for_create(&st, b.project_id.as_deref())?;
    let v = Volume {
        id: new_id("vol"),
        name,
        project_id,
        quota_gb: quota as u64,
        created_at: now_rfc3339(),
    };
    let _ = std::fs::create_dir_all(app.volume_root(&v.id));
    let body = volume_json(&app, &st, &v);
    st.volumes.push(v);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /v1/volumes/{id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let st = app.lock();
    let v = find(&st, &auth, &id)?;
    Ok(Json(volume_json(&app, &st, v)))
}

#[derive(Deserialize)]
pub(crate) struct ResizeBody {
    quota_gb: Option<i64>,
}

/// `POST /v1/volumes/{id}/resize`: grow only (never below the current quota or use).
pub(crate) async fn resize(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ResizeBody>,
) -> ApiResult<Json<Value>> {
    let quota = b
        .quota_gb
        .ok_or_else(|| ApiError::field("quota_gb", "is required"))?;
    let mut st = app.lock();
    let v = find(&st, &auth, &id)?;
    if quota < v.quota_gb as i64 {
        return Err(ApiError::field(
            "quota_gb",
            &format!(
                "must not be smaller than the current quota of {} GB",
                v.quota_gb
            ),
        ));
    }
    if (quota as f64) < used_gb(&app, v) {
        return Err(ApiError::field(
            "quota_gb",
            "must not be smaller than used_gb",
        ));
    }
    if quota > 100_000 {
        return Err(ApiError::field("quota_gb", "must be at most 100000"));
    }
    let Some(v) = st.volumes.iter_mut().find(|v| v.id == id) else {
        return Err(ApiError::not_found("volume", &id));
    };
    v.quota_gb = quota as u64;
    let v = v.clone();
    Ok(Json(volume_json(&app, &st, &v)))
}

/// `DELETE /v1/volumes/{id}?force=true`.
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let force = q.bool("force")?;
    {
        let mut st = app.lock();
        let v = find(&st, &auth, &id)?;
        if !force {
            let mounted = mounted_by(&st, &id);
            if !mounted.is_empty() {
                return Err(ApiError::conflict_state(
                    format!("volume {id} is mounted by {}", mounted.join(", ")),
                    "in_use",
                ));
            }
            if used_gb(&app, v) > 0.0 {
                return Err(ApiError::conflict_state(
                    format!("volume {id} holds data; pass force=true"),
                    "not_empty",
                ));
            }
        }
        st.volumes.retain(|v| v.id != id);
    }
    let _ = tokio::fs::remove_dir_all(app.volume_root(&id)).await;
    Ok(StatusCode::NO_CONTENT)
}
