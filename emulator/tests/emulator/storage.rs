//! Storage on the platform service (`{endpoint}/platform/api/v1`): buckets,
//! objects (form uploads, downloads with Range), listing, copy, batch delete,
//! multipart, presigned URLs, credentials, volumes, plain error bodies, the
//! route-targeted fault and the bandwidth cap.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::C;
use md5::{Digest, Md5};
use podstack_emulator::{Emulator, Fault};
use serde_json::json;

const P: &str = "/platform/api/v1";

fn new_bucket(c: &C, name: &str) -> String {
    let r = c.post(&format!("{P}/buckets"), json!({ "name": name }));
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_string()
}

/// Bytes that contain boundary-like runs, so the form reader's delimiter search is exercised.
fn tricky_bytes(n: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(n);
    let mut x: u32 = 7;
    while v.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        if x.is_multiple_of(97) {
            v.extend_from_slice(b"\r\n----podstack-test-boundary-7MA4YWx");
        } else {
            v.push((x >> 16) as u8);
        }
    }
    v.truncate(n);
    v
}

#[test]
fn platform_endpoint_and_project_header() {
    let emu = Emulator::start();
    assert_eq!(
        emu.platform_endpoint(),
        format!("{}/platform", emu.endpoint())
    );
    // no X-Project-Id → 400, plain body naming the header
    let r = C::new(&emu).get(&format!("{P}/buckets"));
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.plain_error().contains("X-Project-Id"), "{}", r.text);
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    // no token → 401, plain
    let mut anon = C::platform(&emu);
    anon.token = None;
    let r = anon.get(&format!("{P}/buckets"));
    assert_eq!(r.status, 401);
    assert_eq!(r.plain_error(), "Invalid API token");
    // the old /v1 storage paths are gone; /v1 keeps the envelope
    let r = C::platform(&emu).get("/v1/buckets");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    // scopes apply: buckets:* and volumes:*
    let tok = emu.create_token(podstack_emulator::TokenSpec {
        scopes: vec!["buckets:*".into()],
        ..Default::default()
    });
    let mut c = C::with_token(&emu, &tok);
    c.project = Some(emu.project_id());
    assert_eq!(c.get(&format!("{P}/buckets")).status, 200);
    let r = c.get(&format!("{P}/storage"));
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].is_string());
}

#[test]
fn buckets_and_objects() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    let r = c.post(&format!("{P}/buckets"), json!({"name": "A"}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string(), "{}", r.text);
    assert_eq!(c.post(&format!("{P}/buckets"), json!({})).status, 400);
    let r = c.post(
        &format!("{P}/buckets"),
        json!({"name": "data-1", "description": "d", "region": "local-1",
               "versioning": true, "is_public": false, "max_size_gb": 10}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let b = r.json();
    let id = b["id"].as_str().unwrap().to_string();
    for k in [
        "name",
        "description",
        "status",
        "region",
        "is_public",
        "versioning",
        "size_bytes",
        "object_count",
        "endpoint",
        "created_at",
    ] {
        assert!(!b[k].is_null(), "missing {k}: {b}");
    }
    assert_eq!(
        (b["versioning"].as_bool(), b["object_count"].as_u64()),
        (Some(true), Some(0))
    );
    let r = c.post(&format!("{P}/buckets"), json!({"name": "data-1"}));
    assert_eq!(r.status, 409);
    assert!(r.plain_error().contains("data-1"));
    assert_eq!(
        c.get(&format!("{P}/buckets")).json()["buckets"][0]["id"],
        id.as_str()
    );

    // form upload (both field orders), download with headers
    let data = tricky_bytes(300_000);
    let r = c.form_upload(
        &format!("{P}/buckets/{id}/objects"),
        "dir/sub/file one.bin",
        &data,
        false,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let o = r.json();
    assert_eq!(o["path"], "dir/sub/file one.bin");
    assert_eq!(o["size_bytes"], data.len());
    let etag = hex::encode(Md5::digest(&data));
    assert_eq!(o["etag"], etag.as_str());
    assert!(o["last_modified"].as_str().unwrap().ends_with('Z'));
    let got = c.get(&format!(
        "{P}/buckets/{id}/objects/download?path=dir%2Fsub%2Ffile%20one.bin"
    ));
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, data);
    assert_eq!(
        got.header("content-length").unwrap(),
        data.len().to_string()
    );
    assert_eq!(got.header("etag").unwrap(), format!("\"{etag}\""));
    assert!(got.header("last-modified").unwrap().ends_with(" GMT"));
    assert_eq!(
        got.header("content-type").as_deref(),
        Some("application/octet-stream")
    );
    let r = c.form_upload(
        &format!("{P}/buckets/{id}/objects"),
        "first/file",
        b"",
        true,
    );
    assert_eq!(
        (r.status, r.json()["size_bytes"].as_u64()),
        (201, Some(0)),
        "{}",
        r.text
    );

    // key rules (S3's: 1 to 1024 bytes, any string) and unknown keys
    let r = c.form_upload(&format!("{P}/buckets/{id}/objects"), "", b"x", false);
    assert_eq!(r.status, 400, "{}", r.text);
    for odd in ["/abs", "a/../b", "x//y", "a/./b"] {
        let r = c.form_upload(&format!("{P}/buckets/{id}/objects"), odd, b"x", false);
        assert_eq!(r.status, 201, "{odd}: {}", r.text);
        let r = c.get(&format!(
            "{P}/buckets/{id}/objects/download?path={}",
            odd.replace('/', "%2F")
        ));
        assert_eq!((r.status, r.text.as_str()), (200, "x"), "{odd}");
        let r = c.delete(&format!(
            "{P}/buckets/{id}/objects?path={}",
            odd.replace('/', "%2F")
        ));
        assert_eq!(r.status, 204, "{odd}");
    }
    let long = "k".repeat(1025);
    assert_eq!(
        c.form_upload(&format!("{P}/buckets/{id}/objects"), &long, b"x", false)
            .status,
        400
    );
    let r = c.get(&format!("{P}/buckets/{id}/objects/download?path=nope"));
    assert_eq!(r.status, 404);
    assert!(r.plain_error().contains("nope"), "{}", r.text);
    assert!(r.header("x-request-id").is_some());

    // listing: lexicographic, max_keys, continuation
    for k in ["a/2", "a/1", "a/3", "b/1"] {
        let r = c.form_upload(&format!("{P}/buckets/{id}/objects"), k, k.as_bytes(), false);
        assert_eq!(r.status, 201);
    }
    let l = c
        .get(&format!("{P}/buckets/{id}/objects?prefix=a/&max_keys=2"))
        .json();
    assert_eq!(l["objects"][0]["path"], "a/1");
    assert_eq!(l["objects"][1]["path"], "a/2");
    assert_eq!(l["is_truncated"], true);
    let tok = l["next_continuation_token"].as_str().unwrap();
    let l2 = c
        .get(&format!(
            "{P}/buckets/{id}/objects?prefix=a/&max_keys=2&continuation_token={tok}"
        ))
        .json();
    assert_eq!(l2["objects"].as_array().unwrap().len(), 1);
    assert_eq!(l2["objects"][0]["path"], "a/3");
    assert_eq!(l2["is_truncated"], false);
    assert!(l2["next_continuation_token"].is_null());
    let all = c.get(&format!("{P}/buckets/{id}/objects")).json();
    assert_eq!(all["objects"].as_array().unwrap().len(), 6);
    // More than 1000 asked for is 1000 at most, as S3's ListObjectsV2 answers.
    let r = c.get(&format!("{P}/buckets/{id}/objects?max_keys=5000"));
    assert_eq!(r.status, 200, "{}", r.text);
    for q in ["max_keys=0", "continuation_token=zz"] {
        assert_eq!(
            c.get(&format!("{P}/buckets/{id}/objects?{q}")).status,
            400,
            "{q}"
        );
    }
    assert_eq!(
        c.get(&format!("{P}/buckets/{id}")).json()["object_count"],
        6
    );

    // copy (also across buckets), batch delete, single delete
    let other = new_bucket(&c, "other-1");
    let r = c.post(
        &format!("{P}/buckets/{other}/objects/copy"),
        json!({"source_bucket": id, "source_path": "a/1", "dest_path": "c/1"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["path"], "c/1");
    assert_eq!(r.json()["etag"], hex::encode(Md5::digest(b"a/1")));
    assert_eq!(
        c.get(&format!("{P}/buckets/{other}/objects/download?path=c/1"))
            .text,
        "a/1"
    );
    let r = c.post(
        &format!("{P}/buckets/{other}/objects/copy"),
        json!({"source_bucket": id, "source_path": "zzz", "dest_path": "c/2"}),
    );
    assert_eq!(r.status, 404);
    let r = c.post(
        &format!("{P}/buckets/{other}/objects/copy"),
        json!({"source_bucket": "bkt_missing", "source_path": "a/1"}),
    );
    assert_eq!(r.status, 404);
    let r = c
        .post(
            &format!("{P}/buckets/{id}/objects/delete"),
            json!({"paths": ["a/1", "zzz", "a/2"]}),
        )
        .json();
    assert_eq!(r["deleted"], json!(["a/1", "a/2"]));
    assert_eq!(r["errors"][0]["path"], "zzz");
    assert!(r["errors"][0]["message"].is_string());
    assert_eq!(
        c.delete(&format!("{P}/buckets/{id}/objects?path=a/3"))
            .status,
        204
    );
    assert_eq!(
        c.delete(&format!("{P}/buckets/{id}/objects?path=a/3"))
            .status,
        404
    );

    let cred = c.get(&format!("{P}/buckets/{id}/credentials")).json();
    for k in ["access_key", "secret_key", "endpoint", "region"] {
        assert!(cred[k].is_string(), "{k}: {cred}");
    }

    // buckets are scoped to the project
    let prj = C::new(&emu)
        .post("/v1/projects", json!({"name": "p2"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut c2 = C::platform(&emu);
    c2.project = Some(prj);
    assert_eq!(c2.get(&format!("{P}/buckets")).json()["buckets"], json!([]));
    assert_eq!(c2.get(&format!("{P}/buckets/{id}")).status, 404);
    assert_eq!(new_bucket(&c2, "data-1").len(), id.len()); // same name, other project

    // delete: 409 while not empty, force removes the objects
    let r = c.delete(&format!("{P}/buckets/{id}"));
    assert_eq!(r.status, 409);
    assert!(r.json()["error"].is_string());
    assert_eq!(
        c.delete(&format!("{P}/buckets/{id}?force=true")).status,
        204
    );
    assert_eq!(c.get(&format!("{P}/buckets/{id}")).status, 404);
}

#[test]
fn ranges() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    let id = new_bucket(&c, "ranges");
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        c.form_upload(&format!("{P}/buckets/{id}/objects"), "r.bin", &data, false)
            .status,
        201
    );
    let url = format!("{P}/buckets/{id}/objects/download?path=r.bin");
    let r = c.send("GET", &url, vec![], "", &[("Range", "bytes=10-19")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.bytes, &data[10..20]);
    assert_eq!(
        r.header("content-range").as_deref(),
        Some("bytes 10-19/1000")
    );
    assert_eq!(r.header("content-length").as_deref(), Some("10"));
    let r = c.send("GET", &url, vec![], "", &[("Range", "bytes=990-")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.bytes, &data[990..]);
    assert_eq!(
        r.header("content-range").as_deref(),
        Some("bytes 990-999/1000")
    );
    let r = c.send("GET", &url, vec![], "", &[("Range", "bytes=995-5000")]);
    assert_eq!((r.status, r.bytes.len()), (206, 5));
    let r = c.send("GET", &url, vec![], "", &[("Range", "bytes=1000-")]);
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range").as_deref(), Some("bytes */1000"));
    assert!(r.json()["error"].is_string());
}

#[test]
fn multipart_complete_abort_and_targeted_fault() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    let id = new_bucket(&c, "mpart");
    let r = c.post(
        &format!("{P}/buckets/{id}/multipart"),
        json!({"path": "big.bin"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let up = r.json()["upload_id"].as_str().unwrap().to_string();
    assert_eq!(emu.pending_multipart_uploads(), 1);
    assert_eq!(
        c.post(&format!("{P}/buckets/{id}/multipart"), json!({"path": ""}))
            .status,
        400
    );

    // the first PUT of a part fails once; other routes are not affected
    emu.inject_on(
        "PUT /platform/api/v1/buckets/{id}/multipart/{upload_id}/parts/{n}",
        Fault::Status {
            status: 500,
            retry_after: None,
            count: 1,
        },
    );
    assert_eq!(c.get(&format!("{P}/buckets/{id}")).status, 200);
    let part = format!("{P}/buckets/{id}/multipart/{up}/parts");
    let p1 = vec![1u8; 100_000];
    let p2 = vec![2u8; 10];
    let r = c.put_bytes(&format!("{part}/1"), p1.clone());
    assert_eq!(r.status, 500);
    assert!(r.json()["error"].is_string(), "{}", r.text);
    let r1 = c.put_bytes(&format!("{part}/1"), vec![9u8; 5]); // replaced below
    assert_eq!(r1.status, 200, "{}", r1.text);
    let e1 = c.put_bytes(&format!("{part}/1"), p1.clone()).json()["etag"]
        .as_str()
        .unwrap()
        .to_string();
    let e2 = c.put_bytes(&format!("{part}/2"), p2.clone()).json()["etag"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(e1, hex::encode(Md5::digest(&p1)));
    assert_eq!(c.put_bytes(&format!("{part}/0"), vec![1]).status, 400);
    assert_eq!(c.put_bytes(&format!("{part}/10001"), vec![1]).status, 400);

    let complete = format!("{P}/buckets/{id}/multipart/{up}/complete");
    let bad = c.post(
        &complete,
        json!({"parts": [{"part_number": 1, "etag": e2}]}),
    );
    assert_eq!(bad.status, 400);
    let bad = c.post(
        &complete,
        json!({"parts": [{"part_number": 2, "etag": e2}, {"part_number": 1, "etag": e1}]}),
    );
    assert_eq!(bad.status, 400);
    let r = c.post(
        &complete,
        json!({"parts": [{"part_number": 1, "etag": e1}, {"part_number": 2, "etag": e2}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let o = r.json();
    assert_eq!(
        (o["path"].as_str(), o["size_bytes"].as_u64()),
        (Some("big.bin"), Some(100_010))
    );
    let mut whole = p1.clone();
    whole.extend(&p2);
    // As S3: the SHA-256 of the parts' digests, then the number of parts.
    let mut digests = Md5::digest(&p1).to_vec();
    digests.extend(Md5::digest(&p2));
    assert_eq!(
        o["etag"],
        format!("{}-2", hex::encode(Md5::digest(&digests)))
    );
    let body = c.get(&format!("{P}/buckets/{id}/objects/download?path=big.bin"));
    assert_eq!(body.bytes, whole);
    assert_eq!(emu.pending_multipart_uploads(), 0);
    assert_eq!(c.post(&complete, json!({"parts": []})).status, 404);

    // abort
    let up2 = c
        .post(&format!("{P}/buckets/{id}/multipart"), json!({"path": "x"}))
        .json()["upload_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.put_bytes(
            &format!("{P}/buckets/{id}/multipart/{up2}/parts/1"),
            vec![1; 10]
        )
        .status,
        200
    );
    assert_eq!(emu.pending_multipart_uploads(), 1);
    assert_eq!(
        c.delete(&format!("{P}/buckets/{id}/multipart/{up2}"))
            .status,
        204
    );
    assert_eq!(emu.pending_multipart_uploads(), 0);
    let r = c.put_bytes(
        &format!("{P}/buckets/{id}/multipart/{up2}/parts/1"),
        vec![1],
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        c.get("/_emulator/stats").json()["pending_multipart_uploads"],
        0
    );
}

#[test]
fn presigned_urls_work_without_auth_then_expire() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    let id = new_bucket(&c, "pre");
    let presign = |path: &str, method: &str, secs: u64| {
        let r = c.post(
            &format!("{P}/buckets/{id}/presign"),
            json!({"path": path, "method": method, "expires_in": secs}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    };
    let put = presign("k.txt", "PUT", 60);
    assert_eq!(put["method"], "PUT");
    assert!(put["expires_at"].as_str().unwrap().ends_with('Z'));
    let put_url = put["url"].as_str().unwrap();
    assert!(
        put_url.starts_with(&format!("{}/presigned/", emu.endpoint())),
        "{put_url}"
    );
    let anon = C {
        token: None,
        ..C::new(&emu)
    };
    let r = anon.put_bytes(put_url, b"via-url".to_vec());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["etag"], hex::encode(Md5::digest(b"via-url")));

    let get = presign("k.txt", "GET", 60);
    let url = get["url"].as_str().unwrap();
    assert_eq!(anon.get(url).text, "via-url");
    let r = anon.send("GET", url, vec![], "", &[("Range", "bytes=4-")]);
    assert_eq!((r.status, r.text.as_str()), (206, "url"));
    // a GET URL does not allow PUT; a tampered signature is refused
    assert_eq!(anon.put_bytes(url, b"x".to_vec()).status, 403);
    let last = url.chars().last().unwrap();
    let flipped = if last == '0' { '1' } else { '0' };
    let tampered = format!("{}{flipped}", &url[..url.len() - 1]);
    let r = anon.get(&tampered);
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].is_string());

    // expiry
    let short = presign("k.txt", "GET", 1);
    std::thread::sleep(Duration::from_millis(1200));
    let r = anon.get(short["url"].as_str().unwrap());
    assert_eq!(r.status, 403);
    assert_eq!(r.json(), json!({"error": "presigned URL expired"}));

    for bad in [
        json!({"path": "k", "method": "POST"}),
        json!({"path": "k", "expires_in": 0}),
        json!({"path": "k", "expires_in": 604_801}),
        json!({"method": "GET"}),
    ] {
        let r = c.post(&format!("{P}/buckets/{id}/presign"), bad.clone());
        assert_eq!(r.status, 400, "{bad}");
    }
}

#[test]
fn volumes_lifecycle() {
    let emu = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    let c = C::platform(&emu);
    let r = c.post(
        &format!("{P}/storage"),
        json!({"name": "v", "quota_gb": -1}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let r = c.send(
        "POST",
        &format!("{P}/storage"),
        json!({"name": "v", "quota_gb": 10, "nfs_enabled": true, "billing_period": "month"})
            .to_string()
            .into_bytes(),
        "application/json",
        &[("Idempotency-Key", "vol-1")],
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_string();
    for k in [
        "name",
        "status",
        "quota_gb",
        "used_bytes",
        "nfs_enabled",
        "nfs_server",
        "nfs_path",
        "billing_period",
        "created_at",
    ] {
        assert!(!v[k].is_null(), "missing {k}: {v}");
    }
    assert_eq!(
        (v["quota_gb"].as_u64(), v["used_bytes"].as_u64()),
        (Some(10), Some(0))
    );
    // an idempotent replay (same key, same request) answers the same volume
    let again = c.send(
        "POST",
        &format!("{P}/storage"),
        json!({"name": "v", "quota_gb": 10, "nfs_enabled": true, "billing_period": "month"})
            .to_string()
            .into_bytes(),
        "application/json",
        &[("Idempotency-Key", "vol-1")],
    );
    assert_eq!(again.json()["id"], id.as_str());
    assert_eq!(
        c.get(&format!("{P}/storage")).json()["volumes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = c.post(&format!("{P}/storage/{id}/resize"), json!({"quota_gb": 5}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
    assert!(
        r.json()["field_errors"]["quota_gb"].is_array(),
        "{}",
        r.text
    );
    assert_eq!(
        c.post(&format!("{P}/storage/{id}/resize"), json!({"quota_gb": 20}))
            .json()["quota_gb"],
        20
    );

    // a pod mounts it and writes data through it
    let v1 = C::new(&emu);
    let r = v1.post(
        "/v1/pods",
        json!({"name": "p", "image": "i", "volumes": [{"volume_id": "vol_missing", "mount_path": "/mnt"}]}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["details"]["resource_type"], "volume");
    let pod = v1
        .post(
            "/v1/pods",
            json!({"name": "p", "image": "i", "volumes": [{"volume_id": id, "mount_path": "/mnt/data"}]}),
        )
        .json();
    let pid = pod["id"].as_str().unwrap().to_string();
    assert_eq!(
        v1.put_bytes(
            &format!("/v1/pods/{pid}/files?path=/mnt/data/x.bin"),
            vec![7; 1000]
        )
        .status,
        204
    );
    let got = c.get(&format!("{P}/storage/{id}")).json();
    assert_eq!(
        (got["used_bytes"].as_u64(), got["status"].as_str()),
        (Some(1000), Some("in_use"))
    );
    // mounted: 409 even when forced
    for q in ["", "?force=true"] {
        let r = c.delete(&format!("{P}/storage/{id}{q}"));
        assert_eq!(r.status, 409, "{q}");
        assert!(r.plain_error().contains("mounted"), "{}", r.text);
    }
    assert_eq!(v1.delete(&format!("/v1/pods/{pid}?force=true")).status, 204);
    assert_eq!(c.delete(&format!("{P}/storage/{id}")).status, 409); // holds data
    assert_eq!(
        c.delete(&format!("{P}/storage/{id}?force=true")).status,
        204
    );
    assert_eq!(c.get(&format!("{P}/storage/{id}")).status, 404);
}

/// Reads from a raw keep-alive GET until `deadline`, returning bytes read.
fn read_for(addr: &str, request: &str, deadline: Instant) -> usize {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(_) => continue,
        }
    }
    total
}

#[test]
fn bandwidth_cap_is_per_connection() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    let id = new_bucket(&c, "bw-test");
    let data = vec![5u8; 2_000_000];
    assert_eq!(
        c.form_upload(&format!("{P}/buckets/{id}/objects"), "big", &data, false)
            .status,
        201
    );
    const RATE: u64 = 200_000;
    emu.set_bandwidth_per_connection(Some(RATE));
    let addr = emu.endpoint().trim_start_matches("http://").to_string();
    let req = format!(
        "GET {P}/buckets/{id}/objects/download?path=big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nX-Project-Id: {}\r\n\r\n",
        emu.token(),
        emu.project_id()
    );
    let window = Duration::from_millis(600);
    let one = read_for(&addr, &req, Instant::now() + window);
    let deadline = Instant::now() + window;
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (addr, req) = (addr.clone(), req.clone());
            std::thread::spawn(move || read_for(&addr, &req, deadline))
        })
        .collect();
    let two: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    // One connection is held near RATE (0.6 s ≈ 120 kB, far below the 2 MB object)…
    assert!(
        one > 20_000 && one < 400_000,
        "one connection moved {one} bytes"
    );
    // …and two connections move about twice as much (generous bounds).
    let ratio = two as f64 / one as f64;
    assert!(
        (1.3..=3.0).contains(&ratio),
        "one {one}, two {two}, ratio {ratio}"
    );

    // the request direction is capped too: 60 kB at 100 kB/s takes ≥ 0.3 s
    emu.set_bandwidth_per_connection(Some(100_000));
    let up = c
        .post(&format!("{P}/buckets/{id}/multipart"), json!({"path": "u"}))
        .json()["upload_id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = Instant::now();
    let fresh = C::platform(&emu); // a new connection, with a fresh budget
    let r = fresh.put_bytes(
        &format!("{P}/buckets/{id}/multipart/{up}/parts/1"),
        vec![1; 60_000],
    );
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    // removing the cap applies at once
    emu.set_bandwidth_per_connection(None);
    let t = Instant::now();
    assert_eq!(
        c.get(&format!("{P}/buckets/{id}/objects/download?path=big"))
            .bytes
            .len(),
        data.len()
    );
    assert!(t.elapsed() < Duration::from_secs(5));
}

/// Every storage call the shipped Python package (`podstack` 1.7.0, the contract's
/// rows marked *shipped*) makes, with the bodies it builds from its defaults, byte for
/// byte as the package's HTTP client, httpx (0.28 and later), serialises them (compact
/// `json.dumps`, keys in the order of the package's dict): the emulator must accept every
/// one. Read off podstack 1.7.0's `storage.py` and `cell.py` (PyPI); the package itself
/// runs against the emulator in `emulator/scripts/shipped_package_storage.py`.
#[test]
fn the_shipped_package_s_default_bodies_are_accepted_byte_for_byte() {
    let emu = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    let c = C::platform(&emu);
    let json = |method: &str, path: &str, body: &str| {
        c.send(
            method,
            &format!("{P}{path}"),
            body.as_bytes().to_vec(),
            "application/json",
            &[],
        )
    };

    // create_bucket(name) with every default: description "", region "",
    // versioning false, is_public false, max_size_gb 0 (no limit).
    let r = json(
        "POST",
        "/buckets",
        r#"{"name":"my-datasets","description":"","region":"","versioning":false,"is_public":false,"max_size_gb":0}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let bucket = r.json();
    let id = bucket["id"].as_str().unwrap().to_string();
    assert_eq!(bucket["region"], "us-east-1", "an empty region means unset");
    assert_eq!(bucket["description"], "");
    assert_eq!(c.get(&format!("{P}/buckets")).status, 200);
    assert_eq!(c.get(&format!("{P}/buckets/{id}")).status, 200);
    // cell.py's _resolve_bucket_id(name) creates a missing bucket with fewer fields.
    let r = json(
        "POST",
        "/buckets",
        r#"{"name":"cell-scratch","description":"Podstack cell scratch storage (auto-created)","is_public":false,"versioning":false}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text);

    // cell.py's put_object(bucket, key, payload): httpx's multipart body, data fields first,
    // then the file with its name and content type; a uuid4-hex boundary.
    let boundary = "9f1c2d3e4b5a69788796a5b4c3d2e1f0";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\ndatasets/data.csv\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.csv\"\r\n\
         Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n--{boundary}--\r\n"
    );
    let r = c.send(
        "POST",
        &format!("{P}/buckets/{id}/objects"),
        form.into_bytes(),
        &format!("multipart/form-data; boundary={boundary}"),
        &[],
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // download_file(bucket, key)
    let r = c.get(&format!(
        "{P}/buckets/{id}/objects/download?path=datasets%2Fdata.csv"
    ));
    assert_eq!((r.status, r.text.as_str()), (200, "a,b\n1,2\n"));

    // create_volume(name) with no quota: quota_gb 0, nfs_enabled true, "month".
    let r = json(
        "POST",
        "/storage",
        r#"{"name":"shared-data","quota_gb":0,"nfs_enabled":true,"billing_period":"month"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let volume = r.json()["id"].as_str().unwrap().to_string();
    // ...and with one.
    let r = json(
        "POST",
        "/storage",
        r#"{"name":"big-data","quota_gb":100,"nfs_enabled":true,"billing_period":"month"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(c.get(&format!("{P}/storage")).status, 200);
    assert_eq!(c.get(&format!("{P}/storage/{volume}")).status, 200);

    // The deletes (the package sends no body).
    assert_eq!(c.delete(&format!("{P}/storage/{volume}")).status, 204);
    // delete_bucket(id) sends a plain DELETE: refused while the bucket holds objects (the
    // contract's 409), accepted once it is empty.
    let r = c.delete(&format!("{P}/buckets/{id}"));
    assert_eq!(r.status, 409, "{}", r.text);
    let r = c.delete(&format!(
        "{P}/buckets/{id}/objects?path=datasets%2Fdata.csv"
    ));
    assert_eq!(r.status, 204, "{}", r.text);
    let r = c.delete(&format!("{P}/buckets/{id}"));
    assert_eq!(r.status, 204, "{}", r.text);
}
