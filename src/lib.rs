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
//! [`config::ResolvedConfig`] are shared, so values move freely between them.
//!
//! # Where the types are
//!
//! The clients, [`Error`], [`Result`], [`RetryConfig`] and the types most calls take
//! ([`NewPod`], [`PodFilter`], [`NewBucket`], [`ObjectQuery`], [`TransferOptions`], ...)
//! are at the crate root. Every type is also in the module of its area: [`pods`],
//! [`projects`], [`billing`], [`auth`], [`storage`], [`transfer`], [`config`] and
//! [`error`]; answers such as [`pods::Task`] or [`storage::Bucket`] live only there.
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
//! | `tracing` | no | a [`tracing`](https://docs.rs/tracing) span per call and per attempt (see [Logging](#logging-and-tracing)) |
//! | `object-store` | no | `S3Credentials::object_store` and `Buckets::object_store`: a bucket as an [`object_store`](https://docs.rs/object_store/0.13) 0.13 store (the release DataFusion and Polars use; another release is a compile error), over its S3-compatible endpoint |
//!
//! Features only add. A build may hold both, as Cargo unifies features across a whole
//! dependency graph: one crate using the blocking client and another using the async
//! one build and work side by side. An async-only user may set
//! `default-features = false, features = ["async"]` to skip compiling `ureq`. A build
//! with neither feature stops with a `compile_error!` saying what to enable.
//!
//! # What it covers
//!
//! Identity ([`Client::auth`]), projects, the wallet and GPU prices, pods (lifecycle,
//! exec, logs, files, templates, SSH), and storage: buckets and their objects
//! ([`Client::buckets`]: multipart uploads streamed from disk, parallel ranged
//! downloads, sync with excludes, presigned URLs, S3 credentials) and NFS volumes
//! ([`Client::volumes`]). Storage lives on Podstack's platform service
//! ([`ClientBuilder::platform_endpoint`]) and is project-scoped: without a project a
//! storage call fails with [`Error::Config`] and sends nothing.
//!
//! # Where the settings come from
//!
//! For the token, the project and the endpoints the first of these that has a value
//! wins:
//! 1. the [`ClientBuilder`] setting (`api_token`, `project_id`, `api_endpoint`,
//!    `platform_endpoint`);
//! 2. the profile named with [`ClientBuilder::profile`] (even `"default"`, which then
//!    outranks `PODSTACK_PROFILE`; [`ClientBuilder::profile_opt`] with `None` names none);
//! 3. the environment: `PODSTACK_API_TOKEN`, `PODSTACK_PROJECT`, `PODSTACK_API_ENDPOINT`,
//!    `PODSTACK_PLATFORM_URL`; then the official Python package's names for the first
//!    three, `PODSTACK_API_KEY`, `PODSTACK_PROJECT_ID`, `PODSTACK_BASE_URL` (an endpoint
//!    may end in `/v1`);
//! 4. the profile named by `PODSTACK_PROFILE`, or else `[default]`, in the credentials
//!    file (`PODSTACK_CREDENTIALS_FILE`, default `~/.podstack/credentials`);
//! 5. the default: no token (an [`Error::Authentication`] "No API token provided"), no
//!    project, `https://api.podstack.ai`; the platform endpoint follows the API
//!    endpoint: `https://cloud.podstack.ai/platform` beside Podstack's own API,
//!    `{api endpoint}/platform` beside a loopback one (the emulator), and none beside
//!    any other, so that a storage call fails with [`Error::Config`] before sending
//!    the token to a host nobody named (see
//!    [`ResolvedConfig::platform_endpoint`](config::ResolvedConfig::platform_endpoint)).
//!
//! [`Client::config`] tells where each value came from. A `PODSTACK_*` variable that is
//! set but not valid Unicode is an [`Error::Config`] naming it. An unusable default
//! credentials file (`~/.podstack/credentials`, on Windows under `%USERPROFILE%`) is
//! logged as a warning and does not stop a client that has its token elsewhere; a call
//! that needs a value it could have held fails with an [`Error::Config`] naming the file.
//! On Unix a credentials file others may read is used with a warning (`chmod 600`).
//!
//! # Errors
//!
//! Every call returns [`Result<T, podstack::Error>`](Error). Match on the variant for
//! the kind of failure; [`Error::message`], [`Error::code`], [`Error::request_id`] and
//! [`Error::status_code`] give the context the API sent. A network error or a timeout
//! names the `host:port` it could not reach; where the API's message names a wire
//! parameter (`pass force=true`), [`ErrorContext::hint`](error::ErrorContext::hint)
//! names the call to make instead.
//!
//! # Retries
//!
//! Server errors (5xx), rate limits (429, honouring `Retry-After` up to
//! [`RetryConfig::max_retry_after`]) and network failures are retried, by default up to
//! 3 times with exponential backoff and jitter ([`RetryConfig`]). Only requests that are
//! safe to send twice are: `GET`, `PUT`, `DELETE`, and creates, which carry one
//! `Idempotency-Key` for every attempt. A command (`exec`, `start`, `stop`) runs once,
//! a timeout is not retried, and a body that can be read only once is never resent. Each
//! part of a multipart upload is retried on its own.
//!
//! # Testing against the emulator
//!
//! [`podstack-emulator`](https://docs.rs/podstack-emulator) serves the whole API,
//! storage included, on loopback, with faults to inject (statuses, stalls, dropped
//! connections, a bandwidth cap), so code using this crate is tested with no account
//! and no network:
//!
//! ```ignore
//! let emulator = podstack_emulator::Emulator::start();
//! let client = podstack::Client::builder()
//!     .use_environment(false)
//!     .api_endpoint(emulator.endpoint())
//!     .platform_endpoint(emulator.platform_endpoint())
//!     .project_id(emulator.project_id())
//!     .api_token(emulator.token())
//!     .build()?;
//! ```
//!
//! # Limits, proxies and TLS
//!
//! A client bounds what a server can make it do. Each bound is a builder setting, and
//! each error that one raises says which setting to change:
//!
//! | bound | default | setting |
//! |---|---|---|
//! | silence: connecting, and each wait for more of an answer | 30 s | [`ClientBuilder::timeout`] |
//! | one JSON or text call, all attempts and waits included | 5 min | [`ClientBuilder::call_deadline`] |
//! | an answer read into memory | 16 MiB | [`ClientBuilder::max_response_body`] |
//! | an error answer's body | 64 KiB, the rest dropped | — |
//! | a server's `Retry-After` waited for | 60 s; longer returns the [`Error::RateLimit`] at once | [`RetryConfig::max_retry_after`] |
//! | redirects in a row | 5, then a non-retried [`Error::Api`] | — |
//!
//! File transfers and followed log streams are bounded by the inactivity timeout only
//! (uploads too: an upload the server stops reading fails after it), so a large
//! transfer that keeps flowing is never cut off. Every duration saturates:
//! `Duration::MAX` means "no limit". An answer that breaks HTTP (a malformed chunk, an
//! oversized head) is an [`Error::Api`], not retried.
//!
//! **Proxies.** Both clients follow one rule. [`ClientBuilder::proxy`] sends every
//! request through the given proxy; [`ClientBuilder::no_proxy`] through none.
//! Otherwise, unless [`ClientBuilder::use_environment`] is off, the environment is
//! read once at `build`: `HTTPS_PROXY` for `https://` targets, `HTTP_PROXY` for
//! `http://` ones, then `ALL_PROXY` (each also in lower case), except for the targets
//! `NO_PROXY` lists: `*`, host names (`example.com` and `.example.com` match the domain
//! and its subdomains), IP addresses and CIDR ranges such as `127.0.0.0/8`. Credentials
//! in a proxy URL (`http://user:pass@proxy:3128`) are sent as `Proxy-Authorization`
//! and never appear in `Debug` output, errors or logs.
//!
//! **TLS.** Both clients use rustls and trust the bundled Mozilla roots (webpki). A
//! server behind a private CA is trusted with [`ClientBuilder::add_root_certificate`];
//! [`ClientBuilder::tls_native_roots`] trusts the operating system's certificate store
//! instead (read once at `build` with `rustls-native-certs`). A refused certificate is
//! an [`Error::Network`] that says so.
//!
#![cfg_attr(
    feature = "blocking",
    doc = r#"
```no_run
# fn main() -> Result<(), podstack::Error> {
use std::time::Duration;

let ca = std::fs::read("/etc/ssl/corp-ca.pem").expect("readable");
let client = podstack::Client::builder()
    .proxy("http://proxy.corp.example:3128")
    .add_root_certificate(&ca)
    .call_deadline(Some(Duration::from_secs(60)))
    .max_response_body(64 * 1024 * 1024)
    .build()?;
# let _ = client;
# Ok(()) }
```
"#
)]
//!
//! # Logging and tracing
//!
//! With the `tracing` feature every call runs in a `podstack.call` span (target
//! `podstack`, level INFO) with the fields `method`, `route` (the path template, e.g.
//! `/v1/pods/{id}`), `project`, `status`, `request_id`, `attempts` and `duration_ms`;
//! each attempt in a `podstack.attempt` span inside it (level DEBUG) with `attempt`,
//! `retry_wait_ms` and `status`. The token is never a field.
//!
//! The SDK logs each attempt at `debug` level through the [`log`] facade: method, path,
//! status, time taken and request id, and each retry with its wait. The token never
//! appears in them, nor in any error's `Display` or `Debug`: a server that echoes it
//! back finds it replaced with `[redacted]`.
//!
//! Nor does it appear in what the HTTP crates log. `ureq`'s protocol layer (`ureq_proto`)
//! hex-dumps at `trace` level every request head, every chunked request body and every
//! answer, and its `log` dependency cannot be switched off; so the blocking client never
//! gives `ureq` the token. ureq builds each request with a random stand-in of the same
//! length; the last link of its connection (above TLS, so it sees what TLS carries)
//! writes the token into the `Authorization` row as the head goes out, and puts the
//! stand-in in place of a token echoed in an answer (found in the content, whatever the
//! chunk framing) before ureq reads it, giving the caller the token's bytes back; while
//! `log`'s maximum level is below `debug`, ureq records nothing it reads and answers
//! pass through untouched, until the level rises (even mid-answer; in the rest of an
//! answer already begun then, a token cut by chunk framing or across two reads may be
//! logged in pieces). No byte
//! a caller sends or gets is changed, and answers are never decoded (both clients ask
//! for no encoding, and hand on a body a server encodes anyway as it came). (A token
//! shorter than 12 characters, which Podstack never issues, is passed through
//! unchanged.) The async client's `reqwest` does not log headers or bodies.
//!
//! What ureq's trace output still shows is everything else it sends and reads: URLs with
//! their query (a presigned URL's signature) and answers such as the secret key of
//! [`Client::buckets`]`().credentials(..)`. A log filter of `ureq=info,ureq_proto=off`
//! (for `env_logger`: `RUST_LOG=trace,ureq=info,ureq_proto=off`) leaves them out.
//!
//! # Safety with tokens
//!
//! The token is never sent over plain `http://` to a host that is not loopback (unless
//! explicitly allowed), never goes to a presigned URL, and never follows a redirect to
//! another origin (scheme, host and port). A redirect from `https` to `http` is not
//! followed at all.
//!
//! # How the crate is built
//!
//! Both clients are one source. What they share is compiled once, in layers that
//! import only downwards: the [`error`] type (with the token's redaction), then `net`
//! (retry, proxy, limits, the one reading of URLs: plain values in, decisions out), then
//! [`config`] and the models, then `transport` (the only code that names `ureq` or
//! `reqwest`), then `wire` (each call's method, path, query and body, one file per
//! area), `paging` and [`transfer`] (what a file transfer plans, and its route: pod,
//! bucket or presigned URL). Between the pipeline and the transports a request is the
//! `http` crate's method and header map, which both HTTP crates take as they are.
//! Above them `flavoured/` holds the handlers and the request pipeline, written once
//! with `maybe_async` and compiled twice, once by the blocking root and once by
//! `nonblocking`, which add only what differs in kind (`Iterator` or `Stream`,
//! threads or futures); there too is the one transfer engine every file transfer
//! goes through. A call flows handler → `wire` (the request) → pipeline
//! (token, retries, deadline, redaction) → transport, and the answer comes back
//! decoded into a model. `ARCHITECTURE.md` in the repository has the folder map.
//!
//! # MSRV
//!
//! Rust 1.88, as `rust-version` in the manifest says.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The API source is compiled once per client on purpose (see `flavoured/mod.rs`).
#![allow(clippy::duplicate_mod)]

#[cfg(not(any(feature = "blocking", feature = "async")))]
compile_error!(
    "podstack needs a client: enable the `blocking` feature (the default) or `async`, \
     e.g. podstack = { version = \"0.2\", features = [\"async\"] }"
);

pub mod config;
pub mod error;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz;
mod models;
mod net;
mod paging;
#[cfg(feature = "object-store")]
mod s3_store;
pub mod transfer;
mod transport;
mod wire;

/// Renders a doc example for one client (see `doc_example!` in `blocking/mod.rs` and
/// `nonblocking/mod.rs`): `$head` opens it, each `await` marker becomes `$await`.
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

/// A doc example for the blocking client (`blocking`, `await` markers vanish) or the
/// async one (`nonblocking`, they become `.await`): each client root's `doc_example!`
/// names its own.
macro_rules! client_doc_example {
    (blocking $($body:tt)*) => {
        client_doc_example!(@ "# fn main()", "Client", ""; $($body)*)
    };
    (nonblocking $($body:tt)*) => {
        client_doc_example!(@ "# #[tokio::main]\n# async fn main()", "nonblocking::Client", ".await"; $($body)*)
    };
    (@ $main:literal, $client:literal, $await:literal; $($body:tt)*) => {
        render_doc_example!(
            concat!(
                "```no_run\n", $main, " -> Result<(), podstack::Error> {\n",
                "use podstack::", $client, ";\n\nlet client = Client::new()?;\n"
            ),
            $await;
            [] $($body)*
        )
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
// Inlined, as before the error type had a public module of its own: the docs keep
// `podstack::Error` and `podstack::Result` as pages of their own at the crate root
// (docs.rs `podstack/enum.Error.html`), not as a re-export line.
#[doc(inline)]
pub use error::{Error, Result};
pub use net::retry::RetryConfig;
/// The `time` crate, whose `OffsetDateTime` the typed time accessors return
/// (`Pod::created_at_datetime`, `PodEvent::timestamp_datetime`, ...): use it from here
/// to get the same release.
pub use time;
// The types most calls take or return; every type is also in its area's module below.
pub use models::{
    LogOptions, NewBucket, NewPod, NewProject, NewVolume, ObjectQuery, Page, Pod, PodFilter,
    PodStatus, Project, SyncDirection, SyncOptions, TransferOptions, Visibility, VolumeMount,
};

/// Pods, tasks and templates: what [`Client::pods`], [`Client::tasks`] and
/// [`Client::templates`] take and answer.
pub mod pods {
    pub use crate::models::{
        ExecResult, LogOptions, NewPod, Pod, PodEvent, PodFile, PodFilter, PodMetrics, PodStatus,
        Task, TaskState, Template, VolumeMount,
    };
}

/// Projects: what [`Client::projects`] takes and answers.
pub mod projects {
    pub use crate::models::{NewProject, Project};
}

/// Money and hardware: what [`Client::wallet`] and [`Client::gpus`] answer.
pub mod billing {
    pub use crate::models::{Gpu, Price, Pricing, Usage, UsageEntry, WalletBalance};
}

/// Identity: what [`Client::auth`] answers.
pub mod auth {
    pub use crate::models::{TokenInfo, User};
}

/// Buckets, objects and NFS volumes: what [`Client::buckets`] and [`Client::volumes`]
/// take and answer, and the options of a sync.
pub mod storage {
    pub use crate::models::{
        Bucket, DeleteObjectError, DeleteObjectsReport, NewBucket, NewVolume, ObjectPage,
        ObjectQuery, PresignedUrl, S3Credentials, StoredObject, SyncDirection, SyncOptions,
        SyncReport, Visibility, Volume,
    };
}

/// The README's Rust snippets, compiled as doctests so the README stays true.
#[cfg(all(
    doctest,
    feature = "blocking",
    feature = "async",
    feature = "object-store"
))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
