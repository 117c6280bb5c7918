//! A small streaming `multipart/form-data` reader (RFC 7578): parts are read
//! one after another and a part's content is handed out chunk by chunk, so a
//! 1 GiB file part never sits in memory. Only what the upload route needs:
//! part names, file names, and content.

use axum::body::{Body, BodyDataStream, Bytes};
use futures_util::StreamExt;

use crate::errors::{ApiError, ApiResult};

/// Longest header block of one part.
const MAX_PART_HEADERS: usize = 16 * 1024;

/// The headers of one part that matter here (a file part's filename and
/// content type are accepted and ignored: the key comes from the `path` field).
#[derive(Debug, Clone)]
pub(crate) struct PartHead {
    pub name: String,
}

/// Reads a `multipart/form-data` body part by part.
pub(crate) struct FormReader {
    stream: BodyDataStream,
    buf: Vec<u8>,
    /// `\r\n--<boundary>`.
    delim: Vec<u8>,
    eof: bool,
    /// Inside a part's content.
    in_part: bool,
    finished: bool,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg)
}

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: Option<&str>) -> ApiResult<String> {
    let ct = content_type.unwrap_or("");
    let mut params = ct.split(';');
    let kind = params.next().unwrap_or("").trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return Err(ApiError::field(
            "body",
            "must be multipart/form-data with fields path and file",
        ));
    }
    for p in params {
        if let Some((k, v)) = p.split_once('=') {
            if k.trim().eq_ignore_ascii_case("boundary") {
                let v = v.trim().trim_matches('"');
                if !v.is_empty() && v.len() <= 70 {
                    return Ok(v.to_string());
                }
            }
        }
    }
    Err(bad("multipart/form-data needs a boundary parameter"))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        i += hay[i..=last_start].iter().position(|&b| b == first)?;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Splits off and returns the first `n` bytes of `buf` (copying only the rest).
fn take_front(buf: &mut Vec<u8>, n: usize) -> Bytes {
    let rest = buf.split_off(n);
    Bytes::from(std::mem::replace(buf, rest))
}

fn param(header: &str, key: &str) -> Option<String> {
    for p in header.split(';').skip(1) {
        let p = p.trim();
        if let Some((k, v)) = p.split_once('=') {
            if k.trim().eq_ignore_ascii_case(key) {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v);
                return Some(v.replace("\\\"", "\""));
            }
        }
    }
    None
}

impl FormReader {
    pub fn new(body: Body, boundary: &str) -> Self {
        FormReader {
            stream: body.into_data_stream(),
            buf: Vec::new(),
            delim: format!("\r\n--{boundary}").into_bytes(),
            eof: false,
            in_part: false,
            finished: false,
        }
    }

    /// Reads more of the body into the buffer; false at its end.
    async fn fill(&mut self) -> ApiResult<bool> {
        if self.eof {
            return Ok(false);
        }
        match self.stream.next().await {
            Some(Ok(chunk)) => {
                self.buf.extend_from_slice(&chunk);
                Ok(true)
            }
            Some(Err(e)) => Err(bad(format!("upload interrupted: {e}"))),
            None => {
                self.eof = true;
                Ok(false)
            }
        }
    }

    /// Skips to the next part and reads its headers; `None` after the last part.
    pub async fn next_part(&mut self) -> ApiResult<Option<PartHead>> {
        if self.finished {
            return Ok(None);
        }
        while self.in_part {
            if self.chunk().await?.is_none() {
                break;
            }
        }
        // The buffer now starts right after a delimiter (or at the body's start,
        // where the first delimiter may come without its leading CRLF).
        let dash_delim = self.delim[2..].to_vec();
        loop {
            if let Some(i) = find(&self.buf, &dash_delim) {
                let after = i + dash_delim.len();
                while self.buf.len() < after + 2 {
                    if !self.fill().await? {
                        return Err(bad("multipart body ends inside a boundary"));
                    }
                }
                if &self.buf[after..after + 2] == b"--" {
                    self.finished = true;
                    return Ok(None);
                }
                self.buf.drain(..after);
                break;
            }
            if self.buf.len() > MAX_PART_HEADERS {
                let keep = self.buf.len() - dash_delim.len();
                self.buf.drain(..keep);
            }
            if !self.fill().await? {
                return Err(bad("multipart body has no closing boundary"));
            }
        }
        // Transport padding, then CRLF, then headers up to a blank line.
        let end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if self.buf.len() > MAX_PART_HEADERS {
                return Err(bad("multipart part headers too long"));
            }
            if !self.fill().await? {
                return Err(bad("multipart body ends inside part headers"));
            }
        };
        let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        self.buf.drain(..end + 4);
        let mut name = None;
        for line in head.split("\r\n") {
            if let Some((k, v)) = line.split_once(':') {
                if k.trim().eq_ignore_ascii_case("content-disposition") {
                    name = param(v, "name");
                }
            }
        }
        let name = name.ok_or_else(|| bad("multipart part without a Content-Disposition name"))?;
        self.in_part = true;
        Ok(Some(PartHead { name }))
    }

    /// The next chunk of the current part's content; `None` at the part's end.
    pub async fn chunk(&mut self) -> ApiResult<Option<Bytes>> {
        if !self.in_part {
            return Ok(None);
        }
        loop {
            if let Some(i) = find(&self.buf, &self.delim) {
                if i > 0 {
                    return Ok(Some(take_front(&mut self.buf, i)));
                }
                // Leave `--<boundary>` for next_part.
                self.buf.drain(..2);
                self.in_part = false;
                return Ok(None);
            }
            // Everything but a possible delimiter prefix at the end is content.
            let safe = self.buf.len().saturating_sub(self.delim.len() - 1);
            if safe > 0 {
                return Ok(Some(take_front(&mut self.buf, safe)));
            }
            if !self.fill().await? {
                return Err(bad("multipart body ends inside a part"));
            }
        }
    }

    /// The whole current part as text (for small fields), at most `limit` bytes.
    pub async fn text(&mut self, limit: usize) -> ApiResult<String> {
        let mut out = Vec::new();
        while let Some(c) = self.chunk().await? {
            out.extend_from_slice(&c);
            if out.len() > limit {
                return Err(bad(format!("form field longer than {limit} bytes")));
            }
        }
        String::from_utf8(out).map_err(|_| bad("form field is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every part of `body`, delivered in chunks of `chunk` bytes.
    async fn parts(body: &[u8], chunk: usize) -> ApiResult<Vec<(String, Vec<u8>)>> {
        let chunks: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let mut r = FormReader::new(body, "XyZ");
        let mut out = Vec::new();
        while let Some(head) = r.next_part().await? {
            let mut data = Vec::new();
            while let Some(c) = r.chunk().await? {
                data.extend_from_slice(&c);
            }
            out.push((head.name, data));
        }
        Ok(out)
    }

    #[tokio::test]
    async fn parts_survive_any_chunking() {
        // Prefixes of the delimiter, never the whole "\r\n--XyZ" (an encoder picks a boundary
        // that does not occur in the content).
        let file: Vec<u8> = b"a\r\n--X\r\n--Xy\rZ\r\n-\r\n--XyY".repeat(50);
        let mut body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\nd/k.txt\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"k.txt\"\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        body.extend_from_slice(&file);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        for chunk in [1, 2, 3, 7, 64, body.len()] {
            let got = parts(&body, chunk).await.unwrap();
            assert_eq!(got.len(), 2, "chunk {chunk}");
            assert_eq!(got[0], ("path".to_string(), b"d/k.txt".to_vec()));
            assert_eq!(got[1].0, "file");
            assert_eq!(got[1].1, file, "chunk {chunk}");
        }
        // an empty file, and a body cut short
        let empty = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--XyZ--";
        assert_eq!(parts(empty, 5).await.unwrap()[0].1, b"");
        assert!(parts(&body[..body.len() - 20], 9).await.is_err());
    }

    #[test]
    fn boundary_parameter() {
        assert_eq!(
            boundary(Some("multipart/form-data; boundary=\"a b\"")).unwrap(),
            "a b"
        );
        assert!(boundary(Some("application/json")).is_err());
        assert!(boundary(None).is_err());
    }
}
