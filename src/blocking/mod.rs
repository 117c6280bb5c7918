//! The blocking client: [`Client`](crate::Client) over a pooled `ureq` agent (feature
//! `blocking`, on by default).
//!
//! The API source (`flavoured/`) is shared with the async client and compiled here
//! with `maybe_async::must_be_sync`, which removes its `async` and `.await`s. Only what
//! differs in kind lives in this folder: the `Iterator`s over lazy sequences
//! (`streams.rs`), threads and `std::fs` (`runtime.rs`), the `Read`/`Write` calls
//! (`readers.rs`) and SSH in the terminal (`ssh.rs`).

// Read by the shared source as `#[flavour]`.
use maybe_async::must_be_sync as flavour;

/// Renders a doc example for the blocking client: `await` markers vanish.
macro_rules! doc_example {
    ($($body:tt)*) => { client_doc_example!(blocking $($body)*) };
}

pub(crate) use crate::transport::blocking::{ResponseBody, Transport};

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
mod ssh;
mod streams;

// What this root supplies to the API source (see `flavoured/mod.rs`).
use runtime::{clean_up, concurrently, local_fs, traced};
pub use streams::{ListStream, LogStream};
