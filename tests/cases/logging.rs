// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use crate::{pieced_together, Capture, LINES};

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

#[flavour]
#[flavour_test]
async fn trace_logs_never_carry_the_token_even_pieced_together_from_hex_dumps() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    // A server that echoes the token back in a header and in the body.
    let server = crate::support::Server::start(|seen, conn| {
        let echoed = seen.header("authorization").unwrap_or_default().to_owned();
        let body = WHOAMI.replace("ada@example.com", &echoed);
        crate::support::respond(
            conn,
            "200 OK",
            &[("Content-Type", "application/json"), ("X-Echo", &echoed)],
            body.as_bytes(),
        );
    });

    client_for(&server.url()).auth().whoami().await.unwrap();
    let _ = client_for(&server.url()).projects().get("proj_1").await;

    // The server really got (and echoed) the token: the client did send it.
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some(bearer.as_str())
    );
    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    if cfg!(feature = "blocking") {
        assert!(
            lines
                .iter()
                .any(|l| l.target.starts_with("ureq") && l.level == log::Level::Trace),
            "the test must see ureq's trace output to mean anything"
        );
    }
    let (squeezed, decoded) = pieced_together(&lines);
    assert!(
        !squeezed.contains(TOKEN),
        "the token can be pieced together from the log lines"
    );
    assert!(
        !decoded.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the token can be decoded from the log's hex dumps"
    );
    assert!(
        !decoded.is_empty() || !cfg!(feature = "blocking"),
        "no hex dump was decoded: the decoder no longer matches ureq's format"
    );
}

#[flavour]
#[flavour_test]
async fn trace_logs_never_carry_proxy_credentials() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let server = crate::support::Server::start(|_, conn| {
        crate::support::respond(conn, "200 OK", &[], WHOAMI.as_bytes())
    });
    let proxy = crate::support::Proxy::start();

    builder_for(&server.url())
        .proxy(format!("http://agent:hunter2@{}", proxy.addr))
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap();

    assert!(proxy.seen()[0].proxy_authorization.is_some());
    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let (squeezed, decoded) = pieced_together(&lines);
    // The password, and the Basic credentials as sent (base64 of "agent:hunter2").
    for secret in ["hunter2", "YWdlbnQ6aHVudGVyMg=="] {
        assert!(!squeezed.contains(secret), "{secret} in the log lines");
        assert!(
            !decoded
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "{secret} in the log's hex dumps"
        );
    }
}

/// The warning lines logged so far that mention `needle`.
fn warnings_about(needle: &str) -> Vec<String> {
    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    lines
        .iter()
        .filter(|l| l.level == log::Level::Warn && l.message.contains(needle))
        .map(|l| l.message.clone())
        .collect()
}

/// A directory of its own for one test and client (`module_path!` tells them apart).
fn scratch(name: &str) -> std::path::PathBuf {
    let flavour = module_path!().replace("::", "-");
    let dir = std::env::temp_dir().join(format!(
        "podstack-log-{name}-{flavour}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".podstack")).unwrap();
    dir
}

#[flavour]
#[flavour_test]
async fn a_junk_default_credentials_file_is_warned_about_once_when_the_client_is_built() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let home = scratch("junk");
    let file = home.join(".podstack").join("credentials");
    std::fs::write(&file, "hello world\n").unwrap();
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .create();

    let client = Client::builder()
        .podstack_environment(Vec::<(String, String)>::new(), Some(home.clone()))
        .api_token(TOKEN)
        .api_endpoint(server.url())
        .build()
        .unwrap();
    client.auth().whoami().await.unwrap();
    client.auth().whoami().await.unwrap();
    let _ = client.buckets().list().await.unwrap_err();

    // (A file others may read is warned about too, on Unix: that warning is not this.)
    let warned: Vec<String> = warnings_about(&file.display().to_string())
        .into_iter()
        .filter(|w| w.starts_with("ignoring the default credentials file"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert!(warned[0].contains("is malformed: line 1"), "{warned:#?}");
    assert!(!warned[0].contains("hello"), "{warned:#?}");
    std::fs::remove_dir_all(&home).ok();
}

#[cfg(unix)]
#[flavour]
#[flavour_test]
async fn a_credentials_file_others_can_read_is_used_with_a_warning_naming_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let dir = scratch("mode");
    let file = dir.join("credentials");
    std::fs::write(&file, format!("[default]\napi_token = {TOKEN}\n")).unwrap();
    let build = || {
        Client::builder()
            .use_environment(false)
            .credentials_file(&file)
            .build()
            .expect("the file is used")
    };

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let client = build();
    assert!(matches!(
        client.config().token_source(),
        podstack::config::Source::Profile { .. }
    ));
    let warned = warnings_about(&file.display().to_string());
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert!(warned[0].contains("mode 0644"), "{warned:#?}");
    assert!(
        warned[0].contains(&format!("chmod 600 {}", file.display())),
        "{warned:#?}"
    );

    // Private: no further warning.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    build();
    assert_eq!(warnings_about(&file.display().to_string()).len(), 1);
    std::fs::remove_dir_all(&dir).ok();
}
