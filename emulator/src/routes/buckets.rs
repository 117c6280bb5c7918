//! Buckets and objects of the platform service (`/platform/api/v1/buckets…`):
//! CRUD scoped to the `X-Project-Id` project, `multipart/form-data` uploads and
//! downloads streamed to and from disk (with `Range`), listing with
//! continuation tokens, copy, batch delete, multipart uploads, presigned URLs
//! (served under `/presigned/{opaque}`, no auth) and S3 credentials.
//!
//! An object's etag is S3's, whichever door wrote it (these routes, presigned URLs
//! or the S3 door in `crate::s3`, which shares the object helpers below): the
//! lowercase hex MD5 of its content, or for a multipart object the MD5 of its parts'
//! MD5 digests followed by `-` and the number of parts.

use std::io::SeekFrom;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::StreamExt;
use md5::Md5;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::auth::Auth;
use super::form::{self, FormReader};
use super::{required, Check, JsonBody, Q};
use crate::errors::{ApiError, ApiResult};
use crate::state::{new_id, rand_hex, App, Bucket, Object, State as Model, Upload};
use crate::time::{fmt_http_date, fmt_rfc3339, now_millis, now_rfc3339, now_secs};

/// A bucket's region when the create call names none: S3's default, which boto3 signs
/// for when it is given no region (as in the docs' example), so that example works
/// unchanged against the S3 door.
const REGION: &str = "us-east-1";

/// The project of a platform request (the gate guarantees `X-Project-Id`).
pub(crate) fn project(auth: &Auth) -> ApiResult<String> {
    auth.header_project
        .clone()
        .ok_or_else(|| ApiError::field("X-Project-Id", "header is required"))
}

/// Where the S3 door answers: the emulator's own address (S3 requests are told
/// from platform calls by their AWS signature, see `crate::s3`).
fn s3_endpoint(app: &App) -> String {
    app.endpoint.clone()
}

fn bucket_json(app: &App, b: &Bucket) -> Value {
    let bytes: u64 = b.objects.values().map(|o| o.size_bytes).sum();
    json!({
        "id": b.id,
        "name": b.name,
        "description": b.description,
        "status": "active",
        "region": b.region,
        "is_public": b.is_public,
        "versioning": b.versioning,
        "max_size_gb": b.max_size_gb,
        "size_bytes": bytes,
        "object_count": b.objects.len(),
        "endpoint": s3_endpoint(app),
        "created_at": b.created_at,
    })
}

fn find<'a>(st: &'a Model, project: &str, id: &str) -> ApiResult<&'a Bucket> {
    st.bucket(project, id)
        .ok_or_else(|| ApiError::not_found("bucket", id))
}

fn valid_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

/// `GET /buckets` → `{"buckets": [Bucket]}` of the project.
pub(crate) async fn list(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let st = app.lock();
    let all: Vec<Value> = st
        .buckets
        .iter()
        .filter(|b| b.project_id == project)
        .map(|b| bucket_json(&app, b))
        .collect();
    Ok(Json(json!({ "buckets": all })))
}

#[derive(Deserialize)]
pub(crate) struct CreateBucket {
    name: Option<String>,
    description: Option<String>,
    region: Option<String>,
    versioning: Option<bool>,
    is_public: Option<bool>,
    max_size_gb: Option<i64>,
}

/// `POST /buckets` → 201 Bucket.
pub(crate) async fn create(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    JsonBody(b): JsonBody<CreateBucket>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = project(&auth)?;
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    if !name.is_empty() && !valid_name(&name) {
        check.add(
            "name",
            "must be 3-63 characters of lowercase letters, digits, '-' or '.', starting and ending with a letter or digit",
        );
    }
    // The shipped package sends 0 when the caller gives no size: 0 means no limit.
    if b.max_size_gb.is_some_and(|m| m < 0) {
        check.add("max_size_gb", "must not be negative (0 means no limit)");
    }
    check.finish()?;
    let mut st = app.lock();
    if st
        .buckets
        .iter()
        .any(|x| x.project_id == project && x.name == name)
    {
        return Err(ApiError::conflict(format!(
            "bucket name {name} is already used in this project"
        )));
    }
    let bucket = Bucket {
        id: new_id("bkt"),
        project_id: project,
        name,
        description: b.description.unwrap_or_default(),
        region: b
            .region
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| REGION.to_string()),
        is_public: b.is_public.unwrap_or(false),
        versioning: b.versioning.unwrap_or(false),
        max_size_gb: b.max_size_gb.map(|m| m as u64),
        created_at: now_rfc3339(),
        objects: Default::default(),
        access_key: format!("PSAK{}", rand_hex(8).to_uppercase()),
        secret_key: rand_hex(20),
    };
    let body = bucket_json(&app, &bucket);
    st.buckets.push(bucket);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /buckets/{id}` (id or name).
pub(crate) async fn get(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let st = app.lock();
    Ok(Json(bucket_json(&app, find(&st, &project, &id)?)))
}

/// `DELETE /buckets/{id}?force=true`.
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let project = project(&auth)?;
    let force = q.bool("force")?;
    let (blobs, uploads): (Vec<_>, Vec<_>) = {
        let mut st = app.lock();
        let b = find(&st, &project, &id)?;
        if !b.objects.is_empty() && !force {
            return Err(ApiError::conflict_state(
                format!(
                    "bucket {id} is not empty ({} objects); pass force=true to delete them too",
                    b.objects.len()
                ),
                "not_empty",
            ));
        }
        let bid = b.id.clone();
        let blobs = b.objects.values().map(|o| app.blob_path(&o.blob)).collect();
        st.buckets.retain(|b| b.id != bid);
        let uploads = st
            .uploads
            .values()
            .filter(|u| u.bucket_id == bid)
            .map(|u| u.id.clone())
            .collect();
        st.uploads.retain(|_, u| u.bucket_id != bid);
        (blobs, uploads)
    };
    for p in blobs {
        let _ = tokio::fs::remove_file(p).await;
    }
    for u in uploads {
        let _ = tokio::fs::remove_dir_all(app.upload_dir(&u)).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- objects

/// Object key rules, S3's (the docs' "S3 Compatible Access"): non-empty, at most 1024
/// bytes. Any other string is a key, `/x`, `a/../b` and `x//y` included, as in S3.
pub(crate) fn check_key(field: &str, key: &str) -> ApiResult<()> {
    let msg = if key.is_empty() {
        "must not be empty"
    } else if key.len() > 1024 {
        "must be at most 1024 bytes"
    } else {
        return Ok(());
    };
    Err(ApiError::field(field, msg))
}

/// Writes a blob file while hashing it (MD5, for its S3-style etag) and counting its size.
pub(crate) struct BlobWriter {
    path: std::path::PathBuf,
    file: tokio::fs::File,
    hasher: Md5,
    size: u64,
}

impl BlobWriter {
    pub async fn create(path: std::path::PathBuf) -> ApiResult<Self> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut file = tokio::fs::File::create(&path).await?;
        // tokio lets an open file buffer up to 2 MiB of writes; parallel parts would
        // multiply that. One network piece is enough.
        file.set_max_buf_size(64 * 1024);
        Ok(BlobWriter {
            path,
            file,
            hasher: Md5::new(),
            size: 0,
        })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// (lowercase hex MD5, size).
    pub async fn finish(mut self) -> ApiResult<(String, u64)> {
        self.file.flush().await?;
        Ok((hex::encode(self.hasher.finalize()), self.size))
    }

    pub async fn discard(self) {
        let path = self.path.clone();
        drop(self);
        let _ = tokio::fs::remove_file(path).await;
    }
}

/// Streams a raw body to `path`, returning (lowercase hex MD5, size).
async fn stream_to_file(body: Body, path: std::path::PathBuf) -> ApiResult<(String, u64)> {
    write_stream(body.into_data_stream(), path).await
}

/// Writes a stream of chunks to `path`, returning (lowercase hex MD5, size); on a
/// failed chunk the file is removed.
pub(crate) async fn write_stream<S, E>(
    stream: S,
    path: std::path::PathBuf,
) -> ApiResult<(String, u64)>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    let mut w = BlobWriter::create(path).await?;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let res = match chunk {
            Ok(c) => w.write(&c).await,
            Err(e) => Err(ApiError::bad_request(format!("upload interrupted: {e}"))),
        };
        if let Err(e) = res {
            w.discard().await;
            return Err(e);
        }
    }
    w.finish().await
}

/// The error code of a body whose MD5 is not the one its sender gave (S3's
/// `Content-MD5`): the S3 door answers it as 400 `BadDigest`.
pub(crate) const BAD_DIGEST: &str = "bad_digest";

/// `Ok` unless `expected` (lowercase hex MD5 the sender gave) differs from `actual`
/// (the MD5 of the bytes received): then 400 [`BAD_DIGEST`].
pub(crate) fn check_md5(expected: Option<&str>, actual: &str) -> ApiResult<()> {
    match expected {
        Some(expected) if expected != actual => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            BAD_DIGEST,
            "the Content-MD5 you specified did not match what we received",
        )),
        _ => Ok(()),
    }
}

/// Puts a finished object (whose bytes are in `obj.blob`) in a bucket, by
/// bucket id, deleting the blob it replaces (or its own blob on failure).
async fn insert(app: &App, bucket_id: &str, obj: Object) -> ApiResult<Object> {
    insert_if(app, bucket_id, obj, Replace::Always).await
}

/// When [`insert_if`] may put an object in place: S3's conditional writes
/// (`If-None-Match: *`, `If-Match: etag`), checked under the same lock as the write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Replace {
    Always,
    /// Only when no object has the key.
    IfAbsent,
    /// Only when the object there now has this etag (no quotes).
    IfEtag(String),
}

/// [`insert`], unless `replace` forbids it: then 412 `precondition_failed` and
/// the new blob is removed.
pub(crate) async fn insert_if(
    app: &App,
    bucket_id: &str,
    obj: Object,
    replace: Replace,
) -> ApiResult<Object> {
    let blob = obj.blob.clone();
    let old = {
        let mut st = app.lock();
        match st.buckets.iter_mut().find(|b| b.id == bucket_id) {
            Some(b) => {
                let current = b.objects.get(&obj.key).map(|o| o.etag.as_str());
                let allowed = match &replace {
                    Replace::Always => true,
                    Replace::IfAbsent => current.is_none(),
                    Replace::IfEtag(etag) => current == Some(etag.as_str()),
                };
                if allowed {
                    Ok(b.objects.insert(obj.key.clone(), obj.clone()))
                } else {
                    Err(ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        "precondition_failed",
                        format!("object {} does not meet the write's precondition", obj.key),
                    ))
                }
            }
            None => Err(ApiError::not_found("bucket", bucket_id)),
        }
    };
    match old {
        Ok(Some(old)) => {
            let _ = tokio::fs::remove_file(app.blob_path(&old.blob)).await;
            Ok(obj)
        }
        Ok(None) => Ok(obj),
        Err(e) => {
            let _ = tokio::fs::remove_file(app.blob_path(&blob)).await;
            Err(e)
        }
    }
}

/// Stores an object from a raw streamed body.
async fn store_raw(app: &App, bucket_id: &str, key: &str, body: Body) -> ApiResult<Object> {
    check_key("path", key)?;
    let blob = rand_hex(12);
    let (etag, size) = stream_to_file(body, app.blob_path(&blob)).await?;
    let obj = Object {
        key: key.to_string(),
        size_bytes: size,
        etag,
        modified: now_secs(),
        blob,
    };
    insert(app, bucket_id, obj).await
}

fn bucket_id(app: &App, project: &str, id: &str) -> ApiResult<String> {
    Ok(find(&app.lock(), project, id)?.id.clone())
}

/// `POST /buckets/{id}/objects`, `multipart/form-data` with fields `path` and `file`.
pub(crate) async fn upload(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = project(&auth)?;
    let bid = bucket_id(&app, &project, &id)?;
    let boundary = form::boundary(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )?;
    let mut form = FormReader::new(body, &boundary);
    let mut key: Option<String> = None;
    let mut file: Option<(String, String, u64)> = None; // blob, etag, size
    let res: ApiResult<()> = async {
        while let Some(part) = form.next_part().await? {
            match part.name.as_str() {
                "path" => {
                    let k = form.text(4096).await?;
                    check_key("path", &k)?;
                    key = Some(k);
                }
                "file" if file.is_none() => {
                    let blob = rand_hex(12);
                    let mut w = BlobWriter::create(app.blob_path(&blob)).await?;
                    // Record it first so a failure below removes the blob.
                    file = Some((blob, String::new(), 0));
                    loop {
                        match form.chunk().await {
                            Ok(Some(c)) => w.write(&c).await?,
                            Ok(None) => break,
                            Err(e) => {
                                w.discard().await;
                                return Err(e);
                            }
                        }
                    }
                    let (etag, size) = w.finish().await?;
                    if let Some(f) = file.as_mut() {
                        f.1 = etag;
                        f.2 = size;
                    }
                }
                _ => while form.chunk().await?.is_some() {},
            }
        }
        Ok(())
    }
    .await;
    let cleanup = |file: &Option<(String, String, u64)>| {
        file.as_ref()
            .map(|(blob, _, _)| app.blob_path(blob))
            .map(std::fs::remove_file)
    };
    if let Err(e) = res {
        let _ = cleanup(&file);
        return Err(e);
    }
    let (Some(key), Some((blob, etag, size))) = (key.clone(), file.clone()) else {
        let _ = cleanup(&file);
        let missing = if key.is_none() { "path" } else { "file" };
        return Err(ApiError::field(missing, "form field is required"));
    };
    let obj = Object {
        key,
        size_bytes: size,
        etag,
        modified: now_secs(),
        blob,
    };
    let obj = insert(&app, &bid, obj).await?;
    Ok((StatusCode::CREATED, Json(obj.to_json())))
}

/// A parsed `Range: bytes=…` against a size: `Ok(None)` means the whole body.
fn parse_range(headers: &HeaderMap, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(raw) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return Ok(None); // unknown unit: ignore, as HTTP allows
    };
    if spec.contains(',') {
        return Ok(None); // several ranges: answer the whole object
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 || size == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end: u64 = if b.is_empty() {
            u64::MAX
        } else {
            b.parse().map_err(|_| ())?
        };
        if start > end || start >= size {
            return Err(());
        }
        (start, end.min(size - 1))
    };
    Ok(Some(range))
}

/// Streams an object from disk, honouring `Range`.
async fn serve_object(app: &App, obj: &Object, headers: &HeaderMap) -> ApiResult<Response> {
    let range = match parse_range(headers, obj.size_bytes) {
        Ok(r) => r,
        Err(()) => {
            let mut resp = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!(
                    "range not satisfiable for an object of {} bytes",
                    obj.size_bytes
                ),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", obj.size_bytes)) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(resp);
        }
    };
    let mut file = tokio::fs::File::open(app.blob_path(&obj.blob)).await?;
    let (status, start, len) = match range {
        Some((a, b)) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        None => (StatusCode::OK, 0, obj.size_bytes),
    };
    if start > 0 {
        file.seek(SeekFrom::Start(start)).await?;
    }
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), 64 * 1024);
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, "application/octet-stream".into());
    set(header::CONTENT_LENGTH, len.to_string());
    set(header::ETAG, format!("\"{}\"", obj.etag));
    set(header::LAST_MODIFIED, fmt_http_date(obj.modified));
    set(header::ACCEPT_RANGES, "bytes".into());
    if let Some((a, b)) = range {
        set(
            header::CONTENT_RANGE,
            format!("bytes {a}-{b}/{}", obj.size_bytes),
        );
    }
    Ok(resp)
}

pub(crate) fn lookup(app: &App, bucket_id: &str, key: &str) -> ApiResult<Object> {
    let st = app.lock();
    let b = st
        .buckets
        .iter()
        .find(|b| b.id == bucket_id)
        .ok_or_else(|| ApiError::not_found("bucket", bucket_id))?;
    b.objects
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found("object", key))
}

fn path_param(q: &Q) -> ApiResult<String> {
    let key = q
        .get("path")
        .ok_or_else(|| ApiError::field("path", "query parameter is required"))?;
    check_key("path", key)?;
    Ok(key.to_string())
}

/// `GET /buckets/{id}/objects/download?path=KEY`.
pub(crate) async fn download(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let project = project(&auth)?;
    let key = path_param(&q)?;
    let bid = bucket_id(&app, &project, &id)?;
    let obj = lookup(&app, &bid, &key)?;
    serve_object(&app, &obj, &headers).await
}

/// `DELETE /buckets/{id}/objects?path=KEY`.
pub(crate) async fn delete_object(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let project = project(&auth)?;
    let key = path_param(&q)?;
    let removed = {
        let mut st = app.lock();
        let b = st
            .bucket_mut(&project, &id)
            .ok_or_else(|| ApiError::not_found("bucket", &id))?;
        b.objects
            .remove(&key)
            .ok_or_else(|| ApiError::not_found("object", &key))?
    };
    let _ = tokio::fs::remove_file(app.blob_path(&removed.blob)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /buckets/{id}/objects?prefix&max_keys&continuation_token`.
///
/// The continuation token is the lowercase hex of the last key returned.
pub(crate) async fn list_objects(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    // As S3's ListObjectsV2: at most 1000 keys a page, whatever more is asked for.
    let max = q.u64("max_keys")?.unwrap_or(1000).min(1000);
    if max == 0 {
        return Err(ApiError::field("max_keys", "must be at least 1"));
    }
    let prefix = q.get("prefix").unwrap_or("").to_string();
    let after = match q.nonempty("continuation_token") {
        None => None,
        Some(t) => Some(
            hex::decode(t)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .ok_or_else(|| {
                    ApiError::field("continuation_token", "is not a token this server issued")
                })?,
        ),
    };
    let st = app.lock();
    let b = find(&st, &project, &id)?;
    let mut matching = b
        .objects
        .range::<String, _>((
            match &after {
                Some(a) if *a >= prefix => std::ops::Bound::Excluded(a.clone()),
                _ => std::ops::Bound::Included(prefix.clone()),
            },
            std::ops::Bound::Unbounded,
        ))
        .map(|(_, o)| o)
        .take_while(|o| o.key.starts_with(&prefix));
    let page: Vec<&Object> = matching.by_ref().take(max as usize).collect();
    let truncated = matching.next().is_some();
    let next = if truncated {
        page.last().map(|o| hex::encode(o.key.as_bytes()))
    } else {
        None
    };
    Ok(Json(json!({
        "objects": page.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
        "is_truncated": truncated,
        "next_continuation_token": next,
    })))
}

#[derive(Deserialize)]
pub(crate) struct DeleteMany {
    paths: Option<Vec<String>>,
}

/// `POST /buckets/{id}/objects/delete {"paths"}`.
pub(crate) async fn delete_objects(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DeleteMany>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let paths = b
        .paths
        .ok_or_else(|| ApiError::field("paths", "is required"))?;
    if paths.len() > 1000 {
        return Err(ApiError::field("paths", "at most 1000 paths per call"));
    }
    let (mut deleted, mut errors, mut blobs) = (Vec::new(), Vec::new(), Vec::new());
    {
        let mut st = app.lock();
        let bucket = st
            .bucket_mut(&project, &id)
            .ok_or_else(|| ApiError::not_found("bucket", &id))?;
        for k in paths {
            match bucket.objects.remove(&k) {
                Some(o) => {
                    blobs.push(o.blob);
                    deleted.push(k);
                }
                None => errors.push(json!({"path": k, "message": "object not found"})),
            }
        }
    }
    for blob in blobs {
        let _ = tokio::fs::remove_file(app.blob_path(&blob)).await;
    }
    Ok(Json(json!({"deleted": deleted, "errors": errors})))
}

#[derive(Deserialize)]
pub(crate) struct CopyBody {
    source_bucket: Option<String>,
    source_path: Option<String>,
    dest_path: Option<String>,
}

/// `POST /buckets/{dest}/objects/copy {"source_bucket", "source_path", "dest_path"}`.
pub(crate) async fn copy_object(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(dest): Path<String>,
    JsonBody(b): JsonBody<CopyBody>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    // Keys are taken as given (no trimming): ` a` and `a` are different keys.
    let src_key = b
        .source_path
        .ok_or_else(|| ApiError::field("source_path", "is required"))?;
    check_key("source_path", &src_key)?;
    let src_bucket = b
        .source_bucket
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| dest.clone());
    let dest_key = b.dest_path.unwrap_or_else(|| src_key.clone());
    check_key("dest_path", &dest_key)?;
    let dest_id = bucket_id(&app, &project, &dest)?;
    let src_id = bucket_id(&app, &project, &src_bucket)?;
    let src = lookup(&app, &src_id, &src_key)?;
    let blob = rand_hex(12);
    if let Some(parent) = app.blob_path(&blob).parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    tokio::fs::copy(app.blob_path(&src.blob), app.blob_path(&blob)).await?;
    let obj = Object {
        key: dest_key,
        size_bytes: src.size_bytes,
        etag: src.etag,
        modified: now_secs(),
        blob,
    };
    Ok(Json(insert(&app, &dest_id, obj).await?.to_json()))
}

// ---------------------------------------------------------------- multipart

#[derive(Deserialize)]
pub(crate) struct InitBody {
    path: Option<String>,
}

/// `POST /buckets/{id}/multipart {"path"}` → 201 `{"upload_id"}`.
pub(crate) async fn multipart_init(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<InitBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = project(&auth)?;
    let key = b.path.unwrap_or_default();
    check_key("path", &key)?;
    let mut st = app.lock();
    let bucket_id = find(&st, &project, &id)?.id.clone();
    let upload = Upload {
        id: new_id("upl"),
        bucket_id,
        key: key.clone(),
        parts: Default::default(),
    };
    let uid = upload.id.clone();
    st.uploads.insert(uid.clone(), upload);
    Ok((
        StatusCode::CREATED,
        Json(json!({"upload_id": uid, "path": key})),
    ))
}

fn upload_of(app: &App, project: &str, bucket: &str, upload_id: &str) -> ApiResult<Upload> {
    let st = app.lock();
    let b = find(&st, project, bucket)?;
    st.uploads
        .get(upload_id)
        .filter(|u| u.bucket_id == b.id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("upload", upload_id))
}

/// `PUT /buckets/{id}/multipart/{upload_id}/parts/{n}` raw body → `{"etag"}`.
pub(crate) async fn multipart_part(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path((id, upload_id, n)): Path<(String, String, String)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let n: u32 = n
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| ApiError::field("part_number", "must be between 1 and 10000"))?;
    upload_of(&app, &project, &id, &upload_id)?;
    let (etag, size) = store_part(&app, &upload_id, n, body.into_data_stream(), None).await?;
    Ok(Json(
        json!({"etag": etag, "part_number": n, "size_bytes": size}),
    ))
}

/// Stores part `n` of an upload from a stream of chunks: (etag, size). Each attempt
/// writes its own file, renamed over the part when complete, so a failed re-put never
/// damages an earlier good copy; 404 when the upload is gone meanwhile.
pub(crate) async fn store_part<S, E>(
    app: &App,
    upload_id: &str,
    n: u32,
    stream: S,
    expected_md5: Option<&str>,
) -> ApiResult<(String, u64)>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>>,
    E: std::fmt::Display,
{
    let dir = app.upload_dir(upload_id);
    let tmp = dir.join(format!("{n}.{}", rand_hex(4)));
    let (etag, size) = write_stream(stream, tmp.clone()).await?;
    if let Err(e) = check_md5(expected_md5, &etag) {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e);
    }
    let stored = {
        let mut st = app.lock();
        match st.uploads.get_mut(upload_id) {
            Some(u) => {
                u.parts.insert(n, (etag.clone(), size));
                true
            }
            None => false,
        }
    };
    if !stored {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(ApiError::not_found("upload", upload_id));
    }
    tokio::fs::rename(&tmp, dir.join(n.to_string())).await?;
    Ok((etag, size))
}

#[derive(Deserialize)]
pub(crate) struct PartRef {
    part_number: u32,
    etag: String,
}

#[derive(Deserialize)]
pub(crate) struct CompleteBody {
    parts: Option<Vec<PartRef>>,
}

/// `POST /buckets/{id}/multipart/{upload_id}/complete` → Object; the parts are
/// streamed into the object file and the upload is removed.
pub(crate) async fn multipart_complete(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path((id, upload_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<CompleteBody>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let upload = upload_of(&app, &project, &id, &upload_id)?;
    let parts: Vec<(u32, String)> = b
        .parts
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.part_number, p.etag))
        .collect();
    if let Err(problem) = check_parts(&upload, &parts) {
        let msg = match problem {
            PartProblem::Empty => "must list at least one part".to_string(),
            PartProblem::Order => "part numbers must be strictly ascending".to_string(),
            PartProblem::Mismatch(n) => format!("etag of part {n} does not match"),
            PartProblem::Missing(n) => format!("part {n} was not uploaded"),
        };
        return Err(ApiError::field("parts", &msg));
    }
    let obj = finish_upload(&app, &upload, &parts, Replace::Always).await?;
    Ok(Json(obj.to_json()))
}

/// What is wrong with the part list of a completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartProblem {
    Empty,
    /// Part numbers not strictly ascending.
    Order,
    /// A listed part was never uploaded.
    Missing(u32),
    /// A listed etag is not the uploaded part's.
    Mismatch(u32),
}

/// Checks a completion's `(part number, etag)` list against the uploaded parts (etags
/// compared without quotes, in any case).
pub(crate) fn check_parts(upload: &Upload, parts: &[(u32, String)]) -> Result<(), PartProblem> {
    if parts.is_empty() {
        return Err(PartProblem::Empty);
    }
    let mut prev = 0;
    for (n, etag) in parts {
        if *n <= prev {
            return Err(PartProblem::Order);
        }
        prev = *n;
        let want = etag.trim_matches('"').to_ascii_lowercase();
        match upload.parts.get(n) {
            Some((have, _)) if *have == want => {}
            Some(_) => return Err(PartProblem::Mismatch(*n)),
            None => return Err(PartProblem::Missing(*n)),
        }
    }
    Ok(())
}

/// Completes an upload whose part list [`check_parts`] accepted: the parts are joined
/// into the object's file (by the kernel, never read here), the object is put in place
/// as `replace` allows, and the upload is removed.
pub(crate) async fn finish_upload(
    app: &App,
    upload: &Upload,
    parts: &[(u32, String)],
    replace: Replace,
) -> ApiResult<Object> {
    let blob = rand_hex(12);
    let target = app.blob_path(&blob);
    let part_files: Vec<_> = parts
        .iter()
        .map(|(n, _)| app.upload_dir(&upload.id).join(n.to_string()))
        .collect();
    let part_etags: Vec<String> = parts
        .iter()
        .filter_map(|(n, _)| upload.parts.get(n).map(|(etag, _)| etag.clone()))
        .collect();
    let etag = multipart_etag(&part_etags);
    // One blocking job: tokio's file I/O would hop to a blocking thread per piece.
    let size = tokio::task::spawn_blocking(move || assemble(&part_files, &target))
        .await
        .map_err(|e| ApiError::internal(format!("assembly failed: {e}")))??;
    let obj = Object {
        key: upload.key.clone(),
        size_bytes: size,
        etag,
        modified: now_secs(),
        blob,
    };
    let obj = insert_if(app, &upload.bucket_id, obj, replace).await?;
    app.lock().uploads.remove(&upload.id);
    let _ = tokio::fs::remove_dir_all(app.upload_dir(&upload.id)).await;
    Ok(obj)
}

/// Concatenates the part files into `target`: its size. On failure the target is removed.
pub(crate) fn assemble(parts: &[std::path::PathBuf], target: &std::path::Path) -> ApiResult<u64> {
    let run = || -> std::io::Result<u64> {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(target)?;
        let mut size = 0u64;
        for part in parts {
            // `io::copy` between files lets the kernel move the bytes (copy_file_range).
            size += std::io::copy(&mut std::fs::File::open(part)?, &mut out)?;
        }
        Ok(size)
    };
    run().map_err(|e| {
        let _ = std::fs::remove_file(target);
        ApiError::from(e)
    })
}

/// A multipart object's etag, as S3 makes it: the MD5 of its parts' MD5 digests,
/// then `-` and the number of parts. Computed from the parts' etags, so completing
/// never re-reads the object; a client can tell it from a content hash.
pub(crate) fn multipart_etag(part_etags: &[String]) -> String {
    let mut hasher = Md5::new();
    for etag in part_etags {
        hasher.update(hex::decode(etag).unwrap_or_else(|_| etag.as_bytes().to_vec()));
    }
    format!("{}-{}", hex::encode(hasher.finalize()), part_etags.len())
}

/// `DELETE /buckets/{id}/multipart/{upload_id}`: abort, part files removed.
pub(crate) async fn multipart_abort(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path((id, upload_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = project(&auth)?;
    upload_of(&app, &project, &id, &upload_id)?;
    app.lock().uploads.remove(&upload_id);
    let _ = tokio::fs::remove_dir_all(app.upload_dir(&upload_id)).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- presign, credentials

#[derive(Deserialize)]
pub(crate) struct PresignBody {
    path: Option<String>,
    method: Option<String>,
    expires_in: Option<i64>,
}

/// `hex(sha256(secret "\n" METHOD "\n" opaque "\n" expires))`.
fn signature(app: &App, method: &str, opaque: &str, expires: i64) -> String {
    let mut h = Sha256::new();
    h.update(app.presign_secret.as_bytes());
    h.update(format!("\n{method}\n{opaque}\n{expires}").as_bytes());
    hex::encode(h.finalize())
}

/// `POST /buckets/{id}/presign {"path", "method", "expires_in"}` →
/// `{"url": "{endpoint}/presigned/{opaque}?expires={unix secs}&signature={hex}", "method", "expires_at"}`,
/// where opaque is the hex of `bucket_id "/" key`.
pub(crate) async fn presign(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PresignBody>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let mut check = Check::default();
    let key = b.path.unwrap_or_default();
    if let Err(e) = check_key("path", &key) {
        for (f, msgs) in e.field_errors {
            for m in msgs {
                check.add(&f, &m);
            }
        }
    }
    let method = b
        .method
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if method != "GET" && method != "PUT" {
        check.add("method", "must be GET or PUT");
    }
    let expires_in = b.expires_in.unwrap_or(3600);
    if !(1..=604_800).contains(&expires_in) {
        check.add("expires_in", "must be between 1 and 604800 seconds");
    }
    check.finish()?;
    let bid = bucket_id(&app, &project, &id)?;
    // Whole seconds, rounded down: the URL lives at most `expires_in` seconds.
    let expires = (now_millis() + expires_in * 1000) / 1000;
    let opaque = hex::encode(format!("{bid}/{key}"));
    let sig = signature(&app, &method, &opaque, expires);
    Ok(Json(json!({
        "url": format!("{}/presigned/{opaque}?expires={expires}&signature={sig}", app.endpoint),
        "method": method,
        "expires_at": fmt_rfc3339(expires),
    })))
}

/// `GET /buckets/{id}/credentials`.
pub(crate) async fn credentials(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = project(&auth)?;
    let st = app.lock();
    let b = find(&st, &project, &id)?;
    Ok(Json(json!({
        "access_key": b.access_key,
        "secret_key": b.secret_key,
        "endpoint": s3_endpoint(&app),
        "region": b.region,
    })))
}

fn presign_denied(msg: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "permission_denied", msg)
}

/// Checks a presigned URL for a method; (bucket id, key) when it is valid.
fn grant(app: &App, method: &Method, opaque: &str, q: &Q) -> ApiResult<(String, String)> {
    let expires: i64 = q
        .get("expires")
        .and_then(|e| e.parse().ok())
        .ok_or_else(|| presign_denied("presigned URL signature does not match"))?;
    let given = q.get("signature").unwrap_or("");
    if given != signature(app, method.as_str(), opaque, expires) {
        return Err(presign_denied("presigned URL signature does not match"));
    }
    if now_millis() >= expires * 1000 {
        return Err(presign_denied("presigned URL expired"));
    }
    let raw = hex::decode(opaque)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| presign_denied("presigned URL signature does not match"))?;
    let (bid, key) = raw
        .split_once('/')
        .ok_or_else(|| presign_denied("presigned URL signature does not match"))?;
    Ok((bid.to_string(), key.to_string()))
}

/// `GET /presigned/{opaque}?expires&signature` (no auth; `Range` supported).
pub(crate) async fn presigned_get(
    State(app): State<App>,
    Path(opaque): Path<String>,
    q: Q,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (bid, key) = grant(&app, &Method::GET, &opaque, &q)?;
    let obj = lookup(&app, &bid, &key)?;
    serve_object(&app, &obj, &headers).await
}

/// `PUT /presigned/{opaque}?expires&signature` raw body → 200 Object (no auth).
pub(crate) async fn presigned_put(
    State(app): State<App>,
    Path(opaque): Path<String>,
    q: Q,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (bid, key) = grant(&app, &Method::PUT, &opaque, &q)?;
    Ok(Json(store_raw(&app, &bid, &key, body).await?.to_json()))
}
