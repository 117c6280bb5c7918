//! Host names are looked up when a connection is opened, never for a request that
//! reuses a pooled one.
//!
//! ureq asks its resolver for every request, before it looks in its pool, and ureq's
//! own resolver starts a thread for each lookup whenever a timeout applies (always, for
//! this client). So the agent's resolver here answers nothing (an empty list, at no
//! cost), and [`LookupOnConnect`], in the connector chain where ureq opens TCP
//! connections, finds the address there, once per new connection: an IP literal read
//! as it is, a host name looked up within the connect timeout.

use std::net::{IpAddr, SocketAddr};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, NextTimeout, TcpConnector, Transport,
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
/// [`ResolveOnConnect`] left unresolved.
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
        // A tunnel through a proxy is already connected.
        if let Some(chained) = chained {
            return Ok(Some(Box::new(chained)));
        }
        let boxed = |t: Option<_>| t.map(|t| Box::new(t) as Box<dyn Transport>);
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
