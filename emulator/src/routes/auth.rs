//! Bearer-token authentication, scopes, rate limiting and project access.

use axum::extract::Request;
use axum::http::{Method, StatusCode};

use crate::errors::{ApiError, ApiResult};
use crate::state::{App, State, TokenInfo};
use crate::time::now_secs;

/// The authenticated caller, put in the request extensions by the gate.
#[derive(Debug, Clone)]
pub(crate) struct Auth {
    pub token: String,
    pub info: TokenInfo,
    /// `X-Project-Id`, already checked to exist and be accessible.
    pub header_project: Option<String>,
}

impl Auth {
    /// Whether the token may touch this project.
    pub fn can(&self, project_id: &str) -> bool {
        match &self.info.projects {
            None => true,
            Some(list) => list.iter().any(|p| p == project_id),
        }
    }

    /// 404 when the project does not exist, 403 when the token may not touch it.
    pub fn check_project(&self, st: &State, project_id: &str) -> ApiResult<()> {
        if !st.projects.iter().any(|p| p.id == project_id) {
            return Err(ApiError::not_found("project", project_id));
        }
        if !self.can(project_id) {
            return Err(ApiError::denied());
        }
        Ok(())
    }

    /// 403 when a resource belongs to a project the token may not touch.
    pub fn check_owned(&self, project_id: &str) -> ApiResult<()> {
        if self.can(project_id) {
            Ok(())
        } else {
            Err(ApiError::denied())
        }
    }

    /// Project for something being created: body `project_id`, else
    /// `X-Project-Id`, else the first project the token may touch.
    pub fn project_for_create(&self, st: &State, body: Option<&str>) -> ApiResult<String> {
        if let Some(p) = body.filter(|p| !p.is_empty()) {
            self.check_project(st, p)?;
            return Ok(p.to_string());
        }
        if let Some(p) = &self.header_project {
            return Ok(p.clone());
        }
        st.projects
            .iter()
            .find(|p| self.can(&p.id))
            .map(|p| p.id.clone())
            .ok_or_else(|| ApiError::field("project_id", "is required"))
    }

    /// Project filter for lists: query `project_id`, else `X-Project-Id`.
    pub fn list_project(&self, st: &State, query: Option<&str>) -> ApiResult<Option<String>> {
        if let Some(p) = query.filter(|p| !p.is_empty()) {
            self.check_project(st, p)?;
            return Ok(Some(p.to_string()));
        }
        Ok(self.header_project.clone())
    }
}

/// Prefix of the platform service's (storage) routes.
pub(crate) const PLATFORM_PREFIX: &str = "/platform/api/v1/";

fn area(path: &str) -> Option<&'static str> {
    if let Some(rest) = path.strip_prefix(PLATFORM_PREFIX) {
        return match rest.split('/').next().unwrap_or("") {
            "buckets" => Some("buckets"),
            "storage" => Some("volumes"),
            _ => None,
        };
    }
    let rest = path.strip_prefix("/v1/")?;
    let first = rest.split('/').next().unwrap_or("");
    Some(match first {
        "projects" => "projects",
        "billing" | "gpus" | "pricing" => "billing",
        "templates" => "templates",
        "pods" | "tasks" => "pods",
        _ => return None,
    })
}

fn scope_ok(scopes: &[String], area: &str, write: bool) -> bool {
    let rw = if write { "write" } else { "read" };
    scopes.iter().any(|s| {
        let s = s.as_str();
        s == "*"
            || s == format!("{area}:*")
            || s == format!("{area}:{rw}")
            || s == format!("*:{rw}")
            || (!write && (s == format!("{area}:write") || s == "*:write"))
    })
}

/// Authenticates an API request: token, expiry, rate limit, scope, `X-Project-Id`
/// (required on platform routes).
pub(crate) fn authenticate(app: &App, req: &Request) -> ApiResult<Auth> {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        })
        .ok_or_else(ApiError::invalid_token)?;
    let mut st = app.lock();
    let info = st
        .tokens
        .get(&token)
        .cloned()
        .ok_or_else(ApiError::invalid_token)?;
    let now = now_secs();
    if info.expires_at.is_some_and(|t| t <= now) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "API token has expired",
        ));
    }
    if let Some(limit) = app.cfg.rate_limit_per_token {
        let slot = st.rate.entry(token.clone()).or_insert((now, 0));
        if slot.0 != now {
            *slot = (now, 0);
        }
        slot.1 += 1;
        if slot.1 > limit {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("rate limit of {limit} requests per second exceeded"),
            );
            e.retry_after = Some(1);
            return Err(e);
        }
    }
    if let Some(area) = area(req.uri().path()) {
        let write = !matches!(*req.method(), Method::GET | Method::HEAD);
        if !scope_ok(&info.scopes, area, write) {
            let rw = if write { "write" } else { "read" };
            return Err(ApiError::denied().detail("required_scope", format!("{area}:{rw}")));
        }
    }
    let mut auth = Auth {
        token,
        info,
        header_project: None,
    };
    let header = req
        .headers()
        .get("x-project-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if let Some(p) = header {
        auth.check_project(&st, &p)?;
        auth.header_project = Some(p);
    } else if req.uri().path().starts_with(PLATFORM_PREFIX) {
        return Err(ApiError::field(
            "X-Project-Id",
            "header is required: storage is scoped to a project",
        ));
    }
    Ok(auth)
}
