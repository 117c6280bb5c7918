//! Each request is logged at debug level (method, path, status, elapsed, request id)
//! through the `log` facade, and the token never appears in a log line.

mod common;

use std::sync::{Mutex, OnceLock};

use common::*;

struct Capture;

static LINES: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        // The mock server's own log of what it received is not the client's output.
        if record.target().starts_with("mockito") {
            return;
        }
        LINES
            .get_or_init(Default::default)
            .lock()
            .unwrap()
            .push(format!(
                "{} {} [{}]",
                record.level(),
                record.args(),
                record.target()
            ));
    }
    fn flush(&self) {}
}

#[maybe_async::test(not(feature = "async"), async(feature = "async", tokio::test))]
async fn requests_are_logged_at_debug_without_the_token() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/auth/whoami")
        .with_status(503)
        .with_header("x-request-id", "req_first")
        .expect(1)
        .create();
    server
        .mock("GET", "/v1/auth/whoami")
        .with_header("x-request-id", "req_second")
        .with_body(WHOAMI)
        .create();

    client(&server.url()).auth().whoami().await.unwrap();

    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let ours: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("/auth/whoami"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG GET /auth/whoami -> 503 in ") && l.contains("req_first")),
        "{ours:#?}"
    );
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG retrying GET /auth/whoami")),
        "{ours:#?}"
    );
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG GET /auth/whoami -> 200 in ") && l.contains("req_second")),
        "{ours:#?}"
    );
    for line in &lines {
        assert!(!line.contains(TOKEN), "token leaked in a log line: {line}");
    }
}
