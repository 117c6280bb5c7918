//! Configuration through the public API of both clients: tokens that cannot be used, the
//! credentials file, the Python package's variables (handed to the builder: the process
//! environment is read only in `tests/process_env.rs`), endpoints and where storage goes.

crate::support::for_each_client!("cases/config.rs");

/// Storage never goes to a host nobody named (issue 18, item 1), errors that name the
/// host they could not reach, and messages that point at the Rust fix (item 7).
mod endpoints {
    crate::support::for_each_client!("cases/endpoints.rs");
}
