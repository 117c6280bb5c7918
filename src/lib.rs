//! Rust SDK for the [Podstack](https://podstack.ai) GPU cloud.
//!
#![cfg_attr(
    feature = "blocking",
    doc = r#"
```no_run
# fn main() -> Result<(), podstack::Error> {
let client = podstack::Client::new()?; // PODSTACK_API_TOKEN, or ~/.podstack/credentials
println!("Authenticated as: {}", client.auth().whoami()?.email);
# Ok(()) }
```
"#
)]
//!
//! # Blocking and async
//!
//! [`Client`] is a plain blocking client over a pooled [`ureq`] agent: no runtime, for
//! scripts and command-line tools. [`nonblocking::Client`] is the same API with
//! `async fn`s over [`reqwest`] on tokio. Both are built from one source, take the same
//! settings and return the same types: models, [`Error`], [`RetryConfig`] and
//! [`ResolvedConfig`] live here at the crate root, so values move freely between them.
//!
#![cfg_attr(
    feature = "async",
    doc = r#"
```no_run
# #[tokio::main]
# async fn main() -> Result<(), podstack::Error> {
let client = podstack::nonblocking::Client::new()?;
let pods = client.pods().list(&podstack::PodFilter::new()).await?;
println!("{} pods", pods.len());
# Ok(()) }
```
"#
)]
//!
//! # Features
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `blocking` | yes | [`Client`], [`ClientBuilder`] and their handlers, over `ureq` |
//! | `async` | no | [`nonblocking`]: the async client, over `reqwest` and tokio |
//!
//! Features only add. A build may hold both, as Cargo unifies features across a whole
//! dependency graph: one crate using the blocking client and another using the async
//! one build and work side by side. An async-only user may set
//! `default-features = false, features = ["async"]` to skip compiling `ureq`. A build
//! with neither feature stops with a `compile_error!` saying what to enable.
//!
//! # Where the settings come from
//!
//! For the token, the project and the endpoints the first of these that has a value
//! wins:
//! 1. the [`ClientBuilder`] setting (`api_token`, `project_id`, `api_endpoint`,
//!    `platform_endpoint`);
//! 2. the profile named with [`ClientBuilder::profile`];
//! 3. the environment: `PODSTACK_API_TOKEN`, `PODSTACK_PROJECT`, `PODSTACK_API_ENDPOINT`,
//!    `PODSTACK_PLATFORM_URL`; then the official Python package's names for the first
//!    three, `PODSTACK_API_KEY`, `PODSTACK_PROJECT_ID`, `PODSTACK_BASE_URL` (an endpoint
//!    may end in `/v1`);
//! 4. the profile named by `PODSTACK_PROFILE`, or else `[default]`, in the credentials
//!    file (`PODSTACK_CREDENTIALS_FILE`, default `~/.podstack/credentials`);
//! 5. the default: no token (an [`Error::Authentication`] "No API token provided"), no
//!    project, `https://api.podstack.ai`, `https://cloud.podstack.ai/platform`.
//!
//! [`Client::config`] tells where each value came from.
//!
//! # Errors
//!
//! Every call returns [`Result<T, podstack::Error>`](Error). Match on the variant for
//! the kind of failure; [`Error::message`], [`Error::code`], [`Error::request_id`] and
//! [`Error::status_code`] give the context the API sent.
//!
//! # Proxies and TLS
//!
//! Both clients speak TLS with rustls and the bundled Mozilla roots (webpki-roots). The
//! blocking client follows `ureq`'s proxy rules and the async one `reqwest`'s (both read
//! the usual `HTTPS_PROXY`/`ALL_PROXY` variables); neither can yet be given a proxy or
//! an extra root certificate on the builder.
//!
//! # Logging
//!
//! The SDK logs each attempt at `debug` level through the [`log`] facade: method, path,
//! status, time taken and request id, and each retry with its wait. The token never
//! appears in them, nor in any error's `Display` or `Debug`: a server that echoes it
//! back finds it replaced with `[redacted]`.
//!
//! # Safety with tokens
//!
//! The token is never sent over plain `http://` to a host that is not loopback (unless
//! explicitly allowed), never goes to a presigned URL, and never follows a redirect to
//! another host. (The blocking client compares hosts only, so today it keeps the token on
//! a redirect to another port of the same host; the async client drops it.)
//!
//! # MSRV
//!
//! Rust 1.88, as `rust-version` in the manifest says.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The API source is compiled once per client on purpose (see `blocking.rs`).
#![allow(clippy::duplicate_mod)]

#[cfg(not(any(feature = "blocking", feature = "async")))]
compile_error!(
    "podstack needs a client: enable the `blocking` feature (the default) or `async`, \
     e.g. podstack = { version = \"0.1\", features = [\"async\"] }"
);

mod core;
mod files;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz;
mod lines;
mod models;
mod request;
mod storage_wire;
mod transport;

/// Renders a doc example for one client (see `doc_example!` in `blocking.rs` and
/// `nonblocking.rs`): `$head` opens it, each `await` marker becomes `$await`.
macro_rules! render_doc_example {
    ($head:expr, $await:literal; [$($out:expr),*]) => {
        concat!($head, $($out,)* "\n# Ok(()) }\n```")
    };
    ($head:expr, $await:literal; [$($out:expr),*] await $($rest:tt)*) => {
        render_doc_example!($head, $await; [$($out,)* $await] $($rest)*)
    };
    ($head:expr, $await:literal; [$($out:expr),*] $piece:literal $($rest:tt)*) => {
        render_doc_example!($head, $await; [$($out,)* $piece] $($rest)*)
    };
}

#[cfg(feature = "blocking")]
mod blocking;
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod nonblocking;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub use blocking::{
    Auth, Buckets, Client, ClientBuilder, Gpus, ListStream, LogStream, Pods, Presigned, Projects,
    Tasks, Templates, Volumes, Wallet,
};
pub use core::config::{
    ResolvedConfig, Source, DEFAULT_ENDPOINT, DEFAULT_PLATFORM_ENDPOINT, DEFAULT_TIMEOUT,
};
pub use core::error::{BoxError, Error, ErrorContext, Result};
pub use core::retry::RetryConfig;
pub use models::{
    Bucket, DeleteObjectError, DeleteObjectsReport, ExecResult, Gpu, LogOptions, NewBucket, NewPod,
    NewProject, NewVolume, ObjectPage, ObjectQuery, Page, Pod, PodEvent, PodFile, PodFilter,
    PodMetrics, PodStatus, PresignedUrl, Price, Pricing, Project, S3Credentials, StoredObject,
    SyncDirection, SyncOptions, SyncReport, Task, TaskState, Template, TokenInfo, TransferOptions,
    TransferSummary, Usage, UsageEntry, User, Visibility, Volume, VolumeMount, WalletBalance,
    DEFAULT_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
};

/// The README's Rust snippets, compiled as doctests so the README stays true.
#[cfg(all(doctest, feature = "blocking", feature = "async"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
