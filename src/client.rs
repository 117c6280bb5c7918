//! The client, its builder, and the one request pipeline every API call goes through.
//!
//! [`Client::execute`] is the pipeline: it builds the URL, sets the auth, project,
//! user-agent, accept and idempotency headers, sends through the transport, retries
//! per [`RetryConfig`], maps failures to [`Error`] and logs each attempt. Resource
//! handlers (`client.auth()`, `client.projects()`, ...) only describe requests with an
//! [`ApiRequest`] and pick a decoder.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::{Auth, Gpus, Page, Pods, Projects, Tasks, Templates, Wallet};
use crate::core::config::{self, ApiToken, Environment, ResolvedConfig, Settings};
use crate::core::error::{self, Error, ErrorResponse, Result};
use crate::core::random;
use crate::transport::{
    AnswerTimeout, HttpRequest, HttpResponse, Method, RequestBody, SentBytes, Transport,
    TransportOptions,
};

/// The `User-Agent` every request carries.
pub(crate) const USER_AGENT: &str = concat!("podstack-rust/", env!("CARGO_PKG_VERSION"));

/// A Podstack API client.
///
/// Cheap to clone (clones share one connection pool) and `Send + Sync`. Build one with
/// [`Client::new`] (environment and credentials file) or [`Client::builder`].
///
/// ```no_run
/// # #[cfg(not(feature = "async"))]
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?; // reads PODSTACK_API_TOKEN, ~/.podstack/credentials
/// let user = client.auth().whoami()?;
/// println!("Authenticated as: {}", user.email);
/// # Ok(()) }
/// # #[cfg(feature = "async")] fn main() {}
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ResolvedConfig,
    /// `{endpoint}/v1`, computed once.
    base_url: String,
    transport: Transport,
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
    /// Fails with [`Error::Authentication`] ("No API token provided ...") when no token
    /// is found, and with [`Error::Config`] for an unusable credentials file or endpoint.
    /// No request is sent.
    pub fn new() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder for explicit settings; anything left unset is resolved from the
    /// environment and the credentials file.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The resolved configuration, with where each value came from.
    pub fn config(&self) -> &ResolvedConfig {
        &self.inner.config
    }

    /// Identity: who the token belongs to.
    pub fn auth(&self) -> Auth<'_> {
        Auth::new(self)
    }

    /// Projects: list, get, create, delete.
    pub fn projects(&self) -> Projects<'_> {
        Projects::new(self)
    }

    /// Money: wallet balance, usage, pricing.
    pub fn wallet(&self) -> Wallet<'_> {
        Wallet::new(self)
    }

    /// GPU types, prices and availability.
    pub fn gpus(&self) -> Gpus<'_> {
        Gpus::new(self)
    }

    /// Pods: create, list, lifecycle, exec, logs, files, templates.
    pub fn pods(&self) -> Pods<'_> {
        Pods::new(self)
    }

    /// Tasks: commands started with [`Pods::exec_detached`].
    pub fn tasks(&self) -> Tasks<'_> {
        Tasks::new(self)
    }

    /// Pod templates.
    pub fn templates(&self) -> Templates<'_> {
        Templates::new(self)
    }
}

/// Builds a [`Client`] from explicit settings.
///
/// Every setting is optional; unset ones come from the environment, then the
/// credentials file, then defaults (see the crate documentation for the order).
///
/// ```no_run
/// # #[cfg(not(feature = "async"))]
/// # fn main() -> Result<(), podstack::Error> {
/// use std::time::Duration;
/// use podstack::{Client, RetryConfig};
///
/// let client = Client::builder()
///     .profile("production")
///     .project_id("my-project-id")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryConfig::default().max_retries(5))
///     .build()?;
/// # Ok(()) }
/// # #[cfg(feature = "async")] fn main() {}
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    settings: Settings,
    ignore_environment: bool,
}

impl ClientBuilder {
    /// The API token. Prefer the environment or the credentials file to hard-coding it.
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.settings.api_token = Some(ApiToken::new(token));
        self
    }

    /// The credentials-file profile to use (overrides `PODSTACK_PROFILE`). It must
    /// exist in the file.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.settings.profile = Some(profile.into());
        self
    }

    /// The default project, sent as `X-Project-Id` on every request.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.settings.project_id = Some(project_id.into());
        self
    }

    /// The API endpoint, e.g. `https://api.custom.podstack.ai` (default
    /// `https://api.podstack.ai`). Plain `http://` is accepted only for loopback hosts
    /// unless [`allow_insecure_http`](Self::allow_insecure_http) is set.
    pub fn api_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.settings.api_endpoint = Some(endpoint.into());
        self
    }

    /// The credentials file (overrides `PODSTACK_CREDENTIALS_FILE` and
    /// `~/.podstack/credentials`). It must exist.
    pub fn credentials_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.settings.credentials_file = Some(path.into());
        self
    }

    /// How long the client waits for the server: to connect, and for each next piece
    /// of an answer (default 30 s). A silent server fails with
    /// [`Error::Timeout`](crate::Error::Timeout) after about this long, while a large
    /// transfer that keeps flowing is never cut off.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// The retry policy (default: [`RetryConfig::default`](crate::RetryConfig::default)).
    pub fn retry(mut self, retry: crate::RetryConfig) -> Self {
        self.settings.retry = Some(retry);
        self
    }

    /// Allows a plain `http://` endpoint on a non-loopback host, which sends the token
    /// unencrypted. Off by default; only for trusted private networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.settings.allow_insecure_http = allow;
        self
    }

    /// Whether `PODSTACK_*` environment variables and the default credentials file
    /// (`~/.podstack/credentials`) are consulted (default `true`). Turn it off for a
    /// client built only from explicit settings, as tests want; an explicit
    /// [`credentials_file`](Self::credentials_file) is still read.
    pub fn use_environment(mut self, use_environment: bool) -> Self {
        self.ignore_environment = !use_environment;
        self
    }

    /// Resolves the configuration and builds the client. Sends nothing.
    pub fn build(self) -> Result<Client> {
        let environment = if self.ignore_environment {
            Environment::default()
        } else {
            Environment::from_process()
        };
        let config = config::resolve(&self.settings, &environment, &|path| {
            std::fs::read_to_string(path)
        })?;
        Client::from_config(config)
    }
}

impl Client {
    fn from_config(config: ResolvedConfig) -> Result<Client> {
        // The headers every request carries are fixed for the client's life, so the
        // transport parses them once instead of on every call.
        let mut common_headers = vec![
            ("authorization", format!("Bearer {}", config.token.expose())),
            ("user-agent", USER_AGENT.to_owned()),
            ("accept", "application/json".to_owned()),
        ];
        if let Some((project, _)) = config.project() {
            common_headers.push(("x-project-id", project.to_owned()));
        }
        let transport = Transport::new(&TransportOptions {
            timeout: config.timeout,
            common_headers,
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                base_url: format!("{}/v1", config.endpoint()),
                config,
                transport,
            }),
        })
    }
}

/// The largest page the API serves.
const MAX_PAGE: u32 = 200;

/// A decoded list answer, `{"<plural>": [...], "total": N}`.
pub(crate) trait Listing: DeserializeOwned {
    /// What the list holds.
    type Item;
    /// The items and the total.
    fn into_page(self) -> Page<Self::Item>;
}

/// A request described by a resource handler, before the pipeline prepares it.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    method: Method,
    /// Path below `/v1`, segments already percent-encoded (see [`segment`]).
    path: String,
    query: Vec<(&'static str, String)>,
    body: RequestBody,
    content_type: &'static str,
    accept: Option<&'static str>,
    /// A project for this call only, replacing the client's.
    project_id: Option<String>,
    answer_timeout: AnswerTimeout,
    /// Whether this `POST` creates something and so carries an `Idempotency-Key`.
    idempotent_create: bool,
}

impl ApiRequest {
    fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: RequestBody::Empty,
            content_type: "application/json",
            accept: None,
            project_id: None,
            answer_timeout: AnswerTimeout::Default,
            idempotent_create: false,
        }
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        ApiRequest::new(Method::Get, path)
    }

    pub(crate) fn post(path: impl Into<String>) -> Self {
        ApiRequest::new(Method::Post, path)
    }

    pub(crate) fn put(path: impl Into<String>) -> Self {
        ApiRequest::new(Method::Put, path)
    }

    pub(crate) fn delete(path: impl Into<String>) -> Self {
        ApiRequest::new(Method::Delete, path)
    }

    /// Adds a query parameter (percent-encoded by the pipeline); repeatable.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Sets a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::config(format!("could not encode the request body: {e}")))?;
        self.body = RequestBody::Bytes(Bytes::from(bytes));
        Ok(self)
    }

    /// Streams a file as a raw `application/octet-stream` body, reporting bytes sent.
    pub(crate) fn file(mut self, path: PathBuf, len: u64, sent: Option<SentBytes>) -> Self {
        self.body = RequestBody::File { path, len, sent };
        self.content_type = "application/octet-stream";
        self
    }

    /// The media type the answer comes in, when it is not JSON.
    pub(crate) fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = Some(media_type);
        self
    }

    /// Sends `X-Project-Id: project_id` on this call instead of the client's project.
    pub(crate) fn project(mut self, project_id: Option<&str>) -> Self {
        self.project_id = project_id.map(str::to_owned);
        self
    }

    /// How long the answer may take (see [`AnswerTimeout`]).
    pub(crate) fn answer_timeout(mut self, answer_timeout: AnswerTimeout) -> Self {
        self.answer_timeout = answer_timeout;
        self
    }

    /// Marks a create: the request carries an `Idempotency-Key`, which also makes it
    /// safe to retry.
    pub(crate) fn create(mut self) -> Self {
        self.idempotent_create = true;
        self
    }

    /// `GET /v1/pods/{id}`, for messages.
    fn describe(&self) -> String {
        format!("{} /v1{}", self.method.as_str(), self.path)
    }
}

/// Percent-encodes one path segment (an id from the caller).
pub(crate) fn segment(value: &str) -> String {
    percent_encode(value)
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Client {
    /// Sends a request and decodes a JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let body = self.send_bytes(&request).await?;
        serde_json::from_slice(&body)
            .map_err(|e| Error::decode(&request.describe(), &body, e).redact(self.token()))
    }

    /// Sends a request whose answer has no body worth decoding (204).
    pub(crate) async fn send_empty(&self, request: ApiRequest) -> Result<()> {
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

    /// Waits, through the transport (a thread sleep, or a tokio timer).
    pub(crate) async fn sleep(&self, duration: Duration) {
        self.inner.transport.sleep(duration).await;
    }

    /// Fetches one page of an offset-paginated list.
    pub(crate) async fn list_page<L: Listing>(&self, request: ApiRequest) -> Result<Page<L::Item>> {
        let listing: L = self.send_json(request).await?;
        Ok(listing.into_page())
    }

    /// Fetches every page of an offset-paginated list, `MAX_PAGE` items at a time;
    /// `page(limit, offset)` describes the request for one page.
    pub(crate) async fn list_all<L: Listing>(
        &self,
        page: impl Fn(u32, u64) -> ApiRequest,
    ) -> Result<Vec<L::Item>> {
        let mut all = Vec::new();
        loop {
            let Page { items, total } = self
                .list_page::<L>(page(MAX_PAGE, all.len() as u64))
                .await?;
            let done = items.is_empty() || all.len() + items.len() >= total as usize;
            all.extend(items);
            if done {
                return Ok(all);
            }
        }
    }

    /// Sends a request and returns the successful answer with its body unread, to be
    /// streamed by the caller.
    pub(crate) async fn send_streaming(&self, request: ApiRequest) -> Result<HttpResponse> {
        self.execute(&request).await
    }

    async fn send_bytes(&self, request: &ApiRequest) -> Result<Vec<u8>> {
        let response = self.execute(request).await?;
        response
            .body
            .read_all()
            .await
            .map_err(|e| e.redact(self.token()))
    }

    /// The request pipeline. Every call to the API goes through here.
    async fn execute(&self, request: &ApiRequest) -> Result<HttpResponse> {
        let http_request = self.prepare(request);
        // A POST without an idempotency key (a command execution) is never resent.
        let replay_safe = request.method != Method::Post || request.idempotent_create;
        let retry = &self.inner.config.retry;
        let mut retries_done = 0;
        loop {
            let started = Instant::now();
            let outcome = self.inner.transport.send(&http_request).await;
            let error = match outcome {
                Ok(response) => {
                    log::debug!(
                        "{} {} -> {} in {:?} (request id {})",
                        request.method.as_str(),
                        request.path,
                        response.status,
                        started.elapsed(),
                        response.request_id.as_deref().unwrap_or("none"),
                    );
                    if (200..300).contains(&response.status) {
                        return Ok(response);
                    }
                    // An error body that breaks off still maps by its status.
                    let body = response.body.read_all().await.unwrap_or_default();
                    error::from_response(&ErrorResponse {
                        status: response.status,
                        request_id: response.request_id.as_deref(),
                        retry_after: response.retry_after.as_deref(),
                        body: &body,
                    })
                }
                Err(error) => {
                    log::debug!(
                        "{} {} failed after {:?}: {}",
                        request.method.as_str(),
                        request.path,
                        started.elapsed(),
                        error
                    );
                    error
                }
            }
            .redact(self.token());
            let delay = replay_safe
                .then(|| retry.delay_before_retry(retries_done, &error, random::random_unit()))
                .flatten();
            match delay {
                Some(delay) => {
                    log::debug!(
                        "retrying {} {} in {:?} (retry {} of {})",
                        request.method.as_str(),
                        request.path,
                        delay,
                        retries_done + 1,
                        retry.limit(),
                    );
                    self.inner.transport.sleep(delay).await;
                    retries_done += 1;
                }
                None => return Err(error),
            }
        }
    }
}

impl Client {
    fn token(&self) -> &str {
        self.inner.config.token.expose()
    }

    /// Builds the HTTP request: URL with query, and the headers of this call. The
    /// headers of every call (authorization, user agent, accept, project) were given
    /// to the transport once, in [`Client::from_config`].
    fn prepare(&self, request: &ApiRequest) -> HttpRequest {
        let mut url = format!("{}{}", self.inner.base_url, request.path);
        for (i, (name, value)) in request.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            url.push_str(&percent_encode(value));
        }
        let mut headers = Vec::new();
        if !matches!(request.body, RequestBody::Empty) {
            headers.push(("content-type", request.content_type.to_owned()));
        }
        if let Some(accept) = request.accept {
            headers.push(("accept", accept.to_owned()));
        }
        if let Some(project_id) = &request.project_id {
            headers.push(("x-project-id", project_id.clone()));
        }
        if request.method == Method::Post && request.idempotent_create {
            // One key for every attempt of this call.
            headers.push(("idempotency-key", random::idempotency_key()));
        }
        HttpRequest {
            method: request.method,
            url,
            headers,
            body: request.body.clone(),
            answer_timeout: request.answer_timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters_only() {
        assert_eq!(percent_encode("pod_abc-1.2~x"), "pod_abc-1.2~x");
        assert_eq!(percent_encode("a/b c?d&e=é"), "a%2Fb%20c%3Fd%26e%3D%C3%A9");
    }

    #[maybe_async::test(not(feature = "async"), async(feature = "async", tokio::test))]
    async fn a_post_without_an_idempotency_key_is_never_sent_twice() {
        #[cfg(not(feature = "async"))]
        let mut server = mockito::Server::new();
        #[cfg(feature = "async")]
        let mut server = mockito::Server::new_async().await;
        let mock = server
            .mock("POST", "/v1/pods/pod_1/exec")
            .match_header("idempotency-key", mockito::Matcher::Missing)
            .with_status(503)
            .expect(1)
            .create();
        let client = Client::builder()
            .use_environment(false)
            .api_token("t")
            .api_endpoint(server.url())
            .retry(crate::RetryConfig::default().backoff_factor(Duration::from_millis(1)))
            .build()
            .unwrap();

        let request = ApiRequest::post("/pods/pod_1/exec")
            .json(&serde_json::json!({"command": "rm -rf /tmp/x"}))
            .unwrap();
        let error = client.send_empty(request).await.unwrap_err();

        mock.assert();
        assert!(matches!(error, Error::Server { .. }), "{error:?}");
    }

    #[test]
    fn client_is_clone_send_sync() {
        fn assert_traits<T: Clone + Send + Sync + fmt::Debug>() {}
        assert_traits::<Client>();
        assert_traits::<ClientBuilder>();
    }
}
