// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use podstack::Error;

use crate::support::{self, Conn, Pki, Proxy, Seen, Server};

fn whoami(_: &Seen, conn: &mut dyn Conn) {
    support::respond(
        conn,
        "200 OK",
        &[("Content-Type", "application/json")],
        WHOAMI.as_bytes(),
    );
}

/// Whether the proxy was asked for `port` (forwarded or tunnelled).
fn went_through(proxy: &Proxy, port: u16) -> bool {
    proxy
        .seen()
        .iter()
        .any(|p| p.request_line.contains(&format!(":{port}")))
}

#[flavour]
#[flavour_test]
async fn requests_go_through_the_proxy_given_to_the_builder() {
    let server = Server::start(whoami);
    let proxy = Proxy::start();

    let client = builder_for(&server.url())
        .proxy(proxy.url())
        .build()
        .unwrap();
    client.auth().whoami().await.unwrap();

    assert!(went_through(&proxy, server.port()), "{:?}", proxy.seen());
    assert_eq!(server.seen().len(), 1);
}

#[flavour]
#[flavour_test]
async fn proxy_credentials_are_sent_and_never_shown() {
    let server = Server::start(whoami);
    let proxy = Proxy::start();
    let with_credentials = format!("http://agent:hunter2@{}", proxy.addr);

    let builder = builder_for(&server.url()).proxy(&with_credentials);
    let client = builder.clone().build().unwrap();
    client.auth().whoami().await.unwrap();

    let seen = proxy.seen();
    // base64("agent:hunter2")
    assert_eq!(
        seen[0].proxy_authorization.as_deref(),
        Some("Basic YWdlbnQ6aHVudGVyMg=="),
        "{seen:?}"
    );
    for shown in [format!("{builder:?}"), format!("{client:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    // A proxy that is not there: the error names no credentials either.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = builder_for(&server.url())
        .proxy(format!("http://agent:hunter2@{closed}"))
        .retry(podstack::RetryConfig::disabled())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();
    assert!(
        !format!("{error} {error:?}").contains("hunter2"),
        "{error:?}"
    );
    // Nor does the error for an unusable proxy URL.
    let error = builder_for(&server.url())
        .proxy("socks5://agent:hunter2@127.0.0.1:1")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(
        !format!("{error} {error:?}").contains("hunter2"),
        "{error:?}"
    );
}

#[flavour]
#[flavour_test]
async fn the_environment_picks_the_proxy_by_scheme_and_no_proxy_bypasses_it() {
    let server = Server::start(whoami);
    let proxy = Proxy::start();

    // http target, HTTP_PROXY: through the proxy.
    builder_for(&server.url())
        .proxy_environment([("HTTP_PROXY", proxy.url())])
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();
    assert!(went_through(&proxy, server.port()));
    let before = proxy.seen().len();

    // http target, only HTTPS_PROXY: direct.
    builder_for(&server.url())
        .proxy_environment([("https_proxy", proxy.url())])
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();
    // ALL_PROXY, but NO_PROXY names the loopback range: direct.
    builder_for(&server.url())
        .proxy_environment([
            ("ALL_PROXY", proxy.url()),
            ("NO_PROXY", "example.com,127.0.0.0/8".into()),
        ])
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();
    // HTTP_PROXY, but no_proxy() on the builder: direct.
    builder_for(&server.url())
        .proxy_environment([("HTTP_PROXY", proxy.url())])
        .no_proxy()
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();

    assert_eq!(proxy.seen().len(), before, "{:?}", proxy.seen());
    assert_eq!(server.seen().len(), 4);
}

#[flavour]
#[flavour_test]
async fn a_private_ca_is_refused_until_it_is_added() {
    let pki = Pki::new();
    let server = pki.serve(whoami);

    let error = builder_for(&server.url())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(
        error.to_string().contains("add_root_certificate"),
        "{error}"
    );
    // The host it could not trust, with its port.
    let handshake = format!("TLS handshake with localhost:{} failed", server.port());
    assert!(error.message().starts_with(&handshake), "{error}");
    assert!(server.seen().is_empty());

    let user = builder_for(&server.url())
        .add_root_certificate(pki.ca_pem.as_bytes())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();
    assert_eq!(user.id, "usr_1");
}

#[flavour]
#[flavour_test]
async fn pem_without_a_certificate_fails_the_build() {
    let error = builder_for("https://localhost:1")
        .add_root_certificate(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(
        error.to_string().contains("add_root_certificate"),
        "{error}"
    );
}

#[flavour]
#[flavour_test]
async fn https_goes_through_the_proxy_in_a_tunnel() {
    let pki = Pki::new();
    let server = pki.serve(whoami);
    let proxy = Proxy::start();

    builder_for(&server.url())
        .add_root_certificate(pki.ca_pem.as_bytes())
        .proxy(proxy.url())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();

    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|p| p.request_line == format!("CONNECT localhost:{}", server.port())),
        "{seen:?}"
    );
}

#[flavour]
#[flavour_test]
async fn a_redirect_from_https_to_http_is_not_followed() {
    let plain = Server::start(whoami);
    let location = format!("http://127.0.0.1:{}/v1/auth/whoami", plain.port());
    let pki = Pki::new();
    let server = pki.serve(move |_, conn| support::redirect(conn, "302 Found", &location));

    let error = builder_for(&server.url())
        .add_root_certificate(pki.ca_pem.as_bytes())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();

    assert_eq!(error.status_code(), Some(302), "{error:?}");
    assert!(plain.seen().is_empty());
}

#[flavour]
#[flavour_test]
async fn the_system_store_can_be_trusted_alongside_an_added_root() {
    let pki = Pki::new();
    let server = pki.serve(whoami);

    let user = builder_for(&server.url())
        .tls_native_roots(true)
        .add_root_certificate(pki.ca_pem.as_bytes())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();

    assert_eq!(user.id, "usr_1");
}

/// An `http://` loopback endpoint is allowed without `allow_insecure_http` because the
/// token never leaves the machine; with a proxy elsewhere set (`HTTP_PROXY`, as on most
/// corporate machines, or `.proxy(..)`), the request must still go direct, never in
/// plain text to that proxy. The proxy here cannot be reached: a request sent to it
/// would fail, so success proves it went direct.
#[flavour]
#[flavour_test]
async fn loopback_http_endpoint_is_not_sent_through_a_proxy() {
    let api = Server::start(whoami);
    let client = builder_for(&api.url())
        .proxy_environment([("HTTP_PROXY", "http://proxy.corp.invalid:3128")])
        .build()
        .unwrap();

    client.auth().whoami().await.unwrap();
    assert_eq!(api.seen().len(), 1);
}

/// Same with the builder's explicit `.proxy(..)`.
#[flavour]
#[flavour_test]
async fn loopback_http_endpoint_is_not_sent_through_an_explicit_proxy() {
    let api = Server::start(whoami);
    let client = builder_for(&api.url())
        .proxy("http://proxy.corp.invalid:3128")
        .build()
        .unwrap();

    client.auth().whoami().await.unwrap();
    assert_eq!(api.seen().len(), 1);
}
