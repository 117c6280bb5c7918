//! Each request is logged at debug level (method, path, status, elapsed, request id)
//! through the `log` facade, and the token never appears in a log line.

mod common;

use std::sync::{Mutex, OnceLock};

/// A log line as the logger received it.
#[derive(Clone, Debug)]
struct Line {
    level: log::Level,
    message: String,
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
                message: record.args().to_string(),
            });
    }
    fn flush(&self) {}
}

common::for_each_client!("cases/logging.rs");
