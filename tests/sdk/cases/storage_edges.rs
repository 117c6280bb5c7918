// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mockito::Matcher;
use podstack::transfer::SkipReason;
use podstack::{Error, NewBucket, SyncDirection, SyncOptions, TransferOptions};
use podstack_emulator::Emulator;

use crate::support::{self, Conn, Seen, Server};

const MIB: u64 = 1024 * 1024;
const LIST: &str = "/platform/api/v1/buckets/bkt_1/objects?";
const DOWNLOAD: &str = "/platform/api/v1/buckets/bkt_1/objects/download?";

/// A fresh scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "podstack-edges-{name}-{}-{}",
            std::process::id(),
            module_path!().replace("::", "-")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn write(&self, relative: &str, content: &[u8]) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file below `dir` (links not followed), relative and `/`-separated, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy();
                found.push(relative.replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// A listing answer of `(key, size)` objects.
fn listing(objects: &[(&str, u64)], token: Option<&str>) -> String {
    let objects: Vec<_> = objects
        .iter()
        .map(|(key, size)| {
            serde_json::json!({"key": key, "size_bytes": size, "etag": "e",
                "last_modified": "2026-11-28T06:43:14Z"})
        })
        .collect();
    serde_json::json!({
        "objects": objects,
        "is_truncated": token.is_some(),
        "next_continuation_token": token,
    })
    .to_string()
}

fn json(conn: &mut dyn Conn, body: &str) {
    support::respond(
        conn,
        "200 OK",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
}

/// How many requests the server saw whose target starts with `start`.
fn count(server: &Server, start: &str) -> usize {
    server
        .seen()
        .iter()
        .filter(|seen| seen.target.starts_with(start))
        .count()
}

// ---------------------------------------------------------------- 1 and 19.2: key → path

/// Issue 15 item 1. Observed: keys holding `//` or `/./` are compared as strings but
/// written through `Path::join`, which normalises them: a download sync with
/// `delete(true)` downloads `x//y.txt` to `x/y.txt` and then deletes it. Expected: such
/// keys are skipped with a reason, the sync deletes nothing it wrote or kept, and a
/// second sync right after copies and deletes nothing.
#[flavour]
#[flavour_test]
async fn a_sync_never_deletes_what_it_wrote_and_a_second_sync_does_nothing() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("sync-odd-keys");
    let file = scratch.write("one.txt", b"1");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("odd-keys"))
        .await
        .unwrap();
    for key in ["p/x//y.txt", "p/a/./b.txt", "p/ok.txt", "p/sub/c.txt"] {
        client
            .buckets()
            .upload(&bucket.id, &file, key)
            .await
            .unwrap();
    }
    // A file that an odd key would have landed on, there before the sync.
    scratch.write("out/a/b.txt", b"kept");
    let options = SyncOptions::new(SyncDirection::Download).delete(true);
    let out = scratch.path("out");
    let first = client
        .buckets()
        .sync(&bucket.id, &out, "p/", &options)
        .await
        .unwrap();
    assert_eq!(first.copied, ["ok.txt", "sub/c.txt"], "{first:?}");
    assert!(first.deleted.is_empty(), "{first:?}");
    let mut skipped: Vec<_> = first.skipped.iter().map(|s| s.path.as_str()).collect();
    skipped.sort();
    assert_eq!(skipped, ["a/./b.txt", "x//y.txt"], "{first:?}");
    assert!(first
        .skipped
        .iter()
        .all(|s| matches!(s.reason, SkipReason::NoLocalName { .. })));
    assert_eq!(files_in(&out), ["a/b.txt", "ok.txt", "sub/c.txt"]);
    assert_eq!(std::fs::read(out.join("a/b.txt")).unwrap(), b"kept");

    let second = client
        .buckets()
        .sync(&bucket.id, &out, "p/", &options)
        .await
        .unwrap();
    assert!(second.copied.is_empty(), "{second:?}");
    assert!(second.deleted.is_empty(), "{second:?}");
    assert_eq!(second.skipped.len(), 2, "{second:?}");
    assert_eq!(files_in(&out), ["a/b.txt", "ok.txt", "sub/c.txt"]);

    // A recursive download reports the same keys in its summary.
    let summary = client
        .buckets()
        .download_with(
            &bucket.id,
            "p/",
            scratch.path("all"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(summary.files, 2, "{summary:?}");
    let mut skipped: Vec<_> = summary.skipped.iter().map(|s| s.path.as_str()).collect();
    skipped.sort();
    assert_eq!(skipped, ["p/a/./b.txt", "p/x//y.txt"]);
    assert_eq!(files_in(&scratch.path("all")), ["ok.txt", "sub/c.txt"]);
}

/// Issue 19 item 2, what only Windows can show: keys that land on one file by case,
/// device names, drive prefixes, alternate data streams and trailing dots are skipped
/// with a reason, nothing is written anywhere else, and a second sync does nothing.
/// Issue 15 item 1 against the emulator (a review probe): "a second sync right after
/// the first copies and deletes nothing", with keys that do not map one to one (a file
/// key another key needs as a directory, a `..` segment, `//`) and keys differing only by
/// case (Linux keeps both).
#[flavour]
#[flavour_test]
async fn a_second_download_sync_of_awkward_keys_from_the_emulator_does_nothing() {
    let emulator = podstack_emulator::Emulator::start();
    let client = emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("awkward-sync"))
        .await
        .unwrap();
    let scratch = Scratch::new("awkward-sync");
    let src = scratch.write("src.txt", b"content");
    for key in [
        "p/d", "p/d/x", "p/x/../y", "p//z", "p/A.txt", "p/a.txt", "p/ok.txt", "p/y",
    ] {
        client
            .buckets()
            .upload(&bucket.id, &src, key)
            .await
            .unwrap();
    }
    let target = scratch.path("target");
    std::fs::create_dir_all(&target).unwrap();
    let options = SyncOptions::new(SyncDirection::Download).delete(true);
    let first = client
        .buckets()
        .sync(&bucket.id, &target, "p", &options)
        .await
        .unwrap();
    let second = client
        .buckets()
        .sync(&bucket.id, &target, "p", &options)
        .await
        .unwrap();
    assert!(
        second.copied.is_empty() && second.deleted.is_empty(),
        "first: {first:?}\nsecond: {second:?}"
    );
    #[cfg(target_os = "linux")]
    for name in ["d/x", "A.txt", "a.txt", "ok.txt", "y"] {
        assert!(target.join(name).is_file(), "{name} missing: {first:?}");
    }
}

#[cfg(windows)]
#[flavour]
#[flavour_test]
async fn windows_keys_that_do_not_map_are_skipped_and_a_second_sync_does_nothing() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("windows-keys");
    let file = scratch.write("one.txt", b"1");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("windows-keys"))
        .await
        .unwrap();
    let odd = [
        "A.txt", "a.txt", "CON", "nul.txt", "C:x", "x:stream", "dot.", "space ", "b\\c",
    ];
    for key in odd
        .iter()
        .map(|k| format!("p/{k}"))
        .chain(["p/ok.txt".into()])
    {
        client
            .buckets()
            .upload(&bucket.id, &file, &key)
            .await
            .unwrap();
    }
    let options = SyncOptions::new(SyncDirection::Download).delete(true);
    let out = scratch.path("out");
    let first = client
        .buckets()
        .sync(&bucket.id, &out, "p/", &options)
        .await
        .unwrap();
    assert_eq!(first.copied, ["ok.txt"], "{first:?}");
    assert_eq!(first.skipped.len(), odd.len(), "{first:?}");
    assert_eq!(files_in(&scratch.0), ["one.txt", "out/ok.txt"]);
    let second = client
        .buckets()
        .sync(&bucket.id, &out, "p/", &options)
        .await
        .unwrap();
    assert!(
        second.copied.is_empty() && second.deleted.is_empty(),
        "{second:?}"
    );
}

// ---------------------------------------------------------------- 2: the first range

/// Issue 15 item 2. Observed: only the first range's total was checked, so a server
/// answering `bytes=0-…` with the second half had it committed as a finished file.
/// Expected: the first range is checked like every other (start, end, total).
#[flavour]
#[flavour_test]
async fn the_first_range_is_checked_like_the_others() {
    let scratch = Scratch::new("first-range");
    let part = 5 * MIB;
    let total = 2 * part;
    let mut server = mock_server().await;
    // Asked for the first half, it answers with the second.
    let _first = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", format!("bytes=0-{}", part - 1).as_str())
        .with_status(206)
        .with_header(
            "content-range",
            &format!("bytes {part}-{}/{total}", total - 1),
        )
        .with_header("etag", "\"v1\"")
        .with_body(vec![2u8; part as usize])
        .create();
    let _second = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", format!("bytes={part}-{}", total - 1).as_str())
        .with_status(206)
        .with_header(
            "content-range",
            &format!("bytes {part}-{}/{total}", total - 1),
        )
        .with_header("etag", "\"v1\"")
        .with_body(vec![2u8; part as usize])
        .create();
    let options = TransferOptions::new()
        .multipart_threshold(0)
        .part_size(part);
    let result = storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "k", scratch.path("k"), &options)
        .await;
    assert!(
        matches!(&result, Err(e @ Error::Integrity { .. }) if !e.is_transient()),
        "a first range from the wrong place was accepted: {result:?}"
    );
    assert_eq!(files_in(&scratch.0), Vec::<String>::new());
}

// ---------------------------------------------------------------- 3: answers cut short

/// Issue 15 item 3. Observed: a close-delimited answer (HTTP/1.0, no length) that ends
/// early looks like a whole one, and the listed size was never compared with what was
/// written: the short file was committed. Expected: fewer bytes than the listing
/// promised is an error, leaves no file, and is retried like any broken transfer.
#[flavour]
#[flavour_test]
async fn a_download_cut_short_is_retried_and_never_committed() {
    let scratch = Scratch::new("cut-short");
    let server = Server::start(|seen: &Seen, conn: &mut dyn Conn| {
        if seen.target.starts_with(LIST) {
            json(conn, &listing(&[("p/data.bin", 10)], None));
        } else {
            support::respond_close_delimited(conn, "200 OK", &[], b"0123");
        }
    });
    let out = scratch.path("out");
    let error = storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "p/", &out, &TransferOptions::new().recursive(true))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(error.to_string().contains("4 of 10 bytes"), "{error}");
    assert_eq!(
        files_in(&scratch.0),
        Vec::<String>::new(),
        "no file, no partial"
    );
    // The first attempt and the three retries of `fast_retries`.
    assert_eq!(count(&server, DOWNLOAD), 4);
}

/// Issue 15 item 3: the retry of a download cut short fetches the whole object.
#[flavour]
#[flavour_test]
async fn a_download_cut_short_once_is_completed_by_its_retry() {
    let scratch = Scratch::new("cut-once");
    let downloads = Arc::new(AtomicUsize::new(0));
    let seen_downloads = downloads.clone();
    let server = Server::start(move |seen: &Seen, conn: &mut dyn Conn| {
        if seen.target.starts_with(LIST) {
            json(conn, &listing(&[("p/data.bin", 10)], None));
        } else if seen_downloads.fetch_add(1, Ordering::SeqCst) == 0 {
            support::respond_close_delimited(conn, "200 OK", &[], b"0123");
        } else {
            support::respond_close_delimited(conn, "200 OK", &[], b"0123456789");
        }
    });
    let out = scratch.path("out");
    let summary = storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "p/", &out, &TransferOptions::new().recursive(true))
        .await
        .unwrap();
    assert_eq!((summary.files, summary.bytes), (1, 10));
    assert_eq!(std::fs::read(out.join("data.bin")).unwrap(), b"0123456789");
    assert_eq!(files_in(&scratch.0), ["out/data.bin"]);
    assert_eq!(downloads.load(Ordering::SeqCst), 2);
}

/// Issue 15 item 3: a `Content-Length` promise broken by an early close is an error, is
/// retried, and leaves no file, in the download engine presigned URLs and pods use too.
#[flavour]
#[flavour_test]
async fn an_answer_shorter_than_its_content_length_is_retried_and_never_committed() {
    let scratch = Scratch::new("content-length");
    let server = Server::start(|_: &Seen, conn: &mut dyn Conn| {
        support::respond_close_delimited(conn, "200 OK", &[("Content-Length", "10")], b"0123");
    });
    let client = storage_client_for(&server.url());
    let error = client
        .presigned()
        .download(&format!("{}/b/k?sig=1", server.url()), scratch.path("k"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(files_in(&scratch.0), Vec::<String>::new());
    assert_eq!(
        server.seen().len(),
        4,
        "the first attempt and three retries"
    );

    let error = client
        .buckets()
        .download("bkt_1", "k", scratch.path("k"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(files_in(&scratch.0), Vec::<String>::new());
    assert_eq!(
        server.seen().len(),
        8,
        "the first attempt and three retries"
    );
}

/// Issue 15 item 3: a range whose answer ends before its `Content-Range` says is
/// retried; the retry completes the file.
#[flavour]
#[flavour_test]
async fn a_range_cut_short_is_retried() {
    let scratch = Scratch::new("short-range");
    let part = 5 * MIB;
    let total = 2 * part;
    let firsts = Arc::new(AtomicUsize::new(0));
    let seen_firsts = firsts.clone();
    let server = Server::start(move |seen: &Seen, conn: &mut dyn Conn| {
        let range = seen.header("range").unwrap_or_default().to_owned();
        let (start, end) = if range == format!("bytes=0-{}", part - 1) {
            (0, part - 1)
        } else {
            (part, total - 1)
        };
        let content_range = format!("bytes {start}-{end}/{total}");
        let headers = [
            ("Content-Range", content_range.as_str()),
            ("ETag", "\"v1\""),
        ];
        let mut body = vec![7u8; (end + 1 - start) as usize];
        if start == 0 && seen_firsts.fetch_add(1, Ordering::SeqCst) == 0 {
            body.truncate(1000);
        }
        support::respond_close_delimited(conn, "206 Partial Content", &headers, &body);
    });
    let options = TransferOptions::new()
        .multipart_threshold(0)
        .part_size(part)
        .concurrency(1);
    let summary = storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "k", scratch.path("k"), &options)
        .await
        .unwrap();
    assert_eq!(summary.bytes, total);
    assert_eq!(std::fs::metadata(scratch.path("k")).unwrap().len(), total);
    assert_eq!(
        firsts.load(Ordering::SeqCst),
        2,
        "the short first range again"
    );
    assert_eq!(files_in(&scratch.0), ["k"]);
}

// ---------------------------------------------------------------- 4: endless listings

/// Issue 15 item 4. Observed: a listing answering empty pages, each with a new
/// continuation token, never ended (220,000 pages in 20 s). Expected: a bounded run of
/// empty pages ends the listing with an error that says so.
#[flavour]
#[flavour_test]
async fn endless_empty_pages_with_new_tokens_end_in_an_error() {
    let pages = Arc::new(AtomicUsize::new(0));
    let served = pages.clone();
    let server = Server::start(move |_: &Seen, conn: &mut dyn Conn| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        // Without a bound the listing would have ended here, after 1,001 pages.
        let token = (n < 1000).then(|| format!("t{n}"));
        json(conn, &listing(&[], token.as_deref()));
    });
    let error = storage_client_for(&server.url())
        .buckets()
        .list_objects("bkt_1", &podstack::ObjectQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert!(error.to_string().contains("100 empty pages"), "{error}");
    assert_eq!(pages.load(Ordering::SeqCst), 100);
}

/// Issue 15 item 4. Observed: the call deadline bounded each page, never the listing.
/// Expected: the whole listing ends at the deadline. Each page takes 100 ms and there
/// are 40 of them (4 s at the least); the deadline is 1 s.
#[flavour]
#[flavour_test]
async fn a_listing_ends_at_one_deadline_for_all_its_pages() {
    let pages = Arc::new(AtomicUsize::new(0));
    let served = pages.clone();
    let server = Server::start(move |_: &Seen, conn: &mut dyn Conn| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(100));
        let key = format!("k{n}");
        let token = (n < 39).then(|| format!("t{n}"));
        json(conn, &listing(&[(&key, 1)], token.as_deref()));
    });
    let client = builder_for(&server.url())
        .platform_endpoint(format!("{}/platform", server.url()))
        .project_id("prj_1")
        .call_deadline(Some(Duration::from_secs(1)))
        .build()
        .unwrap();
    let error = client
        .buckets()
        .list_objects("bkt_1", &podstack::ObjectQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(pages.load(Ordering::SeqCst) < 40);
}

// ---------------------------------------------------------------- 5: non-UTF-8 names

/// Issue 15 item 5. Observed: `n\xfe` and `n\xff` both became the key `n\u{fffd}`: one
/// file silently lost. Expected: such a name is an `Io` error naming the path, and
/// nothing is uploaded.
#[cfg(target_os = "linux")]
#[flavour]
#[flavour_test]
async fn a_local_name_that_is_not_utf8_is_refused_naming_the_path() {
    use std::os::unix::ffi::OsStrExt;
    let scratch = Scratch::new("not-utf8");
    let dir = scratch.path("src");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [&b"n\xfe"[..], b"n\xff", b"fine.txt"] {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), "x").unwrap();
    }
    let mut server = mock_server().await;
    let upload = server
        .mock("POST", "/platform/api/v1/buckets/bkt_1/objects")
        .expect(0)
        .create();
    let client = storage_client_for(&server.url());
    let error = client
        .buckets()
        .upload_with("bkt_1", &dir, "p/", &TransferOptions::new().recursive(true))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&dir.display().to_string()),
        "{error}"
    );
    let error = client
        .buckets()
        .sync(
            "bkt_1",
            &dir,
            "p/",
            &SyncOptions::new(SyncDirection::Upload),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    upload.assert();
}

// ---------------------------------------------------------------- 6: long names

/// Issue 15 item 6. Observed: names of 238–255 bytes could not be downloaded: the
/// partial file `.<name>.partial-xxxxxxxx` went over the 255-byte limit. Expected: they
/// download, alone and recursively.
#[flavour]
#[flavour_test]
async fn names_of_up_to_255_bytes_download() {
    let scratch = Scratch::new("long-name");
    let name = format!("{}.txt", "n".repeat(251));
    assert_eq!(name.len(), 255);
    let key = format!("p/{name}");
    let mut server = mock_server().await;
    let _list = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects")
        .match_query(Matcher::Any)
        .with_body(listing(&[(&key, 4)], None))
        .create();
    let _get = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .with_body("long")
        .create();
    let client = storage_client_for(&server.url());
    client
        .buckets()
        .download("bkt_1", &key, &scratch.0)
        .await
        .unwrap();
    assert_eq!(std::fs::read(scratch.path(&name)).unwrap(), b"long");
    client
        .buckets()
        .download_with(
            "bkt_1",
            "p/",
            scratch.path("all"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(scratch.path("all").join(&name)).unwrap(),
        b"long"
    );
}

/// Issue 15 item 6 with multi-byte names (a review probe): 85 three-byte characters
/// (255 bytes) download through a recursive download from the emulator; the partial
/// name is cut on a character boundary.
#[flavour]
#[flavour_test]
async fn a_255_byte_name_of_three_byte_characters_downloads_recursively() {
    let emulator = podstack_emulator::Emulator::start();
    let client = emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("long-names"))
        .await
        .unwrap();
    let scratch = Scratch::new("long-utf8");
    let src = scratch.write("src.txt", b"content");
    let name = "€".repeat(85);
    assert_eq!(name.len(), 255);
    client
        .buckets()
        .upload(&bucket.id, &src, &format!("p/{name}"))
        .await
        .unwrap();
    let target = scratch.path("target");
    client
        .buckets()
        .download_with(
            &bucket.id,
            "p",
            &target,
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(target.join(&name)).unwrap(), b"content");
}

// ---------------------------------------------------------------- 7: dangling links

/// Issue 15 item 7. Observed: one dangling symbolic link aborted a whole recursive
/// upload or sync upload. Expected: it is skipped, reported in the summary and the
/// report, and the other files go up.
#[cfg(unix)]
#[flavour]
#[flavour_test]
async fn a_dangling_symlink_is_skipped_and_reported() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("dangling");
    scratch.write("src/a.txt", b"a");
    std::os::unix::fs::symlink(scratch.path("missing"), scratch.path("src/broken")).unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("dangling"))
        .await
        .unwrap();
    let summary = client
        .buckets()
        .upload_with(
            &bucket.id,
            scratch.path("src"),
            "up/",
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(summary.files, 1, "{summary:?}");
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");
    assert!(summary.skipped[0].path.ends_with("broken"), "{summary:?}");
    assert!(matches!(
        summary.skipped[0].reason,
        SkipReason::DanglingSymlink
    ));
    let report = client
        .buckets()
        .sync(
            &bucket.id,
            scratch.path("src"),
            "synced/",
            &SyncOptions::new(SyncDirection::Upload).delete(true),
        )
        .await
        .unwrap();
    assert_eq!(report.copied, ["a.txt"], "{report:?}");
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].path, "broken");
}

// ---------------------------------------------------------------- 8: links in the target

/// Issue 15 item 8. Observed: a key `sl/link/x.txt`, where `target/sl/link` is an
/// existing symbolic link to a directory outside the target, was written outside the
/// target. Expected: nothing is written outside; the key is skipped with its reason.
#[cfg(unix)]
#[flavour]
#[flavour_test]
async fn keys_are_never_written_through_a_symlink_inside_the_target() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("through-link");
    let file = scratch.write("one.txt", b"1");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("through-link"))
        .await
        .unwrap();
    for key in ["p/sl/link/x.txt", "p/ok.txt"] {
        client
            .buckets()
            .upload(&bucket.id, &file, key)
            .await
            .unwrap();
    }
    std::fs::create_dir_all(scratch.path("outside")).unwrap();
    std::fs::create_dir_all(scratch.path("out/sl")).unwrap();
    std::os::unix::fs::symlink(scratch.path("outside"), scratch.path("out/sl/link")).unwrap();

    let summary = client
        .buckets()
        .download_with(
            &bucket.id,
            "p/",
            scratch.path("out"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(summary.files, 1, "{summary:?}");
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");
    assert!(matches!(
        summary.skipped[0].reason,
        SkipReason::ThroughSymlink { .. }
    ));
    let report = client
        .buckets()
        .sync(
            &bucket.id,
            scratch.path("out"),
            "p/",
            &SyncOptions::new(SyncDirection::Download).delete(true),
        )
        .await
        .unwrap();
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(report.deleted.is_empty(), "{report:?}");
    assert_eq!(files_in(&scratch.path("outside")), Vec::<String>::new());
    assert_eq!(files_in(&scratch.path("out")), ["ok.txt", "sl/link"]);
}

/// Issue 15 item 8 for pods: a pod's recursive download follows the same rule, so a
/// path through a link inside the target is skipped and nothing is written outside.
#[cfg(unix)]
#[flavour]
#[flavour_test]
async fn a_pod_download_never_writes_through_a_symlink_inside_the_target() {
    let scratch = Scratch::new("pod-through-link");
    let mut server = mock_server().await;
    let _list = server
        .mock("GET", "/v1/pods/pod_1/files/list")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"entries":[{"path":"/workspace/d/sl/link/x.txt","size":1,"is_dir":false},
            {"path":"/workspace/d/sub","size":0,"is_dir":true},
            {"path":"/workspace/d/ok.txt","size":1,"is_dir":false}]}"#,
        )
        .create();
    let _get = server
        .mock("GET", "/v1/pods/pod_1/files")
        .match_query(Matcher::Any)
        .with_body("1")
        .create();
    std::fs::create_dir_all(scratch.path("outside")).unwrap();
    std::fs::create_dir_all(scratch.path("out/sl")).unwrap();
    std::os::unix::fs::symlink(scratch.path("outside"), scratch.path("out/sl/link")).unwrap();
    let summary = client_for(&server.url())
        .pods()
        .download_with(
            "pod_1",
            "/workspace/d",
            scratch.path("out"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!((summary.files, summary.bytes), (1, 1), "{summary:?}");
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");
    assert_eq!(summary.skipped[0].path, "sl/link/x.txt");
    assert!(matches!(
        summary.skipped[0].reason,
        SkipReason::ThroughSymlink { .. }
    ));
    assert!(scratch.path("out/sub").is_dir());
    assert_eq!(files_in(&scratch.path("outside")), Vec::<String>::new());
    assert_eq!(files_in(&scratch.path("out")), ["ok.txt", "sl/link"]);
}
