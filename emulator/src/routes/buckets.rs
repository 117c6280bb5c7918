//! Buckets and objects: CRUD, streaming object bodies with SHA-256 etags,
//! listing with continuation tokens, copy, batch delete, multipart uploads,
//! presigned URLs (served under `/_presigned/{token}`) and S3 credentials.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get as get_route;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{paginate, required, Check, JsonBody, Q};
use crate::errors::{ApiError, ApiResult};
use crate::state::{new_id, rand_hex, App, Bucket, Object, Presign, Upload};
use crate::time::{fmt_rfc3339, now_rfc3339, now_secs};

const REGION: &str = "local-1";

fn bucket_json(app: &App, b: &Bucket) -> Value {
    let bytes: u64 = b.objects.values().map(|o| o.size_bytes).sum();
    json!({
        "id": b.id,
        "name": b.name,
        "visibility": b.visibility,
        "size_gb": (bytes as f64 / 1e9 * 1e6).round() / 1e6,
        "size_bytes": bytes,
        "object_count": b.objects.len(),
        "endpoint": format!("{}/s3", app.endpoint),
        "region": REGION,
        "created_at": b.created_at,
    })
}

fn find<'a>(st: &'a crate::state::State, id: &str) -> ApiResult<&'a Bucket> {
    st.bucket(id)
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

/// `GET /v1/buckets`.
pub(crate) async fn list(State(app): State<App>, q: Q) -> ApiResult<Json<Value>> {
    let page = q.page()?;
    let st = app.lock();
    let all: Vec<Value> = st.buckets.iter().map(|b| bucket_json(&app, b)).collect();
    let total = all.len();
    Ok(Json(
        json!({"buckets": paginate(all, page), "total": total}),
    ))
}

#[derive(Deserialize)]
pub(crate) struct CreateBucket {
    name: Option<String>,
    visibility: Option<String>,
}

/// `POST /v1/buckets`.
pub(crate) async fn create(
    State(app): State<App>,
    JsonBody(b): JsonBody<CreateBucket>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut check = Check::default();
    let name = required(&mut check, "name", &b.name);
    if !name.is_empty() && !valid_name(&name) {
        check.add(
            "name",
            "must be 3-63 characters of lowercase letters, digits, '-' or '.', starting and ending with a letter or digit",
        );
    }
    let visibility = b.visibility.unwrap_or_else(|| "private".into());
    if visibility != "private" && visibility != "public" {
        check.add("visibility", "must be private or public");
    }
    check.finish()?;
    let mut st = app.lock();
    if st.buckets.iter().any(|x| x.name == name) {
        return Err(ApiError::conflict(format!("bucket name {name} is taken")));
    }
    let bucket = Bucket {
        id: new_id("bkt"),
        name,
        visibility,
        created_at: now_rfc3339(),
        objects: Default::default(),
        access_key: format!("PSAK{}", rand_hex(8).to_uppercase()),
        secret_key: rand_hex(20),
    };
    let body = bucket_json(&app, &bucket);
    st.buckets.push(bucket);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /v1/buckets/{id}` (id or name).
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let st = app.lock();
    Ok(Json(bucket_json(&app, find(&st, &id)?)))
}

/// `DELETE /v1/buckets/{id}?force=true`.
pub(crate) async fn delete(
    State(app): State<App>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<StatusCode> {
    let force = q.bool("force")?;
    let blobs: Vec<_> = {
        let mut st = app.lock();
        let b = find(&st, &id)?;
        if !b.objects.is_empty() && !force {
            return Err(ApiError::conflict_state(
                format!(
                    "bucket {id} holds {} object(s); pass force=true",
                    b.objects.len()
                ),
                "not_empty",
            ));
        }
        let bid = b.id.clone();
        let blobs = b.objects.values().map(|o| app.blob_path(&o.blob)).collect();
        st.buckets.retain(|b| b.id != bid);
        st.uploads.retain(|_, u| u.bucket_id != bid);
        blobs
    };
    for p in blobs {
        let _ = tokio::fs::remove_file(p).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- objects

fn check_key(key: &str) -> ApiResult<()> {
    if key.is_empty() || key.len() > 1024 {
        return Err(ApiError::field("key", "must be 1 to 1024 bytes"));
    }
    Ok(())
}

/// Streams a body to `path`, returning (lowercase hex sha256, size).
async fn stream_to_file(body: Body, path: &std::path::Path) -> ApiResult<(String, u64)> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                hasher.update(&c);
                size += c.len() as u64;
                file.write_all(&c).await?;
            }
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(path).await;
                return Err(ApiError::bad_request(format!("upload interrupted: {e}")));
            }
        }
    }
    file.flush().await?;
    Ok((hex::encode(hasher.finalize()), size))
}

/// Stores an object from a streamed body, replacing any previous one.
async fn store(app: &App, bucket: &str, key: &str, body: Body) -> ApiResult<Object> {
    check_key(key)?;
    find(&app.lock(), bucket)?;
    let blob = rand_hex(12);
    let path = app.blob_path(&blob);
    let (etag, size) = stream_to_file(body, &path).await?;
    let obj = Object {
        key: key.to_string(),
        size_bytes: size,
        etag,
        last_modified: now_rfc3339(),
        blob,
    };
    insert(app, bucket, obj.clone(), &path).await?;
    Ok(obj)
}

/// Puts a finished object in a bucket, deleting the blob it replaces.
async fn insert(app: &App, bucket: &str, obj: Object, path: &std::path::Path) -> ApiResult<()> {
    let old = {
        let mut st = app.lock();
        match st.bucket_mut(bucket) {
            Some(b) => Ok(b.objects.insert(obj.key.clone(), obj)),
            None => Err(ApiError::not_found("bucket", bucket)),
        }
    };
    match old {
        Ok(Some(old)) => {
            let _ = tokio::fs::remove_file(app.blob_path(&old.blob)).await;
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => {
            let _ = tokio::fs::remove_file(path).await;
            Err(e)
        }
    }
}

async fn serve_object(app: &App, obj: &Object) -> ApiResult<Response> {
    let file = tokio::fs::File::open(app.blob_path(&obj.blob)).await?;
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, obj.size_bytes.to_string()),
            (header::ETAG, format!("\"{}\"", obj.etag)),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn lookup(app: &App, bucket: &str, key: &str) -> ApiResult<Object> {
    let st = app.lock();
    let b = find(&st, bucket)?;
    b.objects
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found("object", key))
}

/// `PUT /v1/buckets/{id}/objects/{key}`.
pub(crate) async fn put_object(
    State(app): State<App>,
    Path((id, key)): Path<(String, String)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    Ok(Json(store(&app, &id, &key, body).await?.to_json()))
}

/// `GET /v1/buckets/{id}/objects/{key}`.
pub(crate) async fn get_object(
    State(app): State<App>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let obj = lookup(&app, &id, &key)?;
    serve_object(&app, &obj).await
}

/// `DELETE /v1/buckets/{id}/objects/{key}`.
pub(crate) async fn delete_object(
    State(app): State<App>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let removed = {
        let mut st = app.lock();
        let b = st
            .bucket_mut(&id)
            .ok_or_else(|| ApiError::not_found("bucket", &id))?;
        b.objects
            .remove(&key)
            .ok_or_else(|| ApiError::not_found("object", &key))?
    };
    let _ = tokio::fs::remove_file(app.blob_path(&removed.blob)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/buckets/{id}/objects?prefix&max_keys&continuation_token`.
pub(crate) async fn list_objects(
    State(app): State<App>,
    Path(id): Path<String>,
    q: Q,
) -> ApiResult<Json<Value>> {
    let max = q.u64("max_keys")?.unwrap_or(1000);
    if max == 0 || max > 1000 {
        return Err(ApiError::field("max_keys", "must be between 1 and 1000"));
    }
    let prefix = q.get("prefix").unwrap_or("").to_string();
    let after = match q.nonempty("continuation_token") {
        None => None,
        Some(t) => Some(
            hex::decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    ApiError::field("continuation_token", "is not a token this server issued")
                })?,
        ),
    };
    let st = app.lock();
    let b = find(&st, &id)?;
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
        "key_count": page.len(),
        "prefix": prefix,
    })))
}

#[derive(Deserialize)]
pub(crate) struct DeleteMany {
    keys: Option<Vec<String>>,
}

/// `POST /v1/buckets/{id}/objects/delete {"keys"}`.
pub(crate) async fn delete_objects(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DeleteMany>,
) -> ApiResult<Json<Value>> {
    let keys = b
        .keys
        .ok_or_else(|| ApiError::field("keys", "is required"))?;
    if keys.len() > 1000 {
        return Err(ApiError::field("keys", "at most 1000 keys per call"));
    }
    let (mut deleted, mut errors, mut blobs) = (Vec::new(), Vec::new(), Vec::new());
    {
        let mut st = app.lock();
        let bucket = st
            .bucket_mut(&id)
            .ok_or_else(|| ApiError::not_found("bucket", &id))?;
        for k in keys {
            match bucket.objects.remove(&k) {
                Some(o) => {
                    blobs.push(o.blob);
                    deleted.push(k);
                }
                None => errors.push(json!({"key": k, "message": "object not found"})),
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
    source_key: Option<String>,
    dest_key: Option<String>,
}

/// `POST /v1/buckets/{dest}/objects/copy`.
pub(crate) async fn copy_object(
    State(app): State<App>,
    Path(dest): Path<String>,
    JsonBody(b): JsonBody<CopyBody>,
) -> ApiResult<Json<Value>> {
    let mut check = Check::default();
    let src_key = required(&mut check, "source_key", &b.source_key);
    check.finish()?;
    let src_bucket = b
        .source_bucket
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| dest.clone());
    let dest_key = b
        .dest_key
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| src_key.clone());
    check_key(&dest_key)?;
    find(&app.lock(), &dest)?;
    let src = lookup(&app, &src_bucket, &src_key)?;
    let blob = rand_hex(12);
    let path = app.blob_path(&blob);
    tokio::fs::copy(app.blob_path(&src.blob), &path).await?;
    let obj = Object {
        key: dest_key,
        size_bytes: src.size_bytes,
        etag: src.etag,
        last_modified: now_rfc3339(),
        blob,
    };
    insert(&app, &dest, obj.clone(), &path).await?;
    Ok(Json(obj.to_json()))
}

// ---------------------------------------------------------------- multipart

#[derive(Deserialize)]
pub(crate) struct InitBody {
    key: Option<String>,
}

/// `POST /v1/buckets/{id}/multipart {"key"}` → 201 `{"upload_id", "key", "bucket_id"}`.
pub(crate) async fn multipart_init(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<InitBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut check = Check::default();
    let key = required(&mut check, "key", &b.key);
    check.finish()?;
    check_key(&key)?;
    let mut st = app.lock();
    let bucket_id = find(&st, &id)?.id.clone();
    let upload = Upload {
        id: new_id("upl"),
        bucket_id: bucket_id.clone(),
        key: key.clone(),
        parts: Default::default(),
    };
    let uid = upload.id.clone();
    st.uploads.insert(uid.clone(), upload);
    Ok((
        StatusCode::CREATED,
        Json(json!({"upload_id": uid, "key": key, "bucket_id": bucket_id})),
    ))
}

fn upload_of(app: &App, bucket: &str, upload_id: &str) -> ApiResult<Upload> {
    let st = app.lock();
    let b = find(&st, bucket)?;
    st.uploads
        .get(upload_id)
        .filter(|u| u.bucket_id == b.id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("upload", upload_id))
}

/// `PUT /v1/buckets/{id}/multipart/{upload_id}/parts/{n}` → `{"etag"}`.
pub(crate) async fn multipart_part(
    State(app): State<App>,
    Path((id, upload_id, n)): Path<(String, String, String)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let n: u32 = n
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| ApiError::field("part_number", "must be between 1 and 10000"))?;
    upload_of(&app, &id, &upload_id)?;
    let path = app.upload_dir(&upload_id).join(n.to_string());
    let (etag, size) = stream_to_file(body, &path).await?;
    let mut st = app.lock();
    match st.uploads.get_mut(&upload_id) {
        Some(u) => {
            u.parts.insert(n, (etag.clone(), size));
        }
        None => return Err(ApiError::not_found("upload", &upload_id)),
    }
    Ok(Json(
        json!({"etag": etag, "part_number": n, "size_bytes": size}),
    ))
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

/// `POST /v1/buckets/{id}/multipart/{upload_id}/complete` → Object.
///
/// The etag of the result is `hex(sha256(etag_1 ‖ … ‖ etag_N))-N`, hashing the
/// parts' lowercase hex etag strings as ASCII.
pub(crate) async fn multipart_complete(
    State(app): State<App>,
    Path((id, upload_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<CompleteBody>,
) -> ApiResult<Json<Value>> {
    let upload = upload_of(&app, &id, &upload_id)?;
    let parts = b.parts.unwrap_or_default();
    if parts.is_empty() {
        return Err(ApiError::field("parts", "must list at least one part"));
    }
    let mut prev = 0;
    let mut hasher = Sha256::new();
    for p in &parts {
        if p.part_number <= prev {
            return Err(ApiError::field(
                "parts",
                "part numbers must be strictly ascending",
            ));
        }
        prev = p.part_number;
        let want = p.etag.trim_matches('"').to_ascii_lowercase();
        match upload.parts.get(&p.part_number) {
            Some((etag, _)) if *etag == want => hasher.update(etag.as_bytes()),
            Some(_) => {
                return Err(ApiError::field(
                    "parts",
                    &format!("etag of part {} does not match", p.part_number),
                ))
            }
            None => {
                return Err(ApiError::field(
                    "parts",
                    &format!("part {} was not uploaded", p.part_number),
                ))
            }
        }
    }
    let blob = rand_hex(12);
    let path = app.blob_path(&blob);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut out = tokio::fs::File::create(&path).await?;
    let mut size = 0;
    for p in &parts {
        let mut f =
            tokio::fs::File::open(app.upload_dir(&upload_id).join(p.part_number.to_string()))
                .await?;
        size += tokio::io::copy(&mut f, &mut out).await?;
    }
    out.flush().await?;
    drop(out);
    let obj = Object {
        key: upload.key.clone(),
        size_bytes: size,
        etag: format!("{}-{}", hex::encode(hasher.finalize()), parts.len()),
        last_modified: now_rfc3339(),
        blob,
    };
    insert(&app, &id, obj.clone(), &path).await?;
    app.lock().uploads.remove(&upload_id);
    let _ = tokio::fs::remove_dir_all(app.upload_dir(&upload_id)).await;
    Ok(Json(obj.to_json()))
}

/// `DELETE /v1/buckets/{id}/multipart/{upload_id}`.
pub(crate) async fn multipart_abort(
    State(app): State<App>,
    Path((id, upload_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    upload_of(&app, &id, &upload_id)?;
    app.lock().uploads.remove(&upload_id);
    let _ = tokio::fs::remove_dir_all(app.upload_dir(&upload_id)).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- presign, credentials

#[derive(Deserialize)]
pub(crate) struct PresignBody {
    key: Option<String>,
    method: Option<String>,
    expires_in: Option<u64>,
}

/// `POST /v1/buckets/{id}/presign`.
pub(crate) async fn presign(
    State(app): State<App>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PresignBody>,
) -> ApiResult<Json<Value>> {
    let mut check = Check::default();
    let key = required(&mut check, "key", &b.key);
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
    let mut st = app.lock();
    let bucket_id = find(&st, &id)?.id.clone();
    let token = rand_hex(16);
    st.presigns.insert(
        token.clone(),
        Presign {
            bucket_id,
            key,
            method: method.clone(),
            expires: Instant::now() + Duration::from_secs(expires_in),
        },
    );
    Ok(Json(json!({
        "url": format!("{}/_presigned/{token}", app.endpoint),
        "method": method,
        "expires_at": fmt_rfc3339(now_secs() + expires_in as i64),
    })))
}

/// `GET /v1/buckets/{id}/credentials`.
pub(crate) async fn credentials(
    State(app): State<App>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let st = app.lock();
    let b = find(&st, &id)?;
    Ok(Json(json!({
        "access_key": b.access_key,
        "secret_key": b.secret_key,
        "endpoint": format!("{}/s3", app.endpoint),
        "region": REGION,
        "bucket": b.name,
    })))
}

/// The routes presigned URLs point at (no `Authorization` needed).
pub(crate) fn presigned_router() -> Router<App> {
    Router::new().route(
        "/_presigned/{token}",
        get_route(presigned_get).put(presigned_put),
    )
}

fn grant(app: &App, token: &str, method: &str) -> ApiResult<Presign> {
    let st = app.lock();
    let g = st.presigns.get(token).cloned();
    match g {
        Some(g) if g.method == method && Instant::now() < g.expires => Ok(g),
        Some(g) if g.method != method => {
            Err(ApiError::denied()
                .detail("reason", format!("this URL was signed for {}", g.method)))
        }
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "permission_denied",
            "Presigned URL has expired",
        )
        .detail("reason", "expired")),
        None => Err(ApiError::denied().detail("reason", "unknown signature")),
    }
}

async fn presigned_get(State(app): State<App>, Path(token): Path<String>) -> ApiResult<Response> {
    let g = grant(&app, &token, "GET")?;
    let obj = lookup(&app, &g.bucket_id, &g.key)?;
    serve_object(&app, &obj).await
}

async fn presigned_put(
    State(app): State<App>,
    Path(token): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let g = grant(&app, &token, "PUT")?;
    Ok(Json(
        store(&app, &g.bucket_id, &g.key, body).await?.to_json(),
    ))
}
