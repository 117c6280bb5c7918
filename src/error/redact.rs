//! Keeping the token out of everything the SDK hands back or logs.
//!
//! A server or proxy may echo the token into an error (a message, `details`, a field
//! error, a request id header, a body that fails to decode). The request pipeline runs
//! every error it returns through [`Redactor::error`] and every log line through
//! [`Redactor::text`], so this is the one place that decides what is hidden.

use std::borrow::Cow;

/// What replaces the secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Tokens at least this long are removed wherever they appear, even inside other words.
/// A shorter one (a test token such as `"t"`) is removed only where it stands alone, so
/// that `connection` never becomes `connec[redacted]ion`.
const SUBSTRING_MIN_LEN: usize = 8;

/// Removes one secret from text.
#[derive(Clone)]
pub(crate) struct Redactor {
    secret: String,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor")
    }
}

impl Redactor {
    pub(crate) fn new(secret: &str) -> Self {
        Redactor {
            secret: secret.to_owned(),
        }
    }

    /// `text` with every occurrence of the secret replaced by `[redacted]`.
    pub(crate) fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let secret = self.secret.as_str();
        if secret.is_empty() || !text.contains(secret) {
            return Cow::Borrowed(text);
        }
        if secret.len() >= SUBSTRING_MIN_LEN {
            return Cow::Owned(text.replace(secret, REDACTED));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(secret) {
            let end = at + secret.len();
            let before = rest[..at].chars().next_back();
            let after = rest[end..].chars().next();
            let whole = !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char);
            out.push_str(&rest[..at]);
            out.push_str(if whole { REDACTED } else { secret });
            rest = &rest[end..];
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    /// `bytes` with the secret replaced, read as UTF-8 (lossily) only when it is in them:
    /// an answer's body, before an excerpt of it is cut (a cut could split the secret).
    pub(crate) fn bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        let secret = self.secret.as_bytes();
        if secret.is_empty() || !bytes.windows(secret.len()).any(|w| w == secret) {
            return Cow::Borrowed(bytes);
        }
        Cow::Owned(
            self.text(&String::from_utf8_lossy(bytes))
                .into_owned()
                .into_bytes(),
        )
    }

    /// Redacts a `String` in place, allocating only when the secret is in it.
    pub(crate) fn string(&self, text: &mut String) {
        if let Cow::Owned(clean) = self.text(text) {
            *text = clean;
        }
    }

    /// Redacts every string in a JSON value: keys and values, at any depth.
    pub(crate) fn json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.string(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            serde_json::Value::Object(map) => {
                let redacted_keys = map.keys().any(|k| matches!(self.text(k), Cow::Owned(_)));
                if redacted_keys {
                    *map = std::mem::take(map)
                        .into_iter()
                        .map(|(k, v)| (self.text(&k).into_owned(), v))
                        .collect();
                }
                map.values_mut().for_each(|v| self.json(v));
            }
            _ => {}
        }
    }

    /// Whether the secret shows anywhere in an error's chain of sources, as printed.
    pub(crate) fn leaks_through(&self, source: &(dyn std::error::Error + 'static)) -> bool {
        let mut next = Some(source);
        while let Some(error) = next {
            if matches!(self.text(&error.to_string()), Cow::Owned(_))
                || matches!(self.text(&format!("{error:?}")), Cow::Owned(_))
            {
                return true;
            }
            next = error.source();
        }
        false
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// A lower-layer error whose text had to be redacted: it keeps the redacted text of the
/// whole chain, since the original cannot be shown.
#[derive(Debug)]
pub(crate) struct RedactedSource(pub(crate) String);

impl std::fmt::Display for RedactedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedactedSource {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_secrets_go_wherever_they_appear() {
        let r = Redactor::new("podstack_ab_secret");
        assert_eq!(
            r.text("x podstack_ab_secret and xpodstack_ab_secretx"),
            "x [redacted] and x[redacted]x"
        );
        assert!(matches!(r.text("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn short_secrets_go_only_where_they_stand_alone() {
        let r = Redactor::new("t");
        assert_eq!(
            r.text("connection timed out, token t."),
            "connection timed out, token [redacted]."
        );
        let r = Redactor::new("abc");
        assert_eq!(
            r.text("abc abcd xabc \"abc\""),
            "[redacted] abcd xabc \"[redacted]\""
        );
    }

    #[test]
    fn an_empty_secret_changes_nothing() {
        assert_eq!(Redactor::new("").text("anything"), "anything");
    }

    #[test]
    fn json_strings_and_keys_are_redacted_at_any_depth() {
        let r = Redactor::new("podstack_ab_secret");
        let mut v = serde_json::json!({
            "a": ["podstack_ab_secret"],
            "podstack_ab_secret": {"b": "x podstack_ab_secret"},
            "n": 1
        });
        r.json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": ["[redacted]"], "[redacted]": {"b": "x [redacted]"}, "n": 1})
        );
    }
}
