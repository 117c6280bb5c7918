//! The network settings of a client as given to the builder ([`NetOptions`]) and as
//! resolved once at `build` for its transport ([`TransportOptions`]): limits, the
//! proxy rule and the trusted certificates.
//!
//! Kept apart from the configuration's `Settings`: these are not read
//! from the credentials file, only set on the builder (proxies also from the usual
//! environment variables, see [`proxy`](super::proxy)).

use std::time::Duration;

use rustls_pki_types::CertificateDer;

use super::limits::{
    saturate, DEFAULT_CALL_DEADLINE, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_POOL_MAX_IDLE_PER_HOST,
};
use super::proxy::{ProxyChoice, ProxyRules};
use super::tls::{parse_pem, RootPems};
use crate::error::Error;

/// The builder's network settings, as given.
#[derive(Clone, Debug)]
pub(crate) struct NetOptions {
    pub max_response_body: u64,
    pub call_deadline: Option<Duration>,
    pub proxy: ProxyChoice,
    /// PEM text of extra root certificates; its `Debug` shows only how many.
    pub root_certificates: RootPems,
    pub native_roots: bool,
    pub pool_max_idle_per_host: usize,
    /// Variables read in place of the process environment (tests only).
    pub proxy_environment: Option<EnvVars>,
}

/// Environment variables given to the builder in place of the process's (tests). Its
/// `Debug` shows the names only: a proxy URL may hold a password.
#[derive(Clone, Default)]
pub(crate) struct EnvVars(pub Vec<(String, String)>);

impl std::fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            call_deadline: Some(DEFAULT_CALL_DEADLINE),
            proxy: ProxyChoice::Environment,
            root_certificates: RootPems::default(),
            native_roots: false,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            proxy_environment: None,
        }
    }
}

/// What a transport is built from: the settings resolved once at `build`. Its `Debug`
/// leaves the token out.
pub(crate) struct TransportOptions {
    /// The inactivity timeout, saturated.
    pub timeout: Duration,
    pub proxy: ProxyRules,
    /// DER of every extra root certificate.
    pub root_certificates: Vec<CertificateDer<'static>>,
    pub native_roots: bool,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// The call deadline of JSON and text calls, which the blocking agent takes as its
    /// default so that a first attempt needs no settings of its own.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub call_deadline: Option<Duration>,
    /// The token: the blocking transport keeps it out of the HTTP crate's hands (see
    /// `transport::blocking`), and neither client follows a redirect to a URL holding it.
    pub token: String,
}

impl std::fmt::Debug for TransportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportOptions")
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .field("native_roots", &self.native_roots)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .finish_non_exhaustive()
    }
}

impl TransportOptions {
    /// Resolves `options` (reading the proxy environment unless `use_environment` is
    /// off) for a client whose timeout is `timeout`.
    pub(crate) fn resolve(
        options: &NetOptions,
        timeout: Duration,
        use_environment: bool,
        token: &str,
    ) -> Result<Self, Error> {
        let proxy = match &options.proxy_environment {
            Some(vars) => ProxyRules::resolve(&options.proxy, &|name| {
                vars.0
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })?,
            None if use_environment => {
                ProxyRules::resolve(&options.proxy, &|name| std::env::var(name).ok())?
            }
            None => ProxyRules::resolve(&options.proxy, &|_| None)?,
        };
        let mut root_certificates = Vec::new();
        for (i, pem) in options.root_certificates.0.iter().enumerate() {
            root_certificates.extend(parse_pem(pem, i + 1)?);
        }
        Ok(TransportOptions {
            timeout: saturate(timeout),
            proxy,
            root_certificates,
            native_roots: options.native_roots,
            pool_max_idle_per_host: options.pool_max_idle_per_host,
            call_deadline: options.call_deadline.map(saturate),
            token: token.to_owned(),
        })
    }
}
