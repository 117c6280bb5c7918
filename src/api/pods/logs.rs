//! A followed log: lines as the pod writes them.
//!
//! [`LineSplitter`] turns the body's pieces into lines; [`LogStream`] is an `Iterator`
//! in the blocking build and a `futures` `Stream` in the async one, both over the same
//! splitter.

use bytes::{Buf, BytesMut};

use crate::transport::ResponseBody;
use crate::Result;

/// Cuts a byte stream into lines (without their `\n` or `\r\n`).
#[derive(Debug, Default)]
struct LineSplitter {
    pending: BytesMut,
}

impl LineSplitter {
    fn push(&mut self, piece: &[u8]) {
        self.pending.extend_from_slice(piece);
    }

    /// The next complete line, if one has arrived.
    fn next_line(&mut self) -> Option<String> {
        let end = self.pending.iter().position(|&b| b == b'\n')?;
        let line = self.pending.split_to(end);
        self.pending.advance(1);
        Some(to_text(&line))
    }

    /// What is left when the stream ends: a last line without `\n`.
    fn finish(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| {
            let rest = self.pending.split();
            to_text(&rest)
        })
    }
}

fn to_text(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// The state shared by both builds' streams.
#[derive(Debug)]
struct Lines {
    body: ResponseBody,
    splitter: LineSplitter,
    ended: bool,
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Lines {
    /// The next line; `None` when the server has ended the stream.
    async fn next_line(&mut self) -> Option<Result<String>> {
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

/// Log lines as a pod writes them, from [`Pods::follow_logs`](crate::Pods::follow_logs).
///
/// Blocking build: an `Iterator<Item = Result<String>>`.
///
/// ```no_run
/// # #[cfg(not(feature = "async"))]
/// # fn main() -> Result<(), podstack::Error> {
/// let client = podstack::Client::new()?;
/// for line in client.pods().follow_logs("pod-id")? {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// # #[cfg(feature = "async")] fn main() {}
/// ```
///
/// Async build: a `futures::Stream<Item = Result<String>>`; read it with
/// `futures::StreamExt::next`. The stream ends when the server ends it (the pod
/// stopped); dropping it closes the connection.
pub struct LogStream {
    #[cfg(not(feature = "async"))]
    lines: Lines,
    #[cfg(feature = "async")]
    lines: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<String>> + Send>>,
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

#[cfg(not(feature = "async"))]
impl LogStream {
    pub(crate) fn new(body: ResponseBody) -> Self {
        LogStream {
            lines: Lines {
                body,
                splitter: LineSplitter::default(),
                ended: false,
            },
        }
    }
}

#[cfg(not(feature = "async"))]
impl Iterator for LogStream {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.lines.next_line()
    }
}

#[cfg(feature = "async")]
impl LogStream {
    pub(crate) fn new(body: ResponseBody) -> Self {
        let lines = Lines {
            body,
            splitter: LineSplitter::default(),
            ended: false,
        };
        let stream = futures_util::stream::unfold(lines, |mut lines| async move {
            let line = lines.next_line().await?;
            Some((line, lines))
        });
        LogStream {
            lines: Box::pin(stream),
        }
    }
}

#[cfg(feature = "async")]
impl futures_util::Stream for LogStream {
    type Item = Result<String>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.lines.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_across_pieces_and_crlf_is_dropped() {
        let mut s = LineSplitter::default();
        s.push(b"first li");
        assert_eq!(s.next_line(), None);
        s.push(b"ne\r\nsecond\nthi");
        assert_eq!(s.next_line().as_deref(), Some("first line"));
        assert_eq!(s.next_line().as_deref(), Some("second"));
        assert_eq!(s.next_line(), None);
        s.push(b"rd");
        assert_eq!(s.finish().as_deref(), Some("third"));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn empty_lines_are_kept() {
        let mut s = LineSplitter::default();
        s.push(b"\n\nx\n");
        assert_eq!(s.next_line().as_deref(), Some(""));
        assert_eq!(s.next_line().as_deref(), Some(""));
        assert_eq!(s.next_line().as_deref(), Some("x"));
    }
}
