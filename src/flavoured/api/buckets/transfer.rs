//! Moving files between disk and a bucket, at full speed in flat memory: the public
//! calls. The bytes move through the client's one transfer engine
//! (`flavoured/transfer/`) on [`Route::Bucket`], which has multipart uploads from
//! [`TransferOptions::multipart_threshold`] and parallel ranged downloads.

use std::path::Path;

use super::{flavour, Buckets};
use crate::transfer::plan::{
    download_target, outside_error, plan_download, plan_upload, DownloadItem, Listed,
};
use crate::transfer::route::Route;
use crate::{models::TransferSummary, ObjectQuery, Result, TransferOptions};

/// A listed key's path below `prefix`, `/`-separated and exactly as listed (see
/// [`key_paths`](crate::transfer::key_paths) for which become local paths); `None` for a folder
/// marker (a key ending in `/`, which holds no file). A key outside the prefix is an
/// error: the server listed what was not asked for.
pub(crate) fn relative_key<'k>(key: &'k str, prefix: &str) -> Result<Option<&'k str>> {
    let relative = key
        .strip_prefix(prefix)
        .ok_or_else(|| outside_error(key, prefix))?;
    Ok((!relative.is_empty() && !relative.ends_with('/')).then_some(relative))
}

#[flavour]
impl Buckets {
    /// Uploads a local file as the object `key`. A `key` ending in `/` is a prefix: the
    /// file keeps its name under it. Files of at least 100 MiB go multipart (see
    /// [`upload_with`](Self::upload_with)).
    #[doc = doc_example!(
        "client.buckets().upload(\"bucket-id\", \"./data.csv\", \"datasets/data.csv\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be read, changes size
    /// while it is sent, or is a directory without [`TransferOptions::recursive`];
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](super::Client#errors-of-every-call).
    pub async fn upload(
        &self,
        bucket_id: &str,
        local: impl AsRef<Path>,
        key: &str,
    ) -> Result<TransferSummary> {
        self.upload_with(bucket_id, local, key, &TransferOptions::new())
            .await
    }

    /// Uploads a file, or with [`TransferOptions::recursive`] a directory tree with each
    /// file's key under the `key` prefix, reporting progress.
    ///
    /// Files stream from disk. Those of at least
    /// [`multipart_threshold`](TransferOptions::multipart_threshold) go multipart in
    /// [`part_size`](TransferOptions::part_size) parts,
    /// [`concurrency`](TransferOptions::concurrency) at once, each part retried on its
    /// own; an upload that fails is aborted on the server. Smaller files move
    /// `concurrency` at once. A file that changes size while it is sent fails with
    /// [`Error::Io`](crate::Error::Io) "file changed during upload". A symbolic link that
    /// leads nowhere is skipped, logged as a warning and listed in
    /// [`TransferSummary::skipped`]; links to directories are not followed.
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new()\n"
        "    .recursive(true)\n"
        "    .part_size(100 * 1024 * 1024)\n"
        "    .progress(|done, total| eprintln!(\"Uploading: {done}/{total} bytes\"));\n"
        "client.buckets().upload_with(\"bucket-id\", \"./training_data/\", \"data/\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be read, changes size
    /// while it is sent, is a directory without [`TransferOptions::recursive`], or has a
    /// name that is not Unicode (which no key can name: nothing is sent);
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](super::Client#errors-of-every-call).
    pub async fn upload_with(
        &self,
        bucket_id: &str,
        local: impl AsRef<Path>,
        key: &str,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let (mut items, skipped) = plan_upload(local.as_ref(), key, options.recursive)?;
        for item in &mut items {
            item.remote = item.remote.trim_start_matches('/').to_owned();
        }
        let mut summary = self
            .client
            .upload_items(&Route::Bucket(bucket_id), items, options)
            .await?;
        summary.skipped = skipped;
        Ok(summary)
    }

    /// Downloads the object `key` to `local`. An existing local directory, or a `local`
    /// ending in a path separator, receives it under the key's last segment. Objects of
    /// at least 100 MiB are fetched in parallel ranges (see
    /// [`download_with`](Self::download_with)).
    #[doc = doc_example!(
        "client.buckets().download(\"bucket-id\", \"models/model.pt\", \"./model.pt\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be written;
    /// [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does not
    /// exist. Otherwise the [errors of every call](super::Client#errors-of-every-call).
    pub async fn download(
        &self,
        bucket_id: &str,
        key: &str,
        local: impl AsRef<Path>,
    ) -> Result<TransferSummary> {
        self.download_with(bucket_id, key, local, &TransferOptions::new())
            .await
    }

    /// Downloads an object, or with [`TransferOptions::recursive`] every object under
    /// the `key` prefix into the directory `local` (keys become relative paths),
    /// reporting progress.
    ///
    /// Objects stream to disk and appear under their final names only when complete;
    /// a failed or cancelled download leaves no partial file. Objects of at least
    /// [`multipart_threshold`](TransferOptions::multipart_threshold) are fetched as
    /// [`concurrency`](TransferOptions::concurrency) ranged requests at once into one
    /// pre-sized file; smaller objects move `concurrency` at once. Each answer must hold
    /// exactly what it promised (its `Content-Length` or `Content-Range`, and the listed
    /// size): one that breaks off is fetched again, as a failed request is retried.
    ///
    /// A key is written only to the one local path that maps back to it: keys with an
    /// empty, `.` or `..` segment, names this platform refuses (on Windows `\`, `:`,
    /// `CON`...), keys that land on one file with another (by case on Windows and macOS),
    /// and paths through a symbolic link inside `local` are skipped, logged as warnings
    /// and listed in [`TransferSummary::skipped`] with their
    /// [`SkipReason`](crate::transfer::SkipReason). Nothing is ever written outside
    /// `local`.
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let options = TransferOptions::new().recursive(true);\n"
        "client.buckets().download_with(\"bucket-id\", \"results/\", \"./results/\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Io`](crate::Error::Io) if a local file cannot be written, or the
    /// key's last segment is no file name here when `local` is a directory;
    /// [`Error::Network`](crate::Error::Network) if an answer breaks off (after the
    /// retries); [`Error::Integrity`](crate::Error::Integrity) if the object changes
    /// during the download or a range comes back other than asked (not retried);
    /// [`Error::NotFound`](crate::Error::NotFound) if the bucket or the object does not
    /// exist. Otherwise the [errors of every call](super::Client#errors-of-every-call).
    pub async fn download_with(
        &self,
        bucket_id: &str,
        key: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let local = local.as_ref();
        if !options.recursive {
            let item = DownloadItem {
                key: key.to_owned(),
                target: download_target(key, local)?,
                size: None,
            };
            return self
                .client
                .download_items(&Route::Bucket(bucket_id), vec![item], options)
                .await;
        }
        let prefix = match key.trim_start_matches('/') {
            "" => String::new(),
            key => format!("{}/", key.trim_end_matches('/')),
        };
        let objects = self
            .list_objects(bucket_id, &ObjectQuery::new().prefix(prefix.as_str()))
            .await?;
        let mut listed = Vec::with_capacity(objects.len());
        for object in &objects {
            if let Some(relative) = relative_key(&object.key, &prefix)? {
                // Else a folder marker.
                listed.push(Listed {
                    remote: &object.key,
                    relative,
                    shown: &object.key,
                    is_dir: false,
                    size: object.size_bytes,
                });
            }
        }
        let plan = plan_download(local, &listed);
        let (items, skipped) = (plan.items, plan.skipped);
        let mut summary = self
            .client
            .download_items(&Route::Bucket(bucket_id), items, options)
            .await?;
        summary.skipped = skipped;
        Ok(summary)
    }
}
