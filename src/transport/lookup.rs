//! Host names are looked up when a connection is opened, never for a request that
//! reuses a pooled one.
//!
//! ureq asks its resolver for every request, before it looks in its pool, and ureq's
//! own resolver starts a thread for each lookup whenever a timeout applies (always, for
//! this client). So the agent's resolver here answers IP literals only, at once, and
//! leaves host names unresolved; [`LookupOnConnect`], in the connector chain where ureq
//! opens TCP connections, looks the name up there, within the connect timeout, once per
//! new connection.

use std::net::{IpAddr, SocketAddr};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, NextTimeout, TcpConnector, Transport,
};

/// Resolves IP literals; leaves host names (an empty list) to [`LookupOnConnect`].
#[derive(Debug, Default)]
pub(crate) struct LiteralResolver;

impl Resolver for LiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addrs = self.empty();
        if let Some(addr) = literal_address(uri) {
            addrs.push(addr);
        }
        Ok(addrs)
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

/// Opens TCP connections as ureq's own connector does, first looking up a host name
/// that [`LiteralResolver`] left unresolved.
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
        // ureq's resolver bounds the lookup by the connect timeout (on a thread of its
        // own, one per new connection) and keeps the configured IP family.
        let addrs = DefaultResolver::default()
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
            })?;
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
    fn only_ip_literals_are_resolved_up_front() {
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
