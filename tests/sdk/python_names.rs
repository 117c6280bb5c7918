//! The README's "Coming from the Python SDK" table and the `#[doc(alias)]`s: every call
//! of Podstack's Python SDK docs has a row, every row has its three cells, a Python
//! argument in seconds becomes a `Duration`, and every Python name that differs from
//! the Rust one is a rustdoc alias (so rustdoc's search finds it).
//!
//! The docs' calls are listed below. To check them against a copy of the docs
//! themselves, set `PODSTACK_PYTHON_DOCS` to its directory: every `client.<area>.<call>`
//! and every exception name found in its `.md` files must then be in the table too.

use std::collections::BTreeSet;
use std::path::Path;

/// Every `client.<area>.<call>` on the docs' pages.
const PYTHON_CALLS: &[&str] = &[
    "client.auth.whoami",
    "client.pods.create",
    "client.pods.list",
    "client.pods.get",
    "client.pods.start",
    "client.pods.wait_until_running",
    "client.pods.stop",
    "client.pods.restart",
    "client.pods.delete",
    "client.pods.exec",
    "client.pods.exec_async",
    "client.pods.ssh",
    "client.pods.upload",
    "client.pods.download",
    "client.pods.logs",
    "client.pods.logs_stream",
    "client.pods.metrics",
    "client.pods.save_template",
    "client.pods.create_from_template",
    "client.pods.events",
    "client.tasks.get",
    "client.buckets.create",
    "client.buckets.list",
    "client.buckets.get",
    "client.buckets.upload",
    "client.buckets.download",
    "client.buckets.list_objects",
    "client.buckets.delete_object",
    "client.buckets.delete_objects",
    "client.buckets.presigned_upload_url",
    "client.buckets.presigned_download_url",
    "client.buckets.get_credentials",
    "client.buckets.delete",
    "client.buckets.sync",
    "client.buckets.copy",
    "client.volumes.create",
    "client.volumes.list",
    "client.volumes.get",
    "client.volumes.resize",
    "client.volumes.delete",
    "client.projects.list",
    "client.wallet.balance",
];

/// The exceptions of the docs' error-handling page.
const PYTHON_EXCEPTIONS: &[&str] = &[
    "PodstackError",
    "AuthenticationError",
    "PermissionError",
    "ResourceNotFoundError",
    "ValidationError",
    "InsufficientBalanceError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "NetworkError",
];

/// Python names that differ from the Rust ones, and the source file whose item carries
/// each as `#[doc(alias = "…")]`.
const ALIASES: &[(&str, &str)] = &[
    ("logs_stream", "src/flavoured/api/pods/mod.rs"),
    ("exec_async", "src/flavoured/api/pods/mod.rs"),
    ("force", "src/flavoured/api/pods/mod.rs"),
    ("timeout", "src/flavoured/api/pods/mod.rs"),
    ("get_credentials", "src/flavoured/api/buckets/mod.rs"),
    ("force", "src/flavoured/api/buckets/mod.rs"),
    ("continuation_token", "src/flavoured/api/buckets/mod.rs"),
    ("force", "src/flavoured/api/volumes.rs"),
    ("disk", "src/models/pods.rs"),
    ("memory", "src/models/pods.rs"),
    ("volumes", "src/models/pods.rs"),
    ("labels", "src/models/pods.rs"),
    ("type", "src/models/pods.rs"),
    ("multipart", "src/models/transfer.rs"),
    ("part_size_mb", "src/models/transfer.rs"),
    ("retry_config", "src/flavoured/client.rs"),
    ("required_amount", "src/error/mod.rs"),
    ("available_amount", "src/error/mod.rs"),
    ("PodstackError", "src/error/mod.rs"),
    ("AuthenticationError", "src/error/mod.rs"),
    ("PermissionError", "src/error/mod.rs"),
    ("ResourceNotFoundError", "src/error/mod.rs"),
    ("ValidationError", "src/error/mod.rs"),
    ("InsufficientBalanceError", "src/error/mod.rs"),
    ("QuotaExceededError", "src/error/mod.rs"),
    ("RateLimitError", "src/error/mod.rs"),
    ("ServerError", "src/error/mod.rs"),
    ("NetworkError", "src/error/mod.rs"),
];

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of the README's Python → Rust table, as (Python, Rust, note).
fn table() -> Vec<(String, String, String)> {
    let readme = read("README.md");
    let section = readme
        .split("## Coming from the Python SDK")
        .nth(1)
        .expect("README has a \"Coming from the Python SDK\" section");
    let section = section.split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            // `\|` inside a cell (a closure's bars) is no separator.
            let cells: Vec<String> = line
                .replace("\\|", "\u{1}")
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().replace('\u{1}', "|"))
                .collect();
            assert_eq!(cells.len(), 3, "a row needs Python, Rust and note: {line}");
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

fn assert_in_table(rows: &[(String, String, String)], name: &str) {
    assert!(
        rows.iter().any(|(python, _, _)| {
            python.contains(&format!("{name}("))
                || python.contains(&format!("{name} "))
                || python.ends_with(&format!("{name}`"))
        }),
        "no README row for the Python docs' `{name}`"
    );
}

#[test]
fn every_python_call_of_the_docs_has_a_row() {
    let rows = table();
    assert!(rows.len() >= PYTHON_CALLS.len(), "{} rows", rows.len());
    for call in PYTHON_CALLS {
        assert_in_table(&rows, call);
    }
    for exception in PYTHON_EXCEPTIONS {
        assert_in_table(&rows, exception);
    }
    for (python, rust, _) in &rows {
        assert!(!rust.is_empty(), "an empty Rust cell for {python}");
    }
}

#[test]
fn python_seconds_are_rust_durations() {
    for (python, rust, _) in table() {
        let seconds = ["timeout=", "expires_in="]
            .iter()
            .any(|arg| python.contains(arg));
        if seconds {
            assert!(rust.contains("Duration::"), "{python} → {rust}");
        }
    }
}

#[test]
fn every_differing_python_name_is_a_rustdoc_alias() {
    for (alias, file) in ALIASES {
        let source = read(file);
        assert!(
            source.contains(&format!("#[doc(alias = \"{alias}\")]")),
            "{file} has no #[doc(alias = \"{alias}\")]"
        );
    }
}

/// The calls and exceptions found in a copy of Podstack's Python docs are all in the
/// lists above (and so in the table). The docs are not in this repository: run with
/// `PODSTACK_PYTHON_DOCS=<their folder> cargo test --test sdk python_names -- --ignored`.
#[test]
#[ignore = "needs PODSTACK_PYTHON_DOCS, a copy of Podstack's Python docs"]
fn the_lists_match_the_docs_when_a_copy_is_given() {
    let dir = std::env::var_os("PODSTACK_PYTHON_DOCS")
        .expect("set PODSTACK_PYTHON_DOCS to the folder of Podstack's Python docs");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("client.") {
            let call: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if call.matches('.').count() == 2 && !call.ends_with('.') {
                found.insert(call);
            }
        }
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            // Python's own `ValueError` is no Podstack exception.
            if word.ends_with("Error") && word.len() > "Error".len() && word != "ValueError" {
                found.insert(word.to_owned());
            }
        }
    }
    let known: BTreeSet<String> = PYTHON_CALLS
        .iter()
        .chain(PYTHON_EXCEPTIONS)
        .map(|s| (*s).to_owned())
        .collect();
    let missing: Vec<_> = found.difference(&known).collect();
    assert!(
        missing.is_empty(),
        "in the docs but not listed: {missing:?}"
    );
}
