//! The async client is `Clone + Send + Sync` and its futures are `Send`: calls run on a
//! multi-threaded tokio runtime from spawned tasks.
#![cfg(feature = "async")]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_from_spawned_tasks_on_a_multi_threaded_runtime() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/v1/auth/whoami")
        .with_body(WHOAMI)
        .expect(8)
        .create_async()
        .await;
    let client = client(&server.url());

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
