//! The in-memory model of the emulated account: tokens, projects, pods, tasks,
//! templates, buckets, volumes, plus the knobs (faults, stats) shared with the handle.
//!
//! Everything lives behind one `std::sync::Mutex` that is never held across an
//! `.await`. Byte payloads (pod files, objects, parts) live on disk under a
//! temporary directory owned by [`Shared`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::time::{now_rfc3339, now_secs};
use crate::Fault;

/// Shared state handle given to every handler.
pub(crate) type App = Arc<Shared>;

/// Configuration fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub pod_start_delay: Duration,
    pub rate_limit_per_token: Option<u32>,
    pub pod_quota: u32,
}

/// Everything the server and the handle share.
pub(crate) struct Shared {
    pub cfg: Config,
    pub endpoint: String,
    pub data_dir: tempfile::TempDir,
    pub inner: Mutex<State>,
    /// Queued faults, each for any route (`None`) or one `"METHOD /template"`.
    pub faults: Mutex<VecDeque<(Option<String>, Fault)>>,
    /// Bytes per second per connection and direction; 0 is unlimited.
    pub bandwidth: Arc<AtomicU64>,
    /// Key of presigned URL signatures.
    pub presign_secret: String,
    pub connections: AtomicU64,
    pub stats: Mutex<BTreeMap<String, u64>>,
}

impl Shared {
    /// Locks the model, recovering from a poisoned lock (a handler never panics
    /// on purpose, but a poisoned mutex must not take the emulator down).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn pod_root(&self, pod_id: &str) -> PathBuf {
        self.data_dir.path().join("pods").join(pod_id)
    }

    pub fn volume_root(&self, vol_id: &str) -> PathBuf {
        self.data_dir.path().join("volumes").join(vol_id)
    }

    pub fn blob_path(&self, blob: &str) -> PathBuf {
        self.data_dir.path().join("blobs").join(blob)
    }

    pub fn upload_dir(&self, upload_id: &str) -> PathBuf {
        self.data_dir.path().join("uploads").join(upload_id)
    }
}

/// Random lowercase hex of `n` bytes.
pub(crate) fn rand_hex(n: usize) -> String {
    let mut s = String::with_capacity(n * 2);
    for _ in 0..n {
        s.push_str(&format!("{:02x}", fastrand::u8(..)));
    }
    s
}

/// A new id like `pod_1a2b3c4d5e6f`.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", rand_hex(6))
}

/// The single emulated user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub account_id: String,
}

/// An API token and what it may do.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub projects: Option<Vec<String>>,
    pub expires_at: Option<i64>,
}

/// A project.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Project {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A volume mounted into a pod.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct Mount {
    pub volume_id: String,
    pub mount_path: String,
}

/// What the pod is doing; the visible status is derived from it and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Booting after create/start (`restart == false`) or restart.
    Booting {
        restart: bool,
    },
    Stopped,
}

/// One pod log line.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    pub ts: i64,
    pub text: String,
}

/// What follow-log streams receive.
#[derive(Debug, Clone)]
pub(crate) enum LogMsg {
    Line(String),
    End,
}

/// A pod event.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PodEvent {
    pub timestamp: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

/// A pod and its private bookkeeping.
#[derive(Debug)]
pub(crate) struct Pod {
    pub id: String,
    pub seq: u64,
    pub name: String,
    pub project_id: String,
    pub image: String,
    pub gpu_type: Option<String>,
    /// May be fractional (a GPU share).
    pub gpu_count: f64,
    /// May be fractional (`0.5` vCPU).
    pub cpu: f64,
    pub memory: u32,
    pub disk: u32,
    pub ports: Vec<u16>,
    pub env: BTreeMap<String, String>,
    pub command: Option<String>,
    pub volumes: Vec<Mount>,
    pub labels: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub phase: Phase,
    pub phase_since: Instant,
    pub boot_settled: bool,
    pub logs: Vec<LogLine>,
    pub events: Vec<PodEvent>,
    pub log_tx: broadcast::Sender<LogMsg>,
}

impl Pod {
    /// Whether booting ends in `failed` (the image name contains "fail").
    pub fn fails(&self) -> bool {
        self.image.contains("fail")
    }

    /// The visible status at this instant.
    pub fn status(&self, delay: Duration) -> &'static str {
        match self.phase {
            Phase::Stopped => "stopped",
            Phase::Booting { restart } => {
                let e = self.phase_since.elapsed();
                if e >= delay {
                    if self.fails() {
                        "failed"
                    } else {
                        "running"
                    }
                } else if restart {
                    "restarting"
                } else if e < delay / 2 {
                    "pending"
                } else {
                    "starting"
                }
            }
        }
    }

    pub fn log(&mut self, text: impl Into<String>) {
        let text = text.into();
        let _ = self.log_tx.send(LogMsg::Line(text.clone()));
        self.logs.push(LogLine {
            ts: now_secs(),
            text,
        });
    }

    pub fn event(&mut self, kind: &str, message: impl Into<String>) {
        self.events.push(PodEvent {
            timestamp: now_rfc3339(),
            kind: kind.to_string(),
            message: message.into(),
        });
    }

    /// Records the end of booting (logs and events) once it has happened.
    pub fn settle(&mut self, delay: Duration) {
        if self.boot_settled {
            return;
        }
        if let Phase::Booting { .. } = self.phase {
            if self.phase_since.elapsed() >= delay {
                self.boot_settled = true;
                if self.fails() {
                    self.log("Error: container exited with code 1");
                    self.event("failed", "Container exited with code 1");
                    let _ = self.log_tx.send(LogMsg::End);
                } else {
                    self.log("Container started");
                    self.event("started", "Container started");
                }
            }
        }
    }

    /// The pod as the wire shows it.
    pub fn to_json(&self, delay: Duration) -> Value {
        let ssh_port = 20_000 + self.seq;
        let jupyter = if self.ports.contains(&8888) {
            Value::String(format!(
                "http://127.0.0.1:{}/lab?token={}",
                30_000 + self.seq,
                &self.id[4..]
            ))
        } else {
            Value::Null
        };
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "project_id": self.project_id,
            "image": self.image,
            "status": self.status(delay),
            "gpu_type": self.gpu_type,
            "gpu_count": num(self.gpu_count),
            "cpu": num(self.cpu),
            "memory": self.memory,
            "disk": self.disk,
            "ports": self.ports,
            "env": self.env,
            "command": self.command,
            "volumes": self.volumes,
            "labels": self.labels,
            "ssh_command": format!("ssh root@127.0.0.1 -p {ssh_port} -i ~/.ssh/id_ed25519"),
            "jupyter_url": jupyter,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// A count that may be fractional (`cpu`, `gpu_count`) as JSON: an integer
/// when it is whole (`4`, not `4.0`), else the number (`0.5`).
pub(crate) fn num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

fn ser_num<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    num(*x).serialize(s)
}

/// A detached exec.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Task {
    pub id: String,
    pub pod_id: String,
    pub state: String,
    pub exit_code: Option<i32>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    #[serde(skip)]
    pub project_id: String,
}

/// A pod template.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub image: String,
    pub gpu_type: Option<String>,
    #[serde(serialize_with = "ser_num")]
    pub gpu_count: f64,
    #[serde(serialize_with = "ser_num")]
    pub cpu: f64,
    pub memory: u32,
    pub disk: u32,
    pub ports: Vec<u16>,
    pub env: BTreeMap<String, String>,
    pub created_at: String,
}

/// A stored object; its bytes are in the blob file.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub key: String,
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the content.
    pub etag: String,
    /// Unix seconds.
    pub modified: i64,
    pub blob: String,
}

impl Object {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "path": self.key,
            "size_bytes": self.size_bytes,
            "etag": self.etag,
            "last_modified": crate::time::fmt_rfc3339(self.modified),
        })
    }
}

/// A bucket (scoped to a project) and its objects.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub description: String,
    pub region: String,
    pub is_public: bool,
    pub versioning: bool,
    pub max_size_gb: Option<u64>,
    pub created_at: String,
    pub objects: BTreeMap<String, Object>,
    pub access_key: String,
    pub secret_key: String,
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub id: String,
    pub bucket_id: String,
    pub key: String,
    /// part number → (etag, size)
    pub parts: BTreeMap<u32, (String, u64)>,
}

/// An NFS volume.
#[derive(Debug, Clone)]
pub(crate) struct Volume {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub quota_gb: u64,
    pub nfs_enabled: bool,
    pub billing_period: String,
    pub created_at: String,
}

/// A stored answer for an idempotency key.
#[derive(Debug, Clone)]
pub(crate) struct Replay {
    /// The `id` (or `upload_id`) the answer created: deleting it forgets the replay.
    pub resource: Option<String>,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// The whole emulated account.
#[derive(Debug)]
pub(crate) struct State {
    pub user: User,
    pub balance_cents: i64,
    pub wallet_updated: String,
    pub tokens: HashMap<String, TokenInfo>,
    pub projects: Vec<Project>,
    pub pods: Vec<Pod>,
    pub pod_seq: u64,
    pub tasks: HashMap<String, Task>,
    pub templates: Vec<Template>,
    pub buckets: Vec<Bucket>,
    pub uploads: HashMap<String, Upload>,
    pub volumes: Vec<Volume>,
    /// (token, key, request fingerprint) → the first successful answer.
    pub idempotency: HashMap<(String, String, String), Replay>,
    /// token → (unix second, requests in that second)
    pub rate: HashMap<String, (i64, u32)>,
}

/// GPU catalogue: (type, name, memory_gb, price_per_hour_cents, total).
pub(crate) const GPUS: &[(&str, &str, u32, i64, u32)] = &[
    ("A100", "NVIDIA A100 80GB", 80, 189, 64),
    ("H100", "NVIDIA H100 80GB HBM3", 80, 349, 32),
    ("RTX4090", "NVIDIA GeForce RTX 4090", 24, 69, 48),
    ("T4", "NVIDIA T4 16GB", 16, 29, 96),
];

/// The catalogue row of a GPU type.
pub(crate) fn gpu(kind: &str) -> Option<&'static (&'static str, &'static str, u32, i64, u32)> {
    GPUS.iter().find(|g| g.0 == kind)
}

/// A token string in the `podstack_<prefix>_<secret>` format, and its prefix.
pub(crate) fn new_token_string() -> (String, String) {
    let prefix = rand_hex(4);
    (format!("podstack_{prefix}_{}", rand_hex(16)), prefix)
}

impl State {
    /// The seeded account: demo user, one project, two templates.
    pub fn seed(balance_cents: i64) -> (State, String, String) {
        let now = now_rfc3339();
        let project = Project {
            id: new_id("prj"),
            name: "demo".into(),
            description: "Seeded demo project".into(),
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let (token, prefix) = new_token_string();
        let mut tokens = HashMap::new();
        tokens.insert(
            token.clone(),
            TokenInfo {
                name: "demo".into(),
                prefix,
                scopes: vec!["*".into()],
                projects: None,
                expires_at: None,
            },
        );
        let tpl = |name: &str, desc: &str, image: &str, gpu: &str, mem: u32, disk: u32| Template {
            id: new_id("tpl"),
            name: name.into(),
            description: desc.into(),
            kind: "pod".into(),
            image: image.into(),
            gpu_type: Some(gpu.into()),
            gpu_count: 1.0,
            cpu: 8.0,
            memory: mem,
            disk,
            ports: vec![22, 8888],
            env: BTreeMap::new(),
            created_at: now.clone(),
        };
        let templates = vec![
            tpl(
                "pytorch-2.4",
                "PyTorch 2.4 with CUDA 12.1 and JupyterLab",
                "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime",
                "A100",
                32,
                100,
            ),
            tpl(
                "tensorflow-2.16",
                "TensorFlow 2.16 GPU with JupyterLab",
                "tensorflow/tensorflow:2.16.1-gpu-jupyter",
                "RTX4090",
                24,
                80,
            ),
        ];
        let pid = project.id.clone();
        let state = State {
            user: User {
                id: new_id("usr"),
                email: "demo@podstack.local".into(),
                name: "Demo User".into(),
                account_id: new_id("acc"),
            },
            balance_cents,
            wallet_updated: now,
            tokens,
            projects: vec![project],
            pods: Vec::new(),
            pod_seq: 0,
            tasks: HashMap::new(),
            templates,
            buckets: Vec::new(),
            uploads: HashMap::new(),
            volumes: Vec::new(),
            idempotency: HashMap::new(),
            rate: HashMap::new(),
        };
        (state, token, pid)
    }

    pub fn pod_mut(&mut self, id: &str) -> Option<&mut Pod> {
        self.pods.iter_mut().find(|p| p.id == id)
    }

    /// A bucket of a project, by id or by name.
    pub fn bucket(&self, project: &str, id: &str) -> Option<&Bucket> {
        let mine = || self.buckets.iter().filter(|b| b.project_id == project);
        mine()
            .find(|b| b.id == id)
            .or_else(|| mine().find(|b| b.name == id))
    }

    /// A bucket of a project, by id or by name, for changing.
    pub fn bucket_mut(&mut self, project: &str, id: &str) -> Option<&mut Bucket> {
        let idx = self.bucket(project, id).map(|b| b.id.clone())?;
        self.buckets.iter_mut().find(|b| b.id == idx)
    }
}
