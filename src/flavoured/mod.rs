//! The API source written once and compiled twice: `blocking/mod.rs` and
//! `nonblocking/mod.rs` each include this directory (`#[path]`), and `#[flavour]`
//! (`maybe_async::must_be_sync` or `must_be_async`) strips or keeps the `async` and
//! `.await`s. Nothing else in the crate is compiled twice.
//!
//! What is here: the client and its builder with the request pipeline (`client.rs`),
//! the lazy sequences (`pages.rs`), the one transfer engine moving bytes to and from
//! files for pods, buckets and presigned URLs (`transfer/`) and
//! one handler per API area (`api/`). How each call looks on the wire is not here but in
//! `crate::wire`, compiled once; what a transfer plans is in `crate::transfer`.
//!
//! # What each client supplies
//!
//! The including root (`crate::blocking` or `crate::nonblocking`) must define these
//! names, which the code here takes from `super::`:
//!
//! - `flavour`: the `maybe_async` attribute (`must_be_sync` or `must_be_async`);
//! - `doc_example!`: renders a per-client doc example (a macro, defined before the
//!   `#[path]` include so that it is in scope here);
//! - `ResponseBody` and `Transport`: the client's transport (`crate::transport::blocking`
//!   or `crate::transport::asynchronous`);
//! - `ListStream<T>` (with `ListStream::new(pages::Pages<P>)`) and `LogStream` (with
//!   `LogStream::new(pages::Lines)`): the public lazy sequences, an `Iterator` or a
//!   `Stream`;
//! - `concurrently(limit, items, job)`: runs jobs at most `limit` at once (threads or
//!   futures), results in the items' order, or the first error;
//! - `clean_up(&Client, ApiRequest)`: sends a clean-up request for a transfer that
//!   ended early (waited for, or spawned);
//! - `traced(&Span, work)`: runs `work` inside a tracing span;
//! - `local_fs`: the local file system transfers write to: `Sink` (what
//!   `download_to_writer` writes into), `WriteExt`, `create_dir_all`, `open_at` and
//!   `content_hash`.
//!
//! In return it gives the root [`Client`](client::Client), `ClientBuilder` and the
//! handlers (`api::*`), to which the root adds what differs in kind (readers, SSH in
//! the terminal).

pub(crate) mod api;
pub(crate) mod client;
pub(crate) mod pages;
mod transfer;

// The names each client supplies (see above), for the code in this directory.
use super::{
    clean_up, concurrently, flavour, local_fs, traced, ListStream, LogStream, ResponseBody,
    Transport,
};
use client::Client;
