//! The transport-agnostic core: configuration and credential resolution, the retry
//! policy and the token redactor. (The error type, below all of it, is
//! [`crate::error`].)
//!
//! Nothing in here imports an HTTP crate; the client feeds it plain values
//! (status codes, header values, body bytes) and acts on what it decides.

pub(crate) mod config;
pub(crate) mod limits;
pub(crate) mod poll;
pub(crate) mod proxy;
pub(crate) mod random;
pub(crate) mod redact;
pub(crate) mod retry;
pub(crate) mod trace;
