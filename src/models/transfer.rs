//! Options and results of file transfers, shared by every API area that moves files.

use std::fmt;
use std::sync::{Arc, Mutex};

/// A progress callback: (bytes done, bytes in all).
type Progress = Arc<Mutex<dyn FnMut(u64, u64) + Send>>;

/// Options for transfers such as [`Pods::upload_with`](crate::Pods::upload_with) and
/// [`Pods::download_with`](crate::Pods::download_with).
///
/// ```
/// use podstack::TransferOptions;
///
/// let options = TransferOptions::new()
///     .recursive(true)
///     .progress(|done, total| eprintln!("Progress: {done}/{total} bytes"));
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct TransferOptions {
    pub(crate) recursive: bool,
    pub(crate) progress: Option<Progress>,
}

impl fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferOptions")
            .field("recursive", &self.recursive)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl TransferOptions {
    /// A single file, no progress reports.
    pub fn new() -> Self {
        TransferOptions::default()
    }

    /// Transfers a whole directory tree (required for directories).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Called with (bytes done, bytes in all) as the transfer goes.
    pub fn progress(mut self, progress: impl FnMut(u64, u64) + Send + 'static) -> Self {
        self.progress = Some(Arc::new(Mutex::new(progress)));
        self
    }

    /// Reports progress, if anyone listens.
    pub(crate) fn report(&self, done: u64, total: u64) {
        if let Some(progress) = &self.progress {
            if let Ok(mut progress) = progress.lock() {
                progress(done, total);
            }
        }
    }
}

/// What a transfer moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferSummary {
    /// Files transferred.
    pub files: u64,
    /// Bytes transferred.
    pub bytes: u64,
}
