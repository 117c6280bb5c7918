// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use crate::support::{self, Conn, Seen, Server};
use podstack::{Error, RetryConfig};
use std::time::{Duration, Instant};

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

fn no_content(seen: &Seen, conn: &mut dyn Conn) {
    support::drain_body(seen, conn);
    let _ = conn.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

/// As the README says, each error a bound raises names the setting to change, in its
/// `Display` too (what `eprintln!("{e}")` and `?` in main print): an over-cap answer
/// names `max_response_body` (and with `max_response_body(0)` does not claim "the body is
/// empty"), and a huge `Retry-After` over `max_retry_after` names `max_retry_after`.
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

/// `call_deadline(Some(Duration::ZERO))` is an `Error::Timeout` naming `call_deadline`. The async client may still complete a call
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

/// A 204 passes with `max_response_body(0)`.
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
