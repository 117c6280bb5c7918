// Helpers written once and included into each client's test module (see
// `for_each_client!`): `Client` and `ClientBuilder` are that client's.

#[allow(unused_imports)]
use crate::common::*;

/// A builder that ignores the machine's environment, aimed at `endpoint`, with fast
/// retries so retry tests take milliseconds.
#[allow(dead_code)]
pub fn builder_for(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint(endpoint)
        .retry(fast_retries())
}

#[allow(dead_code)]
pub fn client_for(endpoint: &str) -> Client {
    builder_for(endpoint).build().expect("test client builds")
}
