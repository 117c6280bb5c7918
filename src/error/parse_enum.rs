//! [`ParseEnumError`]: a name outside a closed set. It lives here, at the bottom, so that
//! [`Error`](super::Error) converts from it without importing the models above it; the
//! models import it from here.

/// A name outside a closed set, from [`str::parse`] of [`Visibility`](crate::Visibility)
/// or [`SyncDirection`](crate::SyncDirection): says what was given and what would do.
/// Converts into [`Error::Config`](crate::Error::Config), so `?` works in a function that
/// returns [`podstack::Result`](crate::Result).
///
/// ```
/// let error = "shared".parse::<podstack::Visibility>().unwrap_err();
/// assert_eq!(error.value(), "shared");
/// assert_eq!(error.to_string(), r#"unknown visibility "shared": use private or public"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}: use {}", one_of(expected))]
pub struct ParseEnumError {
    kind: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl ParseEnumError {
    pub(crate) fn new(kind: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        ParseEnumError {
            kind,
            value: value.to_owned(),
            expected,
        }
    }

    /// The text that was not a known name.
    ///
    /// ```
    /// let error = "sideways".parse::<podstack::SyncDirection>().unwrap_err();
    /// assert_eq!(error.value(), "sideways");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The names that would have been accepted, e.g. `["private", "public"]`.
    ///
    /// ```
    /// let error = "sideways".parse::<podstack::SyncDirection>().unwrap_err();
    /// assert_eq!(error.expected(), ["upload", "download"]);
    /// ```
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

/// `a, b or c`; one name alone as it is.
fn one_of(names: &[&str]) -> String {
    match names {
        [head @ .., last] if !head.is_empty() => format!("{} or {last}", head.join(", ")),
        names => names.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_read_as_a_list() {
        let error = |expected| ParseEnumError::new("mode", "x", expected);
        assert_eq!(error(&["a"]).to_string(), r#"unknown mode "x": use a"#);
        assert_eq!(
            error(&["a", "b"]).to_string(),
            r#"unknown mode "x": use a or b"#
        );
        assert_eq!(
            error(&["a", "b", "c"]).to_string(),
            r#"unknown mode "x": use a, b or c"#
        );
        assert_eq!(error(&[]).to_string(), r#"unknown mode "x": use "#);
    }
}
