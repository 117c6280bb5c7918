//! The documents that name tests name ones that exist: every `tests/<path>.rs` that
//! features.md names is a file, and every test it names in that file
//! (`tests/<path>.rs::name` or `tests/<path>.rs::{a, b}`) is a function there.

use std::path::Path;

/// Every `tests/...rs` reference in `text`, with the names after its `::` (none for a
/// bare file).
fn test_references(text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for span in text.split('`').skip(1).step_by(2) {
        let Some(start) = span.find("tests/") else {
            continue;
        };
        // `emulator/tests/...` names the emulator's tests: the same rule, from its folder.
        let path_start = if span[..start].ends_with("emulator/") {
            start - "emulator/".len()
        } else if start == 0 {
            start
        } else {
            continue;
        };
        let rest = &span[path_start..];
        let Some(end) = rest.find(".rs") else {
            continue;
        };
        let file = rest[..end + 3].to_owned();
        let after = &rest[end + 3..];
        let names = match after.strip_prefix("::") {
            Some(list) if list.starts_with('{') => list
                .trim_start_matches('{')
                .split('}')
                .next()
                .unwrap_or_default()
                .split(',')
                .map(|n| n.trim().to_owned())
                .collect(),
            Some(name) => vec![name
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
                .next()
                .unwrap_or_default()
                .to_owned()],
            None => Vec::new(),
        };
        found.push((file, names));
    }
    found
}

#[test]
fn every_test_features_md_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let features = std::fs::read_to_string(root.join("features.md")).unwrap();
    let references = test_references(&features);
    assert!(references.len() > 40, "{references:?}");
    let mut wrong = Vec::new();
    for (file, names) in &references {
        let Ok(source) = std::fs::read_to_string(root.join(file)) else {
            wrong.push(format!("{file}: no such file"));
            continue;
        };
        for name in names.iter().filter(|n| !n.is_empty()) {
            // `prefix_*` names every test whose name starts so: at least one must.
            let found = match name.strip_suffix('*') {
                Some(prefix) => source.contains(&format!("fn {prefix}")),
                None => {
                    source.contains(&format!("fn {name}("))
                        || source.contains(&format!("fn {name}<"))
                }
            };
            if !found {
                wrong.push(format!("{file}::{name}: no such function"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "features.md names tests that are not there:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn references_are_read_with_their_names() {
    let text = "a `tests/sdk/cases/x.rs::{one, two}` b `tests/sdk/y.rs::three` (c) \
                `emulator/tests/core.rs` `src/x.rs` `core::config::tests::z`";
    assert_eq!(
        test_references(text),
        [
            (
                "tests/sdk/cases/x.rs".to_owned(),
                vec!["one".to_owned(), "two".to_owned()]
            ),
            ("tests/sdk/y.rs".to_owned(), vec!["three".to_owned()]),
            ("emulator/tests/core.rs".to_owned(), vec![]),
        ]
    );
}
