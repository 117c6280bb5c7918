//! The TCP connections of the blocking transport: host names are looked up when a
//! connection is opened, never for a request that reuses a pooled one, and a pooled
//! connection is probed once between two requests, not twice.
//!
//! ureq asks its resolver for every request, before it looks in its pool, and ureq's
//! own resolver starts a thread for each lookup whenever a timeout applies (always, for
//! this client). So the agent's resolver here answers nothing (an empty list, at no
//! cost), and [`LookupOnConnect`], in the connector chain where ureq opens TCP
//! connections, finds the address there, once per new connection: an IP literal read
//! as it is, a host name looked up within the connect timeout. Each connection it opens
//! is a [`ProbedOnceBetweenRequests`].

use std::net::{IpAddr, SocketAddr};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, NextTimeout, TcpConnector, Transport,
};

/// Leaves every host (an empty list) to [`LookupOnConnect`]: ureq calls it for every
/// request, pooled or not, and reading even an IP literal there cost about a fiftieth
/// of a whole call.
#[derive(Debug, Default)]
pub(crate) struct ResolveOnConnect;

impl Resolver for ResolveOnConnect {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        Ok(self.empty())
    }
}

/// The address of a URI whose host is an IP literal (`127.0.0.1`, `[::1]`).
fn literal_address(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some(SocketAddr::new(ip, port))
}

/// Opens TCP connections as ureq's own connector does, first finding the address that
/// [`ResolveOnConnect`] left unresolved; each is a [`ProbedOnceBetweenRequests`] (a
/// tunnel through a proxy is one inside: see `connect`).
#[derive(Debug, Default)]
pub(crate) struct LookupOnConnect {
    tcp: TcpConnector,
}

impl<In: Transport> Connector<In> for LookupOnConnect {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        // A tunnel through a proxy is already connected, over a TCP connection to the
        // proxy that ureq opened through this same chain, and so through this connector:
        // it is a `ProbedOnceBetweenRequests` already. Wrapped again, the outer one would
        // answer the first question and the inner one the second, and the socket would
        // never be probed between two requests.
        if let Some(chained) = chained {
            return Ok(Some(Box::new(chained)));
        }
        let boxed = |t: Option<_>| {
            t.map(|t| Box::new(ProbedOnceBetweenRequests::new(t)) as Box<dyn Transport>)
        };
        if !details.addrs.is_empty() {
            return self.tcp.connect(details, None::<()>).map(boxed);
        }
        let addrs = match literal_address(details.uri) {
            Some(addr) => {
                let mut addrs = details.resolver.empty();
                addrs.push(addr);
                addrs
            }
            // ureq's resolver bounds the lookup by the connect timeout (on a thread of
            // its own, one per new connection) and keeps the configured IP family.
            None => lookup(details)?,
        };
        let resolved = ConnectionDetails {
            uri: details.uri,
            addrs,
            config: details.config,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        self.tcp.connect(&resolved, None::<()>).map(boxed)
    }
}

/// A connection that ureq's pool probes once between two requests instead of twice.
///
/// ureq asks a connection whether it is still open when an answer has been read, before
/// pooling it, and again when it takes it from the pool for the next request (only
/// `reuse` puts a connection in the pool, and only `get` takes it out). Its TCP
/// transport answers each with a read that must find nothing, made with the socket
/// switched to non-blocking and back: three system calls each time, six of the eight a
/// pooled call made. The second probe is the one that counts: whatever the first would
/// find (bytes the server sent after the answer, a connection it closed) is still there
/// for it, with whatever happened while the connection sat in the pool. So the first
/// question after a request is answered "open" without a probe, and the probe is made
/// when the connection is about to carry the next request. Bytes already taken from the
/// socket past the answer are beyond either probe: ureq closes the connection for those
/// in its buffer before asking. A connection the skipped probe would have closed now
/// waits in the pool until then, where, with `pool_max_idle_per_host` set, it may push
/// out an older one that was still good. There must be one of these per socket: one
/// inside another would answer the second question unprobed (see
/// [`LookupOnConnect`]'s tunnels).
#[derive(Debug)]
pub(crate) struct ProbedOnceBetweenRequests<T> {
    inner: T,
    /// Whether the connection has been written or read since ureq last asked whether it
    /// is open.
    used: bool,
}

impl<T> ProbedOnceBetweenRequests<T> {
    fn new(inner: T) -> Self {
        ProbedOnceBetweenRequests { inner, used: true }
    }
}

impl<T: Transport> Transport for ProbedOnceBetweenRequests<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.used = true;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.used = true;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        std::mem::take(&mut self.used) || self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Looks the host name of `details` up, within its connect timeout.
fn lookup(details: &ConnectionDetails) -> Result<ResolvedSocketAddrs, ureq::Error> {
    DefaultResolver::default()
        .resolve(details.uri, details.config, details.timeout)
        .map_err(|e| match e {
            ureq::Error::Io(e)
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                ureq::Error::Io(std::io::Error::other(NotResolved(e)))
            }
            other => other,
        })
}

/// The system's error for a host name it could not look up, marked as such: the
/// error mapping then says it was the name that failed (std gives such errors no kind
/// of their own). Shown as the system's words.
#[derive(Debug)]
pub(crate) struct NotResolved(std::io::Error);

impl std::fmt::Display for NotResolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for NotResolved {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration as UreqDuration;
    use ureq::unversioned::transport::LazyBuffers;

    /// A connection that counts the probes made on it.
    #[derive(Debug)]
    struct Counted {
        buffers: LazyBuffers,
        open: bool,
        probes: usize,
    }

    impl Counted {
        fn new(open: bool) -> Self {
            Counted {
                buffers: LazyBuffers::new(64, 64),
                open,
                probes: 0,
            }
        }
    }

    impl Transport for Counted {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(true)
        }
        fn is_open(&mut self) -> bool {
            self.probes += 1;
            self.open
        }
    }

    const WAIT: NextTimeout = NextTimeout {
        after: UreqDuration::NotHappening,
        reason: ureq::Timeout::Global,
        per_read: None,
        per_write: None,
    };

    /// One request on the connection: written, then read.
    fn request(connection: &mut ProbedOnceBetweenRequests<Counted>) {
        connection.transmit_output(0, WAIT).unwrap();
        connection.await_input(WAIT).unwrap();
    }

    /// ureq asks twice between two requests (the answer read, then the connection taken
    /// from the pool): the socket is probed once, when the connection is taken.
    #[test]
    fn a_pooled_connection_is_probed_once_between_two_requests() {
        let mut connection = ProbedOnceBetweenRequests::new(Counted::new(true));
        request(&mut connection);
        for _ in 0..3 {
            assert!(connection.is_open(), "the answer read");
            assert!(connection.is_open(), "taken from the pool");
            request(&mut connection);
        }
        assert!(connection.is_open());
        assert_eq!(connection.inner.probes, 3);
    }

    /// What the skipped probe would have found, the next one finds: the connection is
    /// never taken for another request.
    #[test]
    fn a_connection_found_closed_is_not_taken_from_the_pool() {
        let mut connection = ProbedOnceBetweenRequests::new(Counted::new(false));
        request(&mut connection);
        assert!(connection.is_open(), "the answer read: not probed");
        assert!(!connection.is_open(), "taken from the pool: probed");
        assert!(!connection.is_open(), "asked again: probed again");
        assert_eq!(connection.inner.probes, 2);
    }

    #[test]
    fn ip_literals_are_read_without_a_lookup() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            literal_address(&uri("http://127.0.0.1:8080/v1")),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(
            literal_address(&uri("https://[::1]/v1")),
            Some("[::1]:443".parse().unwrap())
        );
        assert_eq!(literal_address(&uri("https://api.podstack.ai/v1")), None);
        assert_eq!(literal_address(&uri("http://localhost:80/")), None);
    }
}
