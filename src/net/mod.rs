//! Network policy, flavour-free and compiled once: what both clients decide the same
//! way before and after they touch a socket. None of it imports an HTTP crate or waits
//! on the network: the pipeline feeds it plain values (status codes, header values,
//! body bytes) and acts on what it decides.
//!
//! May import `crate::error` only: `config`, `transport`, `wire` and
//! the clients build on it, never the other way round.

pub(crate) mod limits;
pub(crate) mod lines;
pub(crate) mod options;
pub(crate) mod poll;
pub(crate) mod proxy;
pub(crate) mod random;
pub(crate) mod retry;
pub(crate) mod tls;
pub(crate) mod trace;
pub(crate) mod url;
