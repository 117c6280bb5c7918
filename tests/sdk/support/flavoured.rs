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

/// Downloads `{server}/object` through a presigned URL with a 1 s timeout and no
/// retries, and returns the error: promptly (within 20 s), and with no file left behind.
#[allow(dead_code)]
#[flavour]
pub async fn a_streamed_download_from(server: &Server) -> podstack::Error {
    let dir = std::env::temp_dir().join(format!(
        "podstack-head-{}-{}-{}",
        std::process::id(),
        server.port(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let client = builder_for(&server.url())
        .timeout(std::time::Duration::from_secs(1))
        .retry(podstack::RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .presigned()
        .download(&format!("{}/object?sig=1", server.url()), dir.join("x"))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "a file was left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
    error
}
