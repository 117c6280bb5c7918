//! The `object-store` feature's store against the emulator's S3 door: `object_store`'s
//! own conformance tests (its `integration` module), then the door's auth and knobs.
//! Each test has its own emulator and bucket. Which conformance tests do not apply, and
//! why, is in features.md ("S3-compatible access").
#![cfg(all(feature = "object-store", feature = "async"))]

use std::time::{Duration, Instant};

use object_store::aws::{AmazonS3, S3CopyIfNotExists};
use object_store::integration;
use object_store::path::Path;
use object_store::ObjectStoreExt;
use podstack::nonblocking::Client;
use podstack::storage::S3Credentials;
use podstack::NewBucket;
use podstack_emulator::{Emulator, Fault};

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .build()
        .unwrap()
}

/// A new bucket and its credentials.
async fn bucket(client: &Client, name: &str) -> (String, S3Credentials) {
    let bucket = client
        .buckets()
        .create(&NewBucket::new(name))
        .await
        .unwrap();
    let credentials = client.buckets().credentials(&bucket.id).await.unwrap();
    (bucket.id, credentials)
}

/// A fresh bucket's store, made by `Buckets::object_store`.
async fn store(emulator: &Emulator, name: &str) -> AmazonS3 {
    let client = client(emulator);
    let (id, _) = bucket(&client, name).await;
    client.buckets().object_store(&id).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_reads_writes_and_lists() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-basic").await;
    integration::put_get_delete_list(&store).await;
    integration::list_uses_directories_correctly(&store).await;
    integration::list_with_delimiter(&store).await;
    integration::list_with_offset_exclusivity(&store).await;
    integration::list_paginated(&store, &store).await;
    integration::rename_and_copy(&store).await;
    let err = integration::get_nonexistent_object(&store, None)
        .await
        .unwrap_err();
    assert!(matches!(err, object_store::Error::NotFound { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_conditional_reads_and_writes() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-conditions").await;
    integration::get_opts(&store).await;
    // S3's conditional writes: If-None-Match: * and If-Match, under concurrent updates.
    integration::put_opts(&store, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_copy_if_not_exists_over_multipart() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (id, credentials) = bucket(&client, "conformance-copy").await;
    let name = client.buckets().get(&id).await.unwrap().name;
    // S3 offers copy-if-not-exists only as UploadPartCopy + a conditional
    // CompleteMultipartUpload; object_store needs to be told (its default refuses).
    let store = credentials
        .object_store_builder(&name)
        .unwrap()
        .with_copy_if_not_exists(S3CopyIfNotExists::Multipart)
        .build()
        .unwrap();
    integration::copy_if_not_exists(&store).await;
    integration::copy_rename_nonexistent_object(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_multipart_uploads() {
    let emulator = Emulator::start();
    let store = store(&emulator, "conformance-multipart").await;
    integration::stream_get(&store).await;
    integration::multipart(&store, &store).await;
    integration::multipart_out_of_order(&store).await;
    integration::multipart_race_condition(&store, true).await;
    assert_eq!(emulator.pending_multipart_uploads(), 0);
}

/// A store for bucket `name` with `base`'s endpoint and these keys and region.
fn store_with(
    base: &S3Credentials,
    name: &str,
    access: &str,
    secret: &str,
    region: &str,
) -> AmazonS3 {
    let mut credentials = base.clone();
    credentials.access_key = access.to_owned();
    credentials.secret_key = secret.to_owned();
    credentials.region = region.to_owned();
    credentials.object_store(name).unwrap()
}

#[tokio::test]
async fn a_buckets_keys_reach_that_bucket_only() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (_, mine) = bucket(&client, "mine").await;
    let (_, theirs) = bucket(&client, "theirs").await;
    let path = Path::from("a.txt");
    let good = mine.object_store("mine").unwrap();
    good.put(&path, "hello".into()).await.unwrap();

    let err_text = |e: object_store::Error| format!("{e}");
    // a wrong secret
    let wrong = store_with(
        &mine,
        "mine",
        &mine.access_key,
        "not-the-secret",
        &mine.region,
    );
    let e = err_text(wrong.get(&path).await.unwrap_err());
    assert!(e.contains("SignatureDoesNotMatch"), "{e}");
    // an unknown key
    let unknown = store_with(&mine, "mine", "PSAKNOBODY", &mine.secret_key, &mine.region);
    let e = err_text(unknown.get(&path).await.unwrap_err());
    assert!(e.contains("InvalidAccessKeyId"), "{e}");
    // another bucket's keys
    let other = theirs.object_store("mine").unwrap();
    let e = err_text(other.get(&path).await.unwrap_err());
    assert!(e.contains("AccessDenied"), "{e}");
    let e = err_text(other.put(&path, "overwrite".into()).await.unwrap_err());
    assert!(e.contains("AccessDenied"), "{e}");
    // a signature for another region than the bucket's
    let region = store_with(
        &mine,
        "mine",
        &mine.access_key,
        &mine.secret_key,
        "eu-west-1",
    );
    let e = err_text(region.get(&path).await.unwrap_err());
    assert!(
        e.contains("AuthorizationHeaderMalformed") && e.contains(&mine.region),
        "{e}"
    );
    // a bucket that does not exist
    let missing = mine.object_store("no-such-bucket").unwrap();
    let e = missing.get(&path).await.unwrap_err();
    assert!(matches!(e, object_store::Error::NotFound { .. }), "{e}");
    // nothing of that changed the object
    let bytes = good.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"hello");
}

#[tokio::test]
async fn faults_and_stats_apply_to_the_s3_door() {
    let emulator = Emulator::start();
    let store = store(&emulator, "knobs").await;
    let path = Path::from("k");
    store.put(&path, "v".into()).await.unwrap();
    emulator.reset_stats();
    emulator.inject_on(
        "S3 GetObject",
        Fault::Status {
            status: 503,
            retry_after: None,
            count: 2,
        },
    );
    // object_store retries S3's 503 SlowDown: the third attempt succeeds
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"v");
    assert_eq!(emulator.stats().requests.get("S3 GetObject"), Some(&3));
    // a dropped connection is retried too
    emulator.inject_on("S3 HeadObject", Fault::Drop { count: 1 });
    assert_eq!(store.head(&path).await.unwrap().size, 1);
    assert_eq!(emulator.stats().requests.get("S3 HeadObject"), Some(&2));
}

#[tokio::test]
async fn the_bandwidth_cap_applies_to_the_s3_door() {
    let emulator = Emulator::start();
    let store = store(&emulator, "capped").await;
    let path = Path::from("big");
    store.put(&path, vec![7u8; 60_000].into()).await.unwrap();
    emulator.set_bandwidth_per_connection(Some(100_000));
    // 60 kB at 100 kB/s takes at least 0.3 s on any machine (a lower bound only)
    let started = Instant::now();
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(bytes.len(), 60_000);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

/// A hand-signed S3 request (SigV4, header form), sent as written: the path goes out
/// as given, `..` and empty segments included, which a URL library would normalise
/// away (and `object_store`'s `Path` refuses). Enough of S3 for these tests only.
mod raw {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{SystemTime, UNIX_EPOCH};

    use md5::Md5;
    use podstack::storage::S3Credentials;
    use sha2::{Digest, Sha256};

    pub struct Answer {
        pub status: u16,
        /// The whole answer after its status line: headers and body.
        pub text: String,
    }

    impl Answer {
        /// S3's error code in the XML body, if there is one.
        pub fn code(&self) -> Option<&str> {
            let start = self.text.find("<Code>")? + "<Code>".len();
            let end = self.text[start..].find("</Code>")? + start;
            Some(&self.text[start..end])
        }

        pub fn body(&self) -> &str {
            self.text
                .split_once("\r\n\r\n")
                .map_or("", |(_, body)| body)
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(data)
            .finalize();
        Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize()
            .into()
    }

    /// `(yyyymmdd, yyyymmddThhmmssZ)` now, in UTC.
    fn now() -> (String, String) {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let date = format!("{year:04}{month:02}{day:02}");
        let time = format!(
            "{date}T{:02}{:02}{:02}Z",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        );
        (date, time)
    }

    /// The base64 of `bytes` (standard alphabet, padded).
    pub fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// `Content-MD5` of `body`.
    pub fn content_md5(body: &[u8]) -> String {
        base64(&Md5::digest(body))
    }

    /// Sends `method path?query` signed with `creds`; `query` is already canonical
    /// (sorted, `name=value`, encoded). `headers` are signed too.
    pub fn send(
        creds: &S3Credentials,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let host = creds
            .endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let (date, amz_date) = now();
        let payload = hex(&Sha256::digest(body));
        let mut signed: Vec<(String, String)> = vec![
            ("host".into(), host.into()),
            ("x-amz-content-sha256".into(), payload.clone()),
            ("x-amz-date".into(), amz_date.clone()),
        ];
        signed.extend(
            headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned())),
        );
        signed.sort();
        let names = signed
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";");
        let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let canonical =
            format!("{method}\n{path}\n{query}\n{canonical_headers}\n{names}\n{payload}");
        let scope = format!("{date}/{}/s3/aws4_request", creds.region);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = hmac(
            format!("AWS4{}", creds.secret_key).as_bytes(),
            date.as_bytes(),
        );
        for part in [creds.region.as_str(), "s3", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let signature = hex(&hmac(&key, to_sign.as_bytes()));
        let target = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential={}/{scope}, \
             SignedHeaders={names}, Signature={signature}\r\n",
            creds.access_key
        );
        for (name, value) in &signed {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        let mut conn = TcpStream::connect(host).unwrap();
        conn.write_all(request.as_bytes()).unwrap();
        conn.write_all(body).unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Answer { status, text }
    }
}

/// Issue 17 item 1 (the review's finding): S3 refuses a PutObject or UploadPart whose
/// `Content-MD5` does not match its body with 400 `BadDigest` and stores nothing, and
/// a `Content-MD5` that is not the base64 of 16 bytes with 400 `InvalidDigest`. The
/// door stored such a body; a client corrupting bodies in transit passed its tests.
#[tokio::test]
async fn a_wrong_content_md5_is_refused_and_nothing_is_stored() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (_, creds) = bucket(&client, "digests").await;
    let store = creds.object_store("digests").unwrap();
    let put = |key: &str, md5: &str, body: &'static [u8]| {
        let creds = creds.clone();
        let (key, md5) = (key.to_owned(), md5.to_owned());
        tokio::task::spawn_blocking(move || {
            raw::send(
                &creds,
                "PUT",
                &format!("/digests/{key}"),
                "",
                &[("content-md5", &md5)],
                body,
            )
        })
    };
    let read = |key: &'static str| {
        let store = store.clone();
        async move {
            match store.get(&Path::from(key)).await {
                Ok(got) => Some(got.bytes().await.unwrap()),
                Err(object_store::Error::NotFound { .. }) => None,
                Err(e) => panic!("{e}"),
            }
        }
    };

    // a matching digest is stored
    let ok = put("m.txt", &raw::content_md5(b"abc"), b"abc")
        .await
        .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(read("m.txt").await.as_deref(), Some(&b"abc"[..]));
    // a wrong one is BadDigest: a new key stays absent, an old one keeps its bytes
    for key in ["m.txt", "n.txt"] {
        let bad = put(key, &raw::content_md5(b"abc"), b"xyz").await.unwrap();
        assert_eq!(
            (bad.status, bad.code()),
            (400, Some("BadDigest")),
            "{}",
            bad.text
        );
    }
    assert_eq!(read("m.txt").await.as_deref(), Some(&b"abc"[..]));
    assert_eq!(read("n.txt").await, None);
    // not a digest at all: InvalidDigest
    for md5 in ["not base64!", &raw::base64(b"short")] {
        let bad = put("n.txt", md5, b"abc").await.unwrap();
        assert_eq!(
            (bad.status, bad.code()),
            (400, Some("InvalidDigest")),
            "{md5}: {}",
            bad.text
        );
    }
    assert_eq!(read("n.txt").await, None);

    // UploadPart: a wrong digest adds no part, a right one does
    let send = |method: &'static str, query: String, md5: Option<String>, body: &'static [u8]| {
        let creds = creds.clone();
        tokio::task::spawn_blocking(move || {
            let headers: Vec<(&str, &str)> = md5
                .as_deref()
                .map(|m| ("content-md5", m))
                .into_iter()
                .collect();
            raw::send(&creds, method, "/digests/p.bin", &query, &headers, body)
        })
    };
    let created = send("POST", "uploads=".into(), None, b"").await.unwrap();
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created
        .body()
        .split("<UploadId>")
        .nth(1)
        .and_then(|rest| rest.split("</UploadId>").next())
        .unwrap()
        .to_owned();
    let part = format!("partNumber=1&uploadId={id}");
    let bad = send("PUT", part.clone(), Some(raw::content_md5(b"abc")), b"xyz")
        .await
        .unwrap();
    assert_eq!(
        (bad.status, bad.code()),
        (400, Some("BadDigest")),
        "{}",
        bad.text
    );
    let parts = send("GET", format!("uploadId={id}"), None, b"")
        .await
        .unwrap();
    assert!(!parts.body().contains("<Part>"), "{}", parts.text);
    let bad = send("PUT", part.clone(), Some("AAAA".into()), b"xyz")
        .await
        .unwrap();
    assert_eq!(
        (bad.status, bad.code()),
        (400, Some("InvalidDigest")),
        "{}",
        bad.text
    );
    let good = send("PUT", part, Some(raw::content_md5(b"xyz")), b"xyz")
        .await
        .unwrap();
    assert_eq!(good.status, 200, "{}", good.text);
    let parts = send("GET", format!("uploadId={id}"), None, b"")
        .await
        .unwrap();
    assert!(
        parts.body().contains("<PartNumber>1</PartNumber>"),
        "{}",
        parts.text
    );
    let aborted = send("DELETE", format!("uploadId={id}"), None, b"")
        .await
        .unwrap();
    assert_eq!(aborted.status, 204, "{}", aborted.text);
    assert_eq!(emulator.pending_multipart_uploads(), 0);
}

/// The same refusal seen by boto3, the docs' client (skipped without python3 and
/// boto3; `a_wrong_content_md5_is_refused_and_nothing_is_stored` proves it in Rust).
#[tokio::test]
async fn boto3_s_put_with_a_wrong_content_md5_is_bad_digest() {
    let has_boto3 = std::process::Command::new("python3")
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_boto3 {
        eprintln!("skipped: needs python3 with boto3");
        return;
    }
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (_, creds) = bucket(&client, "review-md5").await;
    let script = r#"
import sys, boto3, botocore
from botocore.config import Config
ep, ak, sk, region, name = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=ep, aws_access_key_id=ak, aws_secret_access_key=sk,
    region_name=region, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
try:
    s3.put_object(Bucket=name, Key="m.txt", Body=b"abc", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")
    print("STORED")
except botocore.exceptions.ClientError as e:
    print("REFUSED", e.response["Error"].get("Code"))
"#;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            &creds.endpoint,
            &creds.access_key,
            &creds.secret_key,
            &creds.region,
            "review-md5",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("REFUSED BadDigest"),
        "a wrong Content-MD5 was not refused: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 17 (docs): the S3 door's keys are the platform routes' keys, S3's rule (1 to
/// 1024 bytes, nothing else): a `..` segment, a leading `/` and `//` cross both doors
/// as sent; a key over 1024 bytes is 400 `KeyTooLongError`.
#[tokio::test]
async fn keys_with_dot_dot_and_leading_slashes_cross_both_doors() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (id, creds) = bucket(&client, "odd-keys").await;
    let file = std::env::temp_dir().join(format!(
        "podstack-odd-keys-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    std::fs::write(&file, b"sdk").unwrap();
    client.buckets().upload(&id, &file, "x/../y").await.unwrap();
    let _ = std::fs::remove_file(&file);
    let send = |method: &'static str, path: String, body: &'static [u8]| {
        let creds = creds.clone();
        tokio::task::spawn_blocking(move || raw::send(&creds, method, &path, "", &[], body))
    };
    let got = send("GET", "/odd-keys/x/../y".into(), b"").await.unwrap();
    assert_eq!((got.status, got.body()), (200, "sdk"), "{}", got.text);
    for key in ["/lead", "a//b"] {
        let put = send("PUT", format!("/odd-keys/{key}"), b"s3")
            .await
            .unwrap();
        assert_eq!(put.status, 200, "{key}: {}", put.text);
    }
    let mut keys: Vec<String> = client
        .buckets()
        .list_objects(&id, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    keys.sort();
    assert_eq!(keys, ["/lead", "a//b", "x/../y"]);
    let long = send("PUT", format!("/odd-keys/{}", "k".repeat(1025)), b"s3")
        .await
        .unwrap();
    assert_eq!(
        (long.status, long.code()),
        (400, Some("KeyTooLongError")),
        "{}",
        long.text
    );
}

/// Issue 17 (docs): features.md says what the key rule is, and no longer the rules the
/// emulator dropped (the S3 door's module doc is checked by the emulator's own tests,
/// `emulator/tests/emulator/s3_docs.rs`, since each package holds only its own sources).
#[test]
fn the_docs_say_what_the_key_rules_are() {
    let text = include_str!("../../../features.md");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        !text.contains("no leading `/`") && !text.contains("no `..` segment"),
        "features.md still names the key rules the emulator dropped"
    );
    assert!(
        text.contains("1 to 1024 bytes") && text.contains("`x/../y`"),
        "features.md does not say what the key rule is"
    );
}

/// Issue 17 item 2: `Buckets::object_store` in the async client; the secret never in the
/// store's `Debug` or `Display`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_s_store_hides_the_secret() {
    let emulator = Emulator::start();
    let client = client(&emulator);
    let (id, creds) = bucket(&client, "review-debug").await;
    let store = client.buckets().object_store(&id).await.unwrap();
    let shown = format!("{store:?} {store} {creds:?}");
    assert!(!shown.contains(&creds.secret_key), "{shown}");
}
