//! Configuration: where each setting came from, the defaults and the retry policy.

// Crate-internal layout (compiled once): `resolve.rs` holds `ResolvedConfig`, `Source`
// and `resolve`, the precedence of builder, profile, environment, file and default.
// It may import `crate::core` (errors) and `crate::net::retry`; never `wire`, `models`,
// the transports or the clients.
mod resolve;

pub use crate::net::retry::RetryConfig;
pub(crate) use resolve::*;
pub use resolve::{
    ResolvedConfig, Source, DEFAULT_ENDPOINT, DEFAULT_PLATFORM_ENDPOINT, DEFAULT_TIMEOUT,
};
