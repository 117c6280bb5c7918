//! Tasks: commands started with [`Pods::exec_detached`](crate::Pods::exec_detached).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::client::{segment, ApiRequest, Client};
use crate::core::poll::PollSchedule;
use crate::{Error, Result};

/// Task calls. Get one with [`Client::tasks`].
#[derive(Clone, Copy, Debug)]
pub struct Tasks<'a> {
    client: &'a Client,
}

/// A command running, or run, in the background.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Task {
    /// Task id, `task_…`.
    pub id: String,
    /// The pod it runs in.
    pub pod_id: String,
    /// Where it is.
    pub state: TaskState,
    /// The exit code, once finished.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Standard output, once finished.
    #[serde(default)]
    pub output: Option<String>,
    /// Standard error, once finished.
    #[serde(default)]
    pub error: Option<String>,
    /// When it was started (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it finished (RFC 3339).
    #[serde(default)]
    pub finished_at: Option<String>,
}

/// A task's state; unknown states are kept as [`TaskState::Other`].
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
    /// The wire name, e.g. `"succeeded"`.
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

    /// Whether the task has finished (succeeded, failed or cancelled).
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

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "queued" => TaskState::Queued,
            "running" => TaskState::Running,
            "succeeded" => TaskState::Succeeded,
            "failed" => TaskState::Failed,
            "cancelled" => TaskState::Cancelled,
            other => TaskState::Other(other.to_owned()),
        })
    }
}

impl<'a> Tasks<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Tasks { client }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Tasks<'_> {
    /// The task with this id.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let task = client.pods().exec_detached("pod-id", "python train.py")?;
    /// println!("Task ID: {}", task.id);
    /// let status = client.tasks().get(&task.id)?;
    /// println!("Status: {}", status.state);
    /// # Ok(()) }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn get(&self, id: &str) -> Result<Task> {
        self.client
            .send_json(ApiRequest::get(format!("/tasks/{}", segment(id))))
            .await
    }

    /// Waits until the task has finished and returns it (whatever its exit code);
    /// [`Error::Timeout`](crate::Error::Timeout) names the last state if `timeout` passes.
    pub async fn wait(&self, id: &str, timeout: Duration) -> Result<Task> {
        let mut schedule = PollSchedule::new(timeout);
        loop {
            let task = self.get(id).await?;
            if task.state.is_finished() {
                return Ok(task);
            }
            match schedule.next_delay() {
                Some(delay) => self.client.sleep(delay).await,
                None => {
                    return Err(Error::timeout(format!(
                        "task {id} had not finished after {timeout:?}; last state: {}",
                        task.state
                    )))
                }
            }
        }
    }
}
