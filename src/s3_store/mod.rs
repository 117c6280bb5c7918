//! Feature `object-store`: a bucket as an [`object_store`] store, so the data tools
//! that read through that crate (DataFusion, Polars, delta-rs, Lance, ...) query it
//! directly, over the bucket's S3-compatible endpoint.
//!
//! The store is `object_store` **0.13**'s [`AmazonS3`], the version DataFusion and
//! Polars depend on today. A tool built on another `object_store` release has its own,
//! different `ObjectStore` trait, and handing it this store is a compile error (two
//! versions of the crate in one build), never a runtime surprise: pick the tool release
//! that uses 0.13.
//!
//! The store is built from [`S3Credentials`]: its endpoint (path-style addressing,
//! `{endpoint}/{bucket name}/{key}`), keys and region. Plain `http` is allowed only to
//! this machine, by the rule the client applies to its own endpoints. The secret key is
//! handed to `object_store` as a credential provider, whose `Debug` (and so the store's
//! and the builder's) shows it as `******`; no error of this module contains it.
//!
//! `Buckets::object_store` (both clients, in `buckets.rs`) fetches a bucket's
//! credentials and name and calls [`S3Credentials::object_store`].

use std::sync::Arc;

use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::StaticCredentialProvider;

use crate::core::config::{validate_endpoint, without_userinfo};
use crate::models::S3Credentials;
use crate::{Error, Result};

impl S3Credentials {
    /// The bucket named `bucket_name` (its [`name`](crate::storage::Bucket::name), as
    /// in the docs' boto3 example) as an [`object_store`] 0.13 store over these
    /// credentials' S3-compatible endpoint. Hand it to DataFusion, Polars or any tool
    /// that takes an `ObjectStore` of `object_store` 0.13 (another release is a compile
    /// error). [`object_store_builder`](Self::object_store_builder) gives the builder,
    /// to change retries, timeouts or other `object_store` settings first.
    ///
    /// ```no_run
    /// # async fn run(creds: podstack::storage::S3Credentials) -> Result<(), Box<dyn std::error::Error>> {
    /// use object_store::{path::Path, ObjectStore, ObjectStoreExt};
    ///
    /// let store = creds.object_store("my-datasets")?;
    /// store.put(&Path::from("data/a.csv"), "x,y\n1,2\n".into()).await?;
    /// let bytes = store.get(&Path::from("data/a.csv")).await?.bytes().await?;
    /// # let _ = bytes; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the endpoint is not an `https` URL (or `http` to this
    /// machine), or `object_store` refuses the settings (e.g. an empty bucket name).
    pub fn object_store(&self, bucket_name: &str) -> Result<AmazonS3> {
        self.object_store_builder(bucket_name)?
            .build()
            .map_err(|e| Error::config(format!("cannot build the S3 store: {e}")))
    }

    /// The [`AmazonS3Builder`] that [`object_store`](Self::object_store) builds:
    /// endpoint, keys, region, bucket and path-style addressing set, for further
    /// `object_store` settings (retries, timeouts, `copy_if_not_exists`, ...). Its
    /// `Debug` hides the secret key like the store's.
    ///
    /// ```no_run
    /// # fn run(creds: podstack::storage::S3Credentials) -> Result<(), Box<dyn std::error::Error>> {
    /// use object_store::RetryConfig;
    ///
    /// let store = creds
    ///     .object_store_builder("my-datasets")?
    ///     .with_retry(RetryConfig { max_retries: 3, ..RetryConfig::default() })
    ///     .build()?;
    /// # let _ = store; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the endpoint is not an `https` URL (or `http` to this
    /// machine) or the bucket name is empty.
    pub fn object_store_builder(&self, bucket_name: &str) -> Result<AmazonS3Builder> {
        if bucket_name.trim().is_empty() {
            return Err(Error::config("the S3 store needs a bucket name"));
        }
        let endpoint = s3_endpoint(&self.endpoint)?;
        let credential = AwsCredential {
            key_id: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            token: None,
        };
        let mut builder = AmazonS3Builder::new()
            .with_endpoint(endpoint.as_str())
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(bucket_name)
            .with_credentials(Arc::new(StaticCredentialProvider::new(credential)));
        if !self.region.trim().is_empty() {
            builder = builder.with_region(self.region.trim());
        }
        Ok(builder)
    }
}

/// The credentials' endpoint, checked by the client's own endpoint rule: `https`, or
/// plain `http` only to this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
fn s3_endpoint(raw: &str) -> Result<String> {
    let shown = || without_userinfo(raw);
    let endpoint = validate_endpoint(raw, true)
        .map_err(|why| Error::config(format!("invalid S3 endpoint {:?}: {why}", shown())))?;
    validate_endpoint(raw, false).map_err(|_| {
        Error::config(format!(
            "the S3 endpoint {:?} is plain http to another machine, which would send \
             requests signed with the bucket's keys unencrypted; the S3 store takes https, \
             or http only to this machine",
            shown()
        ))
    })?;
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(endpoint: &str) -> S3Credentials {
        S3Credentials {
            access_key: "AKIAEXAMPLE".into(),
            secret_key: "very-secret-key".into(),
            endpoint: endpoint.into(),
            region: "eu-1".into(),
        }
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://s3.example.com",
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://[::1]:9000",
        ] {
            creds(ok).object_store("data").unwrap();
        }
        for bad in [
            "http://s3.example.com",
            "http://127.0.0.1.evil.com",
            "http://10.0.0.1:9000",
        ] {
            let err = creds(bad).object_store("data").unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{bad}: {err:?}");
            assert!(err.to_string().contains("plain http"), "{bad}: {err}");
        }
        let err = creds("ftp://s3.example.com")
            .object_store("data")
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let err = creds("https://s3.example.com")
            .object_store(" ")
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
    }

    #[test]
    fn the_secret_stays_out_of_debug_and_errors() {
        let c = creds("https://s3.example.com");
        let builder = c.object_store_builder("data").unwrap();
        assert!(!format!("{builder:?}").contains("very-secret-key"));
        let store = builder.build().unwrap();
        assert!(!format!("{store:?}").contains("very-secret-key"));
        assert!(!store.to_string().contains("very-secret-key"));
        let mut leaky = creds("http://user:very-secret-key@s3.example.com");
        leaky.secret_key = "very-secret-key".into();
        let err = leaky.object_store("data").unwrap_err();
        assert!(!err.to_string().contains("very-secret-key"), "{err}");
        assert!(!format!("{err:?}").contains("very-secret-key"), "{err:?}");
    }
}
