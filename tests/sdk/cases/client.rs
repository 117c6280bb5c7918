// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mockito::Matcher;
use podstack::{config::Source, Error, NewProject, RetryConfig};

#[flavour]
#[flavour_test]
async fn whoami_sends_auth_user_agent_and_accept_and_decodes_the_user() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/auth/whoami")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("user-agent", USER_AGENT)
        .match_header("accept", "application/json")
        .match_header("x-project-id", Matcher::Missing)
        .match_header("idempotency-key", Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(WHOAMI)
        .create();

    let user = client_for(&server.url()).auth().whoami().await.unwrap();

    mock.assert();
    assert_eq!(user.id, "usr_1");
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.name, "Ada");
    assert_eq!(user.account_id, "acc_1");
    assert_eq!(user.token.prefix, "podstack_test");
    assert_eq!(user.token.expires_at, None);
    assert_eq!(user.token.scopes, vec!["pods:read".to_owned()]);
}

#[flavour]
#[flavour_test]
async fn project_id_is_sent_as_x_project_id_and_trailing_slash_is_tolerated() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/billing/wallet")
        .match_header("x-project-id", "proj_42")
        .with_body(r#"{"balance_cents":12550,"currency":"USD","last_updated":"2026-11-28T06:43:14Z","pending_charges_cents":5}"#)
        .create();

    let client = builder_for(&format!("{}/", server.url()))
        .project_id("proj_42")
        .build()
        .unwrap();
    let wallet = client.wallet().balance().await.unwrap();

    mock.assert();
    assert_eq!(wallet.balance_cents, 12550);
    assert_eq!(wallet.balance, 125.5);
    assert_eq!(wallet.currency, "USD");
    assert_eq!(wallet.pending_charges_cents, 5);
    assert_eq!(wallet.pending_charges, 0.05);
}

#[flavour]
#[flavour_test]
async fn gpus_are_listed_with_type_and_prices() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/gpus")
        .with_body(
            r#"{"gpus":[{"type":"A100","name":"NVIDIA A100 80GB","memory_gb":80,
                "price_per_hour_cents":189,"available":3,"total":8}]}"#,
        )
        .create();

    let gpus = client_for(&server.url()).gpus().list().await.unwrap();

    mock.assert();
    assert_eq!(gpus.len(), 1);
    assert_eq!(gpus[0].gpu_type, "A100");
    assert_eq!(gpus[0].name, "NVIDIA A100 80GB");
    assert_eq!(gpus[0].memory_gb, Some(80));
    assert_eq!(gpus[0].price_per_hour_cents, 189);
    assert_eq!(gpus[0].price_per_hour, 1.89);
    assert_eq!((gpus[0].available, gpus[0].total), (3, 8));
}

#[flavour]
#[flavour_test]
async fn usage_and_pricing_send_the_contract_requests_with_dollar_views() {
    let mut server = mock_server().await;
    let usage = server
        .mock("GET", "/v1/billing/usage")
        .match_query(Matcher::Regex(
            "^start_date=2026-11-01&end_date=2026-11-28&group_by=day$".into(),
        ))
        .with_body(
            r#"{"total_cost_cents":378,"total_gpu_seconds":7200,"start_date":"2026-11-01",
                "end_date":"2026-11-28","breakdown":[{"date":"2026-11-02","gpu_type":"A100",
                "gpu_seconds":7200,"cost_cents":378}]}"#,
        )
        .create();
    let pricing = server
        .mock("GET", "/v1/pricing")
        .with_body(r#"{"currency":"USD","prices":[{"resource":"gpu:A100","unit":"gpu_hour","price_cents":189}]}"#)
        .create();
    let client = client_for(&server.url());

    let spent = client
        .wallet()
        .usage("2026-11-01", "2026-11-28")
        .await
        .unwrap();
    assert_eq!((spent.total_cost_cents, spent.total_cost), (378, 3.78));
    assert_eq!(spent.total_gpu_seconds, 7200);
    assert_eq!(spent.breakdown[0].gpu_type, "A100");
    assert_eq!(spent.breakdown[0].cost, 3.78);
    let prices = client.wallet().pricing().await.unwrap();
    assert_eq!(prices.currency, "USD");
    assert_eq!(
        (
            prices.prices[0].resource.as_str(),
            prices.prices[0].unit.as_str()
        ),
        ("gpu:A100", "gpu_hour")
    );
    assert_eq!(prices.prices[0].price, 1.89);

    usage.assert();
    pricing.assert();
}

fn project_json(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"n-{id}","description":null,"created_at":"2026-11-28T06:43:14Z","updated_at":"2026-11-28T06:43:14Z"}}"#
    )
}

#[flavour]
#[flavour_test]
async fn projects_list_follows_pagination_to_the_end() {
    let mut server = mock_server().await;
    let first = server
        .mock("GET", "/v1/projects")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "0".into()),
        ]))
        .with_body(format!(
            r#"{{"projects":[{},{}],"total":3}}"#,
            project_json("p1"),
            project_json("p2")
        ))
        .create();
    let second = server
        .mock("GET", "/v1/projects")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "2".into()),
        ]))
        .with_body(format!(
            r#"{{"projects":[{}],"total":3}}"#,
            project_json("p3")
        ))
        .create();

    let projects = client_for(&server.url()).projects().list().await.unwrap();

    first.assert();
    second.assert();
    let ids: Vec<&str> = projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3"]);
}

#[flavour]
#[flavour_test]
async fn project_get_and_delete_encode_the_id() {
    let mut server = mock_server().await;
    let get = server
        .mock("GET", "/v1/projects/a%2Fb")
        .with_body(project_json("a/b"))
        .create();
    let delete = server
        .mock("DELETE", "/v1/projects/p1")
        .with_status(204)
        .create();

    let client = client_for(&server.url());
    let project = client.projects().get("a/b").await.unwrap();
    assert_eq!(project.id, "a/b");
    client.projects().delete("p1").await.unwrap();

    get.assert();
    delete.assert();
}

/// A mock matcher that accepts every request and records its `Idempotency-Key`.
fn idempotency_key_recorder() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(&mockito::Request) -> bool + Send + Sync + 'static,
) {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = keys.clone();
    let record = move |request: &mockito::Request| {
        let key = request.header("idempotency-key")[0]
            .to_str()
            .unwrap()
            .to_owned();
        seen.lock().unwrap().push(key);
        true
    };
    (keys, record)
}

#[flavour]
#[flavour_test]
async fn project_create_sends_json_and_an_idempotency_key_reused_on_retry() {
    let mut server = mock_server().await;
    let (keys, record_key) = idempotency_key_recorder();
    let failing = server
        .mock("POST", "/v1/projects")
        .match_request(record_key)
        .with_status(503)
        .expect(1)
        .create();
    let mock = server
        .mock("POST", "/v1/projects")
        .match_header("content-type", "application/json")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_body(Matcher::JsonString(
            r#"{"name":"training","description":"fine-tuning"}"#.into(),
        ))
        .with_status(201)
        .with_body(project_json("p9"))
        .create();

    let project = client_for(&server.url())
        .projects()
        .create(&NewProject::new("training").description("fine-tuning"))
        .await
        .unwrap();

    failing.assert();
    mock.assert();
    assert_eq!(project.id, "p9");
    // The matcher above sees every request: both attempts, with one key.
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0], keys[1], "a retry must reuse the idempotency key");
}

#[flavour]
#[flavour_test]
async fn two_creates_carry_different_idempotency_keys() {
    let mut server = mock_server().await;
    let (keys, record_key) = idempotency_key_recorder();
    let mock = server
        .mock("POST", "/v1/projects")
        .match_request(record_key)
        .with_status(201)
        .with_body(project_json("p1"))
        .expect(2)
        .create();

    let client = client_for(&server.url());
    client
        .projects()
        .create(&NewProject::new("a"))
        .await
        .unwrap();
    client
        .projects()
        .create(&NewProject::new("a"))
        .await
        .unwrap();

    mock.assert();
    let keys = keys.lock().unwrap();
    assert_ne!(keys[0], keys[1]);
}

/// One row of the contract's error table.
struct ErrorRow {
    status: usize,
    body: &'static str,
    header: Option<(&'static str, &'static str)>,
}

fn row(status: usize, body: &'static str) -> ErrorRow {
    ErrorRow {
        status,
        body,
        header: None,
    }
}

#[flavour]
impl ErrorRow {
    async fn error(self) -> Error {
        let mut server = mock_server().await;
        let mut mock = server
            .mock("GET", "/v1/auth/whoami")
            .with_status(self.status)
            .with_body(self.body);
        if let Some((name, value)) = self.header {
            mock = mock.with_header(name, value);
        }
        let mock = mock.expect(1).create();
        let client = builder_for(&server.url())
            .retry(RetryConfig::disabled())
            .build()
            .unwrap();
        let error = client.auth().whoami().await.unwrap_err();
        mock.assert();
        error
    }
}

#[flavour]
#[flavour_test]
async fn every_row_of_the_error_table_maps_to_its_variant_and_fields() {
    let e = row(400, r#"{"error":{"code":"validation_error","message":"name must not be empty","details":{},"field_errors":{"name":["must not be empty"]}},"request_id":"req_8f2c1a"}"#).error().await;
    match &e {
        Error::Validation { field_errors, .. } => {
            let expected: BTreeMap<String, Vec<String>> =
                [("name".to_owned(), vec!["must not be empty".to_owned()])].into();
            assert_eq!(field_errors, &expected);
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    assert_eq!(e.message(), "name must not be empty");
    assert_eq!(e.code(), Some("validation_error"));
    assert_eq!(e.request_id(), Some("req_8f2c1a"));
    assert_eq!(e.status_code(), Some(400));

    let e = row(422, r#"{"error":{"code":"validation_error","message":"bad","field_errors":{"gpu_count":["too many","must be even"]}}}"#).error().await;
    assert!(
        matches!(&e, Error::Validation { field_errors, .. } if field_errors["gpu_count"].len() == 2)
    );

    for code in ["authentication_error", "invalid_token", "token_expired"] {
        let body: &'static str = Box::leak(
            format!(r#"{{"error":{{"code":"{code}","message":"nope"}},"request_id":"req_a"}}"#)
                .into_boxed_str(),
        );
        let e = row(401, body).error().await;
        assert!(matches!(e, Error::Authentication { .. }), "{code}: {e:?}");
        assert_eq!(e.code(), Some(code));
    }

    let e = row(402, r#"{"error":{"code":"insufficient_balance","message":"top up","details":{"required_cents":2000,"available_cents":150}}}"#).error().await;
    assert!(
        matches!(
            e,
            Error::InsufficientBalance {
                required_cents: Some(2000),
                available_cents: Some(150),
                ..
            }
        ),
        "{e:?}"
    );
    // The dollars beside the cents, and the body's details as Python's `e.details`.
    assert_eq!(
        (e.required_dollars(), e.available_dollars()),
        (Some(20.0), Some(1.5))
    );
    assert_eq!(e.details()["required_cents"], 2000);
    assert_eq!(e.details(), e.context().details());
    let e = row(
        402,
        r#"{"error":{"code":"insufficient_balance","message":"top up"}}"#,
    )
    .error()
    .await;
    assert_eq!((e.required_dollars(), e.available_dollars()), (None, None));
    assert!(e.details().is_null());

    let e = row(
        403,
        r#"{"error":{"code":"permission_denied","message":"Access denied to resource"}}"#,
    )
    .error()
    .await;
    assert!(matches!(e, Error::Permission { .. }), "{e:?}");
    assert_eq!(e.message(), "Access denied to resource");

    for status in [403, 429] {
        let e = row(status, r#"{"error":{"code":"quota_exceeded","message":"pod quota","details":{"resource_type":"pods","limit":10,"current":10}}}"#).error().await;
        match e {
            Error::QuotaExceeded {
                resource_type,
                limit,
                current,
                ..
            } => {
                assert_eq!(resource_type.as_deref(), Some("pods"));
                assert_eq!((limit, current), (Some(10), Some(10)));
            }
            other => panic!("{status}: expected QuotaExceeded, got {other:?}"),
        }
    }

    let e = row(404, r#"{"error":{"code":"not_found","message":"no such pod","details":{"resource_type":"pod","resource_id":"pod_x"}}}"#).error().await;
    match e {
        Error::NotFound {
            resource_type,
            resource_id,
            ..
        } => {
            assert_eq!(resource_type.as_deref(), Some("pod"));
            assert_eq!(resource_id.as_deref(), Some("pod_x"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }

    let e = row(409, r#"{"error":{"code":"conflict","message":"pod is running","details":{"current_state":"running"}}}"#).error().await;
    assert!(
        matches!(&e, Error::Conflict { current_state: Some(s), .. } if s == "running"),
        "{e:?}"
    );

    let e = ErrorRow {
        header: Some(("retry-after", "7")),
        ..row(
            429,
            r#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
        )
    }
    .error()
    .await;
    assert!(
        matches!(e, Error::RateLimit { retry_after: Some(d), .. } if d == Duration::from_secs(7)),
        "{e:?}"
    );

    let e = ErrorRow {
        header: Some(("x-request-id", "req_hdr")),
        ..row(
            500,
            r#"{"error":{"code":"internal_error","message":"boom"},"request_id":"req_body"}"#,
        )
    }
    .error()
    .await;
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(
        e.request_id(),
        Some("req_hdr"),
        "the header wins over the body"
    );

    let e = ErrorRow {
        header: Some(("x-request-id", "req_proxy")),
        ..row(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
    }
    .error()
    .await;
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert!(e.message().contains("HTTP 502"), "{}", e.message());
    assert!(e.message().contains("502 Bad Gateway"), "{}", e.message());
    assert_eq!(e.request_id(), Some("req_proxy"));
    assert_eq!(e.code(), None);

    let e = row(503, "").error().await;
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert!(
        e.message().contains("HTTP 503 with an empty body"),
        "{}",
        e.message()
    );

    let e = row(401, "").error().await;
    assert!(matches!(e, Error::Authentication { .. }), "{e:?}");
    assert_eq!(e.message(), "Invalid API token");

    let e = row(403, "").error().await;
    assert!(matches!(e, Error::Permission { .. }), "{e:?}");
    assert_eq!(e.message(), "Access denied to resource");

    let e = row(418, "I'm a teapot").error().await;
    assert!(matches!(e, Error::Api { .. }), "{e:?}");
    assert_eq!(e.status_code(), Some(418));
}

#[flavour]
#[flavour_test]
async fn server_errors_and_rate_limits_are_retried_until_success() {
    let mut server = mock_server().await;
    // mockito serves the first matching mock that still expects hits, so these answer
    // 503, then 429 with Retry-After: 0, then 200.
    let unavailable = server
        .mock("GET", "/v1/auth/whoami")
        .with_status(503)
        .expect(1)
        .create();
    let limited = server
        .mock("GET", "/v1/auth/whoami")
        .with_status(429)
        .with_header("retry-after", "0")
        .with_body(r#"{"error":{"code":"rate_limited","message":"slow down"}}"#)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .expect(1)
        .create();

    let user = client_for(&server.url()).auth().whoami().await.unwrap();

    unavailable.assert();
    limited.assert();
    ok.assert();
    assert_eq!(user.id, "usr_1");
}

#[flavour]
#[flavour_test]
async fn retries_stop_at_max_retries_and_return_the_last_error() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/auth/whoami")
        .with_status(500)
        .with_body(
            r#"{"error":{"code":"internal_error","message":"boom"},"request_id":"req_last"}"#,
        )
        .expect(3)
        .create();

    let client = builder_for(&server.url())
        .retry(fast_retries().max_retries(2))
        .build()
        .unwrap();
    let error = client.auth().whoami().await.unwrap_err();

    mock.assert();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert_eq!(error.request_id(), Some("req_last"));
}

#[flavour]
#[flavour_test]
async fn disabled_retries_send_once() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/auth/whoami")
        .with_status(503)
        .expect(1)
        .create();

    let client = builder_for(&server.url())
        .retry(RetryConfig::default().retry_on_server_error(false))
        .build()
        .unwrap();
    let error = client.auth().whoami().await.unwrap_err();

    mock.assert();
    assert!(matches!(error, Error::Server { .. }));
}

#[flavour]
#[flavour_test]
async fn a_refused_connection_is_a_network_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_for(&format!("http://127.0.0.1:{port}"));

    let error = client.auth().whoami().await.unwrap_err();

    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(error.status_code(), None);
    assert!(std::error::Error::source(&error).is_some());
}

#[flavour]
#[flavour_test]
async fn a_server_that_never_answers_times_out_in_about_the_configured_time() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    // Accept connections and hold them open without ever answering.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8) {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    let client = builder_for(&format!("http://{address}"))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.auth().whoami().await.unwrap_err();
    let elapsed = started.elapsed();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.message().contains("300ms"), "{}", error.message());
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    // Not retried: one connection, one attempt (counted, not timed, so a loaded machine
    // cannot make it flaky).
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "timeouts are not retried"
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[flavour]
#[flavour_test]
async fn a_body_that_does_not_decode_is_a_decode_error_with_path_and_excerpt() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/v1/auth/whoami")
        .with_body(r#"{"id": 5, "email": "ada@example.com"}"#)
        .create();

    let error = client_for(&server.url()).auth().whoami().await.unwrap_err();

    match &error {
        Error::Decode {
            method,
            path,
            excerpt,
            ..
        } => {
            assert_eq!(method, "GET");
            assert_eq!(path, "/v1/auth/whoami");
            assert_eq!(excerpt, r#"{"id": 5, "email": "ada@example.com"}"#);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(error.message().contains("GET /v1/auth/whoami"));
}

#[flavour]
#[flavour_test]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let mut target = mock_server().await;
    let landed = target
        .mock("GET", "/v1/auth/whoami")
        .match_header("authorization", Matcher::Missing)
        .with_body(WHOAMI)
        .expect(1)
        .create();
    let mut origin = mock_server().await;
    // Same machine, another host name: 127.0.0.1 redirects to localhost.
    let location = format!(
        "http://localhost:{}/v1/auth/whoami",
        target.socket_address().port()
    );
    let redirect = origin
        .mock("GET", "/v1/auth/whoami")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_status(302)
        .with_header("location", &location)
        .create();

    let user = client_for(&origin.url()).auth().whoami().await.unwrap();

    redirect.assert();
    landed.assert();
    assert_eq!(user.id, "usr_1");
}

#[flavour]
#[flavour_test]
async fn the_token_never_shows_in_debug_display_or_errors() {
    let mut server = mock_server().await;
    // A misbehaving proxy that echoes the Authorization header back.
    server
        .mock("GET", "/v1/auth/whoami")
        .with_status(401)
        .with_body(format!("bad credentials: Bearer {TOKEN}"))
        .create();
    let builder = builder_for(&server.url());
    let client = builder.clone().build().unwrap();

    let error = client.auth().whoami().await.unwrap_err();

    for text in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{error}"),
        format!("{error:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked in: {text}");
    }
    assert!(
        error.message().contains("[redacted]"),
        "{}",
        error.message()
    );
}

#[test]
fn no_token_anywhere_is_an_authentication_error_before_any_request() {
    let error = Client::builder()
        .use_environment(false)
        .api_endpoint("http://127.0.0.1:9")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert!(
        error.message().starts_with("No API token provided"),
        "{}",
        error.message()
    );
    assert!(error.message().contains("PODSTACK_API_TOKEN"));
    assert_eq!(error.status_code(), None);
}

#[test]
fn plain_http_is_refused_for_remote_hosts_unless_allowed() {
    let refused = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://api.podstack.ai")
        .build()
        .unwrap_err();
    assert!(matches!(refused, Error::Config { .. }), "{refused:?}");
    assert!(refused.message().contains("http://api.podstack.ai"));

    let allowed = Client::builder()
        .use_environment(false)
        .api_token(TOKEN)
        .api_endpoint("http://gpu-box.internal:8080")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(
        allowed.config().api_endpoint(),
        "http://gpu-box.internal:8080"
    );
}

#[test]
fn config_reports_where_each_value_came_from() {
    let dir = std::env::temp_dir().join(format!(
        "podstack-test-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        "[default]\napi_token = tok_default\n\n[production]\napi_token = tok_prod\nproject_id = proj_prod\n",
    )
    .unwrap();

    let client = Client::builder()
        .use_environment(false)
        .credentials_file(&file)
        .profile("production")
        .build()
        .unwrap();
    let config = client.config();
    let production = Source::Profile {
        profile: "production".into(),
        file: file.clone(),
    };
    assert_eq!(config.api_token_source(), &production);
    assert_eq!(config.project_id(), Some("proj_prod"));
    assert_eq!(config.project_id_source(), Some(&production));
    assert_eq!(config.api_endpoint(), podstack::config::DEFAULT_ENDPOINT);
    assert_eq!(config.api_endpoint_source(), &Source::Default);
    assert_eq!(config.profile_name(), "production");
    assert_eq!(config.profile_source(), &Source::Explicit);
    assert_eq!(config.credentials_file(), Some(file.as_path()));
    assert_eq!(config.credentials_file_source(), &Source::Explicit);
    assert_eq!(config.timeout_source(), &Source::Default);
    assert_eq!(config.retry_source(), &Source::Default);

    let missing = Client::builder()
        .use_environment(false)
        .credentials_file(&file)
        .profile("staging")
        .build()
        .unwrap_err();
    assert!(matches!(missing, Error::Config { .. }), "{missing:?}");
    assert!(
        missing.message().contains("default, production"),
        "{}",
        missing.message()
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Every setting reads the same way: `x()` for the value the builder's `.x(..)` sets,
/// `x_source()` for where it came from; the old accessors still answer the same.
#[test]
#[allow(deprecated)]
fn config_accessors_follow_the_builder_names_and_the_old_ones_still_answer() {
    let client = Client::builder()
        .use_environment(false)
        .api_token("tok_x")
        .project_id("prj_x")
        .api_endpoint("http://127.0.0.1:9")
        .platform_endpoint("http://127.0.0.1:9/platform")
        .timeout(std::time::Duration::from_secs(7))
        .retry(podstack::RetryConfig::default().max_retries(1))
        .build()
        .unwrap();
    let config = client.config();
    assert_eq!(config.api_token_source(), &Source::Explicit);
    assert_eq!(config.project_id(), Some("prj_x"));
    assert_eq!(config.project_id_source(), Some(&Source::Explicit));
    assert_eq!(config.api_endpoint(), "http://127.0.0.1:9");
    assert_eq!(config.api_endpoint_source(), &Source::Explicit);
    assert_eq!(
        config.platform_endpoint(),
        Some("http://127.0.0.1:9/platform")
    );
    assert_eq!(config.platform_endpoint_source(), &Source::Explicit);
    assert_eq!(config.profile_name(), "default");
    assert_eq!(config.profile_source(), &Source::Default);
    assert_eq!(config.timeout(), std::time::Duration::from_secs(7));
    assert_eq!(config.timeout_source(), &Source::Explicit);
    assert_eq!(config.retry_source(), &Source::Explicit);
    assert_eq!(config.credentials_file_source(), &Source::Default);

    // The deprecated names agree with the new ones.
    assert_eq!(config.token_source(), config.api_token_source());
    assert_eq!(config.project(), Some(("prj_x", &Source::Explicit)));
    assert_eq!(config.endpoint(), config.api_endpoint());
    assert_eq!(config.endpoint_source(), config.api_endpoint_source());
    assert_eq!(config.profile(), ("default", &Source::Default));
}

/// `.profile("default")` names the profile and so outranks `PODSTACK_PROFILE`;
/// `.profile_opt(None)` names none, and the environment chooses.
#[test]
fn profile_opt_none_lets_the_environment_choose_and_some_outranks_it() {
    let dir = std::env::temp_dir().join(format!(
        "podstack-profile-opt-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        "[default]\napi_token = tok_default\n\n[staging]\napi_token = tok_staging\n",
    )
    .unwrap();
    let build = |profile: Option<&str>, env: &[(&str, &str)]| {
        Client::builder()
            .podstack_environment(env.iter().copied(), None)
            .credentials_file(&file)
            .profile_opt(profile)
            .build()
            .unwrap()
    };
    let staging_env = [("PODSTACK_PROFILE", "staging")];

    let chosen = build(None, &staging_env);
    assert_eq!(chosen.config().profile_name(), "staging");
    assert_eq!(
        chosen.config().profile_source(),
        &Source::Environment("PODSTACK_PROFILE")
    );
    let chosen = build(None, &[]);
    assert_eq!(chosen.config().profile_name(), "default");
    assert_eq!(chosen.config().profile_source(), &Source::Default);
    let chosen = build(Some("default"), &staging_env);
    assert_eq!(chosen.config().profile_name(), "default");
    assert_eq!(chosen.config().profile_source(), &Source::Explicit);
    // `None` also forgets an earlier `.profile(..)`.
    let chosen = Client::builder()
        .podstack_environment(staging_env, None)
        .credentials_file(&file)
        .profile("default")
        .profile_opt(None)
        .build()
        .unwrap();
    assert_eq!(chosen.config().profile_name(), "staging");
    std::fs::remove_dir_all(&dir).ok();
}

#[flavour]
#[flavour_test]
async fn lists_are_fetched_lazily_a_page_at_a_time() {
    let mut server = mock_server().await;
    let pods: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"id":"pod_{i}","name":"p{i}","image":"ubuntu","status":"running"}}"#))
        .collect();
    // No `total`: a full page means there may be more, a short one is the last.
    let first = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "0".into()),
        ]))
        .with_body(format!(r#"{{"pods":[{}]}}"#, pods.join(",")))
        .expect(2)
        .create();
    let second = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "200".into()),
        ]))
        .with_body(
            r#"{"pods":[{"id":"pod_last","name":"last","image":"ubuntu","status":"running"}]}"#,
        )
        .expect(1)
        .create();
    let client = client_for(&server.url());
    let filter = podstack::PodFilter::new();

    let mut stream = client.pods().list_stream(&filter);
    let first_pod = stream.next_item().await.unwrap().unwrap();
    assert_eq!(first_pod.id, "pod_0");
    drop(stream);
    // Only the first page was asked for.
    assert!(!second.matched());
    second.remove();

    let second = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::UrlEncoded("offset".into(), "200".into()))
        .with_body(
            r#"{"pods":[{"id":"pod_last","name":"last","image":"ubuntu","status":"running"}]}"#,
        )
        .expect(1)
        .create();
    let all = client.pods().list(&filter).await.unwrap();
    assert_eq!(all.len(), 201);
    assert_eq!(all[200].id, "pod_last");
    first.assert();
    second.assert();
}

#[flavour]
#[flavour_test]
async fn a_list_whose_total_is_never_reached_ends_at_a_repeated_page() {
    let mut server = mock_server().await;
    // A server that ignores `offset` and claims far more than it has.
    let pages = server
        .mock("GET", "/v1/projects")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"projects":[{"id":"p1","name":"a","created_at":"2026-11-28T06:43:14Z"}],"total":1000000}"#,
        )
        .expect(2)
        .create();

    let projects = client_for(&server.url()).projects().list().await.unwrap();

    pages.assert();
    assert_eq!(projects.len(), 1);
}
