//! URLs and their authorities, read one way for the whole crate: the endpoint checks
//! (`config`), the proxy URL and `NO_PROXY` matching ([`proxy`](super::proxy)), and the
//! transports' redirect resolution, origin comparison and error messages.
//!
//! Only what those need is read (scheme, userinfo, host, port and the rest) and only
//! by RFC 3986's structure: `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
//! `http::Uri` is what the HTTP crates parse a request's URL with; it is not used to
//! read an endpoint or a proxy because it refuses with one generic error what the
//! callers here must name (and takes a port it cannot read as no port at all), so the
//! checks a caller needs on top (schemes, host characters, IPv6 literals, port digits)
//! stay with the caller and this module only cuts.

use std::net::IpAddr;

/// A URL cut at its authority: `scheme://authority rest`. Nothing is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Url<'a> {
    /// As written (compare it ignoring ASCII case).
    pub scheme: &'a str,
    /// Everything between `://` and the first `/`, `?` or `#`.
    pub authority: &'a str,
    /// The path, query and fragment, from the first `/`, `?` or `#` on (may be empty).
    pub rest: &'a str,
}

impl<'a> Url<'a> {
    /// `url` cut at its parts; `None` without `://`.
    pub(crate) fn split(url: &'a str) -> Option<Self> {
        let (scheme, after) = url.split_once("://")?;
        let (authority, rest) = authority_and_rest(after);
        Some(Url {
            scheme,
            authority,
            rest,
        })
    }
}

/// What follows a URL's `://`, cut at the end of the authority (the first `/`, `?` or
/// `#`).
pub(crate) fn authority_and_rest(after_scheme: &str) -> (&str, &str) {
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    after_scheme.split_at(end)
}

/// An authority's parts: `[userinfo@]host[:port]`, the host of an `[IPv6]` literal
/// without its brackets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Authority<'a> {
    /// Before the last `@`, when there is one.
    pub userinfo: Option<&'a str>,
    /// `host[:port]`: the authority without its userinfo.
    pub host_port: &'a str,
    /// The host, without the brackets of an IPv6 literal.
    pub host: &'a str,
    /// Whether the host was written in brackets.
    pub bracketed: bool,
    /// After the host's `:`, unchecked (it may be empty, or not a number); `None`
    /// without a `:`.
    pub port: Option<&'a str>,
}

/// Why an authority cannot be cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthorityError {
    /// A `[` without its `]`.
    Unclosed,
    /// Something other than `:port` after an `[IPv6]` host.
    AfterBracket,
}

impl<'a> Authority<'a> {
    /// Cuts `authority`: the userinfo ends at the last `@`, a bracketed host at its
    /// `]`, any other host at its first `:` (a host name holds none).
    pub(crate) fn parse(authority: &'a str) -> Result<Self, AuthorityError> {
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (host, bracketed, port) = match host_port.strip_prefix('[') {
            Some(v6) => {
                let (inside, after) = v6.split_once(']').ok_or(AuthorityError::Unclosed)?;
                let port = match after {
                    "" => None,
                    _ => Some(
                        after
                            .strip_prefix(':')
                            .ok_or(AuthorityError::AfterBracket)?,
                    ),
                };
                (inside, true, port)
            }
            None => match host_port.split_once(':') {
                Some((host, port)) => (host, false, Some(port)),
                None => (host_port, false, None),
            },
        };
        Ok(Authority {
            userinfo,
            host_port,
            host,
            bracketed,
            port,
        })
    }

    /// The port, or the scheme's (`http` 80, `https` 443) when none is written; `None`
    /// when the written one is not a 16-bit number, or for another scheme.
    pub(crate) fn port_or_default(&self, scheme: &str) -> Option<u16> {
        match self.port {
            Some(port) if !port.is_empty() => parse_port(port),
            _ => default_port(scheme),
        }
    }
}

/// A port written as digits only that fits in 16 bits.
pub(crate) fn parse_port(port: &str) -> Option<u16> {
    let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| port.parse().ok()).flatten()
}

/// The port a scheme uses when a URL names none: `http` 80, `https` 443 (ASCII case
/// ignored); `None` for any other.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else {
        None
    }
}

/// `localhost` (ASCII case ignored), `127.0.0.0/8` or `::1`, brackets or not; nothing
/// else, however it is spelled (a caller trims a trailing dot itself if it allows one).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|v6| v6.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A URL's origin: scheme and host (lower case, an IPv6 host without brackets) and port
/// (the scheme's if unsaid); `None` when the URL cannot be read or its scheme has no
/// default port and names none.
pub(crate) fn origin(url: &str) -> Option<(String, String, u16)> {
    let url = Url::split(url)?;
    let authority = Authority::parse(url.authority).ok()?;
    let port = authority.port_or_default(url.scheme)?;
    Some((
        url.scheme.to_ascii_lowercase(),
        authority.host.to_ascii_lowercase(),
        port,
    ))
}

/// Where a redirect's `Location` points, resolved against the URL it came from; `None`
/// for a scheme other than http or https.
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
pub(crate) fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    let base = Url::split(base)?;
    if let Some(target) = Url::split(location) {
        return default_port(target.scheme).map(|_| location.to_owned());
    }
    if let Some(net_path) = location.strip_prefix("//") {
        return Some(format!("{}://{net_path}", base.scheme));
    }
    let root = format!("{}://{}", base.scheme, base.authority);
    if location.starts_with('/') {
        return Some(format!("{root}{location}"));
    }
    let path = base.rest.split(['?', '#']).next().unwrap_or_default();
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    Some(format!("{root}{dir}{location}"))
}

/// Whether a redirect from `from` to `to` goes from https down to plain http (schemes
/// compare ignoring ASCII case, as both HTTP crates read them).
#[cfg_attr(not(feature = "blocking"), allow(dead_code))]
pub(crate) fn is_downgrade(from: &str, to: &str) -> bool {
    let scheme_is = |url, scheme: &str| {
        Url::split(url).is_some_and(|url| url.scheme.eq_ignore_ascii_case(scheme))
    };
    scheme_is(from, "https") && scheme_is(to, "http")
}

/// A URL as it may be shown: `https://user:pass@host` → `https://[redacted]@host`, so
/// that a password never appears in an error; anything else as it is.
pub(crate) fn without_userinfo(raw: &str) -> String {
    let Some(url) = Url::split(raw) else {
        return raw.to_owned();
    };
    match url.authority.rsplit_once('@') {
        Some((_, host)) => format!("{}://[redacted]@{host}{}", url.scheme, url.rest),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin("https://API.example/v1/x?y"),
            Some(("https".into(), "api.example".into(), 443))
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/a"),
            Some(("http".into(), "127.0.0.1".into(), 8080))
        );
        assert_eq!(
            origin("http://[::1]/"),
            Some(("http".into(), "::1".into(), 80))
        );
        assert_ne!(origin("http://h:1/"), origin("http://h:2/"));
        assert_ne!(origin("http://h/"), origin("https://h/"));
    }

    #[test]
    fn locations_resolve_against_the_url_they_came_from() {
        let base = "http://h:1/v1/auth/whoami?x=1";
        assert_eq!(resolve_location(base, "/v2/y").unwrap(), "http://h:1/v2/y");
        assert_eq!(
            resolve_location(base, "other").unwrap(),
            "http://h:1/v1/auth/other"
        );
        assert_eq!(resolve_location(base, "//e:2/z").unwrap(), "http://e:2/z");
        assert_eq!(
            resolve_location(base, "https://e/z").unwrap(),
            "https://e/z"
        );
        assert_eq!(resolve_location(base, "ftp://e/z"), None);
        assert!(is_downgrade("https://h/a", "http://h/b"));
        assert!(is_downgrade("https://h/a", "HTTP://h/b"));
        assert!(!is_downgrade("http://h/a", "https://h/b"));
        assert!(!is_downgrade("https://h/a", "https://e/b"));
    }

    #[test]
    fn authorities_cut_at_userinfo_brackets_and_the_port() {
        let a = Authority::parse("user:pw@[::1]:8080").unwrap();
        assert_eq!(
            (a.userinfo, a.host_port, a.host, a.bracketed, a.port),
            (Some("user:pw"), "[::1]:8080", "::1", true, Some("8080"))
        );
        let a = Authority::parse("h:").unwrap();
        assert_eq!(
            (a.host, a.port, a.port_or_default("https")),
            ("h", Some(""), Some(443))
        );
        assert_eq!(
            Authority::parse("[::1").unwrap_err(),
            AuthorityError::Unclosed
        );
        assert_eq!(
            Authority::parse("[::1]x").unwrap_err(),
            AuthorityError::AfterBracket
        );
        assert_eq!(
            Authority::parse("h:99999").unwrap().port_or_default("http"),
            None
        );
        assert!(is_loopback_host("[::1]") && is_loopback_host("LOCALHOST"));
        assert!(is_loopback_host("127.9.9.9") && !is_loopback_host("localhost."));
        assert!(!is_loopback_host("10.0.0.1") && !is_loopback_host("[::2]"));
    }
}
