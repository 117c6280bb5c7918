//! One large object up and down in a single stream, through the blocking client, against
//! the emulator in a process of its own, beside curl and a bare `ureq` agent doing the
//! same requests, in one run:
//!
//! ```text
//! cargo bench --bench one_stream                          # 1 GiB
//! PODSTACK_BENCH_MIB=256 cargo bench --bench one_stream   # another size
//! ```
//!
//! The upload is one `multipart/form-data` POST (the shipped wire of a bucket upload),
//! the download one GET, in rounds where each client goes first once (the one after a
//! 1 GiB upload pays for the kernel still writing it back); the best round's rate is
//! printed, and the CPU time (user + system) each client spent per GiB, over all rounds.
//! Targets: the SDK at least 0.9× curl's rate, and less than 0.3 s/GiB of CPU beyond the
//! bare agent's. The download's CPU time is mostly the kernel's page-cache work, and
//! swings from run to run by more than the clients differ.

mod support;

#[cfg(feature = "blocking")]
use std::io::{Read, Write};
#[cfg(feature = "blocking")]
use std::path::Path;
#[cfg(feature = "blocking")]
use std::process::Command;
use std::time::Duration;
#[cfg(feature = "blocking")]
use std::time::Instant;

#[cfg(feature = "blocking")]
use podstack::{NewBucket, TransferOptions};
#[cfg(feature = "blocking")]
use support::{cpu_time, EmulatorProcess};

#[cfg(feature = "blocking")]
const ROUNDS: usize = 3;
#[cfg(feature = "blocking")]
const KEY: &str = "one-stream.bin";
#[cfg(feature = "blocking")]
const BOUNDARY: &str = "podstack-bench-boundary";

#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
fn file_mib() -> u64 {
    std::env::var("PODSTACK_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

/// One client's rounds in one direction.
#[derive(Default)]
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
struct Side {
    best: Option<Duration>,
    cpu: Duration,
    rounds: u32,
}

#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
impl Side {
    fn add(&mut self, elapsed: Duration, cpu: Duration) {
        self.best = Some(self.best.map_or(elapsed, |b| b.min(elapsed)));
        self.cpu += cpu;
        self.rounds += 1;
    }

    fn rate(&self, mib: u64) -> f64 {
        mib as f64 / self.best.expect("a round").as_secs_f64()
    }

    fn cpu_per_gib(&self, mib: u64) -> f64 {
        self.cpu.as_secs_f64() / f64::from(self.rounds) / (mib as f64 / 1024.0)
    }
}

fn main() {
    if !support::serve_if_child() {
        #[cfg(feature = "blocking")]
        run();
    }
}

#[cfg(feature = "blocking")]
fn run() {
    let mib = file_mib();
    let emulator = EmulatorProcess::start();
    let dir = std::env::temp_dir().join(format!("podstack-one-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join("source.bin");
    write_source(&source, mib);
    let back = dir.join("back.bin");

    let client = podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(&emulator.endpoint)
        .platform_endpoint(&emulator.platform)
        .project_id(&emulator.project)
        .api_token(&emulator.token)
        .build()
        .expect("client");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("one-stream"))
        .expect("bucket");
    let objects = format!("{}/api/v1/buckets/{}/objects", emulator.platform, bucket.id);
    let download_url = format!("{objects}/download?path={KEY}");
    let authorization = format!("Bearer {}", emulator.token);
    // One stream each way, whatever the size.
    let one_stream = || TransferOptions::new().multipart_threshold(u64::MAX);
    let agent = ureq::Agent::new_with_defaults();

    let clients = ["podstack SDK", "bare ureq", "curl"];
    let (mut up, mut down): ([Side; 3], [Side; 3]) = Default::default();
    for round in 0..ROUNDS {
        // Each client goes first in one round (see the module documentation).
        for i in (0..clients.len()).map(|k| (round + k) % clients.len()) {
            let timed = |f: &mut dyn FnMut()| {
                let (started, cpu, children) = (Instant::now(), cpu_time(false), cpu_time(true));
                f();
                let cpu = if i == 2 {
                    cpu_time(true) - children
                } else {
                    cpu_time(false) - cpu
                };
                (started.elapsed(), cpu)
            };
            let (elapsed, cpu) = timed(&mut || match i {
                0 => {
                    client
                        .buckets()
                        .upload_with(&bucket.id, &source, KEY, &one_stream())
                        .expect("sdk upload");
                }
                1 => bare_upload(&agent, &objects, &authorization, &emulator.project, &source),
                _ => curl(&[
                    "-F",
                    &format!("path={KEY}"),
                    "-F",
                    &format!("file=@{};filename={KEY}", source.display()),
                    "-H",
                    &format!("authorization: {authorization}"),
                    "-H",
                    &format!("x-project-id: {}", emulator.project),
                    "-o",
                    "/dev/null",
                    &objects,
                ]),
            });
            up[i].add(elapsed, cpu);
            let (elapsed, cpu) = timed(&mut || match i {
                0 => {
                    client
                        .buckets()
                        .download_with(&bucket.id, KEY, &back, &one_stream())
                        .expect("sdk download");
                }
                1 => bare_download(
                    &agent,
                    &download_url,
                    &authorization,
                    &emulator.project,
                    &back,
                ),
                _ => curl(&[
                    "-H",
                    &format!("authorization: {authorization}"),
                    "-H",
                    &format!("x-project-id: {}", emulator.project),
                    "-o",
                    &back.display().to_string(),
                    &download_url,
                ]),
            });
            down[i].add(elapsed, cpu);
            assert_eq!(
                std::fs::metadata(&back).expect("downloaded").len(),
                mib << 20,
                "{} downloaded the whole object",
                clients[i]
            );
            std::fs::remove_file(&back).expect("remove the download");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "{mib} MiB in one stream, blocking client, emulator in its own process; best of {ROUNDS} rounds, each client first in one, CPU per GiB averaged"
    );
    for (direction, sides) in [("upload", &up), ("download", &down)] {
        for (name, side) in clients.iter().zip(sides.iter()) {
            println!(
                "  {direction:<8} {name:<12}: {:>6.0} MiB/s, {:.3} s CPU per GiB",
                side.rate(mib),
                side.cpu_per_gib(mib)
            );
        }
        println!(
            "  {direction:<8} the SDK's rate is {:.2}× curl's (target ≥ 0.9); its CPU {:+.3} s/GiB beyond bare ureq's (target < 0.3)",
            sides[0].rate(mib) / sides[2].rate(mib),
            sides[0].cpu_per_gib(mib) - sides[1].cpu_per_gib(mib)
        );
    }
}

#[cfg(feature = "blocking")]
fn write_source(path: &Path, mib: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create source"));
    let block: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&block).expect("write source");
    }
    file.flush().expect("flush source");
}

#[cfg(feature = "blocking")]
fn curl(args: &[&str]) {
    let status = Command::new("curl")
        .args(["-sS", "--fail", "--http1.1"])
        .args(args)
        .status()
        .expect("curl runs");
    assert!(status.success(), "curl failed: {status}");
}

#[cfg(feature = "blocking")]
/// The same `multipart/form-data` POST the SDK sends, from a bare agent.
fn bare_upload(agent: &ureq::Agent, url: &str, authorization: &str, project: &str, source: &Path) {
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{KEY}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{KEY}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let file = std::fs::File::open(source).expect("source");
    let len = file.metadata().expect("size").len() + (head.len() + tail.len()) as u64;
    let mut body = head.as_bytes().chain(file).chain(tail.as_bytes());
    let response = agent
        .post(url)
        .header("authorization", authorization)
        .header("x-project-id", project)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", len.to_string())
        .send(ureq::SendBody::from_reader(&mut body))
        .expect("bare upload");
    assert!(response.status().is_success());
}

#[cfg(feature = "blocking")]
fn bare_download(agent: &ureq::Agent, url: &str, authorization: &str, project: &str, to: &Path) {
    let mut response = agent
        .get(url)
        .header("authorization", authorization)
        .header("x-project-id", project)
        .call()
        .expect("bare download");
    let mut file = std::fs::File::create(to).expect("target");
    std::io::copy(&mut response.body_mut().as_reader(), &mut file).expect("bare body");
}
