//! Peak memory of a 1 GiB upload and download through the SDK, against the in-process
//! emulator (which streams to disk too, so the figure bounds both). One run measures
//! every client the build has:
//!
//! ```text
//! cargo bench --bench transfer_memory                          # blocking
//! cargo bench --bench transfer_memory --all-features           # blocking and async
//! PODSTACK_BENCH_MIB=256 cargo bench --bench transfer_memory   # another size
//! ```
//!
//! The peak resident set only grows within a process, so each client runs in a child
//! process of its own: the bench re-executes itself with `PODSTACK_BENCH_CLIENT` set to
//! `blocking` or `async`, and prints what each child measured. A child reads its peak
//! resident set (`VmHWM`) from `/proc/self/status`, after resetting it through
//! `/proc/self/clear_refs` once the source file is written and again between the upload
//! and the download, so each figure counts one transfer only. Linux only. Target: under
//! 32 MiB for the whole process, for any file size.
//!
//! Modes: a pod's file up and down; then a bucket object up as one stream and in parts
//! (the default 64 MiB parts, 8 in flight), and down as one stream and in parallel
//! ranges.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use podstack::{NewBucket, NewPod, TransferOptions};
use podstack_emulator::Emulator;

/// Selects the client a child process measures; unset in the parent.
const CLIENT_VAR: &str = "PODSTACK_BENCH_CLIENT";
const TARGET_MIB: f64 = 32.0;

/// The clients this build has, as named in [`CLIENT_VAR`].
const CLIENTS: &[&str] = &[
    #[cfg(feature = "blocking")]
    "blocking",
    #[cfg(feature = "async")]
    "async",
];

fn main() {
    match std::env::var(CLIENT_VAR) {
        Ok(client) => child(&client),
        Err(_) => parent(),
    }
}

fn file_mib() -> u64 {
    std::env::var("PODSTACK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

fn format_mib(mib: Option<f64>) -> String {
    mib.map_or("n/a".to_owned(), |m| format!("{m:.1} MiB"))
}

// ---- the parent: one child per client, one line per client and direction ----

fn parent() {
    let exe = std::env::current_exe().expect("current exe");
    println!(
        "{} MiB file through the SDK, each client in a process of its own; peak RSS of the whole process, emulator included (target: under {TARGET_MIB:.0} MiB)",
        file_mib()
    );
    for client in CLIENTS {
        let output = Command::new(&exe)
            .env(CLIENT_VAR, client)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("run child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the {client} child failed ({}); its output:\n{stdout}",
            output.status
        );
        let mut before = None;
        for line in stdout.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                ["before", kib] => before = parse_kib(kib),
                [direction, bytes, seconds, kib] => {
                    let bytes: u64 = bytes.parse().expect("bytes");
                    let seconds: f64 = seconds.parse().expect("seconds");
                    let mib = bytes as f64 / f64::from(1 << 20);
                    let peak = parse_kib(kib);
                    let verdict = match peak {
                        Some(peak) if peak < TARGET_MIB => "under",
                        Some(_) => "OVER",
                        None => "unknown against",
                    };
                    println!(
                        "  {client:<8} {direction:<17}: {mib:.0} MiB in {:.2?} ({:.0} MiB/s); peak RSS {} ({verdict} the {TARGET_MIB:.0} MiB target; {} resident before the transfers)",
                        Duration::from_secs_f64(seconds),
                        mib / seconds,
                        format_mib(peak),
                        format_mib(before),
                    );
                }
                _ => panic!("unexpected line from the {client} child: {line:?}"),
            }
        }
    }
}

/// A child's KiB figure in MiB; `-` when it could not read one.
fn parse_kib(field: &str) -> Option<f64> {
    field.parse::<f64>().ok().map(|kib| kib / 1024.0)
}

// ---- a child: one client, measured alone ----

/// A KiB figure from `/proc/self/status`: `VmHWM` is the peak resident set, `VmRSS` the
/// current one.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| {
        l.strip_prefix(field)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    // "5" resets the peak resident set size to the current one (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The parent reads `-` as "not known".
fn kib_field(kib: Option<u64>) -> String {
    kib.map_or("-".to_owned(), |k| k.to_string())
}

fn write_source(path: &Path, mib: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create source"));
    let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&block).expect("write source");
    }
    file.flush().expect("flush source");
}

/// What a child needs: the emulator and the files to move.
struct Setup {
    emulator: Emulator,
    source: PathBuf,
    target: PathBuf,
}

/// Prints the current resident set for the parent, then resets the peak so that the
/// next figure counts only what follows.
fn mark_before() {
    println!("before {}", kib_field(status_kib("VmRSS")));
    reset_peak_rss();
}

/// Prints one transfer for the parent: direction, bytes, seconds and peak KiB; then
/// resets the peak for the next one.
fn mark_transfer(direction: &str, bytes: u64, elapsed: Duration) {
    println!(
        "{direction} {bytes} {} {}",
        elapsed.as_secs_f64(),
        kib_field(status_kib("VmHWM"))
    );
    reset_peak_rss();
}

fn child(client: &str) {
    assert!(
        CLIENTS.contains(&client),
        "{CLIENT_VAR}={client}: this build has only {CLIENTS:?}"
    );
    let mib = file_mib();
    let dir = std::env::temp_dir().join(format!("podstack-transfer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join("source.bin");
    write_source(&source, mib);
    let setup = Setup {
        emulator: Emulator::builder().pod_start_delay(Duration::ZERO).start(),
        source,
        target: dir.join("back.bin"),
    };

    match client {
        #[cfg(feature = "blocking")]
        "blocking" => blocking::transfer(&setup),
        #[cfg(feature = "async")]
        "async" => tokio::runtime::Runtime::new()
            .expect("tokio runtime")
            .block_on(nonblocking::transfer(&setup)),
        _ => unreachable!("checked above"),
    }

    assert_eq!(
        std::fs::metadata(&setup.target).expect("downloaded").len(),
        mib << 20
    );
    drop(setup);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// One source, compiled for each client as the SDK is: `must_be_sync` drops the
/// `async` and the `.await`s.
macro_rules! transfer {
    ($module:ident, $feature:literal, $flavour:meta, $client:path) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;
            use $client as Client;

            #[$flavour]
            pub async fn transfer(setup: &Setup) {
                let client = Client::builder()
                    .use_environment(false)
                    .api_endpoint(setup.emulator.endpoint())
                    .api_token(setup.emulator.token())
                    .build()
                    .expect("client");
                let pod = client
                    .pods()
                    .create(&NewPod::new("bench", "ubuntu"))
                    .await
                    .expect("pod");
                client
                    .pods()
                    .wait_until_running(&pod.id, Duration::from_secs(10))
                    .await
                    .expect("running");

                mark_before();
                let started = Instant::now();
                let up = client
                    .pods()
                    .upload_with(
                        &pod.id,
                        &setup.source,
                        "/workspace/big.bin",
                        &TransferOptions::new(),
                    )
                    .await
                    .expect("upload");
                mark_transfer("upload", up.bytes, started.elapsed());

                let started = Instant::now();
                let down = client
                    .pods()
                    .download(&pod.id, "/workspace/big.bin", &setup.target)
                    .await
                    .expect("download");
                mark_transfer("download", down.bytes, started.elapsed());

                // The same file into a bucket and back, in each mode.
                let storage = Client::builder()
                    .use_environment(false)
                    .api_endpoint(setup.emulator.endpoint())
                    .platform_endpoint(setup.emulator.platform_endpoint())
                    .project_id(setup.emulator.project_id())
                    .api_token(setup.emulator.token())
                    .build()
                    .expect("storage client");
                let buckets = storage.buckets();
                let bucket = buckets
                    .create(&NewBucket::new("bench"))
                    .await
                    .expect("bucket");
                let one_stream = TransferOptions::new().multipart_threshold(u64::MAX);
                let in_parts = TransferOptions::new()
                    .multipart_threshold(0)
                    .concurrency(bench_concurrency());
                for (mode, options) in
                    [("bucket-put", &one_stream), ("bucket-put-parts", &in_parts)]
                {
                    let started = Instant::now();
                    let up = buckets
                        .upload_with(&bucket.id, &setup.source, "big.bin", &options.clone())
                        .await
                        .expect("bucket upload");
                    mark_transfer(mode, up.bytes, started.elapsed());
                }
                for (mode, options) in [
                    ("bucket-get", &one_stream),
                    ("bucket-get-ranges", &in_parts),
                ] {
                    let started = Instant::now();
                    let down = buckets
                        .download_with(&bucket.id, "big.bin", &setup.target, &options.clone())
                        .await
                        .expect("bucket download");
                    mark_transfer(mode, down.bytes, started.elapsed());
                }
            }
        }
    };
}

transfer!(
    blocking,
    "blocking",
    maybe_async::must_be_sync,
    podstack::Client
);
transfer!(
    nonblocking,
    "async",
    maybe_async::must_be_async,
    podstack::nonblocking::Client
);

/// Parts in flight (`PODSTACK_BENCH_CONCURRENCY`, default the SDK's).
fn bench_concurrency() -> usize {
    std::env::var("PODSTACK_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(podstack::transfer::DEFAULT_CONCURRENCY)
}
