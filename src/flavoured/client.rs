//! The client, its builder, and the one request pipeline every API call goes through.
//!
//! Compiled once per client, blocking and async (see `flavoured/mod.rs`): `flavour`
//! strips or keeps the `async`/`.await`s.
//!
//! [`Client::execute`] is the pipeline: it prepares the request (URL on the right
//! service, the token and project where they belong, the idempotency key), sends it
//! through the transport, retries per [`RetryConfig`](crate::RetryConfig), maps
//! failures to [`Error`], removes the token from every error and log line, and hands
//! back the answer. Resource handlers (`client.auth()`, `client.pods()`, ...) only
//! describe requests with an [`ApiRequest`] and pick a decoder.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::api::{
    Auth, Buckets, Gpus, Pods, Presigned, Projects, Tasks, Templates, Volumes, Wallet,
};
use super::pages::offset_pages;
use super::{flavour, ResponseBody, Transport};
use crate::config::{self, ApiToken, Environment, ResolvedConfig, Settings};
use crate::error::redact::Redactor;
use crate::error::{self, ErrorResponse};
use crate::net::limits;
use crate::net::options::{EnvVars, NetOptions, TransportOptions};
use crate::net::proxy::{ProxyChoice, ProxyUrl};
use crate::net::random;
use crate::net::trace::CallSpan;
use crate::paging::Listing;
use crate::transport::{AnswerTimeout, Deadline, HttpResponse, RequestBodyOf};
use crate::wire::{ApiRequest, ApiRequestOf, RequestContext};
use crate::{Error, Page, Result};

/// A Podstack API client.
///
/// Cheap to clone (clones share one connection pool) and `Send + Sync`. Build one with
/// [`Client::new`] (environment and credentials file) or [`Client::builder`].
///
/// # Errors of every call
///
/// Besides the errors each method lists, every call that reaches the API can fail with
/// [`Error::Authentication`] (the token was rejected: HTTP 401),
/// [`Error::Permission`] (HTTP 403), [`Error::Validation`] (parameters the API
/// rejected: HTTP 400 or 422), [`Error::RateLimit`] or [`Error::Server`] (HTTP 429 or
/// 5xx, once the [retries](ClientBuilder::retry) are used up), [`Error::Api`] (any other
/// unexpected status), [`Error::Network`] (no connection, or it broke),
/// [`Error::Timeout`] (the server was silent for the [timeout](ClientBuilder::timeout),
/// or the [call deadline](ClientBuilder::call_deadline) passed), [`Error::Decode`]
/// (an answer that cannot be decoded) and [`Error::TooLarge`] (an answer larger than
/// [`max_response_body`](ClientBuilder::max_response_body)). A network error or timeout
/// names the `host:port` it could not reach (never the token, a path or a query).
///
/// Every storage call (buckets, objects, volumes, presigned URLs and credentials, on
/// the [platform service](ClientBuilder::platform_endpoint)) can also fail with
/// [`Error::Config`] before sending anything: when the client has no project, or when
/// the API endpoint was set to a host other than Podstack's or this machine's and the
/// platform endpoint was not (see
/// [`ResolvedConfig::platform_endpoint`](crate::config::ResolvedConfig::platform_endpoint)).
///
/// # Examples
///
#[doc = doc_example!(
    "let user = client.auth().whoami()" await "?;\n"
    "println!(\"Authenticated as: {}\", user.email);"
)]
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ResolvedConfig,
    context: RequestContext,
    redactor: Redactor,
    transport: Transport,
    max_response_body: u64,
    call_deadline: Option<Duration>,
    /// The proxy rule and extra root certificates `Buckets::object_store` hands on.
    #[cfg(feature = "object-store")]
    store_net: crate::s3_store::StoreNet,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client configured from the environment and the credentials file, exactly as
    /// [`Client::builder`]`().build()`.
    ///
    /// No request is sent.
    ///
    #[doc = doc_example!(
        "println!(\"API endpoint: {}\", client.config().api_endpoint());"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Authentication`] when no token is found, and [`Error::Config`] for an
    /// unusable token (empty, or with spaces or non-ASCII characters), profile,
    /// credentials file, endpoint or proxy, as [`ClientBuilder::build`].
    pub fn new() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder for explicit settings; anything left unset is resolved from the
    /// environment and the credentials file.
    ///
    #[doc = doc_example!(
        "let client = Client::builder().project_id(\"my-project-id\").build()?;\n"
        "# let _ = client;"
    )]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The resolved configuration, with where each value came from.
    ///
    #[doc = doc_example!(
        "let config = client.config();\n"
        "println!(\"token from {}, endpoint {} (from {})\", config.api_token_source(), config.api_endpoint(), config.api_endpoint_source());"
    )]
    pub fn config(&self) -> &ResolvedConfig {
        &self.inner.config
    }

    /// Identity: who the token belongs to.
    ///
    #[doc = doc_example!(
        "let user = client.auth().whoami()" await "?;\n"
        "println!(\"{}\", user.email);"
    )]
    pub fn auth(&self) -> Auth {
        Auth::new(self)
    }

    /// Projects: list, get, create, delete.
    ///
    #[doc = doc_example!(
        "let projects = client.projects().list()" await "?;\n"
        "println!(\"{} projects\", projects.len());"
    )]
    pub fn projects(&self) -> Projects {
        Projects::new(self)
    }

    /// Money: wallet balance, usage, pricing.
    ///
    #[doc = doc_example!(
        "let wallet = client.wallet().balance()" await "?;\n"
        "println!(\"{:.2} {}\", wallet.balance, wallet.currency);"
    )]
    pub fn wallet(&self) -> Wallet {
        Wallet::new(self)
    }

    /// GPU types, prices and availability.
    ///
    #[doc = doc_example!(
        "for gpu in client.gpus().list()" await "? {\n"
        "    println!(\"{}\", gpu.name);\n"
        "}"
    )]
    pub fn gpus(&self) -> Gpus {
        Gpus::new(self)
    }

    /// Pods: create, list, lifecycle, exec, logs, files, templates.
    ///
    #[doc = doc_example!(
        "let pod = client.pods().get(\"pod-id\")" await "?;\n"
        "println!(\"{}: {}\", pod.name, pod.status);"
    )]
    pub fn pods(&self) -> Pods {
        Pods::new(self)
    }

    /// Tasks: commands started with [`Pods::exec_detached`].
    ///
    #[doc = doc_example!(
        "let task = client.tasks().get(\"task-id\")" await "?;\n"
        "println!(\"{}\", task.state);"
    )]
    pub fn tasks(&self) -> Tasks {
        Tasks::new(self)
    }

    /// Pod templates.
    ///
    #[doc = doc_example!(
        "for template in client.templates().list()" await "? {\n"
        "    println!(\"{}\", template.name);\n"
        "}"
    )]
    pub fn templates(&self) -> Templates {
        Templates::new(self)
    }

    /// Buckets and their objects: create, list, upload, download, sync, presigned URLs,
    /// S3 credentials. Storage is project-scoped: these calls need a project.
    ///
    #[doc = doc_example!(
        "for bucket in client.buckets().list()" await "? {\n"
        "    println!(\"{}\", bucket.name);\n"
        "}"
    )]
    pub fn buckets(&self) -> Buckets {
        Buckets::new(self)
    }

    /// NFS volumes: create, list, resize, delete. These calls need a project.
    ///
    #[doc = doc_example!(
        "for volume in client.volumes().list()" await "? {\n"
        "    println!(\"{}\", volume.name);\n"
        "}"
    )]
    pub fn volumes(&self) -> Volumes {
        Volumes::new(self)
    }

    /// Presigned URLs: fetch or put through a URL the API signed, without the token.
    ///
    #[doc = doc_example!(
        "client.presigned().download(\"https://storage.example.com/signed-url\", \"model.bin\")" await "?;"
    )]
    pub fn presigned(&self) -> Presigned {
        Presigned::new(self)
    }
}

/// Builds a [`Client`] from explicit settings.
///
/// Every setting is optional; unset ones come from the environment, then the
/// credentials file, then defaults (see the crate documentation for the order).
#[doc = doc_example!(
    "use std::time::Duration;\n"
    "use podstack::RetryConfig;\n\n"
    "let client = Client::builder()\n"
    "    .profile(\"production\")\n"
    "    .project_id(\"my-project-id\")\n"
    "    .timeout(Duration::from_secs(10))\n"
    "    .retry(RetryConfig::default().max_retries(5))\n"
    "    .build()?;\n"
    "# let _ = client;"
)]
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    settings: Settings,
    ignore_environment: bool,
    /// Read in place of the process environment (tests).
    environment: Option<Environment>,
    net: NetOptions,
}

impl ClientBuilder {
    /// The API token. Prefer the environment or the credentials file to hard-coding it.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .api_token(std::env::var(\"MY_PODSTACK_TOKEN\").unwrap_or_default())\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.settings.api_token = Some(ApiToken::new(token));
        self
    }

    /// The credentials-file profile to use. It must exist in the file.
    ///
    /// Which profile is active, first match wins:
    /// 1. the name given here (or to [`profile_opt`](Self::profile_opt) as `Some`), even
    ///    `.profile("default")`, which therefore outranks `PODSTACK_PROFILE`;
    /// 2. the `PODSTACK_PROFILE` environment variable;
    /// 3. the profile named `default`.
    ///
    /// To name a profile only when your program was given one (a `--profile` flag) and
    /// otherwise let the environment choose, use [`profile_opt`](Self::profile_opt).
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .profile(\"production\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.settings.profile = Some(profile.into());
        self
    }

    /// The credentials-file profile to use, if any: `Some(name)` is
    /// [`profile(name)`](Self::profile); `None` names none (and forgets an earlier
    /// `.profile(..)`), so `PODSTACK_PROFILE` chooses, then the profile `default`.
    ///
    #[doc = doc_example!(
        "// e.g. from a `--profile` command-line flag\n"
        "let flag: Option<String> = std::env::args().skip_while(|a| a != \"--profile\").nth(1);\n"
        "let client = Client::builder()\n"
        "    .profile_opt(flag.as_deref())\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn profile_opt(mut self, profile: Option<&str>) -> Self {
        self.settings.profile = profile.map(str::to_owned);
        self
    }

    /// The default project, sent as `X-Project-Id` on every request.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .project_id(\"my-project-id\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.settings.project_id = Some(project_id.into());
        self
    }

    /// The API endpoint, e.g. `https://api.custom.podstack.ai` (default
    /// `https://api.podstack.ai`). Plain `http://` is accepted only for loopback hosts
    /// unless [`allow_insecure_http`](Self::allow_insecure_http) is set. Set the
    /// [`platform_endpoint`](Self::platform_endpoint) with it, or storage calls fail
    /// (unless the host is this machine's, such as the emulator's).
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .api_endpoint(\"https://api.custom.podstack.ai\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn api_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.api_endpoint = Some(endpoint.into());
        self
    }

    /// The platform service that storage calls go to (environment
    /// `PODSTACK_PLATFORM_URL`, profile key `platform_endpoint`). The same `https` rule
    /// as [`api_endpoint`](Self::api_endpoint) applies.
    ///
    /// Set it whenever the API endpoint is set to a host of one's own: given nowhere, it
    /// is `https://cloud.podstack.ai/platform` only beside Podstack's own API,
    /// `{api endpoint}/platform` beside a loopback API (the emulator), and otherwise not
    /// set, so that storage calls fail with [`Error::Config`](crate::Error::Config)
    /// before sending the token to a host nobody named (see
    /// [`ResolvedConfig::platform_endpoint`](crate::config::ResolvedConfig::platform_endpoint)).
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .platform_endpoint(\"https://cloud.custom.podstack.ai/platform\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn platform_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.platform_endpoint = Some(endpoint.into());
        self
    }

    /// The credentials file (overrides `PODSTACK_CREDENTIALS_FILE` and
    /// `~/.podstack/credentials`). It must exist.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .credentials_file(\"/etc/podstack/credentials\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn credentials_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.settings.credentials_file = Some(path.into());
        self
    }

    /// How long the client waits for the server: to connect, and for each next piece
    /// of an answer (default 30 s). A silent server fails with
    /// [`Error::Timeout`](crate::Error::Timeout) after about this long, while a large
    /// transfer that keeps flowing is never cut off.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let client = Client::builder()\n"
        "    .timeout(Duration::from_secs(10))\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    #[doc(alias = "retry_config")]
    /// The retry policy (default: [`RetryConfig::default`](crate::RetryConfig::default)).
    ///
    #[doc = doc_example!(
        "use podstack::RetryConfig;\n\n"
        "let client = Client::builder()\n"
        "    .retry(RetryConfig::default().max_retries(5))\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn retry(mut self, retry: crate::RetryConfig) -> Self {
        self.settings.retry = Some(retry);
        self
    }

    /// Allows a plain `http://` endpoint on a non-loopback host, which sends the token
    /// unencrypted. Off by default; only for trusted private networks.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .api_endpoint(\"http://podstack.internal:8080\")\n"
        "    .allow_insecure_http(true)\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.settings.allow_insecure_http = allow;
        self
    }

    /// Whether `PODSTACK_*` environment variables and the default credentials file
    /// (`~/.podstack/credentials`) are consulted (default `true`). Turn it off for a
    /// client built only from explicit settings, as tests want; an explicit
    /// [`credentials_file`](Self::credentials_file) is still read.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .use_environment(false)\n"
        "    .api_token(\"token\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn use_environment(mut self, use_environment: bool) -> Self {
        self.ignore_environment = !use_environment;
        self
    }

    /// The most bytes of one answer read into memory (default 16 MiB): JSON answers,
    /// text answers such as logs, and pages of lists. A larger answer fails with
    /// [`Error::TooLarge`](crate::Error::TooLarge) naming the limit instead of growing the
    /// process without bound; an endless answer fails the same way. Error answers are
    /// read up to 64 KiB whatever this says (the rest is dropped), and streamed
    /// downloads (files, followed logs) are never capped.
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .max_response_body(64 * 1024 * 1024) // 64 MiB\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.net.max_response_body = bytes;
        self
    }

    /// How long one API call may take in all, every attempt and every wait between
    /// retries included (default 5 minutes; `None` for no bound). It bounds a server
    /// that answers, but too slowly (a byte a second keeps the
    /// [`timeout`](Self::timeout) from firing), and retries that would go on past it:
    /// the call fails with [`Error::Timeout`](crate::Error::Timeout) naming the deadline.
    ///
    /// It applies to calls that answer JSON or text. Transfers of files (uploads and
    /// downloads) and followed log streams take as long as they take while data keeps
    /// flowing: the inactivity [`timeout`](Self::timeout) bounds them instead. A command
    /// run with a timeout (`exec`) gets that timeout on top.
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let client = Client::builder()\n"
        "    .call_deadline(Some(Duration::from_secs(60)))\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn call_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.net.call_deadline = deadline;
        self
    }

    /// How many idle connections the client keeps open per host, for reuse (default: no
    /// limit, as reqwest's pool; the same meaning in both clients). A client shared by
    /// several threads or tasks keeps one connection for each, up to this many, instead
    /// of opening a new one (a TLS handshake, against a real host) for many of its
    /// calls; idle connections close after 15 s (blocking) or 90 s (async). `0` keeps
    /// none: each call then opens a connection of its own.
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .pool_max_idle_per_host(64) // a client shared by 64 threads\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn pool_max_idle_per_host(mut self, connections: usize) -> Self {
        self.net.pool_max_idle_per_host = connections;
        self
    }

    /// Sends every request through this HTTP proxy, e.g. `http://proxy.internal:3128`
    /// or `http://user:password@proxy.internal:3128` (the credentials go as
    /// `Proxy-Authorization` and are never printed). Overrides the proxy environment
    /// variables, `NO_PROXY` included. An unusable URL fails [`build`](Self::build) with
    /// [`Error::Config`](crate::Error::Config).
    ///
    /// Without it the client reads `HTTPS_PROXY` (for https targets), `HTTP_PROXY` (for
    /// http targets), then `ALL_PROXY`, and `NO_PROXY` (host names, `.domain`
    /// suffixes, `*`, IP addresses and CIDR ranges), each also in lower case, once when
    /// it is built, unless [`use_environment(false)`](Self::use_environment).
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .proxy(\"http://proxy.internal:3128\")\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.net.proxy = match ProxyUrl::parse(url.as_ref()) {
            Ok(url) => ProxyChoice::Explicit(url),
            Err(why) => ProxyChoice::Invalid(why),
        };
        self
    }

    /// Connects directly, never through a proxy, whatever the environment says.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .no_proxy()\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn no_proxy(mut self) -> Self {
        self.net.proxy = ProxyChoice::Disabled;
        self
    }

    /// Reads these `PODSTACK_*` variables and this home directory (where
    /// `.podstack/credentials` is looked for) in place of the process's. For tests,
    /// which must not change the environment of the whole process.
    #[doc(hidden)]
    pub fn podstack_environment<K: Into<OsString>, V: Into<OsString>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
        home: Option<PathBuf>,
    ) -> Self {
        self.environment = Some(Environment::from_parts(
            vars.into_iter().map(|(k, v)| (k.into(), v.into())),
            home,
        ));
        self
    }

    /// Uses these proxy variables in place of the process environment. For tests,
    /// which must not change the environment of the whole process.
    #[doc(hidden)]
    pub fn proxy_environment<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.net.proxy_environment = Some(EnvVars(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ));
        self
    }

    /// Also trusts the root certificate(s) in this PEM text (`-----BEGIN
    /// CERTIFICATE-----` blocks), for an endpoint or proxy behind a private CA.
    /// Repeatable. PEM that holds no certificate fails [`build`](Self::build) with
    /// [`Error::Config`](crate::Error::Config).
    #[doc = doc_example!(
        "let pem = std::fs::read(\"/etc/ssl/private-ca.pem\").expect(\"readable\");\n"
        "let client = Client::builder()\n"
        "    .add_root_certificate(&pem)\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.net.root_certificates.0.push(pem.as_ref().to_vec());
        self
    }

    /// Trusts the operating system's certificate store instead of the bundled Mozilla
    /// roots (default `false`), as a corporate network that inspects TLS needs. Read
    /// once, when the client is built (through `rustls-native-certs` in both
    /// clients); certificates added with
    /// [`add_root_certificate`](Self::add_root_certificate) are trusted too.
    ///
    #[doc = doc_example!(
        "let client = Client::builder()\n"
        "    .tls_native_roots(true)\n"
        "    .build()?;\n"
        "# let _ = client;"
    )]
    pub fn tls_native_roots(mut self, native: bool) -> Self {
        self.net.native_roots = native;
        self
    }

    /// Resolves the configuration and builds the client. Sends nothing.
    ///
    #[doc = doc_example!(
        "let client = Client::builder().profile(\"production\").build()?;\n"
        "# let _ = client;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Authentication`](crate::Error::Authentication) when no token is found;
    /// [`Error::Config`](crate::Error::Config) for an unusable token (empty, or with
    /// spaces, control or non-ASCII characters; never printed), a [`profile`](Self::profile) or
    /// [`credentials_file`](Self::credentials_file) that does not exist, an unreadable or
    /// malformed credentials file, an invalid or insecure endpoint, an unusable
    /// [`proxy`](Self::proxy) or proxy variable, or a [root
    /// certificate](Self::add_root_certificate) that holds no certificate. No request is
    /// sent.
    pub fn build(self) -> Result<Client> {
        let environment = match (self.ignore_environment, self.environment) {
            (true, _) => Environment::default(),
            (false, Some(environment)) => environment,
            (false, None) => Environment::from_process(),
        };
        let config = config::resolve(&self.settings, &environment, &config::read_credentials_file)?;
        for warning in &config.warnings {
            log::warn!("{warning}");
        }
        let token = config.token.expose();
        let options =
            TransportOptions::resolve(&self.net, config.timeout, !self.ignore_environment, token)?;
        let transport = Transport::new(&options)?;
        #[cfg(feature = "object-store")]
        let store_net = crate::s3_store::StoreNet::of_client(&options);
        let inner = Inner {
            context: RequestContext {
                api_base: format!("{}/v1", config.api_endpoint()),
                platform_base: config
                    .platform_endpoint()
                    .map(|endpoint| format!("{endpoint}/api/v1")),
                api_endpoint: (
                    config.api_endpoint().to_owned(),
                    config.api_endpoint_source().clone(),
                ),
                authorization: crate::wire::authorization(token),
                project_id: config.project_id().map(str::to_owned),
                default_file_problem: config.default_file_problem.clone(),
            },
            redactor: Redactor::new(token),
            transport,
            max_response_body: self.net.max_response_body,
            call_deadline: self.net.call_deadline,
            config,
            #[cfg(feature = "object-store")]
            store_net,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

impl Client {
    /// How a store made by `Buckets::object_store` reaches its endpoint: this
    /// client's proxy rule and extra root certificates.
    #[cfg(feature = "object-store")]
    pub(crate) fn store_net(&self) -> &crate::s3_store::StoreNet {
        &self.inner.store_net
    }
}

#[flavour]
impl Client {
    /// Sends a request and decodes a JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let body = self.send_bytes(&request).await?;
        self.decode(&request, &body)
    }

    /// Sends a request whose answer has no body worth decoding (204).
    pub(crate) async fn send_empty(&self, request: ApiRequestOf<'_>) -> Result<()> {
        // Reading the (empty) body to its end returns the connection to the pool.
        self.send_bytes(&request).await.map(drop)
    }

    /// Sends a request and returns the answer's text (`text/plain` answers). Bytes
    /// that are not UTF-8 (a program's binary output in a log) become `U+FFFD`.
    pub(crate) async fn send_text(&self, request: ApiRequest) -> Result<String> {
        let body = self.send_bytes(&request).await?;
        Ok(match String::from_utf8(body) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Sends a request and returns the whole answer's body, at most
    /// `max_response_body` bytes, within the call's deadline.
    pub(crate) async fn send_bytes(&self, request: &ApiRequestOf<'_>) -> Result<Vec<u8>> {
        self.send_bytes_by(request, self.deadline_for(request))
            .await
    }

    /// [`send_bytes`](Self::send_bytes) within a deadline the caller keeps: one for
    /// all the pages of a listing.
    pub(crate) async fn send_bytes_by(
        &self,
        request: &ApiRequestOf<'_>,
        deadline: Option<Deadline>,
    ) -> Result<Vec<u8>> {
        let response = self.execute(request, deadline).await?;
        let limit = self.inner.max_response_body;
        let (body, whole) = response
            .body
            .read_capped(limit)
            .await
            .map_err(|e| self.redacted(e))?;
        if !whole {
            return Err(self.redacted(Error::too_large(
                &request.describe(),
                limit,
                request.instead_of_memory,
            )));
        }
        Ok(body)
    }

    /// The deadline of a call answered in memory: none for file bodies sent (an
    /// upload is bounded by inactivity) and for answers that may take unbounded time.
    pub(crate) fn deadline_for(&self, request: &ApiRequestOf<'_>) -> Option<Deadline> {
        let total = self.inner.call_deadline?;
        // An object's bytes ([`RequestBody::Pieces`]) are bounded by inactivity, as a
        // file's are.
        if !matches!(request.body, RequestBodyOf::Empty | RequestBodyOf::Bytes(_)) {
            return None;
        }
        let total = match request.answer_timeout {
            AnswerTimeout::Default => total,
            AnswerTimeout::Extended(work) => total.saturating_add(work),
            AnswerTimeout::Unbounded => return None,
        };
        Deadline::after(total)
    }

    /// Sends a request and returns the successful answer with its body unread, to be
    /// streamed by the caller.
    pub(crate) async fn send_streaming(
        &self,
        request: &ApiRequestOf<'_>,
    ) -> Result<HttpResponse<ResponseBody>> {
        self.execute(request, None).await
    }

    /// Waits, through the transport (a thread sleep, or a tokio timer).
    pub(crate) async fn sleep(&self, duration: Duration) {
        self.inner.transport.sleep(duration).await;
    }

    /// Fetches one page of an offset-paginated list.
    pub(crate) async fn list_page<L: Listing>(&self, request: ApiRequest) -> Result<Page<L::Item>> {
        let listing: L = self.send_json(request).await?;
        Ok(listing.into_page())
    }

    /// Fetches every page of an offset-paginated list; `page(limit, offset)` describes
    /// the request for one page.
    pub(crate) async fn list_all<'a, L: Listing + 'a>(
        &'a self,
        page: impl Fn(u32, u64) -> ApiRequest + Send + Sync + 'a,
    ) -> Result<Vec<L::Item>>
    where
        L::Item: Send,
    {
        let mut pages = offset_pages::<L>(self, Box::new(page)).within_one_deadline();
        let mut all = Vec::new();
        while let Some(item) = pages.next_item().await {
            all.push(item?);
        }
        Ok(all)
    }

    /// The pipeline. Every request goes through here. With a `deadline`, every attempt
    /// and every wait before a retry must end by then.
    async fn execute(
        &self,
        request: &ApiRequestOf<'_>,
        deadline: Option<Deadline>,
    ) -> Result<HttpResponse<ResponseBody>> {
        request.check_context(&self.inner.context)?;
        let redactor = &self.inner.redactor;
        let project = request
            .project_in(&self.inner.context)
            .map(|project| redactor.text(project));
        let call = CallSpan::new(
            || redactor.text(&request.route()).into_owned(),
            project.as_deref(),
        );
        let mut attempts = 0;
        let outcome = super::traced(call.span(), || {
            self.execute_attempts(request, deadline, &call, &mut attempts)
        })
        .await;
        let (status, request_id) = match &outcome {
            Ok(response) => (Some(response.status), response.request_id.as_deref()),
            Err(error) => (error.status_code(), error.request_id()),
        };
        call.finish(
            status,
            request_id.map(|id| redactor.text(id)).as_deref(),
            attempts,
        );
        outcome
    }

    /// The attempts of one call, in its span; counts them in `attempts`.
    async fn execute_attempts(
        &self,
        request: &ApiRequestOf<'_>,
        deadline: Option<Deadline>,
        call: &CallSpan,
        attempts: &mut u32,
    ) -> Result<HttpResponse<ResponseBody>> {
        let http_request = request.prepare(&self.inner.context)?;
        let redactor = &self.inner.redactor;
        // For the log lines, made only when they are written: a caller's id could be
        // anything, the token included.
        let what = || redactor.text(&request.describe()).into_owned();
        let replayable = request.replayable();
        let retry = &self.inner.config.retry;
        let mut retries_done = 0;
        let mut waited = Duration::ZERO;
        loop {
            // A deadline already spent sends nothing (the same in both clients, whatever
            // the timers' resolution).
            if let Some(deadline) = deadline.filter(|d| d.remaining().is_zero()) {
                return Err(deadline.error());
            }
            let started = Instant::now();
            *attempts += 1;
            let attempt = call.attempt(*attempts, waited);
            let outcome = super::traced(attempt.span(), || {
                self.inner.transport.send(&http_request, deadline)
            })
            .await;
            let error = match outcome {
                Ok(response) => {
                    attempt.status(response.status);
                    log::debug!(
                        "{} -> {} in {:?} (request id {})",
                        what(),
                        response.status,
                        started.elapsed(),
                        redactor.text(response.request_id.as_deref().unwrap_or("none")),
                    );
                    if (200..300).contains(&response.status) {
                        return Ok(response);
                    }
                    // An error body that breaks off still maps by its status; only its
                    // start is read, so an endless one cannot hold the call.
                    let (body, _) = response
                        .body
                        .read_capped(limits::ERROR_BODY_CAP as u64)
                        .await
                        .unwrap_or_default();
                    let error = error::from_response(&ErrorResponse {
                        status: response.status,
                        request_id: response.request_id.as_deref(),
                        retry_after: response.retry_after.as_deref(),
                        body: &self.redact_bytes(&body),
                    });
                    self.redacted(request.hinted(error))
                }
                Err(error) => {
                    let error = self.redacted(error);
                    log::debug!("{} failed after {:?}: {}", what(), started.elapsed(), error);
                    error
                }
            };
            let delay = replayable
                .then(|| retry.delay_before_retry(retries_done, &error, random::random_unit()))
                .flatten();
            // A wait that would end past the deadline is not made: the call fails now.
            let delay = delay.filter(|delay| deadline.is_none_or(|d| *delay < d.remaining()));
            match delay {
                Some(delay) => {
                    log::debug!(
                        "retrying {} in {:?} (retry {} of {})",
                        what(),
                        delay,
                        retries_done + 1,
                        retry.limit(),
                    );
                    self.inner.transport.sleep(delay).await;
                    retries_done += 1;
                    waited = delay;
                }
                None => return Err(retry.explain_no_retry(error)),
            }
        }
    }
}

impl Client {
    /// How long to wait before fetching again a transfer that broke off after
    /// `retries_done` retries, or `None` to give up: the pipeline's retry policy.
    pub(crate) fn retry_delay(&self, retries_done: u32, error: &Error) -> Option<Duration> {
        let retry = &self.inner.config.retry;
        retry.delay_before_retry(retries_done, error, random::random_unit())
    }

    /// How many retries the policy allows, for log lines.
    pub(crate) fn retry_limit(&self) -> u32 {
        self.inner.config.retry.limit()
    }

    /// Decodes a JSON answer, or says which request's answer did not decode.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        request: &ApiRequestOf<'_>,
        body: &[u8],
    ) -> Result<T> {
        serde_json::from_slice(body).map_err(|e| {
            if request.answer_holds_secrets() {
                // Neither the body nor serde's message (which can quote a value) may
                // show: the answer holds an S3 secret key or a signed URL.
                let where_ = format!(
                    "{:?} error at line {} column {} (the answer holds secrets, so it is not quoted)",
                    e.classify(),
                    e.line(),
                    e.column()
                );
                let e = <serde_json::Error as serde::de::Error>::custom(where_);
                return self.redacted(Error::decode(
                    request.method.as_str(),
                    &request.shown_path(),
                    b"",
                    e,
                ));
            }
            self.redacted(Error::decode(
                request.method.as_str(),
                &request.shown_path(),
                &self.redact_bytes(body),
                e,
            ))
        })
    }

    /// An error with the token removed, like every other.
    pub(crate) fn redacted(&self, error: Error) -> Error {
        error.redact(&self.inner.redactor)
    }

    /// `body` with the token removed.
    fn redact_bytes(&self, body: &[u8]) -> Vec<u8> {
        self.inner.redactor.bytes(body).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_clone_send_sync() {
        fn assert_traits<T: Clone + Send + Sync + fmt::Debug>() {}
        assert_traits::<Client>();
        assert_traits::<ClientBuilder>();
    }
}
