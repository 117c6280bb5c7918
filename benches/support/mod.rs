//! What the benchmarks share: the emulator in a process of its own, its counters read
//! over HTTP, and the CPU time this process (the clients alone) has used.
#![allow(dead_code)] // each bench uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Set in the child process that serves the emulator.
const SERVE_VAR: &str = "PODSTACK_BENCH_SERVE";

/// Serves the emulator and returns `true` when this process is the child started by
/// [`EmulatorProcess::start`]; call it first in a bench's `main`.
pub fn serve_if_child() -> bool {
    if std::env::var_os(SERVE_VAR).is_none() {
        return false;
    }
    let emulator = podstack_emulator::Emulator::builder()
        .pod_start_delay(Duration::ZERO)
        .start();
    println!("endpoint {}", emulator.endpoint());
    println!("platform {}", emulator.platform_endpoint());
    println!("token {}", emulator.token());
    println!("project {}", emulator.project_id());
    std::io::stdout().flush().expect("stdout");
    // Serve until the parent closes our stdin (or goes away).
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    true
}

/// The emulator in a child process, so that this process's CPU time is the clients'.
pub struct EmulatorProcess {
    child: Child,
    pub endpoint: String,
    pub platform: String,
    pub token: String,
    pub project: String,
}

impl EmulatorProcess {
    pub fn start() -> EmulatorProcess {
        let mut child = Command::new(std::env::current_exe().expect("current exe"))
            .env(SERVE_VAR, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the emulator process");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut next = |key: &str| {
            let line = lines.next().expect("a line").expect("readable");
            line.strip_prefix(&format!("{key} "))
                .unwrap_or_else(|| panic!("expected {key}, got {line:?}"))
                .to_owned()
        };
        let (endpoint, platform, token, project) = (
            next("endpoint"),
            next("platform"),
            next("token"),
            next("project"),
        );
        EmulatorProcess {
            child,
            endpoint,
            platform,
            token,
            project,
        }
    }

    /// One request to the emulator's admin routes over a connection of its own.
    fn admin(&self, method: &str, path: &str) -> String {
        let host = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(host).expect("connect to the emulator");
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        answer
    }

    /// Zeroes the emulator's counters.
    pub fn reset_stats(&self) {
        self.admin("POST", "/_emulator/stats/reset");
    }

    /// TCP connections accepted since the last reset, not counting this question's.
    pub fn connections_accepted(&self) -> u64 {
        let answer = self.admin("GET", "/_emulator/stats");
        let body = &answer[answer.find("\r\n\r\n").expect("a head") + 4..];
        let stats: serde_json::Value = serde_json::from_str(body).expect("stats JSON");
        stats["connections_accepted"].as_u64().expect("a count") - 1
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This thread kept to one core (the first it may run on) until dropped, and with it
/// every process it starts meanwhile (an [`EmulatorProcess`] started while it is held
/// shares that core). With the client and the server on one core, a call's CPU time is
/// the work it does: on two, a thread that sleeps and wakes for every answer is charged
/// a share of the idle core's wake-ups that swings severalfold from run to run.
#[cfg(target_os = "linux")]
pub struct OneCore {
    before: libc::cpu_set_t,
    /// The pin is the calling thread's, and `drop` restores the mask of the thread it
    /// runs on: dropped on another thread, it would leave this one pinned.
    not_send: std::marker::PhantomData<*const ()>,
}

#[cfg(target_os = "linux")]
impl OneCore {
    /// `None` where the affinity cannot be read or set.
    pub fn pin() -> Option<OneCore> {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: a cpu_set_t is plain bits; sched_getaffinity writes at most `size` bytes.
        let mut before: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        if unsafe { libc::sched_getaffinity(0, size, &mut before) } != 0 {
            return None;
        }
        let first = (0..libc::CPU_SETSIZE as usize)
            .find(|&cpu| unsafe { libc::CPU_ISSET(cpu, &before) })?;
        // SAFETY: as above.
        let mut one: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        unsafe { libc::CPU_SET(first, &mut one) };
        // SAFETY: a valid set of `size` bytes, for this thread (0).
        (unsafe { libc::sched_setaffinity(0, size, &one) } == 0).then_some(OneCore {
            before,
            not_send: std::marker::PhantomData,
        })
    }
}

#[cfg(target_os = "linux")]
impl Drop for OneCore {
    fn drop(&mut self) {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the set read by `pin`, for this thread.
        unsafe { libc::sched_setaffinity(0, size, &self.before) };
    }
}

/// CPU time (user and system) used so far by this process, or by the children it has
/// waited for.
pub fn cpu_time(children: bool) -> Duration {
    #[cfg(unix)]
    {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let who = if children {
            libc::RUSAGE_CHILDREN
        } else {
            libc::RUSAGE_SELF
        };
        // SAFETY: a valid pointer to a rusage struct.
        unsafe { libc::getrusage(who, &mut usage) };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        time(usage.ru_utime) + time(usage.ru_stime)
    }
    #[cfg(not(unix))]
    {
        let _ = children;
        Duration::ZERO
    }
}
