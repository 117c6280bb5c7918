//! The async client's runtime, as the API source asks for it (see
//! `flavoured/mod.rs`): futures of the calling task, `tokio::fs`, clean-ups spawned.

use futures_util::StreamExt;

use super::Client;
use crate::Result;

/// The local file system transfers write to.
pub(super) mod local_fs {

    /// What `Buckets::download_to_writer` writes into.
    pub(crate) trait Sink: tokio::io::AsyncWrite + Unpin + Send {}

    impl<W: tokio::io::AsyncWrite + Unpin + Send + ?Sized> Sink for W {}
    pub(crate) use tokio::fs::create_dir_all;
    pub(crate) use tokio::io::AsyncWriteExt as WriteExt;

    /// A tokio file whose write buffer is one network piece: tokio's default lets each
    /// open file hold up to 2 MiB, which parallel downloads would multiply.
    fn writer(file: std::fs::File) -> tokio::fs::File {
        let mut file = tokio::fs::File::from_std(file);
        file.set_max_buf_size(crate::transport::CHUNK_SIZE);
        file
    }

    /// The lowercase hex digest of a file's content, computed on a blocking thread.
    pub(crate) async fn content_hash(
        path: &std::path::Path,
        kind: crate::transfer::hash::ContentHash,
    ) -> std::io::Result<String> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || crate::transfer::hash::hash_of(&path, kind))
            .await
            .map_err(std::io::Error::other)?
    }

    /// Opens an existing file to write at `offset`.
    pub(crate) async fn open_at(
        path: &std::path::Path,
        offset: u64,
    ) -> std::io::Result<tokio::fs::File> {
        crate::transfer::partial::open_at(path, offset).map(writer)
    }
}

/// Runs `job` on each item, at most `limit` at once as concurrent futures of this task,
/// and returns the results in the items' order, or the first error (the others are
/// dropped, which cancels them).
pub(super) async fn concurrently<T, R, F>(
    limit: usize,
    items: Vec<T>,
    job: impl Fn(T) -> F,
) -> Result<Vec<R>>
where
    F: std::future::Future<Output = Result<R>>,
{
    use futures_util::TryStreamExt;

    let mut results: Vec<(usize, R)> = futures_util::stream::iter(items.into_iter().enumerate())
        .map(|(index, item)| {
            let job = job(item);
            async move { job.await.map(|result| (index, result)) }
        })
        .buffer_unordered(limit.max(1))
        .try_collect()
        .await?;
    results.sort_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// Sends a clean-up request for a transfer that ended early (a multipart upload to
/// abort): on the current tokio runtime in the background, since a dropped future
/// cannot wait for it.
pub(super) fn clean_up(client: &Client, request: crate::wire::ApiRequest) {
    let client = client.clone();
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Err(error) = client.send_empty(request).await {
                log::debug!("clean-up failed: {error}");
            }
        });
    }
}

/// Runs the future `work` makes inside `span` (a `tracing` span with the `tracing`
/// feature): entered on every poll, never held across an `.await`.
pub(super) async fn traced<F: std::future::Future>(
    span: &crate::net::trace::Span,
    work: impl FnOnce() -> F,
) -> F::Output {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        work().instrument(span.clone()).await
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = span;
        work().await
    }
}
