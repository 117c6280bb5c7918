//! Keeps the token out of ureq's logs, and changes no byte a caller sends or gets.
//!
//! ureq's protocol layer (`ureq_proto`) logs at `trace` level, as hex rows, every byte it
//! writes of a request head or of a chunked request body, and every byte it reads of an
//! answer, chunk framing included. So ureq never holds the token:
//!
//! - **Out, the head.** The `Authorization` header ureq is given carries a random
//!   stand-in of the token's length ([`Secret::hide_authorization`]).
//!   [`ShieldTransport`], the last link of the connection (above TLS, so it sees what
//!   TLS carries), writes the token back in that header's row, and nowhere else, as the
//!   head goes out.
//! - **Out, a chunked body** (a reader of unknown length): [`Hidden`] gives ureq the
//!   stand-in wherever the caller's bytes hold the token, and the transport writes the
//!   token back over those stand-ins only, found in the chunks' data whatever the chunk
//!   framing between their bytes. A body with a length is not logged by ureq and passes
//!   untouched.
//! - **In.** The transport replaces an echoed token with the stand-in before ureq parses
//!   (and logs) the bytes. It searches the answer's *content*, its head and its body's
//!   data, with chunk framing left out (`framing`), and holds back a possible start of a
//!   token until the rest arrives, for as long as more of the answer is due.
//!   [`Restore`] and [`Secret::restore_str`] give every byte that reaches the caller
//!   (bodies, header values) its token back.
//!
//! - **In, when nothing can log it.** ureq records what it reads only at `debug` and
//!   `trace` level. While `log`'s maximum level is below `debug` (no logger, or one set
//!   to `info` or less, as most programs run), an answer passes through untouched: not
//!   copied, not searched, not followed, no stand-in placed ([`Secret::shield_answer`]).
//!   The level is read again each time ureq asks for the connection's buffers, which it
//!   does before every parse (and log) of what it read; once the level allows `debug`
//!   the unread rest of that answer, and every later one, is shielded as above (an
//!   answer ureq has not begun to read, the level having risen while the request was
//!   sent or its answer awaited, is followed from its first byte; the rest of one it
//!   has begun is searched unfollowed, so a token the network or the chunk framing
//!   splits in its body may be logged in pieces). A level raised between that look and
//!   ureq's parse, a matter of microseconds, applies from the next one. Two things keep
//!   answers shielded whatever the level: a ureq built with its decoders (`decoders`),
//!   so that the `Content-Encoding` rename below still happens, and a client that has
//!   shielded an answer before, so that every stand-in the restorer
//!   meets is still one the transport placed.
//!
//! Stand-in and token have the same length, so no count, offset or chunk size changes.
//! Every stand-in the restorer meets is one the transport placed: content that already
//! holds the stand-in (which only a reader of this process's trace log could know) is
//! refused with an error rather than altered. The client asks for no encoding
//! (`Accept-Encoding: identity`), and a body a server encodes anyway reaches the caller
//! as it came, never decoded by ureq (whatever features turn on its decoders), so the
//! bytes the shield searched are the bytes the caller gets. Searches use `memchr`'s SIMD
//! substring finder.

mod decoders;
mod framing;

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use std::ops::Range;
use std::time::Instant;

use memchr::memmem::Finder;
use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

use framing::{chunked_request_runs, AnswerParser};

/// What a `Content-Encoding` header name becomes (the same length) so that ureq does
/// not decode the body (see [`ShieldTransport::keep_encoded_bodies_as_they_are`]).
const KEPT_ENCODING: &[u8] = b"x-podstack-coded";

/// The searches made on every request, built once (building one costs more than the
/// search itself).
static END_OF_ROW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\r\n"));
static AUTHORIZATION_ROW: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\r\nauthorization:"));
static CHUNKED_ROW: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\r\ntransfer-encoding: chunked\r\n"));

/// The token and the random stand-in ureq is given instead.
pub(crate) struct Secret {
    token: Vec<u8>,
    stand_in: Vec<u8>,
    find_token: Finder<'static>,
    find_stand_in: Finder<'static>,
    /// `Bearer <token>`, and what ureq is given in its place, made once.
    bearer: String,
    hidden_bearer: String,
    /// Whether a stand-in was ever placed in an answer (not in a request body, whose
    /// stand-ins the transport writes over): until then no answer can hold one, and
    /// [`Restore`] has nothing to search for. Once set, every answer is shielded, so
    /// none holds a stand-in the transport did not place.
    placed: AtomicBool,
    /// Whether an answer was ever shielded: every later one is (see the module
    /// documentation).
    shielding: AtomicBool,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret")
    }
}

impl Secret {
    pub(crate) fn new(token: &str) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let stand_in: Vec<u8> = if token.len() >= crate::transport::MIN_SHIELDED_TOKEN {
            (0..token.len())
                .map(|_| {
                    let i = (crate::net::random::random_unit() * ALPHABET.len() as f64) as usize;
                    ALPHABET[i.min(ALPHABET.len() - 1)]
                })
                .collect()
        } else {
            Vec::new()
        };
        let bearer = format!("Bearer {token}");
        let hidden_bearer = format!("Bearer {}", String::from_utf8_lossy(&stand_in));
        Secret {
            token: token.as_bytes().to_vec(),
            find_token: Finder::new(token.as_bytes()).into_owned(),
            find_stand_in: Finder::new(&stand_in).into_owned(),
            stand_in,
            bearer,
            hidden_bearer,
            placed: AtomicBool::new(false),
            shielding: AtomicBool::new(false),
        }
    }

    /// Whether the answer to the request just sent must be shielded (see the module
    /// documentation); a `true` for a reason that may pass holds for every later answer.
    fn shield_answer(&self) -> bool {
        if self.shielding.load(Ordering::Relaxed) || decoders::ureq_decodes() {
            return true;
        }
        if ureq_may_log() {
            self.shield_from_now_on();
            return true;
        }
        false
    }

    fn shield_from_now_on(&self) {
        self.shielding.store(true, Ordering::Relaxed);
    }

    fn active(&self) -> bool {
        !self.stand_in.is_empty()
    }

    /// `Bearer <token>`: the client's own `Authorization` value.
    pub(crate) fn bearer(&self) -> &str {
        &self.bearer
    }

    /// The `Authorization` value ureq is given: the token replaced by the stand-in.
    pub(crate) fn hide_authorization<'a>(&'a self, value: &'a str) -> Cow<'a, str> {
        if !self.active() {
            return Cow::Borrowed(value);
        }
        if value == self.bearer {
            return Cow::Borrowed(&self.hidden_bearer);
        }
        match std::str::from_utf8(&self.token) {
            Ok(token) => Cow::Owned(value.replace(token, &String::from_utf8_lossy(&self.stand_in))),
            Err(_) => Cow::Borrowed(value),
        }
    }

    /// `value` (a header of an answer) as the server sent it: with its token back.
    pub(crate) fn restore_str<'a>(&self, value: &'a str) -> Cow<'a, str> {
        let too_short = value.len() < self.stand_in.len();
        if !self.active() || too_short || self.find_stand_in.find(value.as_bytes()).is_none() {
            return Cow::Borrowed(value);
        }
        let mut bytes = value.as_bytes().to_vec();
        replace_all(&mut bytes, &self.find_stand_in, &self.token);
        // The token is ASCII (checked when the client is built), so this stays UTF-8.
        Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Whether `value` (a header of an answer, as ureq read it) holds the token: as
    /// sent, or behind the stand-in the transport put in its place.
    pub(crate) fn is_in(&self, value: &str) -> bool {
        let value = value.as_bytes();
        (!self.token.is_empty() && self.find_token.find(value).is_some())
            || (self.active() && self.find_stand_in.find(value).is_some())
    }

    /// Hides every token in `bytes` behind the stand-in, refusing bytes that already
    /// hold the stand-in. Returns where the last placed stand-in ends (0 if none).
    fn hide_in(&self, bytes: &mut [u8]) -> Result<usize, StandInSeen> {
        if self.find_stand_in.find(bytes).is_some() {
            return Err(StandInSeen);
        }
        // Not `placed`: these go out, and an answer read while no logger could record
        // it (never searched, so never refused) must not meet an armed restorer.
        Ok(replace_all(bytes, &self.find_token, &self.stand_in))
    }

    /// How many bytes at the end of `bytes` could start a token or a stand-in.
    fn partial_tail(&self, bytes: &[u8]) -> usize {
        partial_tail(bytes, &self.token).max(partial_tail(bytes, &self.stand_in))
    }
}

/// Whether a logger could record ureq's `debug` or `trace` records (which show the
/// bytes it writes and reads) if ureq wrote one now.
fn ureq_may_log() -> bool {
    use log::LevelFilter::Debug;
    log::max_level() >= Debug && log::STATIC_MAX_LEVEL >= Debug
}

/// Replaces every `finder` match in `bytes` by `to` (the same length), in place, and
/// returns where the last replacement ends (0 if there was none).
fn replace_all(bytes: &mut [u8], finder: &Finder<'_>, to: &[u8]) -> usize {
    debug_assert_eq!(finder.needle().len(), to.len());
    let mut at = 0;
    let mut last_end = 0;
    while let Some(found) = finder.find(&bytes[at..]) {
        let start = at + found;
        bytes[start..start + to.len()].copy_from_slice(to);
        at = start + to.len();
        last_end = at;
    }
    last_end
}

/// The length of the longest end of `bytes` that is a proper start of `needle`.
fn partial_tail(bytes: &[u8], needle: &[u8]) -> usize {
    let Some((&first, _)) = needle.split_first() else {
        return 0;
    };
    let window = bytes.len().min(needle.len() - 1);
    let tail = &bytes[bytes.len() - window..];
    // The earliest match gives the longest tail.
    memchr::memchr_iter(first, tail)
        .find(|&i| needle.starts_with(&tail[i..]))
        .map_or(0, |i| window - i)
}

/// Bytes already holding this client's stand-in: refused rather than altered (only a
/// reader of this process's trace log could have put it there).
#[derive(Debug)]
pub(crate) struct StandInSeen;

impl fmt::Display for StandInSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the data holds this client's random token stand-in, which only its trace log \
             shows; it was refused rather than altered",
        )
    }
}

impl std::error::Error for StandInSeen {}

impl StandInSeen {
    fn io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }
}

/// Wraps each connection to a server in a [`ShieldTransport`]; connections to a CONNECT
/// proxy (which a tunnel to the server then runs through) are left alone.
#[derive(Debug)]
pub(crate) struct ShieldConnector {
    secret: Arc<Secret>,
    /// `host:port` of every proxy the client may use.
    proxies: Vec<String>,
}

impl ShieldConnector {
    pub(crate) fn new(secret: Arc<Secret>, proxies: Vec<String>) -> Self {
        // Asked once per process, here rather than within a call.
        decoders::ureq_decodes();
        ShieldConnector { secret, proxies }
    }

    /// Whether `details` open the connection to a proxy itself (ureq connects to it with
    /// a configuration that has no proxy).
    fn to_a_proxy(&self, details: &ConnectionDetails) -> bool {
        details.config.proxy().is_none()
            && host_port(details.uri)
                .is_some_and(|target| self.proxies.iter().any(|p| p.eq_ignore_ascii_case(&target)))
    }
}

/// `host:port` of a URI, the port its scheme's when unsaid (as `ureq::Proxy::port`).
fn host_port(uri: &ureq::http::Uri) -> Option<String> {
    let authority = uri.authority()?;
    let default = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    Some(format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(default)
    ))
}

impl<In: Transport> Connector<In> for ShieldConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| {
            if !self.secret.active() || self.to_a_proxy(details) {
                return Box::new(inner) as Box<dyn Transport>;
            }
            Box::new(ShieldTransport::new(
                Box::new(inner),
                self.secret.clone(),
                details.config.input_buffer_size(),
            ))
        }))
    }
}

/// Where the request being written is.
#[derive(Clone, Copy, Debug)]
enum Sending {
    /// Its head: complete rows, each ending in `\r\n`, up to an empty one.
    Head { chunked: bool },
    /// Its body, chunked (which ureq logs, so the stand-in may be in it) or not.
    Body { chunked: bool },
}

/// Content scattered over some bytes: `runs` (sorted ranges of them) seen as one
/// string. One run is worked on in place; several are joined in a scratch copy and the
/// changes written back.
struct Scattered<'a> {
    runs: &'a [Range<usize>],
}

impl Scattered<'_> {
    fn len(&self) -> usize {
        self.runs.iter().map(|r| r.len()).sum()
    }

    /// Where the content's byte `offset` lies among the bytes.
    fn position(&self, mut offset: usize) -> usize {
        for run in self.runs {
            if offset < run.len() {
                return run.start + offset;
            }
            offset -= run.len();
        }
        self.runs.last().map_or(0, |r| r.end)
    }

    /// Copies the content into `into`.
    fn gather(&self, bytes: &[u8], into: &mut Vec<u8>) {
        into.clear();
        for run in self.runs {
            into.extend_from_slice(&bytes[run.clone()]);
        }
    }

    /// Writes `data` over the content from its byte `offset`.
    fn write(&self, bytes: &mut [u8], offset: usize, data: &[u8]) {
        for (i, byte) in data.iter().enumerate() {
            bytes[self.position(offset + i)] = *byte;
        }
    }

    /// Replaces every `finder` match in the content by `to` (the same length); returns
    /// where the last replacement ends in the content (0 if there was none).
    fn replace_all(
        &self,
        bytes: &mut [u8],
        scratch: &mut Vec<u8>,
        finder: &Finder<'_>,
        to: &[u8],
    ) -> usize {
        match self.runs {
            [] => 0,
            [run] => replace_all(&mut bytes[run.clone()], finder, to),
            _ => {
                self.gather(bytes, scratch);
                let mut at = 0;
                let mut last_end = 0;
                while let Some(found) = finder.find(&scratch[at..]) {
                    let start = at + found;
                    self.write(bytes, start, to);
                    at = start + to.len();
                    last_end = at;
                }
                last_end
            }
        }
    }

    /// Whether `finder` matches anywhere in the content.
    fn contains(&self, bytes: &[u8], scratch: &mut Vec<u8>, finder: &Finder<'_>) -> bool {
        match self.runs {
            [] => false,
            [run] => finder.find(&bytes[run.clone()]).is_some(),
            _ => {
                self.gather(bytes, scratch);
                finder.find(scratch).is_some()
            }
        }
    }

    /// The content's bytes from `offset` on (copied when scattered).
    fn tail<'b>(&self, bytes: &'b [u8], scratch: &'b mut Vec<u8>, offset: usize) -> &'b [u8] {
        match self.runs {
            [run] => &bytes[run.start + offset..run.end],
            _ => {
                self.gather(bytes, scratch);
                &scratch[offset..]
            }
        }
    }
}

/// A connection whose input ureq reads from here, shielded, and whose output it writes
/// into the connection's own buffer; see the module documentation.
struct ShieldTransport {
    inner: Box<dyn Transport>,
    secret: Arc<Secret>,
    /// `input[start..visible]` is what ureq may read; `input[visible..end]` is held back
    /// (a possible start of a token); `input[end..]` is free.
    input: Vec<u8>,
    start: usize,
    visible: usize,
    end: usize,
    input_size: usize,
    /// Whether the last consume took any bytes (as ureq's own buffers keep it).
    progress: bool,
    sending: Sending,
    /// Whether the answer being read is shielded; if not, ureq reads the connection's
    /// own buffers and this transport only watches the log level.
    shielded: bool,
    /// Bytes taken from the connection when the level rose, refused (never shown)
    /// because they held the stand-in: the next wait returns this error.
    refused: Option<StandInSeen>,
    /// Bytes of the answer that reached the connection's own buffers while it passed
    /// through: if all are still unread when the level rises, ureq has read none of the
    /// answer, and it is followed from its first byte.
    arrived: usize,
    answer: AnswerParser,
    /// Where the content of the held bytes lies (ranges of `input`).
    held_runs: Vec<Range<usize>>,
    /// Scattered content joined for a search.
    scratch: Vec<u8>,
}

impl fmt::Debug for ShieldTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShieldTransport")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl ShieldTransport {
    fn new(inner: Box<dyn Transport>, secret: Arc<Secret>, input_size: usize) -> Self {
        ShieldTransport {
            inner,
            secret,
            input: Vec::new(),
            start: 0,
            visible: 0,
            end: 0,
            input_size: input_size.max(1),
            progress: false,
            sending: Sending::Head { chunked: false },
            shielded: true,
            refused: None,
            arrived: 0,
            answer: AnswerParser::new(),
            held_runs: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Makes at least `min_free` bytes (and the configured size) free after `end`.
    fn make_room(&mut self, min_free: usize) {
        if self.start > 0 {
            let shift = self.start;
            self.input.copy_within(shift..self.end, 0);
            self.visible -= shift;
            self.end -= shift;
            self.start = 0;
            for run in &mut self.held_runs {
                *run = run.start - shift..run.end - shift;
            }
        }
        let want = self.end + min_free.max(self.input_size.saturating_sub(self.end));
        if self.input.len() < want {
            self.input.resize(want, 0);
        }
    }

    /// Shields the bytes not yet shown to ureq: refuses content already holding the
    /// stand-in, puts the stand-in in place of every token in the content, and shows all
    /// but a possible start of a token or stand-in at the content's end, which is held
    /// while more of the answer is due.
    fn shield_pending(&mut self) -> Result<(), StandInSeen> {
        let runs = std::mem::take(&mut self.held_runs);
        let content = Scattered { runs: &runs };
        let secret = &self.secret;
        if content.contains(&self.input, &mut self.scratch, &secret.find_stand_in) {
            return Err(StandInSeen);
        }
        let placed_end = content.replace_all(
            &mut self.input,
            &mut self.scratch,
            &secret.find_token,
            &secret.stand_in,
        );
        if placed_end > 0 {
            // The bytes are read later on this same thread: no stronger ordering needed.
            secret.placed.store(true, Ordering::Relaxed);
        }
        let len = content.len();
        let tail = secret.partial_tail(content.tail(&self.input, &mut self.scratch, placed_end));
        // Held only while more of the answer is due.
        if tail == 0 || !self.answer.more_due() {
            self.visible = self.end;
            return Ok(());
        }
        let hold_from = content.position(len - tail);
        self.visible = hold_from;
        self.held_runs = runs
            .into_iter()
            .filter(|run| run.end > hold_from)
            .map(|run| run.start.max(hold_from)..run.end)
            .collect();
        Ok(())
    }

    /// Renames the `Content-Encoding` header of every answer head that ended, before
    /// ureq reads it: ureq then hands the body on as it came (the bytes the shield
    /// searched), whatever features turn on ureq's decoders in the build. The client asks
    /// for no encoding; a server that encodes anyway (an object stored gzipped) gives
    /// the caller its bytes as stored.
    fn keep_encoded_bodies_as_they_are(&mut self) {
        for at in self.answer.take_encodings() {
            if let Some(name) = self.input.get_mut(at..at + KEPT_ENCODING.len()) {
                name.copy_from_slice(KEPT_ENCODING);
            }
        }
    }

    /// A logger now takes ureq's records: shields the rest of the answer being read
    /// (its unread bytes first), and every later answer. An answer ureq has not begun
    /// to read (the level rose while the request was sent or its answer awaited) is
    /// followed from its first byte; the rest of one it has begun, its framing unknown
    /// here, is searched unfollowed.
    fn shield_the_rest(&mut self) {
        self.secret.shield_from_now_on();
        self.shielded = true;
        let unread = self.inner.buffers().input().len();
        if unread == self.arrived {
            self.answer.expect_answer();
        } else {
            self.answer.lose_track();
        }
        if unread == 0 {
            return;
        }
        self.make_room(unread);
        let (from, to) = (self.end, self.end + unread);
        self.input[from..to].copy_from_slice(&self.inner.buffers().input()[..unread]);
        self.inner.buffers().input_consume(unread);
        self.answer
            .feed(&self.input[from..to], from, &mut self.held_runs);
        self.end = to;
        // The positions it records hold only until the input next moves.
        self.keep_encoded_bodies_as_they_are();
        // ureq may try these bytes before it waits for more, as it could before.
        self.progress = true;
        if let Err(seen) = self.shield_pending() {
            // Never shown; the next wait says why.
            self.refused = Some(seen);
        }
    }

    /// In an answer read unfollowed nothing is held back, so a token may begin in the
    /// bytes shown before `from` (where the new ones start); ureq reads a head only
    /// once it is whole, so those may still be unread. The search reaches back into
    /// the unread ones for a token across the seam.
    fn shield_across_the_seam(&mut self, from: usize) {
        if !self.answer.unfollowed() {
            return;
        }
        let reach = self.secret.token.len().saturating_sub(1);
        let (low, high) = (
            from.saturating_sub(reach).max(self.start),
            (from + reach).min(self.end),
        );
        if low == from || high == from {
            return;
        }
        // Any match here holds the bytes on both sides of the seam: those wholly on
        // either side have been searched already.
        let secret = &self.secret;
        if replace_all(
            &mut self.input[low..high],
            &secret.find_token,
            &secret.stand_in,
        ) > 0
        {
            secret.placed.store(true, Ordering::Relaxed);
        }
    }

    /// Shows the held bytes as they are: nothing more can come to make them a token.
    fn release_held(&mut self) {
        self.visible = self.end;
        self.held_runs.clear();
    }

    /// The unread bytes ureq can see.
    fn shown(&self) -> usize {
        self.visible - self.start
    }
}

impl Transport for ShieldTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        // ureq asks for the buffers before each use of them, and so before it parses
        // (and logs) the bytes it reads: the level is looked at here.
        if !self.shielded && ureq_may_log() {
            self.shield_the_rest();
        }
        if self.shielded {
            self
        } else {
            self.inner.buffers()
        }
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let mut sending = self.sending;
        let mut out = std::mem::take(&mut self.scratch);
        let result = (|| {
            let buffer = &mut self.inner.buffers().output()[..amount];
            match &mut sending {
                Sending::Head { chunked } => {
                    if restore_head_rows(&self.secret, buffer, chunked) {
                        sending = Sending::Body { chunked: *chunked };
                        // Bytes of an earlier answer still unread keep it shielded.
                        self.shielded = self.start != self.end || self.secret.shield_answer();
                        if self.shielded {
                            self.answer.expect_answer();
                        } else {
                            self.arrived = 0;
                        }
                    }
                    Ok(())
                }
                Sending::Body { chunked: true } => {
                    let Some(runs) = chunked_request_runs(buffer) else {
                        return Err(ureq::Error::Io(io::Error::other(
                            "a chunked request body was not framed as expected; it was not sent",
                        )));
                    };
                    let content = Scattered { runs: &runs };
                    let secret = &self.secret;
                    content.replace_all(buffer, &mut out, &secret.find_stand_in, &secret.token);
                    Ok(())
                }
                Sending::Body { chunked: false } => Ok(()),
            }
        })();
        self.scratch = out;
        result?;
        self.sending = sending;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // Reading means the request has been sent: the next write starts a new one.
        self.sending = Sending::Head { chunked: false };
        if !self.shielded {
            // ureq reads what arrives through `buffers`, which shields it if a logger
            // has come to take ureq's records meanwhile.
            let before = self.inner.buffers().input().len();
            let result = self.inner.await_input(timeout);
            let after = self.inner.buffers().input().len();
            self.arrived += after.saturating_sub(before);
            return result;
        }
        if let Some(seen) = self.refused.take() {
            return Err(ureq::Error::Io(seen.io()));
        }
        let shown_before = self.shown();
        let started = Instant::now();
        let mut wait = timeout;
        loop {
            if self.inner.buffers().input().is_empty() {
                match self.inner.await_input(wait) {
                    Ok(true) => {}
                    // The end: what was held can never become a token.
                    Ok(false) => {
                        self.release_held();
                        return Ok(self.shown() > shown_before);
                    }
                    Err(e) if self.visible < self.end => {
                        // Show what was held first; the error comes again on the next wait.
                        self.release_held();
                        log::trace!("releasing held bytes before a read error: {e}");
                        return Ok(true);
                    }
                    Err(e) => return Err(e),
                }
            }
            let incoming = self.inner.buffers().input().len();
            if self.input.len() - self.end < incoming {
                self.make_room(incoming);
            }
            let n = {
                let incoming = self.inner.buffers().input();
                let room = &mut self.input[self.end..];
                let n = incoming.len().min(room.len());
                room[..n].copy_from_slice(&incoming[..n]);
                n
            };
            self.inner.buffers().input_consume(n);
            let (from, to) = (self.end, self.end + n);
            self.answer
                .feed(&self.input[from..to], from, &mut self.held_runs);
            self.end = to;
            self.keep_encoded_bodies_as_they_are();
            self.shield_pending()
                .map_err(|seen| ureq::Error::Io(seen.io()))?;
            self.shield_across_the_seam(from);
            if self.shown() > shown_before {
                return Ok(true);
            }
            // Everything new is held: the rest of the answer is due. Wait for it within
            // what is left of this wait, so that holding never stretches a timeout.
            if let UreqDuration::Exact(limit) = timeout.after {
                let left = limit.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(ureq::Error::Timeout(timeout.reason));
                }
                wait = NextTimeout {
                    after: UreqDuration::Exact(left),
                    ..timeout
                };
            }
        }
    }

    fn is_open(&mut self) -> bool {
        // Unread bytes after an answer (held ones included) mean the connection is out
        // of step: it must not carry another request.
        self.start == self.end && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Writes the token back in the `Authorization` row of a head's rows in `out`; returns
/// whether the head ended, and records whether it asks for a chunked body. ureq writes
/// whole rows, and header names in lower case (as `http::HeaderName` holds them).
fn restore_head_rows(secret: &Secret, out: &mut [u8], chunked: &mut bool) -> bool {
    const AUTHORIZATION: &[u8] = b"authorization:";
    let row = if out.starts_with(AUTHORIZATION) {
        Some(0)
    } else {
        AUTHORIZATION_ROW.find(out).map(|at| at + 2)
    };
    if let Some(start) = row {
        let end = END_OF_ROW
            .find(&out[start..])
            .map_or(out.len(), |i| start + i);
        let value = out[start + AUTHORIZATION.len()..end].trim_ascii_start();
        let value_start = end - value.len();
        if value == secret.hidden_bearer.as_bytes() {
            // The value ureq was given: the token goes back where the stand-in is.
            out[value_start..end].copy_from_slice(secret.bearer.as_bytes());
        } else {
            replace_all(&mut out[start..end], &secret.find_stand_in, &secret.token);
        }
    }
    *chunked |= out.starts_with(&CHUNKED_ROW.needle()[2..]) || CHUNKED_ROW.find(out).is_some();
    // A head's last row is the empty one, and a body is never in the same write.
    out.ends_with(b"\r\n\r\n") || out == b"\r\n"
}

impl Buffers for ShieldTransport {
    fn output(&mut self) -> &mut [u8] {
        self.inner.buffers().output()
    }

    fn input(&self) -> &[u8] {
        &self.input[self.start..self.visible]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        // Only a transport fills its own input; ureq reads through `await_input`.
        if self.end == self.input.len() {
            self.make_room(1);
        }
        &mut self.input[self.end..]
    }

    fn input_appended(&mut self, amount: usize) {
        let amount = amount.min(self.input.len() - self.end);
        let (from, to) = (self.end, self.end + amount);
        self.answer
            .feed(&self.input[from..to], from, &mut self.held_runs);
        self.end = to;
        if self.shield_pending().is_err() {
            // Never shown: drop what cannot be passed on unaltered.
            self.end = self.visible;
            self.held_runs.clear();
        }
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.start = (self.start + amount).min(self.visible);
        if self.start == self.end {
            self.start = 0;
            self.visible = 0;
            self.end = 0;
            self.held_runs.clear();
        }
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        const MIN_TMP_SIZE: usize = 10 * 1024;
        if self.input.len() - self.end < MIN_TMP_SIZE {
            self.make_room(MIN_TMP_SIZE);
        }
        (&mut self.input[self.end..], self.inner.buffers().output())
    }

    fn can_use_input(&self) -> bool {
        self.visible > self.start && self.progress
    }
}

/// A chunked request body as ureq reads it: every token in the caller's bytes is
/// replaced by the stand-in (which the transport writes back over it), and no read ends
/// inside one, so each stand-in stays within one chunk.
pub(crate) struct Hidden<R> {
    inner: R,
    secret: Arc<Secret>,
    /// `buf[start..ready]` may be handed on; `buf[ready..end]` could start a token.
    buf: Vec<u8>,
    start: usize,
    ready: usize,
    end: usize,
    /// Where stand-ins placed in `buf[start..ready]` start, in order.
    placed: std::collections::VecDeque<usize>,
    at_end: bool,
}

impl<R> Hidden<R> {
    pub(crate) fn new(inner: R, secret: Arc<Secret>) -> Self {
        Hidden {
            inner,
            secret,
            buf: Vec::new(),
            start: 0,
            ready: 0,
            end: 0,
            placed: std::collections::VecDeque::new(),
            at_end: false,
        }
    }
}

impl<R: Read> Read for Hidden<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.secret.active() {
            return self.inner.read(out);
        }
        let len = self.secret.stand_in.len();
        loop {
            if self.ready > self.start {
                let mut n = out.len().min(self.ready - self.start);
                // Never end inside a stand-in: it must reach the transport whole.
                if let Some(&cut) = self
                    .placed
                    .iter()
                    .find(|&&p| p < self.start + n && p + len > self.start + n)
                {
                    n = cut - self.start;
                    if n == 0 {
                        n = len.min(out.len());
                    }
                }
                out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                self.start += n;
                while self.placed.front().is_some_and(|&p| p < self.start) {
                    self.placed.pop_front();
                }
                return Ok(n);
            }
            if self.at_end {
                if self.end > self.ready {
                    self.ready = self.end;
                    continue;
                }
                return Ok(0);
            }
            // Read more behind what is held.
            self.buf.copy_within(self.start..self.end, 0);
            for p in &mut self.placed {
                *p -= self.start;
            }
            self.ready -= self.start;
            self.end -= self.start;
            self.start = 0;
            let want = self.end + super::CHUNK_SIZE;
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let n = self.inner.read(&mut self.buf[self.end..])?;
            if n == 0 {
                self.at_end = true;
                continue;
            }
            self.end += n;
            let pending = &mut self.buf[self.ready..self.end];
            let placed_end = self.secret.hide_in(pending).map_err(StandInSeen::io)?;
            // Record where this round's stand-ins start.
            let mut at = 0;
            while let Some(i) = self.secret.find_stand_in.find(&pending[at..placed_end]) {
                self.placed.push_back(self.ready + at + i);
                at += i + len;
            }
            let held = self.secret.partial_tail(&pending[placed_end..]);
            self.ready = self.end - held;
        }
    }
}

/// Gives the bytes of an answer's body their token back (see the module
/// documentation), holding back a possible start of a stand-in at a piece's end.
#[derive(Debug)]
pub(crate) struct Restore {
    secret: Arc<Secret>,
    held: Vec<u8>,
}

impl Restore {
    pub(crate) fn new(secret: Arc<Secret>) -> Self {
        Restore {
            secret,
            held: Vec::new(),
        }
    }

    /// Puts the bytes held back from the last piece at the start of `buffer` (which has
    /// room for a stand-in's length) and returns how many there are: the next piece
    /// follows them.
    pub(crate) fn take_held(&mut self, buffer: &mut [u8]) -> usize {
        let held = std::mem::take(&mut self.held);
        buffer[..held.len()].copy_from_slice(&held);
        held.len()
    }

    /// Restores `piece`, the next bytes of the body after the held ones (`at_end`: the
    /// last ones), in place, and returns how many of its bytes to hand on now: the rest
    /// (a possible start of a stand-in) is held back for the next piece.
    pub(crate) fn apply(&mut self, piece: &mut [u8], at_end: bool) -> usize {
        // A stand-in is placed whole before ureq hands on any of its bytes, so while none
        // has been placed no piece can hold one, nor end with the start of one.
        if !self.secret.active() || !self.secret.placed.load(Ordering::Relaxed) {
            return piece.len();
        }
        let restored_end = replace_all(piece, &self.secret.find_stand_in, &self.secret.token);
        if at_end {
            return piece.len();
        }
        let held = partial_tail(&piece[restored_end..], &self.secret.stand_in);
        let ready = piece.len() - held;
        self.held = piece[ready..].to_vec();
        ready
    }

    /// The most bytes [`take_held`](Self::take_held) can put back.
    pub(crate) fn most_held(&self) -> usize {
        self.secret.stand_in.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "podstack_test_s3cr3tvalue";

    fn stand_in(secret: &Secret) -> Vec<u8> {
        secret.stand_in.clone()
    }

    #[test]
    fn replace_all_replaces_every_occurrence_in_place() {
        let mut bytes = b"a TOKEN b TOKENTOKEN".to_vec();
        let last = replace_all(&mut bytes, &Finder::new(b"TOKEN"), b"xxxxx");
        assert_eq!(bytes, b"a xxxxx b xxxxxxxxxx");
        assert_eq!(last, bytes.len());
    }

    #[test]
    fn partial_tails_are_the_longest_proper_start() {
        assert_eq!(partial_tail(b"abc pod", b"podstack"), 3);
        assert_eq!(partial_tail(b"abc p", b"podstack"), 1);
        assert_eq!(partial_tail(b"abc", b"podstack"), 0);
        assert_eq!(partial_tail(b"podstack", b"podstack"), 0);
        assert_eq!(partial_tail(b"xpodstac", b"podstack"), 7);
        assert_eq!(partial_tail(b"", b"podstack"), 0);
    }

    /// The stand-ins a chunked upload carries never arm the restorer: an answer read
    /// unshielded, never searched, could otherwise have bytes changed.
    #[test]
    fn a_chunked_upload_does_not_arm_the_restorer() {
        let secret = Arc::new(Secret::new(TOKEN));
        let body = format!("a {TOKEN} b");
        let mut hidden = Hidden::new(body.as_bytes(), secret.clone());
        let mut sent = Vec::new();
        hidden.read_to_end(&mut sent).unwrap();
        assert_eq!(sent, [b"a ", &secret.stand_in[..], b" b"].concat());
        let answer = [b"x ", &secret.stand_in[..], b" y"].concat();
        let mut read = answer.clone();
        let n = Restore::new(secret.clone()).apply(&mut read, true);
        assert_eq!(&read[..n], &answer[..]);
    }

    #[test]
    fn restore_gives_every_byte_back_across_any_split() {
        let secret = Arc::new(Secret::new(TOKEN));
        // As if the transport had placed the stand-in in an answer.
        secret.placed.store(true, Ordering::Relaxed);
        let mut body = b"start ".to_vec();
        body.extend_from_slice(&stand_in(&secret));
        body.extend_from_slice(b" end ");
        body.extend_from_slice(&secret.stand_in[..5]);
        for split in 0..body.len() {
            let mut restore = Restore::new(secret.clone());
            let mut out = Vec::new();
            for (piece, at_end) in [
                (&body[..split], false),
                (&body[split..], false),
                (&[][..], true),
            ] {
                let mut buffer = vec![0; restore.most_held() + piece.len()];
                let held = restore.take_held(&mut buffer);
                buffer.truncate(held + piece.len());
                buffer[held..].copy_from_slice(piece);
                let ready = restore.apply(&mut buffer, at_end);
                out.extend_from_slice(&buffer[..ready]);
            }
            let mut expected = format!("start {TOKEN} end ").into_bytes();
            expected.extend_from_slice(&secret.stand_in[..5]);
            assert_eq!(out, expected, "split at {split}");
        }
    }

    #[test]
    fn hidden_bodies_never_show_the_token_and_never_split_a_stand_in() {
        let secret = Arc::new(Secret::new(TOKEN));
        let body = format!("{TOKEN}-a-{TOKEN}{TOKEN}-tail-pod").into_bytes();
        for piece in 1..body.len() + 2 {
            // A reader that gives `piece` bytes at a time, read through small buffers.
            struct Trickle<'a>(&'a [u8], usize);
            impl Read for Trickle<'_> {
                fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                    let n = self.1.min(self.0.len()).min(out.len());
                    out[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut hidden = Hidden::new(Trickle(&body, piece), secret.clone());
            let mut sent = Vec::new();
            let mut buf = [0u8; 40];
            loop {
                let n = hidden.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                let mut chunk = buf[..n].to_vec();
                assert!(
                    Finder::new(TOKEN).find(&chunk).is_none(),
                    "the token reached ureq"
                );
                // What the transport does to a chunk.
                replace_all(&mut chunk, &secret.find_stand_in, &secret.token);
                sent.extend(chunk);
            }
            assert_eq!(sent, body, "pieces of {piece}");
        }
    }

    #[test]
    fn a_body_already_holding_the_stand_in_is_refused_not_altered() {
        let secret = Arc::new(Secret::new(TOKEN));
        let mut body = b"x".to_vec();
        body.extend_from_slice(&secret.stand_in);
        let mut hidden = Hidden::new(&body[..], secret.clone());
        let error = hidden.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(error.to_string().contains("stand-in"), "{error}");
    }

    #[test]
    fn only_the_authorization_row_gets_the_token() {
        let secret = Secret::new(TOKEN);
        let stand_in = String::from_utf8(stand_in(&secret)).unwrap();
        let head = format!(
            "GET /v1/{stand_in} HTTP/1.1\r\nauthorization: Bearer {stand_in}\r\nx-other: {stand_in}\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        let mut out = head.clone().into_bytes();
        let mut chunked = false;
        assert!(restore_head_rows(&secret, &mut out, &mut chunked));
        assert!(chunked);
        let expected = head.replacen(
            &format!("authorization: Bearer {stand_in}"),
            &format!("authorization: Bearer {TOKEN}"),
            1,
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn a_proxy_is_known_by_its_port_or_its_scheme_s() {
        let uri = |s: &str| s.parse::<ureq::http::Uri>().unwrap();
        assert_eq!(host_port(&uri("https://proxy")).unwrap(), "proxy:443");
        assert_eq!(host_port(&uri("http://proxy")).unwrap(), "proxy:80");
        assert_eq!(host_port(&uri("http://proxy:3128")).unwrap(), "proxy:3128");
        // As ureq names its proxies.
        let proxy = ureq::Proxy::new("https://proxy").unwrap();
        assert_eq!(
            format!("{}:{}", proxy.host(), proxy.port()),
            host_port(&uri("https://proxy")).unwrap()
        );
    }

    /// A connection that receives `pieces`, one per wait.
    #[derive(Debug)]
    struct Scripted {
        buffers: ureq::unversioned::transport::LazyBuffers,
        pieces: std::collections::VecDeque<Vec<u8>>,
    }

    impl Transport for Scripted {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            let Some(piece) = self.pieces.pop_front() else {
                return Ok(false);
            };
            self.buffers.input_append_buf()[..piece.len()].copy_from_slice(&piece);
            self.buffers.input_appended(piece.len());
            Ok(true)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    /// While no logger takes `debug` records, an answer is read from the connection's
    /// own buffers (nothing copied, nothing searched); once one does, the rest of it is
    /// taken, shielded, and so is every later answer. The level is the process's: this
    /// is the only test of the library that changes it.
    #[test]
    fn answers_pass_through_until_a_logger_could_record_them() {
        let secret = Arc::new(Secret::new(TOKEN));
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 54\r\n\r\n";
        let pieces = [format!("{head}a{TOKEN}b"), format!("c{TOKEN}d")];
        let mut transport = ShieldTransport::new(
            Box::new(Scripted {
                buffers: ureq::unversioned::transport::LazyBuffers::new(1024, 1024),
                pieces: pieces.iter().map(|p| p.clone().into_bytes()).collect(),
            }),
            secret.clone(),
            1024,
        );
        let timeout = NextTimeout {
            after: UreqDuration::NotHappening,
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        };
        let request = format!(
            "GET / HTTP/1.1\r\nauthorization: {}\r\n\r\n",
            secret.hidden_bearer
        );
        let send = |transport: &mut ShieldTransport| {
            transport.buffers().output()[..request.len()].copy_from_slice(request.as_bytes());
            transport.transmit_output(request.len(), timeout).unwrap();
        };
        log::set_max_level(log::LevelFilter::Info);
        send(&mut transport);
        if decoders::ureq_decodes() {
            // Every answer is followed, for its `Content-Encoding`.
            assert!(transport.shielded);
            return;
        }
        assert!(transport.await_input(timeout).unwrap());
        assert_eq!(transport.buffers().input(), pieces[0].as_bytes());
        // Read from the connection's buffers: nothing copied.
        assert_eq!((transport.end, transport.shielded), (0, false));
        transport.buffers().input_consume(head.len());

        log::set_max_level(log::LevelFilter::Trace);
        let shown = transport.buffers().input().to_vec();
        log::set_max_level(log::LevelFilter::Off);
        let expected = [&b"a"[..], &secret.stand_in, b"b"].concat();
        assert_eq!(shown, expected, "the unread rest, shielded");
        assert!(transport.shielded && secret.shielding.load(Ordering::Relaxed));
        transport.buffers().input_consume(shown.len());
        assert!(transport.await_input(timeout).unwrap());
        let expected = [&b"c"[..], &secret.stand_in, b"d"].concat();
        assert_eq!(transport.buffers().input(), expected);
        transport.buffers().input_consume(expected.len());

        // The next answer is shielded, whatever the level.
        send(&mut transport);
        assert!(transport.shielded);
    }

    #[test]
    fn short_tokens_are_not_swapped() {
        let secret = Secret::new("abc");
        assert!(!secret.active());
        assert_eq!(secret.hide_authorization("Bearer abc"), "Bearer abc");
        let secret = Secret::new(TOKEN);
        let hidden = secret.hide_authorization(&secret.bearer).into_owned();
        assert!(!hidden.contains(TOKEN) && hidden.starts_with("Bearer "));
    }
}
