// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use std::time::{Duration, Instant};

use podstack::{Error, RetryConfig};

use crate::support::{self, Conn, Seen, Server};

/// Generous: each of these hung (or took minutes) before its fix.
const PROMPTLY: Duration = Duration::from_secs(20);

fn whoami(_: &Seen, conn: &mut dyn Conn) {
    support::respond(
        conn,
        "200 OK",
        &[("Content-Type", "application/json")],
        WHOAMI.as_bytes(),
    );
}

fn assert_prompt(started: Instant) {
    assert!(started.elapsed() < PROMPTLY, "took {:?}", started.elapsed());
}

#[flavour]
#[flavour_test]
async fn a_json_answer_over_the_cap_fails_naming_the_limit() {
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(200_000));
    let server =
        Server::start(move |_, conn| support::respond(conn, "200 OK", &[], big.as_bytes()));
    let client = builder_for(&server.url())
        .max_response_body(10_000)
        .build()
        .unwrap();

    let error = client.auth().whoami().await.unwrap_err();

    assert!(
        matches!(error, Error::TooLarge { limit: 10_000, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    // The plain Display (what `?` in main prints) names the limit and the setting.
    let message = error.to_string();
    assert!(message.contains("10000 bytes"), "{message}");
    assert!(message.contains("max_response_body"), "{message}");
    // Not retried: the same answer would come back.
    assert_eq!(server.seen().len(), 1);
}

#[flavour]
#[flavour_test]
async fn an_endless_answer_stops_at_the_default_cap() {
    let server = Server::start(|_, conn| {
        support::start_chunked(conn, "200 OK");
        let piece = vec![b' '; 64 * 1024];
        while support::chunk(conn, &piece) {}
    });
    let started = Instant::now();

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
    assert!(!error.is_transient());
    assert!(format!("{error:#}").contains("16777216 bytes"), "{error:#}");
    assert_prompt(started);
}

#[flavour]
#[flavour_test]
async fn an_endless_error_body_is_cut_short_and_still_maps_by_status() {
    let server = Server::start(|_, conn| {
        support::start_chunked(conn, "500 Internal Server Error");
        let piece = vec![b'e'; 16 * 1024];
        while support::chunk(conn, &piece) {}
    });
    let started = Instant::now();

    let error = builder_for(&server.url())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert_eq!(error.status_code(), Some(500));
    assert_prompt(started);
}

#[flavour]
#[flavour_test]
async fn a_trickling_answer_is_ended_by_the_call_deadline() {
    let server = Server::start(|_, conn| {
        let _ = conn
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n");
        for _ in 0..100_000 {
            if conn.write_all(b" ").and_then(|_| conn.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = Instant::now();
    let client = builder_for(&server.url())
        .timeout(Duration::from_secs(5))
        .call_deadline(Some(Duration::from_secs(1)))
        .build()
        .unwrap();

    let error = client.auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("call_deadline"), "{error}");
    assert_prompt(started);
}

#[flavour]
#[flavour_test]
async fn a_huge_retry_after_is_returned_at_once_not_waited_for() {
    let server = Server::start(|_, conn| {
        support::respond(
            conn,
            "429 Too Many Requests",
            &[("Retry-After", "999999999")],
            br#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
        )
    });
    let started = Instant::now();

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    match &error {
        Error::RateLimit { retry_after, .. } => {
            assert!(
                retry_after.is_some_and(|wait| wait > Duration::from_secs(60)),
                "{error:?}"
            )
        }
        other => panic!("expected RateLimit, got {other:?}"),
    }
    assert!(
        error.to_string().contains("RetryConfig::max_retry_after"),
        "{error}"
    );
    assert_eq!(server.seen().len(), 1);
    assert_prompt(started);
}

#[flavour]
#[flavour_test]
async fn a_short_retry_after_is_still_honoured() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = Server::start(move |seen, conn| {
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            support::respond(
                conn,
                "429 Too Many Requests",
                &[("Retry-After", "0")],
                b"{}",
            )
        } else {
            whoami(seen, conn)
        }
    });

    client_for(&server.url()).auth().whoami().await.unwrap();

    assert_eq!(server.seen().len(), 2);
}

#[flavour]
#[flavour_test]
async fn a_redirect_to_another_port_of_the_same_host_loses_the_token() {
    let other = Server::start(whoami);
    let location = format!("http://127.0.0.1:{}/v1/auth/whoami", other.port());
    let server =
        Server::start(move |_, conn| support::redirect(conn, "307 Temporary Redirect", &location));

    client_for(&server.url()).auth().whoami().await.unwrap();

    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some(bearer.as_str())
    );
    let followed = other.seen();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].header("authorization"), None, "{followed:?}");
}

#[flavour]
#[flavour_test]
async fn a_redirect_to_another_host_loses_the_token() {
    // Another loopback address is another host; skipped where it cannot be bound.
    let Some(other) = Server::start_on("127.0.0.2", None, whoami) else {
        eprintln!("127.0.0.2 cannot be bound here: skipped");
        return;
    };
    let location = format!("http://127.0.0.2:{}/v1/auth/whoami", other.port());
    let server = Server::start(move |_, conn| support::redirect(conn, "302 Found", &location));

    client_for(&server.url()).auth().whoami().await.unwrap();

    let followed = other.seen();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].header("authorization"), None, "{followed:?}");
}

#[flavour]
#[flavour_test]
async fn a_redirect_within_the_origin_keeps_the_token() {
    let server = Server::start(|seen, conn| {
        if seen.target == "/v1/auth/whoami" {
            support::redirect(conn, "308 Permanent Redirect", "/v1/auth/whoami-moved")
        } else {
            whoami(seen, conn)
        }
    });

    client_for(&server.url()).auth().whoami().await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].target, "/v1/auth/whoami-moved");
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(seen[1].header("authorization"), Some(bearer.as_str()));
}

#[flavour]
#[flavour_test]
async fn a_redirect_loop_is_one_clear_error_not_retried() {
    let server = Server::start(|_, conn| support::redirect(conn, "302 Found", "/v1/auth/whoami"));
    let started = Instant::now();

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert!(error.to_string().contains("redirects"), "{error}");
    assert!(!error.is_transient());
    // One chain (the first request and up to 5 redirects), not one per retry.
    let requests = server.seen().len();
    assert!((5..=7).contains(&requests), "{requests} requests");
    assert_prompt(started);
}

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
async fn a_timeout_of_duration_max_means_no_limit_not_a_panic() {
    let server = Server::start(whoami);
    let client = builder_for(&server.url())
        .timeout(Duration::MAX)
        .call_deadline(Some(Duration::MAX))
        .build()
        .unwrap();

    let user = client.auth().whoami().await.unwrap();

    assert_eq!(user.id, "usr_1");
}

#[flavour]
#[flavour_test]
async fn a_stalled_upload_times_out() {
    // The server takes the head, then never reads the body.
    let server = Server::start(|_, _conn| std::thread::sleep(Duration::from_secs(60)));
    let dir = std::env::temp_dir().join(format!(
        "podstack-stall-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.bin");
    // Larger than the socket buffers on both sides, so the writes must block.
    std::fs::write(&file, vec![0u8; 64 * 1024 * 1024]).unwrap();
    let client = builder_for(&server.url())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();

    let error = client
        .pods()
        .upload("pod_1", &file, "/workspace/big.bin")
        .await
        .unwrap_err();

    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_prompt(started);
}

#[flavour]
#[flavour_test]
async fn a_download_holding_the_token_arrives_byte_for_byte() {
    let content = format!("before {TOKEN} middle {TOKEN}{TOKEN} after").repeat(3000);
    let expected = content.clone();
    let server = Server::start(move |_, conn| {
        support::respond(
            conn,
            "200 OK",
            &[("Content-Type", "application/octet-stream")],
            content.as_bytes(),
        )
    });
    let dir = std::env::temp_dir().join(format!(
        "podstack-dl-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("secrets.txt");

    client_for(&server.url())
        .pods()
        .download("pod_1", "/workspace/secrets.txt", &local)
        .await
        .unwrap();

    let got = std::fs::read_to_string(&local).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(got == expected, "the download changed");
}

#[flavour]
#[flavour_test]
async fn a_token_echoed_in_an_error_answer_is_redacted() {
    let server = Server::start(|seen, conn| {
        let echoed = seen.header("authorization").unwrap_or_default().to_owned();
        let body =
            format!(r#"{{"error":{{"code":"invalid_token","message":"bad token {echoed}"}}}}"#);
        support::respond(
            conn,
            "401 Unauthorized",
            &[("X-Echo", &echoed)],
            body.as_bytes(),
        )
    });

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

/// A server that answers a streamed download with `head_piece` every 100 ms, for ever
/// (until the client goes away).
fn trickle_server(opening: &'static [u8], head_piece: &'static [u8]) -> Server {
    Server::start(move |_, conn| {
        if conn.write_all(opening).is_err() {
            return;
        }
        for _ in 0..600 {
            if conn
                .write_all(head_piece)
                .and_then(|_| conn.flush())
                .is_err()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

#[flavour]
async fn a_streamed_download_from(server: &Server) -> Error {
    let dir = std::env::temp_dir().join(format!(
        "podstack-head-{}-{}-{}",
        std::process::id(),
        server.port(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let client = builder_for(&server.url())
        .timeout(Duration::from_secs(1))
        .retry(RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .presigned()
        .download(&format!("{}/object?sig=1", server.url()), dir.join("x"))
        .await
        .unwrap_err();
    assert_prompt(started);
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "a file was left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
    error
}

#[flavour]
#[flavour_test]
async fn a_streamed_download_whose_head_trickles_ends_at_the_timeout() {
    // One header line every 100 ms: every read succeeds, the head never ends.
    let server = trickle_server(b"HTTP/1.1 200 OK\r\n", b"X-Slow: y\r\n");

    let error = a_streamed_download_from(&server).await;

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn a_streamed_download_answered_by_endless_1xx_ends_at_the_timeout() {
    let server = trickle_server(b"", b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");

    let error = a_streamed_download_from(&server).await;

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
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

/// A server that answers with `opening`, then the client's token a byte every 900 ms
/// (each byte could continue the start of a token, so a shield could hold them all).
fn token_trickle_server(opening: &'static str) -> Server {
    Server::start(move |_, conn| {
        let _ = conn.write_all(opening.as_bytes());
        for byte in TOKEN.bytes() {
            if conn.write_all(&[byte]).and_then(|_| conn.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(900));
        }
    })
}

#[flavour]
#[flavour_test]
async fn a_head_trickling_the_token_still_ends_at_the_timeout() {
    let server = token_trickle_server("HTTP/1.1 200 OK\r\nX-Echo: ");

    let error = a_streamed_download_from(&server).await;

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn a_body_trickling_the_token_still_ends_at_the_call_deadline() {
    let server =
        token_trickle_server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"email\":\"");
    let client = builder_for(&server.url())
        .timeout(Duration::from_secs(1))
        .call_deadline(Some(Duration::from_secs(2)))
        .build()
        .unwrap();
    let started = Instant::now();

    let error = client.auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("call_deadline"), "{error}");
    assert_prompt(started);
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
    let dir = std::env::temp_dir().join(format!(
        "podstack-quirk-{}-{}",
        std::process::id(),
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

#[flavour]
#[flavour_test]
async fn a_redirect_to_a_url_holding_the_token_is_not_followed() {
    let server = Server::start(|seen, conn| {
        if seen.target.starts_with("/v1/auth/whoami") {
            support::redirect(conn, "302 Found", &format!("/v1/next?t={TOKEN}"));
        } else {
            whoami(seen, conn);
        }
    });

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert!(error.to_string().contains("holds the API token"), "{error}");
    assert_eq!(server.seen().len(), 1, "the redirect was followed");
}
