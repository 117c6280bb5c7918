//! Helpers shared by the integration tests; the same test source runs in the blocking
//! and the async build (`maybe_async::test` strips `.await` in the blocking one).
#![allow(dead_code)] // each test file uses a different subset

use std::time::Duration;

use podstack::{Client, ClientBuilder, RetryConfig};

pub const TOKEN: &str = "podstack_test_s3cr3tvalue";
pub const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));

/// A mockito server; the async build must not start mockito's own runtime inside tokio.
#[cfg(not(feature = "async"))]
pub fn mock_server() -> mockito::ServerGuard {
    mockito::Server::new()
}

/// A mockito server; the async build must not start mockito's own runtime inside tokio.
#[cfg(feature = "async")]
pub async fn mock_server() -> mockito::ServerGuard {
    mockito::Server::new_async().await
}

/// A builder that ignores the machine's environment, aimed at `endpoint`, with fast
/// retries so retry tests take milliseconds.
pub fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint(endpoint)
        .retry(fast_retries())
}

pub fn fast_retries() -> RetryConfig {
    RetryConfig::default()
        .backoff_factor(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(20))
}

pub fn client(endpoint: &str) -> Client {
    builder(endpoint).build().expect("test client builds")
}

pub const WHOAMI: &str = r#"{"id":"usr_1","email":"ada@example.com","name":"Ada","account_id":"acc_1",
    "token":{"name":"laptop","prefix":"podstack_test","expires_at":null,"scopes":["pods:read"]},
    "some_future_field":true}"#;
