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

use serde::{Deserialize, Serialize};

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
    SkipReason, Skipped, TransferOptions, TransferSummary, DEFAULT_CONCURRENCY,
    DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
};
pub use wallet::{Price, Pricing, Usage, UsageEntry, WalletBalance};

/// One page of an offset-paginated list. Serialized as `{"items": [...], "total": n}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    #[serde(default = "Vec::new", deserialize_with = "tolerant::seq")]
    pub items: Vec<T>,
    /// How many items exist in all, when the server says (it may not).
    #[serde(default, deserialize_with = "tolerant::option")]
    pub total: Option<u64>,
}

/// A decoded list answer, `{"<plural>": [...], "total": N}`.
pub(crate) trait Listing: serde::de::DeserializeOwned {
    /// What the list holds.
    type Item;
    /// The items, and the total when the server said.
    fn into_page(self) -> Page<Self::Item>;
}

/// The error of `str::parse` of a closed set of names; it lives with the error type.
pub(crate) use crate::error::ParseEnumError;

/// Dollars-and-cents view of an integer amount of cents (12550 → 125.5).
pub(crate) fn cents_to_amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Parses one of the API's times, RFC 3339 (`2026-11-28T06:43:14Z`,
/// `2026-11-28T08:43:14.250+02:00`); `None` for anything else (an empty string, a date
/// alone, a time without its offset), never a panic.
pub(crate) fn parse_datetime(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

/// The text of a time field, required (`String`, empty when absent) or optional.
pub(crate) trait TimeText {
    fn time_text(&self) -> Option<&str>;
}

impl TimeText for String {
    fn time_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl TimeText for Option<String> {
    fn time_text(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// Typed accessors beside a model's raw RFC 3339 strings:
/// `datetime_accessors!(Type, "podstack::path::Type" { accessor => field, "what"; })`.
macro_rules! datetime_accessors {
    ($ty:ty, $path:literal { $($name:ident => $field:ident, $what:literal;)* }) => {
        impl $ty {
            $(
                #[doc = concat!(
                    "[`", stringify!($field), "`](Self::", stringify!($field), ") (", $what,
                    ") as a time with its UTC offset; `None` when the answer had none or ",
                    "it is not RFC 3339. The raw string stays in the field, so an ",
                    "unexpected format never fails the call that read it.\n\n",
                    "```\n",
                    "# fn show(value: &", $path, ") {\n",
                    "if let Some(time) = value.", stringify!($name), "() {\n",
                    "    println!(\"{} s since the Unix epoch\", time.unix_timestamp());\n",
                    "}\n",
                    "# }\n",
                    "```"
                )]
                pub fn $name(&self) -> Option<$crate::time::OffsetDateTime> {
                    $crate::models::TimeText::time_text(&self.$field)
                        .and_then($crate::models::parse_datetime)
                }
            )*
        }
    };
}
pub(crate) use datetime_accessors;

#[cfg(test)]
mod tests {
    //! The contract's "tolerant reading" rule, model by model.
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;

    use super::*;

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

    /// Serializes `value`, reads the JSON back, and checks both are equal; returns the
    /// JSON for checks of its form.
    fn round_trip<T>(value: &T) -> serde_json::Value
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let json = serde_json::to_value(value).unwrap();
        let back: T =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(&back, value, "{json}");
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(&serde_json::from_str::<T>(&text).unwrap(), value, "{text}");
        json
    }

    /// Reads a model from the API's JSON (tolerant forms included), then round-trips it.
    fn read_and_round_trip<T>(wire: serde_json::Value) -> (T, serde_json::Value)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let value: T = decode(wire);
        let json = round_trip(&value);
        (value, json)
    }

    #[test]
    fn every_response_model_round_trips_through_its_serialized_form() {
        let (_, json) = read_and_round_trip::<Pod>(json!({
            "id": "pod_1", "name": "train", "project_id": "prj_1", "image": "pytorch",
            "status": "Hibernating", "gpu_type": "A100", "gpu_count": "0.5", "cpu": 8,
            "memory": "64", "disk": 200.7, "ports": [8888, "6006"], "env": {"N": 1},
            "command": "jupyter lab", "volumes": [{"volume_id": "vol_1", "mount_path": "/data"}],
            "labels": {"team": "ml"}, "ssh_command": "ssh root@h -p 2", "jupyter_url": "https://j",
            "created_at": "2024-01-01T00:00:00Z", "updated_at": null
        }));
        assert_eq!(
            (&json["status"], &json["disk"]),
            (&json!("Hibernating"), &json!(200))
        );
        read_and_round_trip::<Pod>(json!({"id": "pod_2"}));
        for status in ["running", "pending", "failed", ""] {
            read_and_round_trip::<Pod>(json!({"id": "pod_3", "status": status}));
        }
        read_and_round_trip::<VolumeMount>(json!({"volume_id": "vol_1", "mount_path": "/d"}));
        read_and_round_trip::<ExecResult>(json!({"exit_code": "2", "output": "o", "error": "e"}));
        read_and_round_trip::<PodMetrics>(json!({
            "gpu_utilization": "87.5", "gpu_memory_used": 10, "gpu_memory_total": 80,
            "cpu_usage": 12.25, "memory_used": 3, "memory_total": 64, "timestamp": "t"
        }));
        let (_, json) = read_and_round_trip::<PodEvent>(
            json!({"timestamp": "t", "type": "started", "message": "m"}),
        );
        assert_eq!(json["type"], "started");
        read_and_round_trip::<PodFile>(json!({"path": "/a", "size": "3", "is_dir": "false"}));

        read_and_round_trip::<Task>(json!({
            "id": "task_1", "pod_id": "pod_1", "state": "Canceled", "exit_code": "1",
            "output": "o", "error": null, "created_at": "t", "finished_at": "u"
        }));
        read_and_round_trip::<Task>(json!({"id": "task_2", "state": "paused"}));
        read_and_round_trip::<Template>(json!({
            "id": "tpl_1", "name": "n", "description": "d", "image": "i", "gpu_type": "A100",
            "gpu_count": "2", "cpu": 1.5, "memory": 16, "disk": "50"
        }));
        read_and_round_trip::<Project>(json!({
            "id": "prj_1", "name": "p", "description": null, "created_at": "t", "updated_at": "u"
        }));
        read_and_round_trip::<User>(json!({
            "id": "usr_1", "email": "a@b", "name": "Ada", "account_id": "acc_1",
            "token": {"name": "ci", "prefix": "podstack_ab", "expires_at": null, "scopes": ["pods:read"]}
        }));
        read_and_round_trip::<TokenInfo>(
            json!({"name": "ci", "scopes": ["pods:read", "pods:write"]}),
        );

        let (gpu, json) = read_and_round_trip::<Gpu>(json!({
            "type": "A100", "name": "NVIDIA A100 80GB", "memory_gb": "80",
            "price_per_hour_cents": "250", "available": 3, "total": 8
        }));
        assert_eq!(gpu.price_per_hour, 2.5);
        assert_eq!(json["type"], "A100");
        assert_eq!(json["price_per_hour_cents"], 250);
        assert!(json.get("price_per_hour").is_none(), "{json}");

        let (_, json) = read_and_round_trip::<WalletBalance>(json!({
            "balance_cents": "12550", "currency": null, "pending_charges_cents": 25,
            "last_updated": "t"
        }));
        assert_eq!(
            json,
            json!({"balance_cents": 12550, "currency": "USD", "pending_charges_cents": 25,
                "last_updated": "t"})
        );
        let (usage, json) = read_and_round_trip::<Usage>(json!({
            "total_cost_cents": 500, "total_gpu_seconds": "7200", "start_date": "2024-01-01",
            "end_date": "2024-01-31", "breakdown": [
                {"date": "2024-01-02", "gpu_type": "A100", "gpu_seconds": 3600, "cost_cents": 250}
            ]
        }));
        assert_eq!(usage.breakdown[0].cost, 2.5);
        assert_eq!(json["breakdown"][0]["cost_cents"], 250);
        read_and_round_trip::<UsageEntry>(
            json!({"date": "d", "gpu_type": "H100", "cost_cents": 1}),
        );
        let (_, json) = read_and_round_trip::<Pricing>(json!({
            "prices": [{"resource": "gpu:A100", "unit": "gpu_hour", "price_cents": "250"}]
        }));
        assert_eq!(
            json["prices"][0],
            json!({"resource": "gpu:A100", "unit": "gpu_hour", "price_cents": 250})
        );
        read_and_round_trip::<Price>(
            json!({"resource": "cpu", "unit": "core_hour", "price_cents": 3}),
        );

        let (_, json) = read_and_round_trip::<Bucket>(json!({
            "id": "bkt_1", "name": "data", "description": "d", "status": "active",
            "region": "r", "visibility": "Public", "versioning": "true", "size_gb": "2.5",
            "objects": 3, "endpoint": "https://s3", "created_at": "t"
        }));
        assert_eq!(
            (&json["is_public"], &json["size_bytes"]),
            (&json!(true), &json!(2_500_000_000u64))
        );
        let (_, json) = read_and_round_trip::<StoredObject>(json!({
            "key": "a/b.csv", "size": "12", "etag": "\"abc\"", "last_modified": "t"
        }));
        assert_eq!(json["path"], "a/b.csv");
        read_and_round_trip::<ObjectPage>(json!({
            "contents": [{"path": "a", "size_bytes": 1}], "is_truncated": "true",
            "next_continuation_token": "tok"
        }));
        read_and_round_trip::<Volume>(json!({
            "id": "vol_1", "name": "shared", "status": "available", "quota_bytes": 100e9,
            "used_gb": 1.5, "nfs_enabled": true, "nfs_server": "10.0.0.5",
            "nfs_path": "/exports/v", "billing_period": "month", "created_at": "t"
        }));
        read_and_round_trip::<DeleteObjectsReport>(json!({
            "deleted": ["a"], "errors": [{"key": "b", "message": "locked"}]
        }));
        read_and_round_trip::<DeleteObjectError>(json!({"path": "b", "message": "m"}));
        read_and_round_trip::<PresignedUrl>(json!({
            "url": "https://s3/b/k?X-Signature=s", "method": "GET", "expires_at": "t"
        }));
        read_and_round_trip::<S3Credentials>(json!({
            "access_key": "AKIA", "secret_key": "s", "endpoint": "https://s3", "region": "r"
        }));

        let page: PodList =
            decode(json!({"pods": [{"id": "pod_1", "status": "running"}], "total": "4"}));
        let json = round_trip(&page.into_page());
        assert_eq!(json["total"], 4);
        round_trip(&Page::<Project> {
            items: Vec::new(),
            total: None,
        });
        round_trip(&TransferSummary {
            files: 2,
            bytes: 10,
            skipped: vec![Skipped::new(
                "p/x//y",
                SkipReason::NoLocalName {
                    why: "an empty segment".into(),
                },
            )],
        });
        round_trip(&SyncReport {
            copied: vec!["a".into()],
            deleted: vec!["b".into()],
            unchanged: 1,
            excluded: 2,
            bytes: 3,
            dry_run: true,
            skipped: vec![
                Skipped::new("l", SkipReason::DanglingSymlink),
                Skipped::new(
                    "A.txt",
                    SkipReason::SameLocalFile {
                        other: "a.txt".into(),
                    },
                ),
            ],
        });
        round_trip(&SyncDirection::Download);
        round_trip(&Visibility::Public);
        round_trip(&PodStatus::Other("hibernating".into()));
        round_trip(&TaskState::Succeeded);
    }

    #[test]
    fn open_enums_parse_any_case_keep_unknown_names_and_display_the_wire_name() {
        let known = [
            PodStatus::Pending,
            PodStatus::Starting,
            PodStatus::Running,
            PodStatus::Stopping,
            PodStatus::Stopped,
            PodStatus::Restarting,
            PodStatus::Failed,
            PodStatus::Deleting,
        ];
        for status in known {
            let name = status.to_string();
            assert_eq!(name, name.to_lowercase());
            assert_eq!(name.parse::<PodStatus>(), Ok(status.clone()));
            assert_eq!(name.to_uppercase().parse::<PodStatus>(), Ok(status.clone()));
            assert_eq!(
                format!(" {name}\n").parse::<PodStatus>(),
                Ok(status.clone())
            );
        }
        let unknown: PodStatus = "Hibernating".parse().unwrap();
        assert_eq!(unknown, PodStatus::Other("Hibernating".into()));
        assert_eq!(
            unknown.to_string().parse::<PodStatus>(),
            Ok(unknown.clone())
        );

        for state in [
            TaskState::Queued,
            TaskState::Running,
            TaskState::Succeeded,
            TaskState::Failed,
            TaskState::Cancelled,
        ] {
            let name = state.to_string();
            assert_eq!(name.parse::<TaskState>(), Ok(state.clone()));
            assert_eq!(name.to_uppercase().parse::<TaskState>(), Ok(state.clone()));
        }
        assert_eq!("canceled".parse::<TaskState>(), Ok(TaskState::Cancelled));
        let unknown: TaskState = "Paused".parse().unwrap();
        assert_eq!(unknown, TaskState::Other("Paused".into()));
        assert_eq!(unknown.to_string().parse::<TaskState>(), Ok(unknown));
    }

    #[test]
    fn closed_enums_parse_any_case_and_refuse_unknown_names() {
        for visibility in [Visibility::Private, Visibility::Public] {
            let name = visibility.to_string();
            assert_eq!(name.parse::<Visibility>(), Ok(visibility));
            assert_eq!(name.to_uppercase().parse::<Visibility>(), Ok(visibility));
            assert_eq!(decode::<Visibility>(json!(name.to_uppercase())), visibility);
        }
        for direction in [SyncDirection::Upload, SyncDirection::Download] {
            let name = direction.to_string();
            assert_eq!(name.parse::<SyncDirection>(), Ok(direction));
            assert_eq!(
                format!(" {} ", name.to_uppercase()).parse::<SyncDirection>(),
                Ok(direction)
            );
            assert_eq!(decode::<SyncDirection>(json!(name)), direction);
        }
        let error = "shared".parse::<Visibility>().unwrap_err();
        assert_eq!(error.value(), "shared");
        assert_eq!(
            error.to_string(),
            r#"unknown visibility "shared": use private or public"#
        );
        let error = "sideways".parse::<SyncDirection>().unwrap_err();
        assert_eq!(error.expected(), ["upload", "download"]);
        assert_eq!(
            error.to_string(),
            r#"unknown sync direction "sideways": use upload or download"#
        );
        let config: crate::Error = error.into();
        assert!(matches!(config, crate::Error::Config { .. }), "{config:?}");
        fails::<Visibility>(json!("shared"));
        fails::<SyncDirection>(json!(1));
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
