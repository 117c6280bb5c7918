//! Every pod and task call's method, path, query and body (`/v1/pods`, `/v1/tasks`,
//! `/v1/templates`). The handlers in `flavoured/api/pods/`, `tasks.rs` and
//! `templates.rs` only call these.

use std::time::Duration;

use serde_json::json;

use super::{segment, ApiRequest};
use crate::transport::AnswerTimeout;
use crate::{LogOptions, NewPod, PodFilter, Result};

fn pod_path(id: &str) -> String {
    format!("/pods/{}", segment(id))
}

/// `GET /v1/pods`: one page of the pods that match `filter`.
pub(crate) fn list_pods(filter: &PodFilter, limit: u32, offset: u64) -> ApiRequest {
    let mut request = ApiRequest::get("/pods");
    if let Some(status) = &filter.status {
        request = request.query("status", status.as_str());
    }
    if let Some(project_id) = &filter.project_id {
        request = request.query("project_id", project_id);
    }
    for (name, value) in &filter.labels {
        request = request.query("label", format!("{name}={value}"));
    }
    request.query("limit", limit).query("offset", offset)
}

/// `POST /v1/pods`, in the pod's project when it names one.
pub(crate) fn create_pod(pod: &NewPod) -> Result<ApiRequest> {
    Ok(ApiRequest::post("/pods")
        .json(pod)?
        .project(pod.project_id.as_deref())
        .create())
}

/// `GET /v1/pods/{id}`.
pub(crate) fn get_pod(id: &str) -> ApiRequest {
    ApiRequest::get(pod_path(id))
}

/// `DELETE /v1/pods/{id}`; with `force`, `?force=true` (deletes a running pod).
pub(crate) fn delete_pod(id: &str, force: bool) -> ApiRequest {
    let request = ApiRequest::delete(pod_path(id));
    if force {
        request.query("force", "true")
    } else {
        request.on_conflict(
            "to delete a running pod, call Pods::force_delete (or Pods::stop it first)",
        )
    }
}

/// `POST /v1/pods/{id}/{action}` (`start`, `stop`, ...), with `{"force": ..}` when
/// given.
pub(crate) fn lifecycle(id: &str, action: &str, force: Option<bool>) -> Result<ApiRequest> {
    let request = ApiRequest::post(format!("{}/{action}", pod_path(id)));
    match force {
        Some(force) => request.json(&json!({ "force": force })),
        None => Ok(request),
    }
}

/// `POST /v1/pods/{id}/exec`: runs `command` and answers its result.
pub(crate) fn exec(id: &str, command: &str) -> Result<ApiRequest> {
    ApiRequest::post(format!("{}/exec", pod_path(id))).json(&json!({
        "command": command,
    }))
}

/// `POST /v1/pods/{id}/exec` with a `timeout` in whole seconds (at least 1), waited
/// for on top of the client's own timeout.
pub(crate) fn exec_with_timeout(id: &str, command: &str, timeout: Duration) -> Result<ApiRequest> {
    let seconds = timeout.as_secs().max(1);
    Ok(ApiRequest::post(format!("{}/exec", pod_path(id)))
        .json(&json!({ "command": command, "timeout": seconds }))?
        .answer_timeout(AnswerTimeout::Extended(Duration::from_secs(seconds))))
}

/// `POST /v1/pods/{id}/exec` with `"detach": true`: answers a task at once.
pub(crate) fn exec_detached(id: &str, command: &str) -> Result<ApiRequest> {
    ApiRequest::post(format!("{}/exec", pod_path(id))).json(&json!({
        "command": command,
        "detach": true,
    }))
}

/// `GET /v1/pods/{id}/logs` as text.
pub(crate) fn logs(id: &str, options: &LogOptions) -> ApiRequest {
    let mut request = ApiRequest::get(format!("{}/logs", pod_path(id))).accept("text/plain");
    if let Some(tail) = options.tail {
        request = request.query("tail", tail);
    }
    if let Some(since) = &options.since {
        request = request.query("since", since);
    }
    request
}

/// `GET /v1/pods/{id}/logs?follow=true`: lines until the pod stops.
pub(crate) fn follow_logs(id: &str) -> ApiRequest {
    ApiRequest::get(format!("{}/logs", pod_path(id)))
        .query("follow", "true")
        .accept("text/plain")
        // A quiet pod may write nothing for a long time.
        .answer_timeout(AnswerTimeout::Unbounded)
}

/// `GET /v1/pods/{id}/metrics`.
pub(crate) fn metrics(id: &str) -> ApiRequest {
    ApiRequest::get(format!("{}/metrics", pod_path(id)))
}

/// `GET /v1/pods/{id}/events`.
pub(crate) fn events(id: &str) -> ApiRequest {
    ApiRequest::get(format!("{}/events", pod_path(id)))
}

/// `GET /v1/pods/{id}/files/list?path=..`: every entry under `path`.
pub(crate) fn list_files(id: &str, path: &str) -> ApiRequest {
    ApiRequest::get(format!("{}/files/list", pod_path(id))).query("path", path)
}

/// `PUT /v1/pods/{id}/files?path=..`: one file's content (the body is the caller's).
pub(crate) fn upload_file(id: &str, remote: &str) -> ApiRequest {
    ApiRequest::put(format!("{}/files", pod_path(id))).query("path", remote)
}

/// `GET /v1/pods/{id}/files?path=..`: one file's content.
pub(crate) fn download_file(id: &str, remote: &str) -> ApiRequest {
    ApiRequest::get(format!("{}/files", pod_path(id)))
        .query("path", remote)
        .accept("application/octet-stream")
}

/// `POST /v1/pods/{id}/template`: saves the pod's settings as a template.
pub(crate) fn save_template(id: &str, name: &str, description: Option<&str>) -> Result<ApiRequest> {
    Ok(ApiRequest::post(format!("{}/template", pod_path(id)))
        .json(&json!({ "name": name, "description": description }))?
        .create())
}

/// `GET /v1/templates?type=pod`.
pub(crate) fn list_templates() -> ApiRequest {
    ApiRequest::get("/templates").query("type", "pod")
}

/// `GET /v1/tasks/{id}`.
pub(crate) fn get_task(id: &str) -> ApiRequest {
    ApiRequest::get(format!("/tasks/{}", segment(id)))
}
