//! Both clients: storage never goes to a host nobody named (issue 18, item 1), errors
//! that name the host they could not reach, and messages that point at the Rust fix
//! (item 7).

mod common;
mod support;

common::for_each_client!("cases/endpoints.rs");
