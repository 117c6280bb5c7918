//! Lazy sequences, written once for both clients: the lines of a followed log and the
//! items of a paginated list. Each has a `next_item` here; the flavour roots wrap them
//! as an `Iterator` (blocking) or a `Stream` (async).

use std::collections::VecDeque;

use super::{flavour, Client, ResponseBody};
use crate::lines::LineSplitter;
use crate::request::{ApiRequest, Listing, OffsetPager, MAX_PAGE};
use crate::Result;

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
                Ok(Some(piece)) => self.splitter.push(&piece),
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

/// The items of an offset-paginated list, fetched a page at a time as they are read.
pub(crate) struct Pages<'a, L: Listing> {
    client: &'a Client,
    request: PageRequest<'a>,
    pager: OffsetPager,
    buffer: VecDeque<L::Item>,
    failed: bool,
}

#[flavour]
impl<'a, L: Listing> Pages<'a, L> {
    pub(crate) fn new(client: &'a Client, request: PageRequest<'a>) -> Self {
        Pages {
            client,
            request,
            pager: OffsetPager::new(MAX_PAGE),
            buffer: VecDeque::new(),
            failed: false,
        }
    }

    /// The next item; `None` after the last one, or after an error.
    pub(crate) async fn next_item(&mut self) -> Option<Result<L::Item>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.failed {
                return None;
            }
            let (limit, offset) = self.pager.next_page()?;
            let request = (self.request)(limit, offset);
            let page = match self.client.send_bytes(&request).await {
                Ok(body) => self
                    .client
                    .decode::<L>(&request, &body)
                    .map(|listing| self.pager.accept(&body, listing.into_page())),
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
