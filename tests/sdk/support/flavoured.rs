// Helpers written once and included into each client's test module (see
// `for_each_client!`): `Client` and `ClientBuilder` are that client's.

#[allow(unused_imports)]
use crate::support::*;

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

/// A client for `endpoint` (a mock server) with project `prj_1` and storage at its
/// `/platform` prefix.
#[allow(dead_code)]
pub fn storage_client_for(endpoint: &str) -> Client {
    builder_for(endpoint)
        .platform_endpoint(format!("{endpoint}/platform"))
        .project_id("prj_1")
        .build()
        .expect("test client builds")
}

/// A client for an emulator: its token, its project, storage at its platform service.
#[allow(dead_code)]
pub fn emulator_client(emulator: &podstack_emulator::Emulator) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(fast_retries())
        .build()
        .expect("test client builds")
}
