//! The transport-agnostic core: configuration and credential resolution, the error
//! type and its mapping from HTTP answers, and the retry policy.
//!
//! Nothing in here imports an HTTP crate; the client feeds it plain values
//! (status codes, header values, body bytes) and acts on what it decides.

pub(crate) mod config;
pub(crate) mod error;
#[cfg(test)]
mod error_table;
pub(crate) mod limits;
pub(crate) mod poll;
pub(crate) mod proxy;
pub(crate) mod random;
pub(crate) mod redact;
pub(crate) mod retry;
pub(crate) mod trace;
