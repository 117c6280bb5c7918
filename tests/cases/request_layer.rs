// Cases compiled once per client by `for_each_client!` (see tests/common/mod.rs).
use std::path::{Path, PathBuf};

use mockito::Matcher;
use podstack::{Error, TransferOptions};

/// A fresh empty directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "podstack-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[flavour]
#[flavour_test]
async fn presigned_urls_are_fetched_and_put_without_the_token_or_project() {
    let mut server = mock_server().await;
    let get = server
        .mock("GET", "/bucket/data.csv")
        .match_query(Matcher::UrlEncoded("X-Signature".into(), "abc".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-project-id", Matcher::Missing)
        .with_body("a,b\n1,2\n")
        .create();
    let put = server
        .mock("PUT", "/bucket/up.bin")
        .match_query(Matcher::UrlEncoded("X-Signature".into(), "abc".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("x-project-id", Matcher::Missing)
        .match_header("content-length", "5")
        .match_body("hello")
        .with_status(200)
        .create();
    // The client has a project, so the absence of the header is meaningful.
    let client = builder_for(&server.url())
        .project_id("proj_1")
        .build()
        .unwrap();
    let dir = temp_dir("presigned");

    let target = dir.join("data.csv");
    let got = client
        .presigned()
        .download(
            &format!("{}/bucket/data.csv?X-Signature=abc", server.url()),
            &target,
        )
        .await
        .unwrap();
    let source = dir.join("up.bin");
    std::fs::write(&source, "hello").unwrap();
    client
        .presigned()
        .upload(
            &format!("{}/bucket/up.bin?X-Signature=abc", server.url()),
            &source,
        )
        .await
        .unwrap();

    get.assert();
    put.assert();
    assert_eq!(got.bytes, 8);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "a,b\n1,2\n");
    let error = client
        .presigned()
        .download("ftp://example.com/x", dir.join("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn a_failed_presigned_download_leaves_no_file() {
    let mut server = mock_server().await;
    server
        .mock("GET", "/bucket/gone")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
        .create();
    let client = client_for(&server.url());
    let dir = temp_dir("presigned-expired");

    let error = client
        .presigned()
        .download(
            &format!("{}/bucket/gone?sig=1", server.url()),
            dir.join("gone"),
        )
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Permission { .. }), "{error:?}");
    assert_eq!(error.status_code(), Some(403));
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[flavour]
#[flavour_test]
async fn lists_are_fetched_lazily_a_page_at_a_time() {
    let mut server = mock_server().await;
    let pods: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"id":"pod_{i}","name":"p{i}","image":"ubuntu","status":"running"}}"#))
        .collect();
    // No `total`: a full page means there may be more, a short one is the last.
    let first = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "0".into()),
        ]))
        .with_body(format!(r#"{{"pods":[{}]}}"#, pods.join(",")))
        .expect(2)
        .create();
    let second = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("limit".into(), "200".into()),
            Matcher::UrlEncoded("offset".into(), "200".into()),
        ]))
        .with_body(
            r#"{"pods":[{"id":"pod_last","name":"last","image":"ubuntu","status":"running"}]}"#,
        )
        .expect(1)
        .create();
    let client = client_for(&server.url());
    let filter = podstack::PodFilter::new();

    let mut stream = client.pods().list_stream(&filter);
    let first_pod = stream.next_item().await.unwrap().unwrap();
    assert_eq!(first_pod.id, "pod_0");
    drop(stream);
    // Only the first page was asked for.
    assert!(!second.matched());
    second.remove();

    let second = server
        .mock("GET", "/v1/pods")
        .match_query(Matcher::UrlEncoded("offset".into(), "200".into()))
        .with_body(
            r#"{"pods":[{"id":"pod_last","name":"last","image":"ubuntu","status":"running"}]}"#,
        )
        .expect(1)
        .create();
    let all = client.pods().list(&filter).await.unwrap();
    assert_eq!(all.len(), 201);
    assert_eq!(all[200].id, "pod_last");
    first.assert();
    second.assert();
}

#[flavour]
#[flavour_test]
async fn a_list_whose_total_is_never_reached_ends_at_a_repeated_page() {
    let mut server = mock_server().await;
    // A server that ignores `offset` and claims far more than it has.
    let pages = server
        .mock("GET", "/v1/projects")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"projects":[{"id":"p1","name":"a","created_at":"2026-11-28T06:43:14Z"}],"total":1000000}"#,
        )
        .expect(2)
        .create();

    let projects = client_for(&server.url()).projects().list().await.unwrap();

    pages.assert();
    assert_eq!(projects.len(), 1);
}

#[flavour]
#[flavour_test]
async fn a_file_that_shrinks_or_grows_during_upload_is_an_io_error_and_not_retried() {
    for grow in [false, true] {
        let mut server = mock_server().await;
        let mock = server
            .mock("PUT", "/v1/pods/pod_1/files")
            .match_query(Matcher::Any)
            .with_status(204)
            .expect_at_most(1)
            .create();
        let dir = temp_dir(if grow { "grows" } else { "shrinks" });
        let file = dir.join("data.bin");
        std::fs::write(&file, vec![7u8; 4 * 1024 * 1024]).unwrap();
        let path = file.clone();
        let mut changed = false;
        let options = TransferOptions::new().progress(move |done, _| {
            // Change the file once, after the first piece has gone.
            if done > 0 && !changed {
                changed = true;
                let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                if grow {
                    f.set_len(8 * 1024 * 1024).unwrap();
                } else {
                    f.set_len(1024).unwrap();
                }
            }
        });

        let error = client_for(&server.url())
            .pods()
            .upload_with("pod_1", &file, "/workspace/data.bin", &options)
            .await
            .unwrap_err();

        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(
            error.message().contains("file changed during upload"),
            "{error}"
        );
        mock.assert();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[flavour]
#[flavour_test]
async fn a_server_echoing_the_token_into_every_field_never_makes_it_show() {
    let mut server = mock_server().await;
    let echo = format!(
        r#"{{"error":{{"code":"validation_error","message":"bad {TOKEN}",
            "details":{{"token":"{TOKEN}","{TOKEN}":["{TOKEN}"],"resource_type":"{TOKEN}",
                        "resource_id":"{TOKEN}","current_state":"{TOKEN}"}},
            "field_errors":{{"{TOKEN}":["was {TOKEN}"]}}}},
          "request_id":"req_{TOKEN}"}}"#
    );
    let mut errors = Vec::new();
    for (status, path) in [
        (400, "/v1/auth/whoami"),
        (404, "/v1/pods/a"),
        (409, "/v1/pods/b"),
        (403, "/v1/pods/c"),
    ] {
        server
            .mock("GET", path)
            .with_status(status)
            .with_header("x-request-id", &format!("req_{TOKEN}"))
            .with_body(echo.replace(
                "validation_error",
                match status {
                    404 => "not_found",
                    409 => "conflict",
                    403 => "quota_exceeded",
                    _ => "validation_error",
                },
            ))
            .create();
    }
    // A successful answer that does not decode, with the token where the error shows it;
    // and one asked for with the token as the id, which the decode error's path names.
    server
        .mock("GET", format!("/v1/pods/{TOKEN}").as_str())
        .with_body("not json")
        .create();
    server
        .mock("GET", "/v1/pods/d")
        .with_body(format!(r#"{{"id": 1, "name": "{TOKEN}"}}"#))
        .create();
    let client = client_for(&server.url());
    errors.push(client.auth().whoami().await.unwrap_err());
    for id in ["a", "b", "c", "d"] {
        errors.push(client.pods().get(id).await.unwrap_err());
    }
    // The id as the caller passed it is echoed in the decode error's path.
    errors.push(client.pods().get(TOKEN).await.unwrap_err());

    assert!(
        matches!(errors[0], Error::Validation { .. }),
        "{:?}",
        errors[0]
    );
    assert!(
        matches!(errors[1], Error::NotFound { .. }),
        "{:?}",
        errors[1]
    );
    assert!(
        matches!(errors[2], Error::Conflict { .. }),
        "{:?}",
        errors[2]
    );
    assert!(
        matches!(errors[3], Error::QuotaExceeded { .. }),
        "{:?}",
        errors[3]
    );
    assert!(matches!(errors[4], Error::Decode { .. }), "{:?}", errors[4]);
    assert!(matches!(errors[5], Error::Decode { .. }), "{:?}", errors[5]);
    for error in &errors {
        let mut texts = vec![format!("{error}"), format!("{error:?}")];
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            texts.push(format!("{inner} {inner:?}"));
            source = inner.source();
        }
        texts.push(format!("{:?}", error.request_id()));
        texts.push(format!("{:?}", error.code()));
        texts.push(error.context().details().to_string());
        if let Error::Validation { field_errors, .. } = error {
            texts.push(format!("{field_errors:?}"));
        }
        for text in texts {
            assert!(!text.contains(TOKEN), "token shown in {text}");
        }
    }
    assert!(errors[0].message().contains("[redacted]"), "{}", errors[0]);
}
