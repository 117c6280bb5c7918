// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use podstack::{auth::User, Error, RetryConfig};

/// The texts of an error's sources, outermost first.
fn sources(error: &Error) -> Vec<String> {
    let mut texts = Vec::new();
    let mut next = std::error::Error::source(error);
    while let Some(source) = next {
        texts.push(source.to_string());
        next = source.source();
    }
    texts
}

/// `Display` never repeats a source's text; `{:#}` shows each source exactly once.
fn assert_sources_shown_once(error: &Error) {
    let display = error.to_string();
    let alternate = format!("{error:#}");
    let chain = sources(error);
    assert!(!chain.is_empty(), "{error:?}");
    let innermost = chain.last().unwrap();
    assert!(!display.contains(innermost.as_str()), "{display}");
    assert_eq!(
        alternate.matches(innermost.as_str()).count(),
        1,
        "{alternate}"
    );
    assert!(alternate.starts_with(&display), "{alternate}");
}

#[flavour]
#[flavour_test]
async fn a_network_error_shows_its_source_once_and_a_clone_keeps_it() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = builder_for(&format!("http://127.0.0.1:{port}"))
        .retry(podstack::RetryConfig::default().max_retries(0))
        .build()
        .unwrap();

    let error = client.auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_sources_shown_once(&error);
    let copy = error.clone();
    assert_eq!(copy.to_string(), error.to_string());
    assert_eq!(format!("{copy:#}"), format!("{error:#}"));
    assert_eq!(sources(&copy), sources(&error));
}

#[flavour]
#[flavour_test]
async fn a_decode_error_shows_the_json_error_once_and_as_its_source() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/auth/whoami")
        .with_body(r#"{"id": 5}"#)
        .create();

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_sources_shown_once(&error);
    assert!(error.to_string().contains(r#"{"id": 5}"#), "{error}");
    let source = std::error::Error::source(&error).unwrap();
    assert!(source.downcast_ref::<serde_json::Error>().is_some());
    assert_eq!(sources(&error.clone()), sources(&error));
}

#[flavour]
#[flavour_test]
async fn an_answer_serializes_and_reads_back_equal() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .create();

    let user = client_for(&server.url()).auth().whoami().await.unwrap();

    let cached = serde_json::to_string(&user).unwrap();
    let back: User = serde_json::from_str(&cached).unwrap();
    assert_eq!(back, user);
    assert!(!cached.contains(TOKEN), "{cached}");
}

#[flavour]
#[flavour_test]
async fn a_plain_string_error_body_becomes_the_message_and_the_status_picks_the_variant() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/pods/pod_gone")
        .with_status(404)
        .with_header("x-request-id", "req_plain")
        .with_body(r#"{"error": "pod pod_gone not found"}"#)
        .create();
    server
        .mock("DELETE", "/v1/pods/pod_busy")
        .with_status(409)
        .with_body(r#"{"error": "pod is running"}"#)
        .create();
    let client = client_for(&server.url());

    let error = client.pods().get("pod_gone").await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(error.message(), "pod pod_gone not found");
    assert_eq!(error.request_id(), Some("req_plain"));
    let error = client.pods().delete("pod_busy").await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(error.message(), "pod is running");
}

/// `Display` and `{:#}` of everyday errors: a refused connection names the server (and
/// `{:#}` adds the system's words), a missing token says where it was looked for, plain
/// http to another host says how to allow it, and an unusable token says which
/// character, never the token.
#[flavour]
#[flavour_test]
async fn show_everyday_errors() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = builder_for(&format!("http://{closed}"))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();
    let shown = format!("could not connect to {closed}: check the endpoint and the network");
    assert_eq!(e.to_string(), shown);
    let chain = format!("{e:#}");
    assert!(
        chain.starts_with(&format!("{shown}: ")) && chain.contains("Connection refused"),
        "{chain}"
    );
    let e = Client::builder()
        .use_environment(false)
        .api_endpoint("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "No API token provided. Looked for: an explicit token (Client::builder().api_token(..)), \
             the PODSTACK_API_TOKEN and PODSTACK_API_KEY environment variables"
        ) && shown.ends_with("Set PODSTACK_API_TOKEN or pass the token to the builder."),
        "{shown}"
    );
    assert_eq!(format!("{e:#}"), shown);
    let e = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://example.com")
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid API endpoint \"http://example.com\" (from explicit setting): plain http would \
         send the API token unencrypted to example.com; use https, or allow it explicitly with \
         ClientBuilder::allow_insecure_http(true)"
    );
    let e = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://localhost.evil.com")
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid API endpoint \"http://localhost.evil.com\" (from explicit setting): plain http \
         would send the API token unencrypted to localhost.evil.com; use https, or allow it \
         explicitly with ClientBuilder::allow_insecure_http(true)"
    );
    let e = Client::builder()
        .use_environment(false)
        .api_token("podstack\u{200b}_s3cr3t")
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the API token from explicit setting is unusable: character 9 of 16 is a non-ASCII \
         character; a token is printable ASCII only (was it pasted with a stray character?)"
    );
    assert!(!format!("{e:?}").contains("s3cr3t"));
}
