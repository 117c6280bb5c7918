//! Each request is logged at debug level (method, path, status, elapsed, request id)
//! through the `log` facade, and the token never appears in a log line, whoever writes
//! it: with a TRACE logger installed, ureq's protocol layer hex-dumps every byte it
//! writes and reads, so the lines are also joined and their hex rows decoded before
//! the token is looked for.

#[path = "sdk/support/mod.rs"]
mod support;

use std::sync::{Mutex, OnceLock};

/// A log line as the logger received it, and the thread that wrote it.
#[derive(Clone, Debug)]
struct Line {
    level: log::Level,
    target: String,
    message: String,
    thread: std::thread::ThreadId,
}

/// Everything a reader of the log could piece together: the lines joined, without
/// whitespace, and the bytes of every hex-dump row (`4745 5420 ...  GET /v1...`, 16
/// bytes a row in groups of two, `--` for none) decoded and joined. Each thread's lines
/// are joined apart (tests run side by side, and the HTTP crates log on the calling
/// thread), so that another test's lines between two pieces cannot hide a token.
fn pieced_together(lines: &[Line]) -> (String, Vec<u8>) {
    let mut lines = lines.to_vec();
    lines.sort_by_key(|l| format!("{:?}", l.thread));
    let squeezed: String = lines
        .iter()
        .flat_map(|l| l.message.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut decoded = Vec::new();
    let mut thread = None;
    for line in &lines {
        if thread != Some(line.thread) {
            // Nothing can be pieced together across threads.
            decoded.push(0);
            thread = Some(line.thread);
        }
        let groups: Vec<&str> = line.message.split_whitespace().take(8).collect();
        let is_row = groups.len() == 8
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        if !is_row {
            continue;
        }
        for group in groups {
            for pair in [&group[..2], &group[2..]] {
                if let Ok(byte) = u8::from_str_radix(pair, 16) {
                    decoded.push(byte);
                }
            }
        }
    }
    (squeezed, decoded)
}

/// Keeps every log line of the process; both clients' cases read it.
struct Capture;

static LINES: OnceLock<Mutex<Vec<Line>>> = OnceLock::new();

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        // The mock server's own log of what it received is not the client's output.
        if record.target().starts_with("mockito") {
            return;
        }
        LINES
            .get_or_init(Default::default)
            .lock()
            .unwrap()
            .push(Line {
                level: record.level(),
                target: record.target().to_owned(),
                message: record.args().to_string(),
                thread: std::thread::current().id(),
            });
    }
    fn flush(&self) {}
}

/// The body of an `http://` URL fetched over a bare socket: a reader that logs nothing.
fn raw_get(url: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(answer.starts_with(b"HTTP/1.1 200") || answer.starts_with(b"HTTP/1.0 200"));
    answer.split_off(head_end)
}

support::for_each_client!("sdk/cases/logging.rs");
