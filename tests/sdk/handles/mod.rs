//! Handles own a clone of the client: each is `Clone + Send + Sync + 'static`, can be
//! kept in a struct field without a lifetime, and moved into a thread (blocking) or a
//! spawned task (async), as can the lazy lists they make.

mod send;

use crate::support::{fast_retries, TOKEN, WHOAMI};

fn assert_owned<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}

/// The compile-time check, written once: every handle of the client in scope, and its
/// lazy list, is owned, `Clone`, `Send` and `Sync`.
macro_rules! every_handle_is_owned {
    () => {
        #[test]
        fn every_handle_is_owned_clone_send_and_sync() {
            assert_owned::<Auth>();
            assert_owned::<Buckets>();
            assert_owned::<Gpus>();
            assert_owned::<Pods>();
            assert_owned::<Presigned>();
            assert_owned::<Projects>();
            assert_owned::<Tasks>();
            assert_owned::<Templates>();
            assert_owned::<Volumes>();
            assert_owned::<Wallet>();
            fn assert_stream<T: Send + 'static>() {}
            assert_stream::<ListStream<podstack::Pod>>();
        }
    };
}

fn projects_page() -> &'static str {
    r#"{"projects":[{"id":"prj_1","name":"one","description":"","created_at":"2026-11-28T06:43:14Z"}],"total":1}"#
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;
    use podstack::{
        Auth, Buckets, Client, Gpus, ListStream, Pods, Presigned, Projects, Tasks, Templates,
        Volumes, Wallet,
    };

    every_handle_is_owned!();

    /// A tool's state: handles in fields, no lifetime.
    struct Tool {
        auth: Auth,
        projects: Projects,
    }

    fn client(url: &str) -> Client {
        Client::builder()
            .use_environment(false)
            .api_token(TOKEN)
            .api_endpoint(url)
            .retry(fast_retries())
            .build()
            .unwrap()
    }

    #[test]
    fn a_handle_in_a_struct_and_a_moved_one_work_from_other_threads() {
        let mut server = mockito::Server::new();
        let whoami = server
            .mock("GET", "/v1/auth/whoami")
            .with_body(WHOAMI)
            .expect(4)
            .create();
        let projects = server
            .mock("GET", "/v1/projects")
            .match_query(mockito::Matcher::Any)
            .with_body(projects_page())
            .expect(1)
            .create();
        let tool = {
            // The client goes out of scope: the handles keep what they need.
            let client = client(&server.url());
            Tool {
                auth: client.auth(),
                projects: client.projects(),
            }
        };
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let auth = tool.auth.clone();
                std::thread::spawn(move || auth.whoami().map(|user| user.id))
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap().unwrap(), "usr_1");
        }
        // A lazy list made from a temporary handle, read on another thread.
        let stream = tool.projects.list_stream();
        let names = std::thread::spawn(move || {
            stream
                .map(|project| project.map(|p| p.name))
                .collect::<Result<Vec<_>, _>>()
        })
        .join()
        .unwrap()
        .unwrap();
        assert_eq!(names, ["one"]);
        whoami.assert();
        projects.assert();
    }
}

#[cfg(feature = "async")]
mod nonblocking {
    use super::*;
    use futures_util::StreamExt;
    use podstack::nonblocking::{
        Auth, Buckets, Client, Gpus, ListStream, Pods, Presigned, Projects, Tasks, Templates,
        Volumes, Wallet,
    };

    every_handle_is_owned!();

    /// A service's state: handles in fields, no lifetime.
    struct Service {
        auth: Auth,
        projects: Projects,
    }

    fn client(url: &str) -> Client {
        Client::builder()
            .use_environment(false)
            .api_token(TOKEN)
            .api_endpoint(url)
            .retry(fast_retries())
            .build()
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handle_in_a_struct_and_a_moved_one_work_from_spawned_tasks() {
        let mut server = mockito::Server::new_async().await;
        let whoami = server
            .mock("GET", "/v1/auth/whoami")
            .with_body(WHOAMI)
            .expect(4)
            .create_async()
            .await;
        let projects = server
            .mock("GET", "/v1/projects")
            .match_query(mockito::Matcher::Any)
            .with_body(projects_page())
            .expect(1)
            .create_async()
            .await;
        let service = {
            let client = client(&server.url());
            Service {
                auth: client.auth(),
                projects: client.projects(),
            }
        };
        // The handle itself moves into the task: `let pods = client.pods();
        // tokio::spawn(async move { pods.list(..).await })`.
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let auth = service.auth.clone();
                tokio::spawn(async move { auth.whoami().await.map(|user| user.id) })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), "usr_1");
        }
        let stream = service.projects.list_stream();
        let names = tokio::spawn(async move {
            stream
                .map(|project| project.map(|p| p.name))
                .collect::<Vec<_>>()
                .await
        })
        .await
        .unwrap();
        assert_eq!(
            names.into_iter().collect::<Result<Vec<_>, _>>().unwrap(),
            ["one"]
        );
        whoami.assert_async().await;
        projects.assert_async().await;
    }
}
