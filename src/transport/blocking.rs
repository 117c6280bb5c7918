//! The blocking transport: one `ureq` agent, shared by every clone of the client.

use std::time::Duration;

use ureq::config::RedirectAuthHeaders;
use ureq::http;

use super::{timeout_message, HttpRequest, HttpResponse, Method, TransportOptions, MAX_REDIRECTS};
use crate::core::error::Error;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        let config = ureq::Agent::config_builder()
            // The pipeline maps every status itself.
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .max_redirects(MAX_REDIRECTS)
            // Keep Authorization only for the same host and never on https → http.
            .redirect_auth_headers(RedirectAuthHeaders::SameHost)
            .build();
        Ok(Transport {
            agent: ureq::Agent::new_with_config(config),
            timeout: options.timeout,
        })
    }

    pub(crate) fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let method = match request.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let mut builder = http::Request::builder()
            .method(method)
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        let result = match &request.body {
            Some(body) => builder
                .body(&body[..])
                .map_err(invalid_request)
                .and_then(|r| self.agent.run(r).map_err(|e| self.map_error(e))),
            None => builder
                .body(())
                .map_err(invalid_request)
                .and_then(|r| self.agent.run(r).map_err(|e| self.map_error(e))),
        };
        let mut response = result?;
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
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| self.map_error(e))?;
        Ok(HttpResponse {
            status,
            request_id,
            retry_after,
            body,
        })
    }

    pub(crate) fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn map_error(&self, error: ureq::Error) -> Error {
        match error {
            ureq::Error::Timeout(_) => Error::timeout(timeout_message(self.timeout)),
            ureq::Error::Io(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                Error::timeout(timeout_message(self.timeout))
            }
            ureq::Error::HostNotFound => {
                Error::network("could not resolve the API host", Some(error.into()))
            }
            ureq::Error::ConnectionFailed => {
                Error::network("could not connect to the API", Some(error.into()))
            }
            other => Error::network(format!("connection error: {other}"), Some(other.into())),
        }
    }
}

fn invalid_request(error: http::Error) -> Error {
    Error::config(format!("could not build the HTTP request: {error}"))
}
