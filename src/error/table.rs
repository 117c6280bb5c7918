//! The README's error table (`## Error handling`) against the [`Error`] enum: one row per
//! variant, no row for a variant that does not exist, and every field with its type as
//! declared (private type aliases spelled out), so the table cannot drift from the code.

use super::Error;

/// Every variant, in declaration order. The match below has no wildcard arm: a new
/// variant does not compile until it is named there, and the test then fails until it
/// is named here and in the README.
const VARIANTS: [&str; 19] = [
    "Authentication",
    "Permission",
    "NotFound",
    "Validation",
    "InsufficientBalance",
    "QuotaExceeded",
    "RateLimit",
    "Conflict",
    "Server",
    "Api",
    "Network",
    "Timeout",
    "Config",
    "Io",
    "UnexpectedState",
    "Decode",
    "TooLarge",
    "Integrity",
    "Internal",
];

#[allow(dead_code)] // compiled for its exhaustive match, never called
fn variant_name(error: &Error) -> &'static str {
    match error {
        Error::Authentication { .. } => "Authentication",
        Error::Permission { .. } => "Permission",
        Error::NotFound { .. } => "NotFound",
        Error::Validation { .. } => "Validation",
        Error::InsufficientBalance { .. } => "InsufficientBalance",
        Error::QuotaExceeded { .. } => "QuotaExceeded",
        Error::RateLimit { .. } => "RateLimit",
        Error::Conflict { .. } => "Conflict",
        Error::Server { .. } => "Server",
        Error::Api { .. } => "Api",
        Error::Network { .. } => "Network",
        Error::Timeout { .. } => "Timeout",
        Error::Config { .. } => "Config",
        Error::Io { .. } => "Io",
        Error::UnexpectedState { .. } => "UnexpectedState",
        Error::Decode { .. } => "Decode",
        Error::TooLarge { .. } => "TooLarge",
        Error::Integrity { .. } => "Integrity",
        Error::Internal { .. } => "Internal",
    }
}

/// The enum's variants with their fields (`name: Type`), read from `mod.rs`.
fn declared() -> Vec<(String, Vec<String>)> {
    let source = include_str!("mod.rs");
    // Private aliases (`type SharedError = ...;`) are spelled out: users cannot name them.
    let aliases: Vec<(&str, &str)> = source
        .lines()
        .filter_map(|line| {
            line.strip_prefix("type ")?
                .strip_suffix(';')?
                .split_once(" = ")
        })
        .collect();
    let body = source
        .split_once("pub enum Error {\n")
        .expect("mod.rs declares `pub enum Error {`")
        .1;
    let body = &body[..body.find("\n}\n").expect("the enum ends with `}`")];
    let mut variants: Vec<(String, Vec<String>)> = Vec::new();
    for line in body.lines() {
        if let Some(name) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(" {")) {
            assert!(
                name.chars().all(char::is_alphanumeric),
                "unexpected line in the enum: {line:?}"
            );
            variants.push((name.to_owned(), Vec::new()));
        } else if let Some(field) = line
            .strip_prefix("        ")
            .and_then(|l| l.strip_suffix(','))
        {
            if field.starts_with("//") || field.starts_with('#') {
                continue;
            }
            let (name, ty) = field.split_once(": ").expect("a field is `name: Type,`");
            let mut ty = ty.to_owned();
            for (alias, meaning) in &aliases {
                ty = ty.replace(alias, meaning);
            }
            let fields = &mut variants.last_mut().expect("a field inside a variant").1;
            fields.push(format!("{name}: {ty}"));
        }
    }
    variants
}

/// The table's rows: the variant named in the first cell, and the whole row.
fn readme_rows() -> Vec<(String, String)> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split_once("\n## Error handling\n")
        .expect("README.md has `## Error handling`")
        .1;
    let section = section.split("\n## ").next().unwrap_or(section);
    let table = section
        .split_once("\n| variant |")
        .expect("the section has a table whose first column is `variant`")
        .1;
    table
        .lines()
        .skip(2) // the rest of the header row and the |---| row
        .take_while(|line| line.starts_with('|'))
        .map(|row| {
            let first = row.split('|').nth(1).unwrap_or("").trim();
            (first.trim_matches('`').to_owned(), row.to_owned())
        })
        .collect()
}

#[test]
fn the_parser_finds_every_variant_of_the_enum() {
    let names: Vec<String> = declared().into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names, VARIANTS,
        "update VARIANTS, variant_name and README.md"
    );
}

#[test]
fn the_readme_error_table_has_one_row_per_variant_with_its_fields_and_types() {
    let declared = declared();
    let rows = readme_rows();
    let row_names: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    let mut sorted_rows = row_names.clone();
    sorted_rows.sort_unstable();
    let mut sorted_variants: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
    sorted_variants.sort_unstable();
    assert_eq!(
        sorted_rows, sorted_variants,
        "README.md's error table must have exactly one row per `Error` variant"
    );
    for (name, fields) in &declared {
        let row = &rows
            .iter()
            .find(|(n, _)| n == name)
            .expect("checked above")
            .1;
        for field in fields {
            if field == "context: ErrorContext" {
                continue; // every variant's, said once below the table
            }
            assert!(
                row.contains(&format!("`{field}`")),
                "README.md's row for `{name}` lacks `{field}`:\n{row}"
            );
        }
        // Code spans shaped `name: Type`: no field the variant lacks.
        let shown = row
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|span| {
                span.split_once(": ").is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
            })
            .count();
        let real = fields.len() - 1;
        assert!(
            shown <= real,
            "README.md's row for `{name}` shows {shown} fields, the variant has {real}:\n{row}"
        );
    }
    assert!(
        include_str!("../../README.md").contains("`context: ErrorContext`"),
        "README.md should say that every variant has `context: ErrorContext`"
    );
}
