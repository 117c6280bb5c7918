//! The exact request each storage call sends, against a mock server: method, path on
//! the platform service, headers, body and query.

mod common;

common::for_each_client!("cases/storage_requests.rs");
