//! Pods, tasks and templates, in both clients.

/// The exact request each pod, task and template call sends, against a mock server, and
/// waits with `Duration::MAX` that mean no deadline.
mod requests {
    crate::support::for_each_client!("cases/pods_requests.rs");
}

/// Pods, tasks and templates end to end against the emulator.
mod e2e {
    crate::support::for_each_client!("cases/pods_e2e.rs");
}
