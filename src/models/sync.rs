//! Options and results of [`Buckets::sync`](crate::Buckets::sync).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::{ParseEnumError, Skipped, TransferOptions};
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
///     .exclude("*.tmp")
///     .exclude("checkpoints/")
///     .delete(true)
///     .dry_run(true);
/// # let _ = options;
/// ```
#[derive(Clone)]
#[must_use]
#[non_exhaustive]
pub struct SyncOptions {
    /// Which way to copy.
    pub direction: SyncDirection,
    /// Glob patterns of paths to leave alone (see [`exclude`](Self::exclude)).
    pub excludes: Vec<String>,
    /// Delete files on the target that the source does not have (not excluded ones).
    pub delete: bool,
    /// Only plan: report what would be copied and deleted, change nothing.
    pub dry_run: bool,
    /// Progress, multipart and concurrency settings for the copies.
    pub transfer: TransferOptions,
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncOptions")
            .field("direction", &self.direction)
            .field("excludes", &self.excludes)
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
    /// without `/` also matches a file or directory name at any depth; a pattern
    /// ending in `/` (`cache/`, as in `.gitignore`) matches that directory. Excluded
    /// paths are neither copied nor deleted. A malformed pattern makes
    /// [`Buckets::sync`](crate::Buckets::sync) fail with [`Error::Config`] before
    /// anything is sent.
    ///
    /// ```
    /// let options = podstack::SyncOptions::new(podstack::SyncDirection::Download)
    ///     .exclude("*.tmp")
    ///     .exclude("cache/");
    /// assert_eq!(options.excludes, ["*.tmp", "cache/"]);
    /// ```
    pub fn exclude(mut self, pattern: impl Into<String>) -> Self {
        self.excludes.push(pattern.into());
        self
    }

    /// The exclude patterns, parsed.
    pub(crate) fn compiled_excludes(&self) -> Result<Excludes> {
        let patterns = self
            .excludes
            .iter()
            .map(|pattern| {
                let trimmed = pattern.trim_end_matches('/');
                glob::Pattern::new(trimmed).map_err(|e| {
                    Error::config(format!(
                        "the exclude pattern {pattern:?} is not a glob ({e}): use *, **, ? and [a-z]"
                    ))
                })
            })
            .collect::<Result<_>>()?;
        Ok(Excludes(patterns))
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
}

/// Parsed exclude patterns.
#[derive(Debug)]
pub(crate) struct Excludes(Vec<glob::Pattern>);

impl Excludes {
    /// Whether `relative` (a `/`-separated path below the root) is excluded: the path,
    /// its name, or a directory above it matches a pattern.
    pub(crate) fn matches(&self, relative: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let name = relative.rsplit('/').next().unwrap_or(relative);
        self.0.iter().any(|pattern| {
            let anywhere = !pattern.as_str().contains('/');
            pattern.matches_with(relative, options)
                || (anywhere && pattern.matches_with(name, options))
                || relative.match_indices('/').any(|(i, _)| {
                    let dir = &relative[..i];
                    let dir_name = dir.rsplit('/').next().unwrap_or(dir);
                    pattern.matches_with(dir, options)
                        || (anywhere && pattern.matches_with(dir_name, options))
                })
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
    /// Paths left alone, each with its reason: keys with no faithful local path or that
    /// land on one local file with another key (download), local links that lead
    /// nowhere, names that are not Unicode, paths through a symbolic link inside the
    /// directory. A skipped path is neither copied nor deleted, on either side.
    pub skipped: Vec<Skipped>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_match_paths_names_and_directories() {
        let excludes = SyncOptions::new(SyncDirection::Upload)
            .exclude("*.tmp")
            .exclude("cache/**")
            .exclude("logs")
            .exclude("build/")
            .exclude("data/raw/")
            .compiled_excludes()
            .unwrap();
        assert!(excludes.matches("a.tmp"));
        assert!(excludes.matches("deep/dir/b.tmp"));
        assert!(excludes.matches("cache/x/y.bin"));
        assert!(excludes.matches("logs/today.txt"));
        assert!(excludes.matches("run/logs"));
        assert!(excludes.matches("run/logs/today.txt"));
        assert!(excludes.matches("build/out.bin"));
        assert!(excludes.matches("src/build/out.bin"));
        assert!(excludes.matches("data/raw/x.csv"));
        assert!(!excludes.matches("data/a.csv"));
        assert!(!excludes.matches("cached/a.csv"));
        assert!(!excludes.matches("other/data/raw/x.csv"));
        let error = SyncOptions::new(SyncDirection::Upload)
            .exclude("[")
            .compiled_excludes()
            .unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
    }
}
