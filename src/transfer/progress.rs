//! Progress across a transfer of many files or parts moving at once, reported to the
//! caller's callbacks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::transport::SentBytes;
use crate::{Error, TransferOptions};

/// The error of a transfer stopped by a panicking progress callback (the panic is then
/// raised again in the caller by [`TransferOptions::resume_panic`]).
pub(crate) fn stopped() -> Error {
    Error::io(
        "the transfer was stopped",
        TransferOptions::callback_panicked(),
    )
}

/// Bytes done across a transfer of many files or parts moving at once, reported to
/// the caller's progress callback as (done, total).
#[derive(Debug)]
pub(crate) struct TransferProgress {
    done: AtomicU64,
    total: AtomicU64,
    /// The largest figure reported: parts finishing out of order never move a bar back.
    reported: Mutex<u64>,
    options: TransferOptions,
}

impl TransferProgress {
    pub(crate) fn new(total: u64, options: &TransferOptions) -> Arc<Self> {
        Arc::new(TransferProgress {
            done: AtomicU64::new(0),
            total: AtomicU64::new(total),
            reported: Mutex::new(0),
            options: options.clone(),
        })
    }

    /// Counts `n` more bytes done; `false` when a callback panicked and the transfer
    /// should stop.
    pub(crate) fn add(&self, n: u64) -> bool {
        let done = self.done.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        // Reported under one lock, never below what was reported before.
        let Ok(mut reported) = self.reported.lock() else {
            return false;
        };
        *reported = (*reported).max(done);
        let total = self.total.load(Ordering::Relaxed).max(*reported);
        self.options.report(*reported, total)
    }

    /// Counts `n` more bytes to do, learnt once a download's answer says its size.
    pub(crate) fn add_total(&self, n: u64) {
        self.total.fetch_add(n, Ordering::Relaxed);
    }

    /// Takes back `n` bytes counted for an attempt that failed and is being redone.
    pub(crate) fn take_back(&self, n: u64) {
        let _ = self
            .done
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                Some(d.saturating_sub(n))
            });
    }

    /// A callback for one file window's upload, which reports how much of the window
    /// has been sent in this attempt; a retry starts again from zero.
    pub(crate) fn window(self: &Arc<Self>) -> Option<SentBytes> {
        self.options.progress.as_ref()?;
        let progress = Arc::clone(self);
        let mut counted = 0;
        let sent: SentBytes = Arc::new(Mutex::new(move |sent: u64| {
            if sent < counted {
                progress.take_back(counted);
                counted = 0;
            }
            let go_on = progress.add(sent - counted);
            counted = sent;
            go_on
        }));
        Some(sent)
    }

    /// Reports a file as complete to the caller's per-file callback; `false` when a
    /// callback panicked.
    pub(crate) fn file_done(&self, name: &str, bytes: u64) -> bool {
        self.options.report_file(name, bytes)
    }
}
