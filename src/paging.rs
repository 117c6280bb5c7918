//! Walking a paginated list, flavour-free: which page comes next and when the list
//! ends. The flavoured `pages.rs` fetches the pages; each client wraps them as an
//! `Iterator` or a `Stream`.
//!
//! May import `models` (the answers, [`Listing`] and [`Page`]) and `wire` (the request
//! for the next page); neither imports this.

use serde::de::DeserializeOwned;

pub(crate) use crate::models::{Listing, Page};
use crate::wire::ApiRequest;
use crate::{Error, Result};

/// The largest page the API serves.
pub(crate) const MAX_PAGE: u32 = 200;

/// Walks an offset-paginated list a page at a time, deciding when it ends. Read
/// tolerantly, as the contract asks: with no `total`, a page shorter than asked is the
/// last; an empty page, or one that repeats any page before byte for byte, always ends
/// the list, so a server that never reaches its `total` cannot make it loop forever.
#[derive(Debug)]
pub(crate) struct OffsetPager {
    offset: u64,
    limit: u32,
    /// Fingerprints of every page so far: a page seen before ends the list.
    seen: std::collections::HashSet<u64>,
    done: bool,
}

impl OffsetPager {
    pub(crate) fn new(limit: u32) -> Self {
        OffsetPager {
            offset: 0,
            limit,
            seen: std::collections::HashSet::new(),
            done: false,
        }
    }

    /// `(limit, offset)` of the next page to ask for, or `None` when the list has ended.
    pub(crate) fn next_page(&self) -> Option<(u32, u64)> {
        (!self.done).then_some((self.limit, self.offset))
    }

    /// Takes a page's raw body and decoded items; returns the items to yield.
    pub(crate) fn accept<T>(&mut self, body: &[u8], page: Page<T>) -> Vec<T> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let fingerprint = hasher.finish();
        let n = page.items.len() as u64;
        if n == 0 || !self.seen.insert(fingerprint) {
            self.done = true;
            return Vec::new();
        }
        self.offset += n;
        self.done = match page.total {
            Some(total) => self.offset >= total,
            None => n < u64::from(self.limit),
        };
        page.items
    }
}

/// Which page of a list comes next, and when the list ends.
pub(crate) trait Pager: Send {
    /// How a page is answered.
    type Listing: DeserializeOwned;
    /// What the list holds.
    type Item: Send;
    /// The request for the next page, or `None` when the list has ended.
    fn next_request(&self) -> Option<ApiRequest>;
    /// Takes a page's raw body and decoded answer; returns the items to yield, or why
    /// the list cannot go on.
    fn accept(&mut self, body: &[u8], listing: Self::Listing) -> Result<Vec<Self::Item>>;
}

/// The most empty pages in a row, each with a new continuation token, an object
/// listing may answer before it is stopped with an error.
pub(crate) const MAX_EMPTY_PAGES: u32 = 100;

/// Walks a bucket's object listing by continuation token. It ends at a page without a
/// token, and at a token seen before, so a server that hands back the same token
/// cannot make it loop forever; [`MAX_EMPTY_PAGES`] empty pages in a row, each with a
/// new token, are an error.
#[derive(Debug)]
pub(crate) struct TokenPager {
    bucket_id: String,
    query: crate::ObjectQuery,
    seen: std::collections::HashSet<String>,
    /// Empty pages in a row.
    empty: u32,
    done: bool,
}

impl TokenPager {
    pub(crate) fn new(bucket_id: &str, query: &crate::ObjectQuery) -> Self {
        TokenPager {
            bucket_id: bucket_id.to_owned(),
            query: query.clone(),
            seen: std::collections::HashSet::new(),
            empty: 0,
            done: false,
        }
    }
}

impl Pager for TokenPager {
    type Listing = crate::storage::ObjectPage;
    type Item = crate::storage::StoredObject;

    fn next_request(&self) -> Option<ApiRequest> {
        (!self.done).then(|| crate::wire::storage::list_objects(&self.bucket_id, &self.query))
    }

    fn accept(
        &mut self,
        _body: &[u8],
        page: crate::storage::ObjectPage,
    ) -> Result<Vec<crate::storage::StoredObject>> {
        match page.next_token() {
            Some(token) if self.seen.insert(token.to_owned()) => {
                self.query.continuation_token = Some(token.to_owned());
            }
            _ => self.done = true,
        }
        self.empty = if page.objects.is_empty() {
            self.empty + 1
        } else {
            0
        };
        if !self.done && self.empty >= MAX_EMPTY_PAGES {
            self.done = true;
            return Err(Error::unexpected_answer(format!(
                "the object listing answered {MAX_EMPTY_PAGES} empty pages in a row, each \
                 with a new continuation token; it was stopped"
            )));
        }
        Ok(page.objects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: Vec<u32>, total: Option<u64>) -> Page<u32> {
        Page { items, total }
    }

    #[test]
    fn pager_stops_at_total() {
        let mut p = OffsetPager::new(2);
        assert_eq!(p.next_page(), Some((2, 0)));
        assert_eq!(p.accept(b"1", page(vec![1, 2], Some(3))), [1, 2]);
        assert_eq!(p.next_page(), Some((2, 2)));
        assert_eq!(p.accept(b"2", page(vec![3], Some(3))), [3]);
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn pager_without_total_stops_at_a_short_page() {
        let mut p = OffsetPager::new(2);
        p.accept(b"1", page(vec![1, 2], None));
        assert_eq!(p.next_page(), Some((2, 2)));
        p.accept(b"2", page(vec![3], None));
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn pager_stops_at_an_empty_or_repeated_page_whatever_total_says() {
        let mut p = OffsetPager::new(2);
        p.accept(b"same", page(vec![1, 2], Some(1_000)));
        assert_eq!(
            p.accept(b"same", page(vec![1, 2], Some(1_000))),
            Vec::<u32>::new()
        );
        assert_eq!(p.next_page(), None);

        let mut p = OffsetPager::new(2);
        p.accept(b"1", page(vec![1, 2], Some(1_000)));
        p.accept(b"[]", page(vec![], Some(1_000)));
        assert_eq!(p.next_page(), None);

        // A, B, A: alternating pages end too.
        let mut p = OffsetPager::new(2);
        p.accept(b"A", page(vec![1, 2], Some(1_000)));
        p.accept(b"B", page(vec![3, 4], Some(1_000)));
        assert_eq!(
            p.accept(b"A", page(vec![1, 2], Some(1_000))),
            Vec::<u32>::new()
        );
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn token_pager_follows_tokens_and_stops_at_a_repeat() {
        let page = |keys: &[&str], token: Option<&str>| crate::storage::ObjectPage {
            objects: keys
                .iter()
                .map(|k| serde_json::from_value(serde_json::json!({ "path": k })).unwrap())
                .collect(),
            is_truncated: token.is_some(),
            next_continuation_token: token.map(str::to_owned),
        };
        let mut p = TokenPager::new("b", &crate::ObjectQuery::new().prefix("d/"));
        assert!(p.next_request().is_some());
        assert_eq!(p.accept(b"", page(&["a"], Some("t1"))).unwrap().len(), 1);
        assert_eq!(p.query.continuation_token.as_deref(), Some("t1"));
        assert_eq!(p.accept(b"", page(&["b"], Some("t1"))).unwrap().len(), 1);
        assert!(p.next_request().is_none(), "a repeated token ends the list");

        let mut p = TokenPager::new("b", &crate::ObjectQuery::new());
        p.accept(b"", page(&["a"], None)).unwrap();
        assert!(p.next_request().is_none());

        // A run of empty pages with new tokens ends in an error; one item resets it.
        let mut p = TokenPager::new("b", &crate::ObjectQuery::new());
        for n in 1..MAX_EMPTY_PAGES {
            p.accept(b"", page(&[], Some(&format!("e{n}")))).unwrap();
        }
        p.accept(b"", page(&["a"], Some("full"))).unwrap();
        for n in 1..MAX_EMPTY_PAGES {
            p.accept(b"", page(&[], Some(&format!("f{n}")))).unwrap();
        }
        let error = p.accept(b"", page(&[], Some("last"))).unwrap_err();
        assert!(matches!(error, Error::Api { .. }), "{error:?}");
        assert!(p.next_request().is_none());
        // An empty last page is no run.
        let mut p = TokenPager::new("b", &crate::ObjectQuery::new());
        assert!(p.accept(b"", page(&[], None)).unwrap().is_empty());
    }
}
