//! Buckets, objects, multipart, presign, credentials and volumes.

mod common;

use std::time::Duration;

use common::C;
use podstack_emulator::Emulator;
use serde_json::json;
use sha2::{Digest, Sha256};

#[test]
fn buckets_and_objects() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    assert_eq!(c.post("/v1/buckets", json!({"name": "A"})).status, 400);
    let r = c.post(
        "/v1/buckets",
        json!({"name": "data-1", "visibility": "private"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let b = r.json();
    let id = b["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("bkt_"));
    assert_eq!(b["object_count"], 0);
    assert_eq!(c.post("/v1/buckets", json!({"name": "data-1"})).status, 409);

    let data = b"hello objects".to_vec();
    let r = c.put_bytes(
        &format!("/v1/buckets/{id}/objects/dir/sub/file%20one.txt"),
        data.clone(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let o = r.json();
    assert_eq!(o["key"], "dir/sub/file one.txt");
    assert_eq!(o["size_bytes"], data.len());
    assert_eq!(o["etag"], hex::encode(Sha256::digest(&data)));
    let got = c.get(&format!("/v1/buckets/{id}/objects/dir/sub/file%20one.txt"));
    assert_eq!(got.text.as_bytes(), &data[..]);
    assert_eq!(c.get(&format!("/v1/buckets/{id}/objects/nope")).status, 404);

    for k in ["a/1", "a/2", "a/3", "b/1"] {
        c.put_bytes(
            &format!("/v1/buckets/{id}/objects/{k}"),
            k.as_bytes().to_vec(),
        );
    }
    let l = c
        .get(&format!("/v1/buckets/{id}/objects?prefix=a/&max_keys=2"))
        .json();
    assert_eq!(l["objects"].as_array().unwrap().len(), 2);
    assert_eq!(l["is_truncated"], true);
    let tok = l["next_continuation_token"].as_str().unwrap();
    let l2 = c
        .get(&format!(
            "/v1/buckets/{id}/objects?prefix=a/&max_keys=2&continuation_token={tok}"
        ))
        .json();
    assert_eq!(l2["objects"][0]["key"], "a/3");
    assert_eq!(l2["is_truncated"], false);
    assert!(l2["next_continuation_token"].is_null());
    assert_eq!(
        c.get(&format!("/v1/buckets/{id}")).json()["object_count"],
        5
    );

    let r = c.post(
        &format!("/v1/buckets/{id}/objects/copy"),
        json!({"source_bucket": id, "source_key": "a/1", "dest_key": "c/1"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["etag"], hex::encode(Sha256::digest(b"a/1")));
    let r = c
        .post(
            &format!("/v1/buckets/{id}/objects/delete"),
            json!({"keys": ["a/1", "zzz"]}),
        )
        .json();
    assert_eq!(r["deleted"], json!(["a/1"]));
    assert_eq!(r["errors"][0]["key"], "zzz");
    assert_eq!(
        c.delete(&format!("/v1/buckets/{id}/objects/a/2")).status,
        204
    );

    let cred = c.get(&format!("/v1/buckets/{id}/credentials")).json();
    assert!(
        cred["access_key"].is_string()
            && cred["secret_key"].is_string()
            && cred["region"].is_string()
    );

    assert_eq!(c.delete(&format!("/v1/buckets/{id}")).status, 409);
    assert_eq!(
        c.delete(&format!("/v1/buckets/{id}?force=true")).status,
        204
    );
    assert_eq!(c.get(&format!("/v1/buckets/{id}")).status, 404);
}

#[test]
fn multipart_upload() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let id = c.post("/v1/buckets", json!({"name": "mpart"})).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.post(
        &format!("/v1/buckets/{id}/multipart"),
        json!({"key": "big.bin"}),
    );
    assert!(r.status == 201 || r.status == 200);
    let up = r.json()["upload_id"].as_str().unwrap().to_string();
    let p1 = vec![1u8; 100_000];
    let p2 = vec![2u8; 10];
    let r1 = c.put_bytes(
        &format!("/v1/buckets/{id}/multipart/{up}/parts/1"),
        p1.clone(),
    );
    assert_eq!(r1.status, 200, "{}", r1.text);
    let e1 = r1.json()["etag"].as_str().unwrap().to_string();
    let e2 = c
        .put_bytes(
            &format!("/v1/buckets/{id}/multipart/{up}/parts/2"),
            p2.clone(),
        )
        .json()["etag"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(e1, hex::encode(Sha256::digest(&p1)));
    let bad = c.post(
        &format!("/v1/buckets/{id}/multipart/{up}/complete"),
        json!({"parts": [{"part_number": 1, "etag": e2}]}),
    );
    assert_eq!(bad.status, 400);
    let r = c.post(
        &format!("/v1/buckets/{id}/multipart/{up}/complete"),
        json!({"parts": [{"part_number": 1, "etag": e1}, {"part_number": 2, "etag": e2}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let o = r.json();
    assert_eq!(o["size_bytes"], 100_010);
    let expect = format!(
        "{}-2",
        hex::encode(Sha256::digest(format!("{e1}{e2}").as_bytes()))
    );
    assert_eq!(o["etag"], expect);
    let body = c
        .get(&format!("/v1/buckets/{id}/objects/big.bin"))
        .text
        .into_bytes();
    assert_eq!(body.len(), 100_010);
    // abort
    let up2 = c
        .post(&format!("/v1/buckets/{id}/multipart"), json!({"key": "x"}))
        .json()["upload_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.delete(&format!("/v1/buckets/{id}/multipart/{up2}"))
            .status,
        204
    );
    assert_eq!(
        c.put_bytes(
            &format!("/v1/buckets/{id}/multipart/{up2}/parts/1"),
            vec![1]
        )
        .status,
        404
    );
}

#[test]
fn presigned_urls_work_without_auth_then_expire() {
    let emu = Emulator::start();
    let c = C::new(&emu);
    let id = c.post("/v1/buckets", json!({"name": "pre"})).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let put = c
        .post(
            &format!("/v1/buckets/{id}/presign"),
            json!({"key": "k.txt", "method": "PUT", "expires_in": 60}),
        )
        .json();
    assert_eq!(put["method"], "PUT");
    assert!(put["expires_at"].as_str().unwrap().ends_with('Z'));
    let anon = C {
        token: None,
        ..C::new(&emu)
    };
    assert_eq!(
        anon.put_bytes(put["url"].as_str().unwrap(), b"via-url".to_vec())
            .status,
        200
    );
    let get = c
        .post(
            &format!("/v1/buckets/{id}/presign"),
            json!({"key": "k.txt", "method": "GET", "expires_in": 1}),
        )
        .json();
    let url = get["url"].as_str().unwrap();
    assert_eq!(anon.get(url).text, "via-url");
    assert_eq!(anon.put_bytes(url, b"x".to_vec()).status, 403);
    std::thread::sleep(Duration::from_millis(1100));
    let r = anon.get(url);
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"));
    assert_eq!(
        c.post(
            &format!("/v1/buckets/{id}/presign"),
            json!({"key": "k", "method": "POST"})
        )
        .status,
        400
    );
}

#[test]
fn volumes_lifecycle() {
    let emu = Emulator::builder().pod_start_delay(Duration::ZERO).start();
    let c = C::new(&emu);
    assert_eq!(
        c.post("/v1/volumes", json!({"name": "v", "quota_gb": 0}))
            .status,
        400
    );
    let r = c.post(
        "/v1/volumes",
        json!({"name": "v", "quota_gb": 10, "project_id": emu.project_id()}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(
        (v["quota_gb"].as_u64(), v["used_gb"].as_f64()),
        (Some(10), Some(0.0))
    );
    assert!(v["nfs_server"].is_string() && v["nfs_path"].is_string() && v["status"].is_string());
    let r = c.post(&format!("/v1/volumes/{id}/resize"), json!({"quota_gb": 5}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["field_errors"]["quota_gb"].is_array());
    assert_eq!(
        c.post(&format!("/v1/volumes/{id}/resize"), json!({"quota_gb": 20}))
            .json()["quota_gb"],
        20
    );

    // mount it in a pod and write data through the pod
    let pod = c.post("/v1/pods", json!({"name": "p", "image": "i", "volumes": [{"volume_id": id, "mount_path": "/mnt/data"}]})).json();
    let pid = pod["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.put_bytes(
            &format!("/v1/pods/{pid}/files?path=/mnt/data/x.bin"),
            vec![7; 1000]
        )
        .status,
        204
    );
    assert!(
        c.get(&format!("/v1/volumes/{id}")).json()["used_gb"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let r = c.delete(&format!("/v1/volumes/{id}"));
    assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
    assert_eq!(c.delete(&format!("/v1/pods/{pid}?force=true")).status, 204);
    assert_eq!(c.delete(&format!("/v1/volumes/{id}")).status, 409); // holds data
    assert_eq!(c.get("/v1/volumes").json()["total"], 1);
    assert_eq!(
        c.delete(&format!("/v1/volumes/{id}?force=true")).status,
        204
    );
    assert_eq!(c.get(&format!("/v1/volumes/{id}")).status, 404);
}
