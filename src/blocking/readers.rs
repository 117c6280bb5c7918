//! Readers and writers of the blocking client: `std::io::Read` uploads checked to hold
//! their promised length, and downloads into any `std::io::Write`.

#[cfg(doc)]
use super::Client;
use super::{Buckets, Presigned};
use crate::transport::{Counted, OneShot, RequestBodyOf};
use crate::Result;

impl Presigned {
    /// Uploads what `reader` yields through a presigned `PUT` URL, without the token.
    /// `len`, when known, is sent as `Content-Length` (some stores require it), and the
    /// reader must hold exactly `len` bytes: one that ends sooner or holds more fails
    /// with [`Error::Io`](crate::Error::Io) before the store has the whole body (after
    /// `len` bytes it is read once more, into a 1-byte buffer, and the last bytes go on
    /// only if it is at its end). Without `len` the body is chunked. A reader can be read
    /// only once, so a failed upload is not retried.
    ///
    /// `reader` may be borrowed (`&mut file`, `&data[..]`): it is read within the call
    /// and not kept after it.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::open("data.csv").expect("readable");
    /// let len = file.metadata().expect("readable").len();
    /// let url = "https://storage.example.com/b/data.csv?X-Signature=...";
    /// client.presigned().upload_reader(url, &mut file, Some(len))?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if `url` is not an absolute http(s) URL
    /// (nothing is sent); the store's refusal as the matching HTTP error (an expired URL is
    /// typically [`Error::Permission`](crate::Error::Permission), HTTP 403);
    /// [`Error::Io`](crate::Error::Io) if `reader` fails or does not hold exactly `len`
    /// bytes; [`Error::Network`](crate::Error::Network) or
    /// [`Error::Timeout`](crate::Error::Timeout) from the transport. Never retried.
    pub fn upload_reader(
        &self,
        url: &str,
        reader: impl std::io::Read + Send,
        len: Option<u64>,
    ) -> Result<()> {
        let body = RequestBodyOf::Reader(OneShot::new(exact(reader, len), len));
        self.put_body(url, body)
    }
}

impl Buckets {
    /// Uploads what `reader` yields as the object `key`, streamed (never held in
    /// memory whole), in the one form request [`upload`](Self::upload) sends for a
    /// small file, whatever its size: there is no multipart upload from a reader.
    /// With `len`, the reader must hold exactly `len` bytes, sent with a
    /// `Content-Length`: one that ends sooner fails with [`Error::Io`](crate::Error::Io),
    /// and so does one that holds more (after `len` bytes it is read once more, into a
    /// 1-byte buffer, and the last bytes go on only if it is at its end): the body stops
    /// before the form is complete, so nothing is stored, never an object cut at `len`.
    /// Without `len` the body is chunked and holds all the reader yields.
    ///
    /// `reader` may be borrowed (`&mut file`, `&data[..]`): it is read within the call
    /// and not kept after it. It must be `Send`, as a `File`, a slice or a `Cursor` is
    /// (a `StdinLock` is not: pass `std::io::stdin()` itself).
    ///
    /// A reader can be read only once, so this upload is **never retried**: a failed
    /// one fails at once, whatever the [retry policy](crate::ClientBuilder::retry). To
    /// have it retried, upload from memory ([`put_object`](Self::put_object)) or from a
    /// file ([`upload`](Self::upload)).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::open("data.csv").expect("readable");
    /// let len = file.metadata().expect("readable").len();
    /// client.buckets().upload_reader("bucket-id", "datasets/data.csv", &mut file, Some(len))?;
    /// // A slice reads as well.
    /// let data = b"id,name\n1,alpha\n".to_vec();
    /// client.buckets().upload_reader("bucket-id", "datasets/tiny.csv", &data[..], None)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (empty, or ending in `/`): nothing is sent;
    /// [`Error::Io`](crate::Error::Io) if `reader` fails or does not hold exactly `len`
    /// bytes (nothing is stored);
    /// [`Error::NotFound`](crate::Error::NotFound) if no bucket has this id. Otherwise the
    /// [errors of every call](Client#errors-of-every-call), none of them retried.
    pub fn upload_reader(
        &self,
        bucket_id: &str,
        key: &str,
        reader: impl std::io::Read + Send,
        len: Option<u64>,
    ) -> Result<()> {
        use std::io::{Cursor, Read};

        self.send_framed(bucket_id, key, len, |head, tail, total| {
            let framed = Cursor::new(head).chain(exact(reader, len));
            let framed = framed.chain(Cursor::new(tail));
            RequestBodyOf::Reader(OneShot::new(Box::new(framed), total))
        })
    }

    /// Streams the object `key` into `writer` (a file, a `Vec<u8>`, a socket, a
    /// hasher: any [`Write`](std::io::Write), or `&mut` one), flushes it and returns
    /// how many bytes it wrote. Nothing is held in memory beyond one network piece,
    /// whatever the object's size.
    ///
    /// A failed request is retried like any call. A body that breaks off is fetched
    /// again from where it stopped, since `writer` already holds its start: a ranged
    /// request for the rest, of the same version (`If-Match`), under the same retry
    /// policy as every download. An answer without a `Content-Length` cannot be resumed
    /// that way, so its breaking off is an [`Error::Network`](crate::Error::Network).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let mut file = std::fs::File::create("model.pt").expect("writable");
    /// let bytes = client.buckets().download_to_writer("bucket-id", "models/model.pt", &mut file)?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project or `key`
    /// names no object (nothing is sent); [`Error::NotFound`](crate::Error::NotFound) if
    /// the bucket or the object does not exist; [`Error::Io`](crate::Error::Io) if
    /// `writer` fails; [`Error::Network`](crate::Error::Network) if the body breaks off
    /// and the retries are spent; [`Error::Integrity`](crate::Error::Integrity) if the
    /// object changes before the rest of a broken-off body is fetched (not retried).
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub fn download_to_writer(
        &self,
        bucket_id: &str,
        key: &str,
        mut writer: impl std::io::Write,
    ) -> Result<u64> {
        self.download_into(bucket_id, key, &mut writer)
    }
}

/// A reader that must hold exactly its promised length (see [`Counted`]).
struct Exact<R> {
    reader: R,
    count: Counted,
}

/// `reader`, checked to hold exactly `len` bytes when `len` is given.
fn exact<'r, R: std::io::Read + Send + 'r>(
    reader: R,
    len: Option<u64>,
) -> Box<dyn std::io::Read + Send + 'r> {
    match len {
        Some(len) => Box::new(Exact {
            reader,
            count: Counted::new(len),
        }),
        None => Box::new(reader),
    }
}

impl<R: std::io::Read> std::io::Read for Exact<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        let room = self.count.room(buffer.len());
        let n = if room == 0 {
            0
        } else {
            let n = self.reader.read(&mut buffer[..room])?;
            self.count.advance(n)?;
            n
        };
        if self.count.probe_due() {
            // These bytes keep the promise: they go on only once the reader is known to
            // end here, so that a longer one fails before the server has the whole body.
            let extra = loop {
                match self.reader.read(&mut [0u8; 1]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.count.probed(extra)?;
        }
        Ok(n)
    }
}
