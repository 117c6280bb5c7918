// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use crate::{Capture, LINES};

#[flavour]
#[flavour_test]
async fn requests_are_logged_at_debug_without_the_token() {
    // Both clients' cases share the process and so the logger.
    let _ = log::set_logger(&Capture);
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

    client_for(&server.url()).auth().whoami().await.unwrap();

    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let ours: Vec<String> = lines
        .iter()
        .map(|l| format!("{} {}", l.level, l.message))
        .filter(|l| l.contains("/auth/whoami"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG GET /v1/auth/whoami -> 503 in ")
                && l.contains("req_first")),
        "{ours:#?}"
    );
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG retrying GET /v1/auth/whoami")),
        "{ours:#?}"
    );
    assert!(
        ours.iter()
            .any(|l| l.starts_with("DEBUG GET /v1/auth/whoami -> 200 in ")
                && l.contains("req_second")),
        "{ours:#?}"
    );
    for line in &lines {
        assert!(
            !line.message.contains(TOKEN),
            "token leaked in a log line: {line:?}"
        );
    }
    // Joined, so that a token printed in pieces across lines is found too.
    let all: String = lines.iter().map(|l| l.message.as_str()).collect();
    let squeezed: String = all.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        !squeezed.contains(TOKEN),
        "the token can be pieced together from the log"
    );
}
