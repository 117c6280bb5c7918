//! Bucket transfers on a slow, long-distance link, and sync's request count, against
//! the in-process emulator:
//!
//! ```text
//! cargo bench --bench storage_speed --all-features
//! PODSTACK_BENCH_MIB=256 PODSTACK_BENCH_LINK_MIB=10 cargo bench --bench storage_speed
//! ```
//!
//! 1. The emulator caps every TCP connection at `PODSTACK_BENCH_LINK_MIB` MiB/s (default
//!    25) in each direction, as a long-distance link caps one TCP stream. A file of
//!    `PODSTACK_BENCH_MIB` MiB (default 1024) goes up as a multipart upload with 8 parts
//!    in flight and comes back as 8 parallel ranged downloads; a slice of it goes up and
//!    down as one stream. The rates and their ratios print per client (target: parts at
//!    least 5× one stream).
//! 2. Sync of a tree of 2,000 small files into a bucket, then again after 20 of them
//!    changed: the second sync should send 20 uploads and the listing requests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use podstack::{NewBucket, SyncDirection, SyncOptions, TransferOptions};
use podstack_emulator::Emulator;

const MIB: u64 = 1 << 20;
const PARTS_IN_FLIGHT: usize = 8;
const TARGET_RATIO: f64 = 5.0;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_file(path: &Path, mib: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let block: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&block).expect("write");
    }
    file.flush().expect("flush");
}

/// A scratch directory with the big file, its slice, and the small tree.
struct Files {
    dir: PathBuf,
    big: PathBuf,
    slice: PathBuf,
    tree: PathBuf,
    big_mib: u64,
    slice_mib: u64,
}

impl Files {
    fn new() -> Files {
        let dir = std::env::temp_dir().join(format!("podstack-speed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let big_mib = env_u64("PODSTACK_BENCH_MIB", 1024);
        // One stream is slow by design: a slice is enough to know its rate.
        let slice_mib = (big_mib / 8).max(1);
        let big = dir.join("big.bin");
        let slice = dir.join("slice.bin");
        write_file(&big, big_mib);
        write_file(&slice, slice_mib);
        let tree = dir.join("tree");
        for i in 0..2000 {
            let sub = tree.join(format!("d{:02}", i % 40));
            std::fs::create_dir_all(&sub).expect("tree");
            std::fs::write(sub.join(format!("f{i:04}.txt")), format!("file {i}\n")).expect("f");
        }
        Files {
            dir,
            big,
            slice,
            tree,
            big_mib,
            slice_mib,
        }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rate(mib: u64, elapsed: Duration) -> f64 {
    mib as f64 / elapsed.as_secs_f64()
}

fn report(client: &str, what: &str, one: f64, parts: f64) {
    let ratio = parts / one;
    let verdict = if ratio >= TARGET_RATIO {
        "meets"
    } else {
        "MISSES"
    };
    println!(
        "  {client:<8} {what:<8}: one stream {one:6.1} MiB/s, {PARTS_IN_FLIGHT} in flight {parts:6.1} MiB/s, {ratio:4.1}x ({verdict} the {TARGET_RATIO}x target)"
    );
}

fn requests(emulator: &Emulator) -> u64 {
    emulator.stats().requests.values().sum()
}

fn main() {
    let link = env_u64("PODSTACK_BENCH_LINK_MIB", 25);
    let files = Files::new();
    println!(
        "Bucket transfers over a link capped at {link} MiB/s per connection: {} MiB in parts, {} MiB as one stream",
        files.big_mib, files.slice_mib
    );
    #[cfg(feature = "blocking")]
    blocking::run(&files, link);
    #[cfg(feature = "async")]
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(nonblocking::run(&files, link));
}

/// One source, compiled for each client as the SDK is.
macro_rules! speed {
    ($module:ident, $feature:literal, $flavour:meta, $client:path, $name:literal) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;
            use $client as Client;

            #[$flavour]
            pub async fn run(files: &Files, link_mib: u64) {
                let emulator = Emulator::builder()
                    .bandwidth_per_connection(Some(link_mib * MIB))
                    .start();
                let client = Client::builder()
                    .use_environment(false)
                    .api_endpoint(emulator.endpoint())
                    .platform_endpoint(emulator.platform_endpoint())
                    .project_id(emulator.project_id())
                    .api_token(emulator.token())
                    .build()
                    .expect("client");
                let buckets = client.buckets();
                let bucket = buckets
                    .create(&NewBucket::new("speed"))
                    .await
                    .expect("bucket");
                let one = TransferOptions::new().multipart_threshold(u64::MAX);
                let parts = TransferOptions::new()
                    .multipart_threshold(0)
                    .part_size(files.big_mib.div_ceil(16).max(5) * MIB)
                    .concurrency(PARTS_IN_FLIGHT);
                let back = files.dir.join(concat!("back-", $name));

                let started = Instant::now();
                buckets
                    .upload_with(&bucket.id, &files.slice, "slice.bin", &one.clone())
                    .await
                    .expect("one-stream upload");
                let up_one = rate(files.slice_mib, started.elapsed());
                let started = Instant::now();
                buckets
                    .upload_with(&bucket.id, &files.big, "big.bin", &parts.clone())
                    .await
                    .expect("multipart upload");
                let up_parts = rate(files.big_mib, started.elapsed());
                report($name, "upload", up_one, up_parts);

                let started = Instant::now();
                buckets
                    .download_with(&bucket.id, "slice.bin", &back, &one)
                    .await
                    .expect("one-stream download");
                let down_one = rate(files.slice_mib, started.elapsed());
                let started = Instant::now();
                buckets
                    .download_with(&bucket.id, "big.bin", &back, &parts)
                    .await
                    .expect("ranged download");
                let down_parts = rate(files.big_mib, started.elapsed());
                report($name, "download", down_one, down_parts);
                assert_eq!(
                    std::fs::metadata(&back).expect("back").len(),
                    files.big_mib * MIB
                );
                std::fs::remove_file(&back).expect("clean up");

                // Sync, with the link uncapped: this counts requests, not bytes.
                emulator.set_bandwidth_per_connection(None);
                let sync = SyncOptions::new(SyncDirection::Upload);
                let first = buckets
                    .sync(&bucket.id, &files.tree, "tree/", &sync)
                    .await
                    .expect("first sync");
                let changed = 20;
                for i in 0..changed {
                    let path = files
                        .tree
                        .join(format!("d{:02}/f{:04}.txt", (i * 97) % 40, i * 97));
                    if path.exists() {
                        std::fs::write(&path, format!("file {i}, changed\n")).expect("change");
                    }
                }
                let before = requests(&emulator);
                let started = Instant::now();
                let second = buckets
                    .sync(&bucket.id, &files.tree, "tree/", &sync)
                    .await
                    .expect("second sync");
                let sent = requests(&emulator) - before;
                println!(
                    "  {:<8} sync    : first copied {} files; after {changed} changed, copied {} ({} unchanged) with {sent} requests in {:.2?}",
                    $name,
                    first.copied.len(),
                    second.copied.len(),
                    second.unchanged,
                    started.elapsed(),
                );
                // Put the tree back for the next client.
                for i in 0..changed {
                    let path = files
                        .tree
                        .join(format!("d{:02}/f{:04}.txt", (i * 97) % 40, i * 97));
                    if path.exists() {
                        std::fs::write(&path, format!("file {}\n", i * 97)).expect("restore");
                    }
                }
            }
        }
    };
}

speed!(
    blocking,
    "blocking",
    maybe_async::must_be_sync,
    podstack::Client,
    "blocking"
);
speed!(
    nonblocking,
    "async",
    maybe_async::must_be_async,
    podstack::nonblocking::Client,
    "async"
);
