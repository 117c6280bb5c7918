//! The async client is `Clone + Send + Sync` and its futures are `Send`: calls run on a
//! multi-threaded tokio runtime from spawned tasks.
#![cfg(feature = "async")]

use crate::support::WHOAMI;
use podstack::nonblocking::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_from_spawned_tasks_on_a_multi_threaded_runtime() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .expect(8)
        .create_async()
        .await;
    let client = Client::builder()
        .use_environment(false)
        .api_token(crate::support::TOKEN)
        .api_endpoint(server.url())
        .build()
        .unwrap();

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(assert_send(async move { client.auth().whoami().await }))
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().id, "usr_1");
    }
    mock.assert_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_log_streams_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = Client::builder()
        .use_environment(false)
        .api_token(crate::support::TOKEN)
        .api_endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    let pods = client.pods();
    let filter = podstack::PodFilter::new();
    assert_send(&pods.list_stream(&filter));
    assert_send(&pods.list(&filter));
    assert_send(&pods.follow_logs("pod_1"));
    assert_send(&pods.download("pod_1", "/a", "/tmp/x"));
    assert_send(&client.presigned().upload("http://127.0.0.1:9/x", "/tmp/x"));
}
