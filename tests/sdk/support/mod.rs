//! Helpers shared by the integration tests: the token and answers every test uses, the
//! misbehaving servers of [`servers`], and [`for_each_client!`]. Each subject's cases are
//! written once, in `tests/sdk/cases/`, and compiled for each client by it: in a `blocking`
//! module (when the feature is on) where `#[flavour]` (`maybe_async::must_be_sync`)
//! strips `async`/`.await` and `#[flavour_test]` is `#[test]`, and in a `nonblocking`
//! module where they are `must_be_async` and `#[tokio::test]`.
#![allow(dead_code, unused_macros)] // each test module uses a different subset

pub mod servers;

#[allow(unused_imports)] // not every binary uses the servers
pub use servers::*;

use std::time::Duration;

use podstack::RetryConfig;

pub const TOKEN: &str = "podstack_test_s3cr3tvalue";
pub const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));

pub fn fast_retries() -> RetryConfig {
    RetryConfig::default()
        .backoff_factor(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(20))
}

pub const WHOAMI: &str = r#"{"id":"usr_1","email":"ada@example.com","name":"Ada","account_id":"acc_1",
    "token":{"name":"laptop","prefix":"podstack_test","expires_at":null,"scopes":["pods:read"]},
    "some_future_field":true}"#;

/// Compiles the test cases in `$cases` (a path relative to the calling file) once for
/// each client whose feature is on, in modules `blocking` and `nonblocking` of the caller.
macro_rules! for_each_client {
    ($cases:literal) => {
        #[cfg(feature = "blocking")]
        mod blocking {
            #[allow(unused_imports)]
            use core::prelude::v1::test as flavour_test;
            #[allow(unused_imports)]
            use maybe_async::must_be_sync as flavour;
            #[allow(unused_imports)]
            use podstack::{Client, ClientBuilder, ListStream, LogStream};

            /// Whether these cases run against the blocking client.
            #[allow(dead_code)]
            pub const BLOCKING: bool = true;

            /// A mockito server with its own runtime.
            #[allow(dead_code)]
            pub fn mock_server() -> mockito::ServerGuard {
                mockito::Server::new()
            }

            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/sdk/support/flavoured.rs"
            ));
            include!($cases);
        }

        #[cfg(feature = "async")]
        mod nonblocking {
            #[allow(unused_imports)]
            use maybe_async::must_be_async as flavour;
            #[allow(unused_imports)]
            use podstack::nonblocking::{Client, ClientBuilder, ListStream, LogStream};
            #[allow(unused_imports)]
            use tokio::test as flavour_test;

            /// Whether these cases run against the blocking client.
            #[allow(dead_code)]
            pub const BLOCKING: bool = false;

            /// A mockito server; mockito must not start its own runtime inside tokio's.
            #[allow(dead_code)]
            pub async fn mock_server() -> mockito::ServerGuard {
                mockito::Server::new_async().await
            }

            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/sdk/support/flavoured.rs"
            ));
            include!($cases);
        }
    };
}
#[allow(unused_imports)]
pub(crate) use for_each_client;
