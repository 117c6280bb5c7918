// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use std::time::{Duration, Instant};

use podstack::{Error, RetryConfig};

use crate::support::{self, Conn, Seen, Server};

fn whoami(_: &Seen, conn: &mut dyn Conn) {
    support::respond(
        conn,
        "200 OK",
        &[("Content-Type", "application/json")],
        WHOAMI.as_bytes(),
    );
}

fn no_content(seen: &Seen, conn: &mut dyn Conn) {
    support::drain_body(seen, conn);
    let _ = conn.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
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

/// PROBE 2: credentials in an endpoint URL are refused, but the refusal quotes the URL
/// with its password.
#[test]
fn endpoint_with_credentials_is_refused_without_quoting_the_password() {
    for endpoint in [
        "https://ada:hunter2pass@api.podstack.ai",
        "https://hunter2pass@api.podstack.ai/v1",
    ] {
        let error = Client::builder()
            .use_environment(false)
            .api_token(TOKEN)
            .api_endpoint(endpoint)
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        let shown = format!("{error} | {error:#} | {error:?}");
        assert!(!shown.contains("hunter2pass"), "{shown}");
    }
}

/// PROBE 3a: the README says "each error a bound raises names the setting to change",
/// but an over-cap answer's `Display` (what `eprintln!("{e}")` and `?` in main print)
/// does not: the limit is only in `{:#}`. With `max_response_body(0)` it even says "the
/// body is empty", which is false. A huge `Retry-After` over `max_retry_after` does not
/// name `max_retry_after` in any form.
#[flavour]
#[flavour_test]
async fn limit_errors_name_the_setting_in_display() {
    let server = Server::start(|seen, conn| {
        if seen.target.starts_with("/v1/auth") {
            whoami(seen, conn)
        } else {
            support::respond(
                conn,
                "429 Too Many Requests",
                &[("Retry-After", "999999")],
                br#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
            )
        }
    });
    let client = builder_for(&server.url())
        .max_response_body(0)
        .build()
        .unwrap();
    let error = client.auth().whoami().await.unwrap_err();
    let capped = error.to_string();
    let rate = client.gpus().list().await.unwrap_err().to_string();
    assert!(
        capped.contains("max_response_body") && !capped.contains("the body is empty"),
        "over the cap, Display: {capped:?}"
    );
    assert!(
        rate.contains("max_retry_after"),
        "huge Retry-After, Display: {rate:?}"
    );
}

/// PROBE 3b (fine, kept as a regression): `call_deadline(Some(Duration::ZERO))` is an
/// Error::Timeout naming call_deadline. The async client may still complete a call
/// answered within tokio's 1 ms timer tick (seen once in three runs on loopback).
#[flavour]
#[flavour_test]
async fn a_zero_call_deadline_fails_in_both_clients() {
    let server = Server::start(whoami);
    let client = builder_for(&server.url())
        .call_deadline(Some(Duration::ZERO))
        .build()
        .unwrap();
    let result = client.auth().whoami().await;
    assert!(
        matches!(&result, Err(Error::Timeout { .. })),
        "zero deadline: {result:?}; requests sent: {}",
        server.seen().len()
    );
    // A spent deadline sends nothing, whatever the timers' resolution.
    assert_eq!(server.seen().len(), 0);
}

/// PROBE 3c (fine today, kept as a regression): a 204 passes with max_response_body(0).
#[flavour]
#[flavour_test]
async fn no_content_passes_with_a_zero_body_cap() {
    let server = Server::start(no_content);
    builder_for(&server.url())
        .max_response_body(0)
        .build()
        .unwrap()
        .pods()
        .force_delete("pod_1")
        .await
        .unwrap_or_else(|e| panic!("204 with max_response_body(0): {e:#}"));
}

/// PROBE 4: answers that break the rules in small ways: invalid UTF-8 in headers, a
/// `Content-Length` that lies either way, odd `Retry-After` values. Must not panic or
/// hang; record what comes back.
#[flavour]
#[flavour_test]
async fn malformed_heads_and_lying_lengths() {
    let server = Server::start(|seen, conn| {
        let path = seen.target.split('?').next().unwrap_or_default();
        let raw: &[u8] = match path {
            "/v1/auth/whoami" => b"HTTP/1.1 500 Boom\r\nX-Request-Id: req_\xff\xfe\r\nRetry-After: \xff\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            "/v1/billing/wallet" => b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"balance\":1",
            "/v1/projects" => b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\nConnection: close\r\n\r\n{}",
            "/v1/gpus" => b"HTTP/1.1 429 Slow\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            _ => b"HTTP/1.1 429 Slow\r\nRetry-After: -5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        };
        let _ = conn.write_all(raw);
    });
    let client = builder_for(&server.url())
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.auth().whoami().await.unwrap_err();
    eprintln!("bad utf-8 heads: {e:?}");
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    let e = client.wallet().balance().await.unwrap_err();
    eprintln!("short body: {e} | {e:#}");
    let e = client.projects().list().await.unwrap_err();
    eprintln!("absurd content-length: {e} | {e:#}");
    let e = client.gpus().list().await.unwrap_err();
    eprintln!("retry-after year 9999: {e:?}");
    let e = client.tasks().get("t").await.unwrap_err();
    eprintln!("retry-after -5: {e:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// PROBE 5: a 2xx answer whose JSON has the token where a number is expected: serde's
/// message quotes the value; is it redacted in `{:#}` and `Debug`?
#[flavour]
#[flavour_test]
async fn token_echoed_into_a_decode_error_is_redacted() {
    let server = Server::start(|seen, conn| {
        let token = seen
            .header("authorization")
            .unwrap_or_default()
            .trim_start_matches("Bearer ")
            .to_owned();
        let body = format!(r#"{{"balance_cents":"{token}","currency":"USD"}}"#);
        support::respond(conn, "200 OK", &[], body.as_bytes());
    });
    let error = client_for(&server.url())
        .wallet()
        .balance()
        .await
        .unwrap_err();
    let shown = format!("{error} | {error:#} | {error:?}");
    eprintln!("{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

/// PROBE 6: `Debug` of a builder and a client with every secret set.
#[flavour]
#[flavour_test]
async fn debug_of_builder_and_client_shows_no_secret() {
    let builder = builder_for("http://127.0.0.1:9")
        .proxy("http://agent:hunter2pass@127.0.0.1:3128")
        .proxy_environment([("HTTPS_PROXY", "http://u:hunter2pass@p:1")]);
    let client = builder.clone().build().unwrap();
    let shown = format!(
        "{builder:?} {builder:#?} {client:?} {client:#?} {:?}",
        client.config()
    );
    eprintln!("{shown}");
    assert!(!shown.contains("hunter2pass"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

/// PROBE 7: `Display` vs `{:#}` of everyday errors, for reading (printed only).
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
    eprintln!("refused: [{e}] [{e:#}]");
    let e = Client::builder()
        .use_environment(false)
        .api_endpoint("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    eprintln!("no token: [{e}] [{e:#}]");
    let e = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://example.com")
        .build()
        .unwrap_err();
    eprintln!("insecure: [{e}]");
    let e = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://localhost.evil.com")
        .build()
        .unwrap_err();
    eprintln!("localhost.evil.com: [{e}]");
    let e = Client::builder()
        .use_environment(false)
        .api_token("podstack\u{200b}_s3cr3t")
        .build()
        .unwrap_err();
    eprintln!("zero-width: [{e}] {e:?}");
    assert!(!format!("{e:?}").contains("s3cr3t"));
}
