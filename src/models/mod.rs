//! The API's data types: what calls answer and what they take. One set of types for
//! both clients, so values move freely between [`Client`](crate::Client) and the async
//! client.

mod auth;
mod gpus;
mod pods;
mod projects;
mod ssh;
mod storage;
mod sync;
mod tasks;
mod templates;
pub(crate) mod tolerant;
mod transfer;
mod wallet;

pub use auth::{TokenInfo, User};
pub use gpus::Gpu;
pub(crate) use gpus::GpuList;
pub(crate) use pods::{EventList, FileList, PodList};
pub use pods::{
    ExecResult, LogOptions, NewPod, Pod, PodEvent, PodFile, PodFilter, PodMetrics, PodStatus,
    VolumeMount,
};
pub(crate) use projects::ProjectList;
pub use projects::{NewProject, Project};
pub(crate) use storage::{AnyList, MultipartStarted, PartUploaded};
pub use storage::{
    Bucket, DeleteObjectError, DeleteObjectsReport, NewBucket, NewVolume, ObjectPage, ObjectQuery,
    PresignedUrl, S3Credentials, StoredObject, Visibility, Volume,
};
pub use sync::{SyncDirection, SyncOptions, SyncReport};
pub use tasks::{Task, TaskState};
pub use templates::Template;
pub(crate) use templates::TemplateList;
pub(crate) use transfer::MAX_PARTS;
pub use transfer::{
    TransferOptions, TransferSummary, DEFAULT_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD,
    DEFAULT_PART_SIZE,
};
pub use wallet::{Price, Pricing, Usage, UsageEntry, WalletBalance};

/// One page of an offset-paginated list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items exist in all, when the server says (it may not).
    pub total: Option<u64>,
}

/// Dollars-and-cents view of an integer amount of cents (12550 → 125.5).
pub(crate) fn cents_to_amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}

#[cfg(test)]
mod tests {
    //! The contract's "tolerant reading" rule, model by model.
    use serde::de::DeserializeOwned;
    use serde_json::json;

    use super::*;
    use crate::request::Listing;

    fn decode<T: DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
    }

    fn fails<T: DeserializeOwned + std::fmt::Debug>(value: serde_json::Value) {
        let result = serde_json::from_value::<T>(value.clone());
        assert!(result.is_err(), "{value} decoded to {result:?}");
    }

    #[test]
    fn enum_like_strings_ignore_ascii_case_and_unknown_ones_are_kept() {
        for (wire, status) in [
            ("Running", PodStatus::Running),
            ("RUNNING", PodStatus::Running),
            (" stopped ", PodStatus::Stopped),
            ("Pending", PodStatus::Pending),
            ("Hibernating", PodStatus::Other("Hibernating".into())),
        ] {
            assert_eq!(decode::<PodStatus>(json!(wire)), status, "{wire}");
        }
        for (wire, state) in [
            ("Succeeded", TaskState::Succeeded),
            ("QUEUED", TaskState::Queued),
            ("Canceled", TaskState::Cancelled),
            ("Paused", TaskState::Other("Paused".into())),
        ] {
            assert_eq!(decode::<TaskState>(json!(wire)), state, "{wire}");
        }
        let pod: Pod = decode(json!({"id": "pod_1", "status": "Running"}));
        assert_eq!(pod.status, PodStatus::Running);
        let task: Task = decode(json!({"id": "task_1", "state": "Failed"}));
        assert_eq!(task.state, TaskState::Failed);
        assert!(task.state.is_finished());
    }

    #[test]
    fn numbers_may_be_strings_and_counts_fractional() {
        let pod: Pod = decode(json!({
            "id": "pod_1", "status": "running", "cpu": "0.5", "gpu_count": 0.25,
            "memory": "16", "disk": 50.0, "ports": ["8888", 6006],
            "env": {"N": 1}, "labels": null
        }));
        assert_eq!((pod.cpu, pod.gpu_count), (0.5, 0.25));
        assert_eq!((pod.memory, pod.disk), (16, 50));
        assert_eq!(pod.ports, [8888, 6006]);
        assert_eq!(pod.env["N"], "1");

        let template: Template = decode(json!({"id": "tpl", "cpu": "1.5", "gpu_count": "2"}));
        assert_eq!((template.cpu, template.gpu_count), (Some(1.5), Some(2.0)));
        let gpu: Gpu = decode(json!({"type": "A100", "price_per_hour_cents": "250",
            "available": "3", "memory_gb": "80"}));
        assert_eq!(
            (gpu.price_per_hour, gpu.available, gpu.memory_gb),
            (2.5, 3, Some(80))
        );
        let wallet: WalletBalance = decode(json!({"balance_cents": "12550"}));
        assert_eq!((wallet.balance, wallet.currency.as_str()), (125.5, "USD"));
        let exec: ExecResult = decode(json!({"exit_code": "0", "output": "ok"}));
        assert!(exec.success());
        let metrics: PodMetrics = decode(json!({"gpu_utilization": "87.5", "cpu_usage": 12}));
        assert_eq!((metrics.gpu_utilization, metrics.cpu_usage), (87.5, 12.0));
    }

    #[test]
    fn a_missing_or_null_optional_field_is_its_default_only_identity_is_required() {
        let pod: Pod = decode(json!({"id": "pod_1"}));
        assert_eq!(pod.status, PodStatus::Other(String::new()));
        assert_eq!(
            (pod.name.as_str(), pod.image.as_str(), pod.cpu),
            ("", "", 0.0)
        );
        let nulls: Pod = decode(json!({"id": "pod_1", "name": null, "image": null,
            "status": null, "cpu": null, "ports": null, "volumes": null, "env": null}));
        assert_eq!(nulls, pod);
        let _: Project = decode(json!({"id": "prj_1"}));
        let _: Task = decode(json!({"id": "task_1"}));
        let _: Template = decode(json!({"id": "tpl_1"}));
        let user: User = decode(json!({"id": "usr_1"}));
        assert_eq!(user.token, TokenInfo::default());
        let _: User = decode(json!({"id": "usr_1", "token": null}));
        let _: PodEvent = decode(json!({}));
        let _: PodFile = decode(json!({"path": "/a"}));
        let _: Gpu = decode(json!({"type": "A100"}));
        let _: Usage = decode(json!({}));
        let _: UsageEntry = decode(json!({}));
        let _: Price = decode(json!({}));
        let pricing: Pricing = decode(json!({"currency": null}));
        assert_eq!(pricing.currency, "USD");
        let wallet: WalletBalance = decode(json!({}));
        assert_eq!((wallet.balance_cents, wallet.currency.as_str()), (0, "USD"));
        let page: PodList = decode(json!({"pods": [{"id": "pod_1"}], "total": "1"}));
        assert_eq!(page.into_page().total, Some(1));

        fails::<Pod>(json!({"name": "no id"}));
        fails::<Pod>(json!({"id": null}));
        fails::<Project>(json!({}));
        fails::<Task>(json!({"state": "running"}));
        fails::<Template>(json!({}));
        fails::<User>(json!({"email": "a@b"}));
        fails::<PodFile>(json!({"size": 1}));
        fails::<Gpu>(json!({"name": "no type"}));
        fails::<ExecResult>(json!({"output": "no exit code"}));
    }

    #[test]
    fn fractional_counts_are_sent_as_given_and_whole_ones_as_integers() {
        let pod = NewPod::new("p", "img").cpu(0.5).gpu_count(2);
        assert_eq!(
            serde_json::to_string(&pod).unwrap(),
            r#"{"name":"p","image":"img","gpu_count":2,"cpu":0.5}"#
        );
    }
}
