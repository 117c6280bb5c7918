//! Pods: lifecycle, exec, tasks, logs, files, templates, money and quota.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use crate::common::C;
use podstack_emulator::Emulator;
use serde_json::{json, Value};

fn fast() -> Emulator {
    Emulator::builder().pod_start_delay(Duration::ZERO).start()
}

fn make_pod(c: &C, body: Value) -> Value {
    let r = c.post("/v1/pods", body);
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

fn exec(c: &C, id: &str, body: Value) -> Value {
    let r = c.post(&format!("/v1/pods/{id}/exec"), body);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

#[test]
fn lifecycle_with_zero_delay() {
    let emu = fast();
    let c = C::new(&emu);
    let pod = make_pod(
        &c,
        json!({"name": "train", "image": "pytorch/pytorch:2.4", "gpu_type": "A100", "ports": [22, 8888], "labels": {"team": "ml"}}),
    );
    let id = pod["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("pod_"));
    assert_eq!(pod["status"], "running");
    assert_eq!(pod["project_id"], emu.project_id());
    for f in [
        "gpu_count",
        "cpu",
        "memory",
        "disk",
        "env",
        "command",
        "volumes",
        "created_at",
        "updated_at",
    ] {
        assert!(pod.get(f).is_some(), "missing {f}");
    }
    assert_eq!(
        (
            pod["gpu_count"].as_u64(),
            pod["cpu"].as_u64(),
            pod["memory"].as_u64(),
            pod["disk"].as_u64()
        ),
        (Some(1), Some(4), Some(16), Some(50))
    );
    assert!(pod["ssh_command"]
        .as_str()
        .unwrap()
        .starts_with("ssh root@127.0.0.1 -p "));
    assert!(pod["jupyter_url"].as_str().unwrap().starts_with("http://"));

    let r = c.delete(&format!("/v1/pods/{id}"));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["details"]["current_state"], "running");

    let r = c.post(&format!("/v1/pods/{id}/stop"), json!({"force": false}));
    assert_eq!(r.json()["status"], "stopped");
    let r = c.post(&format!("/v1/pods/{id}/stop"), json!({}));
    assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
    assert_eq!(r.json()["error"]["details"]["current_state"], "stopped");
    let r = c.post(
        &format!("/v1/pods/{id}/exec"),
        json!({"command": "echo hi"}),
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        c.call("POST", &format!("/v1/pods/{id}/start"), None).json()["status"],
        "running"
    );
    assert_eq!(
        c.call("POST", &format!("/v1/pods/{id}/restart"), None)
            .json()["status"],
        "running"
    );

    // filters
    make_pod(
        &c,
        json!({"name": "other", "image": "x", "gpu_count": 0, "labels": {"team": "web"}}),
    );
    let l = c.get("/v1/pods?label=team=ml").json();
    assert_eq!(l["total"], 1);
    assert_eq!(l["pods"][0]["id"], id.as_str());
    assert_eq!(c.get("/v1/pods?label=team=ml&label=x=y").json()["total"], 0);
    assert_eq!(c.get("/v1/pods?status=running").json()["total"], 2);
    assert_eq!(
        c.get(&format!("/v1/pods?project_id={}", emu.project_id()))
            .json()["total"],
        2
    );

    assert_eq!(c.delete(&format!("/v1/pods/{id}?force=true")).status, 204);
    let r = c.get(&format!("/v1/pods/{id}"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["details"]["resource_type"], "pod");
    // project with pods cannot be deleted
    assert_eq!(
        c.delete(&format!("/v1/projects/{}", emu.project_id()))
            .status,
        409
    );
}

#[test]
fn boot_goes_through_states_and_failing_images_fail() {
    let emu = Emulator::builder()
        .pod_start_delay(Duration::from_millis(400))
        .start();
    let c = C::new(&emu);
    let pod = make_pod(&c, json!({"name": "p", "image": "img"}));
    assert_eq!(pod["status"], "pending");
    let id = pod["id"].as_str().unwrap();
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(
        c.get(&format!("/v1/pods/{id}")).json()["status"],
        "starting"
    );
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(c.get(&format!("/v1/pods/{id}")).json()["status"], "running");
    let bad = make_pod(&c, json!({"name": "b", "image": "bad/fail:latest"}));
    std::thread::sleep(Duration::from_millis(450));
    assert_eq!(
        c.get(&format!("/v1/pods/{}", bad["id"].as_str().unwrap()))
            .json()["status"],
        "failed"
    );
    let ev = c.get(&format!("/v1/pods/{id}/events")).json();
    assert!(ev["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "started"));
    let r = c.post(&format!("/v1/pods/{id}/restart"), json!({}));
    assert_eq!(r.json()["status"], "restarting");
}

#[test]
fn create_validation_money_and_quota() {
    let emu = Emulator::builder()
        .pod_start_delay(Duration::ZERO)
        .balance_cents(100)
        .pod_quota(2)
        .start();
    let c = C::new(&emu);
    let r = c.post("/v1/pods", json!({"name": "", "gpu_count": -1}));
    assert_eq!(r.status, 400);
    let fe = &r.json()["error"]["field_errors"];
    assert!(
        fe["name"].is_array() && fe["image"].is_array() && fe["gpu_count"].is_array(),
        "{fe}"
    );
    let r = c.post(
        "/v1/pods",
        json!({"name": "a", "image": "i", "gpu_type": "Z80"}),
    );
    assert!(r.json()["error"]["field_errors"]["gpu_type"].is_array());
    // A100 costs 189/h > 100
    let r = c.post(
        "/v1/pods",
        json!({"name": "a", "image": "i", "gpu_type": "A100"}),
    );
    assert_eq!((r.status, r.code().as_str()), (402, "insufficient_balance"));
    assert_eq!(r.json()["error"]["details"]["required_cents"], 189);
    assert_eq!(r.json()["error"]["details"]["available_cents"], 100);
    make_pod(&c, json!({"name": "a", "image": "i", "gpu_type": "T4"}));
    make_pod(&c, json!({"name": "b", "image": "i", "gpu_count": 0}));
    let r = c.post(
        "/v1/pods",
        json!({"name": "c", "image": "i", "gpu_count": 0}),
    );
    assert_eq!((r.status, r.code().as_str()), (403, "quota_exceeded"));
    let d = &r.json()["error"]["details"];
    assert_eq!(
        (
            d["resource_type"].as_str(),
            d["limit"].as_u64(),
            d["current"].as_u64()
        ),
        (Some("pods"), Some(2), Some(2))
    );
}

#[test]
fn exec_shell() {
    let emu = fast();
    let c = C::new(&emu);
    let id = make_pod(
        &c,
        json!({"name": "s", "image": "i", "gpu_type": "H100", "gpu_count": 2}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = exec(&c, &id, json!({"command": "echo hello world"}));
    assert_eq!(
        r,
        json!({"exit_code": 0, "output": "hello world\n", "error": ""})
    );
    let r = exec(&c, &id, json!({"command": "frobnicate --x"}));
    assert_eq!(r["exit_code"], 127);
    assert!(r["error"]
        .as_str()
        .unwrap()
        .contains("frobnicate: command not found"));
    let r = exec(&c, &id, json!({"command": "echo a; exit 3"}));
    assert_eq!(
        (r["exit_code"].as_i64(), r["output"].as_str()),
        (Some(3), Some("a\n"))
    );
    let t = Instant::now();
    let r = exec(&c, &id, json!({"command": "sleep 5", "timeout": 0.3}));
    assert_eq!(r["exit_code"], 124);
    assert!(r["error"].as_str().unwrap().contains("timed out"));
    assert!(t.elapsed() < Duration::from_secs(3));
    assert_eq!(
        exec(&c, &id, json!({"command": "sleep 0.1", "timeout": 5}))["exit_code"],
        0
    );
    assert!(exec(&c, &id, json!({"command": "nvidia-smi"}))["output"]
        .as_str()
        .unwrap()
        .contains("H100"));
    let r = exec(
        &c,
        &id,
        json!({"command": "echo data > /root/x.txt && cat /root/x.txt && ls /root && pwd"}),
    );
    assert_eq!(r["output"], "data\nx.txt\n/root\n");
    assert_eq!(
        exec(&c, &id, json!({"command": "python /root/x.txt"}))["output"],
        "ran /root/x.txt\n"
    );
    assert_eq!(
        exec(&c, &id, json!({"command": "cat /nope"}))["exit_code"],
        1
    );
    assert_eq!(
        exec(&c, &id, json!({"command": "false && echo no"}))["output"],
        ""
    );
    let r = c.post(&format!("/v1/pods/{id}/exec"), json!({"command": ""}));
    assert_eq!(r.status, 400);
    // output lands in the logs
    let logs = c.get(&format!("/v1/pods/{id}/logs"));
    assert!(logs
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    assert!(logs.text.contains("hello world"));
    assert!(logs.text.contains("Pulling image i"));
    let tail = c.get(&format!("/v1/pods/{id}/logs?tail=1")).text;
    assert_eq!(tail.lines().count(), 1);
    assert_eq!(
        c.get(&format!("/v1/pods/{id}/logs?since=2999-01-01T00:00:00Z"))
            .text,
        ""
    );
    assert_eq!(
        c.get(&format!("/v1/pods/{id}/logs?since=yesterday")).status,
        400
    );

    // detached
    let r = c.post(
        &format!("/v1/pods/{id}/exec"),
        json!({"command": "sleep 0.2; echo done", "detach": true}),
    );
    assert_eq!(r.status, 202);
    let task = r.json();
    assert!(task["id"].as_str().unwrap().starts_with("task_"));
    assert!(task["exit_code"].is_null() && task["finished_at"].is_null());
    let tid = task["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let t = c.get(&format!("/v1/tasks/{tid}")).json();
        if t["state"] == "succeeded" {
            assert_eq!(t["output"], "done\n");
            assert_eq!(t["exit_code"], 0);
            assert!(t["finished_at"].is_string());
            break;
        }
        assert!(Instant::now() < deadline, "task never finished: {t}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(c.get("/v1/tasks/task_nope").status, 404);
    let m = c.get(&format!("/v1/pods/{id}/metrics")).json();
    assert_eq!(m["gpu_memory_total"], 160.0);
    assert!(m["timestamp"].is_string());
}

#[test]
fn follow_logs_stream_until_stop() {
    let emu = Emulator::builder()
        .pod_start_delay(Duration::from_millis(300))
        .start();
    let c = C::new(&emu);
    let id = make_pod(&c, json!({"name": "f", "image": "img"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("{}/v1/pods/{id}/logs?follow=true", emu.endpoint());
    let token = emu.token();
    let reader = std::thread::spawn(move || {
        let resp = crate::common::agent()
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let mut lines = Vec::new();
        for line in BufReader::new(resp.into_body().into_reader()).lines() {
            lines.push(line.unwrap());
        }
        lines
    });
    // wait for running, then exec and stop
    std::thread::sleep(Duration::from_millis(500));
    exec(&c, &id, json!({"command": "echo streamed-line"}));
    c.post(&format!("/v1/pods/{id}/stop"), json!({}));
    let lines = reader.join().unwrap();
    assert!(
        lines.iter().any(|l| l.starts_with("Pulling image")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "Container started"), "{lines:?}");
    assert!(lines.iter().any(|l| l == "streamed-line"), "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some("Container stopped"));
}

#[test]
fn files_roundtrip_and_listing() {
    let emu = fast();
    let c = C::new(&emu);
    let id = make_pod(&c, json!({"name": "f", "image": "i"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let r = c.put_bytes(
        &format!("/v1/pods/{id}/files?path=/data/big.bin"),
        data.clone(),
    );
    assert_eq!(r.status, 204, "{}", r.text);
    let resp = crate::common::agent()
        .get(&format!(
            "{}/v1/pods/{id}/files?path=/data/big.bin",
            emu.endpoint()
        ))
        .header("Authorization", &format!("Bearer {}", emu.token()))
        .call()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let got = resp
        .into_body()
        .with_config()
        .limit(10_000_000)
        .read_to_vec()
        .unwrap();
    assert_eq!(got, data);
    let r = c.get(&format!("/v1/pods/{id}/files?path=/data/missing"));
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert_eq!(
        c.get(&format!("/v1/pods/{id}/files?path=relative")).status,
        400
    );
    assert_eq!(
        c.get(&format!("/v1/pods/{id}/files?path=/a/../../etc/passwd"))
            .status,
        400
    );
    c.put_bytes(
        &format!("/v1/pods/{id}/files?path=/data/sub/a.txt"),
        b"abc".to_vec(),
    );
    let l = c
        .get(&format!("/v1/pods/{id}/files/list?path=/data"))
        .json();
    let entries = l["entries"].as_array().unwrap();
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["/data/big.bin", "/data/sub", "/data/sub/a.txt"]);
    assert_eq!(entries[2]["size"], 3);
    assert_eq!(entries[1]["is_dir"], true);
    // the shell sees uploaded files
    assert_eq!(
        exec(&c, &id, json!({"command": "cat /data/sub/a.txt"}))["output"],
        "abc"
    );

    // template from pod, then pod from template
    let r = c.post(
        &format!("/v1/pods/{id}/template"),
        json!({"name": "mine", "description": "d"}),
    );
    assert_eq!(r.status, 201);
    let tpl = r.json();
    assert_eq!(tpl["image"], "i");
    let p2 = make_pod(
        &c,
        json!({"name": "from-tpl", "template_id": tpl["id"], "cpu": 2}),
    );
    assert_eq!(
        (p2["image"].as_str(), p2["cpu"].as_u64()),
        (Some("i"), Some(2))
    );
    let ts = c.get("/v1/templates?type=pod").json();
    assert_eq!(ts["templates"].as_array().unwrap().len(), 3);
}
