//! The blocking client's lazy sequences: `Iterator`s over the pages and lines of
//! `flavoured/pages.rs`.

use super::pages;
#[cfg(doc)]
use super::Pods;
use crate::Result;

/// Log lines as a pod writes them, from [`Pods::follow_logs`]: an
/// `Iterator<Item = Result<String>>` that ends when the server ends the stream (the pod
/// stopped). Dropping it closes the connection.
///
/// ```no_run
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?;
/// for line in client.pods().follow_logs("pod-id")? {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub struct LogStream {
    lines: pages::Lines,
}

impl LogStream {
    pub(super) fn new(lines: pages::Lines) -> Self {
        LogStream { lines }
    }

    /// The next line, or `None` at the end (the same as [`Iterator::next`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut lines = client.pods().follow_logs("pod-id")?;
    /// while let Some(line) = lines.next_line() {
    ///     println!("{}", line?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_line(&mut self) -> Option<Result<String>> {
        self.lines.next_item()
    }
}

impl Iterator for LogStream {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line()
    }
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

/// The items of a list, fetched lazily a page at a time as the iterator is read, from
/// calls such as [`Pods::list_stream`]. An error ends it after being yielded.
///
/// ```no_run
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?;
/// for pod in client.pods().list_stream(&podstack::PodFilter::new()).take(10) {
///     println!("{}", pod?.name);
/// }
/// # Ok(()) }
/// ```
pub struct ListStream<T> {
    items: Box<dyn Iterator<Item = Result<T>> + Send>,
}

impl<T> ListStream<T> {
    pub(super) fn new<P>(pages: pages::Pages<P>) -> Self
    where
        P: crate::paging::Pager<Item = T> + 'static,
        T: Send + 'static,
    {
        let mut pages = pages;
        ListStream {
            items: Box::new(std::iter::from_fn(move || pages.next_item())),
        }
    }
}

impl<T> ListStream<T> {
    /// The next item, or `None` at the end (the same as [`Iterator::next`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut pods = client.pods().list_stream(&podstack::PodFilter::new());
    /// if let Some(first) = pods.next_item() {
    ///     println!("{}", first?.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn next_item(&mut self) -> Option<Result<T>> {
        self.items.next()
    }
}

impl<T> Iterator for ListStream<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item()
    }
}

impl<T> std::fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListStream").finish_non_exhaustive()
    }
}
