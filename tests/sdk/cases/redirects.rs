// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::{Duration, Instant};

use podstack::Error;

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

/// Found in the issue-16 review: a `302` (or `301`) answering a presigned `PUT` of a
/// reader (a body that can be sent once) ends as that answer, as a `307`/`308` does and
/// as the async client does (reqwest does not resend a streamed body). The blocking
/// transport followed it, keeping `PUT` and the body, so the second request took the
/// reader again and the call failed with `Error::Internal` ("a streamed request body
/// can be sent only once"), which says "a bug to report".
#[flavour]
#[flavour_test]
async fn a_302_to_a_put_from_a_reader_is_not_an_internal_error() {
    let server = Server::start(|seen: &Seen, conn: &mut dyn Conn| {
        if seen.target.starts_with("/first") {
            support::respond(conn, "302 Found", &[("Location", "/second")], b"");
        } else {
            support::respond(conn, "200 OK", &[], b"");
        }
    });
    let result = client_for(&server.url())
        .presigned()
        .upload_reader(
            &format!("{}/first?X-Amz-Signature=s", server.url()),
            std::io::Cursor::new(b"abc".to_vec()),
            Some(3),
        )
        .await;
    assert!(!matches!(result, Err(Error::Internal { .. })), "{result:?}");
    // Both clients stop at the redirect: its answer is the call's error, and the reader
    // was sent once, to the first URL only.
    let error = result.unwrap_err();
    assert_eq!(error.status_code(), Some(302), "{error:?}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "the redirect was followed: {seen:?}");
}
