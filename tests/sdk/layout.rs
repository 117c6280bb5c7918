//! The crate's layers import only downwards, as ARCHITECTURE.md's "What may import what"
//! says: each compiled-once folder of `src/` names, through `crate::`, only the modules
//! its row allows. A new import that runs back up (the error type reaching into the
//! models, the models into the wire...) fails here with the file and the line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crate's own top-level modules, the only `crate::` names this check reads (names
/// re-exported at the root, such as `crate::Error` or `crate::NewPod`, are the items of
/// the module that defines them, and are left to the compiler).
const MODULES: &[&str] = &[
    "error",
    "net",
    "config",
    "models",
    "transport",
    "wire",
    "paging",
    "transfer",
    "s3_store",
    "flavoured",
    "blocking",
    "nonblocking",
    "fuzz",
];

/// Each layer and the modules it may import (ARCHITECTURE.md, "What may import what").
const RULES: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("net", &["error"]),
    ("config", &["error", "net"]),
    ("models", &["error"]),
    ("transport", &["error", "net"]),
    ("wire", &["models", "config", "transport", "net", "error"]),
    ("paging.rs", &["models", "wire", "error"]),
    ("transfer", &["models", "wire", "transport", "net", "error"]),
    ("s3_store", &["models", "config", "net", "error"]),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_owned());
        return;
    }
    for entry in std::fs::read_dir(path).unwrap() {
        rust_files(&entry.unwrap().path(), out);
    }
}

/// The crate modules a line of code names through `crate::` (`crate::a::b`,
/// `crate::{a::b, c}`).
fn modules_named(line: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let first_segments: Vec<&str> = match rest.strip_prefix('{') {
            // A group: the first segment of each item at depth 0.
            Some(group) => {
                let mut depth = 0;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => return true,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        false
                    })
                    .map_or(group.len(), |(i, _)| i);
                group[..end].split(',').collect()
            }
            None => vec![rest],
        };
        for segment in first_segments {
            let name: String = segment
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if MODULES.contains(&name.as_str()) {
                named.insert(name);
            }
        }
    }
    named
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut files_read = 0;
    for (layer, allowed) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        let own = layer.trim_end_matches(".rs");
        for file in files {
            files_read += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue; // comments and doc comments may name any layer
                }
                for module in modules_named(code) {
                    if module != own && !allowed.contains(&module.as_str()) {
                        wrong.push(format!(
                            "{}:{}: `{own}` imports `crate::{module}`: {}",
                            file.strip_prefix(&src).unwrap().display(),
                            number + 1,
                            code
                        ));
                    }
                }
            }
        }
    }
    assert!(files_read > 40, "only {files_read} files read under src/");
    assert!(
        wrong.is_empty(),
        "imports that run against ARCHITECTURE.md's layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_import_reader_sees_paths_and_groups() {
    let names = |line| modules_named(line).into_iter().collect::<Vec<_>>();
    assert_eq!(names("use crate::wire::ApiRequest;"), ["wire"]);
    assert_eq!(
        names("use crate::{models::Page, paging, Error};"),
        ["models", "paging"]
    );
    assert_eq!(
        names("use crate::{transport::{Frame, Method}, net};"),
        ["net", "transport"]
    );
    assert_eq!(names("let x = crate::error::dollars(1);"), ["error"]);
    assert!(names("use crate::Error;").is_empty());
}

#[test]
fn the_rules_are_the_ones_architecture_md_writes_down() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    for (layer, allowed) in RULES {
        let row = doc
            .lines()
            .find(|line| line.starts_with(&format!("| `{layer}")))
            .unwrap_or_else(|| panic!("ARCHITECTURE.md has no row for `{layer}`"));
        let listed = row.split('|').nth(2).unwrap_or_default();
        for module in *allowed {
            assert!(
                listed.contains(&format!("`{module}")),
                "ARCHITECTURE.md's row for `{layer}` does not list `{module}`: {row}"
            );
        }
    }
}
