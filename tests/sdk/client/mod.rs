//! The client's pipeline against a mock server, in both builds: the exact requests it
//! sends (headers, retries, idempotency keys), how it decodes answers, lazy lists, how it
//! maps every failure ([`errors`]), answers that break HTTP ([`http`]), timeouts, and
//! its connection pool.

crate::support::for_each_client!("../cases/client.rs");

/// Errors as a user sees them: `Display` shows each source once (and `{:#}` the whole
/// chain), a cloned error keeps its source, plain-string error bodies, everyday errors'
/// words; and answers serialize and read back equal.
mod errors {
    crate::support::for_each_client!("../cases/errors.rs");
}

/// Answers that break HTTP in large and small ways: not retried, never held, and
/// never poisoning the next call on the same connection.
mod http {
    crate::support::for_each_client!("../cases/http.rs");
}

/// One client shared by many threads keeps one connection per thread alive in its pool
/// instead of closing and reopening them (which costs a TLS handshake per call against
/// a real host, and can run a machine out of ports).
mod shared_by_threads {
    use podstack_emulator::Emulator;

    const THREADS: usize = 16;
    const CALLS: usize = 100;
    /// One connection per thread, and a little slack for a connection the server
    /// closed while idle.
    const MOST: u64 = THREADS as u64 + 2;

    #[cfg(feature = "blocking")]
    #[test]
    fn sixteen_threads_sharing_a_blocking_client_keep_one_connection_each() {
        let emulator = Emulator::start();
        let client = podstack::Client::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .api_token(emulator.token())
            .build()
            .unwrap();

        std::thread::scope(|scope| {
            for _ in 0..THREADS {
                let client = client.clone();
                scope.spawn(move || {
                    for _ in 0..CALLS {
                        client.auth().whoami().unwrap();
                    }
                });
            }
        });

        let opened = emulator.stats().connections_accepted;
        assert!(opened <= MOST, "{opened} connections for {THREADS} threads");
    }

    #[cfg(feature = "async")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixteen_tasks_sharing_an_async_client_keep_one_connection_each() {
        let emulator = Emulator::start();
        let client = podstack::nonblocking::Client::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .api_token(emulator.token())
            .build()
            .unwrap();

        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..THREADS {
            let client = client.clone();
            tasks.spawn(async move {
                for _ in 0..CALLS {
                    client.auth().whoami().await.unwrap();
                    // As a program does something with each answer: hyper puts a
                    // connection back in its pool from a task of its own, and a call
                    // that starts before that task runs opens another connection to
                    // race it (which the pool then keeps).
                    tokio::task::yield_now().await;
                }
            });
        }
        tasks.join_all().await;

        let opened = emulator.stats().connections_accepted;
        assert!(opened <= MOST, "{opened} connections for {THREADS} tasks");
    }
}
