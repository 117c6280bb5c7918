//! Pod types: what the API answers and what a create sends.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::{tolerant, Listing, Page};

/// A GPU container.
///
/// Read tolerantly (see the contract's "tolerant reading"): only `id` is required;
/// any other field may be absent or `null` (its default), numbers may come as strings,
/// and CPU and GPU counts may be fractional.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Pod {
    /// Pod id, `pod_…`.
    #[serde(deserialize_with = "tolerant::identity")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub name: String,
    /// The project that owns it.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub project_id: Option<String>,
    /// Container image.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub image: String,
    /// Lifecycle state (`PodStatus::Other("")` when the answer had none).
    #[serde(default = "PodStatus::unknown")]
    pub status: PodStatus,
    /// GPU type, e.g. `A100`; `None` for a CPU-only pod.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub gpu_type: Option<String>,
    /// Number of GPUs; may be fractional (a shared GPU).
    #[serde(default, deserialize_with = "tolerant::value")]
    pub gpu_count: f64,
    /// CPU cores; may be fractional (`0.5`).
    #[serde(default, deserialize_with = "tolerant::value")]
    pub cpu: f64,
    /// Memory, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub memory: u32,
    /// Disk, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub disk: u32,
    /// Exposed ports.
    #[serde(default, deserialize_with = "tolerant::list")]
    pub ports: Vec<u16>,
    /// Environment variables.
    #[serde(default, deserialize_with = "tolerant::string_map")]
    pub env: BTreeMap<String, String>,
    /// Start-up command.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub command: Option<String>,
    /// Mounted volumes.
    #[serde(default, deserialize_with = "tolerant::seq")]
    pub volumes: Vec<VolumeMount>,
    /// Labels.
    #[serde(default, deserialize_with = "tolerant::string_map")]
    pub labels: BTreeMap<String, String>,
    /// The `ssh …` command line that opens a shell in the pod; see
    /// [`Pod::ssh`](Pod::ssh) to run it.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub ssh_command: Option<String>,
    /// Jupyter's URL, when port 8888 is exposed.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub jupyter_url: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub created_at: Option<String>,
    /// Last update time (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub updated_at: Option<String>,
}

impl Pod {
    /// Memory in GB, the name [`NewPod::memory_gb`] sets it by (the field is the
    /// wire's `memory`).
    ///
    /// ```
    /// # fn show(pod: &podstack::Pod) {
    /// println!("{} GB of memory, {} GB of disk", pod.memory_gb(), pod.disk_gb());
    /// # }
    /// ```
    pub fn memory_gb(&self) -> u32 {
        self.memory
    }

    /// Disk in GB, the name [`NewPod::disk_gb`] sets it by (the field is the wire's
    /// `disk`).
    ///
    /// ```
    /// # fn show(pod: &podstack::Pod) {
    /// println!("{} GB of disk", pod.disk_gb());
    /// # }
    /// ```
    pub fn disk_gb(&self) -> u32 {
        self.disk
    }
}

super::datetime_accessors!(Pod, "podstack::Pod" {
    created_at_datetime => created_at, "creation time";
    updated_at_datetime => updated_at, "last update time";
});

/// A pod's lifecycle state. States this SDK does not know yet are kept as
/// [`PodStatus::Other`], never rejected; known ones are recognised whatever their ASCII
/// case (`"Running"` is [`PodStatus::Running`]), in JSON and with [`str::parse`].
/// `Display` and `Serialize` write the wire name.
///
/// ```
/// use podstack::PodStatus;
///
/// let status: PodStatus = "Running".parse().unwrap(); // never fails
/// assert_eq!(status, PodStatus::Running);
/// assert_eq!(status.to_string(), "running");
/// let new: PodStatus = "hibernating".parse().unwrap();
/// assert_eq!(new, PodStatus::Other("hibernating".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PodStatus {
    /// Accepted, waiting for a machine.
    Pending,
    /// The container is starting.
    Starting,
    /// Up; exec, files and logs work.
    Running,
    /// Shutting down.
    Stopping,
    /// Stopped; configuration kept, GPU billing paused.
    Stopped,
    /// Restarting.
    Restarting,
    /// Failed to start or crashed.
    Failed,
    /// Being deleted.
    Deleting,
    /// A state this version of the SDK does not know.
    Other(String),
}

impl PodStatus {
    /// The wire name, e.g. `"running"`; an unknown state's name as it came.
    ///
    /// ```
    /// assert_eq!(podstack::PodStatus::Stopped.as_str(), "stopped");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            PodStatus::Pending => "pending",
            PodStatus::Starting => "starting",
            PodStatus::Running => "running",
            PodStatus::Stopping => "stopping",
            PodStatus::Stopped => "stopped",
            PodStatus::Restarting => "restarting",
            PodStatus::Failed => "failed",
            PodStatus::Deleting => "deleting",
            PodStatus::Other(other) => other,
        }
    }

    /// The state for a wire name, ignoring ASCII case and surrounding white space;
    /// an unknown name is kept as it came in [`PodStatus::Other`].
    fn from_wire(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "pending" => PodStatus::Pending,
            "starting" => PodStatus::Starting,
            "running" => PodStatus::Running,
            "stopping" => PodStatus::Stopping,
            "stopped" => PodStatus::Stopped,
            "restarting" => PodStatus::Restarting,
            "failed" => PodStatus::Failed,
            "deleting" => PodStatus::Deleting,
            _ => PodStatus::Other(value.to_owned()),
        }
    }

    /// The state of an answer that named none.
    fn unknown() -> Self {
        PodStatus::Other(String::new())
    }
}

impl fmt::Display for PodStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PodStatus {
    type Err = Infallible;

    /// The state for a name, ignoring ASCII case and surrounding white space; an
    /// unknown name is kept as it came in [`PodStatus::Other`]. Never fails.
    fn from_str(value: &str) -> Result<Self, Infallible> {
        Ok(PodStatus::from_wire(value))
    }
}

impl<'de> Deserialize<'de> for PodStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value: String = tolerant::enum_text(deserializer)?;
        Ok(PodStatus::from_wire(&value))
    }
}

impl Serialize for PodStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A volume mounted into a pod.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct VolumeMount {
    /// The volume's id, `vol_…`.
    #[serde(deserialize_with = "tolerant::identity")]
    pub volume_id: String,
    /// Where it appears in the pod, e.g. `/data`.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub mount_path: String,
}

impl VolumeMount {
    /// Mounts `volume_id` at `mount_path`.
    ///
    /// ```
    /// let mount = podstack::VolumeMount::new("vol_123", "/data");
    /// assert_eq!(mount.mount_path, "/data");
    /// ```
    pub fn new(volume_id: impl Into<String>, mount_path: impl Into<String>) -> Self {
        VolumeMount {
            volume_id: volume_id.into(),
            mount_path: mount_path.into(),
        }
    }
}

/// What to create: the body of `POST /v1/pods`. Unset fields are left to the server's
/// defaults (1 GPU, 4 CPUs, 16 GB memory, 50 GB disk).
///
/// ```
/// use podstack::{NewPod, VolumeMount};
///
/// let pod = NewPod::new("training-pod", "pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime")
///     .project_id("project-id")
///     .gpu_type("A100")
///     .gpu_count(2)
///     .cpu(8)
///     .memory_gb(64)
///     .disk_gb(200)
///     .ports([8888, 6006])
///     .env("HF_TOKEN", "your-token")
///     .command("jupyter lab --ip=0.0.0.0 --allow-root")
///     .volume(VolumeMount::new("vol-123", "/data"))
///     .label("team", "ml");
/// # let _ = pod;
/// ```
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[non_exhaustive]
pub struct NewPod {
    /// Name (required).
    pub name: String,
    /// Container image (required unless created from a template).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// GPU type, e.g. `A100`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_type: Option<String>,
    /// Number of GPUs; may be fractional. Sent as an integer when whole.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "tolerant::integral_number"
    )]
    pub gpu_count: Option<f64>,
    /// CPU cores; may be fractional. Sent as an integer when whole.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "tolerant::integral_number"
    )]
    pub cpu: Option<f64>,
    /// Memory, GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// Disk, GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<u32>,
    /// Ports to expose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// Environment variables.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Start-up command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Volumes to mount.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeMount>,
    /// Labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The project to create it in, instead of the client's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The template to start from; the other fields override it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
}

impl NewPod {
    /// Refuses numbers JSON cannot carry or no pod can have before anything is sent:
    /// serde writes `NaN` and the infinities as `null`, which a server may read as its
    /// default (a whole GPU), so a fraction computed as `0.0 / 0.0` would be billed as one.
    pub(crate) fn check_numbers(&self) -> crate::Result<()> {
        let checks = [
            (
                "gpu_count",
                self.gpu_count,
                "NewPod::gpu_count or gpu_fraction",
                true,
            ),
            ("cpu", self.cpu, "NewPod::cpu", false),
        ];
        for (field, value, setter, zero_allowed) in checks {
            let Some(value) = value else { continue };
            let fine = value.is_finite() && (value > 0.0 || (zero_allowed && value == 0.0));
            if !fine {
                let least = if zero_allowed { "0 or more" } else { "above 0" };
                return Err(crate::Error::config(format!(
                    "{field} must be a finite number {least} (got {value}); check the value \
                     given to {setter} (nothing was sent)"
                )));
            }
        }
        Ok(())
    }

    /// A pod with this name and image.
    ///
    /// ```
    /// let pod = podstack::NewPod::new("training-pod", "pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime");
    /// assert_eq!(pod.name, "training-pod");
    /// ```
    pub fn new(name: impl Into<String>, image: impl Into<String>) -> Self {
        NewPod {
            name: name.into(),
            image: Some(image.into()),
            ..NewPod::default()
        }
    }

    /// A pod made from a saved template; set other fields to override the template's.
    ///
    /// ```
    /// let pod = podstack::NewPod::from_template("tpl_123", "copy").gpu_count(4);
    /// assert_eq!(pod.template_id.as_deref(), Some("tpl_123"));
    /// ```
    pub fn from_template(template_id: impl Into<String>, name: impl Into<String>) -> Self {
        NewPod {
            name: name.into(),
            template_id: Some(template_id.into()),
            ..NewPod::default()
        }
    }

    /// The container image.
    ///
    /// ```
    /// let pod = podstack::NewPod::from_template("tpl_123", "copy").image("ubuntu:22.04");
    /// assert_eq!(pod.image.as_deref(), Some("ubuntu:22.04"));
    /// ```
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// The GPU type, e.g. `A100` (see [`Gpus::list`](crate::Gpus::list)).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").gpu_type("A100");
    /// assert_eq!(pod.gpu_type.as_deref(), Some("A100"));
    /// ```
    pub fn gpu_type(mut self, gpu_type: impl Into<String>) -> Self {
        self.gpu_type = Some(gpu_type.into());
        self
    }

    /// The number of whole GPUs, sent as a JSON integer (`"gpu_count": 2`) as the
    /// Python package sends it. For a share of one GPU, see
    /// [`gpu_fraction`](Self::gpu_fraction).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").gpu_count(2);
    /// assert_eq!(pod.gpu_count, Some(2.0));
    /// ```
    pub fn gpu_count(mut self, gpu_count: u32) -> Self {
        self.gpu_count = Some(f64::from(gpu_count));
        self
    }

    /// A fractional number of GPUs (`0.5`: half of a shared GPU), where the service
    /// offers shared GPUs. Sent as a JSON number; a whole value (`2.0`) is sent as an
    /// integer, as [`gpu_count`](Self::gpu_count) sends it.
    ///
    /// ```
    /// let shared = podstack::NewPod::new("p", "pytorch").gpu_fraction(0.5);
    /// assert_eq!(shared.gpu_count, Some(0.5));
    /// ```
    pub fn gpu_fraction(mut self, gpus: f64) -> Self {
        self.gpu_count = Some(gpus);
        self
    }

    /// CPU cores: a whole number (`8`) or a fraction (`0.5`).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").cpu(0.5);
    /// assert_eq!(pod.cpu, Some(0.5));
    /// ```
    pub fn cpu(mut self, cpu: impl Into<f64>) -> Self {
        self.cpu = Some(cpu.into());
        self
    }

    #[doc(alias = "memory")]
    /// Memory in GB (the wire's `memory`; [`Pod::memory_gb`] reads it back).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").memory_gb(64);
    /// assert_eq!(pod.memory, Some(64));
    /// ```
    pub fn memory_gb(mut self, memory: u32) -> Self {
        self.memory = Some(memory);
        self
    }

    #[doc(alias = "disk")]
    /// Disk in GB (the wire's `disk`; [`Pod::disk_gb`] reads it back).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").disk_gb(200);
    /// assert_eq!(pod.disk, Some(200));
    /// ```
    pub fn disk_gb(mut self, disk: u32) -> Self {
        self.disk = Some(disk);
        self
    }

    /// Ports to expose (e.g. 8888 for Jupyter).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").ports([8888, 6006]);
    /// assert_eq!(pod.ports, [8888, 6006]);
    /// ```
    pub fn ports(mut self, ports: impl IntoIterator<Item = u16>) -> Self {
        self.ports.extend(ports);
        self
    }

    /// Sets an environment variable.
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").env("HF_HOME", "/data/hf");
    /// assert_eq!(pod.env["HF_HOME"], "/data/hf");
    /// ```
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// The start-up command.
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").command("python train.py");
    /// assert_eq!(pod.command.as_deref(), Some("python train.py"));
    /// ```
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }

    #[doc(alias = "volumes")]
    /// Mounts a volume.
    ///
    /// ```
    /// use podstack::{NewPod, VolumeMount};
    ///
    /// let pod = NewPod::new("p", "pytorch").volume(VolumeMount::new("vol_123", "/data"));
    /// assert_eq!(pod.volumes.len(), 1);
    /// ```
    pub fn volume(mut self, mount: VolumeMount) -> Self {
        self.volumes.push(mount);
        self
    }

    #[doc(alias = "labels")]
    /// Sets a label.
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").label("team", "ml");
    /// assert_eq!(pod.labels["team"], "ml");
    /// ```
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(name.into(), value.into());
        self
    }

    /// Creates the pod in this project instead of the client's (sent in the body and
    /// as `X-Project-Id`).
    ///
    /// ```
    /// let pod = podstack::NewPod::new("p", "pytorch").project_id("prj_123");
    /// assert_eq!(pod.project_id.as_deref(), Some("prj_123"));
    /// ```
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }
}

/// Which pods [`Pods::list`](crate::Pods::list) returns.
///
/// ```
/// use podstack::{PodFilter, PodStatus};
///
/// let running_ml = PodFilter::new().status(PodStatus::Running).label("team", "ml");
/// # let _ = running_ml;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct PodFilter {
    /// Only pods in this state.
    pub status: Option<PodStatus>,
    /// Only pods of this project.
    pub project_id: Option<String>,
    /// Only pods with all of these labels.
    pub labels: BTreeMap<String, String>,
}

impl PodFilter {
    /// Every pod.
    ///
    /// ```
    /// let every_pod = podstack::PodFilter::new();
    /// assert_eq!(every_pod.status, None);
    /// ```
    pub fn new() -> Self {
        PodFilter::default()
    }

    /// Only pods in this state.
    ///
    /// ```
    /// use podstack::{PodFilter, PodStatus};
    ///
    /// let running = PodFilter::new().status(PodStatus::Running);
    /// assert_eq!(running.status, Some(PodStatus::Running));
    /// ```
    pub fn status(mut self, status: PodStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only pods of this project.
    ///
    /// ```
    /// let filter = podstack::PodFilter::new().project_id("prj_123");
    /// assert_eq!(filter.project_id.as_deref(), Some("prj_123"));
    /// ```
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    #[doc(alias = "labels")]
    /// Only pods with this label (repeat for several; all must match).
    ///
    /// ```
    /// let filter = podstack::PodFilter::new().label("team", "ml").label("stage", "dev");
    /// assert_eq!(filter.labels.len(), 2);
    /// ```
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(name.into(), value.into());
        self
    }
}

/// What a command run with [`Pods::exec`](crate::Pods::exec) printed and returned.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecResult {
    /// The exit code; 0 is success. Required: an answer without one is a decode error
    /// rather than a success made up from a default.
    #[serde(deserialize_with = "tolerant::required")]
    pub exit_code: i32,
    /// Standard output.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub output: String,
    /// Standard error; `None` when the command wrote none (the answer's `error` was
    /// empty, `null` or absent), as [`Task::error`](crate::pods::Task::error) is `None`
    /// when there was no error.
    #[serde(default, deserialize_with = "tolerant::non_empty")]
    pub error: Option<String>,
}

impl ExecResult {
    /// Whether the command exited with 0.
    ///
    /// ```
    /// # fn show(result: &podstack::pods::ExecResult) {
    /// // `result` from `client.pods().exec(..)`, with either client.
    /// if !result.success() {
    ///     let stderr = result.error.as_deref().unwrap_or("");
    ///     eprintln!("exit code {}: {stderr}", result.exit_code);
    /// }
    /// # }
    /// ```
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }
}

/// Which log lines [`Pods::logs`](crate::Pods::logs) returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogOptions {
    /// Only the last this many lines.
    pub tail: Option<u32>,
    /// Only lines at or after this time (RFC 3339).
    pub since: Option<String>,
}

impl LogOptions {
    /// All lines.
    ///
    /// ```
    /// let all_lines = podstack::LogOptions::new();
    /// assert_eq!(all_lines.tail, None);
    /// ```
    pub fn new() -> Self {
        LogOptions::default()
    }

    /// Only the last `lines` lines.
    ///
    /// ```
    /// let last = podstack::LogOptions::new().tail(100);
    /// assert_eq!(last.tail, Some(100));
    /// ```
    pub fn tail(mut self, lines: u32) -> Self {
        self.tail = Some(lines);
        self
    }

    /// Only lines at or after this RFC 3339 time.
    ///
    /// ```
    /// let recent = podstack::LogOptions::new().since("2024-01-01T00:00:00Z");
    /// assert!(recent.since.is_some());
    /// ```
    pub fn since(mut self, time: impl Into<String>) -> Self {
        self.since = Some(time.into());
        self
    }
}

/// A pod's resource usage.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct PodMetrics {
    /// GPU utilization, percent.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub gpu_utilization: f64,
    /// GPU memory used, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub gpu_memory_used: f64,
    /// GPU memory in all, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub gpu_memory_total: f64,
    /// CPU usage, percent.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub cpu_usage: f64,
    /// Memory used, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub memory_used: f64,
    /// Memory in all, GB.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub memory_total: f64,
    /// When measured (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub timestamp: Option<String>,
}

super::datetime_accessors!(PodMetrics, "podstack::pods::PodMetrics" {
    timestamp_datetime => timestamp, "when measured";
});

/// Something that happened to a pod.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct PodEvent {
    /// When (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::value")]
    pub timestamp: String,
    #[doc(alias = "type")]
    /// Kind of event, e.g. `created`, `started`.
    #[serde(rename = "type", default, deserialize_with = "tolerant::value")]
    pub event_type: String,
    /// What happened.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub message: String,
}

super::datetime_accessors!(PodEvent, "podstack::pods::PodEvent" {
    timestamp_datetime => timestamp, "when it happened";
});

/// A file or directory inside a pod.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct PodFile {
    /// Absolute path (a file's identity: required).
    #[serde(deserialize_with = "tolerant::identity")]
    pub path: String,
    /// Size in bytes (0 for directories).
    #[serde(default, deserialize_with = "tolerant::value")]
    pub size: u64,
    /// Whether it is a directory.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub is_dir: bool,
}

#[derive(Deserialize)]
pub(crate) struct PodList {
    #[serde(deserialize_with = "tolerant::seq")]
    pods: Vec<Pod>,
    #[serde(default, deserialize_with = "tolerant::option")]
    total: Option<u64>,
}

impl Listing for PodList {
    type Item = Pod;
    fn into_page(self) -> Page<Pod> {
        Page {
            items: self.pods,
            total: self.total,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct EventList {
    #[serde(deserialize_with = "tolerant::seq")]
    pub(crate) events: Vec<PodEvent>,
}

#[derive(Deserialize)]
pub(crate) struct FileList {
    #[serde(deserialize_with = "tolerant::seq")]
    pub(crate) entries: Vec<PodFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_pod_serializes_only_what_was_set() {
        let body = serde_json::to_value(NewPod::new("p", "img")).unwrap();
        assert_eq!(body, serde_json::json!({"name": "p", "image": "img"}));

        let full = NewPod::new("training-pod", "pytorch")
            .project_id("prj")
            .gpu_type("A100")
            .gpu_count(2)
            .cpu(8)
            .memory_gb(64)
            .disk_gb(200)
            .ports([8888, 6006])
            .env("HF_TOKEN", "t")
            .command("jupyter lab")
            .volume(VolumeMount::new("vol-123", "/data"))
            .label("team", "ml");
        assert_eq!(
            serde_json::to_value(full).unwrap(),
            serde_json::json!({
                "name": "training-pod", "image": "pytorch", "project_id": "prj",
                "gpu_type": "A100", "gpu_count": 2, "cpu": 8, "memory": 64, "disk": 200,
                "ports": [8888, 6006], "env": {"HF_TOKEN": "t"}, "command": "jupyter lab",
                "volumes": [{"volume_id": "vol-123", "mount_path": "/data"}],
                "labels": {"team": "ml"}
            })
        );

        let from_template = NewPod::from_template("tpl_1", "copy").gpu_count(4);
        assert_eq!(
            serde_json::to_value(from_template).unwrap(),
            serde_json::json!({"name": "copy", "template_id": "tpl_1", "gpu_count": 4})
        );
    }

    #[test]
    fn unknown_statuses_are_kept() {
        let status: PodStatus = serde_json::from_str("\"hibernating\"").unwrap();
        assert_eq!(status, PodStatus::Other("hibernating".into()));
        assert_eq!(status.to_string(), "hibernating");
        let running: PodStatus = serde_json::from_str("\"running\"").unwrap();
        assert_eq!(running, PodStatus::Running);
    }
}
