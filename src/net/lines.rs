//! Cutting a byte stream into text lines, for followed logs. Shared by both clients.

use bytes::{Buf, BytesMut};

/// A line longer than this is handed out in pieces of this size, so that output with
/// no `\n` (a `\r` progress bar) cannot grow the buffer without end.
pub(crate) const MAX_LINE: usize = 1024 * 1024;

/// Cuts a byte stream into lines (without their `\n` or `\r\n`).
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    pending: BytesMut,
    /// How much of `pending` is known to hold no `\n`: each byte is scanned once.
    scanned: usize,
}

impl LineSplitter {
    pub(crate) fn push(&mut self, piece: &[u8]) {
        self.pending.extend_from_slice(piece);
    }

    /// The next complete line, if one has arrived (or a [`MAX_LINE`] piece of one).
    pub(crate) fn next_line(&mut self) -> Option<String> {
        match self.pending[self.scanned..]
            .iter()
            .position(|&b| b == b'\n')
        {
            Some(at) => {
                let line = self.pending.split_to(self.scanned + at);
                self.pending.advance(1);
                self.scanned = 0;
                Some(to_text(&line))
            }
            None if self.pending.len() >= MAX_LINE => {
                let piece = self.pending.split_to(MAX_LINE);
                self.scanned = self.pending.len();
                Some(String::from_utf8_lossy(&piece).into_owned())
            }
            None => {
                self.scanned = self.pending.len();
                None
            }
        }
    }

    /// What is left when the stream ends: a last line without `\n`.
    pub(crate) fn finish(&mut self) -> Option<String> {
        self.scanned = 0;
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

    #[test]
    fn output_without_newlines_comes_out_in_bounded_pieces() {
        let mut s = LineSplitter::default();
        let bar = b"\r[=====>    ] 50%";
        let mut lines = Vec::new();
        for _ in 0..(3 * MAX_LINE / bar.len()) {
            s.push(bar);
            while let Some(line) = s.next_line() {
                lines.push(line);
            }
            assert!(s.pending.len() < MAX_LINE);
        }
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.len() == MAX_LINE));
    }
}
