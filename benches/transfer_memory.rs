//! Peak memory of a 1 GiB upload and download through the SDK, against the in-process
//! emulator (which streams to disk too, so the figure bounds both).
//!
//! ```text
//! cargo bench --bench transfer_memory                   # blocking
//! cargo bench --bench transfer_memory --features async  # async
//! PODSTACK_BENCH_MIB=256 cargo bench --bench transfer_memory   # another size
//! ```
//!
//! Reads the process's peak resident set (`VmHWM`) from `/proc/self/status`, after
//! resetting it through `/proc/self/clear_refs` once the source file is written, so
//! only the transfers count. Linux only. Target: under 64 MiB for any file size.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use podstack::{Client, NewPod, TransferOptions};
use podstack_emulator::Emulator;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn reset_peak_rss() {
    // "5" resets the peak resident set size to the current one (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn write_source(path: &Path, mib: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create source"));
    let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&block).expect("write source");
    }
    file.flush().expect("flush source");
}

fn report(what: &str, bytes: u64, elapsed: Duration) {
    let mib = bytes as f64 / (1 << 20) as f64;
    println!(
        "  {what:<9}: {mib:.0} MiB in {elapsed:.2?} ({:.0} MiB/s); peak RSS of the whole process so far: {}",
        mib / elapsed.as_secs_f64(),
        peak_rss_mib().map_or("n/a".to_owned(), |m| format!("{m:.1} MiB")),
    );
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
async fn run() {
    let mib: u64 = std::env::var("PODSTACK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let dir = std::env::temp_dir().join(format!("podstack-transfer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join("source.bin");
    write_source(&source, mib);

    let emulator = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
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

    let baseline = peak_rss_mib();
    reset_peak_rss();
    println!(
        "{} build, {mib} MiB file; resident set before the transfers: {}",
        if cfg!(feature = "async") {
            "async"
        } else {
            "blocking"
        },
        baseline.map_or("n/a".to_owned(), |m| format!("{m:.1} MiB"))
    );

    let started = Instant::now();
    let up = client
        .pods()
        .upload_with(
            &pod.id,
            &source,
            "/workspace/big.bin",
            TransferOptions::new(),
        )
        .await
        .expect("upload");
    report("upload", up.bytes, started.elapsed());

    let target = dir.join("back.bin");
    let started = Instant::now();
    let down = client
        .pods()
        .download(&pod.id, "/workspace/big.bin", &target)
        .await
        .expect("download");
    report("download", down.bytes, started.elapsed());

    assert_eq!(
        std::fs::metadata(&target).expect("downloaded").len(),
        mib << 20
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[cfg(not(feature = "async"))]
fn main() {
    run();
}

#[cfg(feature = "async")]
#[tokio::main]
async fn main() {
    run().await;
}
