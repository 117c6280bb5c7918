//! The network settings of a client that bound what a server can make it do: how much
//! of an answer is read into memory, how long one call may take in all, which proxy a
//! request goes through and which certificates are trusted.
//!
//! Kept apart from [`config::Settings`](super::config::Settings): these are not read
//! from the credentials file, only set on the builder (proxies also from the usual
//! environment variables, see [`proxy`](super::proxy)).

use std::time::{Duration, Instant};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use super::proxy::{ProxyChoice, ProxyRules};
use crate::error::Error;

/// The default cap on an answer read into memory (a JSON answer, a text answer).
pub(crate) const DEFAULT_MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// The default bound on one JSON call, all attempts and waits between them included.
pub(crate) const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(5 * 60);

/// The default number of idle connections a client keeps per host: no limit, as
/// reqwest's pool, so that each thread (or task) sharing a client keeps one.
pub(crate) const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = usize::MAX;

/// How much of an error answer's body is read; the rest is dropped unread.
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;

/// The longest wait the SDK ever hands to a clock or a socket: a year. Longer
/// durations (`Duration::MAX`) mean "no limit" to the caller but overflow `Instant`
/// arithmetic inside the HTTP crates, so every duration is saturated to this first.
pub(crate) const LONGEST_WAIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// `duration`, at most [`LONGEST_WAIT`].
pub(crate) fn saturate(duration: Duration) -> Duration {
    duration.min(LONGEST_WAIT)
}

/// The instant `duration` from now; `None` when that is too far to represent.
pub(crate) fn instant_after(duration: Duration) -> Option<Instant> {
    Instant::now().checked_add(saturate(duration))
}

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

/// PEM blobs added with `add_root_certificate`.
#[derive(Clone, Default)]
pub(crate) struct RootPems(pub Vec<Vec<u8>>);

impl std::fmt::Debug for RootPems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} extra root certificate(s)", self.0.len())
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

/// The certificates in one PEM blob: at least one, else a config error.
fn parse_pem(pem: &[u8], which: usize) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::config(format!(
                "root certificate {which} given to add_root_certificate is not valid PEM: {e}"
            ))
        })?;
    if certificates.is_empty() {
        return Err(Error::config(format!(
            "root certificate {which} given to add_root_certificate holds no \
             \"-----BEGIN CERTIFICATE-----\" block"
        )));
    }
    Ok(certificates)
}

/// The error for a call that ran out of its deadline.
pub(crate) fn deadline_message(deadline: Duration) -> String {
    format!(
        "the call did not finish within its deadline of {deadline:?} (all attempts and \
         waits included); change it with ClientBuilder::call_deadline"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate_and_far_instants_are_none_not_a_panic() {
        assert_eq!(saturate(Duration::MAX), LONGEST_WAIT);
        assert_eq!(saturate(Duration::from_secs(1)), Duration::from_secs(1));
        assert!(instant_after(Duration::MAX).is_some());
    }

    #[test]
    fn pem_without_a_certificate_is_a_config_error() {
        for pem in [
            &b"not pem"[..],
            b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        ] {
            let error = parse_pem(pem, 1).unwrap_err();
            assert!(matches!(error, Error::Config { .. }), "{error}");
            assert!(
                error.to_string().contains("add_root_certificate"),
                "{error}"
            );
        }
    }
}
