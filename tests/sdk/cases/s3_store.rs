// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs). The
// store is async whichever client made it: `on_runtime` runs its calls on a runtime of
// their own, which works from a plain test and from inside `#[tokio::test]` alike.
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use object_store::aws::AmazonS3;
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, WriteMultipart};
use podstack::{NewBucket, ObjectQuery, SyncDirection, SyncOptions, TransferOptions};
use podstack_emulator::Emulator;

use crate::support::Proxy;

const MIB: usize = 1024 * 1024;

/// Runs a future to completion on a runtime of its own, on a thread of its own.
fn on_runtime<T: Send>(future: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(future)
            })
            .join()
            .unwrap()
    })
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-s3-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8 ^ seed).collect()
}

fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// The store's side of each case: plain async fns (the flavour macros would strip
// their `.await`s), run with `on_runtime`.

/// Reads an object through the store: its bytes and its metadata.
async fn read(store: &AmazonS3, key: &str) -> (bytes::Bytes, object_store::ObjectMeta) {
    let path = StorePath::from(key);
    let meta = store.head(&path).await.unwrap();
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    (bytes, meta)
}

/// Writes `parts` as one multipart upload through the store.
async fn put_multipart(store: &AmazonS3, key: &str, parts: &[Vec<u8>]) {
    let upload = store.put_multipart(&StorePath::from(key)).await.unwrap();
    let mut writer = WriteMultipart::new_with_chunk_size(upload, 5 * MIB);
    for part in parts {
        writer.write(part);
    }
    writer.finish().await.unwrap();
}

async fn put(store: &AmazonS3, key: &str, content: Vec<u8>) {
    store
        .put(&StorePath::from(key), content.into())
        .await
        .unwrap();
}

async fn delete(store: &AmazonS3, key: &str) {
    store.delete(&StorePath::from(key)).await.unwrap();
}

/// A client of the emulator's, built from `builder` (which ignores the environment).
fn emulator_builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
}

/// Whether `proxy` was asked for anything in bucket `name` (an S3 request: the
/// platform's own calls are under `/api/`).
fn proxied_s3(proxy: &Proxy, name: &str) -> bool {
    proxy
        .seen()
        .iter()
        .any(|p| p.request_line.contains(&format!("/{name}/")))
}

async fn head(store: &AmazonS3, key: &str) -> object_store::Result<object_store::ObjectMeta> {
    store.head(&StorePath::from(key)).await
}

#[flavour]
#[flavour_test]
async fn an_sdk_upload_reads_through_s3_and_an_s3_multipart_upload_through_the_sdk() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("doors");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("both-doors"))
        .await
        .unwrap();
    let store: AmazonS3 = client.buckets().object_store(&bucket.id).await.unwrap();

    // SDK → S3: a plain upload and a multipart one, read back through the store.
    let small = pattern(1000, 1);
    let big = pattern(10 * MIB + 17, 2);
    std::fs::write(dir.join("small.bin"), &small).unwrap();
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    client
        .buckets()
        .upload(&bucket.id, dir.join("small.bin"), "sdk/small.bin")
        .await
        .unwrap();
    let multipart = TransferOptions::new()
        .multipart_threshold(MIB as u64)
        .part_size(5 * MIB as u64);
    client
        .buckets()
        .upload_with(&bucket.id, dir.join("big.bin"), "sdk/big.bin", &multipart)
        .await
        .unwrap();
    let (got_small, small_meta) = on_runtime(read(&store, "sdk/small.bin"));
    let (got_big, big_meta) = on_runtime(read(&store, "sdk/big.bin"));
    assert_eq!(&got_small[..], &small[..]);
    assert_eq!(&got_big[..], &big[..]);
    // the same S3-style etags on both doors
    let listed = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new().prefix("sdk/"))
        .await
        .unwrap();
    let etag_of = |key: &str| {
        listed
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.etag.clone())
            .unwrap()
    };
    assert_eq!(etag_of("sdk/small.bin"), md5_hex(&small));
    assert_eq!(
        small_meta.e_tag.as_deref(),
        Some(format!("\"{}\"", md5_hex(&small)).as_str())
    );
    assert!(
        etag_of("sdk/big.bin").ends_with("-3"),
        "{}",
        etag_of("sdk/big.bin")
    );
    assert_eq!(
        big_meta.e_tag.unwrap().trim_matches('"'),
        etag_of("sdk/big.bin")
    );

    // S3 → SDK: a multipart upload through the store, listed and downloaded by the SDK.
    let parts = [pattern(5 * MIB, 3), pattern(5 * MIB, 4), pattern(123, 5)];
    on_runtime(put_multipart(&store, "s3/parts.bin", &parts));
    let whole = parts.concat();
    let listed = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new().prefix("s3/"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].key.as_str(), listed[0].size_bytes),
        ("s3/parts.bin", whole.len() as u64)
    );
    assert!(listed[0].etag.ends_with("-3"), "{}", listed[0].etag);
    client
        .buckets()
        .download(&bucket.id, "s3/parts.bin", dir.join("parts.bin"))
        .await
        .unwrap();
    assert!(std::fs::read(dir.join("parts.bin")).unwrap() == whole);
    assert_eq!(emulator.pending_multipart_uploads(), 0);

    // deleting through S3 removes it for the SDK, and the reverse
    on_runtime(delete(&store, "s3/parts.bin"));
    client
        .buckets()
        .delete_object(&bucket.id, "sdk/small.bin")
        .await
        .unwrap();
    let left = client
        .buckets()
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert_eq!(
        left.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(),
        ["sdk/big.bin"]
    );
    let gone = on_runtime(head(&store, "sdk/small.bin"));
    assert!(
        matches!(gone, Err(object_store::Error::NotFound { .. })),
        "{gone:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[flavour]
#[flavour_test]
async fn sync_finds_an_s3_upload_unchanged_by_its_md5_etag() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let dir = scratch("sync");
    let bucket = client
        .buckets()
        .create(&NewBucket::new("sync-etag"))
        .await
        .unwrap();
    let store = client.buckets().object_store(&bucket.id).await.unwrap();
    let same = pattern(4096, 6);
    on_runtime(put(&store, "data/same.bin", same.clone()));
    on_runtime(put(&store, "data/edited.bin", pattern(4096, 7)));
    // Local copies of the same size and a newer time: only the content can tell them.
    let later = SystemTime::now() + Duration::from_secs(3600);
    for (name, content) in [("same.bin", same), ("edited.bin", pattern(4096, 8))] {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    let options = SyncOptions::new(SyncDirection::Upload).dry_run(true);
    let report = client
        .buckets()
        .sync(&bucket.id, &dir, "data/", &options)
        .await
        .unwrap();
    assert_eq!(report.copied, ["edited.bin"]);
    assert_eq!(report.unchanged, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Features.md Reliability row 12 ("plain http to this machine never goes through a
/// proxy") for the store too: a proxy elsewhere, read from the environment by the
/// client or given to `.proxy()`, never sees the store's loopback S3 traffic (signed
/// with the bucket's keys, in plain http). The review found the store's reqwest client
/// reading `HTTP_PROXY` itself.
#[flavour]
#[flavour_test]
async fn the_store_keeps_loopback_traffic_off_a_proxy_elsewhere() {
    let emulator = Emulator::start();
    let proxy = Proxy::start_elsewhere();
    let from_environment = emulator_builder(&emulator)
        .proxy_environment([("HTTP_PROXY", proxy.url()), ("ALL_PROXY", proxy.url())]);
    let explicit = emulator_builder(&emulator).proxy(proxy.url());
    for (builder, name) in [(from_environment, "env-proxy"), (explicit, "set-proxy")] {
        let client = builder.build().unwrap();
        let bucket = client
            .buckets()
            .create(&NewBucket::new(name))
            .await
            .unwrap();
        let store = client.buckets().object_store(&bucket.id).await.unwrap();
        on_runtime(put(&store, "a.txt", b"hello".to_vec()));
        let (bytes, _) = on_runtime(read(&store, "a.txt"));
        assert_eq!(&bytes[..], b"hello");
    }
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
}

/// The store follows its client's proxy choice: a proxy on this machine given to
/// `.proxy()`, or read from the environment by the client, carries the store's S3
/// requests as it carries the client's own; `.no_proxy()` sends them direct whatever
/// the environment says.
#[flavour]
#[flavour_test]
async fn the_store_follows_the_client_s_proxy_choice() {
    let emulator = Emulator::start();
    let cases = [
        ("explicit", Some(true), true),
        ("environment", None, true),
        ("disabled", Some(false), false),
    ];
    for (name, explicit, through) in cases {
        let proxy = Proxy::start();
        let builder = match explicit {
            Some(true) => emulator_builder(&emulator).proxy(proxy.url()),
            Some(false) => emulator_builder(&emulator)
                .proxy_environment([("HTTP_PROXY", proxy.url())])
                .no_proxy(),
            None => emulator_builder(&emulator).proxy_environment([("HTTP_PROXY", proxy.url())]),
        };
        let client = builder.build().unwrap();
        let bucket = client
            .buckets()
            .create(&NewBucket::new(name))
            .await
            .unwrap();
        let store = client.buckets().object_store(&bucket.id).await.unwrap();
        on_runtime(put(&store, "a.txt", b"hello".to_vec()));
        let (bytes, _) = on_runtime(read(&store, "a.txt"));
        assert_eq!(&bytes[..], b"hello", "{name}");
        assert_eq!(
            proxied_s3(&proxy, name),
            through,
            "{name}: {:?}",
            proxy.seen()
        );
        if !through {
            assert!(proxy.seen().is_empty(), "{name}: {:?}", proxy.seen());
        }
    }
}
