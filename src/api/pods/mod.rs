//! Pods: `/v1/pods`. Create, list, lifecycle, waiting, exec, logs, metrics, events,
//! templates; file transfers are in [`files`].

mod files;

use std::time::Duration;

use serde_json::json;

use super::{flavour, offset_pages, Client, Lines, ListStream, LogStream};
use crate::core::poll::PollSchedule;
use crate::models::{EventList, FileList, PodList};
use crate::request::{segment, ApiRequest};
use crate::transport::AnswerTimeout;
use crate::{
    models::ExecResult, models::PodEvent, models::PodFile, models::PodMetrics, models::Task,
    models::Template, Error, LogOptions, NewPod, Page, Pod, PodFilter, PodStatus, Result,
};

/// Pod calls. Get one with [`Client::pods`].
#[derive(Clone, Copy, Debug)]
pub struct Pods<'a> {
    client: &'a Client,
}

fn pod_path(id: &str) -> String {
    format!("/pods/{}", segment(id))
}

fn list_request(filter: &PodFilter, limit: u32, offset: u64) -> ApiRequest {
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

impl<'a> Pods<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Pods { client }
    }

    /// Every pod that matches the filter, fetched lazily a page at a time as the result
    /// is read: an `Iterator` from the blocking client, a `Stream` from the async one.
    /// Nothing is sent until the first item is asked for.
    pub fn list_stream(&self, filter: &PodFilter) -> ListStream<'a, Pod> {
        let filter = filter.clone();
        ListStream::new(offset_pages::<PodList>(
            self.client,
            Box::new(move |limit, offset| list_request(&filter, limit, offset)),
        ))
    }
}

#[flavour]
impl Pods<'_> {
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
    pub async fn create(&self, pod: &NewPod) -> Result<Pod> {
        let request = ApiRequest::post("/pods")
            .json(pod)?
            .project(pod.project_id.as_deref())
            .create();
        self.client.send_json(request).await
    }

    /// Creates a pod from a saved template (see [`save_template`](Self::save_template)).
    /// Use [`NewPod::from_template`] to override some of the template's settings.
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
    pub async fn list(&self, filter: &PodFilter) -> Result<Vec<Pod>> {
        self.client
            .list_all::<PodList>(|limit, offset| list_request(filter, limit, offset))
            .await
    }

    /// One page of matching pods: at most `limit` (1 to 200) starting at `offset`.
    pub async fn list_page(
        &self,
        filter: &PodFilter,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Pod>> {
        self.client
            .list_page::<PodList>(list_request(filter, limit, offset))
            .await
    }

    /// The pod with this id.
    pub async fn get(&self, id: &str) -> Result<Pod> {
        self.client.send_json(ApiRequest::get(pod_path(id))).await
    }

    /// Starts a stopped pod.
    pub async fn start(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "start", None).await
    }

    /// Stops a pod gracefully; its configuration is kept and GPU billing pauses.
    pub async fn stop(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "stop", Some(false)).await
    }

    /// Stops a pod at once, without a graceful shutdown.
    pub async fn force_stop(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "stop", Some(true)).await
    }

    /// Restarts a running pod.
    pub async fn restart(&self, id: &str) -> Result<Pod> {
        self.lifecycle(id, "restart", None).await
    }

    /// Deletes a stopped pod. A running pod is refused with
    /// [`Error::Conflict`](crate::Error::Conflict); see [`force_delete`](Self::force_delete).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(pod_path(id)))
            .await
    }

    /// Deletes a pod even while it runs.
    pub async fn force_delete(&self, id: &str) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(pod_path(id)).query("force", "true"))
            .await
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
    pub async fn wait_until_running(&self, id: &str, timeout: Duration) -> Result<Pod> {
        self.wait_for_status(id, PodStatus::Running, timeout).await
    }

    /// Waits until the pod reaches `status` and returns it. A pod that becomes `failed`
    /// (when `status` is something else) ends the wait at once.
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
    pub async fn exec(&self, id: &str, command: &str) -> Result<ExecResult> {
        let request = ApiRequest::post(format!("{}/exec", pod_path(id))).json(&json!({
            "command": command,
        }))?;
        self.client.send_json(request).await
    }

    /// Runs a command that may take up to `timeout` (whole seconds, at least 1); the
    /// client waits that long plus its own timeout for the answer.
    pub async fn exec_with_timeout(
        &self,
        id: &str,
        command: &str,
        timeout: Duration,
    ) -> Result<ExecResult> {
        let seconds = timeout.as_secs().max(1);
        let request = ApiRequest::post(format!("{}/exec", pod_path(id)))
            .json(&json!({ "command": command, "timeout": seconds }))?
            .answer_timeout(AnswerTimeout::Extended(Duration::from_secs(seconds)));
        self.client.send_json(request).await
    }

    /// Starts a command in the background and returns its [`Task`] at once; follow it
    /// with [`Tasks::get`](crate::Tasks::get) or [`Tasks::wait`](crate::Tasks::wait).
    pub async fn exec_detached(&self, id: &str, command: &str) -> Result<Task> {
        let request = ApiRequest::post(format!("{}/exec", pod_path(id))).json(&json!({
            "command": command,
            "detach": true,
        }))?;
        self.client.send_json(request).await
    }

    /// The pod's logs as text.
    ///
    #[doc = doc_example!(
        "use podstack::LogOptions;\n"
        "\n"
        "print!(\"{}\", client.pods().logs(\"pod-id\", &LogOptions::new().tail(100))" await "?);"
    )]
    pub async fn logs(&self, id: &str, options: &LogOptions) -> Result<String> {
        let mut request = ApiRequest::get(format!("{}/logs", pod_path(id))).accept("text/plain");
        if let Some(tail) = options.tail {
            request = request.query("tail", tail);
        }
        if let Some(since) = &options.since {
            request = request.query("since", since);
        }
        self.client.send_text(request).await
    }

    /// Follows the logs: lines as the pod writes them, until the pod stops. In the
    /// blocking build a [`LogStream`] is an `Iterator`, in the async build a `Stream`;
    /// dropping it closes the connection.
    pub async fn follow_logs(&self, id: &str) -> Result<LogStream> {
        let request = ApiRequest::get(format!("{}/logs", pod_path(id)))
            .query("follow", "true")
            .accept("text/plain")
            // A quiet pod may write nothing for a long time.
            .answer_timeout(AnswerTimeout::Unbounded);
        let response = self.client.send_streaming(&request).await?;
        Ok(LogStream::new(Lines::new(response.body)))
    }

    /// The pod's current resource usage.
    pub async fn metrics(&self, id: &str) -> Result<PodMetrics> {
        self.client
            .send_json(ApiRequest::get(format!("{}/metrics", pod_path(id))))
            .await
    }

    /// What happened to the pod, oldest first.
    pub async fn events(&self, id: &str) -> Result<Vec<PodEvent>> {
        let list: EventList = self
            .client
            .send_json(ApiRequest::get(format!("{}/events", pod_path(id))))
            .await?;
        Ok(list.events)
    }

    /// Every file and directory under `path` in the pod, recursively.
    pub async fn list_files(&self, id: &str, path: &str) -> Result<Vec<PodFile>> {
        let list: FileList = self
            .client
            .send_json(ApiRequest::get(format!("{}/files/list", pod_path(id))).query("path", path))
            .await?;
        Ok(list.entries)
    }

    /// Saves the pod's configuration as a reusable template.
    pub async fn save_template(
        &self,
        id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<Template> {
        let request = ApiRequest::post(format!("{}/template", pod_path(id)))
            .json(&json!({ "name": name, "description": description }))?
            .create();
        self.client.send_json(request).await
    }

    async fn lifecycle(&self, id: &str, action: &str, force: Option<bool>) -> Result<Pod> {
        let mut request = ApiRequest::post(format!("{}/{action}", pod_path(id)));
        if let Some(force) = force {
            request = request.json(&json!({ "force": force }))?;
        }
        self.client.send_json(request).await
    }
}
