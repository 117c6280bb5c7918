//! Feature `object-store`: a bucket as an [`object_store`] store, so the data tools
//! that read through that crate (DataFusion, Polars, delta-rs, Lance, ...) query it
//! directly, over the bucket's S3-compatible endpoint.
//!
//! The store is `object_store` **0.13**'s [`AmazonS3`], the version DataFusion and
//! Polars depend on today. A tool built on another `object_store` release has its own,
//! different `ObjectStore` trait, and handing it this store is a compile error (two
//! versions of the crate in one build), never a runtime surprise: pick the tool release
//! that uses 0.13.
//!
//! The store is built from [`S3Credentials`]: its endpoint (path-style addressing,
//! `{endpoint}/{bucket name}/{key}`), keys and region. Plain `http` is allowed only to
//! this machine, by the rule the client applies to its own endpoints. The secret key is
//! handed to `object_store` as a credential provider, whose `Debug` (and so the store's
//! and the builder's) shows it as `******`; no error of this module contains it.
//!
//! Which proxy the store goes through is the clients' own rule (`net::proxy`), applied
//! to the store's endpoint: `object_store`'s reqwest client would otherwise read the
//! system proxy itself and send loopback traffic, signed with the bucket's keys, to a
//! proxy elsewhere. The choice is made here and handed to reqwest by [`SdkConnector`]
//! when the store builds its HTTP client, so the proxy URL (which may hold a password)
//! never sits in `object_store`'s `ClientOptions`, whose `Debug` would show it.
//!
//! `Buckets::object_store` (both clients, in `buckets.rs`) fetches a bucket's
//! credentials and name and builds the store with the client's [`StoreNet`].

use std::sync::Arc;

use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::client::{HttpClient, HttpConnector, ReqwestConnector};
use object_store::{Certificate, ClientConfigKey, ClientOptions, StaticCredentialProvider};

use crate::config::{validate_endpoint, without_userinfo};
use crate::models::S3Credentials;
use crate::net::options::TransportOptions;
use crate::net::proxy::{ProxyChoice, ProxyRules, ProxyUrl};
use crate::{Error, Result};

/// How a store reaches its endpoint: a client's proxy rule and extra root certificates
/// (`Buckets::object_store`), or the process environment's proxy rule
/// ([`S3Credentials::object_store`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct StoreNet {
    proxy: ProxyRules,
    /// DER of the client's extra root certificates.
    root_certificates: Vec<Vec<u8>>,
}

impl StoreNet {
    /// A client's settings, resolved when it was built.
    pub(crate) fn of_client(options: &TransportOptions) -> StoreNet {
        StoreNet {
            proxy: options.proxy.clone(),
            root_certificates: options
                .root_certificates
                .iter()
                .map(|der| der.to_vec())
                .collect(),
        }
    }

    /// The process environment's proxy variables, as a client built now would read
    /// them; no extra root certificate.
    fn from_environment() -> Result<StoreNet> {
        Ok(StoreNet {
            proxy: ProxyRules::resolve(&ProxyChoice::Environment, &|name| {
                std::env::var(name).ok()
            })?,
            root_certificates: Vec::new(),
        })
    }
}

/// Never contacted: a proxy URL for reqwest to hold while [`EVERY_HOST`] keeps every
/// request off it (reqwest reads the system proxy unless it is given one).
const UNUSED_PROXY: &str = "http://127.0.0.1:9";

/// A `NO_PROXY` list matching every host: reqwest's `*` matches every host *name*
/// only, an IP address only by the address ranges.
const EVERY_HOST: &str = "*,0.0.0.0/0,::/0";

/// Builds the store's reqwest client with the SDK's proxy choice and the client's extra
/// root certificates, over whatever else the `ClientOptions` say. A proxy set on the
/// builder itself (`with_proxy_url`) is left as it is. Its `Debug` shows the proxy
/// without credentials.
struct SdkConnector {
    /// `None`: straight to the endpoint.
    proxy: Option<ProxyUrl>,
    root_certificates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for SdkConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkConnector")
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .finish()
    }
}

impl HttpConnector for SdkConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let mut options = options.clone();
        if options
            .get_config_value(&ClientConfigKey::ProxyUrl)
            .is_none()
        {
            options = match &self.proxy {
                Some(proxy) => options.with_proxy_url(proxy.with_credentials()),
                None => options
                    .with_proxy_url(UNUSED_PROXY)
                    .with_proxy_excludes(EVERY_HOST),
            };
        }
        for der in &self.root_certificates {
            options = options.with_root_certificate(Certificate::from_der(der)?);
        }
        ReqwestConnector::default()
            .connect(&options)
            .map_err(|e| match &self.proxy {
                // reqwest's error might repeat the proxy URL, password included.
                Some(proxy) => object_store::Error::Generic {
                    store: "S3",
                    source: format!("cannot build the HTTP client for the proxy {proxy}").into(),
                },
                None => e,
            })
    }
}

impl S3Credentials {
    /// The bucket named `bucket_name` (its [`name`](crate::storage::Bucket::name), as
    /// in the docs' boto3 example) as an [`object_store`] 0.13 store over these
    /// credentials' S3-compatible endpoint. Hand it to DataFusion, Polars or any tool
    /// that takes an `ObjectStore` of `object_store` 0.13 (another release is a compile
    /// error). [`object_store_builder`](Self::object_store_builder) gives the builder,
    /// to change retries, timeouts or other `object_store` settings first.
    ///
    /// The store goes through a proxy by the clients' rule, read from the process
    /// environment now (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, as a
    /// client built with [`use_environment`](crate::ClientBuilder::use_environment) on
    /// would): plain `http` to this machine never goes through a proxy elsewhere. It
    /// trusts the operating system's root certificates (and, with feature `async`,
    /// Mozilla's). `Buckets::object_store` (either client) uses that client's own proxy
    /// settings and extra root certificates instead.
    ///
    /// ```no_run
    /// # async fn run(creds: podstack::storage::S3Credentials) -> Result<(), Box<dyn std::error::Error>> {
    /// use object_store::{path::Path, ObjectStore, ObjectStoreExt};
    ///
    /// let store = creds.object_store("my-datasets")?;
    /// store.put(&Path::from("data/a.csv"), "x,y\n1,2\n".into()).await?;
    /// let bytes = store.get(&Path::from("data/a.csv")).await?.bytes().await?;
    /// # let _ = bytes; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the endpoint is not an `https` URL (or `http` to this
    /// machine), or `object_store` refuses the settings (e.g. an empty bucket name).
    pub fn object_store(&self, bucket_name: &str) -> Result<AmazonS3> {
        self.object_store_builder(bucket_name)?
            .build()
            .map_err(|e| Error::config(format!("cannot build the S3 store: {e}")))
    }

    /// The [`AmazonS3Builder`] that [`object_store`](Self::object_store) builds:
    /// endpoint, keys, region, bucket and path-style addressing set, for further
    /// `object_store` settings (retries, timeouts, `copy_if_not_exists`, ...). Its
    /// `Debug` hides the secret key like the store's. The proxy and root certificates
    /// are [`object_store`](Self::object_store)'s; the builder's own `with_proxy_url`
    /// takes precedence over that proxy choice.
    ///
    /// ```no_run
    /// # fn run(creds: podstack::storage::S3Credentials) -> Result<(), Box<dyn std::error::Error>> {
    /// use object_store::RetryConfig;
    ///
    /// let store = creds
    ///     .object_store_builder("my-datasets")?
    ///     .with_retry(RetryConfig { max_retries: 3, ..RetryConfig::default() })
    ///     .build()?;
    /// # let _ = store; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the endpoint is not an `https` URL (or `http` to this
    /// machine) or the bucket name is empty.
    pub fn object_store_builder(&self, bucket_name: &str) -> Result<AmazonS3Builder> {
        self.object_store_builder_for(bucket_name, &StoreNet::from_environment()?)
    }

    /// [`object_store_builder`](Self::object_store_builder) reaching the endpoint as
    /// `net` says.
    pub(crate) fn object_store_builder_for(
        &self,
        bucket_name: &str,
        net: &StoreNet,
    ) -> Result<AmazonS3Builder> {
        if bucket_name.trim().is_empty() {
            return Err(Error::config("the S3 store needs a bucket name"));
        }
        let endpoint = s3_endpoint(&self.endpoint)?;
        let credential = AwsCredential {
            key_id: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            token: None,
        };
        let mut builder = AmazonS3Builder::new()
            .with_endpoint(endpoint.as_str())
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(bucket_name)
            .with_credentials(Arc::new(StaticCredentialProvider::new(credential)))
            .with_http_connector(SdkConnector {
                proxy: net.proxy.for_url(&endpoint).cloned(),
                root_certificates: net.root_certificates.clone(),
            });
        if !self.region.trim().is_empty() {
            builder = builder.with_region(self.region.trim());
        }
        Ok(builder)
    }
}

/// The credentials' endpoint, checked by the client's own endpoint rule: `https`, or
/// plain `http` only to this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
fn s3_endpoint(raw: &str) -> Result<String> {
    let shown = || without_userinfo(raw);
    let endpoint = validate_endpoint(raw, true)
        .map_err(|why| Error::config(format!("invalid S3 endpoint {:?}: {why}", shown())))?;
    validate_endpoint(raw, false).map_err(|_| {
        Error::config(format!(
            "the S3 endpoint {:?} is plain http to another machine, which would send \
             requests signed with the bucket's keys unencrypted; the S3 store takes https, \
             or http only to this machine",
            shown()
        ))
    })?;
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(endpoint: &str) -> S3Credentials {
        S3Credentials {
            access_key: "AKIAEXAMPLE".into(),
            secret_key: "very-secret-key".into(),
            endpoint: endpoint.into(),
            region: "eu-1".into(),
        }
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://s3.example.com",
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://[::1]:9000",
        ] {
            creds(ok).object_store("data").unwrap();
        }
        for bad in [
            "http://s3.example.com",
            "http://127.0.0.1.evil.com",
            "http://10.0.0.1:9000",
        ] {
            let err = creds(bad).object_store("data").unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{bad}: {err:?}");
            assert!(err.to_string().contains("plain http"), "{bad}: {err}");
        }
        let err = creds("ftp://s3.example.com")
            .object_store("data")
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let err = creds("https://s3.example.com")
            .object_store(" ")
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
    }

    fn net(proxy: &str, root_certificates: Vec<Vec<u8>>) -> StoreNet {
        StoreNet {
            proxy: ProxyRules::resolve(
                &ProxyChoice::Explicit(ProxyUrl::parse(proxy).unwrap()),
                &|_| None,
            )
            .unwrap(),
            root_certificates,
        }
    }

    #[test]
    fn the_proxy_s_credentials_stay_out_of_debug() {
        let net = net("http://ada:hunter2pass@proxy.example:3128", Vec::new());
        let builder = creds("https://s3.example.com")
            .object_store_builder_for("data", &net)
            .unwrap();
        let shown = format!("{builder:?}");
        assert!(shown.contains("proxy.example:3128"), "{shown}");
        assert!(!shown.contains("hunter2pass"), "{shown}");
        let store = builder.build().unwrap();
        let shown = format!("{store:?} {store}");
        assert!(!shown.contains("hunter2pass"), "{shown}");
        // the same proxy elsewhere is not chosen for plain http to this machine
        let builder = creds("http://127.0.0.1:9000")
            .object_store_builder_for("data", &net)
            .unwrap();
        let shown = format!("{builder:?}");
        assert!(shown.contains("SdkConnector { proxy: None"), "{shown}");
    }

    #[test]
    fn the_client_s_root_certificates_reach_the_store() {
        let refused = net(
            "http://proxy.example:3128",
            vec![b"not a certificate".to_vec()],
        );
        let builder = creds("https://s3.example.com")
            .object_store_builder_for("data", &refused)
            .unwrap();
        assert!(format!("{builder:?}").contains("root_certificates: 1"));
        // reqwest adds the certificate when the store builds its HTTP client: this one
        // is refused there, which shows it got that far (a client's own certificates
        // were checked when it was built).
        let err = builder.build().unwrap_err();
        assert!(!err.to_string().is_empty());
        let der = rcgen::generate_simple_self_signed(vec!["s3.example.com".into()])
            .unwrap()
            .cert
            .der()
            .to_vec();
        let trusted = net("http://proxy.example:3128", vec![der]);
        creds("https://s3.example.com")
            .object_store_builder_for("data", &trusted)
            .unwrap()
            .build()
            .unwrap();
    }

    #[test]
    fn the_secret_stays_out_of_debug_and_errors() {
        let c = creds("https://s3.example.com");
        let builder = c.object_store_builder("data").unwrap();
        assert!(!format!("{builder:?}").contains("very-secret-key"));
        let store = builder.build().unwrap();
        assert!(!format!("{store:?}").contains("very-secret-key"));
        assert!(!store.to_string().contains("very-secret-key"));
        let mut leaky = creds("http://user:very-secret-key@s3.example.com");
        leaky.secret_key = "very-secret-key".into();
        let err = leaky.object_store("data").unwrap_err();
        assert!(!err.to_string().contains("very-secret-key"), "{err}");
        assert!(!format!("{err:?}").contains("very-secret-key"), "{err:?}");
    }
}
