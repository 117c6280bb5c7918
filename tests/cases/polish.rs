// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use podstack::{auth::User, Error};

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
