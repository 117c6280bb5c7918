// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use podstack::Error;

#[flavour]
#[flavour_test]
async fn an_endpoint_given_with_v1_is_not_doubled() {
    let mut server = mock_server().await;
    let whoami = server
        .mock("GET", "/v1/auth/whoami")
        .with_body(crate::support::WHOAMI)
        .expect(2)
        .create();
    for endpoint in [
        format!("{}/v1", server.url()),
        format!("{}/v1/", server.url()),
    ] {
        let client = builder_for(&endpoint).build().unwrap();
        assert_eq!(client.config().api_endpoint(), server.url());
        client.auth().whoami().await.unwrap();
    }
    whoami.assert();
}

#[flavour]
#[flavour_test]
async fn unusable_tokens_fail_at_build_and_send_nothing() {
    let mut server = mock_server().await;
    let nothing = server.mock("GET", mockito::Matcher::Any).expect(0).create();
    let build = |token: &str| {
        Client::builder()
            .use_environment(false)
            .api_token(token)
            .api_endpoint(server.url())
            .build()
    };
    for (token, problem) in [
        ("", "empty"),
        ("   ", "empty"),
        ("podstack_ab_s\u{e9}cret", "non-ASCII"),
        ("podstack_ab_sec\u{0}ret", "control character"),
        ("podstack_ab_sec ret", "white space"),
    ] {
        let error = build(token).unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        assert!(error.message().contains("explicit setting"), "{error}");
        assert!(error.message().contains(problem), "{error}");
        assert!(!format!("{error} {error:?}").contains("ret"), "{error}");
    }
    // Surrounding white space is trimmed, not sent.
    let client = build(&format!(" {} \n", crate::support::TOKEN)).unwrap();
    drop(client);
    nothing.assert();
}

#[test]
fn an_ip_literal_with_a_suffix_is_not_loopback() {
    let build = |endpoint: &str| {
        Client::builder()
            .use_environment(false)
            .api_token(crate::support::TOKEN)
            .api_endpoint(endpoint)
            .build()
    };
    for bad in ["http://[::1].evil.com", "http://127.0.0.1.evil.com"] {
        let error = build(bad).unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{bad}: {error:?}");
    }
    for good in ["http://[::1]:8080", "http://127.0.0.1", "http://localhost"] {
        build(good).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

/// A home directory of its own for one test and client (`module_path!` tells the
/// clients apart), holding `.podstack/credentials` when `credentials` is given.
fn scratch_home(name: &str, credentials: Option<&[u8]>) -> std::path::PathBuf {
    let flavour = module_path!().replace("::", "-");
    let home = std::env::temp_dir().join(format!(
        "podstack-home-{name}-{flavour}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".podstack")).unwrap();
    if let Some(text) = credentials {
        std::fs::write(home.join(".podstack").join("credentials"), text).unwrap();
    }
    home
}

/// No `PODSTACK_*` variables at all.
fn no_variables() -> Vec<(String, String)> {
    Vec::new()
}

#[flavour]
#[flavour_test]
async fn a_junk_default_credentials_file_does_not_stop_an_explicit_client() {
    let home = scratch_home("junk", Some(b"hello world\n"));
    let file = home.join(".podstack").join("credentials");
    let mut server = mock_server().await;
    let whoami = server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .create();
    let storage = server
        .mock("GET", mockito::Matcher::Regex("^/platform/".into()))
        .with_body("[]")
        .expect(1)
        .create();
    let builder = || {
        Client::builder()
            .podstack_environment(no_variables(), Some(home.clone()))
            .api_token(TOKEN)
            .api_endpoint(server.url())
            .platform_endpoint(format!("{}/platform", server.url()))
            .retry(fast_retries())
    };

    // The case: token and endpoint given, the project could come from the file.
    let client = builder()
        .build()
        .expect("the client needs nothing from the file");
    assert_eq!(client.config().credentials_file(), Some(file.as_path()));
    client.auth().whoami().await.unwrap();
    // A call that needs the project says what is wrong with the file, sending nothing.
    let error = client.buckets().list().await.unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    let message = error.message();
    assert!(message.contains("needs a project"), "{message}");
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("is malformed: line 1"), "{message}");
    assert!(!message.contains("hello"), "{message}");
    // Given a project, the storage call is sent (and is the only one that was).
    let with_project = builder().project_id("prj_1").build().unwrap();
    let buckets = with_project.buckets().list().await.unwrap();
    assert!(buckets.is_empty());
    whoami.assert();
    storage.assert();

    // A profile or a file named explicitly stays strict.
    for strict in [
        builder().profile("default"),
        builder().credentials_file(&file),
    ] {
        let error = strict.build().unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        assert!(error.message().contains("malformed"), "{error}");
    }
    std::fs::remove_dir_all(&home).ok();
}

#[cfg(unix)]
#[flavour]
#[flavour_test]
async fn a_podstack_variable_that_is_not_unicode_is_an_error_not_another_account() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let home = scratch_home(
        "not-unicode",
        Some(b"[default]\napi_token = podstack_ab_anotheraccount\n"),
    );
    let not_unicode = || OsString::from_vec(b"podstack_ab_\xffs3cr3t".to_vec());
    for variable in [
        "PODSTACK_API_TOKEN",
        "PODSTACK_API_KEY",
        "PODSTACK_PROJECT",
        "PODSTACK_API_ENDPOINT",
        "PODSTACK_PROFILE",
    ] {
        let error = Client::builder()
            .podstack_environment(
                [(OsString::from(variable), not_unicode())],
                Some(home.clone()),
            )
            .build()
            .unwrap_err();
        assert!(
            matches!(error, Error::Config { .. }),
            "{variable}: {error:?}"
        );
        assert!(error.message().contains(variable), "{error}");
        assert!(!format!("{error} {error:?}").contains("s3cr3t"), "{error}");
    }
    // The same file is used when the variable is readable.
    let client = Client::builder()
        .podstack_environment(no_variables(), Some(home.clone()))
        .build()
        .unwrap();
    assert!(matches!(
        client.config().api_token_source(),
        podstack::config::Source::Profile { .. }
    ));
    std::fs::remove_dir_all(&home).ok();
}
