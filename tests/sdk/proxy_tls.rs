//! Proxies and TLS, the same in both clients: a recording HTTP proxy (forwarding and
//! `CONNECT`), the shared proxy rule end to end (with environment maps handed to the
//! builder: the process environment is never changed), plain http to this machine never
//! sent through a proxy, proxy credentials that never show, and an HTTPS server behind a
//! private CA made in the test.

crate::support::for_each_client!("cases/proxy_tls.rs");
