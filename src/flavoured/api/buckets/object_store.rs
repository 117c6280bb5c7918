//! `Buckets::object_store`, compiled into each client's API (see `flavoured/mod.rs`).

use super::{flavour, Buckets};
use crate::Result;

#[flavour]
impl Buckets {
    /// The bucket as an [`object_store`] 0.13 store (`object_store::aws::AmazonS3`),
    /// for DataFusion, Polars and the other tools that read through that crate: fetches
    /// the bucket's [`credentials`](Self::credentials) and its name (two calls), then
    /// [`S3Credentials::object_store`](crate::storage::S3Credentials::object_store),
    /// except that the store reaches the endpoint as this client reaches its own: by
    /// this client's proxy rule ([`proxy`](crate::ClientBuilder::proxy),
    /// [`no_proxy`](crate::ClientBuilder::no_proxy), or the environment it read when it
    /// was built; plain `http` to this machine never through a proxy elsewhere), and
    /// trusting the root certificates given to
    /// [`add_root_certificate`](crate::ClientBuilder::add_root_certificate) besides the
    /// operating system's. The store is async and works in any tokio runtime, whichever
    /// client made it.
    #[doc = doc_example!(
        "use object_store::{path::Path, ObjectStore};\n\n"
        "let store = client.buckets().object_store(\"bucket-id\")" await "?;\n"
        "# let _ = async move {\n"
        "let listing = store.list_with_delimiter(Some(&Path::from(\"data\"))).await?;\n"
        "# Ok::<_, object_store::Error>(listing) };"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id;
    /// [`Error::Config`](crate::Error::Config) if the credentials' endpoint is not `https`
    /// (or `http` to this machine). Otherwise the [errors of every
    /// call](super::Client#errors-of-every-call).
    pub async fn object_store(&self, bucket_id: &str) -> Result<object_store::aws::AmazonS3> {
        let credentials = self.credentials(bucket_id).await?;
        let bucket = self.get(bucket_id).await?;
        credentials
            .object_store_builder_for(&bucket.name, self.client.store_net())?
            .build()
            .map_err(|e| crate::Error::config(format!("cannot build the S3 store: {e}")))
    }
}
