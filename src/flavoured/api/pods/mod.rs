//! Pods: `/v1/pods`. Create, list, lifecycle, waiting, exec, logs, metrics, events,
//! templates; file transfers are in [`files`].

mod files;

use std::time::Duration;

use super::{flavour, offset_pages, Client, Lines, ListStream, LogStream};
use crate::models::{EventList, FileList, PodList};
use crate::net::poll::PollSchedule;
use crate::wire::pods as wire;
use crate::{
    models::ExecResult, models::PodEvent, models::PodFile, models::PodMetrics, models::Task,
    models::Template, Error, LogOptions, NewPod, Page, Pod, PodFilter, PodStatus, Result,
};

/// Pod calls. Get one with [`Client::pods`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Pods {
    client: Client,
}

impl Pods {
    pub(crate) fn new(client: &Client) -> Self {
        Pods {
            client: client.clone(),
        }
    }

    /// Every pod that matches the filter, fetched lazily a page at a time as the result
    /// is read: an `Iterator` from the blocking client, a `Stream` from the async one.
    /// Nothing is sent until the first item is asked for.
    ///
    #[doc = doc_example!(
        "use podstack::PodFilter;\n\n"
        "let mut pods = client.pods().list_stream(&PodFilter::new());\n"
        "while let Some(pod) = pods.next_item()" await " {\n"
        "    println!(\"{}\", pod?.name);\n"
        "}"
    )]
    pub fn list_stream(&self, filter: &PodFilter) -> ListStream<Pod> {
        let filter = filter.clone();
        ListStream::new(offset_pages::<PodList>(
            &self.client,
            Box::new(move |limit, offset| wire::list_pods(&filter, limit, offset)),
        ))
    }
}

#[flavour]
impl Pods {
    /// Creates a pod; it starts `pending`. Safe to retry: the request carries an
    /// idempotency key, so a retried create never makes a second pod.
    ///
    #[doc = doc_example!(
        "use podstack::NewPod;\n"
        "\n"
        "let pod = client.pods().create(\n"
        "    &NewPod::new(\"my-pod\", \"pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime\")\n"
        "        .gpu_type(\"A100\")\n"
        "        .gpu_count(1),\n"
        ")" await "?;\n"
        "println!(\"Pod ID: {}, status: {}\", pod.id, pod.status);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config), with nothing sent, for a GPU count or CPU
    /// count that is not a finite number (`NaN`, infinite) or is negative (a CPU count of
    /// 0 too); [`Error::Validation`](crate::Error::Validation) if the API rejects the
    /// settings; [`Error::InsufficientBalance`](crate::Error::InsufficientBalance) if the wallet
    /// cannot pay for it; [`Error::QuotaExceeded`](crate::Error::QuotaExceeded) if a quota
    /// (GPUs, pods) is used up; [`Error::NotFound`](crate::Error::NotFound) for an unknown
    /// project or template. Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn create(&self, pod: &NewPod) -> Result<Pod> {
        pod.check_numbers()?;
        self.client.send_json(wire::create_pod(pod)?).await
    }

    /// Creates a pod from a saved template (see [`save_template`](Self::save_template)).
    /// Use [`NewPod::from_template`] to override some of the template's settings.
    ///
    #[doc = doc_example!(
        "let pod = client.pods().create_from_template(\"template-id\", \"my-pod\")" await "?;\n"
        "println!(\"Pod ID: {}\", pod.id);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no template has this id; otherwise as
    /// [`create`](Self::create).
    pub async fn create_from_template(&self, template_id: &str, name: &str) -> Result<Pod> {
        self.create(&NewPod::from_template(template_id, name)).await
    }

    /// Every pod that matches the filter, following pagination to the end.
    ///
    #[doc = doc_example!(
        "use podstack::{PodFilter, PodStatus};\n"
        "\n"
        "for pod in client.pods().list(&PodFilter::new().status(PodStatus::Running))" await "? {\n"
        "    println!(\"{}: {} ({:?} x{})\", pod.name, pod.status, pod.gpu_type, pod.gpu_count);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self, filter: &PodFilter) -> Result<Vec<Pod>> {
        self.client
            .list_all::<PodList>(|limit, offset| wire::list_pods(filter, limit, offset))
            .await
    }

    /// One page of matching pods: at most `limit` (1 to 200) starting at `offset`.
    ///
    #[doc = doc_example!(
        "use podstack::PodFilter;\n\n"
        "let page = client.pods().list_page(&PodFilter::new(), 50, 0)" await "?;\n"
        "println!(\"{} of {:?} pods\", page.items.len(), page.total);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Validation`](crate::Error::Validation) if the API rejects `limit` or
    /// `offset`. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list_page(
        &self,
        filter: &PodFilter,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Pod>> {
        self.client
            .list_page::<PodList>(wire::list_pods(filter, limit, offset))
            .await
    }

    /// The pod with this id.
    ///
    #[doc = doc_example!(
        "let pod = client.pods().get(\"pod-id\")" await "?;\n"
        "println!(\"{}: {}\", pod.name, pod.status);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn get(&self, id: &str) -> Result<Pod> {
        self.client.send_json(wire::get_pod(id)).await
    }

    /// Starts a stopped pod.
    ///
    #[doc = doc_example!(
        "let pod = client.pods().start(\"pod-id\")" await "?;\n"
        "println!(\"{}\", pod.status);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it (it
    /// is not stopped). Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn start(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "start", None).await
    }

    /// Stops a pod gracefully; its configuration is kept and GPU billing pauses.
    ///
    #[doc = doc_example!(
        "client.pods().stop(\"pod-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn stop(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "stop", Some(false)).await
    }

    #[doc(alias = "force")]
    /// Stops a pod at once, without a graceful shutdown.
    ///
    #[doc = doc_example!(
        "client.pods().force_stop(\"pod-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn force_stop(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "stop", Some(true)).await
    }

    /// Restarts a running pod.
    ///
    #[doc = doc_example!(
        "client.pods().restart(\"pod-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it (it
    /// is not running). Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn restart(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "restart", None).await
    }

    /// Deletes a stopped pod. A running pod is refused with
    /// [`Error::Conflict`](crate::Error::Conflict); see [`force_delete`](Self::force_delete).
    ///
    #[doc = doc_example!(
        "client.pods().stop(\"pod-id\")" await "?;\n"
        "client.pods().delete(\"pod-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) while it runs. Otherwise the [errors of
    /// every call](Client#errors-of-every-call).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.send_empty(wire::delete_pod(id, false)).await
    }

    #[doc(alias = "force")]
    /// Deletes a pod even while it runs.
    ///
    #[doc = doc_example!(
        "client.pods().force_delete(\"pod-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn force_delete(&self, id: &str) -> Result<()> {
        self.client.send_empty(wire::delete_pod(id, true)).await
    }

    /// Waits until the pod runs and returns it, polling with a growing interval.
    ///
    /// Fails at once with [`Error::UnexpectedState`](crate::Error::UnexpectedState) if the
    /// pod becomes `failed`, and with [`Error::Timeout`](crate::Error::Timeout) naming the
    /// last status seen if `timeout` passes first.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n"
        "\n"
        "let pod = client.pods().wait_until_running(\"pod-id\", Duration::from_secs(300))" await "?;\n"
        "println!(\"SSH Command: {:?}\", pod.ssh_command);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedState`](crate::Error::UnexpectedState) if the pod becomes
    /// `failed`; [`Error::Timeout`](crate::Error::Timeout) if `timeout` passes first;
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn wait_until_running(&self, id: &str, timeout: Duration) -> Result<Pod> {
        self.wait_for_status(id, PodStatus::Running, timeout).await
    }

    /// Waits until the pod reaches `status` and returns it. A pod that becomes `failed`
    /// (when `status` is something else) ends the wait at once.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n"
        "use podstack::PodStatus;\n\n"
        "client.pods().stop(\"pod-id\")" await "?;\n"
        "let pod = client.pods().wait_for_status(\"pod-id\", PodStatus::Stopped, Duration::from_secs(120))" await "?;\n"
        "println!(\"{}\", pod.status);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedState`](crate::Error::UnexpectedState) if the pod becomes
    /// `failed` (unless that is `status`); [`Error::Timeout`](crate::Error::Timeout) if
    /// `timeout` passes first; [`Error::NotFound`](crate::Error::NotFound) if no pod has
    /// this id. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn wait_for_status(
        &self,
        id: &str,
        status: PodStatus,
        timeout: Duration,
    ) -> Result<Pod> {
        let mut schedule = PollSchedule::new(timeout);
        loop {
            let pod = self.get(id).await?;
            if pod.status == status {
                return Ok(pod);
            }
            if pod.status == PodStatus::Failed {
                return Err(Error::unexpected_state(
                    format!("pod {id} failed while waiting for it to be {status}"),
                    id,
                    pod.status.as_str(),
                ));
            }
            match schedule.next_delay() {
                Some(delay) => self.client.sleep(delay).await,
                None => {
                    return Err(Error::timeout(format!(
                        "pod {id} was not {status} after {timeout:?}; last status: {}",
                        pod.status
                    )))
                }
            }
        }
    }

    /// Runs a command in a running pod and waits for it, with the server's default
    /// time limit. Never retried: a command is never run twice.
    ///
    #[doc = doc_example!(
        "let result = client.pods().exec(\"pod-id\", \"nvidia-smi\")" await "?;\n"
        "println!(\"Exit code: {}\\nOutput: {}\", result.exit_code, result.output);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it (it
    /// is not running). A command that fails in the pod is not an error: see
    /// [`ExecResult::exit_code`]. Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn exec(&self, id: &str, command: &str) -> Result<ExecResult> {
        self.client.send_json(wire::exec(id, command)?).await
    }

    #[doc(alias = "timeout")]
    /// Runs a command that may take up to `timeout` (whole seconds, at least 1); the
    /// client waits that long plus its own timeout for the answer.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let result = client.pods().exec_with_timeout(\"pod-id\", \"python train.py\", Duration::from_secs(3600))" await "?;\n"
        "println!(\"exit code {}\", result.exit_code);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it (it
    /// is not running); [`Error::Timeout`](crate::Error::Timeout) if no answer comes within
    /// `timeout` plus the client's timeout. Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn exec_with_timeout(
        &self,
        id: &str,
        command: &str,
        timeout: Duration,
    ) -> Result<ExecResult> {
        let request = wire::exec_with_timeout(id, command, timeout)?;
        self.client.send_json(request).await
    }

    #[doc(alias = "exec_async")]
    /// Starts a command in the background and returns its [`Task`] at once; follow it
    /// with [`Tasks::get`](crate::Tasks::get) or [`Tasks::wait`](crate::Tasks::wait).
    ///
    #[doc = doc_example!(
        "let task = client.pods().exec_detached(\"pod-id\", \"python train.py\")" await "?;\n"
        "println!(\"Task ID: {}\", task.id);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) if the pod's state does not allow it (it
    /// is not running). Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn exec_detached(&self, id: &str, command: &str) -> Result<Task> {
        self.client
            .send_json(wire::exec_detached(id, command)?)
            .await
    }

    /// The pod's logs as text.
    ///
    #[doc = doc_example!(
        "use podstack::LogOptions;\n"
        "\n"
        "print!(\"{}\", client.pods().logs(\"pod-id\", &LogOptions::new().tail(100))" await "?);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn logs(&self, id: &str, options: &LogOptions) -> Result<String> {
        self.client.send_text(wire::logs(id, options)).await
    }

    #[doc(alias = "logs_stream")]
    /// Follows the logs: lines as the pod writes them, until the pod stops. In the
    /// blocking build a [`LogStream`] is an `Iterator`, in the async build a `Stream`;
    /// dropping it closes the connection.
    ///
    #[doc = doc_example!(
        "let mut lines = client.pods().follow_logs(\"pod-id\")" await "?;\n"
        "while let Some(line) = lines.next_line()" await " {\n"
        "    println!(\"{}\", line?);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call). Reading the stream yields
    /// [`Error::Network`](crate::Error::Network) if the connection breaks.
    pub async fn follow_logs(&self, id: &str) -> Result<LogStream> {
        let request = wire::follow_logs(id);
        let response = self.client.send_streaming(&request).await?;
        Ok(LogStream::new(Lines::new(response.body)))
    }

    /// The pod's current resource usage.
    ///
    #[doc = doc_example!(
        "let metrics = client.pods().metrics(\"pod-id\")" await "?;\n"
        "println!(\"{metrics:?}\");"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn metrics(&self, id: &str) -> Result<PodMetrics> {
        self.client.send_json(wire::metrics(id)).await
    }

    /// What happened to the pod, oldest first.
    ///
    #[doc = doc_example!(
        "for event in client.pods().events(\"pod-id\")" await "? {\n"
        "    println!(\"{event:?}\");\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn events(&self, id: &str) -> Result<Vec<PodEvent>> {
        let list: EventList = self.client.send_json(wire::events(id)).await?;
        Ok(list.events)
    }

    /// Every file and directory under `path` in the pod, recursively.
    ///
    #[doc = doc_example!(
        "for file in client.pods().list_files(\"pod-id\", \"/workspace\")" await "? {\n"
        "    println!(\"{file:?}\");\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn list_files(&self, id: &str, path: &str) -> Result<Vec<PodFile>> {
        let list: FileList = self.client.send_json(wire::list_files(id, path)).await?;
        Ok(list.entries)
    }

    /// Saves the pod's configuration as a reusable template.
    ///
    #[doc = doc_example!(
        "let template = client.pods().save_template(\"pod-id\", \"my-setup\", Some(\"PyTorch and data\"))" await "?;\n"
        "println!(\"Template ID: {}\", template.id);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no pod has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn save_template(
        &self,
        id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<Template> {
        let request = wire::save_template(id, name, description)?;
        self.client.send_json(request).await
    }

    async fn lifecycle(&self, id: &str, action: &str, force: Option<bool>) -> Result<Pod> {
        let request = wire::lifecycle(id, action, force)?;
        self.client.send_json(request).await
    }
}
