//! Tests that change the process environment (`std::env::set_var`), apart from the SDK's
//! other tests (`tests/sdk/`) on purpose: the environment is shared by every thread of a
//! test binary, and a variable set here would reach any client built meanwhile on
//! another thread with `use_environment(true)`, or any proxy lookup. The tests here
//! take turns (one lock) so that they do not see each other's variables either.

#[path = "sdk/support/mod.rs"]
mod support;

#[cfg(feature = "blocking")]
use std::sync::{Mutex, MutexGuard};

/// Holds the process environment for one test at a time (a failed test's poisoned lock
/// is taken anyway: each test sets what it needs and clears it).
#[cfg(feature = "blocking")]
fn alone() -> MutexGuard<'static, ()> {
    static ENVIRONMENT: Mutex<()> = Mutex::new(());
    ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A blocking client for an emulator that ignores the environment.
#[cfg(all(feature = "blocking", feature = "object-store"))]
fn blocking_emulator_client(emulator: &podstack_emulator::Emulator) -> podstack::Client {
    podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(support::fast_retries())
        .build()
        .expect("test client builds")
}

/// An async client for an emulator that ignores the environment.
#[cfg(all(feature = "async", feature = "object-store"))]
fn async_emulator_client(emulator: &podstack_emulator::Emulator) -> podstack::nonblocking::Client {
    podstack::nonblocking::Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(support::fast_retries())
        .build()
        .expect("test client builds")
}

/// The real environment: HOME's default credentials file and the `PODSTACK_*` variables
/// (the Python package's names too), read by `Client::new()`.
#[cfg(feature = "blocking")]
#[test]
fn the_real_environment_default_file_and_python_variables() {
    let _alone = alone();
    use podstack::{config::Source, Client, Error};

    for (name, _) in std::env::vars() {
        if name.starts_with("PODSTACK_") {
            std::env::remove_var(name);
        }
    }
    let home = std::env::temp_dir().join(format!("podstack-home-{}", std::process::id()));
    let dir = home.join(".podstack");
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = dir.join("credentials");
    std::env::set_var("HOME", &home);

    // A junk default file does not stop a client that needs nothing from it...
    std::fs::write(&credentials, b"\xEF\xBB\xBFthis is not INI\n\xFF").unwrap();
    let client = Client::builder()
        .api_token("podstack_ab_secret")
        .project_id("prj_x")
        .api_endpoint("https://api.podstack.ai/v1/")
        .platform_endpoint("https://cloud.podstack.ai/platform/api/v1")
        .build()
        .expect("the default file is not needed");
    assert_eq!(client.config().credentials_file(), None);
    assert_eq!(client.config().api_endpoint(), "https://api.podstack.ai");
    assert_eq!(
        client.config().platform_endpoint(),
        Some("https://cloud.podstack.ai/platform")
    );
    // ...nor one that might need it (here for the project): a call that does need
    // the project reports the file and what is wrong with it, sending nothing.
    let client = Client::builder()
        .api_token("podstack_ab_secret")
        .api_endpoint("http://127.0.0.1:9")
        .build()
        .expect("the default file's defects do not stop the client");
    let err = client.buckets().list().unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(err.message().contains(".podstack/credentials"), "{err}");
    assert!(err.message().contains("not UTF-8"), "{err}");
    // With no token anywhere else, the file that could hold it is the error.
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(err.message().contains(".podstack/credentials"), "{err}");

    // A variable that is not Unicode is an error naming it, never a fall-through to
    // the credentials file (another account's token).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::fs::write(
            &credentials,
            "[default]\napi_token = podstack_ab_anotheraccount\n",
        )
        .unwrap();
        let value = std::ffi::OsStr::from_bytes(b"podstack_ab_\xffs3cr3t");
        std::env::set_var("PODSTACK_API_TOKEN", value);
        let err = Client::new().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.message().contains("PODSTACK_API_TOKEN"), "{err}");
        assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
        std::env::remove_var("PODSTACK_API_TOKEN");
    }

    // A Notepad file (BOM, CRLF) is read.
    std::fs::write(
        &credentials,
        "\u{feff}[default]\r\napi_token = podstack_ab_fromfile\r\nproject_id = prj_file\r\n",
    )
    .unwrap();
    let client = Client::builder().build().expect("a BOM is accepted");
    assert_eq!(client.config().project_id().unwrap(), "prj_file");

    // A 100 MB file is refused quickly, naming the file and the cap.
    let big = std::fs::File::create(&credentials).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    let started = std::time::Instant::now();
    let err = Client::builder().build().unwrap_err();
    // Milliseconds in fact; 25 s before the cap. Generous for a loaded machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(err.message().contains("1048576 bytes"), "{err}");
    assert!(err.message().contains(".podstack/credentials"), "{err}");
    std::fs::remove_file(&credentials).unwrap();

    // The Python package's names, with its /v1 base URL, against a real server.
    let mut server = mockito::Server::new();
    let whoami = server
        .mock("GET", "/v1/auth/whoami")
        .match_header("authorization", "Bearer podstack_ab_pythonkey")
        .match_header("x-project-id", "prj_py")
        .with_body(support::WHOAMI)
        .create();
    std::env::set_var("PODSTACK_API_KEY", " podstack_ab_pythonkey\n");
    std::env::set_var("PODSTACK_PROJECT_ID", "prj_py");
    std::env::set_var("PODSTACK_BASE_URL", format!("{}/v1", server.url()));
    let client = Client::new().unwrap();
    assert_eq!(
        client.config().api_token_source(),
        &Source::EnvironmentAlias {
            variable: "PODSTACK_API_KEY",
            alias_of: "PODSTACK_API_TOKEN"
        }
    );
    client.auth().whoami().unwrap();
    whoami.assert();
    std::env::set_var("PODSTACK_API_TOKEN", "podstack_ab_ours");
    let client = Client::new().unwrap();
    assert_eq!(
        client.config().api_token_source(),
        &Source::Environment("PODSTACK_API_TOKEN")
    );

    for name in [
        "PODSTACK_API_KEY",
        "PODSTACK_PROJECT_ID",
        "PODSTACK_BASE_URL",
        "PODSTACK_API_TOKEN",
    ] {
        std::env::remove_var(name);
    }
    std::fs::remove_dir_all(&home).ok();
}

/// Sets proxy variables of the process and removes them when dropped (also when the
/// test fails).
#[cfg(all(feature = "blocking", feature = "object-store"))]
struct ProcessProxy;

#[cfg(all(feature = "blocking", feature = "object-store"))]
impl ProcessProxy {
    const NAMES: [&'static str; 6] = [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];

    fn set(proxy: &str, no_proxy: &str) -> ProcessProxy {
        for name in Self::NAMES {
            let value = if name.eq_ignore_ascii_case("NO_PROXY") {
                no_proxy
            } else {
                proxy
            };
            std::env::set_var(name, value);
        }
        ProcessProxy
    }
}

#[cfg(all(feature = "blocking", feature = "object-store"))]
impl Drop for ProcessProxy {
    fn drop(&mut self) {
        for name in Self::NAMES {
            std::env::remove_var(name);
        }
    }
}

/// The review's finding: the store's reqwest client read `HTTP_PROXY` from the process
/// even for a client that reads no environment, and sent the store's loopback S3
/// requests (signed with the bucket's keys, in plain http) to that proxy. Now the
/// process environment reaches a store only through the SDK's rule:
/// - a client built with `use_environment(false)` has no proxy, and nor has its store,
///   even with `HTTP_PROXY` naming a proxy the rule would use (one on this machine);
/// - `S3Credentials::object_store` reads the environment as a client would: a proxy
///   elsewhere is not used for http to this machine, one on this machine is, unless
///   `NO_PROXY` names the endpoint.
#[cfg(all(feature = "blocking", feature = "object-store"))]
#[test]
fn the_process_environment_s_proxy_reaches_the_store_only_by_the_sdk_s_rule() {
    let _alone = alone();
    use object_store::path::Path;
    use object_store::ObjectStoreExt;
    use podstack::NewBucket;

    let put = |store: &object_store::aws::AmazonS3, key: &str| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(store.put(&Path::from(key), "hello".into()))
            .map(drop)
    };
    let emulator = podstack_emulator::Emulator::start();
    let client = blocking_emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("process-env"))
        .unwrap();
    let credentials = client.buckets().credentials(&bucket.id).unwrap();
    let local = support::Proxy::start();
    let elsewhere = support::Proxy::start_elsewhere();
    let seen = |proxy: &support::Proxy, key: &str| {
        proxy
            .seen()
            .iter()
            .any(|p| p.request_line.contains(&format!("/process-env/{key}")))
    };

    let _env = ProcessProxy::set(&local.url(), "");
    let store = client.buckets().object_store(&bucket.id).unwrap();
    put(&store, "blocking.txt").unwrap();
    assert!(local.seen().is_empty(), "{:?}", local.seen());
    #[cfg(feature = "async")]
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = async_emulator_client(&emulator);
        let store = runtime
            .block_on(client.buckets().object_store(&bucket.id))
            .unwrap();
        put(&store, "async.txt").unwrap();
        assert!(local.seen().is_empty(), "{:?}", local.seen());
    }
    drop(_env);

    let _env = ProcessProxy::set(&elsewhere.url(), "");
    put(
        &credentials.object_store("process-env").unwrap(),
        "elsewhere.txt",
    )
    .unwrap();
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    drop(_env);

    let _env = ProcessProxy::set(&local.url(), "");
    put(
        &credentials.object_store("process-env").unwrap(),
        "local.txt",
    )
    .unwrap();
    assert!(seen(&local, "local.txt"), "{:?}", local.seen());
    drop(_env);

    let _env = ProcessProxy::set(&local.url(), "127.0.0.1");
    put(
        &credentials.object_store("process-env").unwrap(),
        "bypassed.txt",
    )
    .unwrap();
    assert!(!seen(&local, "bypassed.txt"), "{:?}", local.seen());
}
