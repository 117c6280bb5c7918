//! The SDK's cost per call over a bare HTTP client, against the emulator in a process of
//! its own (so this process's CPU time is the clients' alone). One run measures every
//! client the build has:
//!
//! ```text
//! cargo bench --bench whoami                   # blocking
//! cargo bench --bench whoami --all-features    # and async
//! ```
//!
//! Each side makes the same `GET /v1/auth/whoami` and decodes the same `User`, in
//! alternating rounds so that machine noise hits both alike; the fastest round's rate,
//! the CPU time per call (user + system, over every timed round) and the TCP connections
//! each side opened (counted by the emulator) are printed.
//!
//! - blocking, sequential: `podstack::Client` against a bare `ureq` agent with ureq's
//!   default settings (no timeouts), then against one configured as the SDK's is
//!   (timeouts on). Targets: the SDK within 1.05× of the default agent, in time and in
//!   CPU per call; one connection for a whole run.
//! - blocking and async, 16 threads (tasks) sharing one client: calls per second and
//!   connections (target: at most 16 + 2).
//! - async: `podstack::nonblocking::Client` against a bare `reqwest` client, sequential
//!   and with 256 calls in flight.

mod support;

use std::time::{Duration, Instant};

use podstack::auth::User;
use support::{cpu_time, EmulatorProcess};

/// The bare clients send what the SDK sends, so only the SDK's own work differs.
const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));
const SEQUENTIAL_CALLS: u32 = 10_000;
const ROUNDS: u32 = 20;
const SHARING: u32 = 16;
const SHARED_CALLS: u32 = 200;

/// Calls made, the fastest round's rate, CPU time and TCP connections opened.
struct Run {
    calls: u32,
    elapsed: Duration,
    cpu: Duration,
    best_per_second: f64,
    connections: u64,
}

impl Run {
    fn idle() -> Self {
        Run {
            calls: 0,
            elapsed: Duration::ZERO,
            cpu: Duration::ZERO,
            best_per_second: 0.0,
            connections: 0,
        }
    }

    /// Times `round` (which makes `calls` calls); round 0 warms up: its connections
    /// count, its time does not.
    fn measure(
        &mut self,
        emulator: &EmulatorProcess,
        calls: u32,
        timed: bool,
        round: impl FnOnce(),
    ) {
        emulator.reset_stats();
        let (started, cpu) = (Instant::now(), cpu_time(false));
        round();
        let (elapsed, cpu) = (started.elapsed(), cpu_time(false) - cpu);
        self.connections += emulator.connections_accepted();
        if !timed {
            return;
        }
        self.calls += calls;
        self.elapsed += elapsed;
        self.cpu += cpu;
        self.best_per_second = self
            .best_per_second
            .max(f64::from(calls) / elapsed.as_secs_f64());
    }

    fn cpu_per_call(&self) -> Duration {
        self.cpu / self.calls.max(1)
    }

    fn line(&self, name: &str) -> String {
        format!(
            "  {name:<14}: {:>7.0} calls/s in the best round, {:>5.1} µs CPU per call  ({} timed calls in {:.2?}; {} TCP connection(s) in all)",
            self.best_per_second,
            self.cpu_per_call().as_secs_f64() * 1e6,
            self.calls,
            self.elapsed,
            self.connections
        )
    }
}

fn report(title: &str, sdk: &Run, bare: &Run, bare_name: &str) {
    println!("{title}");
    println!("{}", sdk.line("podstack SDK"));
    println!("{}", bare.line(bare_name));
    println!(
        "  ratio         : the SDK takes {:.3}× the time and {:.3}× the CPU per call of {bare_name} (target ≤ 1.05)",
        bare.best_per_second / sdk.best_per_second,
        sdk.cpu_per_call().as_secs_f64() / bare.cpu_per_call().as_secs_f64(),
    );
}

fn report_shared(title: &str, run: &Run) {
    println!("{title}");
    println!("{}", run.line("podstack SDK"));
    println!(
        "  connections   : {} opened in all rounds, the pool keeping them between rounds (target: at most {})",
        run.connections,
        SHARING + 2
    );
}

fn main() {
    if support::serve_if_child() {
        return;
    }
    let emulator = EmulatorProcess::start();
    #[cfg(feature = "blocking")]
    blocking::run(&emulator);
    #[cfg(feature = "async")]
    nonblocking::run(&emulator);
}

/// `podstack::Client` against bare `ureq` agents.
#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    pub fn run(emulator: &EmulatorProcess) {
        let url = format!("{}/v1/auth/whoami", emulator.endpoint);
        let authorization = format!("Bearer {}", emulator.token);

        let client = podstack::Client::builder()
            .use_environment(false)
            .api_endpoint(&emulator.endpoint)
            .api_token(&emulator.token)
            .build()
            .expect("client");
        // The SDK's settings: 30 s to connect and for each read and write, no redirects
        // followed by ureq, statuses not errors; per call, a 5 minute deadline and a 30 s
        // wait for the answer's head.
        let timeout = Some(Duration::from_secs(30));
        let configured = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(timeout)
            .timeout_per_read(timeout)
            .timeout_per_write(timeout)
            .max_redirects(0)
            .build()
            .new_agent();
        let default = ureq::Agent::new_with_defaults();
        let bare_call = |agent: &ureq::Agent, with_timeouts: bool| {
            let request = ureq::http::Request::get(&url)
                .header("authorization", &authorization)
                .header("accept", "application/json")
                .header("user-agent", USER_AGENT)
                .body(())
                .expect("request");
            let request = match with_timeouts {
                true => agent
                    .configure_request(request)
                    .timeout_global(Some(Duration::from_secs(300)))
                    .timeout_recv_response(timeout)
                    .build(),
                false => request,
            };
            let body = agent
                .run(request)
                .expect("bare call")
                .body_mut()
                .read_to_vec()
                .expect("bare body");
            let _: User = serde_json::from_slice(&body).expect("bare decode");
        };
        let sdk_call = || {
            client.auth().whoami().expect("sdk call");
        };

        for (bare_name, agent, with_timeouts) in [
            ("ureq, default", &default, false),
            ("ureq, timeouts", &configured, true),
        ] {
            let (mut sdk, mut bare) = (Run::idle(), Run::idle());
            let per_round = SEQUENTIAL_CALLS / ROUNDS;
            for round in 0..=ROUNDS {
                sdk.measure(emulator, per_round, round > 0, || {
                    (0..per_round).for_each(|_| sdk_call())
                });
                bare.measure(emulator, per_round, round > 0, || {
                    (0..per_round).for_each(|_| bare_call(agent, with_timeouts))
                });
            }
            report(
                &format!("blocking, {SEQUENTIAL_CALLS} sequential whoami calls in {ROUNDS} alternating rounds, against a bare {bare_name} agent"),
                &sdk,
                &bare,
                bare_name,
            );
        }

        // A client of its own, so that its pool starts empty.
        let client = podstack::Client::builder()
            .use_environment(false)
            .api_endpoint(&emulator.endpoint)
            .api_token(&emulator.token)
            .build()
            .expect("client");
        let mut shared = Run::idle();
        for round in 0..=ROUNDS / 4 {
            shared.measure(emulator, SHARING * SHARED_CALLS, round > 0, || {
                std::thread::scope(|scope| {
                    for _ in 0..SHARING {
                        let client = client.clone();
                        scope.spawn(move || {
                            for _ in 0..SHARED_CALLS {
                                client.auth().whoami().expect("sdk call");
                            }
                        });
                    }
                });
            });
        }
        report_shared(
            &format!(
                "blocking, {SHARING} threads sharing one client, {SHARED_CALLS} whoami calls each"
            ),
            &shared,
        );
    }
}

/// `podstack::nonblocking::Client` against a bare `reqwest` client, on a multi-threaded
/// tokio runtime: sequential, with many calls in flight, and shared by 16 tasks.
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

        /// `tasks` tasks, each making `calls` calls in a row; with `pause`, each yields to
        /// the runtime between calls, as a program handling its answers does (hyper puts
        /// a connection back in its pool from a task of its own, and a call made before
        /// that task runs races a new connection against it).
        async fn spread(&self, tasks: u32, calls: u32, pause: bool) {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..tasks {
                let caller = self.clone();
                set.spawn(async move {
                    for _ in 0..calls {
                        caller.call().await;
                        if pause {
                            tokio::task::yield_now().await;
                        }
                    }
                });
            }
            set.join_all().await;
        }
    }

    pub fn run(emulator: &EmulatorProcess) {
        let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
        let target = Arc::new((
            format!("{}/v1/auth/whoami", emulator.endpoint),
            format!("Bearer {}", emulator.token),
        ));
        let client = runtime.block_on(async {
            podstack::nonblocking::Client::builder()
                .use_environment(false)
                .api_endpoint(&emulator.endpoint)
                .api_token(&emulator.token)
                .build()
                .expect("client")
        });
        let sdk_caller = Caller::Sdk(client);
        let bare_caller = Caller::Bare(reqwest::Client::new(), target);

        let (mut sdk, mut bare) = (Run::idle(), Run::idle());
        let per_round = SEQUENTIAL_CALLS / ROUNDS;
        for round in 0..=ROUNDS {
            for (run, caller) in [(&mut sdk, &sdk_caller), (&mut bare, &bare_caller)] {
                run.measure(emulator, per_round, round > 0, || {
                    runtime.block_on(caller.spread(1, per_round, false))
                });
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

        let (mut sdk, mut bare) = (Run::idle(), Run::idle());
        for round in 0..=CONCURRENT_ROUNDS {
            for (run, caller) in [(&mut sdk, &sdk_caller), (&mut bare, &bare_caller)] {
                run.measure(emulator, IN_FLIGHT * CALLS_PER_TASK, round > 0, || {
                    runtime.block_on(caller.spread(IN_FLIGHT, CALLS_PER_TASK, false))
                });
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

        // A client of its own, so that its pool starts empty.
        let fresh = runtime.block_on(async {
            podstack::nonblocking::Client::builder()
                .use_environment(false)
                .api_endpoint(&emulator.endpoint)
                .api_token(&emulator.token)
                .build()
                .expect("client")
        });
        let fresh = Caller::Sdk(fresh);
        let mut shared = Run::idle();
        for round in 0..=ROUNDS / 4 {
            shared.measure(emulator, SHARING * SHARED_CALLS, round > 0, || {
                runtime.block_on(fresh.spread(SHARING, SHARED_CALLS, true))
            });
        }
        report_shared(
            &format!("async, {SHARING} tasks sharing one client, {SHARED_CALLS} whoami calls each (yielding between calls)"),
            &shared,
        );
    }
}
