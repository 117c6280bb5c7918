//! Rust SDK for the [Podstack](https://podstack.ai) GPU cloud.
//!
//! Blocking by default: every call is a plain function over a pooled `ureq` agent.
//! With `features = ["async"]` the same API becomes `async fn`s over `reqwest` on tokio.
//!
//! ```no_run
//! # #[cfg(not(feature = "async"))]
//! # fn main() -> Result<(), podstack::Error> {
//! use podstack::Client;
//!
//! let client = Client::new()?; // PODSTACK_API_TOKEN, or ~/.podstack/credentials
//! let user = client.auth().whoami()?;
//! println!("Authenticated as: {}", user.email);
//! let wallet = client.wallet().balance()?;
//! println!("Balance: ${:.2}", wallet.balance);
//! # Ok(()) }
//! # #[cfg(feature = "async")] fn main() {}
//! ```
//!
//! # Where the settings come from
//!
//! For the token, the project and the endpoint the first of these that has a value wins:
//! 1. the [`ClientBuilder`] setting (`api_token`, `project_id`, `api_endpoint`);
//! 2. the profile named with [`ClientBuilder::profile`];
//! 3. the environment: `PODSTACK_API_TOKEN`, `PODSTACK_PROJECT`, `PODSTACK_API_ENDPOINT`;
//! 4. the profile named by `PODSTACK_PROFILE`, or else `[default]`, in the credentials
//!    file (`PODSTACK_CREDENTIALS_FILE`, default `~/.podstack/credentials`);
//! 5. the default: no token (an [`Error::Authentication`] "No API token provided"), no
//!    project, `https://api.podstack.ai`.
//!
//! [`Client::config`] tells where each value came from.
//!
//! # Errors
//!
//! Every call returns [`Result<T, podstack::Error>`](Error). Match on the variant for
//! the kind of failure; [`Error::message`], [`Error::code`], [`Error::request_id`] and
//! [`Error::status_code`] give the context the API sent.
//!
//! # Safety with tokens
//!
//! The token never appears in `Debug` or `Display` of the client, its builder, its
//! configuration or any error; it is never sent over plain `http://` to a host that is
//! not loopback (unless explicitly allowed), and never follows a redirect to another host.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod api;
mod client;
mod core;
mod local_fs;
mod transport;

pub use api::{
    Auth, ExecResult, Gpu, Gpus, LogOptions, LogStream, NewPod, NewProject, Page, Pod, PodEvent,
    PodFile, PodFilter, PodMetrics, PodStatus, Pods, Price, Pricing, Project, Projects, Task,
    TaskState, Tasks, Template, Templates, TokenInfo, TransferOptions, TransferSummary, Usage,
    UsageEntry, User, VolumeMount, Wallet, WalletBalance,
};
pub use client::{Client, ClientBuilder};
pub use core::config::{ResolvedConfig, Source, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT};
pub use core::error::{BoxError, Error, ErrorContext, Result};
pub use core::retry::RetryConfig;

/// The README's Rust snippets, compiled as doctests so the README stays true.
#[cfg(all(doctest, not(feature = "async")))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
