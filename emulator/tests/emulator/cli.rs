//! The `podstack-emulator` binary: its flags reach the server it starts.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use crate::common::C;
use serde_json::json;

/// The binary, killed when dropped.
struct Running {
    child: Child,
    endpoint: String,
    token: String,
    project: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port with `flags` and reads what it printed.
fn start(flags: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podstack-emulator"))
        .args(["--port", "0"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut running = Running {
        child,
        endpoint: String::new(),
        token: String::new(),
        project: String::new(),
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("utf-8 output");
        let value = |prefix: &str| line.strip_prefix(prefix).map(str::to_owned);
        if let Some(v) = value("export PODSTACK_API_ENDPOINT=") {
            running.endpoint = v;
        } else if let Some(v) = value("export PODSTACK_API_TOKEN=") {
            running.token = v;
        } else if let Some(v) = value("export PODSTACK_PROJECT=") {
            running.project = v;
            break; // the last line before it serves
        }
    }
    assert!(
        running.endpoint.starts_with("http://127.0.0.1:"),
        "no endpoint printed"
    );
    running
}

fn client(running: &Running) -> C {
    C {
        agent: crate::common::agent(),
        base: running.endpoint.clone(),
        token: Some(running.token.clone()),
        project: Some(running.project.clone()),
    }
}

#[test]
fn balance_cents_sets_the_wallet_and_a_pod_create_answers_402() {
    let running = start(&["--balance-cents", "0", "--pod-start-delay-ms", "0"]);
    let c = client(&running);
    let wallet = c.get("/v1/billing/wallet");
    assert_eq!(wallet.status, 200, "{}", wallet.text);
    assert_eq!(wallet.json()["balance_cents"], 0);
    let pod = c.post("/v1/pods", json!({"name": "p", "image": "ubuntu:24.04"}));
    assert_eq!(pod.status, 402, "{}", pod.text);
    assert_eq!(pod.code(), "insufficient_balance");
}

#[test]
fn pod_quota_and_rate_limit_reach_the_server() {
    let running = start(&[
        "--pod-quota=1",
        "--rate-limit=1000",
        "--bandwidth=100000000",
    ]);
    let c = client(&running);
    let body = json!({"name": "p", "image": "ubuntu:24.04"});
    assert_eq!(c.post("/v1/pods", body.clone()).status, 201);
    let second = c.post("/v1/pods", body);
    assert_eq!(second.status, 403, "{}", second.text);
    assert_eq!(second.code(), "quota_exceeded");

    let limited = start(&["--rate-limit", "1"]);
    let c = client(&limited);
    let statuses: Vec<u16> = (0..5).map(|_| c.get("/v1/auth/whoami").status).collect();
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[test]
fn a_bad_flag_exits_2_with_the_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_podstack-emulator"))
        .args(["--balance-cents", "lots"])
        .output()
        .expect("the emulator binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--balance-cents: invalid value \"lots\""),
        "{stderr}"
    );
    assert!(stderr.contains("USAGE:"), "{stderr}");
}

#[test]
fn help_lists_every_flag() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podstack-emulator"))
        .arg("--help")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator binary runs");
    let mut help = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut help)
        .expect("utf-8 help");
    assert!(child.wait().expect("exits").success());
    for flag in [
        "--port",
        "--pod-start-delay-ms",
        "--balance-cents",
        "--pod-quota",
        "--rate-limit",
        "--bandwidth",
        "--help",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
}
