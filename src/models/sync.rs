//! Options and results of [`Buckets::sync`](crate::Buckets::sync).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::{ParseEnumError, TransferOptions};
use crate::{Error, Result};

/// Which way a sync copies.
///
/// A closed set: [`str::parse`] and JSON take `upload` or `download` in any ASCII case
/// and refuse anything else; `Display` and `Serialize` write the lower-case name.
///
/// ```
/// use podstack::SyncDirection;
///
/// let direction: SyncDirection = "Upload".parse()?;
/// assert_eq!(direction, SyncDirection::Upload);
/// assert_eq!(SyncDirection::Download.to_string(), "download");
/// # Ok::<(), podstack::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SyncDirection {
    /// From the local directory to the bucket prefix.
    Upload,
    /// From the bucket prefix to the local directory.
    Download,
}

impl SyncDirection {
    /// `"upload"` or `"download"`.
    ///
    /// ```
    /// assert_eq!(podstack::SyncDirection::Upload.as_str(), "upload");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncDirection::Upload => "upload",
            SyncDirection::Download => "download",
        }
    }
}

impl fmt::Display for SyncDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncDirection {
    type Err = ParseEnumError;

    /// `upload` or `download`, ignoring ASCII case and surrounding white space.
    fn from_str(value: &str) -> std::result::Result<Self, ParseEnumError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "upload" => Ok(SyncDirection::Upload),
            "download" => Ok(SyncDirection::Download),
            _ => Err(ParseEnumError::new(
                "sync direction",
                value,
                &["upload", "download"],
            )),
        }
    }
}

impl<'de> Deserialize<'de> for SyncDirection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value.parse().map_err(serde::de::Error::custom)
    }
}

/// How to sync a local directory and a bucket prefix.
///
/// A file is copied when the target lacks it, when the sizes differ, or when the
/// source is newer than the target (the local file's modification time against the
/// object's `last_modified`). Everything else is left alone.
///
/// ```
/// use podstack::{SyncDirection, SyncOptions};
///
/// let options = SyncOptions::new(SyncDirection::Upload)
///     .exclude("*.tmp")?
///     .exclude("checkpoints/**")?
///     .delete(true)
///     .dry_run(true);
/// # let _ = options;
/// # Ok::<(), podstack::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
#[non_exhaustive]
pub struct SyncOptions {
    /// Which way to copy.
    pub direction: SyncDirection,
    pub(crate) excludes: Vec<glob::Pattern>,
    /// Delete files on the target that the source does not have (not excluded ones).
    pub delete: bool,
    /// Only plan: report what would be copied and deleted, change nothing.
    pub dry_run: bool,
    /// Progress, multipart and concurrency settings for the copies.
    pub transfer: TransferOptions,
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let excludes: Vec<&str> = self.excludes.iter().map(glob::Pattern::as_str).collect();
        f.debug_struct("SyncOptions")
            .field("direction", &self.direction)
            .field("excludes", &excludes)
            .field("delete", &self.delete)
            .field("dry_run", &self.dry_run)
            .field("transfer", &self.transfer)
            .finish()
    }
}

impl SyncOptions {
    /// A sync in `direction` that copies new and changed files and deletes nothing.
    ///
    /// ```
    /// let options = podstack::SyncOptions::new(podstack::SyncDirection::Upload);
    /// assert!(!options.delete && !options.dry_run);
    /// ```
    pub fn new(direction: SyncDirection) -> Self {
        SyncOptions {
            direction,
            excludes: Vec::new(),
            delete: false,
            dry_run: false,
            transfer: TransferOptions::new(),
        }
    }

    /// Skips paths (relative to the directory and the prefix, `/`-separated) matching
    /// this glob: `*` within a segment, `**` across segments, `?`, `[a-z]`. A pattern
    /// without `/` also matches a file name in any directory.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a malformed pattern (an unclosed `[`, `***`), naming it.
    ///
    /// ```
    /// let options = podstack::SyncOptions::new(podstack::SyncDirection::Download)
    ///     .exclude("*.tmp")?;
    /// assert!(podstack::SyncOptions::new(podstack::SyncDirection::Download)
    ///     .exclude("[")
    ///     .is_err());
    /// # let _ = options;
    /// # Ok::<(), podstack::Error>(())
    /// ```
    pub fn exclude(mut self, pattern: &str) -> Result<Self> {
        let parsed = glob::Pattern::new(pattern).map_err(|e| {
            Error::config(format!(
                "the exclude pattern {pattern:?} is not a glob ({e}): use *, **, ? and [a-z]"
            ))
        })?;
        self.excludes.push(parsed);
        Ok(self)
    }

    /// Deletes files on the target that the source lacks.
    ///
    /// ```
    /// let mirror = podstack::SyncOptions::new(podstack::SyncDirection::Download).delete(true);
    /// assert!(mirror.delete);
    /// ```
    pub fn delete(mut self, delete: bool) -> Self {
        self.delete = delete;
        self
    }

    /// Plans only: nothing is copied or deleted.
    ///
    /// ```
    /// let plan = podstack::SyncOptions::new(podstack::SyncDirection::Upload).dry_run(true);
    /// assert!(plan.dry_run);
    /// ```
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Progress, multipart and concurrency settings for the copies.
    ///
    /// ```
    /// use podstack::{SyncDirection, SyncOptions, TransferOptions};
    ///
    /// let options = SyncOptions::new(SyncDirection::Upload)
    ///     .transfer(TransferOptions::new().concurrency(8));
    /// # let _ = options;
    /// ```
    pub fn transfer(mut self, transfer: TransferOptions) -> Self {
        self.transfer = transfer;
        self
    }

    /// Whether `relative` (a `/`-separated path below the root) is excluded.
    pub(crate) fn is_excluded(&self, relative: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let name = relative.rsplit('/').next().unwrap_or(relative);
        self.excludes.iter().any(|pattern| {
            pattern.matches_with(relative, options)
                || (!pattern.as_str().contains('/') && pattern.matches_with(name, options))
                || relative
                    .match_indices('/')
                    .any(|(i, _)| pattern.matches_with(&relative[..i], options))
        })
    }
}

/// What a sync did, or with [`SyncOptions::dry_run`] would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Paths (relative, `/`-separated) copied to the target, or to be.
    pub copied: Vec<String>,
    /// Paths deleted from the target, or to be.
    pub deleted: Vec<String>,
    /// Paths already the same on both sides.
    pub unchanged: u64,
    /// Paths skipped by an exclude pattern.
    pub excluded: u64,
    /// Bytes copied, or to be.
    pub bytes: u64,
    /// Whether this was only a plan.
    pub dry_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_match_paths_names_and_directories() {
        let options = SyncOptions::new(SyncDirection::Upload)
            .exclude("*.tmp")
            .unwrap()
            .exclude("cache/**")
            .unwrap()
            .exclude("logs")
            .unwrap();
        assert!(options.is_excluded("a.tmp"));
        assert!(options.is_excluded("deep/dir/b.tmp"));
        assert!(options.is_excluded("cache/x/y.bin"));
        assert!(options.is_excluded("logs/today.txt"));
        assert!(options.is_excluded("run/logs"));
        assert!(!options.is_excluded("data/a.csv"));
        assert!(!options.is_excluded("cached/a.csv"));
        assert!(SyncOptions::new(SyncDirection::Upload)
            .exclude("[")
            .is_err());
    }
}
