//! End to end: the SDK against the in-process emulator (`podstack-emulator`), an
//! independent implementation of the wire contract: whoami, projects, wallet, GPUs, and
//! the failure paths (bad tokens, 429 and 503 then success, dropped connections,
//! stalls). Runs in both builds.

crate::support::for_each_client!("cases/e2e.rs");
