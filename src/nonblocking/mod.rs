//! The async client: [`nonblocking::Client`](Client), the same API as the blocking
//! [`podstack::Client`](crate::Client) with `async fn`s, over a pooled `reqwest` client on
//! tokio (feature `async`).
//!
//! ```no_run
//! # #[tokio::main]
//! # async fn main() -> Result<(), podstack::Error> {
//! use podstack::nonblocking::Client;
//!
//! let client = Client::new()?;
//! let user = client.auth().whoami().await?;
//! println!("Authenticated as: {}", user.email);
//! # Ok(()) }
//! ```
//!
//! Every future is `Send`, so calls can be spawned on a multi-threaded runtime. Models,
//! [`Error`](crate::Error) and configuration types are the crate root's, shared with the
//! blocking client.
//!
//! The API source is shared with the blocking client and compiled here with
//! `maybe_async::must_be_async`. Only what differs in kind lives in this module: the
//! `Stream`s over lazy sequences and the `AsyncRead`/`AsyncWrite` calls.

// Read by the shared source as `#[flavour]`.
use maybe_async::must_be_async as flavour;

/// Renders a doc example for the async client: `await` markers become `.await`.
macro_rules! doc_example {
    ($($body:tt)*) => { client_doc_example!(nonblocking $($body)*) };
}

pub(crate) use crate::transport::asynchronous::{ResponseBody, Transport};

// The API source, compiled here for this client (see `flavoured/mod.rs` for the names
// this file supplies to it).
#[path = "../flavoured/mod.rs"]
mod flavoured;

pub use flavoured::api::{
    Auth, Buckets, Gpus, Pods, Presigned, Projects, Tasks, Templates, Volumes, Wallet,
};
pub use flavoured::client::{Client, ClientBuilder};
use flavoured::pages;

mod readers;
mod runtime;
mod streams;

// What this root supplies to the API source (see `flavoured/mod.rs`).
use runtime::{clean_up, concurrently, local_fs, traced};
pub use streams::{ListStream, LogStream};
