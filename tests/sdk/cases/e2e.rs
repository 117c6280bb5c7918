// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::Duration;

use podstack::{Error, NewProject, RetryConfig};
use podstack_emulator::{Emulator, Fault, TokenSpec};

fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
        .retry(fast_retries())
}

fn client(emulator: &Emulator) -> Client {
    builder(emulator).build().unwrap()
}

#[flavour]
#[flavour_test]
async fn whoami_wallet_and_gpus() {
    let emulator = Emulator::start();
    let client = client(&emulator);

    let user = client.auth().whoami().await.unwrap();
    assert!(user.id.starts_with("usr_"), "{user:?}");
    assert!(user.account_id.starts_with("acc_"), "{user:?}");
    assert!(!user.email.is_empty());
    // Tokens look like podstack_<prefix>_<secret>.
    let prefix = format!("podstack_{}_", user.token.prefix);
    assert!(emulator.token().starts_with(&prefix), "{user:?}");

    let wallet = client.wallet().balance().await.unwrap();
    assert_eq!(wallet.balance_cents, 12_550);
    assert_eq!(wallet.balance, 125.5);
    assert_eq!(wallet.currency, "USD");

    let usage = client
        .wallet()
        .usage("2026-11-01", "2026-11-28")
        .await
        .unwrap();
    assert_eq!(usage.start_date, "2026-11-01");
    assert_eq!(
        usage.total_cost_cents,
        usage.breakdown.iter().map(|e| e.cost_cents).sum::<i64>()
    );
    let pricing = client.wallet().pricing().await.unwrap();
    assert!(pricing.prices.iter().any(|p| p.resource == "gpu:A100"));

    let gpus = client.gpus().list().await.unwrap();
    let a100 = gpus
        .iter()
        .find(|g| g.gpu_type == "A100")
        .expect("A100 offered");
    assert!(a100.price_per_hour_cents > 0);
    assert_eq!(
        a100.price_per_hour,
        a100.price_per_hour_cents as f64 / 100.0
    );
    assert!(a100.available <= a100.total);
}

#[flavour]
#[flavour_test]
async fn projects_create_get_list_delete() {
    let emulator = Emulator::start();
    let client = client(&emulator);

    let created = client
        .projects()
        .create(&NewProject::new("training").description("fine-tuning runs"))
        .await
        .unwrap();
    assert_eq!(created.name, "training");
    assert_eq!(created.description.as_deref(), Some("fine-tuning runs"));

    let fetched = client.projects().get(&created.id).await.unwrap();
    assert_eq!(fetched, created);

    let all = client.projects().list().await.unwrap();
    assert!(all.iter().any(|p| p.id == created.id));
    assert!(all.iter().any(|p| p.id == emulator.project_id()));
    let page = client.projects().list_page(1, 0).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.total, Some(all.len() as u64));

    client.projects().delete(&created.id).await.unwrap();
    let gone = client.projects().get(&created.id).await.unwrap_err();
    match gone {
        Error::NotFound {
            resource_type,
            resource_id,
            ..
        } => {
            assert_eq!(resource_type.as_deref(), Some("project"));
            assert_eq!(resource_id.as_deref(), Some(created.id.as_str()));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[flavour]
#[flavour_test]
async fn an_empty_project_name_is_a_validation_error_with_field_errors() {
    let emulator = Emulator::start();
    let error = client(&emulator)
        .projects()
        .create(&NewProject::new(""))
        .await
        .unwrap_err();
    match &error {
        Error::Validation { field_errors, .. } => assert!(field_errors.contains_key("name")),
        other => panic!("expected Validation, got {other:?}"),
    }
    assert_eq!(error.status_code(), Some(400));
    assert!(error.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[flavour]
#[flavour_test]
async fn an_invalid_token_is_an_authentication_error() {
    let emulator = Emulator::start();
    let client = builder(&emulator)
        .api_token("podstack_nope_notatoken")
        .build()
        .unwrap();
    let error = client.auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert_eq!(error.message(), "Invalid API token");
    assert_eq!(error.code(), Some("invalid_token"));
    assert_eq!(error.status_code(), Some(401));
}

#[flavour]
#[flavour_test]
async fn an_expired_token_is_an_authentication_error_with_its_code() {
    let emulator = Emulator::start();
    let expired = emulator.create_token(TokenSpec {
        expired: true,
        ..TokenSpec::default()
    });
    let client = builder(&emulator).api_token(expired).build().unwrap();
    let error = client.auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert_eq!(error.code(), Some("token_expired"));
}

#[flavour]
#[flavour_test]
async fn a_token_outside_the_project_is_a_permission_error() {
    let emulator = Emulator::start();
    let outsider = emulator.create_token(TokenSpec {
        projects: Some(vec![]),
        ..TokenSpec::default()
    });
    let client = builder(&emulator)
        .api_token(outsider)
        .project_id(emulator.project_id())
        .build()
        .unwrap();
    let error = client.wallet().balance().await.unwrap_err();
    assert!(matches!(error, Error::Permission { .. }), "{error:?}");
    assert_eq!(error.message(), "Access denied to resource");
    assert_eq!(error.status_code(), Some(403));
}

#[flavour]
#[flavour_test]
async fn a_rate_limit_then_success_is_retried_after_retry_after() {
    let emulator = Emulator::start();
    emulator.inject(Fault::Status {
        status: 429,
        retry_after: Some(0),
        count: 2,
    });
    let client = client(&emulator);
    let user = client.auth().whoami().await.unwrap();
    assert!(user.id.starts_with("usr_"));
    assert_eq!(emulator.stats().requests["GET /v1/auth/whoami"], 3);

    emulator.inject(Fault::Status {
        status: 429,
        retry_after: Some(7),
        count: 1,
    });
    let no_retry = builder(&emulator)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = no_retry.auth().whoami().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimit { retry_after: Some(d), .. } if d == Duration::from_secs(7)),
        "{error:?}"
    );
}

#[flavour]
#[flavour_test]
async fn a_service_unavailable_then_success_is_retried() {
    let emulator = Emulator::start();
    emulator.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 3,
    });
    let wallet = client(&emulator).wallet().balance().await.unwrap();
    assert_eq!(wallet.currency, "USD");
    assert_eq!(emulator.stats().requests["GET /v1/billing/wallet"], 4);
}

#[flavour]
#[flavour_test]
async fn too_many_server_errors_surface_as_a_server_error_with_request_id() {
    let emulator = Emulator::start();
    emulator.inject(Fault::Status {
        status: 500,
        retry_after: None,
        count: 4,
    });
    let error = client(&emulator).auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Server { .. }), "{error:?}");
    assert!(error.request_id().is_some_and(|id| id.starts_with("req_")));
    assert_eq!(emulator.stats().requests["GET /v1/auth/whoami"], 4);
}

#[flavour]
#[flavour_test]
async fn a_dropped_connection_is_retried_as_a_network_failure() {
    let emulator = Emulator::start();
    emulator.inject(Fault::Drop { count: 1 });
    let user = client(&emulator).auth().whoami().await.unwrap();
    assert!(user.id.starts_with("usr_"));

    emulator.inject(Fault::Drop { count: 1 });
    let no_retry = builder(&emulator)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = no_retry.auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
}

#[flavour]
#[flavour_test]
async fn a_stall_past_the_timeout_is_a_timeout_error() {
    let emulator = Emulator::start();
    emulator.inject(Fault::Stall {
        duration: Duration::from_secs(3),
        count: 1,
    });
    let client = builder(&emulator)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.auth().whoami().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    // The next call is served normally.
    client.auth().whoami().await.unwrap();
}

#[flavour]
#[flavour_test]
async fn sequential_calls_reuse_one_connection() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    for _ in 0..20 {
        client.auth().whoami().await.unwrap();
    }
    client.wallet().balance().await.unwrap();
    let stats = emulator.stats();
    assert_eq!(stats.requests["GET /v1/auth/whoami"], 20);
    assert_eq!(stats.connections_accepted, 1, "{stats:?}");
}

/// The emulator answers only requests addressed to a loopback host; both names a user
/// may give it, `127.0.0.1` and `localhost`, are such a host, for the API and storage.
#[flavour]
#[flavour_test]
async fn the_emulator_is_reachable_as_127_0_0_1_and_as_localhost() {
    let emulator = Emulator::start();
    let port = emulator.endpoint().rsplit(':').next().unwrap().to_owned();
    for host in ["127.0.0.1", "localhost"] {
        let endpoint = format!("http://{host}:{port}");
        let client = Client::builder()
            .use_environment(false)
            .api_endpoint(&endpoint)
            .platform_endpoint(format!("{endpoint}/platform"))
            .api_token(emulator.token())
            .project_id(emulator.project_id())
            .retry(fast_retries())
            .build()
            .unwrap();
        client.auth().whoami().await.unwrap();
        client.buckets().list().await.unwrap();
    }
}
