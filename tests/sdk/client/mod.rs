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

/// A pooled connection is checked before it carries another request: one the server
/// closed, or on which it sent bytes nobody asked for, while it sat in the pool is never
/// used again. The blocking client probes it once between two requests (when it is
/// taken from the pool), not twice (see `transport::blocking::lookup`); these prove the
/// probe that is left still sees both, on a direct connection and on one tunnelled
/// through a proxy. Linux only: each waits, through `/proc/net/tcp`, until the client's
/// socket has the server's close or bytes, so that nothing is left to timing. (hyper
/// notices both on a task of its own, which a test cannot wait for.)
#[cfg(all(feature = "blocking", target_os = "linux"))]
mod pooled_connections {
    use std::sync::{mpsc, Mutex};
    use std::time::{Duration, Instant};

    use crate::support::{Conn, Pki, Proxy, Seen, Server, TOKEN, WHOAMI};

    /// How the client reaches the server.
    enum Via {
        Direct,
        /// A CONNECT tunnel through a proxy.
        Proxy,
        /// TLS (to a server with a certificate of this PKI).
        Tls(Pki),
    }

    impl Via {
        fn tls() -> Via {
            Via::Tls(Pki::new())
        }

        /// A server that keeps each connection for as long as `script` returns `true`.
        fn server(
            &self,
            script: impl Fn(&Seen, &mut dyn Conn) -> bool + Send + Sync + 'static,
        ) -> Server {
            match self {
                Via::Tls(pki) => pki.serve_keep_alive(script),
                _ => Server::start_keep_alive(script),
            }
        }

        /// A client of `server` that never retries (a call made on a dead connection
        /// fails), and the port its sockets are connected to.
        fn client(&self, server: &Server) -> (podstack::Client, u16) {
            let builder = podstack::Client::builder()
                .use_environment(false)
                .api_endpoint(server.url())
                .api_token(TOKEN)
                .retry(podstack::RetryConfig::disabled());
            let (builder, port) = match self {
                Via::Direct => (builder, server.port()),
                Via::Proxy => {
                    let proxy = Proxy::start();
                    (builder.proxy(proxy.url()), proxy.addr.port())
                }
                Via::Tls(pki) => (
                    builder.add_root_certificate(pki.ca_pem.as_bytes()),
                    server.port(),
                ),
            };
            (builder.build().unwrap(), port)
        }
    }

    /// `whoami`'s answer, kept alive.
    fn answer(body: &str) -> String {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    /// The state (two hex digits: `01` established, `08` closed by the server) and the
    /// bytes received but not yet read of each socket connected to `port` (on
    /// 127.0.0.1, where the test servers and proxies listen: IPv4, so in
    /// `/proc/net/tcp`).
    fn client_sockets(port: u16) -> Vec<(String, u64)> {
        let port = format!("{port:04X}");
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        table
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let remote_port = fields[2].rsplit(':').next()?;
                let unread = fields[4].split(':').nth(1)?;
                (remote_port == port).then(|| {
                    (
                        fields[3].to_owned(),
                        u64::from_str_radix(unread, 16).unwrap(),
                    )
                })
            })
            .collect()
    }

    /// Waits until the client's sockets to `port` are as `done` wants them.
    fn wait_for(port: u16, what: &str, done: impl Fn(&[(String, u64)]) -> bool) {
        let started = Instant::now();
        while !done(&client_sockets(port)) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited in vain for {what}: {:?}",
                client_sockets(port)
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A server that answers every request with `whoami`'s answer, kept alive, and on
    /// its first connection, once that answer is sent, waits for the test's word (the
    /// sender returned) and then does `then`, which says whether to keep the connection.
    fn server_acting_on_word(
        via: &Via,
        then: impl Fn(&mut dyn Conn) -> bool + Send + Sync + 'static,
    ) -> (Server, mpsc::Sender<()>) {
        let (word, word_due) = mpsc::channel::<()>();
        let word_due = Mutex::new(word_due);
        let server = via.server(move |_, conn| {
            let _ = conn.write_all(answer(WHOAMI).as_bytes());
            let _ = conn.flush();
            // Later connections find the sender dropped.
            match word_due.lock().unwrap().recv() {
                Ok(()) => then(conn),
                Err(_) => true,
            }
        });
        (server, word)
    }

    fn a_connection_the_server_closed_while_pooled_is_not_used(via: Via) {
        // The first connection is closed by the server on the test's word, once the
        // client has pooled it.
        let (server, close_now) = server_acting_on_word(&via, |_| false);
        let (client, port) = via.client(&server);
        client.auth().whoami().unwrap();
        // Pooled: the client's socket is there, established.
        wait_for(port, "the pooled connection", |sockets| {
            sockets.iter().any(|(state, _)| state == "01")
        });
        close_now.send(()).unwrap();
        // The server's close has reached the client: its socket is there and no longer
        // established (closed by the server).
        wait_for(port, "the server's close", |sockets| {
            !sockets.is_empty() && sockets.iter().all(|(state, _)| state != "01")
        });
        drop(close_now);

        let user = client.auth().whoami().unwrap();

        assert_eq!(user.name, "Ada");
        assert_eq!(server.connections(), 2);
    }

    fn bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer(via: Via) {
        const FORGED: &str = r#"{"id":"usr_2","email":"mallory@example.com","name":"Mallory","account_id":"acc_2","token":{"name":"x","prefix":"x","expires_at":null,"scopes":[]}}"#;
        // On the first connection, once its answer has been read: an answer to a request
        // not yet made.
        let (server, send_forged) = server_acting_on_word(&via, |conn| {
            let _ = conn.write_all(answer(FORGED).as_bytes());
            true
        });
        let (client, port) = via.client(&server);
        client.auth().whoami().unwrap();
        send_forged.send(()).unwrap();
        // The forged answer waits, unread, in the client's socket.
        let forged = answer(FORGED).len() as u64;
        wait_for(port, "the forged answer", |sockets| {
            sockets.iter().any(|(_, unread)| *unread >= forged)
        });
        drop(send_forged);

        let user = client.auth().whoami().unwrap();

        assert_eq!(user.name, "Ada");
        assert_eq!(server.connections(), 2);
    }

    #[test]
    fn a_connection_the_server_closed_while_pooled_is_not_used_directly() {
        a_connection_the_server_closed_while_pooled_is_not_used(Via::Direct);
    }

    #[test]
    fn a_connection_the_server_closed_while_pooled_is_not_used_through_a_proxy() {
        a_connection_the_server_closed_while_pooled_is_not_used(Via::Proxy);
    }

    #[test]
    fn a_connection_the_server_closed_while_pooled_is_not_used_over_tls() {
        a_connection_the_server_closed_while_pooled_is_not_used(Via::tls());
    }

    #[test]
    fn bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer_directly() {
        bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer(Via::Direct);
    }

    #[test]
    fn bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer_through_a_proxy() {
        bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer(Via::Proxy);
    }

    #[test]
    fn bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer_over_tls() {
        bytes_a_server_sends_while_a_connection_is_pooled_never_become_an_answer(Via::tls());
    }
}
