//! The SDK's overhead over a bare HTTP client, against the in-process emulator. One run
//! measures every client the build has:
//!
//! ```text
//! cargo bench --bench whoami                   # blocking: podstack::Client vs bare ureq
//! cargo bench --bench whoami --all-features    # and async: podstack::nonblocking::Client vs
//!                                              # bare reqwest, sequential and 256 in flight
//! ```
//!
//! Each side makes the same `GET /v1/auth/whoami` and decodes the same `User`; the
//! emulator counts the TCP connections each side opened. Target: the SDK within 1.05× of
//! the bare client, and one connection for a whole sequential run.

use std::time::{Duration, Instant};

use podstack::auth::User;
use podstack_emulator::Emulator;

/// The bare clients send what the SDK sends, so only the SDK's own work differs.
const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));
const SEQUENTIAL_CALLS: u32 = 10_000;
const ROUNDS: u32 = 20;

/// Calls made, the fastest round's rate, and TCP connections opened.
struct Run {
    calls: u32,
    elapsed: Duration,
    best_per_second: f64,
    connections: u64,
}

impl Run {
    fn idle() -> Self {
        Run {
            calls: 0,
            elapsed: Duration::ZERO,
            best_per_second: 0.0,
            connections: 0,
        }
    }

    fn add_round(&mut self, calls: u32, elapsed: Duration, connections: u64, timed: bool) {
        self.connections += connections;
        if !timed {
            return;
        }
        self.calls += calls;
        self.elapsed += elapsed;
        self.best_per_second = self
            .best_per_second
            .max(f64::from(calls) / elapsed.as_secs_f64());
    }

    fn per_second(&self) -> f64 {
        self.best_per_second
    }
}

fn report(title: &str, sdk: &Run, bare: &Run, bare_name: &str) {
    println!("{title}");
    println!(
        "  podstack SDK : {:>9.0} calls/s in the best round  ({} timed calls in {:.2?}; {} TCP connection(s) in all)",
        sdk.per_second(),
        sdk.calls,
        sdk.elapsed,
        sdk.connections
    );
    println!(
        "  bare {bare_name:<7} : {:>9.0} calls/s in the best round  ({} timed calls in {:.2?}; {} TCP connection(s) in all)",
        bare.per_second(),
        bare.calls,
        bare.elapsed,
        bare.connections
    );
    println!(
        "  ratio        : the SDK takes {:.3}× the bare client's time per call (target ≤ 1.05)",
        bare.per_second() / sdk.per_second()
    );
}

fn main() {
    let emulator = Emulator::start();
    #[cfg(feature = "blocking")]
    blocking::run(&emulator);
    #[cfg(feature = "async")]
    nonblocking::run(&emulator);
}

/// `podstack::Client` against a bare `ureq` agent.
#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    pub fn run(emulator: &Emulator) {
        let url = format!("{}/v1/auth/whoami", emulator.endpoint());
        let authorization = format!("Bearer {}", emulator.token());

        let client = podstack::Client::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .api_token(emulator.token())
            .build()
            .expect("client");
        let bare = ureq::Agent::new_with_defaults();
        let sdk_call = || {
            client.auth().whoami().expect("sdk call");
        };
        let bare_call = || {
            let body = bare
                .get(&url)
                .header("authorization", &authorization)
                .header("accept", "application/json")
                .header("user-agent", USER_AGENT)
                .call()
                .expect("bare call")
                .body_mut()
                .read_to_vec()
                .expect("bare body");
            let _: User = serde_json::from_slice(&body).expect("bare decode");
        };

        // Alternate the two in rounds so that machine noise hits both alike; keep each
        // side's fastest round. Connections are counted over all rounds of each side.
        let (mut sdk, mut bare_run) = (Run::idle(), Run::idle());
        for round in 0..=ROUNDS {
            for (run, call) in [
                (&mut sdk, &sdk_call as &dyn Fn()),
                (&mut bare_run, &bare_call),
            ] {
                emulator.reset_stats();
                let started = Instant::now();
                for _ in 0..SEQUENTIAL_CALLS / ROUNDS {
                    call();
                }
                let elapsed = started.elapsed();
                // Round 0 warms up: its connections count, its time does not.
                run.add_round(
                    SEQUENTIAL_CALLS / ROUNDS,
                    elapsed,
                    emulator.stats().connections_accepted,
                    round > 0,
                );
            }
        }
        report(
            &format!(
                "blocking, {SEQUENTIAL_CALLS} sequential whoami calls in {ROUNDS} alternating rounds"
            ),
            &sdk,
            &bare_run,
            "ureq",
        );
    }
}

/// `podstack::nonblocking::Client` against a bare `reqwest` client, on a multi-threaded
/// tokio runtime: sequential, then with many calls in flight.
#[cfg(feature = "async")]
mod nonblocking {
    use std::sync::Arc;

    use super::*;

    const IN_FLIGHT: u32 = 256;
    const CALLS_PER_TASK: u32 = 20;
    const CONCURRENT_ROUNDS: u32 = 10;

    /// The same call through the SDK or through a bare reqwest client.
    #[derive(Clone)]
    enum Caller {
        Sdk(podstack::nonblocking::Client),
        Bare(reqwest::Client, Arc<(String, String)>),
    }

    impl Caller {
        async fn call(&self) {
            match self {
                Caller::Sdk(client) => {
                    client.auth().whoami().await.expect("sdk call");
                }
                Caller::Bare(bare, target) => {
                    let (url, authorization) = &**target;
                    let body = bare
                        .get(url)
                        .header("authorization", authorization)
                        .header("accept", "application/json")
                        .header("user-agent", USER_AGENT)
                        .send()
                        .await
                        .expect("bare call")
                        .bytes()
                        .await
                        .expect("bare body");
                    let _: User = serde_json::from_slice(&body).expect("bare decode");
                }
            }
        }
    }

    pub fn run(emulator: &Emulator) {
        tokio::runtime::Runtime::new()
            .expect("tokio runtime")
            .block_on(measure(emulator));
    }

    async fn measure(emulator: &Emulator) {
        let target = Arc::new((
            format!("{}/v1/auth/whoami", emulator.endpoint()),
            format!("Bearer {}", emulator.token()),
        ));
        let client = podstack::nonblocking::Client::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .api_token(emulator.token())
            .build()
            .expect("client");
        let sdk_caller = Caller::Sdk(client);
        let bare_caller = Caller::Bare(reqwest::Client::new(), target);

        // Sequential, in alternating rounds (round 0 warms up).
        let (mut sdk, mut bare) = (Run::idle(), Run::idle());
        for round in 0..=ROUNDS {
            for (run, caller) in [(&mut sdk, &sdk_caller), (&mut bare, &bare_caller)] {
                emulator.reset_stats();
                let started = Instant::now();
                for _ in 0..SEQUENTIAL_CALLS / ROUNDS {
                    caller.call().await;
                }
                let elapsed = started.elapsed();
                // Round 0 warms up: its connections count, its time does not.
                run.add_round(
                    SEQUENTIAL_CALLS / ROUNDS,
                    elapsed,
                    emulator.stats().connections_accepted,
                    round > 0,
                );
            }
        }
        report(
            &format!(
                "async, {SEQUENTIAL_CALLS} sequential whoami calls in {ROUNDS} alternating rounds"
            ),
            &sdk,
            &bare,
            "reqwest",
        );

        // Concurrent: IN_FLIGHT tasks, each making CALLS_PER_TASK calls in a row, in
        // alternating rounds as above.
        let (mut sdk, mut bare) = (Run::idle(), Run::idle());
        for round in 0..=CONCURRENT_ROUNDS {
            for (run, caller) in [(&mut sdk, &sdk_caller), (&mut bare, &bare_caller)] {
                emulator.reset_stats();
                let started = Instant::now();
                let mut tasks = tokio::task::JoinSet::new();
                for _ in 0..IN_FLIGHT {
                    let caller = caller.clone();
                    tasks.spawn(async move {
                        for _ in 0..CALLS_PER_TASK {
                            caller.call().await;
                        }
                    });
                }
                tasks.join_all().await;
                let elapsed = started.elapsed();
                // Round 0 warms up: its connections count, its time does not.
                run.add_round(
                    IN_FLIGHT * CALLS_PER_TASK,
                    elapsed,
                    emulator.stats().connections_accepted,
                    round > 0,
                );
            }
        }
        report(
            &format!(
                "async, {} whoami calls with {IN_FLIGHT} in flight, in {CONCURRENT_ROUNDS} alternating rounds",
                IN_FLIGHT * CALLS_PER_TASK * CONCURRENT_ROUNDS
            ),
            &sdk,
            &bare,
            "reqwest",
        );
    }
}
