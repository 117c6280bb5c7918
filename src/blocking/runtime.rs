//! The blocking client's runtime, as the API source asks for it (see
//! `flavoured/mod.rs`): scoped threads, `std::fs`, clean-ups waited for.

use super::Client;
use crate::Result;

/// The local file system transfers write to.
pub(super) mod local_fs {

    /// What `Buckets::download_to_writer` writes into.
    pub(crate) trait Sink: std::io::Write {}

    impl<W: std::io::Write + ?Sized> Sink for W {}
    pub(crate) use std::fs::create_dir_all;
    pub(crate) use std::io::Write as WriteExt;

    /// The lowercase hex digest of a file's content.
    pub(crate) fn content_hash(
        path: &std::path::Path,
        kind: crate::transfer::hash::ContentHash,
    ) -> std::io::Result<String> {
        crate::transfer::hash::hash_of(path, kind)
    }

    pub(crate) use crate::transfer::partial::open_at;
}

/// Runs `job` on each item, at most `limit` at once on scoped threads, and returns the
/// results in the items' order, or the first error (no new item starts after one).
pub(super) fn concurrently<T: Send, R: Send>(
    limit: usize,
    items: Vec<T>,
    job: impl Fn(T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    let count = items.len();
    if limit <= 1 || count <= 1 {
        return items.into_iter().map(job).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let outcomes = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..limit.min(count) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().map(|mut queue| queue.next());
                    let Ok(Some((index, item))) = next else { break };
                    let outcome = job(item);
                    failed.fetch_or(outcome.is_err(), Ordering::Relaxed);
                    if let Ok(mut outcomes) = outcomes.lock() {
                        outcomes.push((index, outcome));
                    }
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_default();
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Sends a clean-up request for a transfer that ended early (a multipart upload to
/// abort), waiting for it: the blocking client has nothing to hand it to.
pub(super) fn clean_up(client: &Client, request: crate::wire::ApiRequest) {
    if let Err(error) = client.send_empty(request) {
        log::debug!("clean-up failed: {error}");
    }
}

/// Runs `work` inside `span` (a `tracing` span with the `tracing` feature).
pub(super) fn traced<T>(span: &crate::net::trace::Span, work: impl FnOnce() -> T) -> T {
    #[cfg(feature = "tracing")]
    return span.in_scope(work);
    #[cfg(not(feature = "tracing"))]
    {
        let _ = span;
        work()
    }
}
