//! Buckets and their objects, on the platform service (`{platform}/api/v1/buckets`).
//! The wire of each call is in `wire/storage.rs`; the calls that move files are in
//! `transfer.rs` and `sync.rs`, over the client's one transfer engine
//! (`flavoured/transfer/`: multipart, ranged downloads).

mod memory;
// `Buckets::object_store`: the rest of the feature is in `src/s3_store/`.
#[cfg(feature = "object-store")]
mod object_store;
mod sync;
mod transfer;

use std::time::Duration;

use super::{flavour, local_fs, Client, ListStream};
use crate::models::AnyList;
use crate::transport::Method;
use crate::wire::storage as wire;
use crate::{
    models::Bucket, models::DeleteObjectsReport, models::ObjectPage, models::PresignedUrl,
    models::S3Credentials, models::StoredObject, NewBucket, ObjectQuery, Result,
};

/// Bucket and object calls. Get one with [`Client::buckets`]. Every call needs a
/// project (storage is project-scoped): without one it fails with
/// [`Error::Config`](crate::Error::Config) and sends nothing.
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Buckets {
    pub(super) client: Client,
}

impl Buckets {
    pub(crate) fn new(client: &Client) -> Self {
        Buckets {
            client: client.clone(),
        }
    }

    /// The bucket's objects matching `query`, fetched lazily a page at a time (following
    /// continuation tokens) as the result is read: an `Iterator` from the blocking
    /// client, a `Stream` from the async one. Nothing is sent until the first item is
    /// asked for.
    ///
    #[doc = doc_example!(
        "use podstack::ObjectQuery;\n\n"
        "let mut objects = client.buckets().list_objects_stream(\"bucket-id\", &ObjectQuery::new().prefix(\"data/\"));\n"
        "while let Some(object) = objects.next_item()" await " {\n"
        "    println!(\"{}\", object?.key);\n"
        "}"
    )]
    pub fn list_objects_stream(
        &self,
        bucket_id: &str,
        query: &ObjectQuery,
    ) -> ListStream<StoredObject> {
        ListStream::new(super::ObjectPages::new(&self.client, bucket_id, query))
    }
}

#[flavour]
impl Buckets {
    /// Creates a bucket. Safe to retry: the request carries an idempotency key.
    #[doc = doc_example!(
        "use podstack::{NewBucket, Visibility};\n\n"
        "let bucket = client\n"
        "    .buckets()\n"
        "    .create(&NewBucket::new(\"my-datasets\").visibility(Visibility::Private))" await "?;\n"
        "println!(\"Bucket: {}\", bucket.name);\n"
        "println!(\"Endpoint: {}\", bucket.endpoint);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Validation`](crate::Error::Validation) if the API rejects the name
    /// or settings;
    /// [`Error::QuotaExceeded`](crate::Error::QuotaExceeded) if the project may hold no
    /// more. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn create(&self, bucket: &NewBucket) -> Result<Bucket> {
        self.client.send_json(wire::create_bucket(bucket)?).await
    }

    /// The project's buckets.
    #[doc = doc_example!(
        "for bucket in client.buckets().list()" await "? {\n"
        "    println!(\"{}: {} ({:.2} GB)\", bucket.name, bucket.visibility(), bucket.size_gb());\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent). Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self) -> Result<Vec<Bucket>> {
        let list: AnyList<Bucket> = self.client.send_json(wire::list_buckets()).await?;
        Ok(list.into_items())
    }

    /// The bucket with this id.
    ///
    #[doc = doc_example!(
        "let bucket = client.buckets().get(\"bucket-id\")" await "?;\n"
        "println!(\"{}: {:.1} GB\", bucket.name, bucket.size_gb());"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn get(&self, bucket_id: &str) -> Result<Bucket> {
        self.client.send_json(wire::get_bucket(bucket_id)).await
    }

    /// Deletes an empty bucket. Fails with [`Error::Conflict`](crate::Error::Conflict)
    /// while it holds objects; see [`force_delete`](Self::force_delete).
    ///
    #[doc = doc_example!(
        "client.buckets().delete(\"bucket-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) while it holds objects. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn delete(&self, bucket_id: &str) -> Result<()> {
        self.client
            .send_empty(wire::delete_bucket(bucket_id, false))
            .await
    }

    #[doc(alias = "force")]
    /// Deletes a bucket and every object in it.
    ///
    #[doc = doc_example!(
        "client.buckets().force_delete(\"bucket-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn force_delete(&self, bucket_id: &str) -> Result<()> {
        self.client
            .send_empty(wire::delete_bucket(bucket_id, true))
            .await
    }

    /// Every object matching `query` (its prefix), following continuation tokens to the
    /// end; see [`list_objects_page`](Self::list_objects_page) for one page and
    /// [`list_objects_stream`](Self::list_objects_stream) to read them lazily. The
    /// [call deadline](crate::ClientBuilder::call_deadline) bounds the whole listing, every
    /// page included; a server that answers 100 empty pages in a row, each with a new
    /// continuation token, ends it with [`Error::Api`](crate::Error::Api).
    #[doc = doc_example!(
        "use podstack::ObjectQuery;\n\n"
        "let query = ObjectQuery::new().prefix(\"datasets/\");\n"
        "for object in client.buckets().list_objects(\"bucket-id\", &query)" await "? {\n"
        "    println!(\"{}: {} bytes\", object.key, object.size_bytes);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list_objects(
        &self,
        bucket_id: &str,
        query: &ObjectQuery,
    ) -> Result<Vec<StoredObject>> {
        let mut pages =
            super::ObjectPages::new(&self.client, bucket_id, query).within_one_deadline();
        let mut all = Vec::new();
        while let Some(object) = pages.next_item().await {
            all.push(object?);
        }
        Ok(all)
    }

    #[doc(alias = "continuation_token")]
    /// One page of objects: at most `query.max_keys`, from `query.continuation_token`.
    /// The page's [`next_continuation_token`](ObjectPage::next_continuation_token)
    /// asks for the next.
    ///
    #[doc = doc_example!(
        "use podstack::ObjectQuery;\n\n"
        "let page = client.buckets().list_objects_page(\"bucket-id\", &ObjectQuery::new().max_keys(100))" await "?;\n"
        "if let Some(token) = &page.next_continuation_token {\n"
        "    let query = ObjectQuery::new().max_keys(100).continuation_token(token.as_str());\n"
        "    let next = client.buckets().list_objects_page(\"bucket-id\", &query)" await "?;\n"
        "    # let _ = next;\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id;
    /// [`Error::Validation`](crate::Error::Validation) if the API rejects the query.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list_objects_page(
        &self,
        bucket_id: &str,
        query: &ObjectQuery,
    ) -> Result<ObjectPage> {
        self.client
            .send_json(wire::list_objects(bucket_id, query))
            .await
    }

    /// Deletes one object. Fails with [`Error::NotFound`](crate::Error::NotFound) when
    /// there is none under `key`.
    ///
    #[doc = doc_example!(
        "client.buckets().delete_object(\"bucket-id\", \"tmp/old.csv\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does
    /// not exist. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn delete_object(&self, bucket_id: &str, key: &str) -> Result<()> {
        self.client
            .send_empty(wire::delete_object(bucket_id, key))
            .await
    }

    /// Deletes several objects in one request (keys as `&str`s or `String`s). A key
    /// that cannot be deleted is reported in [`DeleteObjectsReport::errors`] and never
    /// stops the others.
    #[doc = doc_example!(
        "let report = client\n"
        "    .buckets()\n"
        "    .delete_objects(\"bucket-id\", &[\"file1.txt\", \"file2.txt\", \"folder/file3.txt\"])" await "?;\n"
        "for failure in &report.errors {\n"
        "    eprintln!(\"{}: {}\", failure.path, failure.message);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Keys
    /// that fail are in the report, not an error. Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn delete_objects<K: AsRef<str> + Sync>(
        &self,
        bucket_id: &str,
        keys: &[K],
    ) -> Result<DeleteObjectsReport> {
        self.client
            .send_json(wire::delete_objects(bucket_id, keys)?)
            .await
    }

    /// Copies an object, within a bucket or between two (buckets by id), on the server.
    ///
    #[doc = doc_example!(
        "let copy = client.buckets().copy(\"bucket-id\", \"data.csv\", \"backup-bucket-id\", \"2026/data.csv\")" await "?;\n"
        "println!(\"{} bytes\", copy.size_bytes);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if a bucket or the source object
    /// does not exist. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn copy(
        &self,
        source_bucket: &str,
        source_key: &str,
        dest_bucket: &str,
        dest_key: &str,
    ) -> Result<StoredObject> {
        let request = wire::copy_object(source_bucket, source_key, dest_bucket, dest_key)?;
        self.client.send_json(request).await
    }

    /// A URL that uploads (`PUT`) one object without a token until `expires_in` has
    /// passed (whole seconds, at least 1). Use it with
    /// [`Client::presigned`]`().upload(..)` or any HTTP client.
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let upload = client\n"
        "    .buckets()\n"
        "    .presigned_upload_url(\"bucket-id\", \"uploads/user-file.txt\", Duration::from_secs(3600))" await "?;\n"
        "client.presigned().upload(&upload.url, \"./user-file.txt\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn presigned_upload_url(
        &self,
        bucket_id: &str,
        key: &str,
        expires_in: Duration,
    ) -> Result<PresignedUrl> {
        let request = wire::presign(bucket_id, key, Method::PUT, expires_in)?;
        self.client.send_json(request).await
    }

    /// A URL that downloads (`GET`) one object without a token until `expires_in` has
    /// passed. Use it with [`Client::presigned`]`().download(..)`, a browser or curl.
    ///
    #[doc = doc_example!(
        "use std::time::Duration;\n\n"
        "let link = client.buckets().presigned_download_url(\"bucket-id\", \"reports/q3.pdf\", Duration::from_secs(3600))" await "?;\n"
        "println!(\"{}\", link.url);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does
    /// not exist. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn presigned_download_url(
        &self,
        bucket_id: &str,
        key: &str,
        expires_in: Duration,
    ) -> Result<PresignedUrl> {
        let request = wire::presign(bucket_id, key, Method::GET, expires_in)?;
        self.client.send_json(request).await
    }

    #[doc(alias = "get_credentials")]
    /// Credentials for the bucket's S3-compatible endpoint (boto3, rclone, the AWS
    /// CLI). Their `Debug` hides the secret key; keep them as safe as the token.
    #[doc = doc_example!(
        "let creds = client.buckets().credentials(\"bucket-id\")" await "?;\n"
        "println!(\"Access Key: {}\", creds.access_key);\n"
        "println!(\"Endpoint: {}\", creds.endpoint);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn credentials(&self, bucket_id: &str) -> Result<S3Credentials> {
        self.client.send_json(wire::credentials(bucket_id)).await
    }
}
