//! The exact request each pod, task and template call sends, against a mock server.

mod common;

common::for_each_client!("cases/pods_requests.rs");
