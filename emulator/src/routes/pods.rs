//! Pods: lifecycle, exec and tasks, logs (with follow), metrics, events,
//! files, and templates.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The longest exec timeout the emulator keeps: a year (a longer one never fires).
const MAX_EXEC_TIMEOUT_SECS: f64 = 365.0 * 24.0 * 3600.0;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::broadcast;

use super::auth::Auth;
use super::{paginate, required, Check, JsonBody, Q};
use crate::errors::{ApiError, ApiResult};
use crate::shell::{PodFs, Shell};
use crate::state::{gpu, new_id, App, LogMsg, Mount, Phase, Pod, State as Model, Task, Template};
use crate::time::{now_rfc3339, parse_rfc3339};

fn settle_all(st: &mut Model, delay: Duration) {
    for p in st.pods.iter_mut() {
        p.settle(delay);
    }
}

/// Finds a pod the caller may touch (404, then 403), settled to now.
fn pod_mut<'a>(
    st: &'a mut Model,
    auth: &Auth,
    id: &str,
    delay: Duration,
) -> ApiResult<&'a mut Pod> {
    let p = st
        .pod_mut(id)
        .ok_or_else(|| ApiError::not_found("pod", id))?;
    auth.check_owned(&p.project_id)?;
    p.settle(delay);
    Ok(p)
}

/// Arranges for boot completion logs to appear on time.
fn schedule_settle(app: &App, pod_id: &str) {
    let delay = app.cfg.pod_start_delay;
    if delay.is_zero() {
        return;
    }
    let app = app.clone();
    let id = pod_id.to_string();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(p) = app.lock().pod_mut(&id) {
            p.settle(delay);
        }
    });
}

fn boot(p: &mut Pod, restart: bool, delay: Duration) {
    p.phase = Phase::Booting { restart };
    p.phase_since = Instant::now();
    p.boot_settled = false;
    p.updated_at = now_rfc3339();
    p.settle(delay);
}

/// Pod file system view (own root plus mounted volumes).
fn pod_fs(app: &App, p: &Pod) -> PodFs {
    let mut mounts: Vec<(String, PathBuf)> = p
        .volumes
        .iter()
        .map(|m| (m.mount_path.clone(), app.volume_root(&m.volume_id)))
        .collect();
    mounts.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
    PodFs {
        root: app.pod_root(&p.id),
        mounts,
    }
}

// ---------------------------------------------------------------- templates

/// `GET /v1/templates?type=pod`.
pub(crate) async fn list_templates(State(app): State<App>, q: Q) -> Json<Value> {
    let st = app.lock();
    let list: Vec<&Template> = match q.nonempty("type") {
        None | Some("pod") => st.templates.iter().collect(),
        Some(_) => Vec::new(),
    };
    Json(json!({"templates": list, "total": list.len()}))
}

#[derive(Deserialize)]
pub(crate) struct SaveTemplate {
    name: Option<String>,
    description: Option<String>,
}

/// `POST /v1/pods/{id}/template`: a template from a pod's configuration.
pub(crate) async fn save_template(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<SaveTemplate>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    check.finish()?;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, app.cfg.pod_start_delay)?;
    let t = Template {
        id: new_id("tpl"),
        name,
        description: b.description.unwrap_or_default(),
        kind: "pod".into(),
        image: p.image.clone(),
        gpu_type: p.gpu_type.clone(),
        gpu_count: p.gpu_count,
        cpu: p.cpu,
        memory: p.memory,
        disk: p.disk,
        ports: p.ports.clone(),
        env: p.env.clone(),
        created_at: now_rfc3339(),
    };
    st.templates.push(t.clone());
    Ok((StatusCode::CREATED, Json(t)))
}

// ---------------------------------------------------------------- lifecycle

#[derive(Deserialize)]
pub(crate) struct CreatePod {
    name: Option<String>,
    image: Option<String>,
    gpu_type: Option<String>,
    gpu_count: Option<f64>,
    cpu: Option<f64>,
    memory: Option<i64>,
    disk: Option<i64>,
    ports: Option<Vec<i64>>,
    env: Option<BTreeMap<String, String>>,
    command: Option<Value>,
    volumes: Option<Vec<Mount>>,
    labels: Option<BTreeMap<String, String>>,
    project_id: Option<String>,
    template_id: Option<String>,
}

/// A count that may be fractional: `v > lo` when `open_lo`, else `v >= lo`. No upper
/// bound: nothing says what the real service allows.
fn at_least_f(check: &mut Check, field: &str, v: f64, lo: f64, open_lo: bool) -> f64 {
    let low_ok = if open_lo { v > lo } else { v >= lo };
    if !low_ok {
        let l = if open_lo { "above" } else { "at least" };
        check.add(field, &format!("must be {l} {lo}"));
        0.0
    } else {
        v
    }
}

/// A whole number of GB, at least `lo`; the upper bound is only the emulator's
/// integer width (`u32`), as the OpenAPI document says.
fn gigabytes(check: &mut Check, field: &str, v: i64, lo: i64) -> u32 {
    match u32::try_from(v) {
        Ok(n) if v >= lo => n,
        _ => {
            check.add(field, &format!("must be between {lo} and {}", u32::MAX));
            0
        }
    }
}

/// `POST /v1/pods`.
pub(crate) async fn create(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    JsonBody(b): JsonBody<CreatePod>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let tpl = match b.template_id.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(
            st.templates
                .iter()
                .find(|x| x.id == t || x.name == t)
                .cloned()
                .ok_or_else(|| ApiError::not_found("template", t))?,
        ),
        None => None,
    };
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    let image = required(
        &mut check,
        "image",
        &b.image
            .clone()
            .or_else(|| tpl.as_ref().map(|t| t.image.clone())),
    );
    let gpu_count = at_least_f(
        &mut check,
        "gpu_count",
        b.gpu_count
            .or(tpl.as_ref().map(|t| t.gpu_count))
            .unwrap_or(1.0),
        0.0,
        false,
    );
    let cpu = at_least_f(
        &mut check,
        "cpu",
        b.cpu.or(tpl.as_ref().map(|t| t.cpu)).unwrap_or(4.0),
        0.0,
        true,
    );
    let memory = gigabytes(
        &mut check,
        "memory",
        b.memory
            .or(tpl.as_ref().map(|t| t.memory as i64))
            .unwrap_or(16),
        1,
    );
    let disk = gigabytes(
        &mut check,
        "disk",
        b.disk.or(tpl.as_ref().map(|t| t.disk as i64)).unwrap_or(50),
        1,
    );
    let gpu_type = b
        .gpu_type
        .clone()
        .filter(|g| !g.is_empty())
        .or_else(|| tpl.as_ref().and_then(|t| t.gpu_type.clone()))
        .or_else(|| (gpu_count > 0.0).then(|| "A100".to_string()));
    if let Some(g) = &gpu_type {
        if gpu(g).is_none() {
            check.add("gpu_type", &format!("unknown GPU type {g}"));
        }
    }
    let mut ports = Vec::new();
    for p in b.ports.clone().unwrap_or_else(|| {
        tpl.as_ref()
            .map(|t| t.ports.iter().map(|&p| p as i64).collect())
            .unwrap_or_default()
    }) {
        if (1..=65535).contains(&p) {
            if !ports.contains(&(p as u16)) {
                ports.push(p as u16);
            }
        } else {
            check.add("ports", "must be between 1 and 65535");
        }
    }
    let volumes = b.volumes.clone().unwrap_or_default();
    for m in &volumes {
        if crate::shell::clean_abs(&m.mount_path).is_none_or(|c| c.is_empty()) {
            check.add("volumes", "mount_path must be an absolute path below /");
        }
    }
    let command = match &b.command {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Some(_) => {
            check.add("command", "must be a string");
            None
        }
    };
    check.finish()?;
    // like an unknown template_id: a reference to nothing is 404, not a malformed body
    if let Some(m) = volumes
        .iter()
        .find(|m| !st.volumes.iter().any(|v| v.id == m.volume_id))
    {
        return Err(ApiError::not_found("volume", &m.volume_id));
    }
    let project_id = auth.project_for_create(&st, b.project_id.as_deref())?;
    for m in &volumes {
        if let Some(v) = st.volumes.iter().find(|v| v.id == m.volume_id) {
            auth.check_owned(&v.project_id)?;
        }
    }
    let current = st
        .pods
        .iter()
        .filter(|p| p.project_id == project_id)
        .count();
    let quota = app.cfg.pod_quota as usize;
    if current >= quota {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "quota_exceeded",
            format!("pod quota of {quota} reached for project {project_id}"),
        )
        .detail("resource_type", "pods")
        .detail("limit", quota)
        .detail("current", current));
    }
    let hourly = gpu_type
        .as_deref()
        .and_then(gpu)
        .map(|g| (g.3 as f64 * gpu_count).ceil() as i64)
        .unwrap_or(0);
    if st.balance_cents < hourly {
        return Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "insufficient_balance",
            format!(
                "balance of {} cents is below one hour of this pod ({hourly} cents)",
                st.balance_cents
            ),
        )
        .detail("required_cents", hourly)
        .detail("available_cents", st.balance_cents));
    }
    st.pod_seq += 1;
    let now = now_rfc3339();
    let mut env = tpl.as_ref().map(|t| t.env.clone()).unwrap_or_default();
    env.extend(b.env.clone().unwrap_or_default());
    let (log_tx, _) = broadcast::channel(1024);
    let mut pod = Pod {
        id: new_id("pod"),
        seq: st.pod_seq,
        name,
        project_id,
        image,
        gpu_type,
        gpu_count,
        cpu,
        memory,
        disk,
        ports,
        env,
        command,
        volumes,
        labels: b.labels.clone().unwrap_or_default(),
        created_at: now.clone(),
        updated_at: now,
        phase: Phase::Booting { restart: false },
        phase_since: Instant::now(),
        boot_settled: false,
        logs: Vec::new(),
        events: Vec::new(),
        log_tx,
    };
    pod.event("created", format!("Pod {} created", pod.name));
    pod.log(format!("Pulling image {}", pod.image));
    pod.event("pulling", format!("Pulling image {}", pod.image));
    pod.log(format!("Image {} pulled", pod.image));
    pod.log("Creating container");
    pod.settle(delay);
    let root = app.pod_root(&pod.id);
    for v in &pod.volumes {
        let _ = std::fs::create_dir_all(app.volume_root(&v.volume_id));
    }
    let _ = std::fs::create_dir_all(root.join("root"));
    let _ = std::fs::create_dir_all(root.join("workspace"));
    let body = pod.to_json(delay);
    let id = pod.id.clone();
    st.pods.push(pod);
    drop(st);
    schedule_settle(&app, &id);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /v1/pods`.
pub(crate) async fn list(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let page = q.page()?;
    let delay = app.cfg.pod_start_delay;
    let mut labels = Vec::new();
    for l in q.all("label") {
        match l.split_once('=') {
            Some((k, v)) if !k.is_empty() => labels.push((k.to_string(), v.to_string())),
            _ => return Err(ApiError::field("label", "must look like key=value")),
        }
    }
    let statuses: Vec<String> = q
        .nonempty("status")
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
        .unwrap_or_default();
    let mut st = app.lock();
    let project = auth.list_project(&st, q.get("project_id"))?;
    settle_all(&mut st, delay);
    let all: Vec<Value> = st
        .pods
        .iter()
        .filter(|p| auth.can(&p.project_id))
        .filter(|p| project.as_ref().is_none_or(|x| &p.project_id == x))
        .filter(|p| statuses.is_empty() || statuses.iter().any(|s| s == p.status(delay)))
        .filter(|p| labels.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
        .map(|p| p.to_json(delay))
        .collect();
    let total = all.len();
    Ok(Json(json!({"pods": paginate(all, page), "total": total})))
}

/// `GET /v1/pods/{id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    Ok(Json(pod_mut(&mut st, &auth, &id, delay)?.to_json(delay)))
}

/// `POST /v1/pods/{id}/start`: stopped or failed → pending.
pub(crate) async fn start(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let status = p.status(delay);
    if !matches!(status, "stopped" | "failed") {
        return Err(ApiError::conflict_state(
            format!("pod {id} is {status}; only a stopped pod can be started"),
            status,
        ));
    }
    p.log("Starting container");
    p.event("starting", "Pod start requested");
    boot(p, false, delay);
    let body = p.to_json(delay);
    drop(st);
    schedule_settle(&app, &id);
    Ok(Json(body))
}

#[derive(Deserialize)]
pub(crate) struct StopBody {
    #[serde(default)]
    force: bool,
}

/// `POST /v1/pods/{id}/stop`.
pub(crate) async fn stop(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StopBody>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let status = p.status(delay);
    if !matches!(status, "running" | "starting" | "pending" | "restarting") {
        return Err(ApiError::conflict_state(
            format!("pod {id} is {status}; it cannot be stopped"),
            status,
        ));
    }
    p.log(if b.force {
        "Killing container"
    } else {
        "Stopping container"
    });
    p.log("Container stopped");
    p.event(
        "stopped",
        if b.force {
            "Pod force-stopped"
        } else {
            "Pod stopped"
        },
    );
    p.phase = Phase::Stopped;
    p.phase_since = Instant::now();
    p.updated_at = now_rfc3339();
    let _ = p.log_tx.send(LogMsg::End);
    Ok(Json(p.to_json(delay)))
}

/// `POST /v1/pods/{id}/restart`: running → restarting → running.
pub(crate) async fn restart(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let status = p.status(delay);
    if status != "running" {
        return Err(ApiError::conflict_state(
            format!("pod {id} is {status}; only a running pod can be restarted"),
            status,
        ));
    }
    p.log("Restarting container");
    p.event("restarting", "Pod restart requested");
    boot(p, true, delay);
    let body = p.to_json(delay);
    drop(st);
    schedule_settle(&app, &id);
    Ok(Json(body))
}

/// `DELETE /v1/pods/{id}?force=true`.
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let delay = app.cfg.pod_start_delay;
    let force = q.bool("force")?;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let status = p.status(delay);
    if status == "running" && !force {
        return Err(ApiError::conflict_state(
            format!("pod {id} is running; stop it first or pass force=true"),
            status,
        ));
    }
    let _ = p.log_tx.send(LogMsg::End);
    st.pods.retain(|p| p.id != id);
    drop(st);
    let root = app.pod_root(&id);
    tokio::spawn(async move {
        let _ = tokio::fs::remove_dir_all(root).await;
    });
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- exec

#[derive(Deserialize)]
pub(crate) struct ExecBody {
    command: Option<Value>,
    timeout: Option<f64>,
    #[serde(default)]
    detach: bool,
}

fn running_pod<'a>(
    st: &'a mut Model,
    auth: &Auth,
    id: &str,
    delay: Duration,
) -> ApiResult<&'a mut Pod> {
    let p = pod_mut(st, auth, id, delay)?;
    let status = p.status(delay);
    if status != "running" {
        return Err(ApiError::conflict_state(
            format!("pod {id} is {status}, not running"),
            status,
        ));
    }
    Ok(p)
}

fn append_exec_logs(app: &App, pod_id: &str, out: &crate::shell::ExecOut) {
    if let Some(p) = app.lock().pod_mut(pod_id) {
        for line in out.output.lines().chain(out.error.lines()) {
            p.log(line.to_string());
        }
    }
}

/// `POST /v1/pods/{id}/exec`: run now (200) or detached (202 Task).
pub(crate) async fn exec(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ExecBody>,
) -> ApiResult<Response> {
    let delay = app.cfg.pod_start_delay;
    let command = match &b.command {
        Some(Value::String(s)) if !s.chars().all(|c| c.is_ascii_whitespace()) => s.clone(),
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => return Err(ApiError::field("command", "must not be empty")),
    };
    // No upper bound (nothing says what the real service allows); beyond a year the
    // emulator simply never times the command out.
    let timeout = match b.timeout {
        None => Duration::from_secs(if b.detach { 3600 } else { 60 }),
        Some(t) if t > 0.0 => Duration::from_secs_f64(t.min(MAX_EXEC_TIMEOUT_SECS)),
        Some(_) => return Err(ApiError::field("timeout", "must be above 0 seconds")),
    };
    let (shell, task) = {
        let mut st = app.lock();
        let p = running_pod(&mut st, &auth, &id, delay)?;
        let shell = Shell {
            fs: pod_fs(&app, p),
            gpu_type: p.gpu_type.clone(),
            gpu_count: p.gpu_count.ceil() as u32,
            hostname: p.name.clone(),
            cpu: p.cpu.ceil().max(1.0) as u32,
            env: p.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            timeout,
        };
        let task = b.detach.then(|| Task {
            id: new_id("task"),
            pod_id: id.clone(),
            state: "queued".into(),
            exit_code: None,
            output: None,
            error: None,
            created_at: now_rfc3339(),
            finished_at: None,
            project_id: p.project_id.clone(),
        });
        if let Some(t) = &task {
            st.tasks.insert(t.id.clone(), t.clone());
        }
        (shell, task)
    };
    let Some(task) = task else {
        let out = shell.run(&command).await;
        append_exec_logs(&app, &id, &out);
        return Ok(Json(json!({
            "exit_code": out.exit_code,
            "output": out.output,
            "error": out.error,
        }))
        .into_response());
    };
    let app2 = app.clone();
    let task_id = task.id.clone();
    tokio::spawn(async move {
        if let Some(t) = app2.lock().tasks.get_mut(&task_id) {
            t.state = "running".into();
        }
        let out = shell.run(&command).await;
        append_exec_logs(&app2, &id, &out);
        if let Some(t) = app2.lock().tasks.get_mut(&task_id) {
            t.state = if out.exit_code == 0 {
                "succeeded"
            } else {
                "failed"
            }
            .into();
            t.exit_code = Some(out.exit_code);
            t.output = Some(out.output);
            t.error = Some(out.error);
            t.finished_at = Some(now_rfc3339());
        }
    });
    Ok((StatusCode::ACCEPTED, Json(task)).into_response())
}

/// `GET /v1/tasks/{id}`.
pub(crate) async fn get_task(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Task>> {
    let st = app.lock();
    let t = st
        .tasks
        .get(&id)
        .ok_or_else(|| ApiError::not_found("task", &id))?;
    auth.check_owned(&t.project_id)?;
    Ok(Json(t.clone()))
}

// ---------------------------------------------------------------- logs, metrics, events

/// `GET /v1/pods/{id}/logs?tail&since&follow`.
pub(crate) async fn logs(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<Response> {
    let delay = app.cfg.pod_start_delay;
    let tail = q.u64("tail")?;
    let since = match q.get("since") {
        None => None,
        Some(s) => Some(
            parse_rfc3339(s).ok_or_else(|| ApiError::field("since", "must be an RFC 3339 time"))?,
        ),
    };
    let follow = q.bool("follow")?;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let mut lines: Vec<String> = p
        .logs
        .iter()
        .filter(|l| since.is_none_or(|s| l.ts >= s))
        .map(|l| l.text.clone())
        .collect();
    if let Some(t) = tail {
        let skip = lines.len().saturating_sub(t as usize);
        lines.drain(..skip);
    }
    let ended = matches!(p.status(delay), "stopped" | "failed");
    let text_plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    if !follow || ended {
        let mut body = lines.join("\n");
        if !body.is_empty() {
            body.push('\n');
        }
        return Ok((text_plain, body).into_response());
    }
    let rx = p.log_tx.subscribe();
    drop(st);
    let initial: VecDeque<String> = lines.into();
    let stream =
        futures_util::stream::unfold((initial, Some(rx)), |(mut initial, rx)| async move {
            if let Some(line) = initial.pop_front() {
                return Some((Ok::<_, std::io::Error>(format!("{line}\n")), (initial, rx)));
            }
            let mut rx = rx?;
            loop {
                match rx.recv().await {
                    Ok(LogMsg::Line(l)) => {
                        return Some((Ok(format!("{l}\n")), (initial, Some(rx))))
                    }
                    Ok(LogMsg::End) | Err(broadcast::error::RecvError::Closed) => return None,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                }
            }
        });
    Ok((text_plain, Body::from_stream(stream)).into_response())
}

/// `GET /v1/pods/{id}/metrics` (zeros unless running).
pub(crate) async fn metrics(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    let gpu_total = p
        .gpu_type
        .as_deref()
        .and_then(gpu)
        .map(|g| g.2)
        .unwrap_or(0) as f64
        * p.gpu_count;
    let running = p.status(delay) == "running";
    let r = |lo: f64, hi: f64| {
        if running {
            lo + fastrand::f64() * (hi - lo)
        } else {
            0.0
        }
    };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    let gpu_util = if p.gpu_count > 0.0 {
        r(35.0, 95.0)
    } else {
        0.0
    };
    Ok(Json(json!({
        "gpu_utilization": round(gpu_util),
        "gpu_memory_used": round(gpu_total * r(0.2, 0.8)),
        "gpu_memory_total": gpu_total,
        "cpu_usage": round(r(5.0, 60.0)),
        "memory_used": round(p.memory as f64 * r(0.1, 0.6)),
        "memory_total": p.memory as f64,
        "timestamp": now_rfc3339(),
    })))
}

/// `GET /v1/pods/{id}/events`.
pub(crate) async fn events(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let mut st = app.lock();
    let p = pod_mut(&mut st, &auth, &id, delay)?;
    Ok(Json(json!({ "events": p.events })))
}

// ---------------------------------------------------------------- files

fn file_target(app: &App, auth: &Auth, id: &str, q: &Q) -> ApiResult<(String, PodFs)> {
    let delay = app.cfg.pod_start_delay;
    let path = q
        .nonempty("path")
        .ok_or_else(|| ApiError::field("path", "is required"))?
        .to_string();
    if crate::shell::clean_abs(&path).is_none() {
        return Err(ApiError::field(
            "path",
            "must be an absolute path without '..'",
        ));
    }
    let mut st = app.lock();
    let p = running_pod(&mut st, auth, id, delay)?;
    Ok((path, pod_fs(app, p)))
}

/// `PUT /v1/pods/{id}/files?path=/abs`: streams the body to disk.
pub(crate) async fn put_file(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
    body: Body,
) -> ApiResult<StatusCode> {
    let (path, fs) = file_target(&app, &auth, &id, &q)?;
    let host = fs
        .resolve(&path)
        .ok_or_else(|| ApiError::field("path", "invalid path"))?;
    if path.ends_with('/') {
        return Err(ApiError::field("path", "must not end with /"));
    }
    if host.is_dir() {
        return Err(ApiError::conflict_state(
            format!("{path} is a directory"),
            "directory",
        ));
    }
    if let Some(parent) = host.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let tmp = host.with_extension(format!("upload-{}", crate::state::rand_hex(4)));
    let mut file = tokio::fs::File::create(&tmp).await?;
    file.set_max_buf_size(64 * 1024);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => file.write_all(&c).await?,
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(ApiError::bad_request(format!("upload interrupted: {e}")));
            }
        }
    }
    file.flush().await?;
    drop(file);
    tokio::fs::rename(&tmp, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/pods/{id}/files?path=/abs`: streams the file.
pub(crate) async fn get_file(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<Response> {
    let (path, fs) = file_target(&app, &auth, &id, &q)?;
    let host = fs
        .resolve(&path)
        .ok_or_else(|| ApiError::field("path", "invalid path"))?;
    if host.is_dir() {
        return Err(ApiError::conflict_state(
            format!("{path} is a directory"),
            "directory",
        ));
    }
    let file = match tokio::fs::File::open(&host).await {
        Ok(f) => f,
        Err(_) => return Err(ApiError::not_found("file", &path)),
    };
    let len = file.metadata().await?.len();
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn walk(dir: &std::path::Path, prefix: &str, out: &mut Vec<Value>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.contains(".upload-") {
            continue;
        }
        let p = format!("{}/{}", prefix.trim_end_matches('/'), name);
        let Ok(meta) = e.metadata() else { continue };
        out.push(json!({"path": p, "size": if meta.is_dir() { 0 } else { meta.len() }, "is_dir": meta.is_dir()}));
        if meta.is_dir() {
            walk(&e.path(), &p, out);
        }
    }
}

/// `GET /v1/pods/{id}/files/list?path=/dir`: recursive listing.
pub(crate) async fn list_files(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let delay = app.cfg.pod_start_delay;
    let path = q.nonempty("path").unwrap_or("/").to_string();
    let parts = crate::shell::clean_abs(&path)
        .ok_or_else(|| ApiError::field("path", "must be an absolute path without '..'"))?;
    let norm = format!("/{}", parts.join("/"));
    let fs = {
        let mut st = app.lock();
        let p = running_pod(&mut st, &auth, &id, delay)?;
        pod_fs(&app, p)
    };
    let host = fs
        .resolve(&norm)
        .ok_or_else(|| ApiError::field("path", "invalid path"))?;
    let mounts_below: Vec<_> = fs
        .mounts
        .iter()
        .filter(|(m, _)| norm == "/" || m.starts_with(&format!("{norm}/")))
        .cloned()
        .collect();
    if !host.is_dir() && mounts_below.is_empty() {
        if host.is_file() {
            return Err(ApiError::field("path", "is not a directory"));
        }
        return Err(ApiError::not_found("directory", &norm));
    }
    let entries = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        walk(&host, &norm, &mut out);
        for (m, dir) in mounts_below {
            out.push(json!({"path": m, "size": 0, "is_dir": true}));
            walk(&dir, &m, &mut out);
        }
        out.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        out.dedup_by(|a, b| a["path"] == b["path"]);
        out
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(json!({ "entries": entries })))
}
