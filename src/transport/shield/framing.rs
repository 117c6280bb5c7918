//! Where a message's content lies among its bytes on the wire.
//!
//! ureq logs (and decodes) the bytes of a connection as they are; a token in a chunked
//! body may be cut by chunk framing (`…pod\r\n17\r\nstack…`). The shield therefore
//! searches *content*: an answer's head and its body's data, with the framing left out.
//! [`AnswerParser`] follows an answer as its bytes arrive and says which are content and
//! whether more of the answer is due; [`chunked_request_runs`] finds the data in what
//! ureq writes of a chunked request body.
//!
//! The parser is strict. Where ureq might read an answer differently (a bare `\n` in a
//! head, a list of lengths, `Transfer-Encoding` on HTTP/1.0, a chunk size it does not
//! know), it gives up following that answer: every byte counts as content and none is
//! held back, so nothing can stall. The shield then searches across each seam in the
//! bytes ureq has not taken (a head, which ureq reads only whole); at worst a token
//! split in such an answer's body is logged in pieces.

use std::ops::Range;

/// The longest answer head followed (ureq refuses far shorter ones).
const HEAD_LIMIT: usize = 256 * 1024;

/// Follows an answer as its bytes arrive; see the module documentation.
#[derive(Debug)]
pub(super) struct AnswerParser {
    state: State,
    /// The head arriving (a `1xx` one, or the final one), kept until it ends.
    head: Vec<u8>,
    /// Where (in the bytes fed, offset by their `base`) the name of a `Content-Encoding`
    /// header of an answer head that ended lies: see [`AnswerParser::take_encodings`].
    encodings: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No answer is expected, or it has ended: bytes are content, never held.
    Idle,
    /// A head is arriving.
    Head,
    /// A body with this many bytes still to come.
    Length(u64),
    /// A chunked body.
    Chunked(Chunk),
    /// A body that ends when the server closes the connection.
    UntilClose,
    /// An answer ureq may read otherwise than this parser: bytes are content, never held.
    Unknown,
}

/// Where a chunked body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    /// The size line: the size so far, whether it has a digit, whether in an extension.
    Size {
        size: u64,
        digits: bool,
        extension: bool,
    },
    /// The size line's `\n`.
    SizeEnd { size: u64 },
    /// The data, this many bytes to go.
    Data(u64),
    /// The `\r\n` after the data (`true`: its `\n`).
    DataEnd(bool),
    /// The trailer section, at the start of a line or within one.
    Trailer { line_start: bool },
    /// A trailer line's `\n` (`true`: of the empty line that ends the body).
    TrailerEnd(bool),
}

impl AnswerParser {
    pub(super) fn new() -> Self {
        AnswerParser {
            state: State::Idle,
            head: Vec::new(),
            encodings: Vec::new(),
        }
    }

    /// A request has been sent: its answer comes next.
    pub(super) fn expect_answer(&mut self) {
        self.state = State::Head;
        self.head.clear();
    }

    /// Follows the rest of an answer whose start was not fed: every byte is content and
    /// none is held.
    pub(super) fn lose_track(&mut self) {
        self.state = State::Unknown;
        self.head.clear();
    }

    /// Whether the answer is read unfollowed: every byte content, none held back.
    pub(super) fn unfollowed(&self) -> bool {
        self.state == State::Unknown
    }

    /// Whether more of the answer is certain to come (or the connection to close): only
    /// then may bytes be held back waiting for it.
    pub(super) fn more_due(&self) -> bool {
        match self.state {
            State::Head | State::Chunked(_) | State::UntilClose => true,
            State::Length(left) => left > 0,
            State::Idle | State::Unknown => false,
        }
    }

    /// Follows `bytes`, the next ones received, and adds where their content lies (as
    /// ranges of `bytes`, offset by `base`) to `runs`.
    pub(super) fn feed(&mut self, bytes: &[u8], base: usize, runs: &mut Vec<Range<usize>>) {
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let taken = match self.state {
                State::Idle | State::Unknown | State::UntilClose => {
                    push(runs, base + at..base + bytes.len());
                    bytes.len() - at
                }
                State::Head => {
                    let taken = self.head_bytes(rest, base + at);
                    push(runs, base + at..base + at + taken);
                    taken
                }
                State::Length(left) => {
                    let taken = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    push(runs, base + at..base + at + taken);
                    let left = left - taken as u64;
                    self.state = if left == 0 {
                        State::Idle
                    } else {
                        State::Length(left)
                    };
                    taken
                }
                State::Chunked(Chunk::Data(left)) => {
                    let taken = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    push(runs, base + at..base + at + taken);
                    let left = left - taken as u64;
                    self.state = State::Chunked(if left == 0 {
                        Chunk::DataEnd(false)
                    } else {
                        Chunk::Data(left)
                    });
                    taken
                }
                State::Chunked(chunk) => {
                    self.state = chunk_framing(chunk, rest[0]);
                    1
                }
            };
            at += taken;
        }
    }

    /// The positions (see `feed`) of the `Content-Encoding` names in the heads that
    /// ended since the last call: the shield renames that header before ureq reads the
    /// head, so that ureq hands every body on as it came, whatever features turn on its
    /// decoders.
    pub(super) fn take_encodings(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.encodings)
    }

    /// Takes the bytes of `rest` (at `position`) that belong to the head; at its end,
    /// reads it and moves on to what follows. Returns how many were taken.
    fn head_bytes(&mut self, rest: &[u8], position: usize) -> usize {
        let kept = self.head.len();
        // The end may begin in what was kept: look across the seam first.
        let across = (kept > 0)
            .then(|| {
                let mut seam = [0u8; 7];
                let before = &self.head[kept.saturating_sub(3)..];
                let after = &rest[..rest.len().min(4)];
                seam[..before.len()].copy_from_slice(before);
                seam[before.len()..before.len() + after.len()].copy_from_slice(after);
                END_OF_HEAD
                    .find(&seam[..before.len() + after.len()])
                    .map(|i| i + 4 - before.len())
            })
            .flatten();
        let end = across.or_else(|| END_OF_HEAD.find(rest).map(|i| i + 4));
        let taken = end.unwrap_or(rest.len());
        // A line ended by a bare `\n` is read by ureq, not by this parser.
        let bare_lf = memchr::memchr_iter(b'\n', &rest[..taken]).any(|i| {
            let before = if i == 0 {
                self.head.last()
            } else {
                rest.get(i - 1)
            };
            before != Some(&b'\r')
        });
        if bare_lf || kept + taken > HEAD_LIMIT {
            self.state = State::Unknown;
            self.head.clear();
            return taken;
        }
        if end.is_none() {
            self.head.extend_from_slice(rest);
            return taken;
        }
        // A head that came whole in these bytes is read where it lies.
        let (state, encodings) = if kept == 0 {
            after_head(&rest[..taken])
        } else {
            self.head.extend_from_slice(&rest[..taken]);
            after_head(&self.head)
        };
        // The kept bytes lie just before these (unread by ureq: a head is read whole).
        let head_start = position.saturating_sub(kept);
        self.state = state;
        self.encodings
            .extend(encodings.into_iter().map(|offset| head_start + offset));
        self.head.clear();
        taken
    }
}

/// The end of a head, searched on every answer (built once).
static END_OF_HEAD: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\r\n\r\n"));

/// Adds `run` to `runs`, joining it to the last one when they touch.
fn push(runs: &mut Vec<Range<usize>>, run: Range<usize>) {
    if run.is_empty() {
        return;
    }
    match runs.last_mut() {
        Some(last) if last.end == run.start => last.end = run.end,
        _ => runs.push(run),
    }
}

/// The state after one framing byte of a chunked body.
fn chunk_framing(chunk: Chunk, byte: u8) -> State {
    let next = match (chunk, byte) {
        (
            Chunk::Size {
                extension: true,
                size,
                digits,
            },
            b,
        ) if b != b'\r' => Chunk::Size {
            size,
            digits,
            extension: true,
        },
        (
            Chunk::Size {
                size, digits: true, ..
            },
            b'\r',
        ) => Chunk::SizeEnd { size },
        (
            Chunk::Size {
                size,
                digits: true,
                extension: false,
            },
            b';',
        ) => Chunk::Size {
            size,
            digits: true,
            extension: true,
        },
        (
            Chunk::Size {
                size,
                extension: false,
                ..
            },
            b,
        ) if b.is_ascii_hexdigit() => {
            let digit = u64::from((b as char).to_digit(16).unwrap_or(0));
            match size.checked_mul(16).and_then(|s| s.checked_add(digit)) {
                Some(size) => Chunk::Size {
                    size,
                    digits: true,
                    extension: false,
                },
                None => return State::Unknown,
            }
        }
        (Chunk::SizeEnd { size: 0 }, b'\n') => Chunk::Trailer { line_start: true },
        (Chunk::SizeEnd { size }, b'\n') => Chunk::Data(size),
        (Chunk::DataEnd(false), b'\r') => Chunk::DataEnd(true),
        (Chunk::DataEnd(true), b'\n') => Chunk::Size {
            size: 0,
            digits: false,
            extension: false,
        },
        (Chunk::Trailer { line_start }, b'\r') => Chunk::TrailerEnd(line_start),
        (Chunk::Trailer { .. }, _) => Chunk::Trailer { line_start: false },
        (Chunk::TrailerEnd(true), b'\n') => return State::Idle,
        (Chunk::TrailerEnd(false), b'\n') => Chunk::Trailer { line_start: true },
        _ => return State::Unknown,
    };
    State::Chunked(next)
}

/// What follows `head`, a whole answer head (`\r\n\r\n` included), read strictly; and
/// where in it the names of its `Content-Encoding` headers are.
fn after_head(head: &[u8]) -> (State, Vec<usize>) {
    let mut encodings = Vec::new();
    let state = follow_head(head, &mut encodings);
    (state, encodings)
}

fn follow_head(head: &[u8], encodings: &mut Vec<usize>) -> State {
    // Each line ends with `\r\n`, and the head with an empty line.
    if !head.ends_with(b"\r\n\r\n") {
        return State::Unknown;
    }
    let rows = &head[..head.len() - 2];
    // The lines, each without its `\n` (found with SIMD, not byte by byte).
    let mut from = 0;
    let mut lines = memchr::memchr_iter(b'\n', rows).map(|end| {
        let line = &rows[from..end];
        from = end + 1;
        line
    });
    let Some(status_line) = lines.next().and_then(|l| l.strip_suffix(b"\r")) else {
        return State::Unknown;
    };
    let http10 = match status_line.get(..9) {
        Some(b"HTTP/1.1 ") => false,
        Some(b"HTTP/1.0 ") => true,
        _ => return State::Unknown,
    };
    let status = match status_line.get(9..12).map(std::str::from_utf8) {
        Some(Ok(code)) if code.bytes().all(|b| b.is_ascii_digit()) => {
            code.parse::<u16>().unwrap_or(0)
        }
        _ => return State::Unknown,
    };
    let (mut length, mut chunked, mut lengths, mut transfer_encodings) = (None, false, 0, 0);
    let mut line_start = status_line.len() + 2;
    for line in lines {
        let start = line_start;
        line_start += line.len() + 1;
        // Every line ends with `\r\n`.
        let Some(line) = line.strip_suffix(b"\r") else {
            return State::Unknown;
        };
        // Only `Content-*` and `Transfer-Encoding` matter here: skip the rest cheaply
        // (a folded line is a quirk; ureq itself refuses a line without a colon).
        match line.first().map(u8::to_ascii_lowercase) {
            Some(b'c' | b't') => {}
            Some(b' ' | b'\t') => return State::Unknown,
            _ => continue,
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return State::Unknown;
        };
        let (name, value) = (line[..colon].trim_ascii(), line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths += 1;
            length = std::str::from_utf8(value)
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            if length.is_none() {
                return State::Unknown;
            }
        } else if name.eq_ignore_ascii_case(b"content-encoding") && colon == name.len() {
            encodings.push(start);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            transfer_encodings += 1;
            chunked = value.eq_ignore_ascii_case(b"chunked");
            if !chunked {
                return State::Unknown;
            }
        }
    }
    if lengths > 1
        || transfer_encodings > 1
        || (transfer_encodings == 1 && (lengths == 1 || http10))
    {
        return State::Unknown;
    }
    match (status, chunked, length) {
        (101, ..) => State::Unknown,
        (100..=199, ..) => State::Head,
        (204 | 304, ..) => State::Idle,
        (_, true, _) => State::Chunked(Chunk::Size {
            size: 0,
            digits: false,
            extension: false,
        }),
        (_, false, Some(0)) => State::Idle,
        (_, false, Some(n)) => State::Length(n),
        (_, false, None) => State::UntilClose,
    }
}

/// Where the data lies in `out`, one write of a chunked request body as ureq-proto
/// makes it (whole chunks, `<hex size>\r\n<data>\r\n`, or the last one): the ranges of
/// data, or `None` if `out` is not that.
pub(super) fn chunked_request_runs(out: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut runs = Vec::new();
    let mut at = 0;
    while at < out.len() {
        let line_end = memchr::memchr(b'\r', &out[at..])? + at;
        let size = usize::from_str_radix(std::str::from_utf8(&out[at..line_end]).ok()?, 16).ok()?;
        if out.get(line_end + 1) != Some(&b'\n') {
            return None;
        }
        let data = line_end + 2;
        if size == 0 {
            // The last chunk, and the empty trailer section.
            return (&out[data..] == b"\r\n").then_some(runs);
        }
        let data_end = data.checked_add(size)?;
        if out.get(data_end..data_end + 2) != Some(b"\r\n") {
            return None;
        }
        push(&mut runs, data..data_end);
        at = data_end + 2;
    }
    Some(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(parser: &mut AnswerParser, pieces: &[&[u8]]) -> Vec<u8> {
        let mut all = Vec::new();
        let mut runs = Vec::new();
        for piece in pieces {
            let base = all.len();
            all.extend_from_slice(piece);
            parser.feed(piece, base, &mut runs);
        }
        runs.iter().flat_map(|r| all[r.clone()].to_vec()).collect()
    }

    fn answer(pieces: &[&[u8]]) -> (AnswerParser, Vec<u8>) {
        let mut parser = AnswerParser::new();
        parser.expect_answer();
        let content = content(&mut parser, pieces);
        (parser, content)
    }

    #[test]
    fn the_content_of_a_chunked_answer_is_its_head_and_data_at_any_split() {
        let wire: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-T: 1\r\n\r\n";
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for split in 0..wire.len() {
            let (parser, content) = answer(&[&wire[..split], &wire[split..]]);
            assert_eq!(
                content,
                format!("{head}abcdefg").as_bytes(),
                "split at {split}"
            );
            assert!(!parser.more_due(), "split at {split}");
        }
        let (parser, _) = answer(&[&wire[..wire.len() - 1]]);
        assert!(parser.more_due());
    }

    #[test]
    fn lengths_interim_answers_and_bodiless_answers_end_where_they_do() {
        let (mut parser, content) = answer(&[
            b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
        ]);
        assert!(content.ends_with(b"\r\n\r\nabc"));
        assert!(parser.more_due());
        let mut runs = Vec::new();
        parser.feed(b"de", 0, &mut runs);
        assert!(!parser.more_due());
        assert!(!answer(&[b"HTTP/1.1 204 No Content\r\n\r\n"]).0.more_due());
        assert!(!answer(&[b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
            .0
            .more_due());
        assert!(answer(&[b"HTTP/1.0 200 OK\r\n\r\nabc"]).0.more_due());
    }

    #[test]
    fn quirks_ureq_might_read_otherwise_are_never_held() {
        for head in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\nabcd"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\nabcd",
            b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\nabcd",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\nabcd",
            b"HTTP/1.1 200 OK\nContent-Length: 7\n\nabcd\r\n\r\n",
            b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nabcd",
            b"HTTP/1.1 200 OK\r\n folded\r\n\r\nabcd",
            b"HTTP/1.1 101 Switching\r\n\r\nabcd",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd",
        ] {
            let (parser, _) = answer(&[head]);
            assert!(!parser.more_due(), "{:?}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn the_data_of_a_chunked_request_body_is_found_between_its_frames() {
        let out = b"4\r\nabcd\r\na\r\n0123456789\r\n";
        let runs = chunked_request_runs(out).unwrap();
        let data: Vec<u8> = runs.iter().flat_map(|r| out[r.clone()].to_vec()).collect();
        assert_eq!(data, b"abcd0123456789");
        assert_eq!(chunked_request_runs(b"0\r\n\r\n"), Some(Vec::new()));
        assert_eq!(chunked_request_runs(b"4\r\nabc"), None);
    }
}
