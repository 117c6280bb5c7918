//! The S3 operations the door serves, on the emulator's model and blob files (the
//! object helpers are the platform routes' own, `routes::buckets`): HeadBucket,
//! ListBuckets, GetBucketLocation, HeadObject, GetObject (`Range`, conditional
//! headers), PutObject (`If-None-Match: *`, `If-Match`), DeleteObject, DeleteObjects,
//! CopyObject, ListObjectsV2 and ListObjects, and multipart uploads (Create, UploadPart,
//! UploadPartCopy, Complete with `If-None-Match`/`If-Match`, Abort, ListParts).
//! Anything else answers S3's 501 `NotImplemented`.

use std::io::SeekFrom;
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use axum::http::StatusCode;
use s3s::dto::*;
use s3s::{s3_error, S3Error, S3ErrorCode, S3Request, S3Response, S3Result, S3};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{check_bucket, scope_of, Scope};
use crate::errors::ApiError;
use crate::routes::buckets::{
    check_key, check_md5, check_parts, finish_upload, insert_if, lookup, store_part, write_stream,
    PartProblem, Replace, BAD_DIGEST,
};
use crate::state::{new_id, rand_hex, App, Object, Upload};
use crate::time::{now_secs, parse_rfc3339};

/// The S3 operations over the emulator's objects.
pub(crate) struct Objects(pub App);

/// Most keys a listing answers per page, as S3.
const MAX_KEYS: usize = 1000;

/// An error of the shared object helpers as S3 says it.
fn s3_err(e: ApiError) -> S3Error {
    let code = match e.status {
        _ if e.code == BAD_DIGEST => S3ErrorCode::BadDigest,
        StatusCode::PRECONDITION_FAILED => S3ErrorCode::PreconditionFailed,
        StatusCode::NOT_FOUND if e.message.contains("upload") => S3ErrorCode::NoSuchUpload,
        StatusCode::NOT_FOUND if e.message.contains("bucket") => S3ErrorCode::NoSuchBucket,
        StatusCode::NOT_FOUND => S3ErrorCode::NoSuchKey,
        s if s.is_client_error() => S3ErrorCode::InvalidArgument,
        _ => S3ErrorCode::InternalError,
    };
    S3Error::with_message(code, e.message)
}

fn valid_key(key: &str) -> S3Result<()> {
    check_key("key", key).map_err(|e| {
        S3Error::with_message(
            S3ErrorCode::InvalidArgument,
            format!("object key {}", e.message.trim_start_matches("key ")),
        )
    })
}

/// The `Content-MD5` header (base64 of the body's 16-byte MD5) as lowercase hex, to
/// compare with the MD5 of the bytes received; 400 `InvalidDigest` if it is not the
/// base64 of 16 bytes, as S3 answers.
fn content_md5(header: Option<&String>) -> S3Result<Option<String>> {
    use base64::Engine as _;
    let Some(text) = header else {
        return Ok(None);
    };
    match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
        Ok(digest) if digest.len() == 16 => Ok(Some(hex::encode(digest))),
        _ => Err(s3_error!(
            InvalidDigest,
            "the Content-MD5 you specified is not valid"
        )),
    }
}

fn timestamp(secs: i64) -> Timestamp {
    Timestamp::from(UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64))
}

/// Whole Unix seconds of a timestamp (HTTP dates have no finer unit).
fn unix_secs(ts: &Timestamp) -> S3Result<i64> {
    let mut buf = Vec::new();
    ts.format(TimestampFormat::EpochSeconds, &mut buf)
        .map_err(|_| s3_error!(InvalidArgument, "invalid date"))?;
    let text = String::from_utf8_lossy(&buf);
    text.parse::<f64>()
        .map(|s| s.floor() as i64)
        .map_err(|_| s3_error!(InvalidArgument, "invalid date"))
}

fn etag(obj: &Object) -> ETag {
    ETag::Strong(obj.etag.clone())
}

/// Whether an `If-Match`/`If-None-Match` condition holds for an object's etag.
fn etag_matches(condition: &ETagCondition, etag: &str) -> bool {
    match condition {
        ETagCondition::Any => true,
        ETagCondition::ETag(ETag::Strong(v) | ETag::Weak(v)) => v == etag,
    }
}

/// The conditional headers of a GET or HEAD, in RFC 9110's order: a failed `If-Match`
/// (or, without it, `If-Unmodified-Since`) is 412; a matching `If-None-Match` (or,
/// without it, an `If-Modified-Since` the object is not newer than) is 304.
fn check_conditions(
    obj: &Object,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    match (if_match, if_unmodified_since) {
        (Some(c), _) if !etag_matches(c, &obj.etag) => return Err(s3_error!(PreconditionFailed)),
        (None, Some(t)) if obj.modified > unix_secs(t)? => {
            return Err(s3_error!(PreconditionFailed))
        }
        _ => {}
    }
    match (if_none_match, if_modified_since) {
        (Some(c), _) if etag_matches(c, &obj.etag) => Err(s3_error!(NotModified)),
        (None, Some(t)) if obj.modified <= unix_secs(t)? => Err(s3_error!(NotModified)),
        _ => Ok(()),
    }
}

/// How a write may replace what is there, from its `If-None-Match` / `If-Match`.
fn replace_rule(
    if_none_match: Option<&ETagCondition>,
    if_match: Option<&ETagCondition>,
) -> S3Result<Replace> {
    match (if_none_match, if_match) {
        (Some(ETagCondition::Any), _) => Ok(Replace::IfAbsent),
        (Some(_), _) => Err(s3_error!(
            NotImplemented,
            "If-None-Match on a write takes only *"
        )),
        (None, Some(ETagCondition::ETag(ETag::Strong(v) | ETag::Weak(v)))) => {
            Ok(Replace::IfEtag(v.clone()))
        }
        (None, Some(ETagCondition::Any)) => Err(s3_error!(
            NotImplemented,
            "If-Match on a write takes an etag"
        )),
        (None, None) => Ok(Replace::Always),
    }
}

/// A write that found no object for its `If-Match` is 404, as S3 answers; otherwise 412.
async fn conditional_miss(app: &App, scope: &Scope, key: &str, replace: &Replace) -> S3Error {
    let exists = lookup(app, &scope.bucket_id, key).is_ok();
    match replace {
        Replace::IfEtag(_) if !exists => s3_error!(NoSuchKey),
        _ => s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        ),
    }
}

/// The object a copy reads: in the key's own bucket only.
fn copy_source(app: &App, scope: &Scope, source: &CopySource) -> S3Result<Object> {
    let CopySource::Bucket { bucket, key, .. } = source else {
        return Err(s3_error!(NotImplemented, "access point copy sources"));
    };
    check_bucket(app, scope, bucket)?;
    valid_key(key)?;
    lookup(app, &scope.bucket_id, key).map_err(|_| s3_error!(NoSuchKey))
}

/// The source conditions of a copy (`x-amz-copy-source-if-*`), as S3 evaluates them.
fn check_copy_conditions(
    obj: &Object,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    check_conditions(
        obj,
        if_match,
        if_unmodified_since,
        if_none_match,
        if_modified_since,
    )
    .map_err(|e| match e.code() {
        S3ErrorCode::NotModified => s3_error!(PreconditionFailed),
        _ => e,
    })
}

/// A stream of a blob file's bytes `start..start + len`.
async fn blob_stream(
    app: &App,
    obj: &Object,
    start: u64,
    len: u64,
) -> S3Result<tokio_util::io::ReaderStream<tokio::io::Take<tokio::fs::File>>> {
    let mut file = tokio::fs::File::open(app.blob_path(&obj.blob))
        .await
        .map_err(|_| s3_error!(NoSuchKey))?;
    if start > 0 {
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(|e| s3_error!(e, InternalError))?;
    }
    Ok(tokio_util::io::ReaderStream::with_capacity(
        file.take(len),
        64 * 1024,
    ))
}

/// The upload a part or completion names, if it belongs to this bucket and key.
fn upload_of(app: &App, scope: &Scope, upload_id: &str, key: &str) -> S3Result<Upload> {
    app.lock()
        .uploads
        .get(upload_id)
        .filter(|u| u.bucket_id == scope.bucket_id && u.key == key)
        .cloned()
        .ok_or_else(|| s3_error!(NoSuchUpload))
}

fn part_number(n: i32) -> S3Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive"
            )
        })
}

/// One page of a listing: objects and common prefixes in key order.
struct Page {
    objects: Vec<Object>,
    prefixes: Vec<String>,
    /// Where the next page starts (a key or a common prefix), when there is one.
    next: Option<String>,
}

/// Lists a bucket's keys after `after` (exclusive) under `prefix`, folding keys that
/// hold `delimiter` after the prefix into common prefixes; at most `max` entries
/// (objects and prefixes together), as ListObjectsV2 counts them.
fn list_page(
    app: &App,
    bucket_id: &str,
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    max: usize,
) -> S3Result<Page> {
    let st = app.lock();
    let bucket = st
        .buckets
        .iter()
        .find(|b| b.id == bucket_id)
        .ok_or_else(|| s3_error!(NoSuchBucket))?;
    let mut page = Page {
        objects: Vec::new(),
        prefixes: Vec::new(),
        next: None,
    };
    let start = match after {
        Some(a) if a >= prefix => std::ops::Bound::Excluded(a.to_string()),
        _ => std::ops::Bound::Included(prefix.to_string()),
    };
    let mut last = None;
    for (key, obj) in bucket
        .objects
        .range::<String, _>((start, std::ops::Bound::Unbounded))
    {
        if !key.starts_with(prefix) {
            break;
        }
        // A key under a common prefix that was already answered (the token may
        // point at one) is part of it.
        if let Some(p) = after.filter(|a| delimiter.is_some_and(|d| a.ends_with(d))) {
            if key.starts_with(p) {
                continue;
            }
        }
        let folded = delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|i| key[..prefix.len() + i + d.len()].to_string())
        });
        if let Some(common) = &folded {
            if page.prefixes.last() == Some(common) {
                continue;
            }
        }
        if page.objects.len() + page.prefixes.len() == max {
            page.next = last;
            break;
        }
        match folded {
            Some(common) => {
                last = Some(common.clone());
                page.prefixes.push(common);
            }
            None => {
                last = Some(key.clone());
                page.objects.push(obj.clone());
            }
        }
    }
    Ok(page)
}

fn listed(obj: &Object) -> s3s::dto::Object {
    s3s::dto::Object {
        key: Some(obj.key.clone()),
        size: Some(obj.size_bytes as i64),
        e_tag: Some(etag(obj)),
        last_modified: Some(timestamp(obj.modified)),
        storage_class: Some(ObjectStorageClass::from_static(
            ObjectStorageClass::STANDARD,
        )),
        ..Default::default()
    }
}

fn common_prefixes(page: &Page) -> Option<Vec<CommonPrefix>> {
    Some(
        page.prefixes
            .iter()
            .map(|p| CommonPrefix {
                prefix: Some(p.clone()),
            })
            .collect(),
    )
}

fn max_keys(asked: Option<i32>) -> S3Result<usize> {
    match asked {
        None => Ok(MAX_KEYS),
        Some(n) if n < 0 => Err(s3_error!(InvalidArgument, "max-keys must not be negative")),
        Some(n) => Ok((n as usize).min(MAX_KEYS)),
    }
}

#[async_trait]
impl S3 for Objects {
    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let scope = scope_of(&req.extensions)?;
        let bucket = Bucket {
            name: Some(scope.bucket_name.clone()),
            creation_date: parse_rfc3339(&scope.created_at).map(timestamp),
            bucket_region: Some(scope.region.clone()),
        };
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(vec![bucket]),
            ..Default::default()
        }))
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let scope = scope_of(&req.extensions)?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(scope.region.clone()),
            ..Default::default()
        }))
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let scope = scope_of(&req.extensions)?;
        // S3 names us-east-1 by leaving the constraint empty.
        let constraint = (scope.region != "us-east-1")
            .then(|| BucketLocationConstraint::from(scope.region.clone()));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint: constraint,
        }))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let obj =
            lookup(&self.0, &scope.bucket_id, &input.key).map_err(|_| s3_error!(NoSuchKey))?;
        check_conditions(
            &obj,
            input.if_match.as_ref(),
            input.if_unmodified_since.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
        )?;
        Ok(S3Response::new(HeadObjectOutput {
            content_length: Some(obj.size_bytes as i64),
            content_type: Some("application/octet-stream".into()),
            e_tag: Some(etag(&obj)),
            last_modified: Some(timestamp(obj.modified)),
            accept_ranges: Some("bytes".into()),
            ..Default::default()
        }))
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let obj =
            lookup(&self.0, &scope.bucket_id, &input.key).map_err(|_| s3_error!(NoSuchKey))?;
        check_conditions(
            &obj,
            input.if_match.as_ref(),
            input.if_unmodified_since.as_ref(),
            input.if_none_match.as_ref(),
            input.if_modified_since.as_ref(),
        )?;
        let (start, len, content_range) = match &input.range {
            None => (0, obj.size_bytes, None),
            Some(range) => {
                let r = range.check(obj.size_bytes)?;
                let range_text = format!("bytes {}-{}/{}", r.start, r.end - 1, obj.size_bytes);
                (r.start, r.end - r.start, Some(range_text))
            }
        };
        let body = blob_stream(&self.0, &obj, start, len).await?;
        Ok(S3Response::new(GetObjectOutput {
            body: Some(StreamingBlob::wrap(body)),
            content_length: Some(len as i64),
            content_range,
            content_type: Some("application/octet-stream".into()),
            e_tag: Some(etag(&obj)),
            last_modified: Some(timestamp(obj.modified)),
            accept_ranges: Some("bytes".into()),
            ..Default::default()
        }))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        valid_key(&input.key)?;
        let replace = replace_rule(input.if_none_match.as_ref(), input.if_match.as_ref())?;
        let expected_md5 = content_md5(input.content_md5.as_ref())?;
        let blob = rand_hex(12);
        let path = self.0.blob_path(&blob);
        let (etag_hex, size) = match input.body {
            Some(body) => write_stream(body, path).await,
            None => {
                write_stream(
                    futures_util::stream::empty::<Result<axum::body::Bytes, std::io::Error>>(),
                    path,
                )
                .await
            }
        }
        .map_err(s3_err)?;
        if let Err(e) = check_md5(expected_md5.as_deref(), &etag_hex) {
            let _ = tokio::fs::remove_file(self.0.blob_path(&blob)).await;
            return Err(s3_err(e));
        }
        let obj = Object {
            key: input.key.clone(),
            size_bytes: size,
            etag: etag_hex,
            modified: now_secs(),
            blob,
        };
        match insert_if(&self.0, &scope.bucket_id, obj, replace.clone()).await {
            Ok(obj) => Ok(S3Response::new(PutObjectOutput {
                e_tag: Some(etag(&obj)),
                size: Some(obj.size_bytes as i64),
                ..Default::default()
            })),
            Err(e) if e.status == StatusCode::PRECONDITION_FAILED => {
                Err(conditional_miss(&self.0, &scope, &input.key, &replace).await)
            }
            Err(e) => Err(s3_err(e)),
        }
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let scope = scope_of(&req.extensions)?;
        remove(&self.0, &scope, &[req.input.key]).await;
        // S3 answers 204 whether or not the key was there.
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        if input.delete.objects.len() > MAX_KEYS {
            return Err(s3_error!(
                MalformedXML,
                "DeleteObjects takes at most 1000 keys"
            ));
        }
        let keys: Vec<String> = input.delete.objects.into_iter().map(|o| o.key).collect();
        remove(&self.0, &scope, &keys).await;
        let quiet = input.delete.quiet.unwrap_or(false);
        // As S3: a key that was not there counts as deleted.
        let deleted = (!quiet).then(|| {
            keys.into_iter()
                .map(|key| DeletedObject {
                    key: Some(key),
                    ..Default::default()
                })
                .collect()
        });
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted,
            ..Default::default()
        }))
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        valid_key(&input.key)?;
        let src = copy_source(&self.0, &scope, &input.copy_source)?;
        check_copy_conditions(
            &src,
            input.copy_source_if_match.as_ref(),
            input.copy_source_if_unmodified_since.as_ref(),
            input.copy_source_if_none_match.as_ref(),
            input.copy_source_if_modified_since.as_ref(),
        )?;
        let blob = rand_hex(12);
        let target = self.0.blob_path(&blob);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| s3_error!(e, InternalError))?;
        }
        tokio::fs::copy(self.0.blob_path(&src.blob), &target)
            .await
            .map_err(|e| s3_error!(e, InternalError))?;
        let obj = Object {
            key: input.key,
            size_bytes: src.size_bytes,
            etag: src.etag,
            modified: now_secs(),
            blob,
        };
        let obj = insert_if(&self.0, &scope.bucket_id, obj, Replace::Always)
            .await
            .map_err(s3_err)?;
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(etag(&obj)),
                last_modified: Some(timestamp(obj.modified)),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let max = max_keys(input.max_keys)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let token = match &input.continuation_token {
            Some(t) => Some(
                hex::decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        s3_error!(
                            InvalidArgument,
                            "The continuation token provided is incorrect"
                        )
                    })?,
            ),
            None => None,
        };
        let after = token.clone().or_else(|| input.start_after.clone());
        let page = list_page(
            &self.0,
            &scope.bucket_id,
            &prefix,
            input.delimiter.as_deref(),
            after.as_deref(),
            max,
        )?;
        let key_count = (page.objects.len() + page.prefixes.len()) as i32;
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(scope.bucket_name.clone()),
            prefix: input.prefix,
            delimiter: input.delimiter,
            max_keys: Some(max as i32),
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            start_after: input.start_after,
            is_truncated: Some(page.next.is_some()),
            next_continuation_token: page.next.as_ref().map(hex::encode),
            common_prefixes: common_prefixes(&page),
            contents: Some(page.objects.iter().map(listed).collect()),
            ..Default::default()
        }))
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let max = max_keys(input.max_keys)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let page = list_page(
            &self.0,
            &scope.bucket_id,
            &prefix,
            input.delimiter.as_deref(),
            input.marker.as_deref(),
            max,
        )?;
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(scope.bucket_name.clone()),
            prefix: input.prefix,
            delimiter: input.delimiter.clone(),
            marker: input.marker,
            max_keys: Some(max as i32),
            is_truncated: Some(page.next.is_some()),
            // S3 sends NextMarker only with a delimiter; clients use the last key otherwise.
            next_marker: page.next.clone().filter(|_| input.delimiter.is_some()),
            common_prefixes: common_prefixes(&page),
            contents: Some(page.objects.iter().map(listed).collect()),
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        valid_key(&input.key)?;
        let upload = Upload {
            id: new_id("upl"),
            bucket_id: scope.bucket_id.clone(),
            key: input.key.clone(),
            parts: Default::default(),
        };
        let id = upload.id.clone();
        self.0.lock().uploads.insert(id.clone(), upload);
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(scope.bucket_name.clone()),
            key: Some(input.key),
            upload_id: Some(id),
            ..Default::default()
        }))
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let n = part_number(input.part_number)?;
        upload_of(&self.0, &scope, &input.upload_id, &input.key)?;
        let expected_md5 = content_md5(input.content_md5.as_ref())?;
        let expected_md5 = expected_md5.as_deref();
        let (etag_hex, _) = match input.body {
            Some(body) => store_part(&self.0, &input.upload_id, n, body, expected_md5).await,
            None => {
                let empty =
                    futures_util::stream::empty::<Result<axum::body::Bytes, std::io::Error>>();
                store_part(&self.0, &input.upload_id, n, empty, expected_md5).await
            }
        }
        .map_err(s3_err)?;
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(ETag::Strong(etag_hex)),
            ..Default::default()
        }))
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let n = part_number(input.part_number)?;
        upload_of(&self.0, &scope, &input.upload_id, &input.key)?;
        let src = copy_source(&self.0, &scope, &input.copy_source)?;
        check_copy_conditions(
            &src,
            input.copy_source_if_match.as_ref(),
            input.copy_source_if_unmodified_since.as_ref(),
            input.copy_source_if_none_match.as_ref(),
            input.copy_source_if_modified_since.as_ref(),
        )?;
        let (start, len) = match input.copy_source_range.as_deref() {
            None => (0, src.size_bytes),
            Some(text) => {
                let r = Range::parse(text)
                    .map_err(|_| s3_error!(InvalidArgument, "invalid x-amz-copy-source-range"))?
                    .check(src.size_bytes)?;
                (r.start, r.end - r.start)
            }
        };
        let stream = blob_stream(&self.0, &src, start, len).await?;
        let (etag_hex, _) = store_part(&self.0, &input.upload_id, n, stream, None)
            .await
            .map_err(s3_err)?;
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(CopyPartResult {
                e_tag: Some(ETag::Strong(etag_hex)),
                last_modified: Some(timestamp(now_secs())),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let upload = upload_of(&self.0, &scope, &input.upload_id, &input.key)?;
        let replace = replace_rule(input.if_none_match.as_ref(), input.if_match.as_ref())?;
        let mut parts = Vec::new();
        for p in input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default()
        {
            let n = part_number(p.part_number.unwrap_or(0))?;
            let tag = match p.e_tag {
                Some(ETag::Strong(v) | ETag::Weak(v)) => v,
                None => String::new(),
            };
            parts.push((n, tag));
        }
        if let Err(problem) = check_parts(&upload, &parts) {
            return Err(match problem {
                PartProblem::Empty => s3_error!(
                    MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema"
                ),
                PartProblem::Order => s3_error!(InvalidPartOrder),
                PartProblem::Missing(n) | PartProblem::Mismatch(n) => S3Error::with_message(
                    S3ErrorCode::InvalidPart,
                    format!("part {n} was not uploaded or its ETag does not match"),
                ),
            });
        }
        match finish_upload(&self.0, &upload, &parts, replace.clone()).await {
            Ok(obj) => Ok(S3Response::new(CompleteMultipartUploadOutput {
                bucket: Some(scope.bucket_name.clone()),
                key: Some(obj.key.clone()),
                e_tag: Some(etag(&obj)),
                ..Default::default()
            })),
            Err(e) if e.status == StatusCode::PRECONDITION_FAILED => {
                Err(conditional_miss(&self.0, &scope, &upload.key, &replace).await)
            }
            Err(e) => Err(s3_err(e)),
        }
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        upload_of(&self.0, &scope, &input.upload_id, &input.key)?;
        self.0.lock().uploads.remove(&input.upload_id);
        let _ = tokio::fs::remove_dir_all(self.0.upload_dir(&input.upload_id)).await;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let scope = scope_of(&req.extensions)?;
        let input = req.input;
        let upload = upload_of(&self.0, &scope, &input.upload_id, &input.key)?;
        let max = input.max_parts.map_or(1000, |m| m.clamp(0, 1000)) as usize;
        let after = input
            .part_number_marker
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(0);
        let mut listed: Vec<Part> = upload
            .parts
            .range(after + 1..)
            .take(max + 1)
            .map(|(n, (tag, size))| Part {
                part_number: Some(*n as i32),
                e_tag: Some(ETag::Strong(tag.clone())),
                size: Some(*size as i64),
                ..Default::default()
            })
            .collect();
        let truncated = listed.len() > max;
        listed.truncate(max);
        let next = listed
            .last()
            .and_then(|p| p.part_number)
            .filter(|_| truncated);
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(scope.bucket_name.clone()),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max as i32),
            part_number_marker: input.part_number_marker,
            next_part_number_marker: next,
            is_truncated: Some(truncated),
            parts: Some(listed),
            ..Default::default()
        }))
    }
}

/// Removes keys from the key's bucket (absent ones are no error) and their blobs.
async fn remove(app: &App, scope: &Scope, keys: &[String]) {
    let blobs: Vec<String> = {
        let mut st = app.lock();
        match st.buckets.iter_mut().find(|b| b.id == scope.bucket_id) {
            Some(b) => keys
                .iter()
                .filter_map(|k| b.objects.remove(k))
                .map(|o| o.blob)
                .collect(),
            None => Vec::new(),
        }
    };
    for blob in blobs {
        let _ = tokio::fs::remove_file(app.blob_path(&blob)).await;
    }
}
