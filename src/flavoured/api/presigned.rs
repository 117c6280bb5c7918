//! Presigned URLs: absolute URLs the API signed for one object and method. Whoever holds
//! one may use it until it expires, so requests to it carry neither the token nor the
//! project: the token never travels to wherever the URL points.

use std::path::Path;

use super::{flavour, Client};
use crate::transfer::plan::DownloadItem;
use crate::transfer::route::Route;
use crate::transport::RequestBodyOf;
use crate::wire::presigned::{self as wire, checked_url};
use crate::{models::TransferSummary, Result, TransferOptions};

/// Calls through presigned URLs. Get one with [`Client::presigned`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Presigned {
    client: Client,
}

impl Presigned {
    pub(crate) fn new(client: &Client) -> Self {
        Presigned {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Presigned {
    /// Downloads what a presigned `GET` URL points at into `local` (streamed, written
    /// under its final name only when complete), without the token.
    #[doc = doc_example!(
        "let url = \"https://storage.example.com/b/data.csv?X-Signature=...\";\n"
        "client.presigned().download(url, \"./data.csv\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if `url` is not an absolute http(s) URL
    /// (nothing is sent); the store's refusal as the matching HTTP error (an expired URL is
    /// typically [`Error::Permission`](crate::Error::Permission), HTTP 403);
    /// [`Error::Network`](crate::Error::Network) or
    /// [`Error::Timeout`](crate::Error::Timeout) from the transport;
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be written.
    pub async fn download(&self, url: &str, local: impl AsRef<Path>) -> Result<TransferSummary> {
        self.download_with(url, local, &TransferOptions::new())
            .await
    }

    /// [`download`](Self::download), reporting progress.
    ///
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let url = \"https://storage.example.com/b/data.csv?X-Signature=...\";\n"
        "let options = TransferOptions::new().progress(|done, total| eprintln!(\"{done}/{total} bytes\"));\n"
        "client.presigned().download_with(url, \"./data.csv\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// As [`download`](Self::download).
    pub async fn download_with(
        &self,
        url: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let url = checked_url(url)?;
        let item = DownloadItem {
            // Named without its query, which holds the signature.
            key: wire::fetch(url).describe(),
            target: local.as_ref().to_path_buf(),
            size: None,
        };
        self.client
            .download_file(&Route::Presigned(url), &item, options)
            .await
    }

    /// Uploads a local file through a presigned `PUT` URL (streamed from disk), without
    /// the token.
    ///
    #[doc = doc_example!(
        "let url = \"https://storage.example.com/b/data.csv?X-Signature=...\";\n"
        "client.presigned().upload(url, \"./data.csv\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if `url` is not an absolute http(s) URL
    /// (nothing is sent); the store's refusal as the matching HTTP error (an expired URL is
    /// typically [`Error::Permission`](crate::Error::Permission), HTTP 403);
    /// [`Error::Network`](crate::Error::Network) or
    /// [`Error::Timeout`](crate::Error::Timeout) from the transport;
    /// [`Error::Io`](crate::Error::Io) if the local file cannot be read (or changes size
    /// while it is sent).
    pub async fn upload(&self, url: &str, local: impl AsRef<Path>) -> Result<TransferSummary> {
        self.upload_with(url, local, &TransferOptions::new()).await
    }

    /// [`upload`](Self::upload), reporting progress.
    ///
    #[doc = doc_example!(
        "use podstack::TransferOptions;\n\n"
        "let url = \"https://storage.example.com/b/data.csv?X-Signature=...\";\n"
        "let options = TransferOptions::new().progress(|done, total| eprintln!(\"{done}/{total} bytes\"));\n"
        "client.presigned().upload_with(url, \"./data.csv\", &options)" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// As [`upload`](Self::upload).
    pub async fn upload_with(
        &self,
        url: &str,
        local: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferSummary> {
        let url = checked_url(url)?;
        let local = local.as_ref();
        if local.is_dir() {
            return Err(crate::transfer::plan::presigned_directory_error(local));
        }
        let (items, _) = crate::transfer::plan::plan_upload(local, "", false)?;
        self.client
            .upload_items(&Route::Presigned(url), items, options)
            .await
    }

    /// Sends `body` through a presigned `PUT` URL: the one-shot readers of each client
    /// come through here.
    pub(crate) async fn put_body(&self, url: &str, body: RequestBodyOf<'_>) -> Result<()> {
        self.client.send_empty(wire::put_body(url, body)?).await
    }
}
