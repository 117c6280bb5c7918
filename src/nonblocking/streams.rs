//! The async client's lazy sequences: `Stream`s over the pages and lines of
//! `flavoured/pages.rs`.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};

use super::pages;
#[cfg(doc)]
use super::Pods;
use crate::Result;

/// Log lines as a pod writes them, from [`Pods::follow_logs`]: a
/// `Stream<Item = Result<String>>` that ends when the server ends it (the pod stopped).
/// Dropping it closes the connection.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), podstack::Error> {
/// let client = podstack::nonblocking::Client::new()?;
/// let mut lines = client.pods().follow_logs("pod-id").await?;
/// while let Some(line) = lines.next_line().await {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub struct LogStream {
    lines: Pin<Box<dyn Stream<Item = Result<String>> + Send>>,
}

impl LogStream {
    pub(super) fn new(lines: pages::Lines) -> Self {
        let lines = futures_util::stream::unfold(lines, |mut lines| async move {
            let line = lines.next_item().await?;
            Some((line, lines))
        });
        LogStream {
            lines: Box::pin(lines),
        }
    }

    /// The next line, or `None` at the end (the same as `StreamExt::next`).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let mut lines = client.pods().follow_logs("pod-id").await?;
    /// while let Some(line) = lines.next_line().await {
    ///     println!("{}", line?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_line(&mut self) -> Option<Result<String>> {
        self.lines.next().await
    }
}

impl Stream for LogStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.lines.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

/// The items of a list, fetched lazily a page at a time as the stream is read, from
/// calls such as [`Pods::list_stream`]. An error ends it after being yielded.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), podstack::Error> {
/// use futures_util::StreamExt;
///
/// let client = podstack::nonblocking::Client::new()?;
/// let mut pods = client.pods().list_stream(&podstack::PodFilter::new()).take(10);
/// while let Some(pod) = pods.next().await {
///     println!("{}", pod?.name);
/// }
/// # Ok(()) }
/// ```
pub struct ListStream<T> {
    items: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> ListStream<T> {
    pub(super) fn new<P>(pages: pages::Pages<P>) -> Self
    where
        P: crate::paging::Pager<Item = T> + 'static,
        T: Send + 'static,
    {
        let items = futures_util::stream::unfold(pages, |mut pages| async move {
            let item = pages.next_item().await?;
            Some((item, pages))
        });
        ListStream {
            items: Box::pin(items),
        }
    }

    /// The next item, or `None` at the end (the same as `StreamExt::next`).
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::nonblocking::Client::new()?;
    /// let mut pods = client.pods().list_stream(&podstack::PodFilter::new());
    /// if let Some(first) = pods.next_item().await {
    ///     println!("{}", first?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_item(&mut self) -> Option<Result<T>> {
        self.items.next().await
    }
}

impl<T> Stream for ListStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListStream").finish_non_exhaustive()
    }
}
