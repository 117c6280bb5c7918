//! Storage probes that differ by client: a panicking progress callback reaches the
//! caller (after the transfer stops and a multipart upload is aborted), and cancelled
//! transfers leave nothing behind.

use std::path::PathBuf;
#[cfg(feature = "async")]
use std::time::Duration;

use podstack::{NewBucket, TransferOptions};
use podstack_emulator::Emulator;

const MIB: u64 = 1024 * 1024;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-review8c-{name}-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(feature = "blocking")]
fn blocking_client(emulator: &Emulator) -> podstack::Client {
    podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(crate::support::fast_retries())
        .build()
        .unwrap()
}

#[cfg(feature = "async")]
fn async_client(emulator: &Emulator) -> podstack::nonblocking::Client {
    podstack::nonblocking::Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(crate::support::fast_retries())
        .build()
        .unwrap()
}

fn panicking_options() -> TransferOptions {
    TransferOptions::new()
        .multipart_threshold(MIB)
        .part_size(5 * MIB)
        .progress(|done, _| {
            if done > 2 * MIB {
                panic!("callback bug");
            }
        })
}

/// Probe: a panicking progress callback in the blocking client.
#[cfg(feature = "blocking")]
#[test]
fn blocking_panicking_progress_callback() {
    let emulator = Emulator::start();
    let client = blocking_client(&emulator);
    let dir = scratch("bpanic");
    std::fs::write(dir.join("big.bin"), vec![1u8; 12 * MIB as usize]).unwrap();
    let bucket = client.buckets().create(&NewBucket::new("bpanic")).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        client.buckets().upload_with(
            &bucket.id,
            dir.join("big.bin"),
            "big.bin",
            &panicking_options(),
        )
    }));
    // The panic reaches the caller: no result at all.
    assert!(
        outcome.is_err(),
        "the callback panicked, yet the upload returned"
    );
    assert_eq!(
        emulator.pending_multipart_uploads(),
        0,
        "upload left pending"
    );
    let objects = client
        .buckets()
        .list_objects(&bucket.id, &podstack::ObjectQuery::new())
        .unwrap();
    assert!(objects.is_empty(), "{objects:?}");
}

/// Observed (async): a progress callback that panics inside an upload does not reach the
/// caller: the panic happens where reqwest/hyper polls the body, the request fails as a
/// network error, is retried, the callback's mutex is poisoned so later reports are
/// silently dropped, and the upload *succeeds* — a bug in the caller's callback is
/// swallowed and progress stops without a word. Expected: as in the blocking client,
/// the panic reaches the caller (or the call fails with an error that names the
/// callback), and the upload is aborted.
#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_panicking_progress_callback_reaches_the_caller() {
    let emulator = Emulator::start();
    let client = async_client(&emulator);
    let dir = scratch("apanic");
    std::fs::write(dir.join("big.bin"), vec![1u8; 12 * MIB as usize]).unwrap();
    let bucket = client
        .buckets()
        .create(&NewBucket::new("apanic"))
        .await
        .unwrap();
    let task = {
        let client = client.clone();
        let id = bucket.id.clone();
        let path = dir.join("big.bin");
        tokio::spawn(async move {
            client
                .buckets()
                .upload_with(&id, path, "big.bin", &panicking_options())
                .await
        })
    };
    let outcome = task.await;
    // The panic reaches the caller: the spawned task ends in it.
    assert!(
        matches!(&outcome, Err(e) if e.is_panic()),
        "{:?}",
        outcome.as_ref().map(|r| r.as_ref().map(|_| ()))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        emulator.pending_multipart_uploads(),
        0,
        "upload left pending"
    );
    assert!(
        !matches!(outcome, Ok(Ok(_))),
        "the callback panicked, yet the upload reported success"
    );
}
