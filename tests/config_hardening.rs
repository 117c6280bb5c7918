//! Regressions from the hardening issue: configuration (credentials file, tokens,
//! endpoints, the Python package's variables), `Duration::MAX` waits, plain-string
//! error bodies and tolerant models, through the public API of both clients.

mod common;

common::for_each_client!("cases/config_hardening.rs");

/// The only test here that touches the process environment (HOME and `PODSTACK_*`);
/// every other one builds with `use_environment(false)`, so none reads it meanwhile.
#[cfg(feature = "blocking")]
#[test]
fn the_real_environment_default_file_and_python_variables() {
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
        .with_body(common::WHOAMI)
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
