//! The SDK's cost per call over a bare HTTP client, against the emulator in a process of
//! its own (so this process's CPU time is the clients' alone). One run measures every
//! client the build has:
//!
//! ```text
//! cargo bench --bench whoami                   # blocking
//! cargo bench --bench whoami --all-features    # and async
//! cargo bench --bench whoami -- one-core       # only the sections named
//! ```
//!
//! Each side makes the same `GET /v1/auth/whoami` and decodes the same `User`, in
//! alternating rounds so that machine noise hits both alike; the fastest round's rate,
//! the CPU time per call (user + system) of the median round and the TCP connections
//! each side opened (counted by the emulator) are printed. With the client and the
//! emulator on two cores, a sequential call's CPU time swings severalfold between runs
//! for the same binary (the client sleeps and wakes for every answer); so the blocking
//! pair is also run with this thread and an emulator of its own kept to one core, where
//! it swings by a few percent, and, where `valgrind` is installed, counted in
//! instructions per call, which do not swing (callgrind: each side makes 1,000 and then
//! 2,000 calls in a process of its own, and the difference is divided by 1,000, so that
//! start-up cancels out).
//!
//! - blocking, sequential: `podstack::Client` against a bare `ureq` agent with ureq's
//!   default settings (no timeouts), then against one configured as the SDK's is
//!   (timeouts on). Targets: the SDK within 1.05× of the default agent in time, in CPU
//!   per call on one core and in instructions; one connection for a whole run. On one
//!   core it is also measured against a bare agent given the SDK's settings (its
//!   timeouts, no thread per call): the SDK's own cost, its settings' set aside.
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

/// Calls made, the fastest round's rate, each round's CPU time per call and TCP
/// connections opened.
struct Run {
    calls: u32,
    elapsed: Duration,
    round_cpu_per_call: Vec<Duration>,
    best_per_second: f64,
    connections: u64,
}

impl Run {
    fn idle() -> Self {
        Run {
            calls: 0,
            elapsed: Duration::ZERO,
            round_cpu_per_call: Vec::new(),
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
        self.round_cpu_per_call.push(cpu / calls.max(1));
        self.best_per_second = self
            .best_per_second
            .max(f64::from(calls) / elapsed.as_secs_f64());
    }

    /// The median round's CPU time per call.
    fn cpu_per_call(&self) -> Duration {
        let mut rounds = self.round_cpu_per_call.clone();
        rounds.sort();
        rounds.get(rounds.len() / 2).copied().unwrap_or_default()
    }

    fn line(&self, name: &str) -> String {
        format!(
            "  {name:<14}: {:>7.0} calls/s in the best round, {:>5.1} µs CPU per call in the median one  ({} timed calls in {:.2?}; {} TCP connection(s) in all)",
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
        "  ratio         : the SDK takes {:.3}× the time (target ≤ 1.05) and {:.3}× the CPU per call of {bare_name}",
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

/// The two sides of a pair in the order they run in `round`: each goes first in every
/// other round, so that whatever favours going first or second falls on both alike.
fn first_in_turn<T>(round: u32, sdk: T, bare: T) -> [T; 2] {
    if round.is_multiple_of(2) {
        [sdk, bare]
    } else {
        [bare, sdk]
    }
}

fn main() {
    if support::serve_if_child() {
        return;
    }
    #[cfg(feature = "blocking")]
    if blocking::count_if_child() {
        return;
    }
    check_named_sections();
    let emulator = EmulatorProcess::start();
    #[cfg(feature = "blocking")]
    {
        if chosen("blocking") {
            blocking::run(&emulator);
        }
        if chosen("one-core") {
            blocking::one_core();
        }
        if chosen("instructions") {
            blocking::instructions(&emulator);
        }
    }
    #[cfg(feature = "async")]
    if chosen("async") {
        nonblocking::run(&emulator);
    }
}

/// The sections, each with whether this build has it.
const SECTIONS: [(&str, bool); 4] = [
    ("blocking", cfg!(feature = "blocking")),
    ("one-core", cfg!(feature = "blocking")),
    ("instructions", cfg!(feature = "blocking")),
    ("async", cfg!(feature = "async")),
];

/// The sections named after `--` (cargo adds `--bench`, which is not one).
fn named_sections() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect()
}

/// Stops at once, before anything is measured, if a name after `--` is not a section
/// of this build: a misspelt one would otherwise run nothing, silently.
fn check_named_sections() {
    for name in named_sections() {
        match SECTIONS.iter().find(|(section, _)| *section == name) {
            Some((_, true)) => {}
            Some((_, false)) => {
                eprintln!("the section `{name}` is not in this build (try --all-features)");
                std::process::exit(2);
            }
            None => {
                let all: Vec<&str> = SECTIONS.iter().map(|(section, _)| *section).collect();
                eprintln!("no section `{name}`: the sections are {}", all.join(", "));
                std::process::exit(2);
            }
        }
    }
}

/// Whether the section `name` runs: every one unless some are named after `--`
/// (`cargo bench --bench whoami -- one-core instructions`; the sections are `blocking`,
/// `one-core`, `instructions` and `async`).
fn chosen(name: &str) -> bool {
    let named = named_sections();
    named.is_empty() || named.iter().any(|n| n == name)
}

/// `podstack::Client` against bare `ureq` agents.
#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    /// Set in a child process that makes calls under callgrind for [`instructions`]:
    /// `<sdk|bare> <calls> <endpoint> <token>`.
    const COUNT_VAR: &str = "PODSTACK_BENCH_COUNT";

    fn sdk_client(endpoint: &str, token: &str) -> podstack::Client {
        podstack::Client::builder()
            .use_environment(false)
            .api_endpoint(endpoint)
            .api_token(token)
            .build()
            .expect("client")
    }

    /// One call through a bare agent: the request the SDK sends, the same decoding.
    fn bare_call(agent: &ureq::Agent, url: &str, authorization: &str, timeouts: Option<Duration>) {
        let request = ureq::http::Request::get(url)
            .header("authorization", authorization)
            .header("accept", "application/json")
            .header("user-agent", USER_AGENT)
            .body(())
            .expect("request");
        let request = match timeouts {
            Some(timeout) => agent
                .configure_request(request)
                .timeout_global(Some(Duration::from_secs(300)))
                .timeout_recv_response(Some(timeout))
                .build(),
            None => request,
        };
        let body = agent
            .run(request)
            .expect("bare call")
            .body_mut()
            .read_to_vec()
            .expect("bare body");
        let _: User = serde_json::from_slice(&body).expect("bare decode");
    }

    /// Makes the calls a parent's [`instructions`] asked for, in the child it started
    /// under callgrind; `false` in any other process.
    pub fn count_if_child() -> bool {
        let Ok(spec) = std::env::var(COUNT_VAR) else {
            return false;
        };
        let [side, calls, endpoint, token] = spec.split(' ').collect::<Vec<_>>()[..] else {
            panic!("{COUNT_VAR}: expected four words, got {spec:?}");
        };
        let calls: u32 = calls.parse().expect("a count of calls");
        if side == "sdk" {
            let client = sdk_client(endpoint, token);
            for _ in 0..calls {
                client.auth().whoami().expect("sdk call");
            }
        } else {
            let (agent, url) = (
                ureq::Agent::new_with_defaults(),
                format!("{endpoint}/v1/auth/whoami"),
            );
            let authorization = format!("Bearer {token}");
            for _ in 0..calls {
                bare_call(&agent, &url, &authorization, None);
            }
        }
        true
    }

    /// Instructions per call of the SDK and of a default bare agent, counted by
    /// callgrind (see the module documentation), if `valgrind` is installed.
    pub fn instructions(emulator: &EmulatorProcess) {
        let count = |side: &str, calls: u32| -> Option<u64> {
            let output = std::process::Command::new("valgrind")
                .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
                .arg(std::env::current_exe().ok()?)
                .env(
                    COUNT_VAR,
                    format!("{side} {calls} {} {}", emulator.endpoint, emulator.token),
                )
                .output()
                .ok()?;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let collected = stderr
                .lines()
                .find_map(|line| line.split("Collected : ").nth(1))?;
            output
                .status
                .success()
                .then(|| collected.trim().parse().ok())?
        };
        let per_call =
            |side: &str| Some(count(side, 2000)?.saturating_sub(count(side, 1000)?) / 1000);
        println!(
            "blocking, instructions per sequential whoami call (callgrind: 2,000 calls less 1,000)"
        );
        match (per_call("sdk"), per_call("bare")) {
            (Some(sdk), Some(bare)) => {
                println!("  podstack SDK  : {sdk:>7} instructions per call");
                println!("  ureq, default : {bare:>7} instructions per call");
                println!(
                    "  ratio         : the SDK runs {:.3}× the instructions per call of ureq, default (target ≤ 1.05)",
                    sdk as f64 / bare as f64
                );
            }
            _ => println!("  skipped: valgrind is not installed, or failed"),
        }
    }

    /// The sequential calls of `sdk` and `bare` in alternating rounds, each side going
    /// first in every other round.
    fn alternate(emulator: &EmulatorProcess, sdk: &dyn Fn(), bare: &dyn Fn()) -> (Run, Run) {
        let (mut sdk_run, mut bare_run) = (Run::idle(), Run::idle());
        let per_round = SEQUENTIAL_CALLS / ROUNDS;
        for round in 0..=ROUNDS {
            for (run, call) in first_in_turn(round, (&mut sdk_run, sdk), (&mut bare_run, bare)) {
                run.measure(emulator, per_round, round > 0, || {
                    (0..per_round).for_each(|_| call())
                });
            }
        }
        (sdk_run, bare_run)
    }

    /// Reads the emulator's IP literal, as the SDK does: no lookup, no thread per call.
    #[cfg(target_os = "linux")]
    #[derive(Debug)]
    struct LiteralResolver;

    #[cfg(target_os = "linux")]
    impl ureq::unversioned::resolver::Resolver for LiteralResolver {
        fn resolve(
            &self,
            uri: &ureq::http::Uri,
            _: &ureq::config::Config,
            _: ureq::unversioned::transport::NextTimeout,
        ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
            let ip: std::net::IpAddr = uri
                .host()
                .and_then(|host| host.parse().ok())
                .ok_or(ureq::Error::HostNotFound)?;
            let mut addrs = self.empty();
            addrs.push(std::net::SocketAddr::new(ip, uri.port_u16().unwrap_or(80)));
            Ok(addrs)
        }
    }

    /// The SDK's default timeout: to connect, and for each read and write.
    const TIMEOUT: Duration = Duration::from_secs(30);

    /// The settings every SDK agent has (`Transport::new`): the timeout to connect and
    /// for each read and write, no redirects followed by ureq, statuses as answers.
    fn sdk_settings() -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(TIMEOUT))
            .timeout_per_read(Some(TIMEOUT))
            .timeout_per_write(Some(TIMEOUT))
            .max_redirects(0)
    }

    /// A bare agent set up as the SDK sets up its own: [`sdk_settings`], and on the
    /// agent the call deadline, the bound on the answer's head and `identity` encoding,
    /// the address read, not looked up. The SDK against it is the SDK's own cost, its
    /// settings' cost set aside.
    #[cfg(target_os = "linux")]
    fn agent_as_the_sdk() -> ureq::Agent {
        let config = sdk_settings()
            .timeout_recv_response(Some(TIMEOUT + TIMEOUT / 8))
            .timeout_global(Some(Duration::from_secs(300)))
            .accept_encoding("identity")
            .build();
        let connector = ureq::unversioned::transport::DefaultConnector::new();
        ureq::Agent::with_parts(config, connector, LiteralResolver)
    }

    /// CPU per sequential call of the SDK, of a default bare agent and of one set up as
    /// the SDK's is, with this thread and an emulator of its own on one core (see
    /// [`support::OneCore`]): the figure the target is judged on, as it swings by a few
    /// percent only.
    pub fn one_core() {
        println!("blocking, CPU per sequential whoami call, the client and the emulator sharing one core ({SEQUENTIAL_CALLS} calls each, {ROUNDS} alternating rounds)");
        #[cfg(target_os = "linux")]
        if let Some(_pinned) = support::OneCore::pin() {
            let emulator = EmulatorProcess::start();
            let url = format!("{}/v1/auth/whoami", emulator.endpoint);
            let authorization = format!("Bearer {}", emulator.token);
            let client = sdk_client(&emulator.endpoint, &emulator.token);
            let sdk_call = || {
                client.auth().whoami().expect("sdk call");
            };
            let micros = |run: &Run| run.cpu_per_call().as_secs_f64() * 1e6;
            for (bare_name, agent, target) in [
                (
                    "ureq, default",
                    ureq::Agent::new_with_defaults(),
                    " (target ≤ 1.05)",
                ),
                ("ureq, as SDK", agent_as_the_sdk(), ""),
            ] {
                let (sdk, bare) = alternate(&emulator, &sdk_call, &|| {
                    bare_call(&agent, &url, &authorization, None)
                });
                println!(
                    "  podstack SDK  : {:>5.2} µs CPU per call in the median round; {bare_name:<14}: {:>5.2} µs; ratio {:.3}×{target}",
                    micros(&sdk),
                    micros(&bare),
                    micros(&sdk) / micros(&bare),
                );
            }
            return;
        }
        println!("  skipped: this thread cannot be kept to one core here");
    }

    pub fn run(emulator: &EmulatorProcess) {
        let url = format!("{}/v1/auth/whoami", emulator.endpoint);
        let authorization = format!("Bearer {}", emulator.token);

        // The SDK's settings; per call (`bare_call`), a 5 minute deadline and a 30 s wait
        // for the answer's head.
        let configured = sdk_settings().build().new_agent();
        let default = ureq::Agent::new_with_defaults();

        for (bare_name, agent, with_timeouts) in [
            ("ureq, default", &default, None),
            ("ureq, timeouts", &configured, Some(TIMEOUT)),
        ] {
            // A client of its own for each pair, so that each counts its own connection.
            let client = sdk_client(&emulator.endpoint, &emulator.token);
            let sdk_call = || {
                client.auth().whoami().expect("sdk call");
            };
            let (sdk, bare) = alternate(emulator, &sdk_call, &|| {
                bare_call(agent, &url, &authorization, with_timeouts)
            });
            report(
                &format!("blocking, {SEQUENTIAL_CALLS} sequential whoami calls in {ROUNDS} alternating rounds, against a bare {bare_name} agent"),
                &sdk,
                &bare,
                bare_name,
            );
        }

        // A client of its own, so that its pool starts empty.
        let client = sdk_client(&emulator.endpoint, &emulator.token);
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
            for (run, caller) in
                first_in_turn(round, (&mut sdk, &sdk_caller), (&mut bare, &bare_caller))
            {
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
            for (run, caller) in
                first_in_turn(round, (&mut sdk, &sdk_caller), (&mut bare, &bare_caller))
            {
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
