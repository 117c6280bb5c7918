// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use mockito::Matcher;
use podstack::transfer::SkipReason;
use podstack::{Error, NewBucket, ObjectQuery, SyncDirection, SyncOptions, TransferOptions};
use podstack_emulator::Emulator;

const MIB: u64 = 1024 * 1024;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-review8-{name}-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn set_old_mtime(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

/// Observed: a sync up, then a sync down into the same unchanged directory, downloads
/// every file again (the object's `last_modified` is the upload time, newer than the
/// local file), and the reverse re-uploads everything (a download leaves the local file
/// with the download time). Expected: a round trip of unchanged files copies nothing
/// (e.g. compare the etag, or set the downloaded file's mtime to `last_modified`, or
/// record the source mtime in metadata).
#[flavour]
#[flavour_test]
async fn sync_round_trip_of_unchanged_files_copies_nothing() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("roundtrip");
    std::fs::write(dir.join("a.txt"), "alpha").unwrap();
    set_old_mtime(&dir.join("a.txt"));
    let bucket = client
        .buckets()
        .create(&NewBucket::new("roundtrip"))
        .await
        .unwrap();
    let up = SyncOptions::new(SyncDirection::Upload);
    let down = SyncOptions::new(SyncDirection::Download);
    let first = client
        .buckets()
        .sync(&bucket.id, &dir, "data/", &up)
        .await
        .unwrap();
    assert_eq!(first.copied, ["a.txt"]);
    // Nothing changed anywhere: neither direction should copy.
    let back = client
        .buckets()
        .sync(&bucket.id, &dir, "data/", &down.clone().dry_run(true))
        .await
        .unwrap();
    assert!(
        back.copied.is_empty(),
        "download sync re-copies unchanged files: {back:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Observed: a recursive download of a prefix whose listing holds an S3 "folder
/// marker" (a zero-byte key ending in `/`, as consoles and `aws s3api put-object
/// --key dir/` make) fails as a whole with `Io` "the server listed "data/sub/", which
/// is not inside "data/"". `sync` skips such keys. Expected: markers are skipped (or
/// make an empty directory), the other objects download.
#[flavour]
#[flavour_test]
async fn recursive_download_skips_folder_markers() {
    let dir = scratch("markers");
    let mut server = mock_server().await;
    let _list = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"objects":[
            {"key":"data/","size_bytes":0,"etag":"e","last_modified":"2026-11-28T06:43:14Z"},
            {"key":"data/sub/","size_bytes":0,"etag":"e","last_modified":"2026-11-28T06:43:14Z"},
            {"key":"data/sub/a.txt","size_bytes":1,"etag":"e","last_modified":"2026-11-28T06:43:14Z"}],
            "is_truncated":false}"#,
        )
        .create();
    let _get = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .with_body("a")
        .create();
    let result = storage_client_for(&server.url())
        .buckets()
        .download_with(
            "bkt_1",
            "data/",
            dir.join("out"),
            &TransferOptions::new().recursive(true),
        )
        .await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(std::fs::read(dir.join("out/sub/a.txt")).unwrap(), b"a");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Observed: the progress callback of a multipart upload (parts in flight at once) sees
/// `done` go backwards (e.g. 1835008 then 1703936): the counter is bumped atomically
/// but reported outside any order. An indicatif bar jumps back. Expected: `done` never
/// decreases except on a retried part.
#[flavour]
#[flavour_test]
async fn multipart_progress_never_goes_backwards() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("progress");
    let file = dir.join("big.bin");
    std::fs::write(&file, vec![5u8; 30 * MIB as usize]).unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("progress"))
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = TransferOptions::new()
        .multipart_threshold(MIB)
        .part_size(5 * MIB)
        .concurrency(6)
        .progress(move |done, _| {
            // A callback that takes a moment (drawing a bar, logging) widens the race.
            std::thread::sleep(Duration::from_micros(300));
            sink.lock().unwrap().push(done)
        });
    client
        .buckets()
        .upload_with(&bucket.id, &file, "big.bin", &options)
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    let backwards: Vec<_> = seen.windows(2).filter(|w| w[1] < w[0]).collect();
    assert!(
        backwards.is_empty(),
        "{} reports went backwards, e.g. {:?}",
        backwards.len(),
        backwards.first()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Observed: a ranged download accepts later ranges whose `Content-Range` names another
/// total (the object was replaced between requests) or another range, and writes a file
/// stitched from two versions; no `If-Match`/etag pins the version. Expected: each 206
/// must carry the requested `start-end` and the first answer's total (and ideally the
/// requests send `If-Match` with the first answer's ETag), else the download fails and
/// leaves no file.
#[flavour]
#[flavour_test]
async fn ranges_from_a_replaced_object_are_refused() {
    let dir = scratch("torn-version");
    let part = 5 * MIB;
    let total = 2 * part;
    let mut server = mock_server().await;
    let _first = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", format!("bytes=0-{}", part - 1).as_str())
        .with_status(206)
        .with_header("content-range", &format!("bytes 0-{}/{total}", part - 1))
        .with_header("etag", "\"v1\"")
        .with_body(vec![1u8; part as usize])
        .create();
    // The second range comes from a new, bigger version of the object.
    let _second = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", format!("bytes={part}-{}", total - 1).as_str())
        .with_status(206)
        .with_header(
            "content-range",
            &format!("bytes {part}-{}/{}", total - 1, 3 * part),
        )
        .with_header("etag", "\"v2\"")
        .with_body(vec![2u8; part as usize])
        .create();
    let options = TransferOptions::new()
        .multipart_threshold(0)
        .part_size(part);
    let result = storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "k", dir.join("k"), &options)
        .await;
    assert!(
        result.is_err(),
        "a file stitched from two versions was accepted: {result:?}"
    );
    assert!(
        matches!(&result, Err(e @ Error::Integrity { .. }) if !e.is_transient()),
        "{result:?}"
    );
    assert!(!dir.join("k").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Observed: `upload` strips a leading `/` from the key ("/lead.txt" is stored as
/// "lead.txt"), but `download`, `delete_object`, `presigned_*_url` and `copy` send the
/// key as given, so the same key string uploads and then 404s. Expected: one rule for
/// keys in every call (strip everywhere, or nowhere).
#[flavour]
#[flavour_test]
async fn a_key_with_a_leading_slash_round_trips() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("leading");
    std::fs::write(dir.join("f.txt"), "f").unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("leading"))
        .await
        .unwrap();
    client
        .buckets()
        .upload(&bucket.id, dir.join("f.txt"), "/lead.txt")
        .await
        .unwrap();
    let got = client
        .buckets()
        .download(&bucket.id, "/lead.txt", dir.join("back.txt"))
        .await;
    assert!(
        got.is_ok(),
        "uploaded as \"/lead.txt\", download of the same key: {got:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Observed: an exclude written as a directory with a trailing slash (`cache/`, as in
/// rsync and .gitignore) matches nothing and the directory is synced (and with
/// `delete(true)` a remote `cache/` is deleted). Expected: `cache/` excludes the
/// directory, or `exclude` rejects the pattern with a Config error saying to write
/// `cache` or `cache/**`.
#[flavour]
#[flavour_test]
async fn an_exclude_with_a_trailing_slash_excludes_the_directory() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("excl");
    std::fs::create_dir_all(dir.join("cache")).unwrap();
    std::fs::write(dir.join("cache/blob.bin"), "x").unwrap();
    std::fs::write(dir.join("keep.txt"), "k").unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("excl"))
        .await
        .unwrap();
    let options = SyncOptions::new(SyncDirection::Upload).exclude("cache/");
    let plan = client
        .buckets()
        .sync(&bucket.id, &dir, "p/", &options.dry_run(true))
        .await
        .unwrap();
    assert_eq!(plan.copied, ["keep.txt"], "{plan:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// keys with spaces, unicode, `?`, `#`, `%`, `+`, `&` round-trip
/// through upload, list, download, presign and delete on the emulator.
#[flavour]
#[flavour_test]
async fn probe_odd_keys_round_trip() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("oddkeys");
    std::fs::write(dir.join("f.txt"), "odd").unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("oddkeys"))
        .await
        .unwrap();
    let keys = [
        "a b/ü ñ 日本.txt",
        "q?x=1&y=2#frag.txt",
        "p%20c%2F+d.txt",
        "..x/..y",
    ];
    for key in keys {
        client
            .buckets()
            .upload(&bucket.id, dir.join("f.txt"), key)
            .await
            .unwrap();
    }
    let listed: Vec<String> = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    for key in keys {
        assert!(listed.iter().any(|k| k == key), "{key} not in {listed:?}");
        client
            .buckets()
            .download(&bucket.id, key, dir.join("back"))
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.join("back")).unwrap(), b"odd", "{key}");
        let url = client
            .buckets()
            .presigned_download_url(&bucket.id, key, Duration::from_secs(60))
            .await
            .unwrap();
        client
            .presigned()
            .download(&url.url, dir.join("viaurl"))
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.join("viaurl")).unwrap(), b"odd", "{key}");
    }
    let got = client
        .buckets()
        .download_with(
            &bucket.id,
            "",
            dir.join("all"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(got.files, keys.len() as u64);
    for key in keys {
        client
            .buckets()
            .delete_object(&bucket.id, key)
            .await
            .unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// a listing with keys that escape the target directory is refused
/// before anything is written.
#[flavour]
#[flavour_test]
async fn probe_escaping_listing_is_refused() {
    let dir = scratch("escape");
    for evil in ["data/../../evil.txt", "data//abs", "data/a/../../../x"] {
        let mut server = mock_server().await;
        let _list = server
            .mock("GET", "/platform/api/v1/buckets/bkt_1/objects")
            .match_query(Matcher::Any)
            .with_body(format!(
                r#"{{"objects":[{{"key":"{evil}","size_bytes":1,"etag":"e","last_modified":"2026-11-28T06:43:14Z"}}]}}"#
            ))
            .create();
        let _get = server
            .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
            .match_query(Matcher::Any)
            .with_body("E")
            .create();
        let out = dir.join("out");
        let result = storage_client_for(&server.url())
            .buckets()
            .download_with(
                "bkt_1",
                "data",
                &out,
                &TransferOptions::new().recursive(true),
            )
            .await;
        let sync = storage_client_for(&server.url())
            .buckets()
            .sync(
                "bkt_1",
                &out,
                "data",
                &SyncOptions::new(SyncDirection::Download),
            )
            .await;
        // Each is skipped with the reason, by both; nothing is written.
        let summary = result.unwrap();
        assert_eq!(
            (summary.files, summary.bytes),
            (0, 0),
            "{evil}: {summary:?}"
        );
        assert!(
            matches!(&summary.skipped[..], [one] if one.path == evil
                && matches!(one.reason, SkipReason::NoLocalName { .. })),
            "{evil}: {summary:?}"
        );
        let sync = sync.unwrap();
        assert!(
            sync.copied.is_empty() && sync.deleted.is_empty(),
            "{sync:?}"
        );
        assert!(
            matches!(&sync.skipped[..], [one]
                if matches!(one.reason, SkipReason::NoLocalName { .. })),
            "{evil}: {sync:?}"
        );
        assert!(!dir.join("evil.txt").exists() && !std::path::Path::new("/abs").exists());
        assert!(!std::path::Path::new(&dir)
            .parent()
            .unwrap()
            .join("x")
            .exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// a file that grows while its multipart upload is in flight.
#[flavour]
#[flavour_test]
async fn probe_file_growing_during_multipart() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("grow");
    let file = dir.join("big.bin");
    std::fs::write(&file, vec![5u8; 12 * MIB as usize]).unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("grow"))
        .await
        .unwrap();
    let path = file.clone();
    let grown = Arc::new(Mutex::new(false));
    let options = TransferOptions::new()
        .multipart_threshold(MIB)
        .part_size(5 * MIB)
        .concurrency(1)
        .progress(move |_, _| {
            let mut g = grown.lock().unwrap();
            if !*g {
                *g = true;
                use std::io::Write;
                let mut f = std::fs::File::options().append(true).open(&path).unwrap();
                f.write_all(&[9u8; 1000]).unwrap();
            }
        });
    let error = client
        .buckets()
        .upload_with(&bucket.id, &file, "big.bin", &options)
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.starts_with("file changed during upload: ")
            && shown.ends_with("big.bin it grew; the upload was stopped, not retried"),
        "{error:?}"
    );
    assert_eq!(emulator.pending_multipart_uploads(), 0);
    let objects = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert!(objects.is_empty(), "{objects:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// zero-byte file, a file exactly at the threshold, huge part size, concurrency
/// 0 and 1000, non-http presigned URLs.
#[flavour]
#[flavour_test]
async fn probe_edges() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("edges");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("edges"))
        .await
        .unwrap();
    std::fs::write(dir.join("zero"), b"").unwrap();
    client
        .buckets()
        .upload(&bucket.id, dir.join("zero"), "zero")
        .await
        .unwrap();
    client
        .buckets()
        .download(&bucket.id, "zero", dir.join("zero.back"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("zero.back")).unwrap(), b"");
    let exact = vec![3u8; 5 * MIB as usize];
    std::fs::write(dir.join("exact"), &exact).unwrap();
    for options in [
        TransferOptions::new().multipart_threshold(5 * MIB),
        TransferOptions::new()
            .multipart_threshold(5 * MIB)
            .part_size(u64::MAX),
        TransferOptions::new()
            .multipart_threshold(1)
            .part_size(1)
            .concurrency(0),
        TransferOptions::new()
            .multipart_threshold(1)
            .concurrency(1000),
    ] {
        client
            .buckets()
            .upload_with(&bucket.id, dir.join("exact"), "exact", &options.clone())
            .await
            .unwrap();
        client
            .buckets()
            .download_with(&bucket.id, "exact", dir.join("exact.back"), &options)
            .await
            .unwrap();
        assert!(std::fs::read(dir.join("exact.back")).unwrap() == exact);
    }
    assert_eq!(emulator.pending_multipart_uploads(), 0);
    for url in [
        "ftp://h/k?sig=SECRETSIG",
        "file:///etc/passwd?sig=SECRETSIG",
        "/relative?sig=SECRETSIG",
        "javascript:alert(1)",
    ] {
        let e = client
            .presigned()
            .download(url, dir.join("x"))
            .await
            .unwrap_err();
        assert!(!format!("{e}{e:?}").contains("SECRETSIG"), "{e:?}");
    }
    // A presigned URL to a closed port: does the network error quote the signature?
    let e = client
        .presigned()
        .download("http://127.0.0.1:9/k?X-Signature=SECRETSIG", dir.join("x"))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "could not connect to 127.0.0.1:9: check the endpoint and the network"
    );
    assert!(!format!("{e}{e:?}").contains("SECRETSIG"), "{e:?}");
    let e = client
        .presigned()
        .upload(
            "http://127.0.0.1:9/k?X-Signature=SECRETSIG",
            dir.join("exact"),
        )
        .await
        .unwrap_err();
    assert!(!format!("{e}{e:?}").contains("SECRETSIG"), "{e:?}");
    let e = client
        .presigned()
        .download("http://bad host/k?X-Signature=SECRETSIG", dir.join("x"))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("could not build the HTTP request: "),
        "{e:?}"
    );
    assert!(!format!("{e}{e:?}").contains("SECRETSIG"), "{e:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// sync corner cases (prefix without slash, empty prefix, missing local dir,
/// delete semantics both ways).
#[flavour]
#[flavour_test]
async fn probe_sync_corners() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("synccorners");
    std::fs::create_dir_all(dir.join("src/d")).unwrap();
    std::fs::write(dir.join("src/a.txt"), "a").unwrap();
    std::fs::write(dir.join("src/d/b.txt"), "b").unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("corners"))
        .await
        .unwrap();
    std::fs::write(dir.join("other.txt"), "o").unwrap();
    client
        .buckets()
        .upload(&bucket.id, dir.join("other.txt"), "database/keep.txt")
        .await
        .unwrap();
    client
        .buckets()
        .upload(&bucket.id, dir.join("other.txt"), "data/extra.txt")
        .await
        .unwrap();
    let opts = SyncOptions::new(SyncDirection::Upload).delete(true);
    let r = client
        .buckets()
        .sync(&bucket.id, dir.join("src"), "data", &opts)
        .await
        .unwrap();
    // "data" is the folder data/: extra.txt goes, database/keep.txt stays.
    assert_eq!(r.copied, ["a.txt", "d/b.txt"]);
    assert_eq!(r.deleted, ["extra.txt"]);
    let keys: Vec<_> = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert!(keys.contains(&"database/keep.txt".to_owned()), "{keys:?}");
    let e = client
        .buckets()
        .sync(&bucket.id, dir.join("nope"), "data", &opts)
        .await
        .unwrap_err();
    assert!(e.to_string().ends_with("nope is not a directory"), "{e:?}");
    let r = client
        .buckets()
        .sync(
            &bucket.id,
            dir.join("fresh/deep"),
            "data/",
            &SyncOptions::new(SyncDirection::Download),
        )
        .await
        .unwrap();
    // A download makes the missing directory.
    assert_eq!(r.copied, ["a.txt", "d/b.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("fresh/deep/d/b.txt")).unwrap(),
        "b"
    );
    let r = client
        .buckets()
        .sync(&bucket.id, dir.join("src"), "", &opts.clone().dry_run(true))
        .await
        .unwrap();
    // An empty prefix is the whole bucket: a dry run says all of it would go.
    assert!(r.dry_run);
    assert_eq!(r.copied, ["a.txt", "d/b.txt"]);
    assert_eq!(
        r.deleted,
        ["data/a.txt", "data/d/b.txt", "database/keep.txt"]
    );
    std::fs::write(dir.join("fresh/deep/local-only.txt"), "l").unwrap();
    let r = client
        .buckets()
        .sync(
            &bucket.id,
            dir.join("fresh/deep"),
            "data/",
            &SyncOptions::new(SyncDirection::Download).delete(true),
        )
        .await
        .unwrap();
    assert_eq!(r.deleted, ["local-only.txt"]);
    assert_eq!(r.unchanged, 2);
    assert!(r.copied.is_empty());
    assert!(!dir.join("fresh/deep/local-only.txt").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh empty directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Issue 16: presigned URLs go through the one transfer engine and report as they
/// always did: an upload reports its bytes when the file ends (an empty file `(0, 0)`),
/// and neither an upload nor a download reports a file to `on_file_done`.
#[flavour]
#[flavour_test]
async fn presigned_transfers_report_progress_as_before_and_no_file_done() {
    let mut server = mock_server().await;
    let _put = server
        .mock("PUT", "/bucket/empty.bin")
        .match_query(Matcher::Any)
        .with_status(200)
        .create();
    let _get = server
        .mock("GET", "/bucket/data.csv")
        .match_query(Matcher::Any)
        .with_body("a,b\n")
        .create();
    let dir = temp_dir("presigned-progress");
    let source = dir.join("empty.bin");
    std::fs::write(&source, "").unwrap();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let files = Arc::new(Mutex::new(Vec::new()));
    let (seen_reports, seen_files) = (reports.clone(), files.clone());
    let options = TransferOptions::new()
        .progress(move |done, total| seen_reports.lock().unwrap().push((done, total)))
        .on_file_done(move |name, bytes| seen_files.lock().unwrap().push((name.to_owned(), bytes)));
    let client = client_for(&server.url());

    let url = format!("{}/bucket/empty.bin?X-Signature=abc", server.url());
    let up = client
        .presigned()
        .upload_with(&url, &source, &options)
        .await
        .unwrap();
    assert_eq!((up.files, up.bytes), (1, 0));
    assert_eq!(*reports.lock().unwrap(), [(0, 0)]);
    let url = format!("{}/bucket/data.csv?X-Signature=abc", server.url());
    let down = client
        .presigned()
        .download_with(&url, dir.join("data.csv"), &options)
        .await
        .unwrap();
    assert_eq!((down.files, down.bytes), (1, 4));
    assert_eq!(reports.lock().unwrap().last(), Some(&(4, 4)));
    assert!(
        files.lock().unwrap().is_empty(),
        "{:?}",
        files.lock().unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn presigned_urls_are_fetched_and_put_without_the_token_or_project() {
    let mut server = mock_server().await;
    let get = server
        .mock("GET", "/bucket/data.csv")
        .match_query(Matcher::UrlEncoded("X-Signature".into(), "abc".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-project-id", Matcher::Missing)
        .with_body("a,b\n1,2\n")
        .create();
    let put = server
        .mock("PUT", "/bucket/up.bin")
        .match_query(Matcher::UrlEncoded("X-Signature".into(), "abc".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-project-id", Matcher::Missing)
        .match_header("content-length", "5")
        .match_body("hello")
        .with_status(200)
        .create();
    // The client has a project, so the absence of the header is meaningful.
    let client = builder_for(&server.url())
        .project_id("proj_1")
        .build()
        .unwrap();
    let dir = temp_dir("presigned");

    let target = dir.join("data.csv");
    let got = client
        .presigned()
        .download(
            &format!("{}/bucket/data.csv?X-Signature=abc", server.url()),
            &target,
        )
        .await
        .unwrap();
    let source = dir.join("up.bin");
    std::fs::write(&source, "hello").unwrap();
    client
        .presigned()
        .upload(
            &format!("{}/bucket/up.bin?X-Signature=abc", server.url()),
            &source,
        )
        .await
        .unwrap();

    get.assert();
    put.assert();
    assert_eq!(got.bytes, 8);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "a,b\n1,2\n");
    let error = client
        .presigned()
        .download("ftp://example.com/x", dir.join("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn a_failed_presigned_download_leaves_no_file() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/bucket/gone")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
        .create();
    let client = client_for(&server.url());
    let dir = temp_dir("presigned-expired");

    let error = client
        .presigned()
        .download(
            &format!("{}/bucket/gone?sig=1", server.url()),
            dir.join("gone"),
        )
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Permission { .. }), "{error:?}");
    assert_eq!(error.status_code(), Some(403));
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn a_file_that_shrinks_or_grows_during_upload_is_an_io_error_and_not_retried() {
    for grow in [false, true] {
        let mut server = mock_server().await;
        let mock = server
            .mock("PUT", "/v1/pods/pod_1/files")
            .match_query(Matcher::Any)
            .with_status(204)
            .expect_at_most(1)
            .create();
        let dir = temp_dir(if grow { "grows" } else { "shrinks" });
        let file = dir.join("data.bin");
        std::fs::write(&file, vec![7u8; 4 * 1024 * 1024]).unwrap();
        let path = file.clone();
        let mut changed = false;
        let options = TransferOptions::new().progress(move |done, _| {
            // Change the file once, after the first piece has gone.
            if done > 0 && !changed {
                changed = true;
                let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                if grow {
                    f.set_len(8 * 1024 * 1024).unwrap();
                } else {
                    f.set_len(1024).unwrap();
                }
            }
        });

        let error = client_for(&server.url())
            .pods()
            .upload_with("pod_1", &file, "/workspace/data.bin", &options)
            .await
            .unwrap_err();

        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(
            error.message().contains("file changed during upload"),
            "{error}"
        );
        mock.assert();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
