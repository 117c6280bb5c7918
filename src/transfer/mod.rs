//! File transfers: options, results and defaults, shared by pods and buckets.

// Crate-internal layout (compiled once): what a transfer plans and keeps track of,
// whichever client moves the bytes (`flavoured/transfer/`). May import `models`,
// `wire`, `transport` (its plain types), `net` and `error`; never `flavoured` or a
// client root.
pub(crate) mod download;
pub(crate) mod hash;
pub(crate) mod key_paths;
pub(crate) mod partial;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod route;
pub(crate) mod times;

pub use crate::models::{
    SkipReason, Skipped, TransferOptions, TransferSummary, DEFAULT_CONCURRENCY,
    DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
};
