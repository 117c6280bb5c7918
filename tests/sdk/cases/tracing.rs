// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use podstack_emulator::{Emulator, Fault};

use crate::tracing_spans::Capture;

#[flavour]
#[flavour_test]
async fn one_call_span_with_an_attempt_span_per_attempt_and_never_the_token() {
    let emulator = Emulator::start();
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(fast_retries())
        .build()
        .unwrap();
    let capture = Capture::default();
    let _guard = capture.install();
    emulator.inject(Fault::Status {
        status: 503,
        retry_after: None,
        count: 1,
    });
    client.auth().whoami().await.unwrap();
    let error = client.pods().get("pod_missing").await.unwrap_err();

    let spans = capture.spans();
    let calls: Vec<_> = spans.iter().filter(|s| s.name == "podstack.call").collect();
    assert_eq!(calls.len(), 2, "{spans:#?}");
    let whoami = &calls[0].fields;
    assert_eq!(whoami["method"], "GET");
    assert_eq!(whoami["route"], "/v1/auth/whoami");
    assert_eq!(whoami["project"], emulator.project_id());
    assert_eq!(whoami["status"], "200");
    assert_eq!(whoami["attempts"], "2");
    assert!(whoami["request_id"].starts_with("req_"), "{whoami:?}");
    assert!(whoami.contains_key("duration_ms"));
    let missing = &calls[1].fields;
    assert_eq!(missing["route"], "/v1/pods/{id}");
    assert_eq!(missing["status"], "404");
    assert_eq!(missing["attempts"], "1");
    assert_eq!(Some(missing["request_id"].as_str()), error.request_id());

    let attempts: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "podstack.attempt")
        .collect();
    assert_eq!(attempts.len(), 3, "{spans:#?}");
    assert!(attempts
        .iter()
        .all(|a| a.parent.as_deref() == Some("podstack.call")));
    assert_eq!(attempts[0].fields["attempt"], "1");
    assert_eq!(attempts[0].fields["status"], "503");
    assert_eq!(attempts[0].fields["retry_wait_ms"], "0");
    assert_eq!(attempts[1].fields["attempt"], "2");
    assert_eq!(attempts[1].fields["status"], "200");

    let everything = format!("{spans:?}");
    assert!(!everything.contains(&emulator.token()), "{everything}");
}
