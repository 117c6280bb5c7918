//! Core: request ids, auth envelopes, projects, billing, idempotency, faults, stats.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::C;
use podstack_emulator::{Emulator, Fault, TokenSpec};
use serde_json::json;

#[test]
fn whoami_and_request_id_everywhere() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let r = c.get("/v1/auth/whoami");
    assert_eq!(r.status, 200, "{}", r.text);
    let rid = r.header("x-request-id").unwrap();
    assert!(rid.starts_with("req_"));
    let v = r.json();
    assert_eq!(v["email"], "demo@podstack.local");
    assert!(v["id"].as_str().unwrap().starts_with("usr_"));
    assert!(v["account_id"].as_str().unwrap().starts_with("acc_"));
    assert_eq!(v["token"]["scopes"], json!(["*"]));
    assert!(v["token"]["expires_at"].is_null());
    assert!(emu.token().starts_with(&format!(
        "podstack_{}_",
        v["token"]["prefix"].as_str().unwrap()
    )));

    // unknown route → 404 envelope with the same id as the header
    let r = c.get("/v1/nope");
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "not_found");
    assert_eq!(
        r.json()["request_id"].as_str().unwrap(),
        r.header("x-request-id").unwrap()
    );
    // wrong method → envelope too
    let r = c.call("PATCH", "/v1/auth/whoami", None);
    assert!(r.status == 405 || r.status == 404, "{}", r.status);
    assert!(r.header("x-request-id").is_some());
    assert!(!r.code().is_empty());
    // admin routes carry it too
    let r = c.get("/_emulator/stats");
    assert!(r.header("x-request-id").is_some());
}

#[test]
fn auth_errors() {
    let emu = Emulator::start();
    let mut c = C::new(&emu);
    c.token = None;
    let r = c.get("/v1/auth/whoami");
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "invalid_token");
    assert_eq!(r.json()["error"]["message"], "Invalid API token");
    c.token = Some("podstack_abcd_nope".into());
    assert_eq!(c.get("/v1/projects").code(), "invalid_token");

    let expired = emu.create_token(TokenSpec {
        expired: true,
        ..Default::default()
    });
    let r = C::with_token(&emu, &expired).get("/v1/auth/whoami");
    assert_eq!((r.status, r.code().as_str()), (401, "token_expired"));

    // a token limited to another project
    let other = C::new(&emu)
        .post("/v1/projects", json!({"name": "other"}))
        .json();
    let other_id = other["id"].as_str().unwrap().to_string();
    let limited = emu.create_token(TokenSpec {
        projects: Some(vec![other_id.clone()]),
        name: "limited".into(),
        ..Default::default()
    });
    let mut lc = C::with_token(&emu, &limited);
    lc.project = Some(emu.project_id());
    let r = lc.get("/v1/pods");
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"));
    assert_eq!(r.json()["error"]["message"], "Access denied to resource");
    lc.project = Some(other_id.clone());
    assert_eq!(lc.get("/v1/pods").status, 200);
    lc.project = None;
    let r = lc.get(&format!("/v1/projects/{}", emu.project_id()));
    assert_eq!(r.status, 403);
    let listed = lc.get("/v1/projects").json();
    assert_eq!(listed["total"], 1);

    // unknown project in X-Project-Id → 404 project
    let mut c = C::new(&emu);
    c.project = Some("prj_missing".into());
    let r = c.get("/v1/pods");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["details"]["resource_type"], "project");
    assert_eq!(r.json()["error"]["details"]["resource_id"], "prj_missing");

    // scopes
    let ro = emu.create_token(TokenSpec {
        scopes: vec!["projects:read".into()],
        ..Default::default()
    });
    let rc = C::with_token(&emu, &ro);
    assert_eq!(rc.get("/v1/projects").status, 200);
    assert_eq!(rc.post("/v1/projects", json!({"name": "x"})).status, 403);
    assert_eq!(rc.get("/v1/billing/wallet").status, 403);
}

#[test]
fn projects_crud_and_validation() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let r = c.post("/v1/projects", json!({"name": ""}));
    assert_eq!(r.status, 400);
    assert_eq!(r.code(), "validation_error");
    assert_eq!(
        r.json()["error"]["field_errors"]["name"],
        json!(["must not be empty"])
    );
    let r = c.call("POST", "/v1/projects", None);
    assert_eq!(r.status, 400);
    let r = c.send(
        "POST",
        "/v1/projects",
        b"{not json".to_vec(),
        "application/json",
        &[],
    );
    assert_eq!((r.status, r.code().as_str()), (400, "validation_error"));

    let r = c.post("/v1/projects", json!({"name": "ml", "description": "d"}));
    assert_eq!(r.status, 201);
    let p = r.json();
    let id = p["id"].as_str().unwrap();
    assert!(id.starts_with("prj_"));
    assert!(p["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(c.get(&format!("/v1/projects/{id}")).json()["name"], "ml");
    let list = c.get("/v1/projects?limit=1&offset=1").json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["projects"].as_array().unwrap().len(), 1);
    let r = c.get("/v1/projects?limit=201");
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["field_errors"]["limit"].is_array());
    assert_eq!(c.get("/v1/projects?limit=0").status, 400);
    assert_eq!(c.delete(&format!("/v1/projects/{id}")).status, 204);
    let r = c.get(&format!("/v1/projects/{id}"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["details"]["resource_type"], "project");
}

#[test]
fn idempotency_replays_first_answer() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let body = json!({"name": "once"}).to_string().into_bytes();
    let a = c.send(
        "POST",
        "/v1/projects",
        body.clone(),
        "application/json",
        &[("Idempotency-Key", "k1")],
    );
    let b = c.send(
        "POST",
        "/v1/projects",
        body.clone(),
        "application/json",
        &[("Idempotency-Key", "k1")],
    );
    assert_eq!(a.status, 201);
    assert_eq!(b.status, 201);
    assert_eq!(a.json(), b.json());
    let c2 = c.send(
        "POST",
        "/v1/projects",
        body,
        "application/json",
        &[("Idempotency-Key", "k2")],
    );
    assert_ne!(a.json()["id"], c2.json()["id"]);
    assert_eq!(c.get("/v1/projects").json()["total"], 3);
}

#[test]
fn billing_and_hardware() {
    let emu = Emulator::builder().balance_cents(777).start();
    let c = C::new(&emu);
    let w = c.get("/v1/billing/wallet").json();
    assert_eq!(w["balance_cents"], 777);
    assert_eq!(w["currency"], "USD");
    assert_eq!(w["pending_charges_cents"], 0);
    let g = c.get("/v1/gpus").json();
    let a100 = g["gpus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["type"] == "A100")
        .unwrap()
        .clone();
    assert_eq!(a100["name"], "NVIDIA A100 80GB");
    assert_eq!(a100["memory_gb"], 80);
    let p = c.get("/v1/pricing").json();
    assert_eq!(p["currency"], "USD");
    assert!(!p["prices"].as_array().unwrap().is_empty());
    let u = c.get("/v1/billing/usage?start_date=2026-01-01&end_date=2026-01-10&group_by=day");
    assert_eq!(u.status, 200, "{}", u.text);
    let u = u.json();
    assert_eq!(u["start_date"], "2026-01-01");
    let sum: i64 = u["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["cost_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, u["total_cost_cents"].as_i64().unwrap());
    assert_eq!(c.get("/v1/billing/usage?start_date=bad").status, 400);
    let t = c.get("/v1/templates?type=pod").json();
    assert!(t["templates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "pytorch-2.4"));
}

#[test]
fn status_fault_then_normal() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    emu.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 2,
    });
    for _ in 0..2 {
        let r = c.get("/v1/auth/whoami");
        assert_eq!(r.status, 503);
        assert_eq!(r.code(), "internal_error");
        assert!(r.json()["request_id"].as_str().unwrap().starts_with("req_"));
    }
    assert_eq!(c.get("/v1/auth/whoami").status, 200);
    emu.inject(Fault::Status {
        status: 429,
        retry_after: Some(7),
        count: 1,
    });
    let r = c.get("/v1/auth/whoami");
    assert_eq!((r.status, r.code().as_str()), (429, "rate_limited"));
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    // admin routes are not faulted and not counted
    emu.inject(Fault::Status {
        status: 500,
        retry_after: None,
        count: 1,
    });
    assert_eq!(c.get("/_emulator/stats").status, 200);
    assert_eq!(c.get("/v1/auth/whoami").status, 500);
    let s = emu.stats();
    assert_eq!(s.requests.get("GET /v1/auth/whoami"), Some(&5));
    assert!(!s.requests.keys().any(|k| k.contains("_emulator")));
}

#[test]
fn stall_fault_delays() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    emu.inject(Fault::Stall {
        duration: Duration::from_millis(400),
        count: 1,
    });
    let t = Instant::now();
    assert_eq!(c.get("/v1/auth/whoami").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
    let t = Instant::now();
    assert_eq!(c.get("/v1/auth/whoami").status, 200);
    assert!(t.elapsed() < Duration::from_millis(400));
}

#[test]
fn drop_fault_closes_connection_without_response() {
    let emu = Emulator::start();
    emu.inject(Fault::Drop { count: 1 });
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET /v1/auth/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\r\n",
        emu.token()
    )
    .unwrap();
    let mut buf = Vec::new();
    let res = s.read_to_end(&mut buf);
    // EOF (Ok with nothing) or reset; never an HTTP status line.
    match res {
        Ok(_) => assert!(buf.is_empty(), "got {:?}", String::from_utf8_lossy(&buf)),
        Err(e) => assert_ne!(
            e.kind(),
            std::io::ErrorKind::WouldBlock,
            "timed out instead of closing"
        ),
    }
    // next request is fine
    assert_eq!(C::new(&emu).get("/v1/auth/whoami").status, 200);
}

#[test]
fn keep_alive_is_one_connection() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    assert_eq!(c.get("/v1/auth/whoami").status, 200);
    assert_eq!(c.get("/v1/projects").status, 200);
    let s = emu.stats();
    assert_eq!(s.connections_accepted, 1);
    assert_eq!(s.requests.get("GET /v1/projects"), Some(&1));
    emu.reset_stats();
    assert_eq!(emu.stats().connections_accepted, 0);
    assert!(emu.stats().requests.is_empty());
}

#[test]
fn admin_routes_over_http() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let r = c.post(
        "/_emulator/faults",
        json!({"kind": "status", "status": 502, "count": 1}),
    );
    assert_eq!(r.status, 204);
    assert_eq!(c.get("/v1/auth/whoami").status, 502);
    let r = c.post("/_emulator/tokens", json!({"name": "t2", "scopes": ["*"]}));
    assert_eq!(r.status, 201);
    let tok = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(
        C::with_token(&emu, &tok).get("/v1/auth/whoami").json()["token"]["name"],
        "t2"
    );
    let s = c.get("/_emulator/stats").json();
    assert_eq!(s["requests"]["GET /v1/auth/whoami"], 2);
    assert_eq!(c.post("/_emulator/stats/reset", json!({})).status, 204);
    assert_eq!(c.get("/_emulator/stats").json()["requests"], json!({}));
    assert_eq!(
        c.post("/_emulator/faults", json!({"kind": "boom"})).status,
        400
    );
}

#[test]
fn rate_limit_per_token() {
    let emu = Emulator::builder().rate_limit_per_token(Some(3)).start();
    let c = C::new(&emu);
    let mut limited = None;
    for _ in 0..10 {
        let r = c.get("/v1/auth/whoami");
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("rate limited");
    assert_eq!(r.code(), "rate_limited");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
}

#[tokio::test(flavor = "current_thread")]
async fn handle_works_inside_tokio() {
    let emu = Emulator::start();
    let ep = emu.endpoint();
    assert!(ep.starts_with("http://127.0.0.1:"));
    drop(emu);
}

/// Reads HTTP/1.1 answers from `s` until `n` complete ones arrived (or EOF /
/// timeout); returns their status codes.
fn read_answers(s: &mut std::net::TcpStream, n: usize) -> Vec<u16> {
    let mut buf = Vec::new();
    let mut statuses = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while statuses.len() < n && Instant::now() < deadline {
        // parse as many complete answers as the buffer holds
        loop {
            let text = String::from_utf8_lossy(&buf).into_owned();
            let Some(head_end) = text.find("\r\n\r\n") else {
                break;
            };
            let head = &text[..head_end];
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() < head_end + 4 + len {
                break;
            }
            let status = head.split(' ').nth(1).unwrap().parse().unwrap();
            statuses.push(status);
            buf.drain(..head_end + 4 + len);
        }
        if statuses.len() >= n {
            break;
        }
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(_) => break,
        }
    }
    statuses
}

/// An answer given before the request body was read (here a 401) must not
/// cost the keep-alive connection when the body arrives in a later packet:
/// the next request on the same connection gets its answer.
#[test]
fn early_answer_keeps_connection_when_body_arrives_late() {
    let emu = Emulator::start();
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    for path in ["/v1/projects", "/_emulator/stats/reset"] {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let body = br#"{"name": "late-body"}"#;
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
        s.write_all(body).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .expect("the server closed the connection after its early answer");
        let statuses = read_answers(&mut s, 2);
        let first = if path == "/v1/projects" { 401 } else { 204 };
        assert_eq!(statuses, vec![first, 200], "{path}");
    }
}

/// No rule without evidence: nothing says an account's first project is special, so
/// the seeded demo project is deleted like any other (a project name of any length is
/// accepted too).
#[test]
fn the_demo_project_is_deleted_like_any_other() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let long = "p".repeat(500);
    let r = c.post("/v1/projects", json!({ "name": long }));
    assert_eq!(r.status, 201, "{}", r.text);
    let r = c.delete(&format!("/v1/projects/{}", emu.project_id()));
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        c.get(&format!("/v1/projects/{}", emu.project_id())).status,
        404
    );
}
