//! A download that is stopped partway (a dropped or timed-out future in the async
//! client, a panicking progress callback unwinding through the blocking client) leaves
//! no partial file behind: the partial file's guard removes it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use podstack::TransferOptions;

/// A server that answers one request with the head and the first 64 KiB of a 1 MB
/// body, then holds the connection open, silent, until the returned sender is dropped.
fn stalling_server() -> (String, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head);
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n");
        let _ = socket.write_all(&[b'x'; 64 * 1024]);
        let _ = socket.flush();
        let _ = stopped.recv_timeout(Duration::from_secs(30));
    });
    (endpoint, stop)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-{name}-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

#[cfg(feature = "async")]
#[tokio::test]
async fn a_dropped_async_download_leaves_no_partial_file() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let (endpoint, _stop) = stalling_server();
    let client = podstack::nonblocking::Client::builder()
        .use_environment(false)
        .api_token(crate::support::TOKEN)
        .api_endpoint(&endpoint)
        .build()
        .unwrap();
    let dir = temp_dir("dropped-async");
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let options = TransferOptions::new().progress(move |done, _| {
        if done > 0 {
            flag.store(true, Ordering::SeqCst);
        }
    });

    let target = dir.join("model.pt");
    let task = tokio::spawn(async move {
        client
            .pods()
            .download_with("pod_1", "/workspace/model.pt", target, &options)
            .await
    });
    // Cancel once bytes are on disk (waiting on the flag, not on the clock).
    for _ in 0..2_000 {
        if started.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(started.load(Ordering::SeqCst), "bytes had been written");
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());

    assert!(
        is_empty(&dir),
        "left behind: {:?}",
        std::fs::read_dir(&dir).unwrap().collect::<Vec<_>>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "blocking")]
#[test]
fn a_blocking_download_unwound_by_a_panic_leaves_no_partial_file() {
    let (endpoint, _stop) = stalling_server();
    let client = podstack::Client::builder()
        .use_environment(false)
        .api_token(crate::support::TOKEN)
        .api_endpoint(&endpoint)
        .build()
        .unwrap();
    let dir = temp_dir("unwound-blocking");
    let options = TransferOptions::new().progress(|done, _| {
        if done > 0 {
            panic!("stop here");
        }
    });

    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        client.pods().download_with(
            "pod_1",
            "/workspace/model.pt",
            dir.join("model.pt"),
            &options,
        )
    }));

    assert!(
        outcome.is_err(),
        "the progress callback's panic unwound the call"
    );
    assert!(
        is_empty(&dir),
        "left behind: {:?}",
        std::fs::read_dir(&dir).unwrap().collect::<Vec<_>>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A multipart upload whose future is dropped partway is aborted on the server in the
/// background: no half-made upload is left behind.
#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_async_multipart_upload_is_aborted_on_the_server() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use podstack_emulator::{Emulator, Fault};

    let emulator = Emulator::start();
    let client = podstack::nonblocking::Client::builder()
        .use_environment(false)
        .api_token(emulator.token())
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .project_id(emulator.project_id())
        .build()
        .unwrap();
    let bucket = client
        .buckets()
        .create(&podstack::NewBucket::new("cancelled"))
        .await
        .unwrap();
    let dir = temp_dir("dropped-multipart");
    let file = dir.join("big.bin");
    std::fs::write(&file, vec![1u8; 12 << 20]).unwrap();
    // Parts hang long enough to cancel mid-upload.
    emulator.inject_on(
        "PUT /platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}",
        Fault::Stall {
            duration: Duration::from_secs(20),
            count: 100,
        },
    );
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let options = TransferOptions::new()
        .multipart_threshold(1 << 20)
        .part_size(5 << 20)
        .progress(move |done, _| {
            if done > 0 {
                flag.store(true, Ordering::SeqCst);
            }
        });
    let task = {
        let client = client.clone();
        let bucket = bucket.id.clone();
        tokio::spawn(async move {
            client
                .buckets()
                .upload_with(&bucket, &file, "big.bin", &options)
                .await
        })
    };
    for _ in 0..2_000 {
        if started.load(Ordering::SeqCst) && emulator.pending_multipart_uploads() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        emulator.pending_multipart_uploads(),
        1,
        "an upload was under way"
    );
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    // The abort goes out in the background; wait on the count, not the clock.
    for _ in 0..2_000 {
        if emulator.pending_multipart_uploads() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emulator.pending_multipart_uploads(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
