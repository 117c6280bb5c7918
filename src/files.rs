//! Local paths of file transfers, shared by both clients and every API area that moves
//! files: which files an upload sends, where a download lands, and the partial file a
//! download is written to until it is complete.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::core::random;
use crate::key_paths::{self, Platform};
use crate::models::{SkipReason, Skipped};
use crate::request::ApiRequest;
use crate::transport::{HttpResponse, SentBytes};
use crate::{Error, Result, TransferOptions};

/// One file to upload: local source, remote destination, size, modification time.
#[derive(Debug, Clone)]
pub(crate) struct UploadItem {
    pub local: PathBuf,
    pub remote: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

/// A local entry a walk left alone: its path, its path below the walked directory
/// (`/`-separated, shown lossily when not Unicode), and why.
#[derive(Debug)]
pub(crate) struct LocalSkip {
    pub local: PathBuf,
    pub relative: String,
    pub reason: SkipReason,
}

/// The files to upload, with their remote paths, in a stable order; links that lead
/// nowhere are skipped (logged as warnings, and returned to be reported). A name that
/// is not Unicode is an [`Error::Io`] naming it: no key can name that file.
pub(crate) fn plan_upload(
    local: &Path,
    remote: &str,
    recursive: bool,
) -> Result<(Vec<UploadItem>, Vec<Skipped>)> {
    let (items, skips) = walk_local(local, remote, recursive)?;
    let mut skipped = Vec::with_capacity(skips.len());
    for skip in skips {
        if skip.reason == SkipReason::NotUnicode {
            return Err(walk_error(&skip.local));
        }
        skipped.push(key_paths::skip(
            skip.local.display().to_string(),
            skip.reason,
        ));
    }
    Ok((items, skipped))
}

/// The error of an upload of a directory to a presigned URL, which names one object.
pub(crate) fn presigned_directory_error(path: &Path) -> Error {
    Error::io(
        format!(
            "{} is a directory; a presigned URL names one object, so upload one file \
             through it (or a directory with Buckets::upload_with and \
             TransferOptions::new().recursive(true))",
            path.display()
        ),
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file"),
    )
}

/// The error of an upload whose local file has a name that is not Unicode.
pub(crate) fn walk_error(path: &Path) -> Error {
    Error::io(
        format!(
            "{} has a name that is not valid Unicode, so no object key can name it: rename it \
             or move it out of the directory",
            path.display()
        ),
        std::io::Error::new(std::io::ErrorKind::InvalidData, "file name is not Unicode"),
    )
}

/// The files at or below `local`, with their remote paths (`remote` joined with each
/// path below `local`), in a stable order, and the entries left alone: names that are
/// not Unicode (and all below them) and symbolic links that lead nowhere. Symbolic
/// links to directories are not followed, so a loop cannot recurse.
pub(crate) fn walk_local(
    local: &Path,
    remote: &str,
    recursive: bool,
) -> Result<(Vec<UploadItem>, Vec<LocalSkip>)> {
    let unreadable = |path: &Path, e| Error::io(format!("could not read {}", path.display()), e);
    let metadata = std::fs::metadata(local).map_err(|e| unreadable(local, e))?;
    if metadata.is_file() {
        let remote = if remote.ends_with('/') {
            let name = match local.file_name().map(|n| n.to_str()) {
                Some(Some(name)) => name,
                Some(None) => return Err(walk_error(local)),
                None => "",
            };
            format!("{remote}{name}")
        } else {
            remote.to_owned()
        };
        let item = UploadItem {
            local: local.to_path_buf(),
            remote,
            size: metadata.len(),
            modified: metadata.modified().ok(),
        };
        return Ok((vec![item], Vec::new()));
    }
    if !recursive {
        return Err(Error::io(
            format!(
                "{} is a directory; to upload it and everything below it, pass \
                 TransferOptions::new().recursive(true) to upload_with \
                 (Buckets::upload_with, Pods::upload_with)",
                local.display()
            ),
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a directory is uploaded only when the upload is recursive",
            ),
        ));
    }
    let mut items = Vec::new();
    let mut skips = Vec::new();
    let mut pending = vec![(local.to_path_buf(), remote.trim_end_matches('/').to_owned())];
    while let Some((dir, remote_dir)) = pending.pop() {
        let mut entries = std::fs::read_dir(&dir)
            .and_then(|entries| entries.collect::<std::io::Result<Vec<_>>>())
            .map_err(|e| unreadable(&dir, e))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let path = entry.path();
            let name = match entry.file_name().into_string() {
                Ok(name) => name,
                Err(raw) => {
                    skips.push(LocalSkip {
                        relative: format!("{remote_dir}/{}", raw.to_string_lossy()),
                        local: path,
                        reason: SkipReason::NotUnicode,
                    });
                    continue;
                }
            };
            let remote_path = format!("{remote_dir}/{name}");
            let file_type = entry.file_type().map_err(|e| unreadable(&path, e))?;
            let metadata = match std::fs::metadata(&path) {
                Ok(metadata) => metadata,
                // A link to nothing (or into a loop) holds nothing to send.
                Err(_) if file_type.is_symlink() => {
                    skips.push(LocalSkip {
                        local: path,
                        relative: remote_path,
                        reason: SkipReason::DanglingSymlink,
                    });
                    continue;
                }
                Err(e) => return Err(unreadable(&path, e)),
            };
            if metadata.is_dir() && !file_type.is_symlink() {
                pending.push((path, remote_path));
            } else if metadata.is_file() {
                items.push(UploadItem {
                    local: path,
                    remote: remote_path,
                    size: metadata.len(),
                    modified: metadata.modified().ok(),
                });
            }
        }
    }
    items.sort_by(|a, b| a.remote.cmp(&b.remote));
    skips.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok((items, skips))
}

/// Where a download of `remote` to `local` lands: an existing directory, or a `local`
/// ending in a path separator, receives the file under its remote name, which must be
/// a faithful file name here (see [`key_paths`](crate::key_paths)).
pub(crate) fn download_target(remote: &str, local: &Path) -> Result<PathBuf> {
    let into_dir = local.is_dir()
        || local
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR);
    let name = remote.trim_end_matches('/').rsplit('/').next();
    match (into_dir, name) {
        (true, Some(name)) if !name.is_empty() => {
            key_paths::check_segment(name, Platform::HERE).map_err(|why| {
                Error::io(
                    format!(
                        "{remote:?} ends in no file name that can be used here ({why}): \
                         give the local file's path instead of a directory"
                    ),
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "no local file name"),
                )
            })?;
            Ok(local.join(name))
        }
        _ => Ok(local.to_path_buf()),
    }
}

/// What an answer to a download must hold.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// The whole object: as many bytes as its `Content-Length` says, and as its listing
    /// said when it was listed (the two must agree).
    Whole { listed: Option<u64> },
    /// Bytes `start..=end` of an object of `total` bytes: a `206` whose `Content-Range`
    /// says exactly that.
    Range { start: u64, end: u64, total: u64 },
}

/// One download request and what its answers must hold. The transfer engine sends it
/// again when an answer's body breaks off.
#[derive(Debug)]
pub(crate) struct Fetch<'a> {
    pub request: ApiRequest,
    /// The key, path or URL being fetched, for messages.
    pub what: &'a str,
    /// The ETag every answer must carry: the version the first range came from.
    pub version: Option<&'a str>,
    pub expect: Expect,
    /// Whether the answer's length goes into the progress total (the size was not
    /// known before).
    pub count_total: bool,
}

impl Fetch<'_> {
    /// How many bytes `response` promises, or why it is not the answer asked for.
    pub(crate) fn promised<B>(&self, response: &HttpResponse<B>) -> Result<Option<u64>> {
        match self.expect {
            Expect::Whole { listed } => match (response.content_length, listed) {
                (Some(length), Some(listed)) if length != listed => Err(changed_during_download(
                    self.what,
                    &format!("it was listed at {listed} bytes, the answer holds {length}"),
                )),
                (length, listed) => Ok(length.or(listed)),
            },
            Expect::Range { start, end, total } => {
                if response.status != 206 {
                    return Err(Error::integrity(format!(
                        "the server answered a range of {:?} with {}",
                        self.what, response.status
                    )));
                }
                if content_range(response.content_range.as_deref()) != Some((start, end, total)) {
                    return Err(changed_during_download(
                        self.what,
                        "a range came back for another size or place",
                    ));
                }
                if self.version.is_some() && response.etag.as_deref() != self.version {
                    return Err(changed_during_download(self.what, "its ETag changed"));
                }
                Ok(Some(end + 1 - start))
            }
        }
    }

    /// Where in the file the answer goes.
    pub(crate) fn offset(&self) -> u64 {
        match self.expect {
            Expect::Whole { .. } => 0,
            Expect::Range { start, .. } => start,
        }
    }
}

/// `(a, b, total)` of a `Content-Range: bytes a-b/total` header.
pub(crate) fn content_range(value: Option<&str>) -> Option<(u64, u64, u64)> {
    let (range, total) = value?.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    Some((
        start.trim().parse().ok()?,
        end.trim().parse().ok()?,
        total.trim().parse().ok()?,
    ))
}

/// An object whose answers no longer match the download (its length or ETag changed,
/// or a range came back for another place): an [`Error::Integrity`], not retried, as
/// the same answer would come back.
pub(crate) fn changed_during_download(what: &str, how: &str) -> Error {
    Error::integrity(format!(
        "{what:?} changed during the download ({how}); download it again"
    ))
}

/// A body that ended before it held what its answer promised: a broken transfer,
/// retried as one. It stays an [`Error::Network`] (transient): what came was right as
/// far as it went, the connection broke, and the same request may well complete.
pub(crate) fn broke_off(what: &str, promised: u64, got: u64) -> Error {
    Error::network(
        format!("the download of {what:?} broke off: {got} of {promised} bytes arrived"),
        None,
    )
}

/// A body that goes on past what its answer promised: never written, not retried.
pub(crate) fn longer_than_promised(what: &str, promised: u64) -> Error {
    Error::unexpected_answer(format!(
        "the answer for {what:?} held more than the {promised} bytes it promised; nothing \
         past them was written"
    ))
}

/// The most bytes of a target's name kept in its partial file's name.
const PARTIAL_NAME_KEPT: usize = 200;

/// A download's hidden sibling `.name.partial-<random>` (the name cut to 200 bytes), renamed onto the target by
/// [`commit`](Self::commit) when complete. Dropping it uncommitted (an error, a
/// panic, a cancelled future) removes it, so a truncated file never appears under the
/// final name and none is left behind.
#[derive(Debug)]
pub(crate) struct PartialFile {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub(crate) fn new(target: &Path) -> Self {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".to_owned());
        // `.` + name + `.partial-xxxxxxxx` must fit in 255 bytes (or UTF-16 units)
        // whatever the name: a long one is cut, the random part keeps it unique.
        let mut cut = name.len().min(PARTIAL_NAME_KEPT);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        PartialFile {
            path: target.with_file_name(format!(
                ".{}.partial-{:08x}",
                &name[..cut],
                random::random_u64() as u32
            )),
            target: target.to_path_buf(),
            committed: false,
        }
    }

    /// Where to write.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the complete file into place.
    pub(crate) fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.path, &self.target).map_err(|e| {
            Error::io(
                format!("could not move the download to {}", self.target.display()),
                e,
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub(crate) fn outside_error(path: &str, root: &str) -> Error {
    Error::io(
        format!("the server listed {path:?}, which is not inside {root:?}"),
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "unexpected path in the listing",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_only_whole_byte_ranges() {
        assert_eq!(content_range(Some("bytes 5-9/10")), Some((5, 9, 10)));
        assert_eq!(content_range(Some("bytes */10")), None);
        assert_eq!(content_range(Some("items 0-1/2")), None);
        assert_eq!(content_range(None), None);
    }

    #[test]
    fn download_targets() {
        assert_eq!(
            download_target("/workspace/model.pt", Path::new("./model.pt")).unwrap(),
            PathBuf::from("./model.pt")
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            download_target("/workspace/model.pt", &dir).unwrap(),
            dir.join("model.pt")
        );
        // A last segment that is no file name here is refused, never joined.
        for key in ["a/..", "a/.", "x/n\0ul"] {
            assert!(
                matches!(download_target(key, &dir), Err(Error::Io { .. })),
                "{key:?}"
            );
        }
    }

    #[test]
    fn partial_files_are_hidden_siblings_removed_unless_committed() {
        let dir = std::env::temp_dir().join(format!("podstack-partial-{}", random::random_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("model.pt");

        let partial = PartialFile::new(&target);
        assert_eq!(partial.path().parent(), Some(dir.as_path()));
        let name = partial
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(".model.pt.partial-"), "{name}");
        std::fs::write(partial.path(), "half").unwrap();
        let path = partial.path().to_path_buf();
        drop(partial);
        assert!(!path.exists(), "a dropped partial file is removed");
        assert!(!target.exists());

        let partial = PartialFile::new(&target);
        std::fs::write(partial.path(), "whole").unwrap();
        partial.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "only the target is left"
        );

        // However long the name, the partial file's fits in 255 bytes.
        for name in ["n".repeat(255), "é".repeat(127)] {
            let partial = PartialFile::new(&dir.join(&name));
            let partial_name = partial.path().file_name().unwrap().len();
            assert!(partial_name <= 255, "{partial_name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn upload_plan_walks_directories_in_order_and_names_files_into_slash_targets() {
        let root = std::env::temp_dir().join(format!("podstack-plan-{}", random::random_u64()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("b.txt"), "bb").unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();

        let (plan, skipped) = plan_upload(&root, "/workspace/data/", true).unwrap();
        assert!(skipped.is_empty());
        let remotes: Vec<_> = plan.iter().map(|i| (i.remote.as_str(), i.size)).collect();
        assert_eq!(
            remotes,
            [
                ("/workspace/data/b.txt", 2),
                ("/workspace/data/sub/a.txt", 1)
            ]
        );

        assert!(matches!(
            plan_upload(&root, "/w", false),
            Err(Error::Io { .. })
        ));
        let (single, _) = plan_upload(&root.join("b.txt"), "/workspace/", false).unwrap();
        assert_eq!(single[0].remote, "/workspace/b.txt");
        std::fs::remove_dir_all(&root).unwrap();
    }
}

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

/// Whole seconds since the Unix epoch of an RFC 3339 time (`2026-11-28T06:43:14Z`,
/// `…14.5+02:00`); `None` when it is not one.
pub(crate) fn rfc3339_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || time.len() < 8 {
        return None;
    }
    let (clock, zone) = time.split_at(8);
    let mut clock = clock.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (
        clock.next()?.ok()?,
        clock.next()?.ok()?,
        clock.next()?.ok()?,
    );
    let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Whole seconds since the Unix epoch of a local file time.
pub(crate) fn system_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn rfc3339_times_become_unix_seconds() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-11-28T06:43:14Z"), Some(1_795_848_194));
        assert_eq!(
            rfc3339_seconds("2026-11-28T08:43:14.250+02:00"),
            Some(1_795_848_194)
        );
        assert_eq!(rfc3339_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(rfc3339_seconds("yesterday"), None);
        assert_eq!(rfc3339_seconds(""), None);
    }

    /// Sync keeps this parser rather than the `time` crate's behind the typed
    /// accessors (`StoredObject::last_modified_datetime`): both agree on RFC 3339, but
    /// sync also takes the times other S3 tools write without an offset (as UTC) or
    /// with a space, which RFC 3339, and so `time`, refuses.
    #[test]
    fn sync_agrees_with_the_typed_accessors_on_rfc3339_and_takes_more() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-11-28T06:43:14Z",
            "2026-11-28T08:43:14.250+02:00",
            "2000-02-29T00:00:00Z",
        ] {
            let typed = crate::models::parse_datetime(text).map(|t| t.unix_timestamp());
            assert_eq!(typed, rfc3339_seconds(text), "{text}");
        }
        for text in ["2026-11-28 06:43:14", "2026-11-28T06:43:14"] {
            assert_eq!(rfc3339_seconds(text), Some(1_795_848_194), "{text}");
            assert_eq!(crate::models::parse_datetime(text), None, "{text}");
        }
    }
}

/// Creates (or truncates) a file of `len` bytes, for parts to write into.
pub(crate) fn create_sized(path: &Path, len: u64) -> std::io::Result<()> {
    std::fs::File::create(path)?.set_len(len)
}

/// Opens an existing file to write at `offset`.
pub(crate) fn open_at(path: &Path, offset: u64) -> std::io::Result<std::fs::File> {
    use std::io::Seek;
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(std::io::SeekFrom::Start(offset))?;
    Ok(file)
}

/// A content hash an object's etag can be: S3's MD5 of a plain object, or a SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContentHash {
    Md5,
    Sha256,
}

impl ContentHash {
    /// The hash an etag holds and its lowercase hex: 32 hex digits are an MD5 (S3's
    /// etag of an object written in one piece), 64 a SHA-256. Anything else, such as a
    /// multipart etag (`<hex>-<parts>`), is no content hash.
    pub(crate) fn of_etag(etag: &str) -> Option<(ContentHash, String)> {
        let hex = etag.trim_matches('"');
        let kind = match hex.len() {
            32 => ContentHash::Md5,
            64 => ContentHash::Sha256,
            _ => return None,
        };
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| (kind, hex.to_ascii_lowercase()))
    }
}

/// The lowercase hex digest of a file's content, read in 1 MiB pieces.
pub(crate) fn hash_of(path: &Path, kind: ContentHash) -> std::io::Result<String> {
    fn digest<D: sha2::Digest>(path: &Path) -> std::io::Result<String> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut hasher = D::new();
        let mut buffer = vec![0; 1 << 20];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
    match kind {
        ContentHash::Md5 => digest::<md5::Md5>(path),
        ContentHash::Sha256 => digest::<sha2::Sha256>(path),
    }
}
