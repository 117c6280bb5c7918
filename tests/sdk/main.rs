//! The SDK's integration tests, in one binary (one link of tokio, reqwest, ureq, the
//! emulator...), a module per subject. Most subjects' cases are written once, in
//! `cases/`, and compiled for both clients by [`support::for_each_client!`]: a test's
//! path names its client, as in `limits::blocking::...` and `limits::nonblocking::...`.
//!
//! Tests that change process-wide state live in binaries of their own:
//! `tests/process_env.rs` (environment variables) and `tests/logging.rs` (the global
//! `log` logger). Nothing here sets either; counters the tests read (connections,
//! requests) belong to a server or emulator of their own.

mod support;

mod client;
mod config;
mod docs;
mod e2e;
mod handles;
mod layout;
mod limits;
mod pods;
mod proxy_tls;
mod python_names;
mod redirects;
#[cfg(feature = "object-store")]
mod s3;
mod secrets;
mod storage;
mod tracing_spans;
mod transfers;
