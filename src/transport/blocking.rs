//! The blocking transport: one `ureq` agent, shared by every clone of the client.

use std::time::Duration;

use ureq::config::RedirectAuthHeaders;
use ureq::http;

use super::{
    invalid_header, timeout_message, HttpRequest, HttpResponse, Method, TransportOptions,
    MAX_REDIRECTS,
};
use crate::core::error::Error;

/// Sends requests over a pooled `ureq` agent.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    /// Parsed once; cloning a `HeaderValue` only bumps a reference count.
    common_headers: http::HeaderMap,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, Error> {
        let config = ureq::Agent::config_builder()
            // The pipeline maps every status itself.
            .http_status_as_error(false)
            // An inactivity timeout: connecting, and each read or write, may take at most
            // this long. A whole-call deadline would cut off large transfers that are
            // still flowing, and makes ureq reset socket timeouts on every read.
            .timeout_connect(Some(options.timeout))
            .timeout_per_read(Some(options.timeout))
            .timeout_per_write(Some(options.timeout))
            .max_redirects(MAX_REDIRECTS)
            // Keep Authorization only for the same host and never on https → http.
            .redirect_auth_headers(RedirectAuthHeaders::SameHost)
            .build();
        Ok(Transport {
            agent: ureq::Agent::new_with_config(config),
            timeout: options.timeout,
            common_headers: header_map(&options.common_headers)?,
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
        if let Some(headers) = builder.headers_mut() {
            headers.clone_from(&self.common_headers);
            for (name, value) in &request.headers {
                let value = http::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
                headers.insert(*name, value);
            }
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

/// Parses the common headers; the authorization value is marked sensitive so that
/// nothing below us prints it.
fn header_map(headers: &[(&'static str, String)]) -> Result<http::HeaderMap, Error> {
    let mut map = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let mut value = http::HeaderValue::from_str(value).map_err(|_| invalid_header(name))?;
        value.set_sensitive(*name == "authorization");
        map.insert(*name, value);
    }
    Ok(map)
}

fn invalid_request(error: http::Error) -> Error {
    Error::config(format!("could not build the HTTP request: {error}"))
}
