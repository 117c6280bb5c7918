//! One module per API area. Each handler borrows the [`Client`](crate::Client),
//! describes its requests and lets the client's pipeline send them.

mod auth;
mod gpus;
mod pods;
mod projects;
mod tasks;
mod templates;
mod wallet;

pub use auth::{Auth, TokenInfo, User};
pub use gpus::{Gpu, Gpus};
pub use pods::{
    ExecResult, LogOptions, LogStream, NewPod, Pod, PodEvent, PodFile, PodFilter, PodMetrics,
    PodStatus, Pods, TransferOptions, TransferSummary, VolumeMount,
};
pub use projects::{NewProject, Page, Project, Projects};
pub use tasks::{Task, TaskState, Tasks};
pub use templates::{Template, Templates};
pub use wallet::{Price, Pricing, Usage, UsageEntry, Wallet, WalletBalance};

/// Dollars-and-cents view of an integer amount of cents (12550 → 125.5).
pub(crate) fn cents_to_amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}
