//! How an object key (or a pod's file path) becomes a local path, and how a local path is
//! matched back to a key: the one rule every download that writes keys to disk follows
//! (recursive downloads of buckets and pods, and `sync` in both directions).
//!
//! **The rule.** A key below the prefix is written at the local path made of its
//! `/`-separated segments, each used as one file name exactly as it is, and only when
//! that path maps back to this key and to no other:
//!
//! - a key with an empty segment (`x//y`, a leading or trailing `/`), a `.` or `..`
//!   segment, a NUL, or a name longer than the platform allows has no such path
//!   ([`check_key`]); on Windows also a `\`, a `:` (a drive such as `C:x`, or an
//!   alternate data stream), `<>"|?*` or a control character, a reserved device name
//!   (`CON`, `NUL`, `AUX`, `COM1`..., with or without an extension), and a name ending
//!   in a dot or a space, which Windows drops;
//! - keys whose paths are one file to the platform's file system ([`identity`]: the
//!   same bytes on Linux; also the same up to case and Unicode normalisation on macOS,
//!   up to case on Windows), or where one needs the other's path as a directory, are
//!   all left alone, so that none silently replaces another;
//! - nothing is written through a symbolic link inside the target directory, nor over
//!   something of another kind ([`LocalRoot`]).
//!
//! Whatever does not map is skipped with a [`SkipReason`] in the transfer's summary or
//! the sync's report, never written anywhere else. A sync compares and deletes local
//! files by the same identity, so it never deletes a file some key lands on.
//!
//! The pure functions take the [`Platform`] as a parameter, so every platform's rules
//! are tested wherever the tests run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::models::{SkipReason, Skipped};

/// Whose file-name rules a local path follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Platform {
    /// Linux and the other Unixes: any bytes but `/` and NUL, 255 bytes a name, names
    /// told apart byte for byte.
    Unix,
    /// macOS: as Unix, but the default file system (APFS, HFS+) tells names apart
    /// neither by case nor by Unicode normalisation (`é` composed or not).
    MacOs,
    /// Windows (NTFS and the Win32 layer): see [`check_segment`].
    Windows,
}

impl Platform {
    /// The platform this build runs on.
    pub(crate) const HERE: Platform = if cfg!(windows) {
        Platform::Windows
    } else if cfg!(target_vendor = "apple") {
        Platform::MacOs
    } else {
        Platform::Unix
    };
}

/// The longest file name: 255 bytes (Unix, macOS) or 255 UTF-16 units (Windows).
const MAX_NAME: usize = 255;

/// Windows' reserved device names, refused with or without an extension.
const DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3",
    "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Why one segment of a key cannot be a local file name as it is, if it cannot.
pub(crate) fn check_segment(segment: &str, platform: Platform) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("{why} ({segment:?})"));
    match segment {
        "" => return Err("an empty segment (a leading, trailing or doubled /)".into()),
        "." | ".." => return refuse("a . or .. segment"),
        _ => {}
    }
    if segment.contains('\0') {
        return refuse("a NUL character");
    }
    if platform != Platform::Windows {
        if segment.len() > MAX_NAME {
            return refuse("a name longer than 255 bytes");
        }
        return Ok(());
    }
    if segment.encode_utf16().count() > MAX_NAME {
        return refuse("a name longer than 255 characters");
    }
    if segment.contains('\\') {
        return refuse("a \\, a path separator on Windows");
    }
    if segment.contains(':') {
        return refuse("a :, a drive or an alternate data stream on Windows");
    }
    if segment.contains(['<', '>', '"', '|', '?', '*']) {
        return refuse("a character Windows refuses in names (<>\"|?*)");
    }
    if segment.chars().any(|c| c < ' ') {
        return refuse("a control character");
    }
    if segment.ends_with(['.', ' ']) {
        return refuse("a trailing dot or space, which Windows drops");
    }
    let stem = segment.split('.').next().unwrap_or(segment).trim_end();
    if DEVICES
        .iter()
        .any(|device| stem.eq_ignore_ascii_case(device))
    {
        return refuse("a device name on Windows");
    }
    Ok(())
}

/// Why a key (relative to the prefix, `/`-separated) has no faithful local path on
/// `platform`, if it has none.
pub(crate) fn check_key(relative: &str, platform: Platform) -> Result<(), String> {
    relative
        .split('/')
        .try_for_each(|segment| check_segment(segment, platform))
}

/// The name by which `platform`'s file system knows the local file that `relative`
/// would name if it were joined as a path: two paths with one identity are one file.
/// Empty and `.` segments vanish (as `Path::join` makes them); on Windows `\` separates
/// too, trailing dots and spaces vanish and case does not count; on macOS neither case
/// nor Unicode normalisation count. `None` for a path with a `..` segment, or none at
/// all, which names no file below the target.
pub(crate) fn identity(relative: &str, platform: Platform) -> Option<String> {
    let separators: &[char] = match platform {
        Platform::Windows => &['/', '\\'],
        _ => &['/'],
    };
    let mut segments = Vec::new();
    for segment in relative.split(separators) {
        let segment = match platform {
            Platform::Windows => segment.trim_end_matches(['.', ' ']),
            _ => segment,
        };
        match segment {
            "" | "." => {}
            ".." => return None,
            _ => segments.push(segment),
        }
    }
    if segments.is_empty() {
        return None;
    }
    let joined = segments.join("/");
    Some(match platform {
        Platform::Unix => joined,
        Platform::Windows => fold_case(joined.chars()),
        Platform::MacOs => {
            use unicode_normalization::UnicodeNormalization;
            fold_case(joined.nfd())
        }
    })
}

/// Case-insensitive file systems compare names by a simple (one character to one)
/// upper-case mapping; characters without one stay as they are.
fn fold_case(chars: impl Iterator<Item = char>) -> String {
    chars
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(one), None) => one,
                _ => c,
            }
        })
        .collect()
}

/// What to do with each of a listing's entries (`(relative path, is a directory)`),
/// before looking at the disk: `Ok` when it has a faithful local path of its own,
/// else why not. Directories only need a faithful path; files also need one that no
/// other file shares and no entry needs as a directory.
pub(crate) fn plan_keys(
    entries: &[(&str, bool)],
    platform: Platform,
) -> Vec<Result<(), SkipReason>> {
    let mut verdicts: Vec<Result<(), SkipReason>> = entries
        .iter()
        .map(|(relative, _)| {
            check_key(relative, platform).map_err(|why| SkipReason::NoLocalName { why })
        })
        .collect();
    // Files by identity, and every directory any entry needs, by identity.
    let mut files: HashMap<String, Vec<usize>> = HashMap::new();
    let mut directories: HashMap<String, usize> = HashMap::new();
    for (index, (relative, is_dir)) in entries.iter().enumerate() {
        if verdicts[index].is_err() {
            continue;
        }
        let Some(identity) = identity(relative, platform) else {
            continue;
        };
        for (at, _) in identity.match_indices('/') {
            directories
                .entry(identity[..at].to_owned())
                .or_insert(index);
        }
        if *is_dir {
            directories.entry(identity).or_insert(index);
        } else {
            files.entry(identity).or_default().push(index);
        }
    }
    for (identity, indexes) in &files {
        for &index in indexes {
            let other = match (
                indexes.iter().find(|&&i| i != index),
                directories.get(identity),
            ) {
                (Some(&other), _) | (None, Some(&other)) => other,
                (None, None) => continue,
            };
            verdicts[index] = Err(SkipReason::SameLocalFile {
                other: entries[other].0.to_owned(),
            });
        }
    }
    verdicts
}

/// Where each entry of a listing (`(relative path, is a directory)`) lands below
/// `root` on this platform, or why it is skipped: [`plan_keys`], then [`LocalRoot`].
pub(crate) fn local_targets(
    root: &Path,
    entries: &[(&str, bool)],
) -> Vec<Result<PathBuf, SkipReason>> {
    let mut local = LocalRoot::new(root);
    entries
        .iter()
        .zip(plan_keys(entries, Platform::HERE))
        .map(|(&(relative, is_dir), verdict)| verdict.and_then(|()| local.target(relative, is_dir)))
        .collect()
}

/// A path left alone, logged as a warning (as `aws s3 sync` does) to be reported.
pub(crate) fn skip(path: impl Into<String>, reason: SkipReason) -> Skipped {
    let path = path.into();
    log::warn!("skipping {path:?}: {reason}");
    Skipped::new(path, reason)
}

/// The target directory of a download, and what is on disk on the way to each path
/// below it. A key is written only through real directories inside the target: a
/// symbolic link there could lead anywhere (even one that was already there), and
/// something of another kind in the way would fail the transfer halfway. Checked before
/// anything is written; a link made during the transfer is not.
#[derive(Debug)]
pub(crate) struct LocalRoot<'a> {
    root: &'a Path,
    /// Directories already looked at (relative), and why not through them.
    checked: HashMap<String, Option<SkipReason>>,
}

impl<'a> LocalRoot<'a> {
    pub(crate) fn new(root: &'a Path) -> Self {
        LocalRoot {
            root,
            checked: HashMap::new(),
        }
    }

    /// Where the entry `relative` (which passed [`plan_keys`]) lands, or why it cannot
    /// be written there now. `is_dir` for a directory entry.
    pub(crate) fn target(&mut self, relative: &str, is_dir: bool) -> Result<PathBuf, SkipReason> {
        let segments: Vec<&str> = relative.split('/').collect();
        let (name, parents) = segments.split_last().expect("split yields one segment");
        let mut path = self.root.to_path_buf();
        for (depth, segment) in parents.iter().enumerate() {
            path.push(segment);
            let so_far = segments[..=depth].join("/");
            let verdict = match self.checked.get(&so_far) {
                Some(verdict) => verdict.clone(),
                None => {
                    let verdict = self.look_at(&path, &so_far, true);
                    self.checked.insert(so_far, verdict.clone());
                    verdict
                }
            };
            if let Some(reason) = verdict {
                return Err(reason);
            }
        }
        path.push(name);
        match self.look_at(&path, relative, is_dir) {
            Some(reason) => Err(reason),
            None => Ok(path),
        }
    }

    /// Why nothing can go at or through `path` (`relative` below the root), if so.
    fn look_at(&self, path: &Path, relative: &str, directory: bool) -> Option<SkipReason> {
        let metadata = std::fs::symlink_metadata(path).ok()?;
        let kind = metadata.file_type();
        if kind.is_symlink() {
            // A file's own name may be a link: the download replaces the link itself,
            // never what it points to.
            return directory.then(|| SkipReason::ThroughSymlink {
                link: relative.to_owned(),
            });
        }
        (kind.is_dir() != directory).then(|| SkipReason::InTheWay {
            path: relative.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Platform::{MacOs, Unix, Windows};

    fn refused(key: &str, platform: Platform) -> bool {
        check_key(key, platform).is_err()
    }

    #[test]
    fn empty_dot_and_dotdot_segments_never_map() {
        for platform in [Unix, MacOs, Windows] {
            for key in [
                "x//y.txt",
                "a/./b.txt",
                "/lead",
                "trail/",
                "..",
                "a/../b",
                ".",
                "",
                "n\0ul",
            ] {
                assert!(refused(key, platform), "{key:?} on {platform:?}");
            }
            for key in [
                "a.txt",
                "a/b/c.txt",
                "..x/..y",
                ".hidden",
                "a b/ü ñ 日本.txt",
            ] {
                assert!(!refused(key, platform), "{key:?} on {platform:?}");
            }
        }
    }

    #[test]
    fn windows_refuses_separators_drives_streams_devices_and_trailing_dots() {
        for key in [
            "a\\b",
            "C:x",
            "C:\\x",
            "x:stream",
            "CON",
            "con",
            "NUL.txt",
            "aux.tar.gz",
            "COM1",
            "com1.log",
            "LPT9",
            "COM¹",
            "CONIN$",
            "dot.",
            "space ",
            "d/x.",
            "q?.txt",
            "a*b",
            "a<b",
            "tab\there",
            "CON .txt",
        ] {
            assert!(refused(key, Windows), "{key:?}");
        }
        for key in [
            "CONSOLE", "COM10", "nul_", "a.b.c", "ok/x.txt", "com", "LPT",
        ] {
            assert!(!refused(key, Windows), "{key:?}");
        }
        // Elsewhere these are ordinary names, kept as they are.
        for key in [
            "a\\b", "C:x", "x:stream", "CON", "NUL.txt", "dot.", "space ",
        ] {
            assert!(!refused(key, Unix) && !refused(key, MacOs), "{key:?}");
        }
    }

    #[test]
    fn names_longer_than_255_do_not_map() {
        let ascii = "n".repeat(255);
        assert!(!refused(&ascii, Unix) && !refused(&ascii, Windows));
        let long = "n".repeat(256);
        assert!(refused(&long, Unix) && refused(&long, MacOs) && refused(&long, Windows));
        // 100 two-byte characters: 200 bytes, 100 UTF-16 units; 128 of them: 256 bytes.
        let wide = "é".repeat(128);
        assert!(refused(&wide, Unix) && !refused(&wide, Windows));
    }

    #[test]
    fn identity_is_exact_on_linux_and_folds_case_and_normalisation_where_the_platform_does() {
        assert_eq!(identity("x//y.txt", Unix).as_deref(), Some("x/y.txt"));
        assert_eq!(identity("a/./b.txt", Unix).as_deref(), Some("a/b.txt"));
        assert_eq!(identity("a/../b", Unix), None);
        assert_ne!(identity("A.txt", Unix), identity("a.txt", Unix));
        assert_eq!(identity("A.txt", Windows), identity("a.txt", Windows));
        assert_eq!(identity("a.txt.", Windows), identity("a.txt", Windows));
        assert_eq!(identity("d\\x", Windows), identity("d/x", Windows));
        assert_eq!(identity("A.txt", MacOs), identity("a.txt", MacOs));
        let (composed, decomposed) = ("caf\u{e9}.txt", "cafe\u{301}.txt");
        assert_eq!(identity(composed, MacOs), identity(decomposed, MacOs));
        assert_ne!(identity(composed, Unix), identity(decomposed, Unix));
        assert_ne!(identity(composed, Windows), identity(decomposed, Windows));
    }

    fn plan(entries: &[&str], platform: Platform) -> Vec<String> {
        let entries: Vec<_> = entries.iter().map(|k| (*k, false)).collect();
        plan_keys(&entries, platform)
            .into_iter()
            .map(|verdict| match verdict {
                Ok(()) => "ok".to_owned(),
                Err(SkipReason::NoLocalName { .. }) => "no name".to_owned(),
                Err(SkipReason::SameLocalFile { other }) => format!("same as {other}"),
                Err(other) => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn keys_landing_on_one_file_are_all_skipped_by_each_platforms_rules() {
        let keys = ["A.txt", "a.txt", "b.txt"];
        assert_eq!(plan(&keys, Unix), ["ok", "ok", "ok"]);
        assert_eq!(
            plan(&keys, Windows),
            ["same as a.txt", "same as A.txt", "ok"]
        );
        assert_eq!(plan(&keys, MacOs), ["same as a.txt", "same as A.txt", "ok"]);
        let keys = ["caf\u{e9}", "cafe\u{301}"];
        assert_eq!(plan(&keys, Unix), ["ok", "ok"]);
        assert_eq!(
            plan(&keys, MacOs),
            ["same as cafe\u{301}", "same as caf\u{e9}"]
        );
        // Directories merge: A/x and a/y are two files in one directory on Windows.
        assert_eq!(plan(&["A/x", "a/y"], Windows), ["ok", "ok"]);
        assert_eq!(
            plan(&["A/x", "a/x"], Windows),
            ["same as a/x", "same as A/x"]
        );
        // A file where another key needs a directory.
        assert_eq!(plan(&["d", "d/x"], Unix), ["same as d/x", "ok"]);
        assert_eq!(plan(&["D", "d/x"], Windows), ["same as d/x", "ok"]);
        // A key that does not map does not take the file from one that does.
        assert_eq!(plan(&["x//y", "x/y"], Unix), ["no name", "ok"]);
        assert_eq!(plan(&["a.", "a"], Windows), ["no name", "ok"]);
    }

    #[test]
    fn directory_entries_need_only_a_faithful_path() {
        let entries = [
            ("d", true),
            ("D", true),
            ("d/x", false),
            ("f", false),
            ("F", true),
        ];
        let verdicts = plan_keys(&entries, Windows);
        assert!(verdicts[0].is_ok() && verdicts[1].is_ok() && verdicts[2].is_ok());
        assert!(matches!(verdicts[3], Err(SkipReason::SameLocalFile { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn nothing_goes_through_a_link_or_over_something_of_another_kind() {
        let root = std::env::temp_dir().join(format!(
            "podstack-local-root-{}",
            crate::net::random::random_u64()
        ));
        std::fs::create_dir_all(root.join("real/dir")).unwrap();
        std::fs::write(root.join("file"), "f").unwrap();
        std::os::unix::fs::symlink(std::env::temp_dir(), root.join("real/link")).unwrap();
        std::os::unix::fs::symlink(root.join("file"), root.join("filelink")).unwrap();
        let mut local = LocalRoot::new(&root);
        assert_eq!(
            local.target("real/dir/x", false),
            Ok(root.join("real/dir/x"))
        );
        assert_eq!(
            local.target("new/deep/x", false),
            Ok(root.join("new/deep/x"))
        );
        assert_eq!(
            local.target("real/link/x", false),
            Err(SkipReason::ThroughSymlink {
                link: "real/link".into()
            })
        );
        assert_eq!(
            local.target("real/link", true),
            Err(SkipReason::ThroughSymlink {
                link: "real/link".into()
            })
        );
        assert_eq!(
            local.target("file/x", false),
            Err(SkipReason::InTheWay {
                path: "file".into()
            })
        );
        assert_eq!(
            local.target("real/dir", false),
            Err(SkipReason::InTheWay {
                path: "real/dir".into()
            })
        );
        // A file's own name may be a link: the download replaces the link.
        assert_eq!(local.target("filelink", false), Ok(root.join("filelink")));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(windows)]
    #[test]
    // Joining an absolute path is the very thing shown here.
    #[allow(clippy::join_absolute_paths)]
    fn windows_itself_joins_what_the_rule_refuses() {
        // What the rule guards against: joined as a path, these leave the target or
        // name something else.
        let root = Path::new("C:\\target");
        assert!(!root.join("C:\\x").starts_with(root));
        assert!(!root.join("\\\\server\\share\\x").starts_with(root));
        assert_eq!(
            root.join("a\\b").components().count(),
            root.components().count() + 2
        );
        for key in ["C:\\x", "\\\\server\\share\\x", "a\\b", "C:x", "CON"] {
            assert!(check_key(key, Platform::HERE).is_err(), "{key}");
        }
        // And case: NTFS knows A.txt and a.txt as one file.
        let dir = std::env::temp_dir().join(format!(
            "podstack-case-{}",
            crate::net::random::random_u64()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("A.txt"), "upper").unwrap();
        std::fs::write(dir.join("a.txt"), "lower").unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert_eq!(
            identity("A.txt", Platform::HERE),
            identity("a.txt", Platform::HERE)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
