//! A local emulator of the Podstack GPU-cloud HTTP API (contract version 1).
//!
//! It serves the whole `/v1` surface and the platform service's storage calls
//! (under `/platform/api/v1`, see [`Emulator::platform_endpoint`]) from memory
//! (byte payloads go to a temporary directory), so the `podstack` SDK, its
//! examples and its benchmarks can run without network or account:
//!
//! ```no_run
//! use podstack_emulator::{Emulator, Fault};
//! use std::time::Duration;
//!
//! let emu = Emulator::builder().pod_start_delay(Duration::ZERO).start();
//! println!("{} {} {}", emu.endpoint(), emu.token(), emu.project_id());
//! println!("{}", emu.platform_endpoint()); // storage: {endpoint}/platform
//! emu.inject(Fault::Status { status: 503, retry_after: None, count: 2 });
//! emu.inject_on(
//!     "PUT /platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}",
//!     Fault::Status { status: 500, retry_after: None, count: 1 },
//! );
//! emu.set_bandwidth_per_connection(Some(1024 * 1024)); // 1 MiB/s per connection
//! let stats = emu.stats();
//! assert_eq!(stats.connections_accepted, 0);
//! ```
//!
//! The server runs on its own thread with its own tokio runtime, so the handle
//! behaves the same in synchronous code and inside `#[tokio::test]`. Dropping the
//! [`Emulator`] stops the server and joins that thread.
//!
//! Knobs are also reachable over HTTP under `/_emulator/` (see the crate README); a
//! `POST` there must say `Content-Type: application/json`. Every route answers only
//! requests addressed to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`), so that
//! no web page can reach a running emulator through DNS rebinding.

#![forbid(unsafe_code)]

mod errors;
mod faults;
mod routes;
mod s3;
mod server;
mod shell;
mod state;
mod throttle;
mod time;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use state::{Config, Shared, State};

/// The OpenAPI 3.1 document describing the emulated API.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// A misbehaviour the emulator applies to the next API requests (`/v1`,
/// `/platform/api/v1`, presigned URLs and S3 operations of the S3 door).
///
/// Faults queue up in the order injected; each applies to `count` requests
/// (of any route with [`Emulator::inject`], of one route with
/// [`Emulator::inject_on`]). Admin routes (`/_emulator/…`) are never affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and the route's error body (`internal_error`
    /// for 5xx, `rate_limited` for 429, with `Retry-After: <retry_after>` seconds
    /// when given; storage routes answer the plain `{"error": "…"}`).
    Status {
        /// HTTP status to answer with.
        status: u16,
        /// `Retry-After` header value in seconds, if any.
        retry_after: Option<u64>,
        /// How many requests get this answer.
        count: u32,
    },
    /// Sleep this long before answering normally.
    Stall {
        /// How long to sleep.
        duration: Duration,
        /// How many requests are stalled.
        count: u32,
    },
    /// Close the TCP connection without sending any response.
    Drop {
        /// How many requests are dropped.
        count: u32,
    },
}

impl Fault {
    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Fault::Status { count, .. } | Fault::Stall { count, .. } | Fault::Drop { count } => {
                count
            }
        }
    }
}

/// What a token created with [`Emulator::create_token`] may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// Scopes: `"*"`, `"<area>:*"`, `"<area>:read"`, `"<area>:write"` or `"*:read"`,
    /// where area is one of projects, billing, pods, templates, buckets, volumes.
    pub scopes: Vec<String>,
    /// Projects the token may touch; `None` means all.
    pub projects: Option<Vec<String>>,
    /// Create the token already expired (every call answers 401 `token_expired`).
    pub expired: bool,
    /// Display name, shown by whoami.
    pub name: String,
}

impl Default for TokenSpec {
    fn default() -> Self {
        TokenSpec {
            scopes: vec!["*".to_string()],
            projects: None,
            expired: false,
            name: "token".to_string(),
        }
    }
}

/// Counters observed by the emulator since start or the last [`Emulator::reset_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// TCP connections accepted.
    pub connections_accepted: u64,
    /// API requests per `"METHOD /route/{template}"` (e.g. `"GET /v1/pods/{id}"`,
    /// `"POST /platform/api/v1/buckets"`), faulted ones included; requests to the S3
    /// door per operation, `"S3 <Operation>"` (e.g. `"S3 PutObject"`), once their
    /// signature is checked.
    pub requests: BTreeMap<String, u64>,
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    pod_start_delay: Duration,
    rate_limit_per_token: Option<u32>,
    balance_cents: i64,
    pod_quota: u32,
    port: u16,
    bandwidth_per_connection: Option<u64>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            pod_start_delay: Duration::from_millis(300),
            rate_limit_per_token: None,
            balance_cents: 12_550,
            pod_quota: 10,
            port: 0,
            bandwidth_per_connection: None,
        }
    }
}

impl EmulatorBuilder {
    /// Total time a pod takes from `pending` through `starting` to `running`
    /// (half in each); default 300 ms.
    pub fn pod_start_delay(mut self, delay: Duration) -> Self {
        self.pod_start_delay = delay;
        self
    }

    /// Requests per second allowed per token (`None`, the default, is unlimited).
    pub fn rate_limit_per_token(mut self, limit: Option<u32>) -> Self {
        self.rate_limit_per_token = limit;
        self
    }

    /// Initial wallet balance of the demo account in cents; default 12 550.
    pub fn balance_cents(mut self, cents: i64) -> Self {
        self.balance_cents = cents;
        self
    }

    /// Maximum non-deleted pods per project; default 10.
    pub fn pod_quota(mut self, quota: u32) -> Self {
        self.pod_quota = quota;
        self
    }

    /// TCP port on 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Caps every TCP connection at this many bytes per second, in each
    /// direction independently (request bodies read, answers written); `None`,
    /// the default, is unlimited. Each connection has its own budget, so N
    /// parallel connections move about N times as much. Changeable at run time
    /// with [`Emulator::set_bandwidth_per_connection`].
    pub fn bandwidth_per_connection(mut self, bytes_per_second: Option<u64>) -> Self {
        self.bandwidth_per_connection = bytes_per_second;
        self
    }

    /// Starts the emulator; panics only when it cannot bind or create its data dir.
    pub fn start(self) -> Emulator {
        match self.try_start() {
            Ok(emu) => emu,
            Err(e) => panic!("podstack-emulator: cannot start: {e}"),
        }
    }

    /// Starts the emulator, reporting bind and setup failures.
    pub fn try_start(self) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let endpoint = format!("http://{addr}");
        let (state, token, project_id) = State::seed(self.balance_cents);
        let shared = Arc::new(Shared {
            cfg: Config {
                pod_start_delay: self.pod_start_delay,
                rate_limit_per_token: self.rate_limit_per_token,
                pod_quota: self.pod_quota,
            },
            endpoint: endpoint.clone(),
            data_dir: tempfile::Builder::new()
                .prefix("podstack-emulator-")
                .tempdir()?,
            inner: Mutex::new(state),
            faults: Mutex::new(VecDeque::new()),
            bandwidth: Arc::new(AtomicU64::new(self.bandwidth_per_connection.unwrap_or(0))),
            presign_secret: state::rand_hex(32),
            connections: AtomicU64::new(0),
            stats: Mutex::new(BTreeMap::new()),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("podstack-emulator-worker")
            .enable_all()
            .build()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let app = shared.clone();
        let thread = std::thread::Builder::new()
            .name("podstack-emulator".into())
            .spawn(move || {
                runtime.block_on(server::serve(listener, app, rx));
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(Emulator {
            shared,
            endpoint,
            token,
            project_id,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }
}

/// A running emulator. Dropping it shuts the server down.
pub struct Emulator {
    shared: Arc<Shared>,
    endpoint: String,
    token: String,
    project_id: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator with default settings on 127.0.0.1 and a free port.
    pub fn start() -> Emulator {
        Emulator::builder().start()
    }

    /// A builder for non-default settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Base URL without trailing slash and without `/v1`, e.g. `http://127.0.0.1:43211`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// Base URL of the platform (storage) service: `{endpoint}/platform`, e.g.
    /// `http://127.0.0.1:43211/platform`; its calls are under `{platform}/api/v1`
    /// (what `PODSTACK_PLATFORM_URL` points at).
    pub fn platform_endpoint(&self) -> String {
        format!("{}/platform", self.endpoint)
    }

    /// The seeded demo user's token (all scopes, all projects).
    pub fn token(&self) -> String {
        self.token.clone()
    }

    /// The seeded demo project's id.
    pub fn project_id(&self) -> String {
        self.project_id.clone()
    }

    /// Creates another token for the demo user and returns it.
    pub fn create_token(&self, spec: TokenSpec) -> String {
        self.shared.lock().create_token(spec)
    }

    /// Queues a fault for the next API requests, whatever their route.
    pub fn inject(&self, fault: Fault) {
        faults::inject(&self.shared, None, fault);
    }

    /// Queues a fault only for requests of one route, named as in [`Stats`]:
    /// `"METHOD /template"`, e.g.
    /// `"PUT /platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}"`
    /// (see [`routes`] for every template), or an S3 operation of the S3 door,
    /// `"S3 <Operation>"` (e.g. `"S3 UploadPart"`). Other requests pass it by.
    pub fn inject_on(&self, route: &str, fault: Fault) {
        faults::inject(&self.shared, Some(route), fault);
    }

    /// Sets (or with `None` removes) the per-connection bandwidth cap in bytes
    /// per second; applies at once, to open connections too.
    pub fn set_bandwidth_per_connection(&self, bytes_per_second: Option<u64>) {
        self.shared
            .bandwidth
            .store(bytes_per_second.unwrap_or(0), Ordering::Relaxed);
    }

    /// How many multipart uploads are started and neither completed nor aborted.
    pub fn pending_multipart_uploads(&self) -> usize {
        self.shared.lock().uploads.len()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        faults::stats(&self.shared)
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        faults::reset_stats(&self.shared);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Every `(method, path template)` the emulator serves (`/v1`,
/// `/platform/api/v1` and `/presigned`; admin routes aside), in the notation of
/// the OpenAPI document (e.g. `("GET", "/v1/pods/{id}")`).
pub fn routes() -> Vec<(String, String)> {
    routes::table()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path.replace("{*", "{")))
        .collect()
}

impl State {
    fn create_token(&mut self, spec: TokenSpec) -> String {
        let (token, prefix) = state::new_token_string();
        let expires_at = if spec.expired {
            Some(time::now_secs() - 3600)
        } else {
            None
        };
        self.tokens.insert(
            token.clone(),
            state::TokenInfo {
                name: spec.name,
                prefix,
                scopes: spec.scopes,
                projects: spec.projects,
                expires_at,
            },
        );
        token
    }
}
