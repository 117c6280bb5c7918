//! A demanding user's and an attacker's probes of storage, compiled for both
//! clients. Each test not named `probe_*` failed on the commit it was written against
//! (its doc comment says what was observed and what was expected); `probe_*` tests
//! record attacks that the SDK withstood.

mod common;

common::for_each_client!("cases/storage_hostile.rs");
