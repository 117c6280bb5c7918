//! Which proxy a request goes through: one rule for both clients.
//!
//! - [`ClientBuilder::no_proxy`]: none, whatever the environment says.
//! - [`ClientBuilder::proxy`]: that proxy for every request (the environment is not read).
//! - otherwise the environment, read once when the client is built (not at all with
//!   `use_environment(false)`): `HTTPS_PROXY`/`https_proxy` for `https://` targets,
//!   `HTTP_PROXY`/`http_proxy` for `http://` targets, then `ALL_PROXY`/`all_proxy`;
//!   `NO_PROXY`/`no_proxy` lists targets that go direct: `*`, host names (`example.com`
//!   also matches its subdomains, as does `.example.com`), IP addresses and CIDR ranges
//!   (`127.0.0.0/8`, `::1/128`).
//!
//! The proxy URL may carry credentials (`http://user:pass@proxy:3128`); they are sent as
//! `Proxy-Authorization` and never printed: [`ProxyUrl`]'s `Debug` and `Display` leave
//! them out.
//!
//! [`ClientBuilder::no_proxy`]: crate::ClientBuilder::no_proxy
//! [`ClientBuilder::proxy`]: crate::ClientBuilder::proxy

use std::net::IpAddr;

use crate::error::Error;
use crate::net::url::{self, Authority, Url};

/// How the builder was told to pick proxies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum ProxyChoice {
    /// From the environment variables.
    #[default]
    Environment,
    /// This proxy for every request.
    Explicit(ProxyUrl),
    /// No proxy at all.
    Disabled,
    /// `ClientBuilder::proxy` was given something unusable: why (never the URL, which
    /// may hold a password). `build` fails with it.
    Invalid(String),
}

/// A proxy's URL. Its credentials never show in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyUrl {
    /// The URL as given (with credentials), normalised to have a scheme.
    full: String,
    /// `scheme://host:port`, what may be shown.
    shown: String,
    has_credentials: bool,
    /// Whether the proxy's host is loopback.
    on_this_machine: bool,
}

impl ProxyUrl {
    /// Parses `http://[user[:pass]@]host[:port][/]` (`https://` too; no scheme means
    /// `http://`). The error never repeats the URL: it may hold a password.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("http".to_owned(), text),
        };
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "proxy scheme {scheme:?} is not supported (use http:// or https://)"
            ));
        }
        let (authority, path) = url::authority_and_rest(rest);
        if !matches!(path, "" | "/") {
            return Err("a proxy URL has no path, query or fragment".to_owned());
        }
        let parts = Authority::parse(authority).map_err(|_| {
            "the proxy URL's [IPv6] host must be closed by ] and followed by nothing but :port"
                .to_owned()
        })?;
        let host = parts.host;
        if host.is_empty() {
            return Err("the proxy URL names no host".to_owned());
        }
        let port = match parts.port {
            Some(port) => url::parse_port(port)
                .ok_or_else(|| "the proxy URL's port is not a number".to_owned())?,
            None => url::default_port(&scheme).unwrap_or(80),
        };
        let shown_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        Ok(ProxyUrl {
            full: format!("{scheme}://{authority}"),
            shown: format!("{scheme}://{shown_host}:{port}"),
            has_credentials: parts.userinfo.is_some_and(|c| !c.is_empty()),
            on_this_machine: url::is_loopback_host(host.trim_end_matches('.')),
        })
    }

    /// The URL with its credentials, for the HTTP crate only.
    pub(crate) fn with_credentials(&self) -> &str {
        &self.full
    }
}

impl std::fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)?;
        if self.has_credentials {
            f.write_str(" (with credentials)")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

/// One `NO_PROXY` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Bypass {
    Everything,
    /// A host name, lower case, without a leading dot: matches itself and subdomains.
    Domain(String),
    /// An address and how many leading bits must match.
    Network(IpAddr, u8),
}

/// The proxy rule resolved for one client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ProxyRules {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    all: Option<ProxyUrl>,
    bypass: Vec<Bypass>,
}

impl ProxyRules {
    /// The rule for `choice`, with `env` for the environment (only read for
    /// [`ProxyChoice::Environment`]). An unusable proxy variable is skipped with a
    /// warning naming the variable (its value may hold a password).
    pub(crate) fn resolve(
        choice: &ProxyChoice,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        match choice {
            ProxyChoice::Disabled => Ok(ProxyRules::default()),
            ProxyChoice::Invalid(why) => Err(Error::config(format!(
                "the proxy given to ClientBuilder::proxy is unusable: {why}"
            ))),
            ProxyChoice::Explicit(url) => Ok(ProxyRules {
                all: Some(url.clone()),
                ..ProxyRules::default()
            }),
            ProxyChoice::Environment => {
                let var = |upper: &str| {
                    let lower = upper.to_ascii_lowercase();
                    let (name, value) = [(upper, env(upper)), (lower.as_str(), env(&lower))]
                        .into_iter()
                        .find_map(|(name, value)| {
                            value
                                .filter(|v| !v.trim().is_empty())
                                .map(|v| (name.to_owned(), v))
                        })?;
                    match ProxyUrl::parse(&value) {
                        Ok(url) => Some(url),
                        Err(why) => {
                            log::warn!("ignoring the proxy in {name}: {why}");
                            None
                        }
                    }
                };
                let no_proxy = env("NO_PROXY")
                    .filter(|v| !v.trim().is_empty())
                    .or_else(|| env("no_proxy"))
                    .unwrap_or_default();
                Ok(ProxyRules {
                    http: var("HTTP_PROXY"),
                    https: var("HTTPS_PROXY"),
                    all: var("ALL_PROXY"),
                    bypass: no_proxy.split(',').filter_map(parse_bypass).collect(),
                })
            }
        }
    }

    /// The proxy for a request to `scheme://host`, or `None` to go direct.
    pub(crate) fn for_target(&self, scheme: &str, host: &str) -> Option<&ProxyUrl> {
        let proxy = match scheme {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }
        .or(self.all.as_ref())?;
        // Plain http is allowed without `allow_insecure_http` only because the token
        // stays on this machine: a request to a loopback host goes through a proxy only
        // if that proxy is on this machine too.
        let loopback = url::is_loopback_host(host.trim_end_matches('.'));
        if scheme == "http" && loopback && !proxy.on_this_machine {
            return None;
        }
        (!self.bypassed(host)).then_some(proxy)
    }

    /// The proxy for a request to `url`.
    pub(crate) fn for_url(&self, url: &str) -> Option<&ProxyUrl> {
        let url = Url::split(url)?;
        // An authority that cannot be read (an unclosed `[`) is not a host to bypass.
        let host = Authority::parse(url.authority).map_or("", |parts| parts.host);
        self.for_target(&url.scheme.to_ascii_lowercase(), host)
    }

    fn bypassed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.bypass.iter().any(|entry| match entry {
            Bypass::Everything => true,
            Bypass::Domain(domain) => {
                host == *domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|head| head.ends_with('.'))
            }
            Bypass::Network(network, bits) => ip.is_some_and(|ip| in_network(ip, *network, *bits)),
        })
    }

    /// Every proxy the rule may pick.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn proxies(&self) -> impl Iterator<Item = &ProxyUrl> {
        [&self.http, &self.https, &self.all].into_iter().flatten()
    }

    /// Whether any proxy may be used.
    #[cfg_attr(not(feature = "async"), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none() && self.all.is_none()
    }
}

fn parse_bypass(entry: &str) -> Option<Bypass> {
    let entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return None;
    }
    if entry == "*" {
        return Some(Bypass::Everything);
    }
    if let Some((address, bits)) = entry.split_once('/') {
        let address: IpAddr = address.trim_matches(['[', ']']).parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let bits: u8 = bits.parse().ok().filter(|b| *b <= max)?;
        return Some(Bypass::Network(address, bits));
    }
    let bare = entry.trim_matches(['[', ']']);
    if let Ok(address) = bare.parse::<IpAddr>() {
        return Some(Bypass::Network(
            address,
            if address.is_ipv4() { 32 } else { 128 },
        ));
    }
    // `host:port` entries: the port is not compared.
    let host = entry.rsplit_once(':').map_or(entry.as_str(), |(h, _)| h);
    let host = host.trim_start_matches("*.").trim_start_matches('.');
    Some(Bypass::Domain(host.trim_end_matches('.').to_owned()))
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (ip, network, width) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let bits = u32::from(bits);
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (ip >> shift) == (network >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(vars: &[(&str, &str)]) -> ProxyRules {
        ProxyRules::resolve(&ProxyChoice::Environment, &|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
    }

    fn via(rules: &ProxyRules, url: &str) -> Option<String> {
        rules.for_url(url).map(ToString::to_string)
    }

    #[test]
    fn the_proxy_is_picked_by_the_targets_scheme_then_all_proxy() {
        let r = rules(&[
            ("HTTPS_PROXY", "http://secure:1"),
            ("http_proxy", "plain:2"),
            ("ALL_PROXY", "http://all:3"),
        ]);
        assert_eq!(
            via(&r, "https://api.example/v1").as_deref(),
            Some("http://secure:1")
        );
        assert_eq!(
            via(&r, "http://api.example/v1").as_deref(),
            Some("http://plain:2")
        );
        let r = rules(&[("ALL_PROXY", "http://all:3")]);
        assert_eq!(via(&r, "https://x").as_deref(), Some("http://all:3"));
        assert_eq!(via(&r, "http://x").as_deref(), Some("http://all:3"));
        let r = rules(&[("HTTP_PROXY", "http://plain:2")]);
        assert_eq!(via(&r, "https://x"), None);
        assert_eq!(via(&rules(&[]), "https://x"), None);
    }

    #[test]
    fn no_proxy_matches_hosts_suffixes_star_ips_and_cidrs() {
        let r = rules(&[
            ("ALL_PROXY", "http://p:1"),
            (
                "NO_PROXY",
                "localhost, .internal.example,corp.example,10.1.2.3,127.0.0.0/8,[::1],fd00::/8",
            ),
        ]);
        for direct in [
            "http://localhost:8080/",
            "https://a.internal.example/",
            "https://internal.example/",
            "https://corp.example/",
            "https://deep.sub.corp.example/",
            "http://10.1.2.3/",
            "http://127.0.0.1:9/",
            "http://127.255.0.9/",
            "http://[::1]:80/",
            "http://[fd12::1]/",
            "https://user@CORP.EXAMPLE./x",
        ] {
            assert_eq!(via(&r, direct), None, "{direct}");
        }
        for proxied in [
            "https://api.podstack.ai/v1",
            "https://notcorp.example/",
            "http://10.1.2.4/",
            "http://128.0.0.1/",
            "http://[fe80::1]/",
        ] {
            assert!(via(&r, proxied).is_some(), "{proxied}");
        }
        let star = rules(&[("ALL_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(via(&star, "https://anything/"), None);
    }

    #[test]
    fn plain_http_to_this_machine_never_leaves_it_through_a_proxy() {
        let remote = rules(&[
            ("HTTP_PROXY", "http://proxy.corp:3128"),
            ("HTTPS_PROXY", "http://proxy.corp:3128"),
        ]);
        for target in [
            "http://127.0.0.1:8080/v1",
            "http://localhost:1/v1",
            "http://[::1]:9/v1",
        ] {
            assert_eq!(via(&remote, target), None, "{target}");
        }
        // TLS protects https; a remote host is not this machine.
        assert_eq!(
            via(&remote, "https://127.0.0.1:8443").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(
            via(&remote, "http://example.com").as_deref(),
            Some("http://proxy.corp:3128")
        );
        // A proxy on this machine keeps the token on it.
        let local = rules(&[("HTTP_PROXY", "http://127.0.0.1:3128")]);
        assert_eq!(
            via(&local, "http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:3128")
        );
        let explicit = ProxyUrl::parse("http://user:pw@proxy.corp:3128").unwrap();
        let r = ProxyRules::resolve(&ProxyChoice::Explicit(explicit), &|_| None).unwrap();
        assert_eq!(via(&r, "http://localhost:8080"), None);
    }

    #[test]
    fn a_proxy_url_no_http_crate_could_use_is_refused() {
        for (bad, why) in [
            ("http://[::1", "[IPv6]"),
            ("http://[::1]x:1", "[IPv6]"),
            ("http://p:+3128", "port"),
            ("http://p:1:2", "port"),
            ("http://:1", "no host"),
        ] {
            let error = ProxyUrl::parse(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
        let v6 = ProxyUrl::parse("[::1]:3128").unwrap();
        assert_eq!(v6.to_string(), "http://[::1]:3128");
        assert!(v6.on_this_machine);
    }

    #[test]
    fn explicit_and_disabled_ignore_the_environment() {
        let env = |_: &str| Some("http://env:1".to_owned());
        let explicit = ProxyUrl::parse("http://mine:8").unwrap();
        let r = ProxyRules::resolve(&ProxyChoice::Explicit(explicit), &env).unwrap();
        assert_eq!(via(&r, "https://x").as_deref(), Some("http://mine:8"));
        let r = ProxyRules::resolve(&ProxyChoice::Disabled, &env).unwrap();
        assert_eq!(via(&r, "https://x"), None);
        assert!(r.is_empty());
    }

    #[test]
    fn credentials_are_kept_for_the_wire_and_never_shown() {
        let url = ProxyUrl::parse("http://user:hunter2@proxy.example:3128/").unwrap();
        assert_eq!(
            url.with_credentials(),
            "http://user:hunter2@proxy.example:3128"
        );
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("user"),
                "{shown}"
            );
            assert!(shown.contains("proxy.example:3128"), "{shown}");
        }
        let error = ProxyUrl::parse("socks5://user:hunter2@p:1").unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(ProxyUrl::parse("http://user:hunter2@p:notaport")
            .unwrap_err()
            .contains("port"));
        // An unusable variable is skipped, not fatal.
        assert_eq!(
            via(&rules(&[("HTTPS_PROXY", "socks5://p:1")]), "https://x"),
            None
        );
    }
}
