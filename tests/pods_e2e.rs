//! Pods, tasks and templates end to end against the emulator, in both builds.

mod common;

common::for_each_client!("cases/pods_e2e.rs");
