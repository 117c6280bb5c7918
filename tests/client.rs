//! The client against a mock server: the exact requests it sends, how it decodes
//! answers, and how it maps every failure. Runs in both builds.

mod common;

common::for_each_client!("cases/client.rs");
