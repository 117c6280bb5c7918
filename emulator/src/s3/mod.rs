//! The S3 door: each bucket's objects over Amazon S3's REST protocol, at the address
//! the credentials call answers (`endpoint`, the emulator's own address), path style
//! (`{endpoint}/{bucket name}/{key}`), over the same objects as the platform routes.
//!
//! The protocol (routing, XML, SigV4 and SigV2 checking, `aws-chunked` bodies) is the
//! `s3s` crate's; this module gives it the keys ([`Keys`]), decides who may touch what
//! ([`Gate`]) and implements the operations (`ops`) on the emulator's model.
//!
//! Which door a request is for: one signed the AWS way (`Authorization: AWS4-HMAC-SHA256 …`
//! or `AWS …`, or a presigned S3 URL's `X-Amz-Credential` / `AWSAccessKeyId`) is S3's;
//! every other request is the platform's, which authenticates with `Bearer` tokens. So no
//! bucket name can shadow a platform route, and an unsigned request never reaches S3
//! (the emulator serves no anonymous S3 access).
//!
//! Rules, the emulator's reading of the contract's "S3-compatible access" and the docs'
//! "S3 Compatible Access" (the real service's S3 endpoint is not in the shipped package):
//! - a bucket's keys reach that bucket only: another existing bucket is 403
//!   `AccessDenied`, an unknown one 404 `NoSuchBucket`; `ListBuckets` lists the key's
//!   bucket;
//! - an unknown access key is 403 `InvalidAccessKeyId`, a wrong secret 403
//!   `SignatureDoesNotMatch` (s3s), a SigV4 signature for another region than the
//!   bucket's 400 `AuthorizationHeaderMalformed` naming the right one in
//!   `x-amz-bucket-region`, as S3 answers;
//! - keys follow the platform routes' rule, S3's (`routes::buckets::check_key`): 1 to
//!   1024 bytes, any other string a key (`/lead`, `x/../y`, `x//y` included, kept as
//!   sent), so an object written through either door is readable through the other; a
//!   longer key in the URL is s3s's 400 `KeyTooLongError`, in a body 400
//!   `InvalidArgument`;
//! - `Content-MD5` on PutObject and UploadPart is checked against the bytes received: a
//!   mismatch is 400 `BadDigest` and nothing is stored, a value that is not the base64 of
//!   16 bytes 400 `InvalidDigest`, as S3 answers;
//! - the bandwidth cap applies as to every connection, and faults and stats apply per
//!   operation, named `"S3 <Operation>"` (e.g. `"S3 PutObject"`, `"S3 UploadPart"`),
//!   after the signature is checked.

mod ops;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::path::S3Path;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{s3_error, S3Error, S3ErrorCode, S3Result};

use crate::faults::{take_fault, ConnKill};
use crate::state::App;
use crate::Fault;

/// The S3 service and the state it works on: the state of [`door`].
#[derive(Clone)]
pub(crate) struct Door {
    service: S3Service,
}

impl Door {
    pub fn new(app: App) -> Door {
        let mut builder = S3ServiceBuilder::new(ops::Objects(app.clone()));
        builder.set_auth(Keys(app.clone()));
        builder.set_access(Gate(app));
        Door {
            service: builder.build(),
        }
    }
}

/// Middleware in front of the platform router: S3 requests go to the S3 service,
/// everything else on to the platform routes.
pub(crate) async fn door(State(door): State<Door>, req: Request, next: Next) -> Response {
    if !is_s3_request(req.headers(), req.uri()) {
        return next.run(req).await;
    }
    let mut service = door.service.clone();
    match tower::Service::call(&mut service, req).await {
        Ok(resp) => resp.map(Body::new),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("S3 door failed: {e:?}"),
        )
            .into_response(),
    }
}

/// Whether a request is signed the AWS way (header or presigned query, V4 or V2).
fn is_s3_request(headers: &HeaderMap, uri: &Uri) -> bool {
    let signed_header = headers
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"AWS4-") || v.as_bytes().starts_with(b"AWS "));
    signed_header
        || uri.query().unwrap_or("").split('&').any(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            name.eq_ignore_ascii_case("X-Amz-Credential") || name == "AWSAccessKeyId"
        })
}

/// What the access key of a request reaches, put in the request's extensions by
/// [`Gate`] for the operations.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub bucket_id: String,
    pub bucket_name: String,
    pub region: String,
    pub created_at: String,
}

/// Secret keys by access key: each bucket's own pair (`GET …/credentials`).
struct Keys(App);

#[async_trait]
impl S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let st = self.0.lock();
        st.buckets
            .iter()
            .find(|b| b.access_key == access_key)
            .map(|b| SecretKey::from(b.secret_key.clone()))
            .ok_or_else(|| {
                s3_error!(
                    InvalidAccessKeyId,
                    "The AWS access key Id you provided does not exist in our records."
                )
            })
    }
}

/// Runs before every operation once the signature is checked: stats, faults, then
/// whether the key may touch the bucket the request names.
struct Gate(App);

#[async_trait]
impl S3Access for Gate {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let app = &self.0;
        let route = format!("S3 {}", cx.s3_op().name());
        {
            let mut stats = app.stats.lock().unwrap_or_else(|p| p.into_inner());
            *stats.entry(route.clone()).or_insert(0) += 1;
        }
        if let Some(fault) = take_fault(app, &route) {
            match fault {
                Fault::Status {
                    status,
                    retry_after,
                    ..
                } => return Err(injected(status, retry_after)),
                Fault::Stall { duration, .. } => tokio::time::sleep(duration).await,
                Fault::Drop { .. } => {
                    if let Some(kill) = cx.extensions_mut().get::<ConnKill>() {
                        kill.0.notify_one();
                        std::future::pending::<()>().await;
                    }
                    return Err(s3_error!(InternalError, "connection dropped"));
                }
            }
        }
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Anonymous access is not allowed"));
        };
        let scope = {
            let st = app.lock();
            let Some(b) = st
                .buckets
                .iter()
                .find(|b| b.access_key == credentials.access_key)
            else {
                return Err(s3_error!(InvalidAccessKeyId));
            };
            Scope {
                bucket_id: b.id.clone(),
                bucket_name: b.name.clone(),
                region: b.region.clone(),
                created_at: b.created_at.clone(),
            }
        };
        if let Some(signed) = signed_region(cx.headers(), cx.uri()) {
            if signed != scope.region {
                let mut e = S3Error::with_message(
                    S3ErrorCode::AuthorizationHeaderMalformed,
                    format!(
                        "The authorization header is malformed; the region '{signed}' is wrong; expecting '{}'",
                        scope.region
                    ),
                );
                if let Ok(v) = HeaderValue::from_str(&scope.region) {
                    let mut headers = HeaderMap::new();
                    headers.insert("x-amz-bucket-region", v);
                    headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/xml"),
                    );
                    e.set_headers(headers);
                }
                return Err(e);
            }
        }
        match cx.s3_path() {
            S3Path::Root => {}
            S3Path::Bucket { bucket } | S3Path::Object { bucket, .. } => {
                check_bucket(app, &scope, bucket)?;
            }
        }
        cx.extensions_mut().insert(scope);
        Ok(())
    }
}

/// The bucket a request names must be the key's own: another bucket is 403, a bucket
/// that does not exist 404.
pub(crate) fn check_bucket(app: &App, scope: &Scope, bucket: &str) -> S3Result<()> {
    if bucket == scope.bucket_name {
        return Ok(());
    }
    if app.lock().buckets.iter().any(|b| b.name == bucket) {
        Err(s3_error!(
            AccessDenied,
            "These credentials are for another bucket"
        ))
    } else {
        Err(s3_error!(NoSuchBucket))
    }
}

/// The region a SigV4 signature was made for: the third field of its credential
/// scope (`AK/date/region/s3/aws4_request`), from the header or a presigned URL.
fn signed_region(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let scope = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(auth) if auth.starts_with("AWS4-") => auth
            .split([' ', ','])
            .find_map(|part| part.trim().strip_prefix("Credential="))
            .map(str::to_owned),
        Some(_) => None,
        None => serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
            .ok()?
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Credential"))
            .map(|(_, v)| v),
    }?;
    scope.split('/').nth(2).map(str::to_owned)
}

/// The S3 error an injected `Fault::Status` answers with.
fn injected(status: u16, retry_after: Option<u64>) -> S3Error {
    let code = match status {
        503 | 429 => S3ErrorCode::SlowDown,
        403 => S3ErrorCode::AccessDenied,
        404 => S3ErrorCode::NoSuchKey,
        500..=599 => S3ErrorCode::InternalError,
        _ => S3ErrorCode::InvalidRequest,
    };
    let mut e = S3Error::with_message(code, format!("injected fault: {status}"));
    e.set_status_code(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(secs) = retry_after {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        e.set_headers(headers);
    }
    e
}

/// Shared by the operations: the `Scope` a request was given by [`Gate`].
pub(crate) fn scope_of(extensions: &axum::http::Extensions) -> S3Result<Scope> {
    extensions
        .get::<Scope>()
        .cloned()
        .ok_or_else(|| s3_error!(AccessDenied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aws_signed_requests_are_s3() {
        let uri: Uri = "/b/k".parse().unwrap();
        let mut h = HeaderMap::new();
        assert!(!is_s3_request(&h, &uri));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer podstack_x"),
        );
        assert!(!is_s3_request(&h, &uri));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AK/20250101/eu-1/s3/aws4_request, SignedHeaders=host, Signature=00"),
        );
        assert!(is_s3_request(&h, &uri));
        assert_eq!(signed_region(&h, &uri).as_deref(), Some("eu-1"));
        let presigned: Uri = "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
            .parse()
            .unwrap();
        assert!(is_s3_request(&HeaderMap::new(), &presigned));
        assert_eq!(
            signed_region(&HeaderMap::new(), &presigned).as_deref(),
            Some("us-east-1")
        );
    }
}
