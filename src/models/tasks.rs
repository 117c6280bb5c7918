//! Tasks: commands started with [`Pods::exec_detached`](crate::Pods::exec_detached).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::tolerant;

/// A command running, or run, in the background.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Task {
    /// Task id, `task_…`.
    #[serde(deserialize_with = "tolerant::identity")]
    pub id: String,
    /// The pod it runs in.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub pod_id: String,
    /// Where it is (`TaskState::Other("")` when the answer had none).
    #[serde(default = "TaskState::unknown")]
    pub state: TaskState,
    /// The exit code, once finished.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub exit_code: Option<i32>,
    /// Standard output, once finished.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub output: Option<String>,
    /// Standard error, once finished.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub error: Option<String>,
    /// When it was started (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub created_at: Option<String>,
    /// When it finished (RFC 3339).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub finished_at: Option<String>,
}

super::datetime_accessors!(Task, "podstack::pods::Task" {
    created_at_datetime => created_at, "when it was started";
    finished_at_datetime => finished_at, "when it finished";
});

/// A task's state; unknown states are kept as [`TaskState::Other`], known ones are
/// recognised whatever their ASCII case (`"Succeeded"` is [`TaskState::Succeeded`]), in
/// JSON and with [`str::parse`]. `Display` and `Serialize` write the wire name.
///
/// ```
/// use podstack::pods::TaskState;
///
/// let state: TaskState = "Canceled".parse().unwrap(); // never fails
/// assert_eq!(state, TaskState::Cancelled);
/// assert_eq!(state.to_string(), "cancelled");
/// assert!(state.is_finished());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting to run.
    Queued,
    /// Running.
    Running,
    /// Finished with exit code 0.
    Succeeded,
    /// Finished with another exit code, or could not run.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
    /// A state this version of the SDK does not know.
    Other(String),
}

impl TaskState {
    /// The wire name, e.g. `"succeeded"`; an unknown state's name as it came.
    ///
    /// ```
    /// assert_eq!(podstack::pods::TaskState::Queued.as_str(), "queued");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Succeeded => "succeeded",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
            TaskState::Other(other) => other,
        }
    }

    /// The state for a wire name, ignoring ASCII case and surrounding white space.
    fn from_wire(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "queued" => TaskState::Queued,
            "running" => TaskState::Running,
            "succeeded" => TaskState::Succeeded,
            "failed" => TaskState::Failed,
            "cancelled" | "canceled" => TaskState::Cancelled,
            _ => TaskState::Other(value.to_owned()),
        }
    }

    /// The state of an answer that named none.
    fn unknown() -> Self {
        TaskState::Other(String::new())
    }

    /// Whether the task has finished (succeeded, failed or cancelled).
    ///
    /// ```
    /// use podstack::pods::TaskState;
    ///
    /// assert!(TaskState::Failed.is_finished());
    /// assert!(!TaskState::Running.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            TaskState::Succeeded | TaskState::Failed | TaskState::Cancelled
        )
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskState {
    type Err = Infallible;

    /// The state for a name, ignoring ASCII case and surrounding white space (`canceled`
    /// is [`TaskState::Cancelled`]); an unknown name is kept in [`TaskState::Other`].
    /// Never fails.
    fn from_str(value: &str) -> Result<Self, Infallible> {
        Ok(TaskState::from_wire(value))
    }
}

impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value: String = tolerant::enum_text(deserializer)?;
        Ok(TaskState::from_wire(&value))
    }
}
