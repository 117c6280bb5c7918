//! The S3 door's module doc says what the key rule is, and no longer the rules the
//! emulator dropped (issue 17; `tests/sdk/s3/door.rs` in the SDK checks features.md).

#[test]
fn the_s3_door_s_module_doc_says_what_the_key_rule_is() {
    let text = include_str!("../../src/s3/mod.rs").replace("//!", " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        !text.contains("no leading `/`") && !text.contains("no `..` segment"),
        "src/s3/mod.rs still names the key rules the emulator dropped"
    );
    assert!(
        text.contains("1 to 1024 bytes") && text.contains("`x/../y`"),
        "src/s3/mod.rs does not say what the key rule is"
    );
}
