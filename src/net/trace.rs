//! Spans for `tracing` subscribers (feature `tracing`): one `podstack.call` span per
//! call, with one `podstack.attempt` span inside it per attempt. Their fields are what
//! a user filters on; the token is never one of them. Without the feature these are
//! zero-sized and every method does nothing.
//!
//! Call span fields: `method`, `route` (the path template, ids as `{id}`), `project`,
//! `status`, `request_id`, `attempts`, `duration_ms`. Attempt span fields: `attempt`
//! (1 for the first), `retry_wait_ms` (the wait before it), `status`.

use std::time::{Duration, Instant};

/// The span the client's flavour runs work in (see `traced` in each client's root).
#[cfg(feature = "tracing")]
pub(crate) type Span = tracing::Span;

/// Nothing to run in: the `tracing` feature is off.
#[cfg(not(feature = "tracing"))]
#[derive(Clone, Debug, Default)]
pub(crate) struct Span;

/// One call's span, from its first attempt to its outcome.
#[derive(Debug)]
pub(crate) struct CallSpan {
    span: Span,
    started: Instant,
}

/// One attempt's span.
#[derive(Debug)]
pub(crate) struct AttemptSpan {
    span: Span,
}

impl CallSpan {
    /// Opens the span of a call: `route` is e.g. `GET /v1/pods/{id}`.
    /// The span of one call; `route` (method and path template) is asked for only when
    /// the span is recorded.
    pub(crate) fn new(route: impl FnOnce() -> String, project: Option<&str>) -> Self {
        #[cfg(feature = "tracing")]
        let span = if tracing::enabled!(target: "podstack", tracing::Level::INFO) {
            let route = route();
            let (method, path) = route.split_once(' ').unwrap_or((&route, ""));
            tracing::info_span!(
                target: "podstack",
                "podstack.call",
                method,
                route = path,
                project = project.unwrap_or(""),
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            )
        } else {
            tracing::Span::none()
        };
        #[cfg(not(feature = "tracing"))]
        let span = {
            let _ = (route, project);
            Span
        };
        CallSpan {
            span,
            started: Instant::now(),
        }
    }

    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Opens the span of attempt `number` (from 1), made after waiting `retry_wait`.
    pub(crate) fn attempt(&self, number: u32, retry_wait: Duration) -> AttemptSpan {
        #[cfg(feature = "tracing")]
        let span = tracing::debug_span!(
            target: "podstack",
            parent: &self.span,
            "podstack.attempt",
            attempt = number,
            retry_wait_ms = retry_wait.as_millis() as u64,
            status = tracing::field::Empty,
        );
        #[cfg(not(feature = "tracing"))]
        let span = {
            let _ = (number, retry_wait);
            Span
        };
        AttemptSpan { span }
    }

    /// Records the outcome: the last status and request id (none when no answer came),
    /// how many attempts were made, and the time taken.
    pub(crate) fn finish(&self, status: Option<u16>, request_id: Option<&str>, attempts: u32) {
        let duration_ms = self.started.elapsed().as_millis() as u64;
        #[cfg(feature = "tracing")]
        {
            if let Some(status) = status {
                self.span.record("status", status);
            }
            if let Some(request_id) = request_id {
                self.span.record("request_id", request_id);
            }
            self.span.record("attempts", attempts);
            self.span.record("duration_ms", duration_ms);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (status, request_id, attempts, duration_ms);
    }
}

impl AttemptSpan {
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Records the status the attempt got.
    pub(crate) fn status(&self, status: u16) {
        #[cfg(feature = "tracing")]
        self.span.record("status", status);
        #[cfg(not(feature = "tracing"))]
        let _ = status;
    }
}
