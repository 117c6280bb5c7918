// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use crate::support::{self, Server};
use podstack::{Error, RetryConfig};
use std::time::{Duration, Instant};

#[flavour]
#[flavour_test]
async fn an_answer_that_breaks_http_is_not_retried() {
    let server = Server::start(|_, conn| {
        let _ = conn.write_all(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz-not-a-size\r\n",
        );
    });

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert!(error.to_string().contains("broke HTTP"), "{error}");
    assert_eq!(server.seen().len(), 1);
}

#[flavour]
#[flavour_test]
async fn an_encoded_answer_reaches_the_caller_as_it_came() {
    // A gzip stream (of "hello"), sent though the client asked for no encoding.
    const GZIP: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00\x86\xa6\x10\x36\x05\x00\x00\x00";
    let server = Server::start(|_, conn| {
        support::respond(conn, "200 OK", &[("Content-Encoding", "gzip")], GZIP)
    });
    let dir = std::env::temp_dir().join(format!(
        "podstack-encoded-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("object.gz");

    client_for(&server.url())
        .presigned()
        .download(&format!("{}/object.gz?sig=1", server.url()), &local)
        .await
        .unwrap();

    let got = std::fs::read(&local).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, GZIP, "the object's bytes, not a decoding of them");
    assert_eq!(
        server.seen()[0]
            .header("accept-encoding")
            .unwrap_or("identity"),
        "identity"
    );
}

/// Complete answers that a strict reading of HTTP cannot follow (ureq reads them):
/// nothing may wait for more of them.
const QUIRKY_HEADS: &[&str] = &[
    "HTTP/1.1 200 OK\r\nContent-Length: {len}, {len}\r\n\r\n",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: {len}\r\n\r\n",
    "HTTP/1.1 200 OK\nContent-Length: {len}\n\n",
    "\r\nHTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n",
];

/// Downloads `/first` (a quirky answer with `body`, then `stray` bytes) and `/second`
/// from one keep-alive server; the second download's outcome.
#[flavour]
async fn after_a_quirky_answer(
    head: &'static str,
    body: &'static str,
    stray: &'static str,
) -> (Result<String, Error>, Duration) {
    let server = Server::start_keep_alive(move |seen, conn| {
        let answer = match seen.target.as_str() {
            "/first" => format!(
                "{}{body}{stray}",
                head.replace("{len}", &body.len().to_string())
            ),
            _ => "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond".to_owned(),
        };
        let _ = conn.write_all(answer.as_bytes());
        true
    });
    // A stall would last the whole timeout.
    let client = builder_for(&server.url())
        .timeout(Duration::from_secs(60))
        .retry(RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    // The server's port keeps the folder apart from other tests of this module running
    // beside it in the one test binary (each removes its folder at the end).
    let dir = std::env::temp_dir().join(format!(
        "podstack-quirk-{}-{}-{}",
        std::process::id(),
        server.port(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let _ = client
        .presigned()
        .download(&format!("{}/first", server.url()), dir.join("first"))
        .await;
    let elapsed = started.elapsed();
    let second = client
        .presigned()
        .download(&format!("{}/second", server.url()), dir.join("second"))
        .await
        .map(|_| std::fs::read_to_string(dir.join("second")).unwrap_or_default());
    let _ = std::fs::remove_dir_all(&dir);
    (second, elapsed)
}

#[flavour]
#[flavour_test]
async fn complete_answers_a_strict_reader_cannot_follow_are_never_held() {
    for head in QUIRKY_HEADS {
        // Ending with the start of a token.
        let (second, elapsed) = after_a_quirky_answer(head, "abc pod", "").await;
        assert!(
            elapsed < Duration::from_secs(30),
            "{head:?} stalled for {elapsed:?}"
        );
        assert_eq!(second.unwrap(), "second", "{head:?}");
    }
}

#[flavour]
#[flavour_test]
async fn stray_bytes_after_an_answer_never_poison_the_next_call() {
    for head in QUIRKY_HEADS {
        let (second, _) = after_a_quirky_answer(head, "abc", "pod").await;
        let second = second.unwrap_or_else(|e| panic!("{head:?}: the next call failed: {e}"));
        assert_eq!(second, "second", "{head:?}");
    }
}

/// Answers that break the rules in small ways: invalid UTF-8 in headers, a
/// `Content-Length` that lies either way, odd `Retry-After` values. No panic, no hang:
/// each is the error a user can act on, and an unreadable `Retry-After` is none.
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
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(e.to_string(), "server error: HTTP 500, body: {} (HTTP 500)");
    // A body shorter than its length: the connection failed, naming the server.
    let e = client.wallet().balance().await.unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("the connection to {} failed", server.addr)
    );
    let e = client.projects().list().await.unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the server's answer broke HTTP: "),
        "{e:?}"
    );
    // A date in the year 9999 and a negative number are no wait at all.
    let e = client.gpus().list().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::RateLimit {
                retry_after: None,
                ..
            }
        ),
        "{e:?}"
    );
    let e = client.tasks().get("t").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::RateLimit {
                retry_after: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}
