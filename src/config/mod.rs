//! Configuration: where each setting came from, the defaults and the retry policy.

// Crate-internal layout (compiled once): `resolve.rs` holds `ResolvedConfig`, `Source`,
// their getters and `resolve`, the precedence of builder, profile, environment, file
// and default; `env.rs` the environment snapshot; `credentials.rs` the INI file;
// `endpoints.rs` endpoint parsing. Each takes the others' names through this module.
// May import `crate::error` and `crate::net::retry`; never `wire`, `models`,
// the transports or the clients.
mod credentials;
mod endpoints;
mod env;
mod resolve;
#[cfg(test)]
mod tests;

pub use crate::net::retry::RetryConfig;
pub(crate) use credentials::*;
pub(crate) use endpoints::*;
pub(crate) use env::*;
pub(crate) use resolve::*;
pub use resolve::{
    ResolvedConfig, Source, DEFAULT_ENDPOINT, DEFAULT_PLATFORM_ENDPOINT, DEFAULT_TIMEOUT,
};
