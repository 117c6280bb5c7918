//! Whether the ureq in this build decodes answer bodies.
//!
//! ureq decodes a body sent with `Content-Encoding: gzip` or `br` when its `gzip` or
//! `brotli` feature is on, and any crate in a program's dependency graph can turn those
//! on (Cargo unifies features). The shield then follows every answer to rename that
//! header before ureq reads it; when they are off, an answer no logger can record needs
//! no following at all. Cargo tells no crate which features another one was built
//! with, so [`ureq_decodes`] asks ureq, once per process: it reads two canned answers,
//! a `gzip` one and a `br` one, whose body is one byte that is neither, through an agent
//! whose only "connection" serves them from memory (no socket, no thread).

use std::sync::LazyLock;

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};

/// Whether ureq decodes `gzip` or `br` bodies in this build (also if it cannot be
/// told: the shield then follows every answer, which is always safe).
pub(super) fn ureq_decodes() -> bool {
    static DECODES: LazyLock<bool> = LazyLock::new(|| ["gzip", "br"].into_iter().any(decodes));
    *DECODES
}

/// The body of an answer marked `encoding`; `true` unless ureq hands it on as sent.
fn decodes(encoding: &'static str) -> bool {
    !matches!(read_through_ureq(encoding, b"x").as_deref(), Ok(b"x"))
}

/// The body ureq reads of an answer marked `encoding` that carries `body`.
fn read_through_ureq(encoding: &'static str, body: &'static [u8]) -> Result<Vec<u8>, ureq::Error> {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build();
    let agent = ureq::Agent::with_parts(
        config,
        Canned { encoding, body },
        super::super::lookup::ResolveOnConnect,
    );
    agent
        .get("http://ureq-decoders.invalid/")
        .call()
        .and_then(|mut answer| answer.body_mut().read_to_vec())
}

/// Serves one canned answer.
#[derive(Debug)]
struct Canned {
    encoding: &'static str,
    body: &'static [u8],
}

impl<In: Transport> Connector<In> for Canned {
    type Out = CannedAnswer;

    fn connect(
        &self,
        _: &ConnectionDetails,
        _: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-encoding: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            self.encoding,
            self.body.len()
        );
        Ok(Some(CannedAnswer {
            buffers: LazyBuffers::new(1024, 1024),
            answer: [head.as_bytes(), self.body].concat(),
            sent: false,
        }))
    }
}

#[derive(Debug)]
struct CannedAnswer {
    buffers: LazyBuffers,
    answer: Vec<u8>,
    sent: bool,
}

impl Transport for CannedAnswer {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
        Ok(())
    }

    fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
        if std::mem::replace(&mut self.sent, true) {
            return Ok(false);
        }
        let room = self.buffers.input_append_buf();
        let n = self.answer.len().min(room.len());
        room[..n].copy_from_slice(&self.answer[..n]);
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the probe says matches what ureq does to a real gzip stream, in this build
    /// (the SDK's, without decoders) and in one that turns them on
    /// (`cargo test --features ureq/gzip`).
    #[test]
    fn the_probe_tells_whether_ureq_decodes() {
        // "hello", gzipped.
        const GZIP: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00\x86\xa6\x10\x36\x05\x00\x00\x00";
        match read_through_ureq("gzip", GZIP).unwrap().as_slice() {
            b"hello" => assert!(ureq_decodes() && decodes("gzip")),
            as_sent => {
                assert_eq!(as_sent, GZIP);
                assert!(!decodes("gzip"));
            }
        }
    }
}
