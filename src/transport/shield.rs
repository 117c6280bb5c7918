//! Keeps the token out of ureq (see the module documentation of `transport::blocking`).
//!
//! [`ShieldConnector`] is the last link of the agent's connector chain: it wraps the
//! connection (plain TCP, or TLS over it) in a [`ShieldTransport`] that owns the buffers
//! ureq's protocol layer writes into and parses from. Outgoing bytes have the stand-in
//! replaced by the token as they are copied to the connection; incoming bytes have the
//! token replaced by the stand-in before ureq sees them. Stand-in and token have the same
//! length, so no byte count changes.

use std::fmt;
use std::sync::Arc;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The token and the random stand-in ureq is given instead.
pub(crate) struct Secret {
    token: Vec<u8>,
    stand_in: String,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret")
    }
}

/// Stand-ins shorter than this would match too easily by chance: a token this short is
/// passed through as it is (real tokens are far longer).
const MIN_LEN: usize = 12;

impl Secret {
    pub(crate) fn new(token: &str) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let stand_in = if token.len() >= MIN_LEN {
            (0..token.len())
                .map(|_| {
                    let i = (crate::core::random::random_unit() * ALPHABET.len() as f64) as usize;
                    ALPHABET[i.min(ALPHABET.len() - 1)] as char
                })
                .collect()
        } else {
            String::new()
        };
        Secret {
            token: token.as_bytes().to_vec(),
            stand_in,
        }
    }

    fn active(&self) -> bool {
        !self.stand_in.is_empty()
    }

    /// The stand-in, when there is one.
    pub(crate) fn stand_in(&self) -> Option<&str> {
        self.active().then_some(self.stand_in.as_str())
    }

    /// `value` with the token replaced by the stand-in, for a header given to ureq.
    pub(crate) fn hide(&self, value: &str) -> String {
        match std::str::from_utf8(&self.token) {
            Ok(token) if self.active() => value.replace(token, &self.stand_in),
            _ => value.to_owned(),
        }
    }
}

/// Replaces every `from` in `bytes` by `to` (the same length) in place.
fn swap(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    debug_assert_eq!(from.len(), to.len());
    if from.is_empty() || bytes.len() < from.len() {
        return;
    }
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

/// Wraps each new connection in a [`ShieldTransport`].
#[derive(Debug)]
pub(crate) struct ShieldConnector {
    secret: Arc<Secret>,
}

impl ShieldConnector {
    pub(crate) fn new(secret: Arc<Secret>) -> Self {
        ShieldConnector { secret }
    }
}

impl Connector<Box<dyn Transport>> for ShieldConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| {
            if !self.secret.active() {
                return inner;
            }
            Box::new(ShieldTransport {
                inner,
                buffers: OwnBuffers::new(
                    details.config.input_buffer_size(),
                    details.config.output_buffer_size(),
                ),
                secret: self.secret.clone(),
            }) as Box<dyn Transport>
        }))
    }
}

/// A connection whose buffers ureq fills and reads; see the module documentation.
#[derive(Debug)]
struct ShieldTransport {
    inner: Box<dyn Transport>,
    buffers: OwnBuffers,
    secret: Arc<Secret>,
}

impl Transport for ShieldTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let mut sent = 0;
        while sent < amount {
            let target = self.inner.buffers().output();
            let n = (amount - sent).min(target.len());
            target[..n].copy_from_slice(&self.buffers.output[sent..sent + n]);
            swap(
                &mut target[..n],
                self.secret.stand_in.as_bytes(),
                &self.secret.token,
            );
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if self.inner.buffers().input().is_empty() && !self.inner.await_input(timeout)? {
            return Ok(false);
        }
        let incoming = self.inner.buffers().input();
        let room = self.buffers.input_append_buf();
        let n = incoming.len().min(room.len());
        room[..n].copy_from_slice(&incoming[..n]);
        self.inner.buffers().input_consume(n);
        self.buffers.input_appended(n);
        // Over everything not yet parsed, so a token split across two reads is caught
        // as long as ureq has not consumed its first part.
        let (token, stand_in) = (&self.secret.token, self.secret.stand_in.as_bytes());
        swap(self.buffers.unconsumed_mut(), token, stand_in);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Input and output buffers, as ureq's `LazyBuffers` keeps them, with the unconsumed
/// input reachable for the swap.
#[derive(Debug)]
struct OwnBuffers {
    input: Vec<u8>,
    start: usize,
    end: usize,
    input_size: usize,
    output: Vec<u8>,
    progress: bool,
}

impl OwnBuffers {
    fn new(input_size: usize, output_size: usize) -> Self {
        OwnBuffers {
            input: Vec::new(),
            start: 0,
            end: 0,
            input_size: input_size.max(1),
            output: vec![0; output_size.max(1)],
            progress: false,
        }
    }

    fn unconsumed_mut(&mut self) -> &mut [u8] {
        &mut self.input[self.start..self.end]
    }

    /// Makes at least `min_free` bytes (and the configured size) free after `end`.
    fn make_room(&mut self, min_free: usize) {
        if self.start > 0 {
            self.input.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let want = self.end + min_free.max(self.input_size - self.end.min(self.input_size));
        if self.input.len() < want {
            self.input.resize(want, 0);
        }
    }
}

impl Buffers for OwnBuffers {
    fn output(&mut self) -> &mut [u8] {
        &mut self.output
    }

    fn input(&self) -> &[u8] {
        &self.input[self.start..self.end]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        if self.end == self.input.len() || self.input.len() < self.input_size {
            self.make_room(1);
        }
        &mut self.input[self.end..]
    }

    fn input_appended(&mut self, amount: usize) {
        self.end = (self.end + amount).min(self.input.len());
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.start = (self.start + amount).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        const MIN_TMP_SIZE: usize = 10 * 1024;
        if self.input.len() - self.end < MIN_TMP_SIZE {
            self.make_room(MIN_TMP_SIZE);
        }
        (&mut self.input[self.end..], &mut self.output)
    }

    fn can_use_input(&self) -> bool {
        self.end > self.start && self.progress
    }
}

/// Gives a streamed download the token's bytes back where the connection replaced them
/// with the stand-in, holding back a possible start of a stand-in at a piece's end.
#[derive(Debug)]
pub(crate) struct Restore {
    secret: Arc<Secret>,
    held: Vec<u8>,
}

/// What [`Restore::next`] made of a piece.
pub(crate) enum Restored {
    Piece(Vec<u8>),
    NeedMore,
    End,
}

impl Restore {
    pub(crate) fn new(secret: Arc<Secret>) -> Self {
        Restore {
            secret,
            held: Vec::new(),
        }
    }

    /// The piece to hand on for `piece` read from the body (empty at its end).
    pub(crate) fn next(&mut self, piece: Vec<u8>) -> Restored {
        if !self.secret.active() {
            return if piece.is_empty() {
                Restored::End
            } else {
                Restored::Piece(piece)
            };
        }
        let at_end = piece.is_empty();
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(&piece);
        let stand_in = self.secret.stand_in.as_bytes();
        swap(&mut data, stand_in, &self.secret.token);
        if !at_end {
            // Hold back the longest tail that could start a stand-in.
            let keep = (1..stand_in.len().min(data.len() + 1))
                .rev()
                .find(|&k| data.ends_with(&stand_in[..k]))
                .unwrap_or(0);
            self.held = data.split_off(data.len() - keep);
        }
        match (data.is_empty(), at_end) {
            (false, _) => Restored::Piece(data),
            (true, true) => Restored::End,
            (true, false) => Restored::NeedMore,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_every_occurrence_in_place() {
        let mut bytes = b"a TOKEN b TOKENTOKEN".to_vec();
        swap(&mut bytes, b"TOKEN", b"xxxxx");
        assert_eq!(bytes, b"a xxxxx b xxxxxxxxxx");
    }

    #[test]
    fn restore_puts_the_token_back_even_across_pieces() {
        let secret = Arc::new(Secret::new("podstack_test_s3cr3tvalue"));
        let stand_in = secret.stand_in().unwrap().as_bytes().to_vec();
        let mut body = b"start ".to_vec();
        body.extend_from_slice(&stand_in);
        body.extend_from_slice(b" end");
        for split in 0..body.len() {
            let mut restore = Restore::new(secret.clone());
            let mut out = Vec::new();
            for piece in [body[..split].to_vec(), body[split..].to_vec(), Vec::new()] {
                if let Restored::Piece(p) = restore.next(piece) {
                    out.extend(p);
                }
            }
            assert_eq!(
                out, b"start podstack_test_s3cr3tvalue end",
                "split at {split}"
            );
        }
    }

    #[test]
    fn short_tokens_are_not_swapped() {
        let secret = Secret::new("abc");
        assert_eq!(secret.stand_in(), None);
        assert_eq!(secret.hide("Bearer abc"), "Bearer abc");
    }
}
