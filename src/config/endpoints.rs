//! Endpoint parsing and validation: the https rule, loopback hosts, userinfo and a
//! trailing version path.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

/// Validates an endpoint, or says which one is wrong and where it came from. A
/// trailing `version_path` (`/v1` for the API) is dropped: the client adds it.
pub(crate) fn checked_endpoint(
    which: &str,
    raw: &str,
    source: &Source,
    settings: &Settings,
    version_path: &str,
) -> Result<String> {
    validate_endpoint(raw, settings.allow_insecure_http)
        .map(|endpoint| without_version_path(endpoint, version_path))
        .map_err(|why| {
            let shown = without_userinfo(raw);
            Error::config(format!(
                "invalid {which} endpoint {shown:?} (from {source}): {why}"
            ))
        })
}

/// An endpoint as it may be shown: `https://user:pass@host` → `https://[redacted]@host`,
/// since a password must not appear in an error.
pub(crate) fn without_userinfo(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://[redacted]@{host}{}", &rest[authority_end..]),
        None => raw.to_owned(),
    }
}

/// `https://host/v1` → `https://host` for `version_path` `/v1` (ASCII case ignored);
/// only the path is looked at, never the host.
pub(crate) fn without_version_path(endpoint: String, version_path: &str) -> String {
    let path_start = endpoint
        .find("://")
        .map(|at| at + 3)
        .and_then(|after| endpoint[after..].find('/').map(|at| after + at));
    let Some(path_start) = path_start else {
        return endpoint;
    };
    let cut = endpoint.len().checked_sub(version_path.len());
    match cut {
        Some(cut)
            if cut >= path_start
                && endpoint.is_char_boundary(cut)
                && endpoint[cut..].eq_ignore_ascii_case(version_path) =>
        {
            endpoint[..cut].trim_end_matches('/').to_owned()
        }
        _ => endpoint,
    }
}

/// Checks an endpoint URL and returns it without trailing slashes.
///
/// It must be `https://host[:port][/path]`, or `http://` to a loopback host (or any host
/// when `allow_insecure_http` is set), with no credentials, query or fragment.
///
/// The authority is parsed by RFC 3986's grammar rather than with the `url` crate: the
/// check needs only the host and port, the `url` crate (with its IDNA tables) would be
/// a new dependency of blocking-only builds, and `http::Uri` belongs to the transports,
/// which configuration does not import. Anything outside the plain ASCII forms below is
/// refused rather than guessed at: `[IPv6]` literals (no zone ids), registered names
/// of letters, digits, `-`, `.`, `_` and `~` (an internationalised name must be given
/// in its `xn--` form), and a port of digits only.
pub(crate) fn validate_endpoint(
    raw: &str,
    allow_insecure_http: bool,
) -> std::result::Result<String, String> {
    let trimmed = raw.trim();
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or("expected a URL such as https://api.podstack.ai")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("the scheme must be https, not {scheme:?}"));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains white space or control characters".to_owned());
    }
    if !rest.is_ascii() {
        return Err(
            "the URL contains non-ASCII characters; give an internationalised host name in \
             its xn-- form and percent-encode the path"
                .to_owned(),
        );
    }
    if rest.contains(['?', '#']) {
        return Err("an endpoint takes no query or fragment".to_owned());
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err("an endpoint takes no user name or password".to_owned());
    }
    if path.contains('\\') {
        return Err("the path contains a backslash".to_owned());
    }
    let host = host_of(authority)?;
    if scheme == "http" && !allow_insecure_http && !host.is_loopback() {
        return Err(format!(
            "plain http would send the API token unencrypted to {}; use https, \
             or allow it explicitly with ClientBuilder::allow_insecure_http(true)",
            host.text
        ));
    }
    Ok(format!(
        "{scheme}://{authority}{}",
        path.trim_end_matches('/')
    ))
}

/// The host part of an endpoint's authority, and what kind of host it is.
#[derive(Debug, PartialEq)]
pub(crate) struct Host<'a> {
    pub(super) text: &'a str,
    pub(super) kind: HostKind,
}

#[derive(Debug, PartialEq)]
pub(crate) enum HostKind {
    Name,
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host<'_> {
    /// `localhost`, `127.0.0.0/8` or `[::1]`; nothing else, however it is spelled.
    pub(super) fn is_loopback(&self) -> bool {
        match self.kind {
            HostKind::Name => self.text.eq_ignore_ascii_case("localhost"),
            HostKind::V4(ip) => ip.is_loopback(),
            HostKind::V6(ip) => ip.is_loopback(),
        }
    }
}

/// Parses `host[:port]` or `[v6]:port`: an IP literal must be the whole host (a
/// `[::1].evil.com` is refused), a port is digits only and fits in 16 bits.
pub(crate) fn host_of(authority: &str) -> std::result::Result<Host<'_>, String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(|| {
                "only :port may follow an [IPv6] host; a host name cannot contain [ ]".to_owned()
            })?),
        };
        let ip = inside
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("[{inside}] is not an IPv6 address"))?;
        (
            Host {
                text: &authority[..inside.len() + 2],
                kind: HostKind::V6(ip),
            },
            port,
        )
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        if name.is_empty() {
            return Err("the URL has no host".to_owned());
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
        {
            return Err(format!(
                "the host contains {bad:?}, which a host name cannot"
            ));
        }
        let kind = match name.parse::<Ipv4Addr>() {
            Ok(ip) => HostKind::V4(ip),
            Err(_) => HostKind::Name,
        };
        (Host { text: name, kind }, port)
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok();
        if !valid {
            return Err(format!("{port:?} is not a valid port"));
        }
    }
    Ok(host)
}
