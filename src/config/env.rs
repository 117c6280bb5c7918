//! A snapshot of what resolution reads from the process: the `PODSTACK_*` variables
//! and the home directory. Nothing else in `config/` reads the process.

use super::*;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// A snapshot of what resolution reads from the process: the `PODSTACK_*` variables
/// and the home directory. Empty variables count as unset. Its `Debug` shows the
/// variables' names only, never their values (a token among them).
#[derive(Clone, Default)]
pub(crate) struct Environment {
    pub(super) vars: HashMap<String, OsString>,
    pub(super) home: Option<PathBuf>,
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Environment")
            .field("variables", &names)
            .field("home", &self.home)
            .finish()
    }
}

impl Environment {
    /// Reads the current process environment and home directory.
    pub(crate) fn from_process() -> Self {
        Environment::from_parts(std::env::vars_os(), home::home_dir())
    }

    /// The `PODSTACK_*` variables among `vars` (values kept as the OS gave them, so
    /// that one that is not Unicode can be reported rather than dropped), and `home`.
    pub(crate) fn from_parts(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
        home: Option<PathBuf>,
    ) -> Self {
        let vars = vars
            .into_iter()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
            .filter(|(name, _)| name.starts_with("PODSTACK_"))
            .collect();
        Environment { vars, home }
    }

    #[cfg(any(test, fuzzing))]
    pub(crate) fn new(vars: &[(&str, &str)], home: Option<&str>) -> Self {
        Environment::from_parts(
            vars.iter().map(|(k, v)| (k.into(), v.into())),
            home.map(PathBuf::from),
        )
    }

    /// A variable's trimmed value; `None` when unset or empty. A value that is not
    /// valid Unicode is an error naming the variable, never showing the value.
    pub(super) fn var(&self, name: &str) -> Result<Option<&str>> {
        let Some(value) = self.vars.get(name) else {
            return Ok(None);
        };
        let text = value.to_str().ok_or_else(|| {
            Error::config(format!(
                "environment variable {name} is set but is not valid Unicode, so it cannot \
                 be read; correct or unset it (it is not skipped, so that no other \
                 credentials are used in its place)"
            ))
        })?;
        Ok(Some(text.trim()).filter(|v| !v.is_empty()))
    }

    /// A variable that holds a path: any value the OS allows, a Unicode one trimmed.
    pub(super) fn path_var(&self, name: &str) -> Option<PathBuf> {
        let value = self.vars.get(name)?;
        match value.to_str() {
            Some(text) => Some(text.trim())
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            None => Some(PathBuf::from(value)),
        }
    }

    /// The first of `names` that is set, with its source: the first name is ours, any
    /// later one an alias of it. One that cannot be read stops the search with an
    /// error instead of falling through to the next.
    pub(super) fn first_var(&self, names: &[&'static str]) -> Result<Option<(String, Source)>> {
        for (i, &name) in names.iter().enumerate() {
            if let Some(value) = self.var(name)? {
                let source = match i {
                    0 => Source::Environment(name),
                    _ => Source::EnvironmentAlias {
                        variable: name,
                        alias_of: names[0],
                    },
                };
                return Ok(Some((value.to_owned(), source)));
            }
        }
        Ok(None)
    }
}
