//! Storage types: buckets, their objects, and NFS volumes, as the platform service
//! answers them (`{platform}/api/v1/buckets…`, `/api/v1/storage…`).
//!
//! Read tolerantly, as the contract asks: `visibility` or `is_public`, `size_gb` or
//! `size_bytes`, `key` or `path`, numbers as JSON numbers or strings, absent numbers 0
//! and absent strings empty; lists bare or wrapped.

use std::fmt;
use std::str::FromStr;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::{tolerant, ParseEnumError};

const GB: f64 = 1_000_000_000.0;

/// Who may read a bucket's objects without credentials.
///
/// A closed set: [`str::parse`] and JSON take `private` or `public` in any ASCII case
/// and refuse anything else; `Display` and `Serialize` write the lower-case name.
///
/// ```
/// use podstack::Visibility;
///
/// assert_eq!("Public".parse::<Visibility>()?, Visibility::Public);
/// assert_eq!(Visibility::Private.to_string(), "private");
/// assert!("shared".parse::<Visibility>().is_err());
/// # Ok::<(), podstack::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Visibility {
    /// Only holders of a token or of the bucket's S3 credentials.
    Private,
    /// Anyone with the URL.
    Public,
}

impl Visibility {
    /// `"private"` or `"public"`.
    ///
    /// ```
    /// assert_eq!(podstack::Visibility::Public.as_str(), "public");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Public => "public",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = ParseEnumError;

    /// `private` or `public`, ignoring ASCII case and surrounding white space.
    fn from_str(value: &str) -> Result<Self, ParseEnumError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "private" => Ok(Visibility::Private),
            "public" => Ok(Visibility::Public),
            _ => Err(ParseEnumError::new(
                "visibility",
                value,
                &["private", "public"],
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Visibility {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value.parse().map_err(serde::de::Error::custom)
    }
}

/// An object storage bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Bucket {
    /// Bucket id.
    pub id: String,
    /// Name, unique in the project.
    pub name: String,
    /// Description.
    pub description: String,
    /// State, e.g. `active`.
    pub status: String,
    /// Region.
    pub region: String,
    /// Whether anyone may read its objects (see [`Bucket::visibility`]).
    pub is_public: bool,
    /// Whether object versioning is on.
    pub versioning: bool,
    /// Bytes stored.
    pub size_bytes: u64,
    /// Objects stored.
    pub object_count: u64,
    /// Its S3-compatible endpoint.
    pub endpoint: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

super::datetime_accessors!(Bucket, "podstack::storage::Bucket" {
    created_at_datetime => created_at, "creation time";
});

impl Bucket {
    /// `Public` or `Private`, the documented view of [`is_public`](Self::is_public).
    ///
    /// ```
    /// # fn show(bucket: &podstack::storage::Bucket) {
    /// if bucket.visibility() == podstack::Visibility::Public {
    ///     println!("{} is readable by anyone with the URL", bucket.name);
    /// }
    /// # }
    /// ```
    pub fn visibility(&self) -> Visibility {
        if self.is_public {
            Visibility::Public
        } else {
            Visibility::Private
        }
    }

    /// The size in GB (10⁹ bytes), the documented view of
    /// [`size_bytes`](Self::size_bytes).
    ///
    /// ```
    /// # fn show(bucket: &podstack::storage::Bucket) {
    /// println!("{}: {:.1} GB in {} objects", bucket.name, bucket.size_gb(), bucket.object_count);
    /// # }
    /// ```
    pub fn size_gb(&self) -> f64 {
        self.size_bytes as f64 / GB
    }
}

impl<'de> Deserialize<'de> for Bucket {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(deserialize_with = "tolerant::identity")]
            id: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            name: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            description: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            status: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            region: String,
            #[serde(default, deserialize_with = "tolerant::option")]
            is_public: Option<bool>,
            #[serde(default, deserialize_with = "tolerant::option")]
            visibility: Option<String>,
            #[serde(default, deserialize_with = "tolerant::value")]
            versioning: bool,
            #[serde(default, deserialize_with = "tolerant::option")]
            size_bytes: Option<f64>,
            #[serde(default, deserialize_with = "tolerant::option")]
            size_gb: Option<f64>,
            #[serde(default, alias = "objects", deserialize_with = "tolerant::value")]
            object_count: u64,
            #[serde(default, deserialize_with = "tolerant::value")]
            endpoint: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            created_at: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        let is_public = match (wire.is_public, wire.visibility) {
            (Some(flag), _) => flag,
            (None, Some(v)) => v.eq_ignore_ascii_case("public"),
            (None, None) => false,
        };
        let size_bytes = bytes_or_gb(wire.size_bytes, wire.size_gb);
        Ok(Bucket {
            id: wire.id,
            name: wire.name,
            description: wire.description,
            status: wire.status,
            region: wire.region,
            is_public,
            versioning: wire.versioning,
            size_bytes,
            object_count: wire.object_count,
            endpoint: wire.endpoint,
            created_at: wire.created_at,
        })
    }
}

/// What to create: the body of `POST /api/v1/buckets`.
///
/// ```
/// use podstack::{NewBucket, Visibility};
///
/// let bucket = NewBucket::new("my-datasets").visibility(Visibility::Private);
/// # let _ = bucket;
/// ```
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct NewBucket {
    /// Name: 3 to 63 lowercase letters, digits, `-` and `.`.
    pub name: String,
    /// Description.
    pub description: String,
    /// Region; the service's default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Keep every version of an object.
    pub versioning: bool,
    /// Readable by anyone with the URL.
    pub is_public: bool,
    /// A cap on its size, GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size_gb: Option<u64>,
}

impl NewBucket {
    /// A private bucket with this name.
    ///
    /// ```
    /// let bucket = podstack::NewBucket::new("my-datasets");
    /// assert!(!bucket.is_public);
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        NewBucket {
            name: name.into(),
            description: String::new(),
            region: None,
            versioning: false,
            is_public: false,
            max_size_gb: None,
        }
    }

    /// Adds a description.
    ///
    /// ```
    /// let bucket = podstack::NewBucket::new("my-datasets").description("training data");
    /// assert_eq!(bucket.description, "training data");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The region to create it in.
    ///
    /// ```
    /// let bucket = podstack::NewBucket::new("my-datasets").region("eu-west-1");
    /// assert_eq!(bucket.region.as_deref(), Some("eu-west-1"));
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Keeps every version of each object.
    ///
    /// ```
    /// let bucket = podstack::NewBucket::new("my-datasets").versioning(true);
    /// assert!(bucket.versioning);
    /// ```
    pub fn versioning(mut self, versioning: bool) -> Self {
        self.versioning = versioning;
        self
    }

    /// Public or private (the default).
    ///
    /// ```
    /// use podstack::{NewBucket, Visibility};
    ///
    /// let bucket = NewBucket::new("public-assets").visibility(Visibility::Public);
    /// assert!(bucket.is_public);
    /// ```
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.is_public = visibility == Visibility::Public;
        self
    }

    /// Caps its size, GB.
    ///
    /// ```
    /// let bucket = podstack::NewBucket::new("my-datasets").max_size_gb(500);
    /// assert_eq!(bucket.max_size_gb, Some(500));
    /// ```
    pub fn max_size_gb(mut self, max_size_gb: u64) -> Self {
        self.max_size_gb = Some(max_size_gb);
        self
    }
}

/// An object in a bucket. Serialized as the service sends it, the key as `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StoredObject {
    /// Its key, e.g. `datasets/data.csv`.
    #[serde(rename = "path")]
    pub key: String,
    /// Its size, bytes.
    pub size_bytes: u64,
    /// The service's tag for its content.
    pub etag: String,
    /// When it was last written (RFC 3339).
    pub last_modified: String,
}

super::datetime_accessors!(StoredObject, "podstack::storage::StoredObject" {
    last_modified_datetime => last_modified, "when it was last written";
});

impl<'de> Deserialize<'de> for StoredObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(alias = "key", deserialize_with = "tolerant::identity")]
            path: String,
            #[serde(default, alias = "size", deserialize_with = "tolerant::value")]
            size_bytes: u64,
            #[serde(default, deserialize_with = "tolerant::value")]
            etag: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            last_modified: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(StoredObject {
            key: wire.path,
            size_bytes: wire.size_bytes,
            etag: wire.etag.trim_matches('"').to_owned(),
            last_modified: wire.last_modified,
        })
    }
}

/// Which objects to list, and how many per page.
///
/// ```
/// let query = podstack::ObjectQuery::new().prefix("datasets/").max_keys(100);
/// # let _ = query;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct ObjectQuery {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// At most this many per page (the service caps it, at 1000 by default).
    pub max_keys: Option<u32>,
    /// Where to start: a page's [`ObjectPage::next_continuation_token`].
    pub continuation_token: Option<String>,
}

impl ObjectQuery {
    /// Every object.
    ///
    /// ```
    /// let everything = podstack::ObjectQuery::new();
    /// assert_eq!(everything.prefix, None);
    /// ```
    pub fn new() -> Self {
        ObjectQuery::default()
    }

    /// Only keys starting with `prefix`.
    ///
    /// ```
    /// let query = podstack::ObjectQuery::new().prefix("datasets/");
    /// assert_eq!(query.prefix.as_deref(), Some("datasets/"));
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// At most `max_keys` per page.
    ///
    /// ```
    /// let query = podstack::ObjectQuery::new().max_keys(100);
    /// assert_eq!(query.max_keys, Some(100));
    /// ```
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = Some(max_keys);
        self
    }

    /// Starts after the page that gave this token.
    ///
    /// ```
    /// # fn next(page: &podstack::storage::ObjectPage) {
    /// // `page` from `client.buckets().list_objects(..)`, with either client.
    /// if let Some(token) = &page.next_continuation_token {
    ///     let next = podstack::ObjectQuery::new().continuation_token(token);
    ///     # let _ = next;
    /// }
    /// # }
    /// ```
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
}

/// One page of a bucket's objects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ObjectPage {
    /// The objects on this page.
    #[serde(default, alias = "items", alias = "contents")]
    pub objects: Vec<StoredObject>,
    /// Whether more pages follow.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub is_truncated: bool,
    /// The token for the next page, when there is one.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub next_continuation_token: Option<String>,
}

impl ObjectPage {
    /// The token of the next page, or `None` on the last page.
    pub(crate) fn next_token(&self) -> Option<&str> {
        self.next_continuation_token
            .as_deref()
            .filter(|token| !token.is_empty())
            .filter(|_| self.is_truncated || !self.objects.is_empty())
    }
}

/// What [`Buckets::delete_objects`](crate::Buckets::delete_objects) did: every key is
/// either deleted or has an error, and one failure never stops the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteObjectsReport {
    /// Keys deleted.
    #[serde(default)]
    pub deleted: Vec<String>,
    /// Keys not deleted, with why.
    #[serde(default)]
    pub errors: Vec<DeleteObjectError>,
}

/// A key [`Buckets::delete_objects`](crate::Buckets::delete_objects) could not delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteObjectError {
    /// The key.
    #[serde(alias = "key")]
    pub path: String,
    /// Why.
    #[serde(default)]
    pub message: String,
}

/// A URL that lets whoever holds it get or put one object until it expires, without
/// a token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PresignedUrl {
    /// The URL. Treat it as a secret until it expires.
    pub url: String,
    /// `GET` or `PUT`.
    #[serde(default)]
    pub method: String,
    /// When it stops working (RFC 3339).
    #[serde(default)]
    pub expires_at: String,
}

super::datetime_accessors!(PresignedUrl, "podstack::storage::PresignedUrl" {
    expires_at_datetime => expires_at, "when it stops working";
});

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query holds the signature: a log line must not make the URL usable.
        let base = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("PresignedUrl")
            .field("url", &format_args!("{base}?[redacted]"))
            .field("method", &self.method)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Credentials for a bucket's S3-compatible endpoint (boto3, rclone, the AWS CLI).
/// `Debug` hides the secret key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct S3Credentials {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
    /// The S3 endpoint URL.
    #[serde(default)]
    pub endpoint: String,
    /// The region to sign for.
    #[serde(default)]
    pub region: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"[redacted]")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish()
    }
}

/// An NFS volume: shared storage that pods mount (see
/// [`NewPod::volume`](crate::NewPod::volume)).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Volume {
    /// Volume id.
    pub id: String,
    /// Name.
    pub name: String,
    /// State, e.g. `available`.
    pub status: String,
    /// Quota, GB.
    pub quota_gb: u64,
    /// Bytes used.
    pub used_bytes: u64,
    /// Whether it is exported over NFS.
    pub nfs_enabled: bool,
    /// The NFS server's host.
    pub nfs_server: String,
    /// The exported path.
    pub nfs_path: String,
    /// Billing period, e.g. `month`.
    pub billing_period: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

super::datetime_accessors!(Volume, "podstack::storage::Volume" {
    created_at_datetime => created_at, "creation time";
});

impl Volume {
    /// Space used in GB (10⁹ bytes), the documented view of
    /// [`used_bytes`](Self::used_bytes).
    ///
    /// ```
    /// # fn show(volume: &podstack::storage::Volume) {
    /// println!("{}: {:.1} of {} GB used", volume.name, volume.used_gb(), volume.quota_gb);
    /// # }
    /// ```
    pub fn used_gb(&self) -> f64 {
        self.used_bytes as f64 / GB
    }

    /// The command that mounts it at `mount_point` on a Linux host:
    /// `mount -t nfs {server}:{path} {mount_point}`.
    ///
    /// ```
    /// # fn show(volume: &podstack::storage::Volume) {
    /// println!("{}", volume.mount_command("/mnt/data"));
    /// # }
    /// ```
    pub fn mount_command(&self, mount_point: &str) -> String {
        format!(
            "mount -t nfs {}:{} {mount_point}",
            self.nfs_server, self.nfs_path
        )
    }
}

impl<'de> Deserialize<'de> for Volume {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(deserialize_with = "tolerant::identity")]
            id: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            name: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            status: String,
            #[serde(default, deserialize_with = "tolerant::option")]
            quota_gb: Option<f64>,
            #[serde(default, deserialize_with = "tolerant::option")]
            quota_bytes: Option<f64>,
            #[serde(default, deserialize_with = "tolerant::option")]
            used_bytes: Option<f64>,
            #[serde(default, deserialize_with = "tolerant::option")]
            used_gb: Option<f64>,
            #[serde(default, deserialize_with = "tolerant::value")]
            nfs_enabled: bool,
            #[serde(default, deserialize_with = "tolerant::value")]
            nfs_server: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            nfs_path: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            billing_period: String,
            #[serde(default, deserialize_with = "tolerant::value")]
            created_at: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        let quota_gb = match (wire.quota_gb, wire.quota_bytes) {
            (Some(gb), _) => whole(gb),
            (None, Some(bytes)) => whole(bytes / GB),
            (None, None) => 0,
        };
        let used_bytes = bytes_or_gb(wire.used_bytes, wire.used_gb);
        Ok(Volume {
            id: wire.id,
            name: wire.name,
            status: wire.status,
            quota_gb,
            used_bytes,
            nfs_enabled: wire.nfs_enabled,
            nfs_server: wire.nfs_server,
            nfs_path: wire.nfs_path,
            billing_period: wire.billing_period,
            created_at: wire.created_at,
        })
    }
}

/// What to create: the body of `POST /api/v1/storage`.
///
/// ```
/// let volume = podstack::NewVolume::new("shared-data", 100);
/// # let _ = volume;
/// ```
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewVolume {
    /// Name.
    pub name: String,
    /// Quota, GB.
    pub quota_gb: u64,
    /// Export it over NFS (default `true`).
    pub nfs_enabled: bool,
    /// Billing period (default `month`).
    pub billing_period: String,
}

impl NewVolume {
    /// An NFS volume billed monthly.
    ///
    /// ```
    /// let volume = podstack::NewVolume::new("shared-data", 100);
    /// assert_eq!((volume.quota_gb, volume.billing_period.as_str()), (100, "month"));
    /// ```
    pub fn new(name: impl Into<String>, quota_gb: u64) -> Self {
        NewVolume {
            name: name.into(),
            quota_gb,
            nfs_enabled: true,
            billing_period: "month".to_owned(),
        }
    }

    /// Whether to export it over NFS.
    ///
    /// ```
    /// let volume = podstack::NewVolume::new("scratch", 10).nfs_enabled(false);
    /// assert!(!volume.nfs_enabled);
    /// ```
    pub fn nfs_enabled(mut self, nfs_enabled: bool) -> Self {
        self.nfs_enabled = nfs_enabled;
        self
    }

    /// The billing period, e.g. `month`.
    ///
    /// ```
    /// let volume = podstack::NewVolume::new("shared-data", 100).billing_period("hour");
    /// assert_eq!(volume.billing_period, "hour");
    /// ```
    pub fn billing_period(mut self, billing_period: impl Into<String>) -> Self {
        self.billing_period = billing_period.into();
        self
    }
}

/// A list of buckets or volumes, bare (`[...]`) or wrapped (`{"buckets": [...]}`,
/// `{"volumes": [...]}`, `{"items": [...]}`).
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum AnyList<T> {
    Bare(Vec<T>),
    Wrapped {
        #[serde(
            alias = "buckets",
            alias = "volumes",
            alias = "objects",
            alias = "data"
        )]
        items: Vec<T>,
    },
}

impl<T> AnyList<T> {
    pub(crate) fn into_items(self) -> Vec<T> {
        match self {
            AnyList::Bare(items) | AnyList::Wrapped { items } => items,
        }
    }
}

/// A non-negative whole number from a value the service may send fractional.
fn whole(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value.round() as u64
    } else {
        0
    }
}

/// Bytes from whichever the service sent: bytes, or GB (10⁹ bytes).
fn bytes_or_gb(bytes: Option<f64>, gb: Option<f64>) -> u64 {
    match (bytes, gb) {
        (Some(bytes), _) => whole(bytes),
        (None, Some(gb)) => whole(gb * GB),
        (None, None) => 0,
    }
}

/// The answer to starting a multipart upload.
#[derive(Deserialize)]
pub(crate) struct MultipartStarted {
    pub upload_id: String,
}

/// The answer to a part's upload.
#[derive(Deserialize)]
pub(crate) struct PartUploaded {
    #[serde(default)]
    pub etag: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_read_either_view() {
        let a: Bucket = serde_json::from_str(
            r#"{"id":"b1","name":"d","is_public":true,"size_bytes":2500000000,"object_count":3}"#,
        )
        .unwrap();
        let b: Bucket = serde_json::from_str(
            r#"{"id":"b1","name":"d","visibility":"Public","size_gb":"2.5","objects":3}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.visibility(), Visibility::Public);
        assert!((a.size_gb() - 2.5).abs() < 1e-9);
        let bare: Bucket = serde_json::from_str(r#"{"id":"b2","endpoint":null}"#).unwrap();
        assert_eq!(bare.visibility(), Visibility::Private);
        assert_eq!((bare.size_bytes, bare.endpoint.as_str()), (0, ""));
        assert!(serde_json::from_str::<Bucket>(r#"{"name":"no id"}"#).is_err());
    }

    #[test]
    fn objects_and_volumes_read_their_aliases() {
        let o: StoredObject =
            serde_json::from_str(r#"{"key":"a/b","size":"12","etag":"\"abc\""}"#).unwrap();
        assert_eq!(
            (o.key.as_str(), o.size_bytes, o.etag.as_str()),
            ("a/b", 12, "abc")
        );
        let v: Volume = serde_json::from_str(
            r#"{"id":"v","quota_bytes":100000000000,"used_gb":1.5,"nfs_server":"10.0.0.5","nfs_path":"/exports/v"}"#,
        )
        .unwrap();
        assert_eq!((v.quota_gb, v.used_bytes), (100, 1_500_000_000));
        assert_eq!(
            v.mount_command("/mnt/data"),
            "mount -t nfs 10.0.0.5:/exports/v /mnt/data"
        );
    }

    #[test]
    fn lists_come_bare_or_wrapped() {
        for body in [
            r#"[{"id":"v"}]"#,
            r#"{"volumes":[{"id":"v"}]}"#,
            r#"{"items":[{"id":"v"}]}"#,
        ] {
            let list: AnyList<Volume> = serde_json::from_str(body).unwrap();
            assert_eq!(list.into_items().len(), 1, "{body}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let creds = S3Credentials {
            access_key: "AKIA1".into(),
            secret_key: "very-secret".into(),
            endpoint: "https://s3".into(),
            region: "r".into(),
        };
        assert!(!format!("{creds:?}").contains("very-secret"));
        let url = PresignedUrl {
            url: "https://s3/b/k?X-Signature=sig123".into(),
            method: "GET".into(),
            expires_at: String::new(),
        };
        assert!(!format!("{url:?}").contains("sig123"));
    }

    #[test]
    fn a_last_page_has_no_next_token() {
        let page: ObjectPage = serde_json::from_str(
            r#"{"objects":[],"is_truncated":false,"next_continuation_token":""}"#,
        )
        .unwrap();
        assert_eq!(page.next_token(), None);
    }
}
