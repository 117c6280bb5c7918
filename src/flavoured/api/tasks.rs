//! Tasks: commands started with [`Pods::exec_detached`](crate::Pods::exec_detached).

use std::time::Duration;

use super::{flavour, Client};
use crate::net::poll::PollSchedule;
use crate::wire::pods as wire;
use crate::{models::Task, Error, Result};

/// Task calls. Get one with [`Client::tasks`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Tasks {
    client: Client,
}

impl Tasks {
    pub(crate) fn new(client: &Client) -> Self {
        Tasks {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Tasks {
    /// The task with this id.
    ///
    #[doc = doc_example!(
        "let task = client.pods().exec_detached(\"pod-id\", \"python train.py\")" await "?;\n"
        "println!(\"Task ID: {}\", task.id);\n"
        "let status = client.tasks().get(&task.id)" await "?;\n"
        "println!(\"Status: {}\", status.state);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no task has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn get(&self, id: &str) -> Result<Task> {
        self.client.send_json(wire::get_task(id)).await
    }

    /// Waits until the task has finished and returns it (whatever its exit code);
    /// [`Error::Timeout`](crate::Error::Timeout) names the last state if `timeout` passes.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let task = client.tasks().wait(\"task-id\", Duration::from_secs(600))" await "?;\n"
        "println!(\"finished: {}\", task.state);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`](crate::Error::Timeout) if the task has not finished when
    /// `timeout` passes, [`Error::NotFound`](crate::Error::NotFound) if no task has this
    /// id. Otherwise the [errors of every call](Client#errors-of-every-call).
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
