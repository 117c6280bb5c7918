//! Endpoint parsing and validation: the https rule, loopback hosts, userinfo and a
//! trailing version path.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::net::url::{self, Authority, AuthorityError, Url};

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
pub(crate) use crate::net::url::without_userinfo;

/// `https://host/v1` → `https://host` for `version_path` `/v1` (ASCII case ignored);
/// only the path is looked at, never the host.
pub(crate) fn without_version_path(endpoint: String, version_path: &str) -> String {
    // Where the path starts (a checked endpoint holds no query or fragment).
    let path_start = Url::split(&endpoint)
        .filter(|url| !url.rest.is_empty())
        .map(|url| endpoint.len() - url.rest.len());
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
/// The URL is cut by [`net::url`](crate::net::url), the one reading of URLs in the
/// crate; the `url` crate (with its IDNA tables) would be a new dependency of
/// blocking-only builds, and `http::Uri` takes a port it cannot read as none and
/// refuses with one generic error what the messages here name. Anything outside the
/// plain ASCII forms below is refused rather than guessed at: `[IPv6]` literals (no
/// zone ids), registered names of letters, digits, `-`, `.`, `_` and `~` (an
/// internationalised name must be given in its `xn--` form), and a port of digits only.
pub(crate) fn validate_endpoint(
    raw: &str,
    allow_insecure_http: bool,
) -> std::result::Result<String, String> {
    let trimmed = raw.trim();
    let url = Url::split(trimmed).ok_or("expected a URL such as https://api.podstack.ai")?;
    let scheme = url.scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("the scheme must be https, not {scheme:?}"));
    }
    let (authority, path) = (url.authority, url.rest);
    let after_scheme = || authority.chars().chain(path.chars());
    if after_scheme().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains white space or control characters".to_owned());
    }
    if !authority.is_ascii() || !path.is_ascii() {
        return Err(
            "the URL contains non-ASCII characters; give an internationalised host name in \
             its xn-- form and percent-encode the path"
                .to_owned(),
        );
    }
    // The authority ends at the first `?` or `#`: the rest holds any there are.
    if path.contains(['?', '#']) {
        return Err("an endpoint takes no query or fragment".to_owned());
    }
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
        url::is_loopback_host(self.text)
    }
}

/// Parses `host[:port]` or `[v6]:port`: an IP literal must be the whole host (a
/// `[::1].evil.com` is refused), a port is digits only and fits in 16 bits.
pub(crate) fn host_of(authority: &str) -> std::result::Result<Host<'_>, String> {
    let parts = Authority::parse(authority).map_err(|e| match e {
        AuthorityError::Unclosed => "unclosed [ in the host".to_owned(),
        AuthorityError::AfterBracket => {
            "only :port may follow an [IPv6] host; a host name cannot contain [ ]".to_owned()
        }
    })?;
    if parts.userinfo.is_some() {
        return Err(format!(
            "the host contains {:?}, which a host name cannot",
            '@'
        ));
    }
    let host = if parts.bracketed {
        let inside = parts.host;
        let ip = inside
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("[{inside}] is not an IPv6 address"))?;
        Host {
            text: &authority[..inside.len() + 2],
            kind: HostKind::V6(ip),
        }
    } else {
        let name = parts.host;
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
        Host { text: name, kind }
    };
    if let Some(port) = parts.port {
        if url::parse_port(port).is_none() {
            return Err(format!("{port:?} is not a valid port"));
        }
    }
    Ok(host)
}
