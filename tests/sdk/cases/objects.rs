// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use mockito::Matcher;
use podstack::{Error, NewBucket, ObjectQuery, TransferOptions};
use podstack_emulator::{Emulator, Fault};

use crate::support::{self, Conn, Seen, Server};

const MIB: usize = 1024 * 1024;
const OBJECTS: &str = "/platform/api/v1/buckets/bkt_1/objects";
const DOWNLOAD: &str = "/platform/api/v1/buckets/bkt_1/objects/download";
const UPLOAD_ROUTE: &str = "POST /platform/api/v1/buckets/{id}/objects";
const OBJECT: &str = r#"{"path":"notes/hello.txt","size_bytes":5,"etag":"e","last_modified":"2026-11-28T06:43:14Z"}"#;

fn with_auth(mock: mockito::Mock) -> mockito::Mock {
    mock.match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("x-project-id", "prj_1")
        .match_header("user-agent", USER_AGENT)
}

/// The shipped upload form for `key` (filename `filename`, of `content_type`) holding
/// `content`, with the boundary the request's `Content-Type` names.
fn form_matches(request: &mockito::Request, key: &str, content_type: &str, content: &[u8]) -> bool {
    let header = request.header("content-type")[0]
        .to_str()
        .unwrap()
        .to_owned();
    let boundary = header.split("boundary=").nth(1).unwrap();
    let filename = key.rsplit('/').next().unwrap();
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{key}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(content);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    request.body().unwrap() == &expected
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A client for an emulator reading at most `cap` bytes into memory.
fn capped_client(emulator: &Emulator, cap: u64) -> Client {
    Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .retry(fast_retries())
        .max_response_body(cap)
        .build()
        .unwrap()
}

// ------------------------------------------------------------- exact requests

#[flavour]
#[flavour_test]
async fn put_object_posts_the_shipped_form_around_the_bytes_with_an_idempotency_key() {
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("POST", OBJECTS))
        .match_header(
            "content-type",
            Matcher::Regex("^multipart/form-data; boundary=[-a-z0-9]+$".into()),
        )
        .match_header("content-length", Matcher::Regex("^[0-9]+$".into()))
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_request(|request| form_matches(request, "notes/hello.txt", "text/plain", b"hello"))
        .with_status(201)
        .with_body(OBJECT)
        .create();
    let binary = with_auth(server.mock("POST", OBJECTS))
        .match_request(|request| {
            form_matches(
                request,
                "blobs/raw",
                "application/octet-stream",
                &[0, 159, 146, 150, 13, 10],
            )
        })
        .with_status(201)
        .with_body(OBJECT)
        .create();
    let client = storage_client_for(&server.url());
    client
        .buckets()
        .put_object("bkt_1", "/notes/hello.txt", "hello")
        .await
        .unwrap();
    client
        .buckets()
        .put_object("bkt_1", "blobs/raw", vec![0u8, 159, 146, 150, 13, 10])
        .await
        .unwrap();
    mock.assert();
    binary.assert();
}

#[flavour]
#[flavour_test]
async fn a_put_above_the_threshold_goes_multipart_in_slices_of_the_bytes() {
    let part = 5 * MIB;
    let data = pattern(2 * part + 10);
    let mut server = mock_server().await;
    let base = "/platform/api/v1/buckets/bkt_1/multipart";
    let start = with_auth(server.mock("POST", base))
        .match_body(Matcher::Json(serde_json::json!({"path": "big.bin"})))
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .with_status(201)
        .with_body(r#"{"upload_id":"up_1"}"#)
        .create();
    let mut parts = Vec::new();
    for (n, range) in [
        (1, 0..part),
        (2, part..2 * part),
        (3, 2 * part..2 * part + 10),
    ] {
        let expected = data[range].to_vec();
        parts.push(
            with_auth(server.mock("PUT", format!("{base}/up_1/parts/{n}").as_str()))
                .match_header("content-type", "application/octet-stream")
                .match_header("content-length", expected.len().to_string().as_str())
                .match_request(move |request| request.body().unwrap() == &expected)
                .with_body(format!(r#"{{"etag":"e{n}"}}"#))
                .create(),
        );
    }
    let complete = with_auth(server.mock("POST", format!("{base}/up_1/complete").as_str()))
        .match_body(Matcher::Json(serde_json::json!({"parts": [
            {"part_number": 1, "etag": "e1"}, {"part_number": 2, "etag": "e2"},
            {"part_number": 3, "etag": "e3"}
        ]})))
        .with_body(OBJECT)
        .create();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let done = Arc::new(Mutex::new(Vec::new()));
    let files = done.clone();
    let options = TransferOptions::new()
        .multipart_threshold(1)
        .part_size(part as u64)
        .concurrency(1)
        .progress(move |done, total| seen.lock().unwrap().push((done, total)))
        .on_file_done(move |name, bytes| files.lock().unwrap().push((name.to_owned(), bytes)));
    storage_client_for(&server.url())
        .buckets()
        .put_object_with("bkt_1", "big.bin", data.clone(), &options)
        .await
        .unwrap();
    start.assert();
    for mock in parts {
        mock.assert();
    }
    complete.assert();
    let total = data.len() as u64;
    assert_eq!(
        *progress.lock().unwrap(),
        [
            (part as u64, total),
            (2 * part as u64, total),
            (total, total)
        ]
    );
    assert_eq!(*done.lock().unwrap(), [("big.bin".to_owned(), total)]);
}

#[flavour]
#[flavour_test]
async fn upload_reader_streams_the_same_form_with_its_length_and_no_idempotency_key() {
    let content = pattern(200 * 1024 + 3);
    let expected = content.clone();
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("POST", OBJECTS))
        .match_header("idempotency-key", Matcher::Missing)
        .match_header("content-length", Matcher::Regex("^[0-9]+$".into()))
        .match_request(move |request| {
            form_matches(request, "data/table.csv", "text/csv", &expected)
        })
        .with_status(201)
        .with_body(OBJECT)
        .create();
    let len = content.len() as u64;
    storage_client_for(&server.url())
        .buckets()
        .upload_reader("bkt_1", "data/table.csv", Cursor::new(content), Some(len))
        .await
        .unwrap();
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn upload_reader_without_a_length_is_chunked() {
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("POST", OBJECTS))
        .match_header("transfer-encoding", "chunked")
        .match_header("content-length", Matcher::Missing)
        .match_request(|request| form_matches(request, "a.bin", "application/octet-stream", b"abc"))
        .with_status(201)
        .with_body(OBJECT)
        .create();
    storage_client_for(&server.url())
        .buckets()
        .upload_reader("bkt_1", "a.bin", Cursor::new(b"abc".to_vec()), None)
        .await
        .unwrap();
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn a_reader_shorter_than_its_length_is_an_io_error() {
    let mut server = mock_server().await;
    let mock = server
        .mock("POST", OBJECTS)
        .with_status(201)
        .with_body(OBJECT)
        .expect_at_most(1)
        .create();
    let error = storage_client_for(&server.url())
        .buckets()
        .upload_reader("bkt_1", "a.bin", Cursor::new(b"abc".to_vec()), Some(10))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(
        error.to_string().contains("ended after 3 of the 10 bytes"),
        "{error}"
    );
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn a_reader_longer_than_its_length_fails_before_the_server_has_the_whole_body() {
    // After `len` bytes the reader is probed for its end, before the last bytes (and a
    // form's closing boundary) go: the server never holds a whole request to store.
    let received = Arc::new(Mutex::new(Vec::new()));
    let bodies = received.clone();
    let server = Server::start(move |seen: &Seen, conn: &mut dyn Conn| {
        let mut body = Vec::new();
        // Until the client gives up on the request and the connection ends.
        let _ = conn.read_to_end(&mut body);
        bodies.lock().unwrap().push((seen.content_length(), body));
        support::respond(conn, "201 Created", &[], OBJECT.as_bytes());
    });
    let client = storage_client_for(&server.url());
    let form = client
        .buckets()
        .upload_reader("bkt_1", "a.bin", Cursor::new(pattern(20)), Some(10))
        .await
        .unwrap_err();
    let url = format!("{}/store/a.bin?X-Signature=s", server.url());
    let put = client
        .presigned()
        .upload_reader(&url, Cursor::new(pattern(20)), Some(10))
        .await
        .unwrap_err();
    for error in [form, put] {
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("the reader held more than the 10 bytes given as its length"),
            "{error}"
        );
    }
    // A presigned upload's reader is held to its length as well: a shorter one fails.
    let short = client
        .presigned()
        .upload_reader(&url, Cursor::new(pattern(3)), Some(10))
        .await
        .unwrap_err();
    assert!(matches!(short, Error::Io { .. }), "{short:?}");
    assert!(
        short.to_string().contains("ended after 3 of the 10 bytes"),
        "{short}"
    );
    // Each request whose head the server read is recorded once its connection ends
    // (the async client may send none: its head goes with the first body bytes).
    let started = std::time::Instant::now();
    while received.lock().unwrap().len() < server.seen().len()
        && started.elapsed() < std::time::Duration::from_secs(10)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for (promised, body) in received.lock().unwrap().iter() {
        assert!(
            body.len() < *promised,
            "the server got the whole body: {} of {promised} bytes",
            body.len()
        );
        assert!(!body.ends_with(b"--\r\n"), "the form was closed");
    }
}

#[flavour]
#[flavour_test]
async fn get_object_and_download_to_writer_read_the_shipped_download_route() {
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("GET", DOWNLOAD))
        .match_query(Matcher::UrlEncoded("path".into(), "models/v 1.bin".into()))
        .match_header("accept", "application/octet-stream")
        .with_body([0u8, 1, 2, 255])
        .expect(2)
        .create();
    let client = storage_client_for(&server.url());
    let bytes = client
        .buckets()
        .get_object("bkt_1", "models/v 1.bin")
        .await
        .unwrap();
    assert_eq!(&bytes[..], [0, 1, 2, 255]);
    let mut out = Vec::new();
    let written = client
        .buckets()
        .download_to_writer("bkt_1", "models/v 1.bin", &mut out)
        .await
        .unwrap();
    assert_eq!((written, out), (4, vec![0, 1, 2, 255]));
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn keys_that_name_no_object_are_config_errors_and_send_nothing() {
    let mut server = mock_server().await;
    let gets = server
        .mock("GET", Matcher::Any)
        .match_query(Matcher::Any)
        .expect(0)
        .create();
    let posts = server.mock("POST", Matcher::Any).expect(0).create();
    let buckets = storage_client_for(&server.url()).buckets();
    for key in ["", "/", "folder/"] {
        let put = buckets.put_object("bkt_1", key, "x").await.unwrap_err();
        assert!(matches!(put, Error::Config { .. }), "{put:?}");
        let get = buckets.get_object("bkt_1", key).await.unwrap_err();
        assert!(matches!(get, Error::Config { .. }), "{get:?}");
        let reader = buckets
            .upload_reader("bkt_1", key, Cursor::new(Vec::new()), Some(0))
            .await
            .unwrap_err();
        assert!(matches!(reader, Error::Config { .. }), "{reader:?}");
        let writer = buckets
            .download_to_writer("bkt_1", key, Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(writer, Error::Config { .. }), "{writer:?}");
    }
    gets.assert();
    posts.assert();
}

// ------------------------------------------------------------- edges

#[flavour]
#[flavour_test]
async fn get_object_stops_an_endless_answer_at_the_cap() {
    let server = Server::start(|_: &Seen, conn: &mut dyn Conn| {
        support::start_chunked(conn, "200 OK");
        // Endless: only the client going away ends it.
        while support::chunk(conn, &[b'x'; 16 * 1024]) {}
    });
    let client = builder_for(&server.url())
        .platform_endpoint(format!("{}/platform", server.url()))
        .project_id("prj_1")
        .max_response_body(64 * 1024)
        .build()
        .unwrap();
    let error = client
        .buckets()
        .get_object("bkt_1", "endless")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { limit: 65536, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    let message = error.to_string();
    for part in [
        "larger than 65536 bytes",
        "ClientBuilder::max_response_body",
        "Buckets::download_to_writer",
        "Buckets::download",
    ] {
        assert!(message.contains(part), "{part:?} missing from {message}");
    }
    assert_eq!(
        server.seen().len(),
        1,
        "a body too large is not fetched again"
    );
}

#[flavour]
#[flavour_test]
async fn download_to_writer_fetches_the_rest_of_a_broken_body_by_range() {
    let server = Server::start(
        |seen: &Seen, conn: &mut dyn Conn| match seen.header("range") {
            None => support::respond_close_delimited(
                conn,
                "200 OK",
                &[("Content-Length", "10"), ("ETag", "\"v1\"")],
                b"0123",
            ),
            Some(range) => {
                assert_eq!(range, "bytes=4-9");
                assert_eq!(seen.header("if-match"), Some("\"v1\""));
                support::respond(
                    conn,
                    "206 Partial Content",
                    &[("Content-Range", "bytes 4-9/10"), ("ETag", "\"v1\"")],
                    b"456789",
                );
            }
        },
    );
    let mut out = Vec::new();
    let written = storage_client_for(&server.url())
        .buckets()
        .download_to_writer("bkt_1", "k", &mut out)
        .await
        .unwrap();
    assert_eq!((written, out.as_slice()), (10, &b"0123456789"[..]));
    assert_eq!(server.seen().len(), 2);
}

/// The rest of a broken body that comes back from another version of the object is an
/// `Error::Integrity` (as its `# Errors` says), not retried: nothing of it is written.
#[flavour]
#[flavour_test]
async fn download_to_writer_refuses_the_rest_from_a_changed_object() {
    let server = Server::start(
        |seen: &Seen, conn: &mut dyn Conn| match seen.header("range") {
            None => support::respond_close_delimited(
                conn,
                "200 OK",
                &[("Content-Length", "10"), ("ETag", "\"v1\"")],
                b"0123",
            ),
            Some(_) => support::respond(
                conn,
                "206 Partial Content",
                &[("Content-Range", "bytes 4-9/10"), ("ETag", "\"v2\"")],
                b"ABCDEF",
            ),
        },
    );
    let mut out = Vec::new();
    let error = storage_client_for(&server.url())
        .buckets()
        .download_to_writer("bkt_1", "k", &mut out)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Integrity { .. }) && !error.is_transient(),
        "{error:?}"
    );
    assert_eq!(out, b"0123");
    assert_eq!(server.seen().len(), 2);
}

#[flavour]
#[flavour_test]
async fn download_to_writer_without_a_length_cannot_resume_and_says_so() {
    let server = Server::start(|_: &Seen, conn: &mut dyn Conn| {
        support::start_chunked(conn, "200 OK");
        support::chunk(conn, b"0123");
        // Closed without the last chunk: the body broke off.
    });
    let mut out = Vec::new();
    let error = storage_client_for(&server.url())
        .buckets()
        .download_to_writer("bkt_1", "k", &mut out)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Network { .. }), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

// ------------------------------------------------------------- emulator

#[flavour]
#[flavour_test]
async fn thirty_objects_from_memory_are_listed_and_come_back_exact() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("memory")).await.unwrap();
    for i in 0..30 {
        let content = format!("object {i}: {}", "x".repeat(i * 11));
        buckets
            .put_object(&bucket.id, &format!("records/{i:02}.txt"), content)
            .await
            .unwrap();
    }
    let listed = buckets
        .list_objects(&bucket.id, &ObjectQuery::new().prefix("records/"))
        .await
        .unwrap();
    let keys: Vec<_> = listed.iter().map(|o| o.key.clone()).collect();
    let expected: Vec<_> = (0..30).map(|i| format!("records/{i:02}.txt")).collect();
    assert_eq!(keys, expected);
    for (i, object) in listed.iter().enumerate() {
        let bytes = buckets.get_object(&bucket.id, &object.key).await.unwrap();
        let content: Vec<u8> = bytes.to_vec();
        assert_eq!(
            content,
            format!("object {i}: {}", "x".repeat(i * 11)).into_bytes()
        );
        assert_eq!(object.size_bytes, content.len() as u64);
    }
}

#[flavour]
#[flavour_test]
async fn a_reader_goes_up_and_comes_back_through_a_writer() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("streams")).await.unwrap();
    let content = pattern(3 * MIB + 17);
    buckets
        .upload_reader(
            &bucket.id,
            "blobs/a.bin",
            Cursor::new(content.clone()),
            Some(content.len() as u64),
        )
        .await
        .unwrap();
    buckets
        .upload_reader(
            &bucket.id,
            "blobs/b.bin",
            Cursor::new(b"chunked".to_vec()),
            None,
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    let written = buckets
        .download_to_writer(&bucket.id, "blobs/a.bin", &mut out)
        .await
        .unwrap();
    assert_eq!(written, content.len() as u64);
    assert!(out == content, "the bytes came back changed");
    let small = buckets.get_object(&bucket.id, "blobs/b.bin").await.unwrap();
    assert_eq!(&small[..], b"chunked");
}

#[flavour]
#[flavour_test]
async fn a_reader_of_another_length_than_given_stores_nothing() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("lengths")).await.unwrap();
    // Longer than given (by a whole buffer, by one byte, past an empty promise),
    // then shorter: each an Io error, none of them stored, not even cut at `len`.
    let cases: [(Vec<u8>, u64, &str); 4] = [
        (pattern(3 * MIB), 1000, "more than the 1000 bytes"),
        (pattern(MIB + 1), MIB as u64, "more than the 1048576 bytes"),
        (vec![1], 0, "more than the 0 bytes"),
        (pattern(10), 20, "ended after 10 of the 20 bytes"),
    ];
    for (i, (content, len, message)) in cases.into_iter().enumerate() {
        let error = buckets
            .upload_reader(
                &bucket.id,
                &format!("wrong/{i}.bin"),
                Cursor::new(content),
                Some(len),
            )
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{i}: {error:?}");
        assert!(error.to_string().contains(message), "{i}: {error}");
    }
    let listed = buckets
        .list_objects(&bucket.id, &ObjectQuery::new())
        .await
        .unwrap();
    assert!(listed.is_empty(), "stored: {listed:?}");
    // A reader of exactly its length still goes.
    buckets
        .upload_reader(
            &bucket.id,
            "right.bin",
            Cursor::new(pattern(MIB)),
            Some(MIB as u64),
        )
        .await
        .unwrap();
    let bytes = buckets.get_object(&bucket.id, "right.bin").await.unwrap();
    assert!(bytes[..] == pattern(MIB)[..]);
}

#[flavour]
#[flavour_test]
async fn get_over_the_cap_is_a_too_large_error_naming_the_cap_and_the_streaming_calls() {
    let emulator = Emulator::start();
    let client = capped_client(&emulator, MIB as u64);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("capped")).await.unwrap();
    // A private text, larger than the cap.
    let mut private = "API_KEY=hunter2\n".repeat(MIB / 16 + 1).into_bytes();
    private.truncate(MIB + 1);
    buckets
        .put_object(&bucket.id, "big.bin", private)
        .await
        .unwrap();
    buckets
        .put_object(&bucket.id, "fits.bin", pattern(MIB))
        .await
        .unwrap();
    let error = buckets.get_object(&bucket.id, "big.bin").await.unwrap_err();
    // The error quotes none of the object: its bytes may be private.
    match &error {
        Error::TooLarge { limit, .. } => assert_eq!(*limit, MIB as u64, "{error:?}"),
        other => panic!("{other:?}"),
    }
    assert!(!error.is_transient());
    let shown = format!("{error:?} {error:#}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let message = error.to_string();
    assert!(message.contains("larger than 1048576 bytes"), "{message}");
    assert!(
        message.contains("ClientBuilder::max_response_body"),
        "{message}"
    );
    assert!(message.contains("Buckets::download_to_writer"), "{message}");
    // Exactly the cap still fits; streaming has no cap.
    let fits = buckets.get_object(&bucket.id, "fits.bin").await.unwrap();
    assert_eq!(fits.len(), MIB);
    let mut out = Vec::new();
    let written = buckets
        .download_to_writer(&bucket.id, "big.bin", &mut out)
        .await
        .unwrap();
    assert_eq!(written, MIB as u64 + 1);
}

#[flavour]
#[flavour_test]
async fn a_5xx_on_put_is_retried_and_a_reader_upload_is_not() {
    let emulator = Emulator::start();
    let client = emulator_client(&emulator);
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new("retries")).await.unwrap();
    let fault = || Fault::Status {
        status: 503,
        retry_after: None,
        count: 1,
    };
    emulator.reset_stats();
    emulator.inject_on(UPLOAD_ROUTE, fault());
    buckets
        .put_object(&bucket.id, "put.txt", "from memory")
        .await
        .unwrap();
    assert_eq!(
        emulator.stats().requests.get(UPLOAD_ROUTE),
        Some(&2),
        "the 503 and its retry"
    );
    let stored = buckets.get_object(&bucket.id, "put.txt").await.unwrap();
    assert_eq!(&stored[..], b"from memory");

    emulator.reset_stats();
    emulator.inject_on(UPLOAD_ROUTE, fault());
    let error = buckets
        .upload_reader(
            &bucket.id,
            "reader.txt",
            Cursor::new(b"from a reader".to_vec()),
            Some(13),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { .. } | Error::Network { .. }),
        "{error:?}"
    );
    assert_eq!(
        emulator.stats().requests.get(UPLOAD_ROUTE),
        Some(&1),
        "a reader is read once: never sent again"
    );
    let missing = buckets
        .get_object(&bucket.id, "reader.txt")
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
}
