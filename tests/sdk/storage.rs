//! Buckets, volumes and storage calls, in both clients. (Moving files and objects: see
//! `transfers`.)

/// The exact request each storage call sends, against a mock server.
mod requests {
    crate::support::for_each_client!("cases/storage_requests.rs");
}

/// Storage end to end against the emulator.
mod e2e {
    crate::support::for_each_client!("cases/storage_e2e.rs");
}
