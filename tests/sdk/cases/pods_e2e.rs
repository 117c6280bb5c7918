// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::{Duration, Instant};

use podstack::{pods::TaskState, Error, LogOptions, NewPod, PodFilter, PodStatus, TransferOptions};
use podstack_emulator::{Emulator, Fault};

const WAIT: Duration = Duration::from_secs(10);

fn emulator() -> Emulator {
    Emulator::builder().pod_start_delay(Duration::ZERO).start()
}

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// A plain running pod to work in.
#[flavour]
async fn running_pod(client: &Client) -> podstack::Pod {
    let pod = client
        .pods()
        .create(&NewPod::new("p", "ubuntu"))
        .await
        .unwrap();
    client
        .pods()
        .wait_until_running(&pod.id, WAIT)
        .await
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-e2e-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[flavour]
#[flavour_test]
async fn create_wait_get_list_and_filter() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();

    let created = pods
        .create(
            &NewPod::new(
                "my-first-pod",
                "pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime",
            )
            .gpu_type("A100")
            .gpu_count(1)
            .cpu(4)
            .memory_gb(16)
            .disk_gb(50)
            .ports([8888])
            .env("MODE", "train")
            .command("jupyter lab")
            .label("team", "ml"),
        )
        .await
        .unwrap();
    assert!(created.id.starts_with("pod_"));
    assert!(
        matches!(
            created.status,
            PodStatus::Pending | PodStatus::Starting | PodStatus::Running
        ),
        "{:?}",
        created.status
    );

    let pod = pods.wait_until_running(&created.id, WAIT).await.unwrap();
    assert_eq!(pod.status, PodStatus::Running);
    assert_eq!(pod.name, "my-first-pod");
    assert_eq!(pod.gpu_type.as_deref(), Some("A100"));
    assert_eq!(
        (pod.gpu_count, pod.cpu, pod.memory, pod.disk),
        (1.0, 4.0, 16, 50)
    );
    assert_eq!(pod.ports, vec![8888]);
    assert_eq!(pod.env["MODE"], "train");
    assert_eq!(pod.labels["team"], "ml");
    assert_eq!(pod.command.as_deref(), Some("jupyter lab"));
    assert!(pod
        .ssh_command
        .as_deref()
        .is_some_and(|c| c.starts_with("ssh ")));
    assert!(pod.jupyter_url.is_some(), "port 8888 is exposed");
    let ssh = pod.ssh().unwrap();
    assert_eq!(ssh.get_program(), "ssh");
    assert!(ssh.get_args().any(|a| a == "-p"), "{ssh:?}");
    assert_eq!(
        pod.project_id.as_deref(),
        Some(emulator.project_id().as_str())
    );

    let other = pods
        .create(&NewPod::new("cpu-pod", "ubuntu:24.04").label("team", "infra"))
        .await
        .unwrap();
    pods.wait_until_running(&other.id, WAIT).await.unwrap();
    pods.stop(&other.id).await.unwrap();

    let all = pods.list(&PodFilter::new()).await.unwrap();
    assert_eq!(all.len(), 2);
    let running = pods
        .list(&PodFilter::new().status(PodStatus::Running))
        .await
        .unwrap();
    assert_eq!(
        running.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        [pod.id.as_str()]
    );
    let ml = pods
        .list(&PodFilter::new().label("team", "ml"))
        .await
        .unwrap();
    assert_eq!(ml.len(), 1);
    assert_eq!(ml[0].id, pod.id);
    let in_project = pods
        .list(&PodFilter::new().project_id(emulator.project_id()))
        .await
        .unwrap();
    assert_eq!(in_project.len(), 2);
    let page = pods.list_page(&PodFilter::new(), 1, 1).await.unwrap();
    assert_eq!((page.items.len(), page.total), (1, Some(2)));
}

#[flavour]
#[flavour_test]
async fn lifecycle_and_wrong_state_conflicts() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = running_pod(&client).await;

    // Deleting a running pod without force is refused.
    let error = pods.delete(&pod.id).await.unwrap_err();
    assert!(
        matches!(&error, Error::Conflict { current_state: Some(s), .. } if s == "running"),
        "{error:?}"
    );

    pods.stop(&pod.id).await.unwrap();
    let stopped = pods
        .wait_for_status(&pod.id, PodStatus::Stopped, WAIT)
        .await
        .unwrap();
    assert_eq!(stopped.status, PodStatus::Stopped);

    // Exec on a stopped pod is a conflict naming its state.
    let error = pods.exec(&pod.id, "echo hi").await.unwrap_err();
    assert!(
        matches!(&error, Error::Conflict { current_state: Some(s), .. } if s == "stopped"),
        "{error:?}"
    );

    pods.start(&pod.id).await.unwrap();
    pods.wait_until_running(&pod.id, WAIT).await.unwrap();
    pods.restart(&pod.id).await.unwrap();
    pods.wait_until_running(&pod.id, WAIT).await.unwrap();
    let forced = pods.force_stop(&pod.id).await.unwrap();
    assert_eq!(forced.status, PodStatus::Stopped);
    pods.delete(&pod.id).await.unwrap();
    let error = pods.get(&pod.id).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    let running = pods.create(&NewPod::new("q", "ubuntu")).await.unwrap();
    pods.wait_until_running(&running.id, WAIT).await.unwrap();
    pods.force_delete(&running.id).await.unwrap();
    let gone = pods.get(&running.id).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
}

#[flavour]
#[flavour_test]
async fn waiting_on_a_pod_that_fails_stops_at_once() {
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::from_millis(200))
        .start();
    let client = client(&emulator);
    let pod = client
        .pods()
        .create(&NewPod::new("doomed", "registry.example/fail:latest"))
        .await
        .unwrap();
    let started = Instant::now();
    let error = client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(30))
        .await
        .unwrap_err();
    match &error {
        Error::UnexpectedState {
            resource_id, state, ..
        } => {
            assert_eq!(resource_id, &pod.id);
            assert_eq!(state, "failed");
        }
        other => panic!("expected UnexpectedState, got {other:?}"),
    }
    // It failed at once, not after the 30 s wait (generous: a loaded machine is slow).
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[flavour]
#[flavour_test]
async fn a_wait_that_times_out_names_the_last_status() {
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::from_secs(60))
        .start();
    let client = client(&emulator);
    let pod = client
        .pods()
        .create(&NewPod::new("slow", "ubuntu"))
        .await
        .unwrap();
    let started = Instant::now();
    let error = client
        .pods()
        .wait_until_running(&pod.id, Duration::from_millis(600))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(
        error.message().contains("last status: pending"),
        "{}",
        error.message()
    );
    let elapsed = started.elapsed();
    assert!(
        // Its own 600 ms, not the pod's 60 s start (generous for a loaded machine).
        elapsed >= Duration::from_millis(600) && elapsed < Duration::from_secs(30),
        "{elapsed:?}"
    );
}

#[flavour]
#[flavour_test]
async fn exec_results_timeouts_and_never_a_retry() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = pods
        .create(&NewPod::new("p", "ubuntu").gpu_type("A100"))
        .await
        .unwrap();
    pods.wait_until_running(&pod.id, WAIT).await.unwrap();

    let hello = pods.exec(&pod.id, "echo hello").await.unwrap();
    assert_eq!(
        (hello.exit_code, hello.output.trim(), hello.error.as_deref()),
        (0, "hello", None)
    );
    assert!(hello.success());

    let smi = pods.exec(&pod.id, "nvidia-smi").await.unwrap();
    assert!(smi.output.contains("A100"), "{}", smi.output);

    let missing = pods.exec(&pod.id, "frobnicate --now").await.unwrap();
    assert_eq!(missing.exit_code, 127);
    let stderr = missing.error.as_deref().unwrap_or_default();
    assert!(stderr.contains("command not found"), "{stderr}");

    let exit = pods.exec(&pod.id, "exit 3").await.unwrap();
    assert_eq!(exit.exit_code, 3);

    let started = Instant::now();
    let slow = pods
        .exec_with_timeout(&pod.id, "sleep 120", Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(slow.exit_code, 124, "{slow:?}");
    // Cut at its 1 s timeout, not after the command's 120 s.
    assert!(started.elapsed() < Duration::from_secs(60));

    // A failed exec is not sent again, even though server errors are retried elsewhere.
    emulator.reset_stats();
    emulator.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 1,
    });
    let error = pods.exec(&pod.id, "echo once").await.unwrap_err();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert_eq!(emulator.stats().requests["POST /v1/pods/{id}/exec"], 1);
}

#[flavour]
#[flavour_test]
async fn detached_exec_runs_as_a_task_that_finishes() {
    let emulator = emulator();
    let client = client(&emulator);
    let pod = running_pod(&client).await;

    let task = client
        .pods()
        .exec_detached(&pod.id, "sleep 0.2 && echo trained")
        .await
        .unwrap();
    assert_eq!(task.pod_id, pod.id);
    assert!(!task.state.is_finished(), "{:?}", task.state);

    let done = client.tasks().wait(&task.id, WAIT).await.unwrap();
    assert_eq!(done.state, TaskState::Succeeded);
    assert_eq!(done.exit_code, Some(0));
    assert_eq!(done.output.as_deref().map(str::trim), Some("trained"));
    assert!(done.finished_at.is_some());

    let again = client.tasks().get(&task.id).await.unwrap();
    assert_eq!(again, done);
}

#[flavour]
#[flavour_test]
async fn logs_metrics_and_events() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = running_pod(&client).await;
    for i in 0..5 {
        pods.exec(&pod.id, &format!("echo line-{i}")).await.unwrap();
    }

    let all = pods.logs(&pod.id, &LogOptions::new()).await.unwrap();
    assert!(all.contains("line-0") && all.contains("line-4"), "{all}");
    let tail = pods
        .logs(&pod.id, &LogOptions::new().tail(2))
        .await
        .unwrap();
    assert_eq!(tail.lines().collect::<Vec<_>>(), ["line-3", "line-4"]);

    let metrics = pods.metrics(&pod.id).await.unwrap();
    assert!(metrics.memory_total > 0.0, "{metrics:?}");
    assert!((0.0..=100.0).contains(&metrics.cpu_usage));

    let events = pods.events(&pod.id).await.unwrap();
    assert!(!events.is_empty());
    assert!(events
        .iter()
        .all(|e| !e.event_type.is_empty() && !e.timestamp.is_empty()));
}

#[flavour]
#[flavour_test]
async fn followed_logs_yield_lines_as_they_are_written_and_end_when_the_pod_stops() {
    let emulator = emulator();
    let client = client(&emulator);
    let pod = running_pod(&client).await;

    let mut stream = client.pods().follow_logs(&pod.id).await.unwrap();
    // Another thread writes a line, waits, then stops the pod, noting when it asked to.
    let stop_sent_at = std::sync::Arc::new(std::sync::Mutex::new(None));
    let producer = {
        let (endpoint, token, id) = (emulator.endpoint(), emulator.token(), pod.id.clone());
        let stop_sent_at = stop_sent_at.clone();
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let post = |path: String, body: &str| {
                agent
                    .post(format!("{endpoint}/v1{path}"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .send(body)
                    .unwrap();
            };
            std::thread::sleep(Duration::from_millis(200));
            post(
                format!("/pods/{id}/exec"),
                r#"{"command":"echo produced-1"}"#,
            );
            std::thread::sleep(Duration::from_millis(1000));
            *stop_sent_at.lock().unwrap() = Some(Instant::now());
            post(format!("/pods/{id}/stop"), r#"{"force":false}"#);
        })
    };

    let mut produced_at = None;
    while let Some(line) = stream.next_line().await {
        let line = line.unwrap();
        if line.contains("produced-1") {
            produced_at = Some(Instant::now());
        }
    }
    producer.join().unwrap();

    // The line arrived while the pod still ran, before anyone asked it to stop, and the
    // stream then ended because the pod stopped.
    let produced_at = produced_at.expect("the exec's output came through the stream");
    let stop_sent_at = stop_sent_at.lock().unwrap().expect("the stop was sent");
    assert!(
        produced_at < stop_sent_at,
        "the line waited for the end of the stream"
    );
}

#[flavour]
#[flavour_test]
async fn files_and_directories_round_trip_with_progress() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = running_pod(&client).await;
    let dir = temp_dir("files");

    // One file, with progress.
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("train.py"), &data).unwrap();
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    let summary = pods
        .upload_with(
            &pod.id,
            dir.join("train.py"),
            "/workspace/",
            &TransferOptions::new()
                .progress(move |done, total| seen.lock().unwrap().push((done, total))),
        )
        .await
        .unwrap();
    assert_eq!((summary.files, summary.bytes), (1, 300_000));
    let reports = reports.lock().unwrap().clone();
    assert!(reports.len() > 1, "{reports:?}");
    assert_eq!(reports.last(), Some(&(300_000, 300_000)));
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0));

    let ran = pods.exec(&pod.id, "ls /workspace").await.unwrap();
    assert!(ran.output.contains("train.py"), "{}", ran.output);

    pods.download(&pod.id, "/workspace/train.py", dir.join("back.py"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("back.py")).unwrap(), data);

    // A directory tree.
    let tree = dir.join("data");
    std::fs::create_dir_all(tree.join("nested/deeper")).unwrap();
    std::fs::write(tree.join("a.txt"), "alpha").unwrap();
    std::fs::write(tree.join("nested/b.txt"), "beta").unwrap();
    std::fs::write(tree.join("nested/deeper/c.bin"), [0u8, 1, 2]).unwrap();
    let refused = pods
        .upload(&pod.id, &tree, "/workspace/data/")
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Io { .. }), "{refused:?}");
    let up = pods
        .upload_with(
            &pod.id,
            &tree,
            "/workspace/data/",
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!((up.files, up.bytes), (3, 12));
    let listed = pods.list_files(&pod.id, "/workspace/data").await.unwrap();
    assert!(listed
        .iter()
        .any(|f| f.path == "/workspace/data/nested/deeper/c.bin" && f.size == 3));

    let back = dir.join("data-back");
    let down = pods
        .download_with(
            &pod.id,
            "/workspace/data/",
            &back,
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!((down.files, down.bytes), (3, 12));
    assert_eq!(
        std::fs::read_to_string(back.join("a.txt")).unwrap(),
        "alpha"
    );
    assert_eq!(
        std::fs::read_to_string(back.join("nested/b.txt")).unwrap(),
        "beta"
    );
    assert_eq!(
        std::fs::read(back.join("nested/deeper/c.bin")).unwrap(),
        [0, 1, 2]
    );

    // A missing file is NotFound and leaves nothing behind.
    let error = pods
        .download(&pod.id, "/workspace/nope.pt", dir.join("nope.pt"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("nope") || n.contains(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn a_download_whose_answer_times_out_leaves_no_file_behind() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = running_pod(&client).await;
    let dir = temp_dir("cutoff");
    std::fs::write(dir.join("big.bin"), vec![7u8; 4 << 20]).unwrap();
    pods.upload(&pod.id, dir.join("big.bin"), "/workspace/big.bin")
        .await
        .unwrap();

    // A stall longer than the client's timeout: the download fails with Timeout and
    // leaves nothing behind (a body cut off midway is in tests/sdk/cases/pods_requests.rs).
    let impatient = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
        .retry(podstack::RetryConfig::disabled())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    emulator.inject(Fault::Stall {
        duration: Duration::from_secs(2),
        count: 1,
    });
    let error = impatient
        .pods()
        .download(&pod.id, "/workspace/big.bin", dir.join("big-back.bin"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(!dir.join("big-back.bin").exists());
    let partials = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("partial")
        })
        .count();
    assert_eq!(partials, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn templates_save_list_and_create_from() {
    let emulator = emulator();
    let client = client(&emulator);
    let pods = client.pods();
    let pod = pods
        .create(
            &NewPod::new("base", "pytorch/pytorch:latest")
                .gpu_type("A100")
                .gpu_count(2),
        )
        .await
        .unwrap();
    let template = pods
        .save_template(
            &pod.id,
            "pytorch-a100-template",
            Some("PyTorch training environment"),
        )
        .await
        .unwrap();
    assert_eq!(template.name, "pytorch-a100-template");
    assert_eq!(template.image.as_deref(), Some("pytorch/pytorch:latest"));
    assert_eq!(template.gpu_count, Some(2.0));

    let listed = client.templates().list().await.unwrap();
    assert!(listed.iter().any(|t| t.id == template.id));

    let copy = pods
        .create_from_template(&template.id, "new-pod-from-template")
        .await
        .unwrap();
    assert_eq!(copy.name, "new-pod-from-template");
    assert_eq!(copy.image, "pytorch/pytorch:latest");
    assert_eq!(
        (copy.gpu_type.as_deref(), copy.gpu_count),
        (Some("A100"), 2.0)
    );
}

#[flavour]
#[flavour_test]
async fn a_pod_the_wallet_cannot_pay_for_is_insufficient_balance() {
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::ZERO)
        .balance_cents(100)
        .start();
    let error = client(&emulator)
        .pods()
        .create(
            &NewPod::new("expensive-pod", "pytorch")
                .gpu_type("H100")
                .gpu_count(8),
        )
        .await
        .unwrap_err();
    match error {
        Error::InsufficientBalance {
            required_cents: Some(required),
            available_cents: Some(available),
            ..
        } => {
            assert_eq!(available, 100);
            assert!(required > available);
        }
        other => panic!("expected InsufficientBalance, got {other:?}"),
    }
}

#[flavour]
#[flavour_test]
async fn the_pod_quota_is_quota_exceeded_with_limit_and_current() {
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::ZERO)
        .pod_quota(1)
        .start();
    let client = client(&emulator);
    client
        .pods()
        .create(&NewPod::new("one", "ubuntu"))
        .await
        .unwrap();
    let error = client
        .pods()
        .create(&NewPod::new("two", "ubuntu"))
        .await
        .unwrap_err();
    match error {
        Error::QuotaExceeded {
            resource_type,
            limit,
            current,
            ..
        } => {
            assert_eq!(resource_type.as_deref(), Some("pods"));
            assert_eq!((limit, current), (Some(1), Some(1)));
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
}

#[flavour]
#[flavour_test]
async fn a_retried_create_makes_one_pod() {
    let emulator = emulator();
    let client = client(&emulator);
    // The first attempt is dropped without an answer: the client cannot know whether
    // the pod was made, retries with the same idempotency key, and gets one pod.
    emulator.inject(Fault::Drop { count: 1 });
    let pod = client
        .pods()
        .create(&NewPod::new("once", "ubuntu"))
        .await
        .unwrap();
    let all = client.pods().list(&PodFilter::new()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, pod.id);
}
