//! The async transport: one `reqwest` client on tokio, shared by every clone.
//!
//! reqwest is the async client most Rust services already depend on; it runs on the
//! tokio runtime the caller already has, pools connections and is `Send + Sync`.

use std::time::Duration;

use reqwest::redirect;

use super::{
    invalid_header, timeout_message, HttpRequest, HttpResponse, Method, TransportOptions,
    MAX_REDIRECTS,
};
use crate::core::error::Error;

/// Sends requests over a pooled `reqwest` client.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        // reqwest drops Authorization itself when a redirect changes host or port; this
        // policy also refuses https → http downgrades and bounds the chain.
        let policy = redirect::Policy::custom(|attempt| {
            let downgrade = attempt.url().scheme() == "http"
                && attempt
                    .previous()
                    .last()
                    .is_some_and(|previous| previous.scheme() == "https");
            if downgrade || attempt.previous().len() > MAX_REDIRECTS as usize {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        // An inactivity timeout, as in the blocking build: connecting, and each wait for
        // more of the answer, may take at most this long.
        let mut common_headers = reqwest::header::HeaderMap::new();
        for (name, value) in &options.common_headers {
            let mut value =
                reqwest::header::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
            value.set_sensitive(*name == "authorization");
            common_headers.insert(*name, value);
        }
        let client = reqwest::Client::builder()
            // Sent on every request; a request's own header of the same name wins.
            .default_headers(common_headers)
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            .redirect(policy)
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            timeout: options.timeout,
        })
    }

    pub(crate) async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, request.url.as_str());
        for (name, value) in &request.headers {
            let value =
                reqwest::header::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().await.map_err(|e| self.map_error(e))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.map_error(e))?;
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            body: body.into(),
        })
    }

    pub(crate) async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn map_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::timeout(timeout_message(self.timeout))
        } else if error.is_connect() {
            Error::network("could not connect to the API", Some(error.into()))
        } else if error.is_builder() {
            Error::config(format!("could not build the HTTP request: {error}"))
        } else {
            Error::network(format!("connection error: {error}"), Some(error.into()))
        }
    }
}
