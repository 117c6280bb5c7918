// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
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

/// Every kind of body holding the token, through `client`: what the caller gets, and
/// what the server stored, is byte for byte what was sent.
#[flavour]
async fn round_trip_bodies_holding(client: &Client, token: &str, dir: &std::path::Path) {
    use podstack::{LogOptions, NewBucket, NewPod};
    // A JSON field: a pod whose environment holds the token.
    let pod = client
        .pods()
        .create(&NewPod::new("echo-token", "ubuntu").env("SECRET", token))
        .await
        .unwrap();
    let got = client.pods().get(&pod.id).await.unwrap();
    assert_eq!(got.env["SECRET"], token);
    client
        .pods()
        .wait_until_running(&pod.id, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    // Exec output, then the same line in the pod's log (text).
    let line = format!("SECRET={token}");
    let exec = client.pods().exec(&pod.id, "env").await.unwrap();
    assert!(
        exec.output.contains(&line),
        "exec output: {:?}",
        exec.output
    );
    let logs = client
        .pods()
        .logs(&pod.id, &LogOptions::new())
        .await
        .unwrap();
    assert!(logs.contains(&line), "logs: {logs:?}");

    // A file with the token at its start, across the 64 KiB piece boundaries and at
    // its end, up to a bucket and a pod and back down.
    let mut content = Vec::new();
    for boundary in [0, 64 * 1024, 128 * 1024, 192 * 1024] {
        content.resize(
            boundary.max(content.len()).saturating_sub(token.len() / 2),
            b'.',
        );
        content.extend_from_slice(token.as_bytes());
    }
    content.extend_from_slice(b"\n");
    content.extend_from_slice(token.as_bytes());
    let source = dir.join("holds-the-token.txt");
    std::fs::write(&source, &content).unwrap();

    let bucket = client
        .buckets()
        .create(&NewBucket::new("token-bodies"))
        .await
        .unwrap();
    client
        .buckets()
        .upload(&bucket.id, &source, "holds-the-token.txt")
        .await
        .unwrap();
    let back = dir.join("object-back.txt");
    client
        .buckets()
        .download(&bucket.id, "holds-the-token.txt", &back)
        .await
        .unwrap();
    assert!(
        std::fs::read(&back).unwrap() == content,
        "the object came back changed"
    );
    // What the server stored, read without the SDK (and without ureq, which would log
    // the body it reads).
    let url = client
        .buckets()
        .presigned_download_url(
            &bucket.id,
            "holds-the-token.txt",
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap()
        .url;
    let stored = crate::raw_get(&url);
    assert!(stored == content, "the server stored changed bytes");

    client
        .pods()
        .upload(&pod.id, &source, "/root/holds-the-token.txt")
        .await
        .unwrap();
    let back = dir.join("pod-file-back.txt");
    client
        .pods()
        .download(&pod.id, "/root/holds-the-token.txt", &back)
        .await
        .unwrap();
    assert!(
        std::fs::read(&back).unwrap() == content,
        "the pod file came back changed"
    );
}

#[flavour]
#[flavour_test]
async fn bodies_holding_the_token_come_back_byte_for_byte_and_never_reach_the_log() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let emulator = podstack_emulator::Emulator::start();
    let client = emulator_client(&emulator);
    let token = emulator.token();
    let dir = std::env::temp_dir().join(format!(
        "podstack-token-bodies-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();

    round_trip_bodies_holding(&client, &token, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);

    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let (squeezed, decoded) = pieced_together(&lines);
    assert!(!squeezed.contains(&token), "the token is in the log lines");
    assert!(
        !decoded.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token can be decoded from the log's hex dumps"
    );
}

#[flavour]
#[flavour_test]
async fn sequential_calls_share_one_connection_and_look_the_host_up_once() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let emulator = podstack_emulator::Emulator::start();
    // A host name, so that a lookup is needed at all.
    let endpoint = emulator.endpoint().replace("127.0.0.1", "localhost");
    let host_port = endpoint.trim_start_matches("http://").to_owned();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(&endpoint)
        .api_token(emulator.token())
        .build()
        .unwrap();

    for _ in 0..200 {
        client.auth().whoami().await.unwrap();
    }

    assert_eq!(emulator.stats().connections_accepted, 1);
    // ureq logs each lookup of a host: "Resolve: ..." when it looks up on the calling
    // thread, "Resolve with timeout ..." when it starts a thread to bound the lookup.
    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let lookups = lines
        .iter()
        .filter(|l| l.message.starts_with("Resolve") && l.message.contains(&host_port))
        .count();
    if BLOCKING {
        assert_eq!(lookups, 1, "one lookup, for the one connection");
    }
}

#[flavour]
#[flavour_test]
async fn an_echoed_token_split_across_writes_is_never_logged_and_arrives_whole() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let split = 9;
    // 1. The token written in two pieces, 300 ms apart, inside a body with a length;
    // 2. a body with a length that ends with the start of the token;
    // 3. an HTTP/1.0 body, delimited by the close, that ends with the start of the token.
    let server = crate::support::Server::start(move |seen, conn| {
        let (first, second) = match seen.target.as_str() {
            "/split" => (
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\nx{}",
                    TOKEN.len() + 2,
                    &TOKEN[..split]
                ),
                format!("{}y", &TOKEN[split..]),
            ),
            "/ends-with-a-start" => (
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc{}",
                    &TOKEN[..3]
                ),
                String::new(),
            ),
            _ => (
                format!("HTTP/1.0 200 OK\r\n\r\nabc{}", &TOKEN[..3]),
                String::new(),
            ),
        };
        let _ = conn.write_all(first.as_bytes());
        let _ = conn.flush();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let _ = conn.write_all(second.as_bytes());
    });
    let client = builder_for(&server.url())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "podstack-split-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();

    for (path, expected) in [
        ("/split", format!("x{TOKEN}y")),
        ("/ends-with-a-start", format!("abc{}", &TOKEN[..3])),
        ("/until-close", format!("abc{}", &TOKEN[..3])),
    ] {
        let local = dir.join(path.trim_start_matches('/'));
        client
            .presigned()
            .download(&format!("{}{path}", server.url()), &local)
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&local).unwrap(), expected, "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    let lines = LINES.get_or_init(Default::default).lock().unwrap().clone();
    let (squeezed, decoded) = pieced_together(&lines);
    assert!(!squeezed.contains(TOKEN), "the token is in the log lines");
    assert!(
        !decoded.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the token can be decoded from the log's hex dumps"
    );
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
        client.config().api_token_source(),
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

/// The bytes of every hex row this thread logged, with nothing pieced across threads.
fn decoded_on_this_thread() -> Vec<u8> {
    let me = std::thread::current().id();
    let lines: Vec<_> = LINES
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.thread == me)
        .cloned()
        .collect();
    pieced_together(&lines).1
}

#[flavour]
#[flavour_test]
async fn a_chunked_upload_holding_the_token_across_chunk_boundaries_arrives_byte_for_byte() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    // ureq cuts a chunked body in 10 KiB chunks: the token sits across two of them.
    let mut body = vec![b'.'; 30 * 1024];
    for at in [
        0,
        5000,
        10 * 1024 - 11,
        20 * 1024 - 5,
        body.len() - TOKEN.len(),
    ] {
        body[at..at + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    }
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = received.clone();
    let server = crate::support::Server::start(move |seen, conn| {
        *store.lock().unwrap() = crate::support::read_body(seen, conn);
        crate::support::respond(conn, "200 OK", &[], b"");
    });

    client_for(&server.url())
        .presigned()
        .upload_reader(
            &format!("{}/object?sig=1", server.url()),
            std::io::Cursor::new(body.clone()),
            None,
        )
        .await
        .unwrap();

    assert_eq!(
        server.seen()[0].header("transfer-encoding"),
        Some("chunked"),
        "the test must send a chunked body to mean anything"
    );
    assert!(
        *received.lock().unwrap() == body,
        "the server got changed bytes"
    );
    let decoded = decoded_on_this_thread();
    assert!(
        !decoded.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the token can be decoded from the log's hex dumps"
    );
}

#[flavour]
#[flavour_test]
async fn a_token_echoed_across_chunk_framing_is_never_logged_and_arrives_whole() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let (first, second) = TOKEN.split_at(10);
    let server = crate::support::Server::start(move |_, conn| {
        crate::support::start_chunked(conn, "200 OK");
        crate::support::chunk(conn, format!("x{first}").as_bytes());
        crate::support::chunk(conn, format!("{second}y").as_bytes());
        crate::support::chunk(conn, b"");
        let _ = conn.write_all(b"\r\n");
    });
    let dir = std::env::temp_dir().join(format!(
        "podstack-framing-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("echo.txt");

    client_for(&server.url())
        .presigned()
        .download(&format!("{}/object?sig=1", server.url()), &local)
        .await
        .unwrap();

    let got = std::fs::read_to_string(&local).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(got, format!("x{TOKEN}y"));
    // Chunk framing between the halves hides nothing: neither half is in the log.
    let decoded = decoded_on_this_thread();
    for half in [first, second] {
        assert!(
            !decoded.windows(half.len()).any(|w| w == half.as_bytes()),
            "{half} is in the log's hex dumps"
        );
    }
}

#[flavour]
#[flavour_test]
async fn a_stand_in_read_from_the_log_and_sent_back_is_never_turned_into_the_token() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let stand_in = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sent_back = stand_in.clone();
    let server = crate::support::Server::start(move |seen, conn| {
        if seen.target.starts_with("/v1/") {
            // Echo the token, so that the client places its stand-in.
            let body = WHOAMI.replace("ada@example.com", TOKEN);
            crate::support::respond(conn, "200 OK", &[], body.as_bytes());
            return;
        }
        let stand_in = sent_back.lock().unwrap().clone();
        let (first, second) = stand_in.split_at(10);
        crate::support::start_chunked(conn, "200 OK");
        crate::support::chunk(conn, format!("x{first}").as_bytes());
        crate::support::chunk(conn, format!("{second}y").as_bytes());
        crate::support::chunk(conn, b"");
        let _ = conn.write_all(b"\r\n");
    });
    let client = client_for(&server.url());
    client.auth().whoami().await.unwrap();
    if !BLOCKING {
        return; // only the blocking client has a stand-in
    }
    // What a reader of the trace log learns: the `Authorization` row's value.
    let decoded = decoded_on_this_thread();
    let row = b"authorization: Bearer ";
    let at = decoded
        .windows(row.len())
        .position(|w| w == row)
        .expect("the request head is in the log")
        + row.len();
    *stand_in.lock().unwrap() =
        String::from_utf8_lossy(&decoded[at..at + TOKEN.len()]).into_owned();
    let dir = std::env::temp_dir().join(format!(
        "podstack-stand-in-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("planted.txt");

    let outcome = client
        .presigned()
        .download(&format!("{}/object?sig=1", server.url()), &local)
        .await;

    let got = std::fs::read(&local).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !got.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the token was planted in the caller's file"
    );
    let error = outcome.unwrap_err();
    assert!(matches!(error, podstack::Error::Api { .. }), "{error:?}");
    assert!(error.to_string().contains("stand-in"), "{error}");
}
