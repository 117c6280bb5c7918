//! What keeps a web page in the user's browser away from a running emulator: every
//! route answers only requests addressed to a loopback host (DNS rebinding), and the
//! admin routes take only `application/json` bodies (cross-origin simple POSTs).

use std::io::{Read, Write};
use std::time::Duration;

use crate::common::C;
use podstack_emulator::Emulator;
use serde_json::json;

/// Sends `head` (request line and headers, without the final blank line) and a body
/// on a fresh connection; returns the status and the answer's text.
fn raw(emu: &Emulator, head: &str, body: &str) -> (u16, String) {
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    (status, text)
}

#[test]
fn every_route_refuses_a_request_addressed_to_another_host() {
    let emu = Emulator::start();
    let port = emu.endpoint().rsplit(':').next().unwrap().to_string();
    let token = emu.token();
    let project = emu.project_id();
    let requests = [
        format!("GET /v1/auth/whoami HTTP/1.1\r\nAuthorization: Bearer {token}"),
        format!("GET /platform/api/v1/buckets HTTP/1.1\r\nAuthorization: Bearer {token}\r\nX-Project-Id: {project}"),
        "GET /presigned/00?expires=1&signature=00 HTTP/1.1".to_string(),
        "POST /_emulator/tokens HTTP/1.1\r\nContent-Type: application/json".to_string(),
        "GET /_emulator/stats HTTP/1.1".to_string(),
        "GET /_emulator/openapi.json HTTP/1.1".to_string(),
        // A route nobody serves yet (an S3 door mounted later): the check is around
        // the whole router, so it answers 403 before any route is looked up.
        "GET /s3/my-bucket/key HTTP/1.1".to_string(),
    ];
    for request in &requests {
        let body = if request.starts_with("POST") {
            "{}"
        } else {
            ""
        };
        for foreign in [
            format!("evil.example:{port}"),
            "evil.example".to_string(),
            format!("127.0.0.1.evil.example:{port}"),
            format!("localhost.evil.example:{port}"),
            format!("127.1:{port}"),
            format!("[::ffff:127.0.0.1]:{port}"),
            format!("192.168.1.20:{port}"),
            format!("localhost:{port}:1"),
        ] {
            let (status, text) = raw(&emu, &format!("{request}\r\nHost: {foreign}"), body);
            assert_eq!(status, 403, "{request} with Host {foreign}: {text}");
            assert!(text.contains("loopback"), "{text}");
            assert!(
                text.to_ascii_lowercase().contains("connection: close"),
                "{text}"
            );
        }
        for loopback in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("LocalHost:{port}"),
            format!("127.8.9.10:{port}"),
            format!("[::1]:{port}"),
            "localhost".to_string(),
        ] {
            let (_, text) = raw(&emu, &format!("{request}\r\nHost: {loopback}"), body);
            // Served: whatever the route answers (a presigned URL with a bad
            // signature is a 403 of its own), never the Host refusal.
            assert!(
                !text.contains("loopback"),
                "{request} with Host {loopback}: {text}"
            );
        }
    }
    // An absolute request URI names the host too.
    let (status, _) = raw(
        &emu,
        &format!(
            "GET http://evil.example:{port}/_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1:{port}"
        ),
        "",
    );
    assert_eq!(status, 403);
    // Nothing was minted for the refused requests.
    let minted = emu.stats();
    assert_eq!(minted.requests.get("GET /v1/auth/whoami"), Some(&6));
}

#[test]
fn admin_routes_take_only_json_bodies() {
    let emu = Emulator::start();
    let port = emu.endpoint().rsplit(':').next().unwrap().to_string();
    let host = format!("Host: 127.0.0.1:{port}");
    let fault = r#"{"kind": "status", "status": 503, "count": 1}"#;
    // What a page may send cross-origin without a preflight: text/plain, a form, or
    // no content type at all (an empty POST).
    for content_type in [
        "Content-Type: text/plain",
        "Content-Type: text/plain;charset=UTF-8",
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Type: multipart/form-data; boundary=x",
    ] {
        for path in ["/_emulator/faults", "/_emulator/tokens"] {
            let head = format!("POST {path} HTTP/1.1\r\n{host}\r\n{content_type}");
            let (status, text) = raw(&emu, &head, fault);
            assert_eq!(status, 415, "{path} {content_type}: {text}");
            assert!(text.contains("application/json"), "{text}");
        }
    }
    let (status, _) = raw(
        &emu,
        &format!("POST /_emulator/stats/reset HTTP/1.1\r\n{host}"),
        "",
    );
    assert_eq!(status, 415, "an empty POST without a content type");
    // None of them took effect: no fault queued, no stats reset.
    let c = C::new(&emu);
    assert_eq!(c.get("/v1/auth/whoami").status, 200);
    assert_eq!(emu.stats().requests.get("GET /v1/auth/whoami"), Some(&1));

    // JSON, with or without parameters, is served as before.
    let head = format!("POST /_emulator/faults HTTP/1.1\r\n{host}\r\nContent-Type: Application/JSON; charset=utf-8");
    assert_eq!(raw(&emu, &head, fault).0, 204);
    assert_eq!(c.get("/v1/auth/whoami").status, 503);
    assert_eq!(c.post("/_emulator/stats/reset", json!({})).status, 204);
    assert_eq!(c.get("/_emulator/stats").status, 200, "a GET needs no body");
}
