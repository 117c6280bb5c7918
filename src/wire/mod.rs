//! What a resource handler asks the pipeline to send: an [`ApiRequest`], and how it
//! becomes an HTTP request. Shared by both clients; nothing here waits on the network.

pub(crate) mod auth;
pub(crate) mod billing;
pub(crate) mod pods;
pub(crate) mod presigned;
pub(crate) mod projects;
pub(crate) mod storage;

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::config::{platform_endpoint_not_set, DefaultFileProblem, Source};
use crate::error::{Error, Result};
use crate::transport::{invalid_header, AnswerTimeout, HttpRequest, Method, RequestBodyOf};

/// `X-Project-Id`: the project a call acts in.
const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
/// `Idempotency-Key`: one per create, the same on every attempt.
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The services behind Podstack's two base URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    /// The API: `{api_endpoint}/v1` (identity, projects, money, pods).
    Api,
    /// The platform service: `{platform_endpoint}/api/v1` (storage). Its calls are
    /// project-scoped: they need a project.
    Platform,
}

/// Where a request goes.
#[derive(Debug)]
enum Target {
    /// A path below a service's base URL, segments already percent-encoded.
    Path(Service, String),
    /// An absolute URL handed out by the API (a presigned URL); sent as given.
    Url(String),
}

/// The per-client values the pipeline puts on every request, computed once. Its
/// `Debug` leaves out the authorization value.
pub(crate) struct RequestContext {
    /// `{api_endpoint}/v1`.
    pub api_base: String,
    /// `{platform_endpoint}/api/v1`; `None` when the platform endpoint is not set
    /// (storage calls then fail before sending anything).
    pub platform_base: Option<String>,
    /// The API endpoint and where it came from, which the error of a storage call names
    /// when the platform endpoint is not set.
    pub api_endpoint: (String, Source),
    /// `Bearer <token>`, marked sensitive (never printed); `None` when the token holds
    /// what cannot be sent in HTTP (every authenticated call then fails with that).
    pub authorization: Option<HeaderValue>,
    /// The client's default project.
    pub project_id: Option<String>,
    /// The default credentials file, when it could not be used: a call that needs a
    /// value it could have held fails with its reason.
    pub default_file_problem: Option<DefaultFileProblem>,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("api_base", &self.api_base)
            .field("platform_base", &self.platform_base)
            .field("api_endpoint", &self.api_endpoint)
            .field("project_id", &self.project_id)
            .field("default_file_problem", &self.default_file_problem)
            .finish_non_exhaustive()
    }
}

/// A request described by a resource handler, before the pipeline prepares it; its
/// body may borrow for `'b` (a blocking `upload_reader`'s reader: see
/// [`RequestBodyOf::Reader`](crate::transport::RequestBodyOf)).
#[derive(Debug)]
pub(crate) struct ApiRequestOf<'b> {
    pub(crate) method: Method,
    target: Target,
    query: Vec<(&'static str, String)>,
    pub(crate) body: RequestBodyOf<'b>,
    content_type: Cow<'static, str>,
    /// `Range: bytes=a-b`, both ends included.
    range: Option<(u64, u64)>,
    accept: Option<&'static str>,
    /// A project for this call only, replacing the client's.
    project_id: Option<String>,
    pub(crate) answer_timeout: AnswerTimeout,
    /// Whether this `POST` creates something and so carries an `Idempotency-Key`.
    idempotent_create: bool,
    /// Whether the token (and the project) go with it.
    authenticated: bool,
    /// Whether the answer holds secrets (S3 keys, signed URLs) that an error must not
    /// quote.
    secret_answer: bool,
    /// `If-Match`: the answer must come from this version of the resource.
    if_match: Option<String>,
    /// The hint a 409 answer gets (see [`ErrorContext::hint`](crate::ErrorContext::hint)).
    conflict_hint: Option<&'static str>,
    /// The calls that stream this answer, named when it is too large to read into
    /// memory.
    pub(crate) instead_of_memory: Option<&'static str>,
}

/// A request that borrows nothing: every one but a blocking `upload_reader`'s.
pub(crate) type ApiRequest = ApiRequestOf<'static>;

impl<'b> ApiRequestOf<'b> {
    fn new(method: Method, target: Target) -> Self {
        let authenticated = matches!(target, Target::Path(..));
        ApiRequestOf {
            method,
            target,
            query: Vec::new(),
            body: RequestBodyOf::Empty,
            content_type: Cow::Borrowed("application/json"),
            range: None,
            accept: None,
            project_id: None,
            answer_timeout: AnswerTimeout::Default,
            idempotent_create: false,
            authenticated,
            secret_answer: false,
            if_match: None,
            conflict_hint: None,
            instead_of_memory: None,
        }
    }

    /// A request with `method` of a path below the API's base URL.
    pub(crate) fn api(method: Method, path: impl Into<String>) -> Self {
        Self::new(method, Target::Path(Service::Api, path.into()))
    }

    /// `GET` of a path below the API's base URL.
    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, Target::Path(Service::Api, path.into()))
    }

    /// `POST` of a path below the API's base URL.
    pub(crate) fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, Target::Path(Service::Api, path.into()))
    }

    /// `PUT` of a path below the API's base URL.
    pub(crate) fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, Target::Path(Service::Api, path.into()))
    }

    /// `DELETE` of a path below the API's base URL.
    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, Target::Path(Service::Api, path.into()))
    }

    /// A request to an absolute URL (a presigned URL). It carries neither the token nor
    /// the project: whoever holds the URL may use it, and the token must not travel to
    /// wherever it points.
    pub(crate) fn absolute(method: Method, url: impl Into<String>) -> Self {
        Self::new(method, Target::Url(url.into()))
    }

    /// Sends the request to `service` instead of the API (the path stays as given).
    pub(crate) fn on(mut self, service: Service) -> Self {
        if let Target::Path(on, _) = &mut self.target {
            *on = service;
        }
        self
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
        self.body = RequestBodyOf::Bytes(Bytes::from(bytes));
        Ok(self)
    }

    /// Sends a raw `application/octet-stream` body.
    pub(crate) fn raw(mut self, body: RequestBodyOf<'b>) -> Self {
        self.body = body;
        self.content_type = Cow::Borrowed("application/octet-stream");
        self
    }

    /// Sends a body with its own media type (a `multipart/form-data` one).
    /// The body may borrow for another lifetime than this request's (empty) one had: the
    /// request is rebuilt around it.
    pub(crate) fn body<'c>(
        self,
        body: RequestBodyOf<'c>,
        content_type: String,
    ) -> ApiRequestOf<'c> {
        ApiRequestOf {
            method: self.method,
            target: self.target,
            query: self.query,
            body,
            content_type: Cow::Owned(content_type),
            range: self.range,
            accept: self.accept,
            project_id: self.project_id,
            answer_timeout: self.answer_timeout,
            idempotent_create: self.idempotent_create,
            authenticated: self.authenticated,
            secret_answer: self.secret_answer,
            if_match: self.if_match,
            conflict_hint: self.conflict_hint,
            instead_of_memory: self.instead_of_memory,
        }
    }

    /// Names the calls that stream this answer, for the error when it is too large to
    /// read into memory.
    pub(crate) fn instead_of_memory(mut self, calls: &'static str) -> Self {
        self.instead_of_memory = Some(calls);
        self
    }

    /// Marks an answer that holds secrets: a decode error does not quote it.
    pub(crate) fn secret_answer(mut self) -> Self {
        self.secret_answer = true;
        self
    }

    pub(crate) fn answer_holds_secrets(&self) -> bool {
        self.secret_answer
    }

    /// Adds `hint` to an [`Error::Conflict`] answer: what to call in this SDK where the
    /// server's message names a wire parameter (`pass force=true`).
    pub(crate) fn on_conflict(mut self, hint: &'static str) -> Self {
        self.conflict_hint = Some(hint);
        self
    }

    /// The error of an answer to this request, with its hint when it has one.
    pub(crate) fn hinted(&self, error: Error) -> Error {
        match (&error, self.conflict_hint) {
            (Error::Conflict { .. }, Some(hint)) => error.with_sdk_hint(hint),
            _ => error,
        }
    }

    /// Sends `If-Match: etag`: the server answers 412 if the resource changed.
    pub(crate) fn if_match(mut self, etag: Option<&str>) -> Self {
        self.if_match = etag.map(str::to_owned);
        self
    }

    /// Asks for bytes `start..=end` of the answer (`Range: bytes=start-end`).
    pub(crate) fn range(mut self, start: u64, end: u64) -> Self {
        self.range = Some((start, end));
        self
    }

    /// Fails before anything is sent when the call needs what the client lacks: the
    /// platform endpoint and a project for the platform service's calls (they are
    /// project-scoped), or a value that only the unusable default credentials file could
    /// have supplied (then the error says what is wrong with the file).
    pub(crate) fn check_context(&self, context: &RequestContext) -> Result<()> {
        let Target::Path(service, _) = &self.target else {
            return Ok(()); // an absolute URL needs neither endpoint nor project
        };
        let has_project = self.project_id.is_some() || context.project_id.is_some();
        if let Some(file) = &context.default_file_problem {
            let lacking = match service {
                Service::Api if file.api_endpoint => Some("the API endpoint"),
                Service::Platform if file.platform_endpoint => Some("the platform endpoint"),
                Service::Platform if !has_project => Some("a project"),
                _ => None,
            };
            if let Some(what) = lacking {
                return Err(file.error(&self.describe(), what));
            }
        }
        if *service == Service::Platform && context.platform_base.is_none() {
            let (api, source) = &context.api_endpoint;
            return Err(platform_endpoint_not_set(&self.describe(), api, source));
        }
        if *service == Service::Platform && !has_project {
            return Err(Error::config(format!(
                "{} needs a project: set one with ClientBuilder::project_id, the \
                 PODSTACK_PROJECT environment variable or project_id in the credentials file",
                self.describe()
            )));
        }
        Ok(())
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

    /// Whether a failed attempt may be sent again: never a `POST` that is not an
    /// idempotent create (a command must not run twice), never a body that can be read
    /// only once.
    pub(crate) fn replayable(&self) -> bool {
        (self.method != Method::POST || self.idempotent_create) && self.body.replayable()
    }

    /// `GET /v1/pods/{id}`, for messages and logs. An absolute URL shows without its
    /// query, which holds a presigned URL's signature.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method.as_str(), self.shown_path())
    }

    /// `/v1/pods/{id}`: [`describe`](Self::describe) without the method.
    pub(crate) fn shown_path(&self) -> String {
        match &self.target {
            Target::Path(Service::Api, path) => format!("/v1{path}"),
            Target::Path(Service::Platform, path) => format!("/api/v1{path}"),
            Target::Url(url) => url.split('?').next().unwrap_or(url).to_owned(),
        }
    }

    /// `GET /v1/pods/{id}/files`: the method and path with every id as `{id}`, for
    /// tracing spans. An absolute URL shows as its scheme and host only.
    pub(crate) fn route(&self) -> String {
        let method = self.method.as_str();
        match &self.target {
            Target::Path(service, path) => {
                let base = match service {
                    Service::Api => "/v1",
                    Service::Platform => "/api/v1",
                };
                format!("{method} {base}{}", path_template(path))
            }
            Target::Url(url) => {
                let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
                format!("{method} {origin}")
            }
        }
    }

    /// The project this call carries: its own, else the client's.
    pub(crate) fn project_in<'a>(&'a self, context: &'a RequestContext) -> Option<&'a str> {
        if !self.authenticated {
            return None;
        }
        self.project_id.as_deref().or(context.project_id.as_deref())
    }

    /// The HTTP request for one call: URL with query, and this call's headers.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when a header value cannot be sent in HTTP (a control character
    /// in the token or a project id); the message names the header, never its value.
    pub(crate) fn prepare(&self, context: &RequestContext) -> Result<HttpRequest<'_, 'b>> {
        // Joined by hand: `format!` cost about a hundredth of a whole call.
        let joined = |base: &str, path: &str| [base, path].concat();
        let mut url = match &self.target {
            Target::Path(Service::Api, path) => joined(&context.api_base, path),
            // check_context has refused a platform call without the platform endpoint.
            Target::Path(Service::Platform, path) => {
                joined(context.platform_base.as_deref().unwrap_or_default(), path)
            }
            Target::Url(url) => url.clone(),
        };
        for (name, value) in &self.query {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(name);
            url.push('=');
            url.extend(utf8_percent_encode(value, SEGMENT));
        }
        // At most six headers: with capacity for them, the map never grows.
        let mut headers = HeaderMap::with_capacity(6);
        let value = |name: &HeaderName, value: &str| {
            HeaderValue::from_str(value).map_err(|_| invalid_header(name.as_str()))
        };
        if self.authenticated {
            let authorization = context
                .authorization
                .clone()
                .ok_or_else(|| invalid_header("authorization"))?;
            headers.insert(header::AUTHORIZATION, authorization);
            if let Some(project) = self.project_id.as_ref().or(context.project_id.as_ref()) {
                headers.insert(X_PROJECT_ID, value(&X_PROJECT_ID, project)?);
            }
        }
        if !self.body.is_empty() {
            // A borrowed type (and an `accept`) is one of this crate's literals.
            let content_type = match &self.content_type {
                Cow::Borrowed(known) => HeaderValue::from_static(known),
                Cow::Owned(given) => value(&header::CONTENT_TYPE, given)?,
            };
            headers.insert(header::CONTENT_TYPE, content_type);
        }
        if let Some((start, end)) = self.range {
            let range = format!("bytes={start}-{end}");
            headers.insert(header::RANGE, value(&header::RANGE, &range)?);
        }
        if let Some(etag) = &self.if_match {
            headers.insert(header::IF_MATCH, value(&header::IF_MATCH, etag)?);
        }
        if let Some(accept) = self.accept {
            headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
        }
        if self.method == Method::POST && self.idempotent_create {
            // One key for every attempt of this call.
            let key = crate::net::random::idempotency_key();
            headers.insert(IDEMPOTENCY_KEY, value(&IDEMPOTENCY_KEY, &key)?);
        }
        Ok(HttpRequest {
            method: self.method.clone(),
            url,
            headers,
            body: &self.body,
            answer_timeout: self.answer_timeout,
        })
    }
}

/// The `Authorization` value of a client with `token`: `Bearer <token>`, marked
/// sensitive so that no HTTP crate prints it; `None` when the token holds what cannot
/// be sent in HTTP.
pub(crate) fn authorization(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The collections whose next path segment is an id.
const COLLECTIONS: &[&str] = &[
    "pods",
    "projects",
    "tasks",
    "templates",
    "buckets",
    "storage",
    "multipart",
    "parts",
];

/// `/pods/pod_1/files` → `/pods/{id}/files`.
fn path_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut previous = "";
    for segment in path.split('/').skip(1) {
        out.push('/');
        out.push_str(if COLLECTIONS.contains(&previous) {
            "{id}"
        } else {
            segment
        });
        previous = segment;
    }
    out
}

/// Percent-encodes one path segment (an id from the caller).
pub(crate) fn segment(value: &str) -> String {
    percent_encode(value)
}

/// What [`percent_encode`] escapes: every byte but the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - _ . ~`), so that an id can hold no `/`, `?`, `&` or `=` that would
/// change the URL's meaning.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn percent_encode(value: &str) -> String {
    // Room for the value as it is: an id is rarely escaped at all.
    let mut out = String::with_capacity(value.len());
    out.extend(utf8_percent_encode(value, SEGMENT));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters_only() {
        assert_eq!(percent_encode("pod_abc-1.2~x"), "pod_abc-1.2~x");
        assert_eq!(percent_encode("a/b c?d&e=é"), "a%2Fb%20c%3Fd%26e%3D%C3%A9");
    }

    #[test]
    fn routes_show_ids_as_placeholders_and_urls_as_their_origin() {
        assert_eq!(
            ApiRequest::get("/pods/pod_1/files").route(),
            "GET /v1/pods/{id}/files"
        );
        assert_eq!(
            ApiRequest::get("/billing/wallet").route(),
            "GET /v1/billing/wallet"
        );
        let part = ApiRequest::put("/buckets/b%2F1/multipart/up_1/parts/3").on(Service::Platform);
        assert_eq!(
            part.route(),
            "PUT /api/v1/buckets/{id}/multipart/{id}/parts/{id}"
        );
        let url = ApiRequest::absolute(Method::GET, "https://s3.example/b/k?sig=secret");
        assert_eq!(url.route(), "GET https://s3.example");
    }

    #[test]
    fn absolute_urls_carry_no_token_and_describe_without_their_query() {
        let context = RequestContext {
            api_base: "https://api.example/v1".into(),
            platform_base: Some("https://cloud.example/platform/api/v1".into()),
            api_endpoint: ("https://api.example".into(), Source::Explicit),
            authorization: authorization("podstack_x_secret"),
            project_id: Some("proj_1".into()),
            default_file_problem: None,
        };
        let request = ApiRequest::absolute(Method::GET, "https://s3.example/b/k?sig=abc");
        let http = request.prepare(&context).unwrap();
        assert_eq!(http.url, "https://s3.example/b/k?sig=abc");
        assert!(http
            .headers
            .keys()
            .all(|name| name != "authorization" && name != "x-project-id"));
        assert_eq!(request.describe(), "GET https://s3.example/b/k");

        let request = ApiRequest::get("/buckets")
            .on(Service::Platform)
            .query("a", "b c");
        let http = request.prepare(&context).unwrap();
        assert_eq!(
            http.url,
            "https://cloud.example/platform/api/v1/buckets?a=b%20c"
        );
        let auth = http.headers.get("authorization").unwrap();
        assert!(auth.is_sensitive());
        assert!(!format!("{http:?}").contains("podstack_x_secret"));
        assert_eq!(http.headers.get("x-project-id").unwrap(), "proj_1");
    }

    #[test]
    fn without_a_platform_endpoint_storage_calls_fail_before_sending_and_others_go_on() {
        let custom_api = || RequestContext {
            api_base: "https://api.custom.podstack.ai/v1".into(),
            platform_base: None,
            api_endpoint: ("https://api.custom.podstack.ai".into(), Source::Explicit),
            authorization: authorization("podstack_x_secret"),
            project_id: Some("proj_1".into()),
            default_file_problem: None,
        };
        let context = custom_api();
        let err = ApiRequest::get("/buckets")
            .on(Service::Platform)
            .check_context(&context)
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        for part in [
            "GET /api/v1/buckets",
            "https://api.custom.podstack.ai (from explicit setting)",
            "ClientBuilder::platform_endpoint",
            "PODSTACK_PLATFORM_URL",
        ] {
            assert!(err.message().contains(part), "{err}");
        }
        assert!(!err.to_string().contains("podstack_x_secret"), "{err}");
        // Before the project rule: the endpoint is what to fix first.
        let err = ApiRequest::get("/buckets")
            .on(Service::Platform)
            .check_context(&RequestContext {
                project_id: None,
                ..context
            })
            .unwrap_err();
        assert!(err.message().contains("PODSTACK_PLATFORM_URL"), "{err}");
        let context = custom_api();
        ApiRequest::get("/pods").check_context(&context).unwrap();
        // A presigned URL goes where it points, with no token.
        ApiRequest::absolute(Method::GET, "https://s3.example/b/k?sig=abc")
            .check_context(&context)
            .unwrap();
    }

    #[test]
    fn a_call_needing_what_only_the_unusable_default_file_could_hold_names_the_file() {
        let problem = DefaultFileProblem {
            file: "/home/ada/.podstack/credentials".into(),
            problem:
                "is malformed: line 1 is neither a [section], a key = value pair nor a comment"
                    .into(),
            api_endpoint: false,
            platform_endpoint: false,
        };
        let mut context = RequestContext {
            api_base: "https://api.example/v1".into(),
            platform_base: Some("https://cloud.example/platform/api/v1".into()),
            api_endpoint: ("https://api.example".into(), Source::Explicit),
            authorization: authorization("podstack_x_secret"),
            project_id: None,
            default_file_problem: Some(problem.clone()),
        };
        let storage = || ApiRequest::get("/buckets").on(Service::Platform);
        let err = storage().check_context(&context).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        for part in [
            "GET /api/v1/buckets needs a project",
            "/home/ada/.podstack/credentials",
            "is malformed: line 1",
        ] {
            assert!(err.message().contains(part), "{err}");
        }
        // A project for the call, or for the client, is enough; the API needs none.
        storage()
            .project(Some("prj_call"))
            .check_context(&context)
            .unwrap();
        ApiRequest::get("/pods").check_context(&context).unwrap();
        ApiRequest::absolute(Method::GET, "https://s3.example/b/k")
            .check_context(&context)
            .unwrap();
        // An endpoint that would otherwise be the built-in default.
        context.default_file_problem = Some(DefaultFileProblem {
            api_endpoint: true,
            platform_endpoint: true,
            ..problem
        });
        let err = ApiRequest::get("/pods")
            .check_context(&context)
            .unwrap_err();
        assert!(err.message().contains("needs the API endpoint"), "{err}");
        context.project_id = Some("prj_1".into());
        let err = storage().check_context(&context).unwrap_err();
        assert!(
            err.message().contains("needs the platform endpoint"),
            "{err}"
        );
        // Without a problem, only the project rule applies.
        context.default_file_problem = None;
        storage().check_context(&context).unwrap();
        ApiRequest::get("/pods").check_context(&context).unwrap();
        context.project_id = None;
        let err = storage().check_context(&context).unwrap_err();
        assert!(err.message().contains("needs a project: set one"), "{err}");
    }
}
