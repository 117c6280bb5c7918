//! Review 18: probes of issue 18's implementation, written cold from the README.
//! Each test states what should happen; a failing one is a finding.
#![allow(deprecated)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use podstack::{Client, Error, NewBucket, ObjectQuery};
use podstack_emulator::{Emulator, Fault};

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .project_id(emulator.project_id())
        .api_token(emulator.token())
        .build()
        .expect("client")
}

fn bucket(client: &Client) -> String {
    client
        .buckets()
        .create(&NewBucket::new("review18"))
        .expect("bucket")
        .id
}

/// A server that accepts connections and records the first bytes of each, answering
/// nothing useful (so a test can see whether anything was sent).
#[allow(dead_code)]
fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .ok();
            let mut buf = vec![0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            seen2
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        }
    });
    (format!("{port}"), seen)
}

// ---- the new user's programs -------------------------------------------------------

#[test]
fn newuser_blocking_storage_script_from_readme() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let buckets = client.buckets();
    let id = bucket(&client);
    for i in 0..30 {
        buckets
            .put_object(&id, &format!("items/{i}.txt"), format!("item {i}"))
            .unwrap();
    }
    let objects = buckets
        .list_objects(&id, &ObjectQuery::new().prefix("items/"))
        .unwrap();
    assert_eq!(objects.len(), 30);
    let bytes: Vec<u8> = buckets.get_object(&id, "items/7.txt").unwrap().to_vec();
    assert_eq!(bytes, b"item 7");
}

// ---- item 3: objects to and from memory ------------------------------------------------

#[test]
fn get_object_over_the_cap_names_the_cap() {
    let emulator = Emulator::start();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .project_id(emulator.project_id())
        .api_token(emulator.token())
        .max_response_body(1000)
        .build()
        .unwrap();
    let id = bucket(&client);
    client
        .buckets()
        .put_object(&id, "big.bin", vec![7u8; 5000])
        .unwrap();
    let error = client.buckets().get_object(&id, "big.bin").unwrap_err();
    let text = format!("{error}");
    eprintln!("{error:?}");
    assert!(text.contains("max_response_body"), "{text}");
    assert!(
        text.contains("1000"),
        "the cap's value should be named: {text}"
    );
    // At the cap exactly: it fits.
    client
        .buckets()
        .put_object(&id, "fits.bin", vec![7u8; 1000])
        .unwrap();
    assert_eq!(
        client.buckets().get_object(&id, "fits.bin").unwrap().len(),
        1000
    );
}

#[test]
fn upload_reader_short_reader_is_io_and_stores_nothing() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    let error = client
        .buckets()
        .upload_reader(
            &id,
            "short.bin",
            std::io::Cursor::new(vec![1u8; 10]),
            Some(20),
        )
        .unwrap_err();
    eprintln!("{error:?}");
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    let listed = client
        .buckets()
        .list_objects(&id, &ObjectQuery::new())
        .unwrap();
    assert!(listed.is_empty(), "a short upload left {listed:?}");
}

struct FailingWriter {
    calls: Arc<Mutex<u32>>,
}
impl Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        *self.calls.lock().unwrap() += 1;
        Err(std::io::Error::other("disk full"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn download_to_writer_with_a_failing_writer_fails_once_with_io() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    client
        .buckets()
        .put_object(&id, "a.bin", vec![1u8; 100_000])
        .unwrap();
    emulator.reset_stats();
    let calls = Arc::new(Mutex::new(0));
    let started = std::time::Instant::now();
    let error = client
        .buckets()
        .download_to_writer(
            &id,
            "a.bin",
            FailingWriter {
                calls: calls.clone(),
            },
        )
        .unwrap_err();
    eprintln!("{error:?} {error}");
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(format!("{error:#}").contains("disk full"), "{error:#}");
    assert_eq!(
        *calls.lock().unwrap(),
        1,
        "the writer's failure was retried"
    );
    let gets: u64 = emulator
        .stats()
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with("GET"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(
        gets,
        1,
        "a local write failure should not fetch again: {:?}",
        emulator.stats().requests
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn put_object_is_retried_after_503s() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    emulator.reset_stats();
    emulator.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 2,
    });
    client
        .buckets()
        .put_object(&id, "r.txt", "retried")
        .unwrap();
    assert_eq!(
        &client.buckets().get_object(&id, "r.txt").unwrap()[..],
        b"retried"
    );
    eprintln!("{:?}", emulator.stats().requests);
}

#[test]
fn put_object_is_retried_after_a_dropped_connection() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    emulator.inject(Fault::Drop { count: 1 });
    client
        .buckets()
        .put_object(&id, "d.txt", "dropped once")
        .unwrap();
    assert_eq!(
        &client.buckets().get_object(&id, "d.txt").unwrap()[..],
        b"dropped once"
    );
}

#[test]
fn upload_reader_is_not_retried() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    emulator.reset_stats();
    emulator.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 1,
    });
    let error = client
        .buckets()
        .upload_reader(
            &id,
            "once.bin",
            std::io::Cursor::new(vec![1u8; 10]),
            Some(10),
        )
        .unwrap_err();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    let posts: u64 = emulator
        .stats()
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with("POST") || k.starts_with("PUT"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(posts, 1, "{:?}", emulator.stats().requests);
}

// ---- item 1: the endpoint rule ---------------------------------------------------------

use podstack::config::Source;

fn with_api(api: &str) -> Client {
    Client::builder()
        .use_environment(false)
        .api_token("tok_review18_abcdefghijkl")
        .project_id("p")
        .api_endpoint(api)
        .build()
        .expect("client")
}

#[test]
fn loopback_api_endpoints_derive_the_platform() {
    for api in [
        "http://localhost:8080",
        "http://LOCALHOST:8080",
        "http://127.0.0.2:8080",
        "http://[::1]:8080",
        "http://127.0.0.1:8080/v1",
        "http://127.0.0.1:8080/",
    ] {
        let c = with_api(api);
        let config = c.config();
        assert_eq!(
            config.platform_endpoint_source(),
            &Source::DerivedFromApiEndpoint,
            "{api}"
        );
        let platform = config.platform_endpoint().expect(api);
        assert!(platform.ends_with(":8080/platform"), "{api} -> {platform}");
    }
}

#[test]
fn non_loopback_lookalikes_do_not_derive() {
    for api in [
        "https://localhost.evil.example",
        "https://127.0.0.1.evil.example",
        "https://api.custom.podstack.ai",
        "https://api.podstack.ai.evil.example",
    ] {
        let Ok(c) = Client::builder()
            .use_environment(false)
            .api_token("tok_review18_abcdefghijkl")
            .project_id("p")
            .api_endpoint(api)
            .build()
        else {
            continue;
        };
        let config = c.config();
        assert_eq!(config.platform_endpoint_source(), &Source::NotSet, "{api}");
        let error = c.buckets().list().unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{api}: {error:?}");
        assert!(
            format!("{error}").contains("PODSTACK_PLATFORM_URL"),
            "{error}"
        );
    }
}

#[test]
fn localhost_api_endpoint_reaches_the_emulators_storage() {
    let emulator = Emulator::start();
    let port = emulator
        .endpoint()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(format!("http://localhost:{port}"))
        .project_id(emulator.project_id())
        .api_token(emulator.token())
        .build()
        .unwrap();
    let id = bucket(&client);
    client.buckets().put_object(&id, "k", "v").unwrap();
    assert_eq!(&client.buckets().get_object(&id, "k").unwrap()[..], b"v");
}

#[test]
fn profile_only_api_endpoint_blocks_storage_before_sending() {
    let (port, seen) = recorder();
    let dir = std::env::temp_dir().join(format!("review18-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    // A non-loopback API in the profile: storage must not go to the built-in default.
    std::fs::write(
        &file,
        format!("[default]\napi_token = tok_review18_abcdefghijkl\nproject_id = p\napi_endpoint = https://api.custom.podstack.ai\n\n[local]\napi_token = tok_review18_abcdefghijkl\nproject_id = p\napi_endpoint = http://127.0.0.1:{port}\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let c = Client::builder()
        .use_environment(false)
        .credentials_file(&file)
        .build()
        .unwrap();
    assert_eq!(
        c.config().platform_endpoint_source(),
        &Source::NotSet,
        "{}",
        c.config()
    );
    let error = c.buckets().list().unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    // A loopback API from a profile derives the platform at {api}/platform.
    let c = Client::builder()
        .use_environment(false)
        .credentials_file(&file)
        .profile("local")
        .build()
        .unwrap();
    assert_eq!(
        c.config().platform_endpoint_source(),
        &Source::DerivedFromApiEndpoint
    );
    let _ = c.buckets().list();
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|r| r.starts_with("GET /platform/api/v1/buckets")),
        "{seen:?}"
    );
}

static ENV: Mutex<()> = Mutex::new(());

#[test]
fn environment_only_api_endpoint_blocks_storage() {
    let _guard = ENV.lock().unwrap();
    let home = std::env::temp_dir().join(format!("review18-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    #[allow(unused_unsafe)]
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("PODSTACK_API_TOKEN", "tok_review18_abcdefghijkl");
        std::env::set_var("PODSTACK_PROJECT", "p");
    }
    for var in ["PODSTACK_API_ENDPOINT", "PODSTACK_BASE_URL"] {
        #[allow(unused_unsafe)]
        unsafe {
            std::env::remove_var("PODSTACK_API_ENDPOINT");
            std::env::remove_var("PODSTACK_BASE_URL");
            std::env::set_var(var, "https://api.custom.podstack.ai");
        }
        let c = Client::new().unwrap();
        assert_eq!(
            c.config().platform_endpoint_source(),
            &Source::NotSet,
            "{var}: {}",
            c.config()
        );
        let error = c.buckets().list().unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{var}: {error:?}");
        assert!(
            format!("{error}").contains(var),
            "the message should name where the API endpoint came from: {error}"
        );
    }
    #[allow(unused_unsafe)]
    unsafe {
        std::env::remove_var("PODSTACK_API_ENDPOINT");
        std::env::remove_var("PODSTACK_BASE_URL");
        std::env::remove_var("PODSTACK_API_TOKEN");
        std::env::remove_var("PODSTACK_PROJECT");
    }
}

// ---- item 1/7: network errors name host:port, never secrets -----------------------------

fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn network_error_names_host_port_not_userinfo_or_token() {
    let port = dead_port();
    let token = "tok_review18_SECRETSECRET";
    let built = Client::builder()
        .use_environment(false)
        .api_token(token)
        .api_endpoint(format!("http://alice:hunter2@127.0.0.1:{port}"))
        .retry(podstack::RetryConfig::default().max_retries(0))
        .build();
    match built {
        Err(e) => {
            let text = format!("{e} {e:#} {e:?}");
            assert!(!text.contains("hunter2"), "{text}");
        }
        Ok(c) => {
            let e = c.auth().whoami().unwrap_err();
            let text = format!("{e} {e:#} {e:?}");
            assert!(!text.contains("hunter2") && !text.contains(token), "{text}");
        }
    }
    let c = Client::builder()
        .use_environment(false)
        .api_token(token)
        .api_endpoint(format!("http://127.0.0.1:{port}"))
        .retry(podstack::RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let e = c.auth().whoami().unwrap_err();
    let text = format!("{e} || {e:#} || {e:?}");
    eprintln!("{text}");
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    assert!(
        format!("{e}").contains(&format!("127.0.0.1:{port}")),
        "{text}"
    );
    assert!(!text.contains("SECRET"), "{text}");
}

#[test]
fn presigned_network_error_hides_the_query() {
    let port = dead_port();
    let c = with_api("http://127.0.0.1:9");
    let url = format!("http://127.0.0.1:{port}/b/k?X-Amz-Signature=SIGSECRET&token=QSECRET");
    let dir = std::env::temp_dir().join(format!("review18-pre-{}", std::process::id()));
    let e = c.presigned().download(&url, dir.join("x")).unwrap_err();
    let text = format!("{e} || {e:#} || {e:?}");
    eprintln!("{text}");
    assert!(
        format!("{e}").contains(&format!("127.0.0.1:{port}")),
        "{text}"
    );
    assert!(
        !text.contains("SIGSECRET") && !text.contains("QSECRET"),
        "{text}"
    );
    let e = c
        .presigned()
        .upload_reader(&url, std::io::Cursor::new(vec![1u8; 4]), Some(4))
        .unwrap_err();
    let text = format!("{e} || {e:#} || {e:?}");
    assert!(
        !text.contains("SIGSECRET") && !text.contains("QSECRET"),
        "{text}"
    );
}

// ---- items 4 and 7: deprecated aliases, messages that name the Rust fix ----------------

#[test]
fn deprecated_config_aliases_still_work() {
    let c = with_api("https://api.custom.podstack.ai/v1/");
    let config = c.config();
    assert_eq!(config.endpoint(), config.api_endpoint());
    assert_eq!(config.endpoint_source(), config.api_endpoint_source());
    assert_eq!(config.token_source(), config.api_token_source());
    assert_eq!(config.project().map(|(p, _)| p), config.project_id());
    assert_eq!(config.profile().0, config.profile_name());
}

#[test]
fn upload_of_a_directory_names_recursive() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let id = bucket(&client);
    let dir = std::env::temp_dir().join(format!("review18-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), "a").unwrap();
    let e = client.buckets().upload(&id, &dir, "d/").unwrap_err();
    assert!(format!("{e}").contains("recursive(true)"), "{e}");
    client.buckets().put_object(&id, "x", "y").unwrap();
    let e = client.buckets().delete(&id).unwrap_err();
    assert!(format!("{e}").contains("force_delete"), "{e}");
}

/// A server that accepts and reads but never answers.
fn silent() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

#[test]
fn timeout_names_host_port() {
    let port = silent();
    let c = Client::builder()
        .use_environment(false)
        .api_token("tok_review18_abcdefghijkl")
        .api_endpoint(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c.auth().whoami().unwrap_err();
    eprintln!("{e} || {e:?}");
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(format!("{e}").contains(&format!("127.0.0.1:{port}")), "{e}");
}

// ---- the async client, the same probes ------------------------------------------------

mod nonblocking {
    use super::*;
    use podstack::nonblocking::Client as AsyncClient;

    fn client(emulator: &Emulator, max: Option<u64>) -> AsyncClient {
        let mut b = AsyncClient::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .project_id(emulator.project_id())
            .api_token(emulator.token());
        if let Some(max) = max {
            b = b.max_response_body(max);
        }
        b.build().unwrap()
    }

    #[tokio::test]
    async fn async_get_object_over_the_cap_names_the_cap() {
        let emulator = Emulator::start();
        let c = client(&emulator, Some(1000));
        let id = c
            .buckets()
            .create(&NewBucket::new("review18"))
            .await
            .unwrap()
            .id;
        c.buckets()
            .put_object(&id, "big", vec![1u8; 5000])
            .await
            .unwrap();
        let e = c.buckets().get_object(&id, "big").await.unwrap_err();
        assert!(format!("{e}").contains("max_response_body"), "{e}");
        assert!(format!("{e}").contains("1000"), "{e}");
    }

    #[tokio::test]
    async fn async_upload_reader_short_reader_is_io() {
        let emulator = Emulator::start();
        let c = client(&emulator, None);
        let id = c
            .buckets()
            .create(&NewBucket::new("review18"))
            .await
            .unwrap()
            .id;
        let e = c
            .buckets()
            .upload_reader(
                &id,
                "short.bin",
                std::io::Cursor::new(vec![1u8; 10]),
                Some(20),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        assert!(c
            .buckets()
            .list_objects(&id, &ObjectQuery::new())
            .await
            .unwrap()
            .is_empty());
    }

    struct FailingWriter;
    impl tokio::io::AsyncWrite for FailingWriter {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            _: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::task::Poll::Ready(Err(std::io::Error::other("disk full")))
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn async_download_to_writer_with_a_failing_writer() {
        let emulator = Emulator::start();
        let c = client(&emulator, None);
        let id = c
            .buckets()
            .create(&NewBucket::new("review18"))
            .await
            .unwrap()
            .id;
        c.buckets()
            .put_object(&id, "a", vec![1u8; 100_000])
            .await
            .unwrap();
        emulator.reset_stats();
        let e = c
            .buckets()
            .download_to_writer(&id, "a", FailingWriter)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
        let gets: u64 = emulator
            .stats()
            .requests
            .iter()
            .filter(|(k, _)| k.starts_with("GET"))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(gets, 1, "{:?}", emulator.stats().requests);
    }

    #[tokio::test]
    async fn async_network_and_timeout_errors_name_host_port() {
        let port = dead_port();
        let c = AsyncClient::builder()
            .use_environment(false)
            .api_token("tok_review18_SECRETSECRET")
            .api_endpoint(format!("http://127.0.0.1:{port}"))
            .retry(podstack::RetryConfig::default().max_retries(0))
            .build()
            .unwrap();
        let e = c.auth().whoami().await.unwrap_err();
        let text = format!("{e} || {e:#} || {e:?}");
        eprintln!("{text}");
        assert!(matches!(e, Error::Network { .. }), "{e:?}");
        assert!(
            format!("{e}").contains(&format!("127.0.0.1:{port}")),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");

        let port = silent();
        let c = AsyncClient::builder()
            .use_environment(false)
            .api_token("tok_review18_abcdefghijkl")
            .api_endpoint(format!("http://127.0.0.1:{port}"))
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let e = c.auth().whoami().await.unwrap_err();
        eprintln!("{e} || {e:?}");
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        assert!(format!("{e}").contains(&format!("127.0.0.1:{port}")), "{e}");
    }

    #[tokio::test]
    async fn async_storage_without_platform_endpoint_is_config() {
        let c = AsyncClient::builder()
            .use_environment(false)
            .api_token("tok_review18_abcdefghijkl")
            .project_id("p")
            .api_endpoint("https://api.custom.podstack.ai")
            .build()
            .unwrap();
        let e = c.buckets().put_object("b", "k", "v").await.unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
        let e = c.volumes().list().await.unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
        let e = c.buckets().credentials("b").await.unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
    }

    #[tokio::test]
    async fn async_handles_move_into_tasks_and_fields() {
        struct App {
            pods: podstack::nonblocking::Pods,
            buckets: podstack::nonblocking::Buckets,
        }
        let emulator = Emulator::start();
        let c = client(&emulator, None);
        let app = App {
            pods: c.pods(),
            buckets: c.buckets(),
        };
        drop(c);
        let pods = app.pods.clone();
        let n = tokio::spawn(async move { pods.list(&podstack::PodFilter::new()).await })
            .await
            .unwrap()
            .unwrap();
        assert!(n.is_empty());
        let b = app.buckets;
        tokio::spawn(async move { b.list().await })
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_memory_calls_are_send_and_spawnable() {
        let emulator = Emulator::start();
        let c = client(&emulator, None);
        let buckets = c.buckets();
        let id = buckets
            .create(&NewBucket::new("review18"))
            .await
            .unwrap()
            .id;
        let mut tasks = Vec::new();
        for i in 0..30 {
            let (b, id) = (buckets.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                b.put_object(&id, &format!("k/{i}"), format!("v{i}"))
                    .await?;
                let got = b.get_object(&id, &format!("k/{i}")).await?;
                let mut out = Vec::new();
                b.download_to_writer(&id, &format!("k/{i}"), &mut out)
                    .await?;
                b.upload_reader(&id, &format!("r/{i}"), std::io::Cursor::new(out), None)
                    .await?;
                Ok::<_, Error>(got)
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.unwrap().unwrap(), format!("v{i}").into_bytes());
        }
        let listed = buckets
            .list_objects(&id, &ObjectQuery::new().prefix("r/"))
            .await
            .unwrap();
        assert_eq!(listed.len(), 30);
    }
}

// ---- item 4: shapes ----------------------------------------------------------------------

#[test]
fn gpu_fraction_rejects_non_finite_or_negative_before_sending() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    for bad in [f64::NAN, f64::INFINITY, -1.0] {
        let outcome = client.pods().create(
            &podstack::NewPod::new("review18", "pytorch")
                .gpu_type("A100")
                .gpu_fraction(bad),
        );
        assert!(
            matches!(
                outcome,
                Err(Error::Config { .. }) | Err(Error::Validation { .. })
            ),
            "gpu_fraction({bad}) gave {:?}",
            outcome.map(|p| (p.id, p.gpu_count))
        );
    }
}

#[test]
fn exec_error_is_none_when_stderr_is_empty() {
    let emulator = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    let client = client(&emulator);
    let pod = client
        .pods()
        .create(&podstack::NewPod::new("review18", "pytorch"))
        .unwrap();
    client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(10))
        .unwrap();
    let result = client.pods().exec(&pod.id, "echo hi").unwrap();
    assert_eq!(result.error, None);
    let result = client.pods().exec(&pod.id, "nosuchcommand").unwrap();
    assert!(result.error.is_some(), "{result:?}");
}

// ---- docs ----------------------------------------------------------------------------------

#[test]
fn readme_anchors_resolve() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let slug = |heading: &str| -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect()
    };
    let mut in_code = false;
    let mut anchors = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            anchors.push(slug(line.trim_start_matches('#')));
        }
    }
    let mut broken = Vec::new();
    for (at, _) in readme.match_indices("](#") {
        let rest = &readme[at + 3..];
        let target = &rest[..rest.find(')').unwrap()];
        if !anchors.iter().any(|a| a == target) {
            broken.push(target.to_owned());
        }
    }
    assert!(
        broken.is_empty(),
        "README links to missing headings: {broken:?}"
    );
}

#[test]
fn podstacks_own_api_endpoint_spelled_otherwise_keeps_the_default_platform() {
    // README: "not set, or https://api.podstack.ai" -> the built-in platform; and
    // "https://api.podstack.ai/v1 means the same as without it".
    for api in [
        "https://api.podstack.ai/v1",
        "https://api.podstack.ai/",
        "https://api.podstack.ai:443",
    ] {
        let c = with_api(api);
        assert_eq!(
            c.config().platform_endpoint(),
            Some("https://cloud.podstack.ai/platform"),
            "{api}: {}",
            c.config()
        );
    }
}

/// An object too big for `get_object` is not "a 2xx body that is not what the API
/// documents" (the README's row for `Decode`: "report it with the excerpt"), and its
/// error should not carry the object's first bytes (a private object's content ends up
/// in whatever logs `{e:?}`).
#[test]
fn get_object_over_the_cap_does_not_copy_the_objects_bytes_into_the_error() {
    let emulator = Emulator::start();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .project_id(emulator.project_id())
        .api_token(emulator.token())
        .max_response_body(1000)
        .build()
        .unwrap();
    let id = bucket(&client);
    let secret = "DB_PASSWORD=hunter2\n".repeat(100);
    client.buckets().put_object(&id, ".env", secret).unwrap();
    let error = client.buckets().get_object(&id, ".env").unwrap_err();
    let debug = format!("{error:?}");
    assert!(
        !debug.contains("hunter2"),
        "the object's content is in the error: {debug}"
    );
}

/// "Nothing sent", observed: every request of a client with a custom API endpoint goes
/// through a recording proxy, so a storage call that sent anything (even a CONNECT to
/// the built-in platform host) would be seen. Covers the calls added by issue 18 too.
#[test]
fn storage_calls_without_a_platform_endpoint_send_nothing_through_a_proxy() {
    let (port, seen) = recorder();
    let c = Client::builder()
        .use_environment(false)
        .api_token("tok_review18_abcdefghijkl")
        .project_id("p")
        .api_endpoint("https://api.custom.podstack.ai")
        .proxy(format!("http://127.0.0.1:{port}"))
        .retry(podstack::RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let b = c.buckets();
    let dir = std::env::temp_dir().join(format!("review18-nosend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("f.txt"), "x").unwrap();
    let outcomes: Vec<(&str, Result<(), Error>)> = vec![
        ("put_object", b.put_object("bkt", "k", "v")),
        ("get_object", b.get_object("bkt", "k").map(drop)),
        (
            "upload_reader",
            b.upload_reader("bkt", "k", std::io::Cursor::new(vec![1u8]), Some(1)),
        ),
        (
            "download_to_writer",
            b.download_to_writer("bkt", "k", Vec::new()).map(drop),
        ),
        ("upload", b.upload("bkt", dir.join("f.txt"), "k").map(drop)),
        (
            "download",
            b.download("bkt", "k", dir.join("g.txt")).map(drop),
        ),
        (
            "sync",
            b.sync(
                "bkt",
                &dir,
                "p/",
                &podstack::SyncOptions::new(podstack::SyncDirection::Upload),
            )
            .map(drop),
        ),
        (
            "list_objects",
            b.list_objects("bkt", &ObjectQuery::new()).map(drop),
        ),
        ("delete_objects", b.delete_objects("bkt", &["a"]).map(drop)),
        ("copy", b.copy("bkt", "a", "bkt2", "b").map(drop)),
        ("force_delete", b.force_delete("bkt").map(drop)),
        ("volumes", c.volumes().list().map(drop)),
    ];
    std::thread::sleep(Duration::from_millis(200));
    for (name, outcome) in &outcomes {
        assert!(
            matches!(outcome, Err(Error::Config { .. })),
            "{name}: {outcome:?}"
        );
    }
    let seen = seen.lock().unwrap();
    assert!(seen.is_empty(), "sent through the proxy: {seen:?}");
    drop(seen);
    // And the API itself does go (through the proxy): the recorder is live.
    let started = std::time::Instant::now();
    let e = c.auth().whoami().unwrap_err();
    eprintln!("whoami via proxy: {:?}: {e}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a proxy answering 500 to CONNECT took {:?}: {e:?}",
        started.elapsed()
    );
}

#[test]
fn blocking_handles_move_into_threads_and_fields() {
    struct Tool {
        buckets: podstack::Buckets,
        pods: podstack::Pods,
    }
    let emulator = Emulator::start();
    let tool = Tool {
        buckets: client(&emulator).buckets(),
        pods: client(&emulator).pods(),
    };
    let Tool { buckets, pods } = tool;
    let a = std::thread::spawn(move || buckets.list().map(|l| l.len()));
    let b = std::thread::spawn(move || pods.list(&podstack::PodFilter::new()).map(|l| l.len()));
    assert_eq!(a.join().unwrap().unwrap(), 0);
    assert_eq!(b.join().unwrap().unwrap(), 0);
}
