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
