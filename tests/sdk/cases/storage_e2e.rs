// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use podstack::{
    Error, NewBucket, NewPod, NewVolume, ObjectQuery, SyncDirection, SyncOptions, TransferOptions,
    Visibility, VolumeMount,
};
use podstack_emulator::{Emulator, Fault};

const MIB: usize = 1024 * 1024;
const PART_ROUTE: &str = "PUT /platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}";
const DOWNLOAD_ROUTE: &str = "GET /platform/api/v1/buckets/{id}/objects/download";

/// A fresh scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "podstack-storage-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
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

/// Every file below `dir`, relative, `/`-separated: leftovers show up here.
fn files_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
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

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[flavour]
#[flavour_test]
async fn bucket_lifecycle_with_objects_and_a_non_empty_delete() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("lifecycle");
    let buckets = client.buckets();

    let bucket = buckets
        .create(&NewBucket::new("my-datasets").visibility(Visibility::Public))
        .await
        .unwrap();
    assert_eq!(bucket.visibility(), Visibility::Public);
    let listed = buckets.list().await.unwrap();
    assert!(listed.iter().any(|b| b.id == bucket.id));

    let data = scratch.write("data.csv", b"a,b\n1,2\n");
    let summary = buckets
        .upload(&bucket.id, &data, "datasets/data.csv")
        .await
        .unwrap();
    assert_eq!((summary.files, summary.bytes), (1, 8));
    let fetched = buckets.get(&bucket.id).await.unwrap();
    assert_eq!((fetched.object_count, fetched.size_bytes), (1, 8));

    let objects = buckets
        .list_objects(&bucket.id, &ObjectQuery::new().prefix("datasets/"))
        .await
        .unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(
        (objects[0].key.as_str(), objects[0].size_bytes),
        ("datasets/data.csv", 8)
    );

    buckets
        .download(&bucket.id, "datasets/data.csv", scratch.path("copy.csv"))
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(scratch.path("copy.csv")).unwrap(),
        b"a,b\n1,2\n"
    );

    let error = buckets.delete(&bucket.id).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(error.status_code(), Some(409));
    assert!(!error.message().is_empty());
    buckets.force_delete(&bucket.id).await.unwrap();
    let error = buckets.get(&bucket.id).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn an_unknown_key_is_not_found_and_leaves_no_file() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("unknown");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("empty-bucket"))
        .await
        .unwrap();
    let error = client
        .buckets()
        .download(&bucket.id, "no/such/key", scratch.path("out.bin"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(files_in(&scratch.0), Vec::<String>::new());
    let error = client
        .buckets()
        .delete_object(&bucket.id, "no/such/key")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn directories_go_up_and_come_back_under_their_keys() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("dirs");
    for (path, body) in [
        ("a.txt", "A"),
        ("sub/b.txt", "BB"),
        ("sub/deep/c.txt", "CCC"),
    ] {
        scratch.write(&format!("up/{path}"), body.as_bytes());
    }
    let bucket = client
        .buckets()
        .create(&NewBucket::new("dirs"))
        .await
        .unwrap();
    let done = Arc::new(Mutex::new(Vec::new()));
    let seen = done.clone();
    let options = TransferOptions::new()
        .recursive(true)
        .on_file_done(move |key, bytes| seen.lock().unwrap().push((key.to_owned(), bytes)));
    let summary = client
        .buckets()
        .upload_with(&bucket.id, scratch.path("up"), "data/", &options)
        .await
        .unwrap();
    assert_eq!((summary.files, summary.bytes), (3, 6));
    let mut done = done.lock().unwrap().clone();
    done.sort();
    assert_eq!(
        done,
        [
            ("data/a.txt".to_owned(), 1),
            ("data/sub/b.txt".to_owned(), 2),
            ("data/sub/deep/c.txt".to_owned(), 3)
        ]
    );
    // Read lazily, two keys per page.
    let buckets = client.buckets();
    let mut stream = buckets.list_objects_stream(&bucket.id, &ObjectQuery::new().max_keys(2));
    let mut keys = Vec::new();
    while let Some(object) = stream.next_item().await {
        keys.push(object.unwrap().key);
    }
    assert_eq!(
        keys,
        ["data/a.txt", "data/sub/b.txt", "data/sub/deep/c.txt"]
    );

    let summary = client
        .buckets()
        .download_with(
            &bucket.id,
            "data/sub",
            scratch.path("down"),
            &TransferOptions::new().recursive(true),
        )
        .await
        .unwrap();
    assert_eq!(summary.files, 2);
    assert_eq!(files_in(&scratch.path("down")), ["b.txt", "deep/c.txt"]);
    assert_eq!(
        std::fs::read(scratch.path("down/deep/c.txt")).unwrap(),
        b"CCC"
    );
}

#[flavour]
#[flavour_test]
async fn a_multipart_upload_retries_a_failed_part_and_assembles_the_file() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("multipart");
    let content = pattern(12 * MIB + 3);
    let file = scratch.write("big.bin", &content);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("big"))
        .await
        .unwrap();
    emulator.inject_on(
        PART_ROUTE,
        Fault::Status {
            status: 503,
            retry_after: None,
            count: 1,
        },
    );
    let progress = Arc::new(Mutex::new((0, 0)));
    let last = progress.clone();
    let options = TransferOptions::new()
        .multipart_threshold(MIB as u64)
        .part_size(5 * MIB as u64)
        .concurrency(3)
        .progress(move |done, total| *last.lock().unwrap() = (done, total));
    client
        .buckets()
        .upload_with(&bucket.id, &file, "models/big.bin", &options)
        .await
        .unwrap();
    assert_eq!(
        *progress.lock().unwrap(),
        (content.len() as u64, content.len() as u64)
    );
    let stats = emulator.stats();
    assert_eq!(
        stats.requests.get(PART_ROUTE),
        Some(&4),
        "3 parts, one sent twice"
    );
    assert_eq!(emulator.pending_multipart_uploads(), 0);

    // Back in parallel ranges into one file.
    let options = TransferOptions::new()
        .multipart_threshold(MIB as u64)
        .part_size(5 * MIB as u64)
        .concurrency(3);
    client
        .buckets()
        .download_with(
            &bucket.id,
            "models/big.bin",
            scratch.path("back.bin"),
            &options,
        )
        .await
        .unwrap();
    assert!(std::fs::read(scratch.path("back.bin")).unwrap() == content);
    let stats = emulator.stats();
    assert_eq!(
        stats.requests.get(DOWNLOAD_ROUTE),
        Some(&3),
        "one request per range"
    );
}

#[flavour]
#[flavour_test]
async fn a_failed_multipart_upload_is_aborted_and_leaves_nothing_behind() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("abort");
    let file = scratch.write("big.bin", &pattern(11 * MIB));
    let bucket = client
        .buckets()
        .create(&NewBucket::new("aborted"))
        .await
        .unwrap();
    emulator.inject_on(
        PART_ROUTE,
        Fault::Status {
            status: 400,
            retry_after: None,
            count: 100,
        },
    );
    let options = TransferOptions::new()
        .multipart_threshold(MIB as u64)
        .part_size(5 * MIB as u64);
    let error = client
        .buckets()
        .upload_with(&bucket.id, &file, "big.bin", &options)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Validation { .. }), "{error:?}");
    assert_eq!(emulator.pending_multipart_uploads(), 0);
    let objects = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert!(objects.is_empty(), "{objects:?}");
}

#[flavour]
#[flavour_test]
async fn a_broken_download_leaves_no_partial_file() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("broken");
    let file = scratch.write("src/data.bin", &pattern(3 * MIB));
    let bucket = client
        .buckets()
        .create(&NewBucket::new("broken"))
        .await
        .unwrap();
    client
        .buckets()
        .upload(&bucket.id, &file, "data.bin")
        .await
        .unwrap();
    emulator.inject_on(DOWNLOAD_ROUTE, Fault::Drop { count: 100 });
    let error = client
        .buckets()
        .download(&bucket.id, "data.bin", scratch.path("dst/data.bin"))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    std::fs::create_dir_all(scratch.path("dst")).unwrap();
    assert_eq!(files_in(&scratch.path("dst")), Vec::<String>::new());
}

#[flavour]
#[flavour_test]
async fn presigned_urls_work_without_the_token_until_they_expire() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("presigned");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("shared"))
        .await
        .unwrap();
    let upload = client
        .buckets()
        .presigned_upload_url(&bucket.id, "in/file.txt", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(upload.method, "PUT");
    // A client with no token at all can use it.
    let anonymous = Client::builder()
        .use_environment(false)
        .api_token("podstack_none_notatoken")
        .api_endpoint(emulator.endpoint())
        .build()
        .unwrap();
    let local = scratch.write("file.txt", b"hello");
    anonymous
        .presigned()
        .upload(&upload.url, &local)
        .await
        .unwrap();
    let download = client
        .buckets()
        .presigned_download_url(&bucket.id, "in/file.txt", Duration::from_secs(600))
        .await
        .unwrap();
    anonymous
        .presigned()
        .download(&download.url, scratch.path("back.txt"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(scratch.path("back.txt")).unwrap(), b"hello");

    // A URL that lives 1 s (at most: the emulator rounds down) is refused after 2.1 s.
    let short = client
        .buckets()
        .presigned_download_url(&bucket.id, "in/file.txt", Duration::from_secs(1))
        .await
        .unwrap();
    // The emulator runs on its own threads: a plain sleep is fine in both clients.
    std::thread::sleep(Duration::from_millis(2_100));
    let error = anonymous
        .presigned()
        .download(&short.url, scratch.path("late.txt"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Permission { .. }), "{error:?}");
    assert!(!scratch.path("late.txt").exists());
}

#[flavour]
#[flavour_test]
async fn delete_many_reports_each_failure_copy_and_credentials() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("many");
    let buckets = client.buckets();
    let one = buckets.create(&NewBucket::new("one")).await.unwrap();
    let two = buckets.create(&NewBucket::new("two")).await.unwrap();
    let file = scratch.write("f.txt", b"data");
    for key in ["file1.txt", "file2.txt", "folder/file3.txt"] {
        buckets.upload(&one.id, &file, key).await.unwrap();
    }
    let copied = buckets
        .copy(&one.id, "file1.txt", &two.id, "backup/file1.txt")
        .await
        .unwrap();
    assert_eq!(
        (copied.key.as_str(), copied.size_bytes),
        ("backup/file1.txt", 4)
    );

    let report = buckets
        .delete_objects(&one.id, &["file1.txt", "missing.txt", "folder/file3.txt"])
        .await
        .unwrap();
    assert_eq!(report.deleted, ["file1.txt", "folder/file3.txt"]);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].path, "missing.txt");
    let left = buckets
        .list_objects(&one.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert_eq!(left.len(), 1);

    let creds = buckets.credentials(&one.id).await.unwrap();
    assert!(!creds.access_key.is_empty() && !creds.secret_key.is_empty());
    assert!(!format!("{creds:?}").contains(&creds.secret_key));
}

#[flavour]
#[flavour_test]
async fn sync_copies_only_new_or_changed_files_both_ways() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let scratch = Scratch::new("sync");
    for i in 0..10 {
        scratch.write(&format!("local/f{i}.txt"), format!("file {i}").as_bytes());
    }
    scratch.write("local/skip.tmp", b"scratch");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("sync"))
        .await
        .unwrap();
    let buckets = client.buckets();
    let up = SyncOptions::new(SyncDirection::Upload).exclude("*.tmp");

    let report = buckets
        .sync(&bucket.id, scratch.path("local"), "data/", &up)
        .await
        .unwrap();
    assert_eq!((report.copied.len(), report.excluded), (10, 1));
    let report = buckets
        .sync(&bucket.id, scratch.path("local"), "data/", &up)
        .await
        .unwrap();
    assert_eq!((report.copied.len(), report.unchanged), (0, 10));

    scratch.write("local/f3.txt", b"file 3, now longer");
    scratch.write("local/new.txt", b"new");
    std::fs::remove_file(scratch.path("local/f9.txt")).unwrap();
    let plan = buckets
        .sync(
            &bucket.id,
            scratch.path("local"),
            "data/",
            &up.clone().delete(true).dry_run(true),
        )
        .await
        .unwrap();
    assert_eq!(plan.copied, ["f3.txt", "new.txt"]);
    assert_eq!(plan.deleted, ["f9.txt"]);
    assert!(plan.dry_run);
    let still = buckets
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert_eq!(still.len(), 10, "a dry run changes nothing");

    emulator.reset_stats();
    let report = buckets
        .sync(
            &bucket.id,
            scratch.path("local"),
            "data/",
            &up.clone().delete(true),
        )
        .await
        .unwrap();
    assert_eq!(report.copied, ["f3.txt", "new.txt"]);
    assert_eq!(report.deleted, ["f9.txt"]);
    let uploads = emulator
        .stats()
        .requests
        .get("POST /platform/api/v1/buckets/{id}/objects")
        .copied();
    assert_eq!(uploads, Some(2));

    let down = SyncOptions::new(SyncDirection::Download);
    let report = buckets
        .sync(&bucket.id, scratch.path("mirror"), "data/", &down)
        .await
        .unwrap();
    assert_eq!(report.copied.len(), 10);
    assert_eq!(
        std::fs::read(scratch.path("mirror/f3.txt")).unwrap(),
        b"file 3, now longer"
    );
    let report = buckets
        .sync(&bucket.id, scratch.path("mirror"), "data/", &down)
        .await
        .unwrap();
    assert_eq!(report.copied.len(), 0);
}

#[flavour]
#[flavour_test]
async fn volumes_grow_only_and_cannot_be_deleted_while_a_pod_mounts_them() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let volumes = client.volumes();
    let volume = volumes
        .create(&NewVolume::new("shared-data", 100))
        .await
        .unwrap();
    assert!(volume.nfs_enabled);
    assert!(!volume.nfs_server.is_empty() && !volume.nfs_path.is_empty());
    let listed = volumes.list().await.unwrap();
    assert!(listed.iter().any(|v| v.id == volume.id));

    let error = volumes.resize(&volume.id, 50).await.unwrap_err();
    assert!(matches!(error, Error::Validation { .. }), "{error:?}");
    let grown = volumes.resize(&volume.id, 200).await.unwrap();
    assert_eq!(grown.quota_gb, 200);
    let fetched = volumes.get(&volume.id).await.unwrap();
    assert_eq!(fetched.quota_gb, 200);

    let pod = client
        .pods()
        .create(
            &NewPod::new("training-pod", "pytorch/pytorch:latest")
                .gpu_type("A100")
                .volume(VolumeMount::new(&volume.id, "/data")),
        )
        .await
        .unwrap();
    assert_eq!(pod.volumes, [VolumeMount::new(&volume.id, "/data")]);
    let error = volumes.delete(&volume.id).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    client.pods().force_delete(&pod.id).await.unwrap();
    volumes.delete(&volume.id).await.unwrap();
    let error = volumes.get(&volume.id).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

/// The shipped Python package's defaults (empty description and region, no size
/// limit as 0, no quota as 0), sent through the SDK, are accepted by the emulator.
#[flavour]
#[flavour_test]
async fn the_shipped_package_s_defaults_are_accepted_through_the_sdk_too() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(
            &NewBucket::new("my-datasets")
                .description("")
                .region("")
                .versioning(false)
                .visibility(Visibility::Private)
                .max_size_gb(0),
        )
        .await
        .unwrap();
    assert_eq!(bucket.region, "us-east-1", "an empty region means unset");
    let volume = client
        .volumes()
        .create(&NewVolume::new("shared-data", 0))
        .await
        .unwrap();
    assert_eq!(volume.quota_gb, 0);
}
