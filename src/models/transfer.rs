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
#[derive(Clone)]
#[must_use]
pub struct TransferOptions {
    pub(crate) recursive: bool,
    pub(crate) progress: Option<Progress>,
    pub(crate) file_done: Option<FileDone>,
    pub(crate) multipart_threshold: u64,
    pub(crate) part_size: u64,
    pub(crate) concurrency: usize,
    /// A panic a callback raised, kept to be raised again in the caller.
    panic: Arc<Mutex<Option<Box<dyn std::any::Any + Send>>>>,
}

/// Called with (path or key, bytes) when a file has been transferred.
type FileDone = Arc<Mutex<dyn FnMut(&str, u64) + Send>>;

/// Bucket uploads at least this big go multipart (100 MiB, as the docs advise).
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 100 * MIB;
/// The size of each part of a multipart upload or ranged download (64 MiB).
pub const DEFAULT_PART_SIZE: u64 = 64 * MIB;
/// How many parts or files a transfer moves at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

const MIB: u64 = 1024 * 1024;
/// The smallest part a multipart upload takes (as S3: 5 MiB), except the last.
pub(crate) const MIN_PART_SIZE: u64 = 5 * MIB;
/// The most parts one multipart upload may have.
pub(crate) const MAX_PARTS: u64 = 10_000;

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            recursive: false,
            progress: None,
            file_done: None,
            multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
            part_size: DEFAULT_PART_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            panic: Arc::default(),
        }
    }
}

impl fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferOptions")
            .field("recursive", &self.recursive)
            .field("progress", &self.progress.is_some())
            .field("file_done", &self.file_done.is_some())
            .field("multipart_threshold", &self.multipart_threshold)
            .field("part_size", &self.part_size)
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl TransferOptions {
    /// A single file, no progress reports; bucket transfers go multipart from
    /// [`DEFAULT_MULTIPART_THRESHOLD`] in [`DEFAULT_PART_SIZE`] parts,
    /// [`DEFAULT_CONCURRENCY`] at a time.
    ///
    /// ```
    /// let options = podstack::TransferOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        TransferOptions::default()
    }

    #[doc(alias = "multipart")]
    /// Bucket uploads and downloads of at least `bytes` move in parts, several at once
    /// (multipart upload, parallel ranged download). `u64::MAX` turns parts off.
    ///
    /// ```
    /// // Move files of 1 GiB and more in parts; `u64::MAX` would never split a file.
    /// let options = podstack::TransferOptions::new().multipart_threshold(1 << 30);
    /// # let _ = options;
    /// ```
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.multipart_threshold = bytes;
        self
    }

    #[doc(alias = "part_size_mb")]
    /// The size of each part (at least 5 MiB; raised as needed so that a file has at
    /// most 10,000 parts). Memory does not grow with it: parts stream from and to disk.
    ///
    /// ```
    /// let options = podstack::TransferOptions::new().part_size(128 * 1024 * 1024);
    /// # let _ = options;
    /// ```
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.max(MIN_PART_SIZE);
        self
    }

    /// How many parts, or files, a transfer moves at once (at least 1): threads in the
    /// blocking client, concurrent requests in the async one. Pods and buckets move
    /// files this many at once; a bucket's big files move this many parts at once.
    ///
    /// ```
    /// let options = podstack::TransferOptions::new().concurrency(8);
    /// # let _ = options;
    /// ```
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Called with (file path or object key, bytes) as each file completes, beside the
    /// byte-level [`progress`](Self::progress) across all of them.
    ///
    /// ```
    /// let options = podstack::TransferOptions::new()
    ///     .recursive(true)
    ///     .on_file_done(|path, bytes| eprintln!("{path}: {bytes} bytes"));
    /// # let _ = options;
    /// ```
    pub fn on_file_done(mut self, done: impl FnMut(&str, u64) + Send + 'static) -> Self {
        self.file_done = Some(Arc::new(Mutex::new(done)));
        self
    }

    /// The part size for a file of `len` bytes: as asked, raised to keep within
    /// [`MAX_PARTS`].
    pub(crate) fn part_size_for(&self, len: u64) -> u64 {
        self.part_size
            .max(MIN_PART_SIZE)
            .max(len.div_ceil(MAX_PARTS))
    }

    /// Reports a completed file, if anyone listens.
    pub(crate) fn report_file(&self, name: &str, bytes: u64) -> bool {
        let Some(done) = &self.file_done else {
            return true;
        };
        self.guarded(|| {
            if let Ok(mut done) = done.lock() {
                done(name, bytes);
            }
        })
    }

    /// Transfers a whole directory tree (required for directories).
    ///
    /// ```
    /// let whole_tree = podstack::TransferOptions::new().recursive(true);
    /// # let _ = whole_tree;
    /// ```
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Called with (bytes done, bytes in all) as the transfer goes.
    ///
    /// ```
    /// let options = podstack::TransferOptions::new()
    ///     .progress(|done, total| eprintln!("{done}/{total} bytes"));
    /// # let _ = options;
    /// ```
    pub fn progress(mut self, progress: impl FnMut(u64, u64) + Send + 'static) -> Self {
        self.progress = Some(Arc::new(Mutex::new(progress)));
        self
    }

    /// Reports progress, if anyone listens.
    ///
    /// A callback that panics does not unwind through the transfer (in the async client
    /// it runs inside the HTTP stack, where a panic would look like a broken connection
    /// and be retried): the panic is kept, this returns `false` so the transfer stops,
    /// and [`resume_panic`](Self::resume_panic) raises it again in the caller.
    pub(crate) fn report(&self, done: u64, total: u64) -> bool {
        let Some(progress) = &self.progress else {
            return true;
        };
        self.guarded(|| {
            if let Ok(mut progress) = progress.lock() {
                progress(done, total);
            }
        })
    }

    /// Runs a caller's callback, keeping a panic for [`resume_panic`](Self::resume_panic);
    /// `false` once any callback has panicked.
    fn guarded(&self, callback: impl FnOnce()) -> bool {
        if self.panicked() {
            return false;
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(callback)) {
            Ok(()) => true,
            Err(payload) => {
                if let Ok(mut slot) = self.panic.lock() {
                    slot.get_or_insert(payload);
                }
                false
            }
        }
    }

    fn panicked(&self) -> bool {
        self.panic.lock().map_or(true, |slot| slot.is_some())
    }

    /// Raises again, in the caller, a panic a callback raised during the transfer.
    pub(crate) fn resume_panic(&self) {
        let payload = self.panic.lock().ok().and_then(|mut slot| slot.take());
        if let Some(payload) = payload {
            std::panic::resume_unwind(payload);
        }
    }

    /// The error a transfer stops with when a callback panicked (the panic itself is
    /// raised again by [`resume_panic`](Self::resume_panic)).
    pub(crate) fn callback_panicked() -> std::io::Error {
        std::io::Error::other("a progress callback panicked; the transfer was stopped")
    }
}

/// What a transfer moved, and what it left alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TransferSummary {
    /// Files transferred.
    pub files: u64,
    /// Bytes transferred.
    pub bytes: u64,
    /// Files a recursive transfer left alone, each with its reason (see [`SkipReason`]):
    /// keys with no faithful local path, local links that lead nowhere. Each is also
    /// logged as a warning.
    pub skipped: Vec<Skipped>,
}

/// A file or object a transfer or sync left alone, and why.
///
/// ```
/// # fn show(summary: &podstack::transfer::TransferSummary) {
/// for skipped in &summary.skipped {
///     eprintln!("skipped {}: {}", skipped.path, skipped.reason);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Skipped {
    /// The object key, or the local path, that was left alone (in a
    /// [`SyncReport`](crate::storage::SyncReport): relative to the prefix and the
    /// directory, `/`-separated, like its other paths).
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

impl Skipped {
    pub(crate) fn new(path: impl Into<String>, reason: SkipReason) -> Self {
        Skipped {
            path: path.into(),
            reason,
        }
    }
}

/// Why a transfer or sync left a file or object alone. A download never writes a key
/// anywhere but the one local file that maps back to it, and never deletes a file some
/// key lands on; what it cannot do faithfully it skips, with one of these.
///
/// ```
/// use podstack::transfer::SkipReason;
///
/// let reason = SkipReason::SameLocalFile { other: "A.txt".into() };
/// assert_eq!(reason.to_string(), "another key lands on the same local file: \"A.txt\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The key has no local path that maps back to it on this platform: `why` names the
    /// rule (an empty, `.` or `..` segment; a NUL; a name over 255 bytes; on Windows a
    /// `\`, a `:`, a reserved device name such as `CON`, a trailing dot or space...).
    NoLocalName {
        /// The rule the key breaks.
        why: String,
    },
    /// Another key lands on the same local file (byte for byte on Linux; also by case
    /// and Unicode normalisation on macOS, by case on Windows), or needs its path as a
    /// directory: neither replaces the other, so each such key is skipped.
    SameLocalFile {
        /// One of the other keys.
        other: String,
    },
    /// The local path goes through a symbolic link inside the target directory, which
    /// could lead anywhere: nothing is written through it.
    ThroughSymlink {
        /// The link, relative to the target directory.
        link: String,
    },
    /// Something of another kind is in the way locally: a file where a directory is
    /// needed, or a directory where the file goes.
    InTheWay {
        /// What is in the way, relative to the target directory.
        path: String,
    },
    /// A local symbolic link that leads nowhere (its target is missing, or links loop).
    DanglingSymlink,
    /// A local name that is not valid Unicode, so no key can name it: a download sync
    /// leaves such a file alone (an upload refuses it with [`Error::Io`](crate::Error::Io)).
    NotUnicode,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoLocalName { why } => write!(f, "no faithful local name: {why}"),
            SkipReason::SameLocalFile { other } => {
                write!(f, "another key lands on the same local file: {other:?}")
            }
            SkipReason::ThroughSymlink { link } => {
                write!(f, "the local path goes through the symbolic link {link:?}")
            }
            SkipReason::InTheWay { path } => write!(f, "{path:?} is in the way locally"),
            SkipReason::DanglingSymlink => f.write_str("a symbolic link that leads nowhere"),
            SkipReason::NotUnicode => f.write_str("a local name that is not valid Unicode"),
        }
    }
}
