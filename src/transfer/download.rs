//! What one download request must answer, and the errors of a download that breaks
//! off or changes under it. The flavoured transfer engine sends the requests.

use crate::transport::HttpResponse;
use crate::wire::ApiRequest;
use crate::{Error, Result};

/// What an answer to a download must hold.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// The whole object: as many bytes as its `Content-Length` says, and as its listing
    /// said when it was listed (the two must agree).
    Whole { listed: Option<u64> },
    /// Bytes `start..=end` of an object of `total` bytes: a `206` whose `Content-Range`
    /// says exactly that.
    Range { start: u64, end: u64, total: u64 },
}

/// One download request and what its answers must hold. The transfer engine sends it
/// again when an answer's body breaks off.
#[derive(Debug)]
pub(crate) struct Fetch<'a> {
    pub request: ApiRequest,
    /// The key, path or URL being fetched, for messages.
    pub what: &'a str,
    /// The ETag every answer must carry: the version the first range came from.
    pub version: Option<&'a str>,
    pub expect: Expect,
    /// Whether the answer's length goes into the progress total (the size was not
    /// known before).
    pub count_total: bool,
}

impl Fetch<'_> {
    /// How many bytes `response` promises, or why it is not the answer asked for.
    pub(crate) fn promised<B>(&self, response: &HttpResponse<B>) -> Result<Option<u64>> {
        match self.expect {
            Expect::Whole { listed } => match (response.content_length, listed) {
                (Some(length), Some(listed)) if length != listed => Err(changed_during_download(
                    self.what,
                    &format!("it was listed at {listed} bytes, the answer holds {length}"),
                )),
                (length, listed) => Ok(length.or(listed)),
            },
            Expect::Range { start, end, total } => {
                if response.status != 206 {
                    return Err(Error::integrity(format!(
                        "the server answered a range of {:?} with {}",
                        self.what, response.status
                    )));
                }
                if content_range(response.content_range.as_deref()) != Some((start, end, total)) {
                    return Err(changed_during_download(
                        self.what,
                        "a range came back for another size or place",
                    ));
                }
                if self.version.is_some() && response.etag.as_deref() != self.version {
                    return Err(changed_during_download(self.what, "its ETag changed"));
                }
                Ok(Some(end + 1 - start))
            }
        }
    }

    /// Where in the file the answer goes.
    pub(crate) fn offset(&self) -> u64 {
        match self.expect {
            Expect::Whole { .. } => 0,
            Expect::Range { start, .. } => start,
        }
    }
}

/// `(a, b, total)` of a `Content-Range: bytes a-b/total` header.
pub(crate) fn content_range(value: Option<&str>) -> Option<(u64, u64, u64)> {
    let (range, total) = value?.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    Some((
        start.trim().parse().ok()?,
        end.trim().parse().ok()?,
        total.trim().parse().ok()?,
    ))
}

/// An object whose answers no longer match the download (its length or ETag changed,
/// or a range came back for another place): an [`Error::Integrity`], not retried, as
/// the same answer would come back.
pub(crate) fn changed_during_download(what: &str, how: &str) -> Error {
    Error::integrity(format!(
        "{what:?} changed during the download ({how}); download it again"
    ))
}

/// A body that ended before it held what its answer promised: a broken transfer,
/// retried as one. It stays an [`Error::Network`] (transient): what came was right as
/// far as it went, the connection broke, and the same request may well complete.
pub(crate) fn broke_off(what: &str, promised: u64, got: u64) -> Error {
    Error::network(
        format!("the download of {what:?} broke off: {got} of {promised} bytes arrived"),
        None,
    )
}

/// A body that goes on past what its answer promised: never written, not retried.
pub(crate) fn longer_than_promised(what: &str, promised: u64) -> Error {
    Error::unexpected_answer(format!(
        "the answer for {what:?} held more than the {promised} bytes it promised; nothing \
         past them was written"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_only_whole_byte_ranges() {
        assert_eq!(content_range(Some("bytes 5-9/10")), Some((5, 9, 10)));
        assert_eq!(content_range(Some("bytes */10")), None);
        assert_eq!(content_range(Some("items 0-1/2")), None);
        assert_eq!(content_range(None), None);
    }
}
