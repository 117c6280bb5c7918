//! The INI credentials file: reading it with a size cap, parsing its profiles, and the
//! errors that name it.

use super::*;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub(crate) type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// A credentials file as read: its bytes and, where the platform has them (Unix), its
/// permission bits.
#[derive(Debug)]
pub(crate) struct FileRead {
    pub bytes: Vec<u8>,
    pub mode: Option<u32>,
}

impl From<Vec<u8>> for FileRead {
    fn from(bytes: Vec<u8>) -> Self {
        FileRead { bytes, mode: None }
    }
}

/// Reads a credentials file: at most [`MAX_CREDENTIALS_FILE_BYTES`] and one byte more
/// (so that [`resolve`] can tell a file that is too big), whatever its real size, and
/// on Unix the permission bits of the file it opened.
pub(crate) fn read_credentials_file(path: &Path) -> io::Result<FileRead> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        Some(file.metadata()?.permissions().mode())
    };
    #[cfg(not(unix))]
    let mode = None;
    let mut bytes = Vec::new();
    file.take(MAX_CREDENTIALS_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(FileRead { bytes, mode })
}

/// The credentials file as found: where, whether it was consulted and existed, its
/// profiles, and what to tell the user about it.
pub(crate) struct CredentialsFile {
    pub(super) path: Option<PathBuf>,
    /// What named the path: the builder, `PODSTACK_CREDENTIALS_FILE` or the default.
    pub(super) source: Source,
    /// Whether it was read (or looked for): false when nothing needed the default file.
    pub(super) consulted: bool,
    pub(super) exists: bool,
    pub(super) profiles: Profiles,
    /// The default file could not be used (its profiles are then empty).
    pub(super) problem: Option<DefaultFileProblem>,
    pub(super) warnings: Vec<String>,
}

impl CredentialsFile {
    pub(super) fn describe(&self) -> String {
        match (&self.path, self.exists) {
            (Some(path), true) => path.display().to_string(),
            (Some(path), false) => format!("{} (not found)", path.display()),
            (None, _) => "no credentials file (home directory unknown)".to_owned(),
        }
    }
}

/// Finds and reads the credentials file. A file named explicitly (builder or
/// `PODSTACK_CREDENTIALS_FILE`), or any file when a profile was named, must be usable:
/// what is wrong with it is an error. The default file with no profile named is
/// optional: what is wrong with it is kept in [`CredentialsFile::problem`] instead.
pub(crate) fn load_credentials_file(
    settings: &Settings,
    env: &Environment,
    read_file: &dyn Fn(&Path) -> io::Result<FileRead>,
    needed: bool,
    profile_source: &Source,
) -> Result<CredentialsFile> {
    let (path, source) = match (
        &settings.credentials_file,
        env.path_var(ENV_CREDENTIALS_FILE),
    ) {
        (Some(path), _) => (Some(expand_home(path, env)), Source::Explicit),
        (None, Some(path)) => (
            Some(expand_home(&path, env)),
            Source::Environment(ENV_CREDENTIALS_FILE),
        ),
        (None, None) => (
            env.home
                .as_ref()
                .map(|home| home.join(".podstack").join("credentials")),
            Source::Default,
        ),
    };
    let mut file = CredentialsFile {
        path: None,
        source: source.clone(),
        consulted: false,
        exists: false,
        profiles: Profiles::new(),
        problem: None,
        warnings: Vec::new(),
    };
    let Some(path) = path else {
        return Ok(file);
    };
    file.path = Some(path.clone());
    // A file named explicitly is always read, so that a wrong name is an error.
    if source == Source::Default && !needed {
        return Ok(file);
    }
    file.consulted = true;
    let read = match read_file(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound && source == Source::Default => {
            return Ok(file);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err("does not exist".to_owned()),
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(read) => {
            file.exists = true;
            if let Some(mode) = read.mode.filter(|mode| mode & 0o077 != 0) {
                file.warnings.push(format!(
                    "credentials file {} can be read by other users (mode {:04o}) and it \
                     holds API tokens; make it private with: chmod 600 {}",
                    path.display(),
                    mode & 0o7777,
                    path.display()
                ));
            }
            Ok(read.bytes)
        }
    };
    let profiles = read.and_then(|bytes| {
        if bytes.len() > MAX_CREDENTIALS_FILE_BYTES {
            return Err(format!(
                "is larger than {MAX_CREDENTIALS_FILE_BYTES} bytes (1 MiB), the most a \
                 credentials file may be; is it the right file?"
            ));
        }
        credentials_text(&bytes)
            .and_then(parse_credentials)
            .map_err(|why| format!("is malformed: {why}"))
    });
    match profiles {
        Ok(profiles) => file.profiles = profiles,
        Err(problem) if source == Source::Default && *profile_source == Source::Default => {
            file.problem = Some(DefaultFileProblem {
                file: path,
                problem,
                api_endpoint: false,
                platform_endpoint: false,
            });
        }
        Err(problem) => {
            return Err(Error::config(format!(
                "credentials file {} (from {source}) {problem}",
                path.display()
            )))
        }
    }
    Ok(file)
}

/// The file's bytes as text: UTF-8, without a leading byte order mark (Notepad writes
/// one).
pub(crate) fn credentials_text(bytes: &[u8]) -> std::result::Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )
    })
}

/// Parses the INI credentials file: `[profile]` sections, `key = value` lines, `#` and
/// `;` comments. Keys outside any section are rejected, since they would silently
/// belong to no profile.
pub(crate) fn parse_credentials(text: &str) -> std::result::Result<Profiles, String> {
    let is_understood = |line: &str| {
        let line = line.trim();
        line.is_empty() || line.starts_with(['#', ';', '[']) || line.contains(['=', ':'])
    };
    // The line itself is not quoted: a token pasted on a line of its own would show.
    if let Some((number, _)) = text.lines().enumerate().find(|(_, l)| !is_understood(l)) {
        return Err(format!(
            "line {} is neither a [section], a key = value pair nor a comment",
            number + 1,
        ));
    }
    if let Some((number, _)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim().starts_with('[') && !l.trim().ends_with(']'))
    {
        return Err(format!(
            "line {} has an unclosed [section header",
            number + 1
        ));
    }
    let mut ini = configparser::ini::Ini::new_cs();
    // Keys before the first section land in this section; none should.
    ini.set_default_section("\u{0}outside-any-section");
    let map = ini.read(text.to_owned())?;
    if map.contains_key("\u{0}outside-any-section") {
        return Err("a key = value line comes before the first [section]".to_owned());
    }
    Ok(map
        .into_iter()
        .map(|(section, keys)| {
            let keys = keys
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect();
            (section, keys)
        })
        .collect())
}

pub(crate) fn expand_home(path: &Path, env: &Environment) -> PathBuf {
    match (path.strip_prefix("~"), &env.home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

pub(crate) fn missing_profile_error(
    profile: &str,
    source: &Source,
    file: &CredentialsFile,
) -> Error {
    let names: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
    let known = if file.exists {
        if names.is_empty() {
            "it has no profiles".to_owned()
        } else {
            format!("profiles there: {}", names.join(", "))
        }
    } else {
        "the file does not exist".to_owned()
    };
    Error::config(format!(
        "profile [{profile}] (from {source}) not found in credentials file {}; {known}",
        file.describe()
    ))
}

pub(crate) fn missing_token_error(profile: &str, file: &CredentialsFile) -> Error {
    Error::authentication(format!(
        "No API token provided. Looked for: an explicit token (Client::builder().api_token(..)), \
         the {ENV_TOKEN} and {ENV_TOKEN_PYTHON} environment variables, and api_token in \
         profile [{profile}] of {}. Set {ENV_TOKEN} or pass the token to the builder.",
        file.describe()
    ))
}
