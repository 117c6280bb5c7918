// Cases compiled once per client by `for_each_client!` (see tests/sdk/support/mod.rs).
use std::time::Duration;

use mockito::Matcher;
use podstack::{Error, NewBucket, NewVolume, ObjectQuery, TransferOptions, Visibility};

const BUCKET: &str = r#"{"id":"bkt_1","name":"my-datasets","description":"","status":"active",
    "region":"eu","is_public":false,"versioning":false,"size_bytes":0,"object_count":0,
    "endpoint":"https://s3.example","created_at":"2026-11-28T06:43:14Z"}"#;
const VOLUME: &str = r#"{"id":"vol_1","name":"shared-data","status":"available","quota_gb":100,
    "used_bytes":0,"nfs_enabled":true,"nfs_server":"10.0.0.5","nfs_path":"/exports/vol_1",
    "billing_period":"month","created_at":"2026-11-28T06:43:14Z"}"#;
const OBJECT: &str = r#"{"path":"datasets/data.csv","size_bytes":9,"etag":"e","last_modified":"2026-11-28T06:43:14Z"}"#;

/// An empty directory of this test's own: both clients' cases run in one process.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-{name}-{}-{}",
        std::process::id(),
        module_path!().replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_auth(mock: mockito::Mock) -> mockito::Mock {
    mock.match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header("x-project-id", "prj_1")
        .match_header("user-agent", USER_AGENT)
}

#[flavour]
#[flavour_test]
async fn create_bucket_posts_the_shipped_body_with_an_idempotency_key() {
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("POST", "/platform/api/v1/buckets"))
        .match_header("content-type", "application/json")
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_body(Matcher::Json(serde_json::json!({
            "name": "my-datasets", "description": "training data", "region": "eu",
            "versioning": true, "is_public": true, "max_size_gb": 500
        })))
        .with_status(201)
        .with_body(BUCKET)
        .create();
    let bucket = storage_client_for(&server.url())
        .buckets()
        .create(
            &NewBucket::new("my-datasets")
                .description("training data")
                .region("eu")
                .versioning(true)
                .visibility(Visibility::Public)
                .max_size_gb(500),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(bucket.id, "bkt_1");
    assert_eq!(bucket.endpoint, "https://s3.example");
}

#[flavour]
#[flavour_test]
async fn list_get_and_delete_buckets_use_the_shipped_paths() {
    let mut server = mock_server().await;
    let list = with_auth(server.mock("GET", "/platform/api/v1/buckets"))
        .with_body(format!("[{BUCKET}]"))
        .create();
    let get = with_auth(server.mock("GET", "/platform/api/v1/buckets/bkt_1"))
        .with_body(BUCKET)
        .create();
    let delete = with_auth(server.mock("DELETE", "/platform/api/v1/buckets/bkt_1"))
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    let force = with_auth(server.mock("DELETE", "/platform/api/v1/buckets/bkt_1"))
        .match_query(Matcher::UrlEncoded("force".into(), "true".into()))
        .with_status(200)
        .create();
    let client = storage_client_for(&server.url());
    let buckets = client.buckets();
    let listed = buckets.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    let bucket = buckets.get("bkt_1").await.unwrap();
    assert_eq!(bucket.name, "my-datasets");
    buckets.delete("bkt_1").await.unwrap();
    buckets.force_delete("bkt_1").await.unwrap();
    for mock in [list, get, delete, force] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn wrapped_bucket_lists_read_the_same() {
    let mut server = mock_server().await;
    let _m = server
        .mock("GET", "/platform/api/v1/buckets")
        .with_body(format!(r#"{{"buckets":[{BUCKET}]}}"#))
        .create();
    let buckets = storage_client_for(&server.url())
        .buckets()
        .list()
        .await
        .unwrap();
    assert_eq!(buckets[0].id, "bkt_1");
}

#[flavour]
#[flavour_test]
async fn upload_posts_multipart_form_data_with_the_path_and_file_fields() {
    let dir = scratch_dir("form");
    let file = dir.join("data.csv");
    std::fs::write(&file, "a,b\n1,2\n").unwrap();
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("POST", "/platform/api/v1/buckets/bkt_1/objects"))
        .match_header(
            "content-type",
            Matcher::Regex("^multipart/form-data; boundary=[-a-z0-9]+$".into()),
        )
        .match_header("content-length", Matcher::Regex("^[0-9]+$".into()))
        .match_request(|request| {
            let content_type = request.header("content-type")[0]
                .to_str()
                .unwrap()
                .to_owned();
            let boundary = content_type.split("boundary=").nth(1).unwrap();
            let body = String::from_utf8(request.body().unwrap().clone()).unwrap();
            body == format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n\
                 datasets/data.csv\r\n--{boundary}\r\nContent-Disposition: form-data; \
                 name=\"file\"; filename=\"data.csv\"\r\nContent-Type: text/csv\r\n\r\n\
                 a,b\n1,2\n\r\n--{boundary}--\r\n"
            )
        })
        .with_status(201)
        .with_body(OBJECT)
        .create();
    let summary = storage_client_for(&server.url())
        .buckets()
        .upload("bkt_1", &file, "datasets/data.csv")
        .await
        .unwrap();
    mock.assert();
    assert_eq!((summary.files, summary.bytes), (1, 8));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn download_gets_the_shipped_path_with_the_key_in_the_query() {
    let dir = scratch_dir("dl");
    let mut server = mock_server().await;
    let mock = with_auth(server.mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download"))
        .match_query(Matcher::UrlEncoded(
            "path".into(),
            "models/model v1.pt".into(),
        ))
        .match_header("accept", "application/octet-stream")
        .with_body("weights")
        .create();
    storage_client_for(&server.url())
        .buckets()
        .download("bkt_1", "models/model v1.pt", dir.join("model.pt"))
        .await
        .unwrap();
    mock.assert();
    assert_eq!(std::fs::read(dir.join("model.pt")).unwrap(), b"weights");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn object_listing_follows_continuation_tokens_lazily() {
    let mut server = mock_server().await;
    let first = with_auth(server.mock("GET", "/platform/api/v1/buckets/bkt_1/objects"))
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("prefix".into(), "datasets/".into()),
            Matcher::UrlEncoded("max_keys".into(), "1".into()),
        ]))
        .match_request(|r| !r.path_and_query().contains("continuation_token"))
        .with_body(format!(
            r#"{{"objects":[{OBJECT}],"is_truncated":true,"next_continuation_token":"t/1+"}}"#
        ))
        .create();
    let second = with_auth(server.mock("GET", "/platform/api/v1/buckets/bkt_1/objects"))
        .match_query(Matcher::UrlEncoded(
            "continuation_token".into(),
            "t/1+".into(),
        ))
        .with_body(format!(r#"{{"objects":[{OBJECT}],"is_truncated":false}}"#))
        .create();
    let query = ObjectQuery::new().prefix("datasets/").max_keys(1);
    let objects = storage_client_for(&server.url())
        .buckets()
        .list_objects("bkt_1", &query)
        .await
        .unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0].key, "datasets/data.csv");
    first.assert();
    second.assert();
}

#[flavour]
#[flavour_test]
async fn object_calls_send_their_documented_requests() {
    let mut server = mock_server().await;
    let object = "/platform/api/v1/buckets/bkt_1/objects";
    let delete_one = with_auth(server.mock("DELETE", object))
        .match_query(Matcher::UrlEncoded("path".into(), "a/b.txt".into()))
        .with_status(204)
        .create();
    let delete_many =
        with_auth(server.mock("POST", "/platform/api/v1/buckets/bkt_1/objects/delete"))
            .match_body(Matcher::Json(serde_json::json!({"paths": ["x", "y"]})))
            .with_body(r#"{"deleted":["x"],"errors":[{"path":"y","message":"not found"}]}"#)
            .create();
    let copy = with_auth(server.mock("POST", "/platform/api/v1/buckets/bkt_2/objects/copy"))
        .match_body(Matcher::Json(serde_json::json!({
            "source_bucket": "bkt_1", "source_path": "data.csv", "dest_path": "backup/data.csv"
        })))
        .with_body(OBJECT)
        .create();
    let presign = with_auth(server.mock("POST", "/platform/api/v1/buckets/bkt_1/presign"))
        .match_body(Matcher::Json(serde_json::json!({
            "path": "uploads/f.txt", "method": "PUT", "expires_in": 3600
        })))
        .with_body(r#"{"url":"https://s3.example/f?sig=1","method":"PUT","expires_at":"t"}"#)
        .create();
    let credentials = with_auth(server.mock("GET", "/platform/api/v1/buckets/bkt_1/credentials"))
        .with_body(
            r#"{"access_key":"AK","secret_key":"SK-secret","endpoint":"https://s3","region":"eu"}"#,
        )
        .create();
    let client = storage_client_for(&server.url());
    let buckets = client.buckets();
    buckets.delete_object("bkt_1", "a/b.txt").await.unwrap();
    let report = buckets.delete_objects("bkt_1", &["x", "y"]).await.unwrap();
    assert_eq!(report.deleted, ["x"]);
    assert_eq!(report.errors[0].path, "y");
    buckets
        .copy("bkt_1", "data.csv", "bkt_2", "backup/data.csv")
        .await
        .unwrap();
    let url = buckets
        .presigned_upload_url("bkt_1", "uploads/f.txt", Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(url.url, "https://s3.example/f?sig=1");
    let creds = buckets.credentials("bkt_1").await.unwrap();
    assert_eq!(creds.secret_key, "SK-secret");
    assert!(!format!("{creds:?}").contains("SK-secret"));
    for mock in [delete_one, delete_many, copy, presign, credentials] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn a_big_upload_goes_multipart_and_completes_with_every_part() {
    let dir = scratch_dir("mp");
    let file = dir.join("big.bin");
    let part = 5 * 1024 * 1024;
    std::fs::write(&file, vec![7u8; part * 2 + 10]).unwrap();
    let mut server = mock_server().await;
    let base = "/platform/api/v1/buckets/bkt_1/multipart";
    let start = with_auth(server.mock("POST", base))
        .match_body(Matcher::Json(serde_json::json!({"path": "big.bin"})))
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .with_status(201)
        .with_body(r#"{"upload_id":"up_1"}"#)
        .create();
    let mut parts = Vec::new();
    for (n, len) in [(1, part), (2, part), (3, 10)] {
        parts.push(
            with_auth(server.mock("PUT", format!("{base}/up_1/parts/{n}").as_str()))
                .match_header("content-type", "application/octet-stream")
                .match_header("content-length", len.to_string().as_str())
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
    let options = TransferOptions::new()
        .multipart_threshold(1)
        .part_size(part as u64)
        .concurrency(2);
    storage_client_for(&server.url())
        .buckets()
        .upload_with("bkt_1", &file, "big.bin", &options)
        .await
        .unwrap();
    start.assert();
    for mock in parts {
        mock.assert();
    }
    complete.assert();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn volume_calls_use_the_storage_paths() {
    let mut server = mock_server().await;
    let create = with_auth(server.mock("POST", "/platform/api/v1/storage"))
        .match_header("idempotency-key", Matcher::Regex("^[0-9a-f]{32}$".into()))
        .match_body(Matcher::Json(serde_json::json!({
            "name": "shared-data", "quota_gb": 100, "nfs_enabled": true, "billing_period": "month"
        })))
        .with_status(201)
        .with_body(VOLUME)
        .create();
    let list = with_auth(server.mock("GET", "/platform/api/v1/storage"))
        .with_body(format!(r#"{{"volumes":[{VOLUME}]}}"#))
        .create();
    let get = with_auth(server.mock("GET", "/platform/api/v1/storage/vol_1"))
        .with_body(VOLUME)
        .create();
    let resize = with_auth(server.mock("POST", "/platform/api/v1/storage/vol_1/resize"))
        .match_body(Matcher::Json(serde_json::json!({"quota_gb": 200})))
        .with_body(VOLUME)
        .create();
    let delete = with_auth(server.mock("DELETE", "/platform/api/v1/storage/vol_1"))
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    let force = with_auth(server.mock("DELETE", "/platform/api/v1/storage/vol_1"))
        .match_query(Matcher::UrlEncoded("force".into(), "true".into()))
        .with_status(204)
        .create();
    let client = storage_client_for(&server.url());
    let volumes = client.volumes();
    let volume = volumes
        .create(&NewVolume::new("shared-data", 100))
        .await
        .unwrap();
    assert_eq!(
        volume.mount_command("/mnt/data"),
        "mount -t nfs 10.0.0.5:/exports/vol_1 /mnt/data"
    );
    let listed = volumes.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    volumes.get("vol_1").await.unwrap();
    volumes.resize("vol_1", 200).await.unwrap();
    volumes.delete("vol_1").await.unwrap();
    volumes.force_delete("vol_1").await.unwrap();
    for mock in [create, list, get, resize, delete, force] {
        mock.assert();
    }
}

#[flavour]
#[flavour_test]
async fn storage_without_a_project_is_a_config_error_and_sends_nothing() {
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", Matcher::Any)
        .match_query(Matcher::Any)
        .expect(0)
        .create();
    let client = builder_for(&server.url())
        .platform_endpoint(format!("{}/platform", server.url()))
        .build()
        .unwrap();
    let error = client.buckets().list().await.unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(error.to_string().contains("project_id"), "{error}");
    let error = client.volumes().get("vol_1").await.unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    mock.assert();
}

#[flavour]
#[flavour_test]
async fn plain_string_error_bodies_map_by_status() {
    let mut server = mock_server().await;
    let _m = server
        .mock("DELETE", "/platform/api/v1/buckets/bkt_1")
        .with_status(409)
        .with_header("x-request-id", "req_42")
        .with_body(r#"{"error":"bucket is not empty"}"#)
        .create();
    let error = storage_client_for(&server.url())
        .buckets()
        .delete("bkt_1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert_eq!(error.message(), "bucket is not empty");
    assert_eq!(error.request_id(), Some("req_42"));
}

/// Options that fetch any object in 5 MiB ranges.
fn ranged() -> TransferOptions {
    TransferOptions::new()
        .multipart_threshold(0)
        .part_size(5 * 1024 * 1024)
}

#[flavour]
#[flavour_test]
async fn a_server_that_ignores_ranges_still_gives_the_whole_file() {
    let dir = scratch_dir("norange");
    let mut server = mock_server().await;
    let mock = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", "bytes=0-5242879")
        .with_status(200)
        .with_body("the whole object")
        .create();
    storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "k", dir.join("k"), &ranged())
        .await
        .unwrap();
    mock.assert();
    assert_eq!(std::fs::read(dir.join("k")).unwrap(), b"the whole object");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn an_empty_object_answering_416_to_a_range_is_fetched_plainly() {
    let dir = scratch_dir("empty");
    let mut server = mock_server().await;
    let ranged_get = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", Matcher::Any)
        .with_status(416)
        .with_body(r#"{"error":"range not satisfiable"}"#)
        .create();
    let plain_get = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::Any)
        .match_header("range", Matcher::Missing)
        .with_body("")
        .create();
    storage_client_for(&server.url())
        .buckets()
        .download_with("bkt_1", "empty", dir.join("empty"), &ranged())
        .await
        .unwrap();
    ranged_get.assert();
    plain_get.assert();
    assert_eq!(std::fs::read(dir.join("empty")).unwrap(), b"");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn torn_ranges_are_errors_and_leave_no_file() {
    let dir = scratch_dir("torn");
    let part = 5 * 1024 * 1024;
    let mut server = mock_server().await;
    // A 206 without a Content-Range: part of the object, size unknown.
    let _first = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::UrlEncoded("path".into(), "a".into()))
        .with_status(206)
        .with_body("partial")
        .create();
    // A range that comes back shorter than asked.
    let _second = server
        .mock("GET", "/platform/api/v1/buckets/bkt_1/objects/download")
        .match_query(Matcher::UrlEncoded("path".into(), "b".into()))
        .with_status(206)
        .with_header(
            "content-range",
            &format!("bytes 0-{}/{}", part - 1, 2 * part),
        )
        .with_body("short")
        .create();
    let client = storage_client_for(&server.url());
    for key in ["a", "b"] {
        let error = client
            .buckets()
            .download_with("bkt_1", key, dir.join(key), &ranged())
            .await
            .unwrap_err();
        // `a` is not the range asked for. `b`'s first range breaks off (a transient
        // `Network` error) while its second comes back as the first range's place
        // (`Integrity`): whichever the parallel ranges meet first.
        if key == "a" {
            assert!(matches!(error, Error::Integrity { .. }), "{key}: {error:?}");
            assert!(!error.is_transient());
        } else {
            assert!(
                matches!(error, Error::Network { .. } | Error::Integrity { .. }),
                "{key}: {error:?}"
            );
        }
        assert!(error.message().contains(key), "{error}");
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no file, partial or not"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn an_empty_file_is_one_request_even_above_the_threshold() {
    let dir = scratch_dir("emptyup");
    let file = dir.join("empty.txt");
    std::fs::write(&file, b"").unwrap();
    let mut server = mock_server().await;
    let form = server
        .mock("POST", "/platform/api/v1/buckets/bkt_1/objects")
        .with_status(201)
        .with_body(OBJECT)
        .create();
    storage_client_for(&server.url())
        .buckets()
        .upload_with(
            "bkt_1",
            &file,
            "empty.txt",
            &TransferOptions::new().multipart_threshold(0),
        )
        .await
        .unwrap();
    form.assert();
    std::fs::remove_dir_all(&dir).unwrap();
}
