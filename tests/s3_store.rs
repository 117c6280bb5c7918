//! Both doors of a bucket against each other, in both clients: what the SDK writes the
//! `object-store` feature's store reads over the emulator's S3 door, and the reverse.

#![cfg(feature = "object-store")]

mod common;

common::for_each_client!("cases/s3_store.rs");
