//! Every storage call's method, path and field names, in one place (contract section
//! "Storage"). Rows the contract marks *shipped* are what Podstack's Python package
//! sends; rows marked *extension* are documented features no public client shows on
//! the wire, kept here so that a correction is one line. Both clients' handlers
//! (`flavoured/api/buckets/`, `flavoured/api/volumes.rs`) only call these.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use super::{segment, ApiRequest, ApiRequestOf, Service};
use crate::transport::{FileWindow, Frame, Method, RequestBody};
use crate::{NewBucket, NewVolume, ObjectQuery, Result};

fn platform(method: Method, path: String) -> ApiRequest {
    ApiRequest::api(method, path).on(Service::Platform)
}

fn bucket(id: &str) -> String {
    format!("/buckets/{}", segment(id))
}

/// An object key as sent: without leading `/` (an object key is relative to its
/// bucket), the same in every call.
pub(crate) fn object_key(key: &str) -> &str {
    key.trim_start_matches('/')
}

fn volume(id: &str) -> String {
    format!("/storage/{}", segment(id))
}

// --- buckets --------------------------------------------------------------------

/// Shipped: `POST /api/v1/buckets`.
pub(crate) fn create_bucket(new: &NewBucket) -> Result<ApiRequest> {
    Ok(platform(Method::POST, "/buckets".into())
        .json(new)?
        .create())
}

/// Shipped: `GET /api/v1/buckets`.
pub(crate) fn list_buckets() -> ApiRequest {
    platform(Method::GET, "/buckets".into())
}

/// Shipped: `GET /api/v1/buckets/{id}`.
pub(crate) fn get_bucket(id: &str) -> ApiRequest {
    platform(Method::GET, bucket(id))
}

/// Shipped: `DELETE /api/v1/buckets/{id}`; extension: `?force=true`.
pub(crate) fn delete_bucket(id: &str, force: bool) -> ApiRequest {
    let request = platform(Method::DELETE, bucket(id));
    if force {
        request.query("force", "true")
    } else {
        request.on_conflict("to delete a bucket with its objects, call Buckets::force_delete")
    }
}

/// Extension: `GET /api/v1/buckets/{id}/credentials`.
pub(crate) fn credentials(id: &str) -> ApiRequest {
    platform(Method::GET, format!("{}/credentials", bucket(id))).secret_answer()
}

// --- objects ----------------------------------------------------------------------

/// Shipped: `POST /api/v1/buckets/{id}/objects`, `multipart/form-data` with field
/// `path` (the key) and field `file` (the content; filename = the key's last segment,
/// with its content type). Each way of sending an object's bytes puts them between the
/// form's [`head` and `tail`](Frame) and gives the body to [`with`](ObjectForm::with).
pub(crate) struct ObjectForm {
    pub frame: Frame,
    request: ApiRequest,
    content_type: String,
}

impl ObjectForm {
    /// The upload request with `body`: the frame and the object's bytes.
    pub(crate) fn with<'b>(self, body: crate::transport::RequestBodyOf<'b>) -> ApiRequestOf<'b> {
        self.request.body(body, self.content_type)
    }

    /// How many bytes the frame adds around the object's.
    pub(crate) fn frame_len(&self) -> u64 {
        (self.frame.head.len() + self.frame.tail.len()) as u64
    }
}

/// The form that uploads an object under `key` (see [`ObjectForm`]).
pub(crate) fn object_form(id: &str, key: &str) -> ObjectForm {
    let key = object_key(key);
    let boundary = format!("podstack-{}", crate::net::random::idempotency_key());
    let filename = key.rsplit('/').next().unwrap_or(key);
    let content_type = mime_guess::from_path(filename).first_or_octet_stream();
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{key}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
         Content-Type: {content_type}\r\n\r\n",
        form_quoted(filename)
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    ObjectForm {
        frame: Frame {
            head: Bytes::from(head),
            tail: Bytes::from(tail),
        },
        request: platform(Method::POST, format!("{}/objects", bucket(id))),
        content_type: format!("multipart/form-data; boundary={boundary}"),
    }
}

/// [`object_form`] with a file that streams from disk inside the form's frame.
pub(crate) fn upload_object(id: &str, key: &str, mut file: FileWindow) -> ApiRequest {
    let form = object_form(id, key);
    file.frame = Some(Arc::new(Frame {
        head: form.frame.head.clone(),
        tail: form.frame.tail.clone(),
    }));
    form.with(RequestBody::File(file))
}

/// [`object_form`] with bytes from memory, sent in place (never copied into the form).
/// Writing the same bytes under the same key twice makes the same object, so the
/// request carries an `Idempotency-Key` and a failed attempt is sent again.
pub(crate) fn put_object(id: &str, key: &str, data: Bytes) -> ApiRequest {
    let form = object_form(id, key);
    let pieces = vec![form.frame.head.clone(), data, form.frame.tail.clone()];
    form.with(RequestBody::Pieces(pieces)).create()
}

/// A filename inside a quoted form-data parameter, escaped as browsers do.
fn form_quoted(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Shipped: `GET /api/v1/buckets/{id}/objects/download?path=KEY`.
pub(crate) fn download_object(id: &str, key: &str) -> ApiRequest {
    platform(Method::GET, format!("{}/objects/download", bucket(id)))
        .query("path", object_key(key))
        .accept("application/octet-stream")
}

/// Extension: `GET /api/v1/buckets/{id}/objects?prefix&max_keys&continuation_token`.
pub(crate) fn list_objects(id: &str, query: &ObjectQuery) -> ApiRequest {
    let mut request = platform(Method::GET, format!("{}/objects", bucket(id)));
    if let Some(prefix) = &query.prefix {
        request = request.query("prefix", object_key(prefix));
    }
    if let Some(max_keys) = query.max_keys {
        request = request.query("max_keys", max_keys);
    }
    if let Some(token) = &query.continuation_token {
        request = request.query("continuation_token", token);
    }
    request
}

/// Extension: `DELETE /api/v1/buckets/{id}/objects?path=KEY`.
pub(crate) fn delete_object(id: &str, key: &str) -> ApiRequest {
    platform(Method::DELETE, format!("{}/objects", bucket(id))).query("path", object_key(key))
}

/// Extension: `POST /api/v1/buckets/{id}/objects/delete {"paths"}`.
pub(crate) fn delete_objects<K: AsRef<str>>(id: &str, keys: &[K]) -> Result<ApiRequest> {
    let keys: Vec<&str> = keys.iter().map(|key| object_key(key.as_ref())).collect();
    platform(Method::POST, format!("{}/objects/delete", bucket(id))).json(&json!({ "paths": keys }))
}

/// Extension: `POST /api/v1/buckets/{dest}/objects/copy`.
pub(crate) fn copy_object(
    source_bucket: &str,
    source_key: &str,
    dest_bucket: &str,
    dest_key: &str,
) -> Result<ApiRequest> {
    platform(
        Method::POST,
        format!("{}/objects/copy", bucket(dest_bucket)),
    )
    .json(&json!({
        "source_bucket": source_bucket,
        "source_path": object_key(source_key),
        "dest_path": object_key(dest_key),
    }))
}

/// Extension: `POST /api/v1/buckets/{id}/presign {"path", "method", "expires_in"}`.
pub(crate) fn presign(
    id: &str,
    key: &str,
    method: Method,
    expires_in: Duration,
) -> Result<ApiRequest> {
    Ok(platform(Method::POST, format!("{}/presign", bucket(id)))
        .json(&json!({
            "path": object_key(key),
            "method": method.as_str(),
            "expires_in": expires_in.as_secs().max(1),
        }))?
        .secret_answer())
}

// --- multipart uploads (extension) ------------------------------------------------

/// `POST /api/v1/buckets/{id}/multipart {"path"}` → `{"upload_id"}`.
pub(crate) fn start_multipart(id: &str, key: &str) -> Result<ApiRequest> {
    Ok(platform(Method::POST, format!("{}/multipart", bucket(id)))
        .json(&json!({ "path": object_key(key) }))?
        .create())
}

fn multipart(id: &str, upload_id: &str) -> String {
    format!("{}/multipart/{}", bucket(id), segment(upload_id))
}

/// `PUT …/multipart/{upload_id}/parts/{n}`, the part's bytes → `{"etag"}`.
/// The part is a window of a file, or a slice of bytes in memory.
pub(crate) fn upload_part(id: &str, upload_id: &str, number: u64, part: RequestBody) -> ApiRequest {
    platform(
        Method::PUT,
        format!("{}/parts/{number}", multipart(id, upload_id)),
    )
    .raw(part)
}

/// `POST …/multipart/{upload_id}/complete {"parts": [{"part_number", "etag"}]}`.
pub(crate) fn complete_multipart(
    id: &str,
    upload_id: &str,
    etags: &[String],
) -> Result<ApiRequest> {
    let parts: Vec<_> = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| json!({ "part_number": i + 1, "etag": etag }))
        .collect();
    // Completing twice is harmless: the same parts make the same object.
    Ok(platform(
        Method::POST,
        format!("{}/complete", multipart(id, upload_id)),
    )
    .json(&json!({ "parts": parts }))?
    .create())
}

/// `DELETE …/multipart/{upload_id}`: abort.
pub(crate) fn abort_multipart(id: &str, upload_id: &str) -> ApiRequest {
    platform(Method::DELETE, multipart(id, upload_id))
}

// --- volumes ----------------------------------------------------------------------

/// Shipped: `POST /api/v1/storage`.
pub(crate) fn create_volume(new: &NewVolume) -> Result<ApiRequest> {
    Ok(platform(Method::POST, "/storage".into())
        .json(new)?
        .create())
}

/// Shipped: `GET /api/v1/storage`.
pub(crate) fn list_volumes() -> ApiRequest {
    platform(Method::GET, "/storage".into())
}

/// Shipped: `GET /api/v1/storage/{id}`.
pub(crate) fn get_volume(id: &str) -> ApiRequest {
    platform(Method::GET, volume(id))
}

/// Shipped: `DELETE /api/v1/storage/{id}`; extension: `?force=true`.
pub(crate) fn delete_volume(id: &str, force: bool) -> ApiRequest {
    let request = platform(Method::DELETE, volume(id));
    if force {
        request.query("force", "true")
    } else {
        request.on_conflict(
            "to delete a volume with its data, call Volumes::force_delete (a volume a pod \
             mounts cannot be deleted either way)",
        )
    }
}

/// Extension: `POST /api/v1/storage/{id}/resize {"quota_gb"}`.
pub(crate) fn resize_volume(id: &str, quota_gb: u64) -> Result<ApiRequest> {
    platform(Method::POST, format!("{}/resize", volume(id))).json(&json!({ "quota_gb": quota_gb }))
}
