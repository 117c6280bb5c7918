//! End to end: the SDK against the in-process emulator (`podstack-emulator`), an
//! independent implementation of the wire contract. Runs in both builds.

mod common;

common::for_each_client!("cases/e2e.rs");
