//! The `object-store` feature: both doors of a bucket against each other in both clients
//! (what the SDK writes the store reads over the emulator's S3 door, and the reverse;
//! which proxy the store's requests go through), and the store against the door
//! ([`door`]: `object_store`'s own conformance tests, the door's auth and knobs). The
//! test that sets the process's proxy variables is in `tests/process_env.rs`.

crate::support::for_each_client!("../cases/s3_store.rs");

mod door;
