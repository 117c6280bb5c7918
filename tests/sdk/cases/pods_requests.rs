// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::Duration;

use mockito::Matcher;
use podstack::{
    pods::TaskState, Error, LogOptions, NewPod, PodFilter, PodStatus, TransferOptions, VolumeMount,
};

use crate::support::{self, Conn, Seen, Server};

const POD: &str = r#"{"id":"pod_1","name":"p","project_id":"prj_1","image":"img","status":"running",
    "gpu_type":"A100","gpu_count":1,"cpu":4,"memory":16,"disk":50,"ports":[8888],"env":{},
    "command":null,"volumes":[{"volume_id":"vol-123","mount_path":"/data"}],"labels":{},
    "ssh_command":"ssh root@10.0.0.1 -p 22","jupyter_url":"http://j","created_at":"t",
    "updated_at":"t","brand_new_field":1}"#;

#[flavour]
#[flavour_test]
async fn create_sends_the_contract_body_the_per_call_project_and_an_idempotency_key() {
    let mut server = mock_server().await;
    let mock = server
        .mock("POST", "/v1/pods")
        .match_header("content-type", "application/json")
        .match_header("x-project-id", "prj_call")
        // The call's project replaces the client's; it is not sent twice.
        .match_request(|request| request.header("x-project-id").len() == 1)
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_body(Matcher::Json(serde_json::json!({
            "name": "training-pod", "image": "pytorch", "project_id": "prj_call",
            "gpu_type": "A100", "gpu_count": 2, "cpu": 8, "memory": 64, "disk": 200,
            "ports": [8888, 6006], "env": {"HF_TOKEN": "t"}, "command": "jupyter lab",
            "volumes": [{"volume_id": "vol-123", "mount_path": "/data"}],
            "labels": {"team": "ml"}
        })))
        .with_status(201)
        .with_body(POD)
        .create();
    let client = builder_for(&server.url())
        .project_id("prj_client")
        .build()
        .unwrap();

    let pod = client
        .pods()
        .create(
            &NewPod::new("training-pod", "pytorch")
                .project_id("prj_call")
                .gpu_type("A100")
                .gpu_count(2)
                .cpu(8)
                .memory_gb(64)
                .disk_gb(200)
                .ports([8888, 6006])
                .env("HF_TOKEN", "t")
                .command("jupyter lab")
                .volume(VolumeMount::new("vol-123", "/data"))
                .label("team", "ml"),
        )
        .await
        .unwrap();

    mock.assert();
    assert_eq!(pod.status, PodStatus::Running);
    assert_eq!(pod.volumes, vec![VolumeMount::new("vol-123", "/data")]);
}

#[flavour]
#[flavour_test]
async fn create_from_template_sends_the_template_id_and_name_only() {
    let mut server = mock_server().await;
    let mock = server
        .mock("POST", "/v1/pods")
        .match_body(Matcher::Json(
            serde_json::json!({"name": "copy", "template_id": "tpl_1"}),
        ))
        .with_status(201)
        .with_body(POD)
        .create();
    client_for(&server.url())
        .pods()
        .create_from_template("tpl_1", "copy")
        .await
        .unwrap();
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn list_sends_filters_and_repeats_label() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::Regex(
            "^status=running&project_id=prj_1&label=env%3Dprod&label=team%3Dml&limit=200&offset=0$"
                .into(),
        ))
        .with_body(format!(r#"{{"pods":[{POD}],"total":1}}"#))
        .create();
    let pods = client_for(&server.url())
        .pods()
        .list(
            &PodFilter::new()
                .status(PodStatus::Running)
                .project_id("prj_1")
                .label("team", "ml")
                .label("env", "prod"),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(pods.len(), 1);
}

#[flavour]
#[flavour_test]
async fn lifecycle_calls_send_the_contract_requests() {
    let mut server = mock_server().await;
    let get = server.mock("GET", "/v1/pods/pod_1").with_body(POD).create();
    let start = server
        .mock("POST", "/v1/pods/pod_1/start")
        .match_body(Matcher::Exact(String::new()))
        .with_body(POD)
        .create();
    let restart = server
        .mock("POST", "/v1/pods/pod_1/restart")
        .with_body(POD)
        .create();
    let stop = server
        .mock("POST", "/v1/pods/pod_1/stop")
        .match_body(Matcher::Json(serde_json::json!({"force": false})))
        .with_body(POD)
        .create();
    let force_stop = server
        .mock("POST", "/v1/pods/pod_1/stop")
        .match_body(Matcher::Json(serde_json::json!({"force": true})))
        .with_body(POD)
        .create();
    let delete = server
        .mock("DELETE", "/v1/pods/pod_1")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    let force_delete = server
        .mock("DELETE", "/v1/pods/pod_1")
        .match_query(Matcher::UrlEncoded("force".into(), "true".into()))
        .with_status(204)
        .create();
    let client = client_for(&server.url());
    let pods = client.pods();

    pods.get("pod_1").await.unwrap();
    pods.start("pod_1").await.unwrap();
    pods.restart("pod_1").await.unwrap();
    pods.stop("pod_1").await.unwrap();
    pods.force_stop("pod_1").await.unwrap();
    pods.delete("pod_1").await.unwrap();
    pods.force_delete("pod_1").await.unwrap();

    for mock in [get, start, restart, stop, force_stop, delete, force_delete] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn exec_calls_send_command_timeout_and_detach() {
    let mut server = mock_server().await;
    let plain = server
        .mock("POST", "/v1/pods/pod_1/exec")
        .match_header("idempotency-key", Matcher::Missing)
        .match_body(Matcher::Json(serde_json::json!({"command": "nvidia-smi"})))
        .with_body(r#"{"exit_code":0,"output":"GPU 0","error":""}"#)
        .create();
    let timed = server
        .mock("POST", "/v1/pods/pod_1/exec")
        .match_body(Matcher::Json(
            serde_json::json!({"command": "python train.py", "timeout": 3600}),
        ))
        .with_body(r#"{"exit_code":1,"output":"","error":"boom"}"#)
        .create();
    let detached = server
        .mock("POST", "/v1/pods/pod_1/exec")
        .match_body(Matcher::Json(serde_json::json!({"command": "python train.py", "detach": true})))
        .with_status(202)
        .with_body(r#"{"id":"task_1","pod_id":"pod_1","state":"queued","exit_code":null,"output":null,"error":null,"created_at":"t","finished_at":null}"#)
        .create();
    let task = server
        .mock("GET", "/v1/tasks/task_1")
        .with_body(r#"{"id":"task_1","pod_id":"pod_1","state":"paused_by_admin"}"#)
        .create();
    let client = client_for(&server.url());

    let result = client.pods().exec("pod_1", "nvidia-smi").await.unwrap();
    assert_eq!((result.exit_code, result.output.as_str()), (0, "GPU 0"));
    // An empty standard error is `None`, as a task without an error.
    assert_eq!(result.error, None);
    let result = client
        .pods()
        .exec_with_timeout("pod_1", "python train.py", Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        (result.exit_code, result.error.as_deref()),
        (1, Some("boom"))
    );
    let queued = client
        .pods()
        .exec_detached("pod_1", "python train.py")
        .await
        .unwrap();
    assert_eq!(queued.state, podstack::pods::TaskState::Queued);
    let later = client.tasks().get("task_1").await.unwrap();
    assert_eq!(
        later.state,
        podstack::pods::TaskState::Other("paused_by_admin".into())
    );

    for mock in [plain, timed, detached, task] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn logs_metrics_events_files_and_templates_send_the_contract_requests() {
    let mut server = mock_server().await;
    let logs = server
        .mock("GET", "/v1/pods/pod_1/logs")
        .match_header("accept", "text/plain")
        .match_query(Matcher::Regex(
            "^tail=100&since=2026-11-28T06%3A43%3A14Z$".into(),
        ))
        .with_header("content-type", "text/plain")
        .with_body("a\nb\n")
        .create();
    let metrics = server
        .mock("GET", "/v1/pods/pod_1/metrics")
        .with_body(r#"{"gpu_utilization":87.5,"gpu_memory_used":30.5,"gpu_memory_total":80,"cpu_usage":12,"memory_used":8,"memory_total":16,"timestamp":"t"}"#)
        .create();
    let events = server
        .mock("GET", "/v1/pods/pod_1/events")
        .with_body(
            r#"{"events":[{"timestamp":"t","type":"started","message":"Container started"}]}"#,
        )
        .create();
    let files = server
        .mock("GET", "/v1/pods/pod_1/files/list")
        .match_query(Matcher::UrlEncoded("path".into(), "/workspace".into()))
        .with_body(r#"{"entries":[{"path":"/workspace/a","size":3,"is_dir":false}]}"#)
        .create();
    let save = server
        .mock("POST", "/v1/pods/pod_1/template")
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_body(Matcher::Json(serde_json::json!({"name": "t", "description": "d"})))
        .with_status(201)
        .with_body(r#"{"id":"tpl_1","name":"t","description":"d","image":"img","gpu_type":"A100","gpu_count":1,"cpu":4,"memory":16,"disk":50}"#)
        .create();
    let templates = server
        .mock("GET", "/v1/templates")
        .match_query(Matcher::UrlEncoded("type".into(), "pod".into()))
        .with_body(r#"{"templates":[]}"#)
        .create();
    let client = client_for(&server.url());
    let pods = client.pods();

    let text = pods
        .logs(
            "pod_1",
            &LogOptions::new().tail(100).since("2026-11-28T06:43:14Z"),
        )
        .await
        .unwrap();
    assert_eq!(text, "a\nb\n");
    let m = pods.metrics("pod_1").await.unwrap();
    assert_eq!((m.gpu_utilization, m.gpu_memory_total), (87.5, 80.0));
    let e = pods.events("pod_1").await.unwrap();
    assert_eq!(e[0].event_type, "started");
    let f = pods.list_files("pod_1", "/workspace").await.unwrap();
    assert_eq!(
        (f[0].path.as_str(), f[0].size, f[0].is_dir),
        ("/workspace/a", 3, false)
    );
    let t = pods.save_template("pod_1", "t", Some("d")).await.unwrap();
    assert_eq!(t.id, "tpl_1");
    let listed = client.templates().list().await.unwrap();
    assert!(listed.is_empty());

    for mock in [logs, metrics, events, files, save, templates] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn upload_streams_the_file_as_octet_stream_with_its_length() {
    let mut server = mock_server().await;
    let mock = server
        .mock("PUT", "/v1/pods/pod_1/files")
        .match_query(Matcher::UrlEncoded(
            "path".into(),
            "/workspace/train.py".into(),
        ))
        .match_header("content-type", "application/octet-stream")
        .match_header("content-length", "11")
        .match_body("print('hi')")
        .with_status(204)
        .create();
    let path = std::env::temp_dir().join(format!(
        "podstack-upload-{}-{}.py",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::write(&path, "print('hi')").unwrap();

    client_for(&server.url())
        .pods()
        .upload("pod_1", &path, "/workspace/train.py")
        .await
        .unwrap();

    mock.assert();
    std::fs::remove_file(&path).unwrap();
}

#[flavour]
#[flavour_test]
async fn a_download_broken_off_midway_leaves_no_file_under_the_final_name() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/pods/pod_1/files")
        .match_query(Matcher::UrlEncoded(
            "path".into(),
            "/workspace/model.pt".into(),
        ))
        .with_header("content-length", "1000000")
        .with_chunked_body(|writer| {
            writer.write_all(&[1u8; 1000])?;
            Err(std::io::Error::other("connection lost"))
        })
        // When the break comes before the answer's head is out, the client sees a
        // failed connection and retries the GET; either way it ends in an error.
        .expect_at_least(1)
        .create();
    let dir = std::env::temp_dir().join(format!(
        "podstack-broken-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("model.pt");

    let error = client_for(&server.url())
        .pods()
        .download("pod_1", "/workspace/model.pt", &target)
        .await
        .unwrap_err();

    mock.assert();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no .partial file left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh, empty scratch directory for one test of one client.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-pod-{name}-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The files (not directories) below `dir`, relative, sorted.
fn files_below(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_owned();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// Issue 16: pod files come through the buckets' transfer engine, so an answer whose
/// body ends before its `Content-Length` is refused as a broken transfer (a `Network`
/// error, fetched again under the retry policy) and leaves no file, whole or partial,
/// at the destination. No `Range` is ever sent: the contract does not say the pod file
/// download honours one.
#[flavour]
#[flavour_test]
async fn a_pod_download_shorter_than_its_content_length_is_refused_and_leaves_no_file() {
    let dir = scratch_dir("short");
    let server = Server::start(|_: &Seen, conn: &mut dyn Conn| {
        support::respond_close_delimited(conn, "200 OK", &[("Content-Length", "10")], b"0123");
    });

    let error = client_for(&server.url())
        .pods()
        .download("pod_1", "/workspace/model.pt", dir.join("model.pt"))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(files_below(&dir), Vec::<String>::new());
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "the first attempt and three retries");
    assert!(seen
        .iter()
        .all(|s| s.target.starts_with("/v1/pods/pod_1/files?") && s.header("range").is_none()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 16: a recursive pod download whose file breaks off is an error and leaves no
/// file at the destination (only the directories it made); files at or above the
/// multipart threshold still go whole, never as ranges, to a pod.
#[flavour]
#[flavour_test]
async fn a_recursive_pod_download_that_breaks_off_is_an_error_and_leaves_no_file() {
    let dir = scratch_dir("tree-broken");
    let server = Server::start(|seen: &Seen, conn: &mut dyn Conn| {
        if seen.target.starts_with("/v1/pods/pod_1/files/list?") {
            let body = r#"{"entries":[{"path":"/workspace/d/sub","size":0,"is_dir":true},
                {"path":"/workspace/d/sub/big.bin","size":6000000,"is_dir":false}]}"#;
            let headers = [("Content-Type", "application/json")];
            support::respond(conn, "200 OK", &headers, body.as_bytes());
        } else {
            let headers = [("Content-Length", "6000000")];
            support::respond_close_delimited(conn, "200 OK", &headers, &[7u8; 1000]);
        }
    });
    let options = TransferOptions::new()
        .recursive(true)
        .multipart_threshold(1)
        .part_size(5 * 1024 * 1024)
        .concurrency(4);

    let error = client_for(&server.url())
        .pods()
        .download_with("pod_1", "/workspace/d", dir.join("out"), &options)
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(dir.join("out/sub").is_dir());
    assert_eq!(files_below(&dir), Vec::<String>::new());
    let gets: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.target.starts_with("/v1/pods/pod_1/files?"))
        .collect();
    assert_eq!(gets.len(), 4, "the first attempt and three retries");
    assert!(gets.iter().all(|s| s.header("range").is_none()), "{gets:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 16: a pod's recursive download goes through the same engine as a bucket's,
/// so each file is reported to `on_file_done` (by its path in the pod) as it completes.
#[flavour]
#[flavour_test]
async fn a_recursive_pod_download_reports_each_file_done() {
    let dir = scratch_dir("file-done");
    let mut server = mock_server().await;
    let _list = server
        .mock("GET", "/v1/pods/pod_1/files/list")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"entries":[{"path":"/workspace/d/a.txt","size":1,"is_dir":false},
            {"path":"/workspace/d/sub/b.txt","size":1,"is_dir":false}]}"#,
        )
        .create();
    let _get = server
        .mock("GET", "/v1/pods/pod_1/files")
        .match_query(Matcher::Any)
        .with_body("1")
        .create();
    let done = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = done.clone();
    let options = TransferOptions::new()
        .recursive(true)
        .on_file_done(move |path, bytes| seen.lock().unwrap().push((path.to_owned(), bytes)));

    let summary = client_for(&server.url())
        .pods()
        .download_with("pod_1", "/workspace/d", dir.join("out"), &options)
        .await
        .unwrap();

    assert_eq!((summary.files, summary.bytes), (2, 2), "{summary:?}");
    let mut done = done.lock().unwrap().clone();
    done.sort();
    assert_eq!(
        done,
        [
            ("/workspace/d/a.txt".to_owned(), 1),
            ("/workspace/d/sub/b.txt".to_owned(), 1)
        ]
    );
    assert_eq!(files_below(&dir.join("out")), ["a.txt", "sub/b.txt"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whole GPUs go as a JSON integer (as the Python package sends `gpu_count=2`), a
/// share of one as a number; the wire is the same as before `gpu_count` took a `u32`.
#[flavour]
#[flavour_test]
async fn gpu_count_sends_an_integer_and_gpu_fraction_a_number() {
    let mut server = mock_server().await;
    let whole = server
        .mock("POST", "/v1/pods")
        // JSON's 2 and 2.0 differ here (serde_json keeps integers apart from floats).
        .match_body(Matcher::Json(
            serde_json::json!({"name": "whole", "image": "img", "gpu_count": 2}),
        ))
        .with_status(201)
        .with_body(POD)
        .create();
    let shared = server
        .mock("POST", "/v1/pods")
        .match_body(Matcher::Json(
            serde_json::json!({"name": "shared", "image": "img", "gpu_count": 0.5}),
        ))
        .with_status(201)
        .with_body(POD)
        .create();
    let client = client_for(&server.url());
    let gpus: usize = 2;
    let gpus = u32::try_from(gpus).unwrap();
    client
        .pods()
        .create(&NewPod::new("whole", "img").gpu_count(gpus))
        .await
        .unwrap();
    client
        .pods()
        .create(&NewPod::new("shared", "img").gpu_fraction(0.5))
        .await
        .unwrap();
    whole.assert();
    shared.assert();
}

/// A GPU or CPU count JSON cannot carry (serde writes `NaN` and the infinities as
/// `null`, which a server may read as one whole GPU) or no pod can have is refused before
/// anything is sent.
#[flavour]
#[flavour_test]
async fn counts_that_are_not_finite_or_are_negative_are_refused_before_sending() {
    let mut server = mock_server().await;
    let never = server.mock("POST", "/v1/pods").expect(0).create();
    let client = client_for(&server.url());
    let pods = [
        NewPod::new("p", "img").gpu_fraction(f64::NAN),
        NewPod::new("p", "img").gpu_fraction(f64::INFINITY),
        NewPod::new("p", "img").gpu_fraction(-1.0),
        NewPod::new("p", "img").cpu(f64::NAN),
        NewPod::new("p", "img").cpu(0.0),
        NewPod::new("p", "img").cpu(-2.0),
    ];
    for pod in &pods {
        match client.pods().create(pod).await {
            Err(Error::Config { context, .. }) => {
                assert!(
                    context.message().contains("nothing was sent"),
                    "{context:?}"
                );
                assert!(context.message().contains("finite number"), "{context:?}");
            }
            other => panic!("{pod:?} gave {other:?}"),
        }
    }
    never.assert();
}

/// Standard error reads as `None` when empty, `null` or absent, and as the text
/// otherwise; any of these decodes.
#[flavour]
#[flavour_test]
async fn exec_error_is_none_when_empty_null_or_absent() {
    let mut server = mock_server().await;
    let bodies = [
        (r#"{"exit_code":0,"output":"","error":""}"#, None),
        (r#"{"exit_code":0,"output":"","error":null}"#, None),
        (r#"{"exit_code":0,"output":""}"#, None),
        (
            r#"{"exit_code":2,"output":"","error":"no such file"}"#,
            Some("no such file"),
        ),
    ];
    for (body, expected) in bodies {
        let mock = server
            .mock("POST", "/v1/pods/pod_1/exec")
            .with_body(body)
            .create();
        let result = client_for(&server.url())
            .pods()
            .exec("pod_1", "ls")
            .await
            .unwrap();
        assert_eq!(result.error.as_deref(), expected, "{body}");
        mock.assert();
        mock.remove();
    }
}

/// The typed time accessors parse RFC 3339 and answer `None`, never an error or a
/// panic, for anything else; the raw strings stay as they came.
#[flavour]
#[flavour_test]
async fn timestamps_parse_to_typed_times_and_bad_ones_are_none() {
    let mut server = mock_server().await;
    let pod = server
        .mock("GET", "/v1/pods/pod_1")
        .with_body(r#"{"id":"pod_1","memory":"64","disk":200,"created_at":"2026-11-28T08:43:14.250+02:00","updated_at":"yesterday"}"#)
        .create();
    let events = server
        .mock("GET", "/v1/pods/pod_1/events")
        .with_body(r#"{"events":[{"timestamp":"2026-11-28T06:43:14Z","type":"started","message":"m"},{"timestamp":"","type":"x","message":"m"},{"timestamp":"2026-02-31T00:00:00Z","type":"x","message":"m"},{"timestamp":"2026-11-28 06:43:14","type":"x","message":"m"},{"timestamp":"\u00e9\u00e9\u00e9\u00e9-99-99T99:99:99Z","type":"x","message":"m"}]}"#)
        .create();
    let client = client_for(&server.url());

    let got = client.pods().get("pod_1").await.unwrap();
    let created = got.created_at_datetime().unwrap();
    assert_eq!(created.unix_timestamp(), 1_795_848_194);
    assert_eq!(created.offset().whole_hours(), 2);
    assert_eq!(got.updated_at.as_deref(), Some("yesterday"));
    assert_eq!(got.updated_at_datetime(), None);
    assert_eq!((got.memory_gb(), got.disk_gb()), (64, 200));

    let got = client.pods().events("pod_1").await.unwrap();
    let times: Vec<_> = got
        .iter()
        .map(|e| e.timestamp_datetime().map(|t| t.unix_timestamp()))
        .collect();
    assert_eq!(times, [Some(1_795_848_194), None, None, None, None]);
    assert_eq!(got[2].timestamp, "2026-02-31T00:00:00Z");
    pod.assert();
    events.assert();
}

#[flavour]
#[flavour_test]
async fn waiting_with_duration_max_waits_without_a_deadline_instead_of_panicking() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/pods/pod_1")
        .with_body(r#"{"id":"pod_1","status":"Running","cpu":"0.5","gpu_count":1}"#)
        .create();
    server
        .mock("GET", "/v1/tasks/task_1")
        .with_body(r#"{"id":"task_1","pod_id":"pod_1","state":"SUCCEEDED","exit_code":"0"}"#)
        .create();
    let client = client_for(&server.url());

    let pod = client
        .pods()
        .wait_until_running("pod_1", Duration::MAX)
        .await
        .unwrap();
    assert_eq!((pod.status, pod.cpu), (PodStatus::Running, 0.5));
    let task = client.tasks().wait("task_1", Duration::MAX).await.unwrap();
    assert_eq!(
        (task.state, task.exit_code),
        (TaskState::Succeeded, Some(0))
    );
}

#[flavour]
#[flavour_test]
async fn exec_with_a_duration_max_timeout_does_not_panic() {
    let mut server = mock_server().await;
    server
        .mock("POST", "/v1/pods/pod_1/exec")
        .with_body(r#"{"exit_code":0,"output":"ok\n","error":""}"#)
        .create();
    let client = client_for(&server.url());
    let result = client
        .pods()
        .exec_with_timeout("pod_1", "true", Duration::MAX)
        .await
        .unwrap();
    assert!(result.success());
}
