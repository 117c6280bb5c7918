//! The emulator's tests, in one binary (one link of axum, s3s and the rest), a module
//! per subject. None changes process-wide state: each test starts its own emulator (or
//! runs the binary as a child process), whose counters and faults are its own.

mod common;

mod browser_guards;
mod cli;
mod core_api;
mod openapi;
mod pods;
mod s3_docs;
mod storage;
