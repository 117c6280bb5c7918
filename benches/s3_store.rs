//! A 1 GiB object put and got through the `object-store` feature's store over the
//! emulator's S3 door, and through the SDK's own bucket transfer (platform routes), in
//! one run: the rate and the peak resident set of each.
//!
//! ```text
//! cargo bench --bench s3_store --features object-store,async
//! PODSTACK_BENCH_MIB=256 cargo bench --bench s3_store --features object-store,async
//! ```
//!
//! Each door runs in a child process of its own (the bench re-executes itself with
//! `PODSTACK_BENCH_DOOR` set), as in `transfer_memory.rs`: the peak resident set
//! (`VmHWM`, Linux only) is reset after the source file is written and between the put
//! and the get, so each figure is one transfer's, the in-process emulator included
//! (it streams to disk on both doors).
//!
//! The store writes with `WriteMultipart` (object_store's 5 MiB parts, at most 8 in
//! flight) from the file read 1 MiB at a time, and reads one streamed GET into a file;
//! the SDK uses its defaults (64 MiB parts, 4 in flight; parallel ranged GETs).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, WriteMultipart};
use podstack::nonblocking::Client;
use podstack::NewBucket;
use podstack_emulator::Emulator;

const DOOR_VAR: &str = "PODSTACK_BENCH_DOOR";
const DOORS: &[&str] = &["object_store", "sdk"];
/// Parts `WriteMultipart` keeps in flight.
const STORE_PARTS_IN_FLIGHT: usize = 8;

fn main() {
    match std::env::var(DOOR_VAR) {
        Ok(door) => child(&door),
        Err(_) => parent(),
    }
}

fn file_mib() -> u64 {
    std::env::var("PODSTACK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

fn parent() {
    let exe = std::env::current_exe().expect("current exe");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} MiB object, each door in a process of its own; peak RSS of the whole process, emulator included (load average before: {})",
        file_mib(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    for door in DOORS {
        let output = Command::new(&exe)
            .env(DOOR_VAR, door)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("run child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the {door} child failed ({}); its output:\n{stdout}",
            output.status
        );
        for line in stdout.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [direction, bytes, seconds, kib] = fields.as_slice() else {
                panic!("unexpected line from the {door} child: {line:?}");
            };
            let mib = bytes.parse::<f64>().expect("bytes") / f64::from(1 << 20);
            let seconds: f64 = seconds.parse().expect("seconds");
            let peak = kib
                .parse::<f64>()
                .map_or("n/a".to_owned(), |k| format!("{:.1} MiB", k / 1024.0));
            println!(
                "  {door:<12} {direction:<4}: {mib:.0} MiB in {:.2?} ({:.0} MiB/s); peak RSS {peak}",
                Duration::from_secs_f64(seconds),
                mib / seconds,
            );
        }
    }
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    // "5" resets the peak resident set size to the current one (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One line for the parent (direction, bytes, seconds, peak KiB); resets the peak.
fn mark(direction: &str, bytes: u64, elapsed: Duration) {
    let peak = status_kib("VmHWM").map_or("-".to_owned(), |k| k.to_string());
    println!("{direction} {bytes} {} {peak}", elapsed.as_secs_f64());
    reset_peak_rss();
}

fn write_source(path: &Path, mib: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create source"));
    let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&block).expect("write source");
    }
    file.flush().expect("flush source");
}

fn child(door: &str) {
    let dir = std::env::temp_dir().join(format!("podstack-s3-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join("source.bin");
    let target = dir.join("back.bin");
    write_source(&source, file_mib());
    let emulator = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    tokio::runtime::Runtime::new()
        .expect("tokio runtime")
        .block_on(run(door, &emulator, &source, &target));
    assert_eq!(
        std::fs::metadata(&target).expect("downloaded").len(),
        file_mib() << 20
    );
    drop(emulator);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

async fn run(door: &str, emulator: &Emulator, source: &Path, target: &PathBuf) {
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .project_id(emulator.project_id())
        .api_token(emulator.token())
        .build()
        .expect("client");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("bench"))
        .await
        .expect("bucket");
    let size = std::fs::metadata(source).expect("source").len();
    match door {
        "sdk" => {
            reset_peak_rss();
            let started = Instant::now();
            client
                .buckets()
                .upload(&bucket.id, source, "big.bin")
                .await
                .expect("upload");
            mark("put", size, started.elapsed());
            let started = Instant::now();
            client
                .buckets()
                .download(&bucket.id, "big.bin", target)
                .await
                .expect("download");
            mark("get", size, started.elapsed());
        }
        "object_store" => {
            let store = client
                .buckets()
                .object_store(&bucket.id)
                .await
                .expect("store");
            let path = StorePath::from("big.bin");
            reset_peak_rss();
            let started = Instant::now();
            let upload = store.put_multipart(&path).await.expect("create upload");
            let mut writer = WriteMultipart::new(upload);
            let mut file = std::fs::File::open(source).expect("open source");
            let mut block = vec![0u8; 1 << 20];
            loop {
                let n = file.read(&mut block).expect("read source");
                if n == 0 {
                    break;
                }
                writer
                    .wait_for_capacity(STORE_PARTS_IN_FLIGHT)
                    .await
                    .expect("part");
                writer.write(&block[..n]);
            }
            writer.finish().await.expect("complete");
            mark("put", size, started.elapsed());
            let started = Instant::now();
            let mut out = std::fs::File::create(target).expect("create target");
            let mut stream = store.get(&path).await.expect("get").into_stream();
            while let Some(chunk) = stream.next().await {
                out.write_all(&chunk.expect("chunk")).expect("write target");
            }
            mark("get", size, started.elapsed());
        }
        other => panic!("{DOOR_VAR}={other}: expected one of {DOORS:?}"),
    }
}
