//! The `object-store` feature's store against the emulator's S3 door: `object_store`'s
//! own conformance tests (its `integration` module), then the door's auth and knobs.
//! Each test has its own emulator and bucket. Which conformance tests do not apply, and
//! why, is in features.md ("S3-compatible access").
#![cfg(all(feature = "object-store", feature = "async"))]

use std::time::{Duration, Instant};

use object_store::aws::{AmazonS3, S3CopyIfNotExists};
use object_store::integration;
use object_store::path::Path;
use object_store::ObjectStoreExt;
use podstack::nonblocking::Client;
use podstack::storage::S3Credentials;
use podstack::NewBucket;
use podstack_emulator::{Emulator, Fault};

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .build()
        .unwrap()
}

/// A new bucket and its credentials.
async fn bucket(client: &Client, name: &str) -> (String, S3Credentials) {
    let bucket = client
        .buckets()
        .create(&NewBucket::new(name))
        .await
        .unwrap();
    let credentials = client.buckets().credentials(&bucket.id).await.unwrap();
    (bucket.id, credentials)
}

/// A fresh bucket's store, made by `Buckets::object_store`.
async fn store(emulator: &Emulator, name: &str) -> AmazonS3 {
    let client = client(emulator);
    let (id, _) = bucket(&client, name).await;
    client.buckets().object_store(&id).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_reads_writes_and_lists() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-basic").await;
    integration::put_get_delete_list(&store).await;
    integration::list_uses_directories_correctly(&store).await;
    integration::list_with_delimiter(&store).await;
    integration::list_with_offset_exclusivity(&store).await;
    integration::list_paginated(&store, &store).await;
    integration::rename_and_copy(&store).await;
    let err = integration::get_nonexistent_object(&store, None)
        .await
        .unwrap_err();
    assert!(matches!(err, object_store::Error::NotFound { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_conditional_reads_and_writes() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-conditions").await;
    integration::get_opts(&store).await;
    // S3's conditional writes: If-None-Match: * and If-Match, under concurrent updates.
    integration::put_opts(&store, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_copy_if_not_exists_over_multipart() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (id, credentials) = bucket(&client, "conformance-copy").await;
    let name = client.buckets().get(&id).await.unwrap().name;
    // S3 offers copy-if-not-exists only as UploadPartCopy + a conditional
    // CompleteMultipartUpload; object_store needs to be told (its default refuses).
    let store = credentials
        .object_store_builder(&name)
        .unwrap()
        .with_copy_if_not_exists(S3CopyIfNotExists::Multipart)
        .build()
        .unwrap();
    integration::copy_if_not_exists(&store).await;
    integration::copy_rename_nonexistent_object(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_multipart_uploads() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-multipart").await;
    integration::stream_get(&store).await;
    integration::multipart(&store, &store).await;
    integration::multipart_out_of_order(&store).await;
    integration::multipart_race_condition(&store, true).await;
    assert_eq!(emulator.pending_multipart_uploads(), 0);
}

/// A store for bucket `name` with `base`'s endpoint and these keys and region.
fn store_with(
    base: &S3Credentials,
    name: &str,
    access: &str,
    secret: &str,
    region: &str,
) -> AmazonS3 {
    let mut credentials = base.clone();
    credentials.access_key = access.to_owned();
    credentials.secret_key = secret.to_owned();
    credentials.region = region.to_owned();
    credentials.object_store(name).unwrap()
}

#[tokio::test]
async fn a_buckets_keys_reach_that_bucket_only() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (_, mine) = bucket(&client, "mine").await;
    let (_, theirs) = bucket(&client, "theirs").await;
    let path = Path::from("a.txt");
    let good = mine.object_store("mine").unwrap();
    good.put(&path, "hello".into()).await.unwrap();

    let err_text = |e: object_store::Error| format!("{e}");
    // a wrong secret
    let wrong = store_with(
        &mine,
        "mine",
        &mine.access_key,
        "not-the-secret",
        &mine.region,
    );
    let e = err_text(wrong.get(&path).await.unwrap_err());
    assert!(e.contains("SignatureDoesNotMatch"), "{e}");
    // an unknown key
    let unknown = store_with(&mine, "mine", "PSAKNOBODY", &mine.secret_key, &mine.region);
    let e = err_text(unknown.get(&path).await.unwrap_err());
    assert!(e.contains("InvalidAccessKeyId"), "{e}");
    // another bucket's keys
    let other = theirs.object_store("mine").unwrap();
    let e = err_text(other.get(&path).await.unwrap_err());
    assert!(e.contains("AccessDenied"), "{e}");
    let e = err_text(other.put(&path, "overwrite".into()).await.unwrap_err());
    assert!(e.contains("AccessDenied"), "{e}");
    // a signature for another region than the bucket's
    let region = store_with(
        &mine,
        "mine",
        &mine.access_key,
        &mine.secret_key,
        "eu-west-1",
    );
    let e = err_text(region.get(&path).await.unwrap_err());
    assert!(
        e.contains("AuthorizationHeaderMalformed") && e.contains(&mine.region),
        "{e}"
    );
    // a bucket that does not exist
    let missing = mine.object_store("no-such-bucket").unwrap();
    let e = missing.get(&path).await.unwrap_err();
    assert!(matches!(e, object_store::Error::NotFound { .. }), "{e}");
    // nothing of that changed the object
    let bytes = good.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"hello");
}

#[tokio::test]
async fn faults_and_stats_apply_to_the_s3_door() {
    let emulator = Emulator::start();
    let store = store(&emulator, "knobs").await;
    let path = Path::from("k");
    store.put(&path, "v".into()).await.unwrap();
    emulator.reset_stats();
    emulator.inject_on(
        "S3 GetObject",
        Fault::Status {
            status: 503,
            retry_after: None,
            count: 2,
        },
    );
    // object_store retries S3's 503 SlowDown: the third attempt succeeds
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"v");
    assert_eq!(emulator.stats().requests.get("S3 GetObject"), Some(&3));
    // a dropped connection is retried too
    emulator.inject_on("S3 HeadObject", Fault::Drop { count: 1 });
    assert_eq!(store.head(&path).await.unwrap().size, 1);
    assert_eq!(emulator.stats().requests.get("S3 HeadObject"), Some(&2));
}

#[tokio::test]
async fn the_bandwidth_cap_applies_to_the_s3_door() {
    let emulator = Emulator::start();
    let store = store(&emulator, "capped").await;
    let path = Path::from("big");
    store.put(&path, vec![7u8; 60_000].into()).await.unwrap();
    emulator.set_bandwidth_per_connection(Some(100_000));
    // 60 kB at 100 kB/s takes at least 0.3 s on any machine (a lower bound only)
    let started = Instant::now();
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(bytes.len(), 60_000);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}
