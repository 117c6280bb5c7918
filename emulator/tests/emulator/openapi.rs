//! The OpenAPI document and the router describe the same surface (`/v1`,
//! `/platform/api/v1`, `/presigned`).

use std::collections::BTreeSet;

use crate::common::C;
use podstack_emulator::{routes, Emulator, OPENAPI_JSON};
use serde_json::Value;

fn doc_routes() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).expect("openapi.json parses");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut set = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                set.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    set
}

#[test]
fn route_table_equals_openapi_paths() {
    let table: BTreeSet<(String, String)> = routes().into_iter().collect();
    let doc = doc_routes();
    let only_code: Vec<_> = table.difference(&doc).collect();
    let only_doc: Vec<_> = doc.difference(&table).collect();
    assert!(
        only_code.is_empty() && only_doc.is_empty(),
        "only in router: {only_code:?}\nonly in openapi: {only_doc:?}"
    );
}

#[test]
fn every_documented_route_is_served() {
    let emu = Emulator::start();
    let c = C::platform(&emu);
    for (method, path) in doc_routes() {
        let concrete = path
            .replace("{id}", "x_missing")
            .replace("{upload_id}", "upl_missing")
            .replace("{n}", "1")
            .replace("{opaque}", "00");
        let r = c.call(&method, &concrete, None);
        assert_ne!(r.status, 405, "{method} {path} not routed");
        assert!(r.header("x-request-id").is_some());
        if r.status == 404 {
            let err = r.json()["error"].clone();
            // the envelope names the resource type; a plain body names the route
            assert_ne!(
                err["details"]["resource_type"], "route",
                "{method} {path} not routed"
            );
            assert!(
                !err.as_str().unwrap_or("").starts_with("no route"),
                "{method} {path} not routed"
            );
        }
    }
}

#[test]
fn openapi_is_served() {
    let emu = Emulator::start();
    let r = C::new(&emu).get("/_emulator/openapi.json");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["openapi"], "3.1.0");
}

/// Every operation has a unique `operationId`, and every link (the stateful
/// property-based run follows them) names an operation and parameters it has.
#[test]
fn operation_ids_and_links_resolve() {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let mut ops = std::collections::BTreeMap::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(
                    ops.insert(id.to_string(), op.clone()).is_none(),
                    "duplicate {id}"
                );
            }
        }
    }
    assert_eq!(
        ops.len(),
        doc_routes().len(),
        "an operation lacks operationId"
    );
    for (id, op) in &ops {
        for (status, resp) in op["responses"].as_object().unwrap() {
            let Some(links) = resp["links"].as_object() else {
                continue;
            };
            for (name, link) in links {
                let target = link["operationId"].as_str().unwrap();
                let t = ops
                    .get(target)
                    .unwrap_or_else(|| panic!("{id} {status} link {name}: no {target}"));
                for p in link["parameters"].as_object().unwrap().keys() {
                    let bare = p.rsplit('.').next().unwrap();
                    let known = t["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x["name"] == bare);
                    assert!(known, "{id} {status} link {name}: {target} has no {p}");
                }
            }
        }
    }
}
