//! The per-connection bandwidth cap: an `AsyncRead + AsyncWrite` wrapper around
//! an accepted socket with one token bucket per direction. The rate is read
//! from shared state on every poll (0 = unlimited, a plain pass-through), so
//! changing it at run time affects open connections too. Each connection has
//! its own buckets: N parallel connections move about N times the bytes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// One direction's token bucket.
struct Bucket {
    tokens: f64,
    last: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Bucket {
    fn new() -> Self {
        Bucket {
            tokens: 0.0,
            last: Instant::now(),
            sleep: None,
        }
    }

    /// Burst size: 20 ms worth of bytes, at least 1 KiB.
    fn burst(rate: u64) -> f64 {
        (rate as f64 / 50.0).max(1024.0)
    }

    /// Waits until some bytes may pass; returns how many.
    fn poll_allow(&mut self, cx: &mut Context<'_>, rate: u64) -> Poll<usize> {
        loop {
            if let Some(s) = self.sleep.as_mut() {
                ready!(s.as_mut().poll(cx));
                self.sleep = None;
            }
            let now = Instant::now();
            let burst = Self::burst(rate);
            let elapsed = now.duration_since(self.last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * rate as f64).min(burst);
            self.last = now;
            if self.tokens >= 1.0 {
                return Poll::Ready(self.tokens as usize);
            }
            // Wait for a quarter burst rather than a byte, to keep wake-ups rare.
            let need = burst / 4.0 - self.tokens;
            let wait = Duration::from_secs_f64(need / rate as f64);
            self.sleep = Some(Box::pin(tokio::time::sleep(wait)));
        }
    }

    fn spend(&mut self, n: usize) {
        self.tokens -= n as f64;
    }
}

/// A socket whose reads and writes are each capped at the shared rate.
pub(crate) struct Throttled<S> {
    inner: S,
    rate: Arc<AtomicU64>,
    read: Bucket,
    write: Bucket,
}

impl<S> Throttled<S> {
    pub fn new(inner: S, rate: Arc<AtomicU64>) -> Self {
        Throttled {
            inner,
            rate,
            read: Bucket::new(),
            write: Bucket::new(),
        }
    }

    fn rate(&self) -> u64 {
        self.rate.load(Ordering::Relaxed)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Throttled<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rate = this.rate();
        if rate == 0 {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let allow = ready!(this.read.poll_allow(cx, rate)).min(buf.remaining());
        if allow == 0 {
            return Poll::Ready(Ok(()));
        }
        let mut tmp = vec![0u8; allow];
        let mut small = ReadBuf::new(&mut tmp);
        ready!(Pin::new(&mut this.inner).poll_read(cx, &mut small))?;
        let n = small.filled().len();
        buf.put_slice(small.filled());
        this.read.spend(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Throttled<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let rate = this.rate();
        if rate == 0 {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        if buf.is_empty() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        let allow = ready!(this.write.poll_allow(cx, rate)).min(buf.len());
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..allow]))?;
        this.write.spend(n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.rate() == 0 {
            return Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs);
        }
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
