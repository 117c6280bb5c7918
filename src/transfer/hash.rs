//! Content hashes of local files, compared with an object's etag by sync.

use std::path::Path;

/// A content hash an object's etag can be: S3's MD5 of a plain object, or a SHA-256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContentHash {
    Md5,
    Sha256,
}

impl ContentHash {
    /// The hash an etag holds and its lowercase hex: 32 hex digits are an MD5 (S3's
    /// etag of an object written in one piece), 64 a SHA-256. Anything else, such as a
    /// multipart etag (`<hex>-<parts>`), is no content hash.
    pub(crate) fn of_etag(etag: &str) -> Option<(ContentHash, String)> {
        let hex = etag.trim_matches('"');
        let kind = match hex.len() {
            32 => ContentHash::Md5,
            64 => ContentHash::Sha256,
            _ => return None,
        };
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| (kind, hex.to_ascii_lowercase()))
    }
}

/// The lowercase hex digest of a file's content, read in 1 MiB pieces.
pub(crate) fn hash_of(path: &Path, kind: ContentHash) -> std::io::Result<String> {
    fn digest<D: sha2::Digest>(path: &Path) -> std::io::Result<String> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut hasher = D::new();
        let mut buffer = vec![0; 1 << 20];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
    match kind {
        ContentHash::Md5 => digest::<md5::Md5>(path),
        ContentHash::Sha256 => digest::<sha2::Sha256>(path),
    }
}
