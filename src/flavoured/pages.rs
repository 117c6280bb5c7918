//! Lazy sequences, written once for both clients: the lines of a followed log and the
//! items of a paginated list. Each has a `next_item` here; the flavour roots wrap them
//! as an `Iterator` (blocking) or a `Stream` (async).

use std::collections::VecDeque;
use std::marker::PhantomData;

use super::{flavour, Client, ResponseBody};
use crate::net::lines::LineSplitter;
use crate::paging::{Listing, OffsetPager, Pager, TokenPager, MAX_PAGE};
use crate::transport::Deadline;
use crate::wire::ApiRequest;
use crate::{ObjectQuery, Result};

/// The lines of an answer's body as they arrive.
#[derive(Debug)]
pub(crate) struct Lines {
    body: ResponseBody,
    splitter: LineSplitter,
    ended: bool,
}

#[flavour]
impl Lines {
    pub(crate) fn new(body: ResponseBody) -> Self {
        Lines {
            body,
            splitter: LineSplitter::default(),
            ended: false,
        }
    }

    /// The next line; `None` when the server has ended the stream.
    pub(crate) async fn next_item(&mut self) -> Option<Result<String>> {
        loop {
            if let Some(line) = self.splitter.next_line() {
                return Some(Ok(line));
            }
            if self.ended {
                return self.splitter.finish().map(Ok);
            }
            match self.body.chunk().await {
                Ok(Some(piece)) => self.splitter.push(piece),
                Ok(None) => self.ended = true,
                Err(error) => {
                    self.ended = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

/// Describes the request for one page: `(limit, offset)` → request.
pub(crate) type PageRequest<'a> = Box<dyn Fn(u32, u64) -> ApiRequest + Send + Sync + 'a>;

/// The items of a paginated list, fetched a page at a time as they are read; the
/// [`Pager`] says which page comes next and when the list ends.
pub(crate) struct Pages<P: Pager> {
    /// A handle of its own (an `Arc` inside), so that a stream outlives the handler
    /// that made it.
    client: Client,
    pager: P,
    buffer: VecDeque<P::Item>,
    failed: bool,
    /// Whether one call deadline bounds every page (a whole listing read at once);
    /// else each `next_item` has its own, over the pages it fetches.
    one_deadline: bool,
    /// The whole listing's deadline, once its first page is asked for.
    deadline: Option<Option<Deadline>>,
}

/// An offset-paginated list (`limit`, `offset`) answered as `L`.
pub(crate) struct OffsetPages<'a, L> {
    request: PageRequest<'a>,
    pager: OffsetPager,
    listing: PhantomData<fn() -> L>,
}

impl<L: Listing> Pager for OffsetPages<'_, L>
where
    L::Item: Send,
{
    type Listing = L;
    type Item = L::Item;

    fn next_request(&self) -> Option<ApiRequest> {
        let (limit, offset) = self.pager.next_page()?;
        Some((self.request)(limit, offset))
    }

    fn accept(&mut self, body: &[u8], listing: L) -> Result<Vec<L::Item>> {
        Ok(self.pager.accept(body, listing.into_page()))
    }
}

/// The pages of an offset-paginated list answered as `L`; `request(limit, offset)`
/// describes one.
pub(crate) fn offset_pages<'a, L: Listing>(
    client: &Client,
    request: PageRequest<'a>,
) -> Pages<OffsetPages<'a, L>>
where
    L::Item: Send,
{
    Pages::with(
        client,
        OffsetPages {
            request,
            pager: OffsetPager::new(MAX_PAGE),
            listing: PhantomData,
        },
    )
}

/// The pages of a bucket's object listing, followed by continuation token.
pub(crate) type ObjectPages = Pages<TokenPager>;

impl ObjectPages {
    pub(crate) fn new(client: &Client, bucket_id: &str, query: &ObjectQuery) -> Self {
        Pages::with(client, TokenPager::new(bucket_id, query))
    }
}

#[flavour]
impl<P: Pager> Pages<P> {
    pub(crate) fn with(client: &Client, pager: P) -> Self {
        Pages {
            client: client.clone(),
            pager,
            buffer: VecDeque::new(),
            failed: false,
            one_deadline: false,
            deadline: None,
        }
    }

    /// Bounds the whole listing, every page, by one call deadline (for a listing read
    /// to its end in one call).
    pub(crate) fn within_one_deadline(mut self) -> Self {
        self.one_deadline = true;
        self
    }

    /// The next item; `None` after the last one, or after an error. The pages it takes
    /// to find one (a run of empty pages) are fetched within one call deadline.
    pub(crate) async fn next_item(&mut self) -> Option<Result<P::Item>> {
        let mut deadline = if self.one_deadline {
            self.deadline
        } else {
            None
        };
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.failed {
                return None;
            }
            let request = self.pager.next_request()?;
            let by = *deadline.get_or_insert_with(|| self.client.deadline_for(&request));
            if self.one_deadline {
                self.deadline = Some(by);
            }
            let page = match self.client.send_bytes_by(&request, by).await {
                Ok(body) => self
                    .client
                    .decode::<P::Listing>(&request, &body)
                    .and_then(|listing| self.pager.accept(&body, listing)),
                Err(error) => Err(error),
            };
            match page {
                Ok(items) => self.buffer.extend(items),
                Err(error) => {
                    self.failed = true;
                    return Some(Err(error));
                }
            }
        }
    }
}
