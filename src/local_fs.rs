//! The local file system the transfers write to: `std::fs` in the blocking build,
//! `tokio::fs` in the async one. Their functions share names and signatures, so the
//! transfer code is written once and `maybe-async` removes the `.await`s.

#[cfg(not(feature = "async"))]
pub(crate) use std::fs::{create_dir_all, remove_file, rename, File};
#[cfg(not(feature = "async"))]
pub(crate) use std::io::Write as WriteExt;

#[cfg(feature = "async")]
pub(crate) use tokio::fs::{create_dir_all, remove_file, rename, File};
#[cfg(feature = "async")]
pub(crate) use tokio::io::AsyncWriteExt as WriteExt;
