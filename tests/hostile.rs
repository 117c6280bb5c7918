//! Both clients against a server that misbehaves on purpose (see `tests/support`):
//! oversized and endless answers, a trickle, a huge `Retry-After`, redirects across
//! ports and hosts and in loops, broken HTTP, a stalled upload, `Duration::MAX`.

mod common;
mod support;

common::for_each_client!("cases/hostile.rs");
