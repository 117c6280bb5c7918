// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::Duration;

use podstack::config::Source;
use podstack::{Error, NewBucket, RetryConfig};
use podstack_emulator::Emulator;

/// A host that cannot resolve anywhere (RFC 6761 reserves `.invalid`); asking for it
/// needs no network and fails at once.
const NOWHERE: &str = "https://api.custom.podstack.invalid";

/// A client whose API endpoint is set to a host of one's own, and nothing else.
fn custom_api_client() -> Client {
    Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint(NOWHERE)
        .project_id("prj_1")
        .retry(RetryConfig::disabled())
        .build()
        .expect("the client builds: nothing is sent yet")
}

/// A port nothing listens on: bound, then let go.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[flavour]
#[flavour_test]
async fn with_only_a_custom_api_endpoint_storage_fails_before_sending_and_the_api_goes_on() {
    let client = custom_api_client();
    let config = client.config();
    assert_eq!(config.platform_endpoint(), None);
    assert_eq!(config.platform_endpoint_source(), &Source::NotSet);
    let shown = config.to_string();
    assert!(
        shown.contains("platform endpoint: not set; storage calls fail until it is set"),
        "{shown}"
    );
    assert!(!shown.contains("cloud.podstack.ai"), "{shown}");

    // The same client sending through a recording proxy: whatever it sends, the proxy
    // sees (a CONNECT for the host), so "nothing was sent" is observed, not timed.
    let proxy = crate::support::Proxy::start();
    let watched = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint(NOWHERE)
        .project_id("prj_1")
        .retry(RetryConfig::disabled())
        .proxy(proxy.url())
        .build()
        .unwrap();
    let buckets = watched.buckets();
    // Named one by one: `maybe_async` does not see an `.await` inside `vec![..]`.
    let list = buckets.list().await.unwrap_err();
    let get = buckets.get("bkt_1").await.unwrap_err();
    let credentials = buckets.credentials("bkt_1").await.unwrap_err();
    let presign = buckets
        .presigned_download_url("bkt_1", "k", Duration::from_secs(60))
        .await
        .unwrap_err();
    let volumes = watched.volumes().list().await.unwrap_err();
    let create = buckets.create(&NewBucket::new("b")).await.unwrap_err();
    let put = buckets.put_object("bkt_1", "k", "v").await.unwrap_err();
    let get_object = buckets.get_object("bkt_1", "k").await.unwrap_err();
    let errors = [
        list,
        get,
        credentials,
        presign,
        volumes,
        create,
        put,
        get_object,
    ];
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    // The control: an API call from the same client does reach the proxy.
    let _ = watched.auth().whoami().await;
    assert_eq!(proxy.seen().len(), 1, "{:?}", proxy.seen());
    for error in &errors {
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        for part in [
            "ClientBuilder::platform_endpoint",
            "PODSTACK_PLATFORM_URL",
            "profile key platform_endpoint",
            "https://api.custom.podstack.invalid (from explicit setting)",
        ] {
            assert!(error.message().contains(part), "{error}");
        }
        assert!(!error.to_string().contains(TOKEN), "{error}");
    }

    // A call to the API is sent as before: it fails only because the host is nowhere,
    // and the error names it.
    let error = client.auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(
        error
            .message()
            .starts_with("could not connect to api.custom.podstack.invalid:443"),
        "{error}"
    );
    assert!(!format!("{error:#} {error:?}").contains(TOKEN), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn a_platform_endpoint_set_beside_a_custom_api_endpoint_is_used() {
    let emulator = Emulator::start();
    // The API endpoint points nowhere; storage goes only where it was told.
    let client = Client::builder()
        .use_environment(false)
        .api_token(emulator.token())
        .api_endpoint(NOWHERE)
        .platform_endpoint(emulator.platform_endpoint())
        .project_id(emulator.project_id())
        .build()
        .unwrap();
    assert_eq!(
        client.config().platform_endpoint_source(),
        &Source::Explicit
    );
    client.buckets().list().await.unwrap();
}

#[flavour]
#[flavour_test]
async fn the_emulator_needs_only_its_api_endpoint() {
    let emulator = Emulator::start();
    let client = Client::builder()
        .use_environment(false)
        .api_token(emulator.token())
        .api_endpoint(emulator.endpoint())
        .project_id(emulator.project_id())
        .build()
        .unwrap();
    let config = client.config();
    assert_eq!(
        config.platform_endpoint(),
        Some(emulator.platform_endpoint().as_str())
    );
    assert_eq!(
        config.platform_endpoint_source(),
        &Source::DerivedFromApiEndpoint
    );
    assert!(
        config
            .to_string()
            .contains("(derived from the loopback API endpoint, as the emulator serves it)"),
        "{config}"
    );
    let bucket = client
        .buckets()
        .create(&NewBucket::new("derived"))
        .await
        .unwrap();
    let names: Vec<String> = client
        .buckets()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.contains(&bucket.name), "{names:?}");
    client.auth().whoami().await.unwrap();
}

#[flavour]
#[flavour_test]
async fn an_unreachable_host_is_named_with_its_port_for_dns_and_refused_connections() {
    // Refused: the host and port, and why with `{:#}`.
    let port = closed_port();
    let error = client_for(&format!("http://127.0.0.1:{port}"))
        .auth()
        .whoami()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(
        error.message(),
        format!("could not connect to 127.0.0.1:{port}: check the endpoint and the network")
    );
    assert!(std::error::Error::source(&error).is_some());

    // A name that does not resolve: the host, the scheme's port, and that it is the
    // name that failed.
    let error = client_for("https://nowhere.podstack.invalid")
        .auth()
        .whoami()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(
        error.message(),
        "could not connect to nowhere.podstack.invalid:443: its host name could not be \
         resolved; check the endpoint and the network"
    );
}

#[flavour]
#[flavour_test]
async fn a_presigned_url_s_query_and_path_are_never_in_a_network_error() {
    let client = client_for("https://api.podstack.invalid");
    let dir = std::env::temp_dir().join(format!(
        "podstack-endpoints-{}-{}",
        std::process::id(),
        BLOCKING
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let port = closed_port();
    let url =
        format!("http://127.0.0.1:{port}/secret-bucket/key.bin?X-Amz-Signature=sig_s3cr3t_abc");
    let error = client
        .presigned()
        .download(&url, dir.join("key.bin"))
        .await
        .unwrap_err();
    let shown = format!("{error} {error:#} {error:?}");
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert!(
        error.message().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
    for secret in ["sig_s3cr3t_abc", "X-Amz-Signature", "secret-bucket"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[flavour]
#[flavour_test]
async fn a_silent_server_s_timeout_names_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    let error = builder_for(&format!("http://{address}"))
        .timeout(Duration::from_millis(300))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
        .auth()
        .whoami()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(
        error.message().contains(&address.to_string()),
        "{}",
        error.message()
    );
}

#[flavour]
#[flavour_test]
async fn deleting_a_bucket_that_holds_objects_names_force_delete_and_keeps_the_server_s_text() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("full"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "podstack-force-{}-{}",
        std::process::id(),
        BLOCKING
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.txt");
    std::fs::write(&file, b"hello").unwrap();
    client
        .buckets()
        .upload(&bucket.id, &file, "a.txt")
        .await
        .unwrap();

    let error = client.buckets().delete(&bucket.id).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    // The server's own words stay the message...
    assert!(error.message().contains("pass force=true"), "{error}");
    assert!(!error.message().contains("force_delete"), "{error}");
    // ...and what a Rust user calls is beside it, in Display and in the context.
    assert_eq!(
        error.context().hint(),
        Some("to delete a bucket with its objects, call Buckets::force_delete")
    );
    let shown = error.to_string();
    assert!(shown.contains("(HTTP 409"), "{shown}");
    assert!(
        shown.ends_with("; to delete a bucket with its objects, call Buckets::force_delete"),
        "{shown}"
    );
    client.buckets().force_delete(&bucket.id).await.unwrap();

    // Uploading a directory without recursion names the option that allows it.
    let error = client
        .buckets()
        .create(&NewBucket::new("dirs"))
        .await
        .map(|bucket| bucket.id);
    let bucket_id = error.unwrap();
    let error = client
        .buckets()
        .upload(&bucket_id, &dir, "d/")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    let shown = error.to_string();
    assert!(shown.contains("is a directory"), "{shown}");
    assert!(
        shown.contains("TransferOptions::new().recursive(true)"),
        "{shown}"
    );
    assert!(shown.contains("Buckets::upload_with"), "{shown}");
    // And a presigned URL, which names one object, says so.
    let error = client
        .presigned()
        .upload("https://storage.example.com/b/k?sig=x", &dir)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(error
        .to_string()
        .contains("is a directory; a presigned URL names one object"));
    std::fs::remove_dir_all(&dir).ok();
}

#[flavour]
#[flavour_test]
async fn deleting_a_busy_pod_or_a_volume_with_data_names_force_delete() {
    let mut server = mock_server().await;
    server
        .mock("DELETE", "/v1/pods/pod_busy")
        .with_status(409)
        .with_body(r#"{"error": "pod pod_busy is running; stop it first or pass force=true"}"#)
        .create();
    server
        .mock("DELETE", "/platform/api/v1/storage/vol_full")
        .with_status(409)
        .with_body(r#"{"error": "volume vol_full holds data; pass force=true to delete it too"}"#)
        .create();
    // Another conflict on a call with no hint stays as the server said it.
    server
        .mock("DELETE", "/platform/api/v1/storage/vol_full")
        .match_query(mockito::Matcher::UrlEncoded("force".into(), "true".into()))
        .with_status(409)
        .with_body(r#"{"error": "volume vol_full is mounted"}"#)
        .create();
    let client = storage_client_for(&server.url());

    let error = client.pods().delete("pod_busy").await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(
        error.message(),
        "pod pod_busy is running; stop it first or pass force=true"
    );
    assert!(
        error.to_string().ends_with(
            "(HTTP 409); to delete a running pod, call Pods::force_delete (or Pods::stop it first)"
        ),
        "{error}"
    );

    let error = client.volumes().delete("vol_full").await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(
        error.message(),
        "volume vol_full holds data; pass force=true to delete it too"
    );
    assert!(
        error.to_string().contains("call Volumes::force_delete"),
        "{error}"
    );

    let error = client.volumes().force_delete("vol_full").await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(error.context().hint(), None);
    assert_eq!(error.to_string(), "volume vol_full is mounted (HTTP 409)");
}
