//! Storage end to end: both clients against the emulator's platform service, including
//! the failures a user meets (409, 404, expiry, validation, retried and aborted parts,
//! broken downloads).

mod common;

common::for_each_client!("cases/storage_e2e.rs");
