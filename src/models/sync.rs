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
/// # What sync copies
///
/// This is the one description of the rule; [`Buckets::sync`](crate::Buckets::sync),
/// the README and `features.md` point here. The source is the local directory for
/// [`SyncDirection::Upload`] and the bucket prefix for [`SyncDirection::Download`];
/// each source file is compared with the target's file at the same relative path.
///
/// 1. **Missing**: the target has no such file: copied.
/// 2. **Size**: the sizes differ: copied. No time or hash is looked at.
/// 3. **Time**: the sizes are equal. The local file's modification time and the
///    object's `last_modified` are compared in whole seconds (fractions dropped). If the
///    source is not newer (the same second, older, or either time unknown, such as a
///    `last_modified` that is not RFC 3339), the file is unchanged.
/// 4. **Content**: the sizes are equal and the source is newer. If the object's etag is
///    a content hash (32 hex digits: the MD5 of the content; 64 hex digits: its
///    SHA-256; quotes and case ignored) and the local file (on whichever side it is)
///    hashes the same, the file is unchanged, whatever the times say (a fresh download,
///    a touched file). Otherwise it is copied: an etag that is no content hash (a
///    multipart upload's `<md5 of md5s>-<parts>`), a different hash, or a local file
///    that cannot be read. Only these files are read to hash them.
///
/// So a same-size edit whose time is not later than the other side's, within the same
/// second for instance, is not seen. Before comparing, [excluded](Self::exclude) paths
/// are left out (neither copied nor deleted, counted in
/// [`SyncReport::excluded`](crate::storage::SyncReport::excluded)), and keys with no
/// faithful local path are [skipped](crate::storage::SyncReport::skipped). Unchanged
/// files are counted in [`SyncReport::unchanged`](crate::storage::SyncReport::unchanged).
/// With [`delete`](Self::delete), target files the source does not name and no exclude
/// matches are deleted; with [`dry_run`](Self::dry_run) nothing is copied or deleted and
/// the report is the plan.
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
    /// Paths left alone as the same on both sides, by the rule in
    /// [`SyncOptions`'s "What sync copies"](SyncOptions#what-sync-copies).
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

    /// The rule is written once, in `SyncOptions`' docs; the others link to it and do
    /// not describe it again.
    #[test]
    fn the_sync_rule_is_described_once_and_linked_from_the_others() {
        let own = include_str!("sync.rs");
        // (Spelled in two pieces, so that this line is not counted.)
        assert_eq!(
            own.matches(concat!("/// # What sync", " copies")).count(),
            1
        );
        let method = include_str!("../flavoured/api/buckets/sync.rs");
        assert!(method.contains("(crate::SyncOptions#what-sync-copies)"));
        assert!(!method.contains("newer modification time"));
        let readme = include_str!("../../README.md");
        assert!(readme.contains("podstack/struct.SyncOptions.html#what-sync-copies)"));
        assert!(!readme.contains("a newer time unless the content hash agrees"));
        let features = include_str!("../../features.md");
        assert!(features.contains("\"What sync copies\""));
    }

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
