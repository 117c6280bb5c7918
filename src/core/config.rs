//! Configuration and credential resolution.
//!
//! [`resolve`] is a pure function of the explicit settings, a snapshot of the
//! environment and a way to read files: it never touches the process environment
//! itself, so every precedence rule is tested with plain maps. It returns each value
//! together with where it came from ([`Source`]).
//!
//! For each of token, project and endpoint the order is:
//! 1. the value set on the builder;
//! 2. the profile named on the builder (`.profile(..)`), if any;
//! 3. the environment variable (`PODSTACK_API_TOKEN`, `PODSTACK_PROJECT`,
//!    `PODSTACK_API_ENDPOINT`, `PODSTACK_PLATFORM_URL`), then the name the official
//!    Python package reads (`PODSTACK_API_KEY`, `PODSTACK_PROJECT_ID`,
//!    `PODSTACK_BASE_URL`);
//! 4. the profile named by `PODSTACK_PROFILE`, or else `[default]`;
//! 5. the built-in default (none for token and project, `https://api.podstack.ai`).
//!
//! A profile named on the builder or by `PODSTACK_PROFILE` that the file lacks is an
//! error; so is a credentials file named explicitly that does not exist, is unreadable
//! or malformed. The default file (`~/.podstack/credentials`) is read only when it may
//! still supply something: a profile was named, or one of token, project, endpoint and
//! platform endpoint was given neither on the builder nor by the environment. When it
//! is missing, that is not an error. When it is unusable (unreadable, too big,
//! malformed) and no profile was named, it does not stop the client either: resolution
//! goes on without it, says so in a warning (`ResolvedConfig::warnings`, logged once
//! when the client is built), and keeps what was wrong ([`DefaultFileProblem`]) for the
//! calls that need a value it could have held (a storage call without a project); only the token, which every call
//! needs, makes the problem an error at once. Every file is read with a size cap
//! ([`MAX_CREDENTIALS_FILE_BYTES`]) and may start with a UTF-8 byte order mark; on Unix,
//! a file that others may read is used with a warning that says how to fix it.
//!
//! Tokens are trimmed wherever they come from; an empty token or one with anything but
//! printable ASCII is a [`Error::Config`] naming where it came from, never the value.
//! A `PODSTACK_*` variable that is set but not valid Unicode is a [`Error::Config`]
//! naming it (never its value) when resolution gets to it, rather than being skipped for
//! whatever comes next (another account's credentials); `PODSTACK_CREDENTIALS_FILE` is
//! a path and is taken as it is.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::retry::RetryConfig;
use crate::error::{Error, Result};

/// The API endpoint used when none is configured.
pub const DEFAULT_ENDPOINT: &str = "https://api.podstack.ai";

/// The platform service that serves storage (buckets and volumes) when none is
/// configured and the API endpoint is Podstack's own (see
/// [`ResolvedConfig::platform_endpoint`]).
pub const DEFAULT_PLATFORM_ENDPOINT: &str = "https://cloud.podstack.ai/platform";
/// The request timeout used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) const ENV_TOKEN: &str = "PODSTACK_API_TOKEN";
pub(crate) const ENV_PROFILE: &str = "PODSTACK_PROFILE";
pub(crate) const ENV_PROJECT: &str = "PODSTACK_PROJECT";
pub(crate) const ENV_ENDPOINT: &str = "PODSTACK_API_ENDPOINT";
pub(crate) const ENV_PLATFORM: &str = "PODSTACK_PLATFORM_URL";
pub(crate) const ENV_CREDENTIALS_FILE: &str = "PODSTACK_CREDENTIALS_FILE";
/// The official Python package's names, read after ours (see the contract's
/// "Compatibility with the official Python package's environment").
pub(crate) const ENV_TOKEN_PYTHON: &str = "PODSTACK_API_KEY";
pub(crate) const ENV_PROJECT_PYTHON: &str = "PODSTACK_PROJECT_ID";
pub(crate) const ENV_ENDPOINT_PYTHON: &str = "PODSTACK_BASE_URL";
const DEFAULT_PROFILE: &str = "default";

/// How to set the platform endpoint, for the messages that need it.
const SET_PLATFORM_ENDPOINT: &str = "storage calls fail until it is set with \
    ClientBuilder::platform_endpoint, the PODSTACK_PLATFORM_URL environment variable or \
    the profile key platform_endpoint";

/// The largest credentials file read: a bigger one is a [`Error::Config`]. Real files
/// hold a few profiles of a few lines each.
pub(crate) const MAX_CREDENTIALS_FILE_BYTES: usize = 1024 * 1024;

/// The environment variables for one setting, in order: ours, then its alias.
const TOKEN_VARS: [&str; 2] = [ENV_TOKEN, ENV_TOKEN_PYTHON];
const PROJECT_VARS: [&str; 2] = [ENV_PROJECT, ENV_PROJECT_PYTHON];
const ENDPOINT_VARS: [&str; 2] = [ENV_ENDPOINT, ENV_ENDPOINT_PYTHON];
const PLATFORM_VARS: [&str; 1] = [ENV_PLATFORM];

/// The version path of each service, which an endpoint may be given with.
const API_VERSION_PATH: &str = "/v1";
const PLATFORM_VERSION_PATH: &str = "/api/v1";

/// An API token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiToken(String);

impl ApiToken {
    pub(crate) fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }

    /// The token itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// Where a configuration value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Set on [`ClientBuilder`](crate::ClientBuilder).
    Explicit,
    /// Read from this environment variable.
    Environment(&'static str),
    /// Read from an environment variable of the official Python package, which this
    /// SDK reads after its own (`PODSTACK_API_KEY` after `PODSTACK_API_TOKEN`,
    /// `PODSTACK_PROJECT_ID` after `PODSTACK_PROJECT`, `PODSTACK_BASE_URL` after
    /// `PODSTACK_API_ENDPOINT`).
    EnvironmentAlias {
        /// The variable that was read, e.g. `PODSTACK_API_KEY`.
        variable: &'static str,
        /// This SDK's own name for the setting, e.g. `PODSTACK_API_TOKEN`.
        alias_of: &'static str,
    },
    /// Read from a profile of the credentials file.
    Profile {
        /// The profile (section) name.
        profile: String,
        /// The credentials file.
        file: PathBuf,
    },
    /// The built-in default.
    Default,
    /// Derived from the API endpoint, which is a loopback host (the emulator, or a
    /// service of one's own on this machine): the platform service is taken to be at
    /// `{api endpoint}/platform`, as the emulator serves it. Only the platform endpoint
    /// is ever derived.
    DerivedFromApiEndpoint,
    /// Given nowhere, and not derived: the API endpoint was set (on the builder, by the
    /// environment or in a profile) to a host that is not this machine, so the platform
    /// service's built-in default (Podstack's public cloud) is not assumed. Storage calls
    /// fail with [`Error::Config`](crate::Error::Config) before sending anything. Only
    /// the platform endpoint is ever unset.
    NotSet,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("explicit setting"),
            Source::Environment(var) => write!(f, "environment variable {var}"),
            Source::EnvironmentAlias { variable, alias_of } => write!(
                f,
                "environment variable {variable} (the Python package's name for {alias_of})"
            ),
            Source::Profile { profile, file } => {
                write!(f, "profile [{profile}] in {}", file.display())
            }
            Source::Default => f.write_str("built-in default"),
            Source::DerivedFromApiEndpoint => {
                f.write_str("derived from the loopback API endpoint, as the emulator serves it")
            }
            Source::NotSet => write!(f, "not set; {SET_PLATFORM_ENDPOINT}"),
        }
    }
}

/// The settings given to the builder, before resolution.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub api_token: Option<ApiToken>,
    pub profile: Option<String>,
    pub project_id: Option<String>,
    pub api_endpoint: Option<String>,
    pub platform_endpoint: Option<String>,
    pub credentials_file: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub retry: Option<RetryConfig>,
    pub allow_insecure_http: bool,
}

/// A snapshot of what resolution reads from the process: the `PODSTACK_*` variables
/// and the home directory. Empty variables count as unset. Its `Debug` shows the
/// variables' names only, never their values (a token among them).
#[derive(Clone, Default)]
pub(crate) struct Environment {
    vars: HashMap<String, OsString>,
    home: Option<PathBuf>,
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
    fn var(&self, name: &str) -> Result<Option<&str>> {
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
    fn path_var(&self, name: &str) -> Option<PathBuf> {
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
    fn first_var(&self, names: &[&'static str]) -> Result<Option<(String, Source)>> {
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

/// Everything the client needs, resolved, with the source of each value.
///
/// Ask a client with [`Client::config`](crate::Client::config). `Debug` never shows the
/// token.
///
/// ```no_run
/// # #[cfg(feature = "blocking")] use podstack::Client;
/// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
/// # fn main() -> Result<(), podstack::Error> {
/// let client = Client::new()?; // either client: building one sends nothing
/// let config = client.config();
/// println!("token from {}", config.api_token_source());
/// println!("API endpoint {} from {}", config.api_endpoint(), config.api_endpoint_source());
/// if let (Some(project), Some(source)) = (config.project_id(), config.project_id_source()) {
///     println!("project {project} from {source}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ResolvedConfig {
    pub(crate) token: ApiToken,
    token_source: Source,
    project: Option<(String, Source)>,
    endpoint: String,
    endpoint_source: Source,
    /// `None` when not set (its source is then [`Source::NotSet`]).
    platform_endpoint: Option<String>,
    platform_endpoint_source: Source,
    profile: String,
    profile_source: Source,
    credentials_file: Option<PathBuf>,
    credentials_file_source: Source,
    pub(crate) timeout: Duration,
    timeout_source: Source,
    pub(crate) retry: RetryConfig,
    retry_source: Source,
    /// What the user should hear about once, when the client is built: an unusable
    /// default credentials file, a credentials file others may read.
    pub(crate) warnings: Vec<String>,
    /// The default credentials file, when it could not be used.
    pub(crate) default_file_problem: Option<DefaultFileProblem>,
}

/// Why the default credentials file could not be used, and which values it could have
/// supplied (those given neither on the builder nor by the environment). A call that
/// needs one of them fails with [`DefaultFileProblem::error`] instead of going on
/// without it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DefaultFileProblem {
    pub file: PathBuf,
    /// What is wrong with it, e.g. "is malformed: line 1 is …" (never quoting it).
    pub problem: String,
    /// The API endpoint would otherwise be the built-in default.
    pub api_endpoint: bool,
    /// The platform endpoint was given nowhere (it is the built-in default, derived, or
    /// not set).
    pub platform_endpoint: bool,
}

impl DefaultFileProblem {
    /// The error of a call (`call`, e.g. `GET /v1/pods`) that needs `what` (e.g. "a
    /// project"), which only the unusable file could have supplied.
    pub(crate) fn error(&self, call: &str, what: &str) -> Error {
        Error::config(format!(
            "{call} needs {what}, which was given neither on the builder nor by the \
             environment, and the default credentials file {} that could hold it {}; \
             fix or remove the file, or give the value another way",
            self.file.display(),
            self.problem
        ))
    }

    /// The warning logged once when the client is built.
    fn warning(&self) -> String {
        format!(
            "ignoring the default credentials file {}, which {}; calls that need a value \
             it could hold fail with this reason",
            self.file.display(),
            self.problem
        )
    }
}

/// The accessors follow one pattern, named after the builder's setters: `x()` is the
/// value of the setting that [`ClientBuilder::x`](crate::ClientBuilder) sets and
/// `x_source()` where it came from. The one exception is the profile, whose value is
/// [`profile_name`](Self::profile_name) (the older `profile()` returns a pair).
impl ResolvedConfig {
    /// Where the API token came from (the token itself is never shown).
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("token from {}", config.api_token_source());
    /// # Ok(()) }
    /// ```
    pub fn api_token_source(&self) -> &Source {
        &self.token_source
    }

    /// Where the API token came from.
    #[deprecated(note = "use `api_token_source()`")]
    pub fn token_source(&self) -> &Source {
        self.api_token_source()
    }

    /// The default project, sent as `X-Project-Id`, if one is set.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// if let (Some(project), Some(source)) = (config.project_id(), config.project_id_source()) {
    ///     println!("project {project} from {source}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn project_id(&self) -> Option<&str> {
        self.project.as_ref().map(|(id, _)| id.as_str())
    }

    /// Where the default project came from; `None` when none is set.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// if let Some(source) = config.project_id_source() {
    ///     println!("project from {source}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn project_id_source(&self) -> Option<&Source> {
        self.project.as_ref().map(|(_, source)| source)
    }

    /// The default project and where it came from, if one is set.
    #[deprecated(note = "use `project_id()` and `project_id_source()`")]
    pub fn project(&self) -> Option<(&str, &Source)> {
        self.project
            .as_ref()
            .map(|(id, source)| (id.as_str(), source))
    }

    /// The API endpoint, without a trailing slash (the API itself is under `/v1`).
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("API at {}/v1", config.api_endpoint());
    /// # Ok(()) }
    /// ```
    pub fn api_endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Where the API endpoint came from.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("API endpoint from {}", config.api_endpoint_source());
    /// # Ok(()) }
    /// ```
    pub fn api_endpoint_source(&self) -> &Source {
        &self.endpoint_source
    }

    /// The API endpoint, without a trailing slash.
    #[deprecated(note = "use `api_endpoint()`")]
    pub fn endpoint(&self) -> &str {
        self.api_endpoint()
    }

    /// Where the API endpoint came from.
    #[deprecated(note = "use `api_endpoint_source()`")]
    pub fn endpoint_source(&self) -> &Source {
        self.api_endpoint_source()
    }

    /// The platform service endpoint that storage calls go to, without a trailing slash
    /// (its API is under `/api/v1`); `None` when it is not set, and storage calls fail
    /// with [`Error::Config`](crate::Error::Config) before sending anything.
    ///
    /// When it is given nowhere (builder, `PODSTACK_PLATFORM_URL`, profile key
    /// `platform_endpoint`), it follows the API endpoint, so that storage never goes to
    /// a host nobody named:
    ///
    /// | API endpoint | platform endpoint | [`platform_endpoint_source`](Self::platform_endpoint_source) |
    /// |---|---|---|
    /// | not set, or `https://api.podstack.ai` | `https://cloud.podstack.ai/platform` | [`Source::Default`] |
    /// | a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`) | `{api endpoint}/platform` | [`Source::DerivedFromApiEndpoint`] |
    /// | any other host | `None` | [`Source::NotSet`] |
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// match config.platform_endpoint() {
    ///     Some(endpoint) => println!("storage at {endpoint}/api/v1"),
    ///     None => println!("storage: {}", config.platform_endpoint_source()),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn platform_endpoint(&self) -> Option<&str> {
        self.platform_endpoint.as_deref()
    }

    /// Where the platform endpoint came from: [`Source::DerivedFromApiEndpoint`] or
    /// [`Source::NotSet`] when it was given nowhere and the API endpoint was (see
    /// [`platform_endpoint`](Self::platform_endpoint)).
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("platform endpoint from {}", config.platform_endpoint_source());
    /// # Ok(()) }
    /// ```
    pub fn platform_endpoint_source(&self) -> &Source {
        &self.platform_endpoint_source
    }

    /// The active profile of the credentials file.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("profile {} from {}", config.profile_name(), config.profile_source());
    /// # Ok(()) }
    /// ```
    #[doc(alias = "profile")]
    pub fn profile_name(&self) -> &str {
        &self.profile
    }

    /// What chose the active profile: the builder
    /// ([`profile`](crate::ClientBuilder::profile) or
    /// [`profile_opt(Some(..))`](crate::ClientBuilder::profile_opt)), `PODSTACK_PROFILE`,
    /// or the default (`default`).
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("profile from {}", config.profile_source());
    /// # Ok(()) }
    /// ```
    pub fn profile_source(&self) -> &Source {
        &self.profile_source
    }

    /// The active profile of the credentials file, and what chose it.
    #[deprecated(note = "use `profile_name()` and `profile_source()`")]
    pub fn profile(&self) -> (&str, &Source) {
        (&self.profile, &self.profile_source)
    }

    /// The credentials file that was consulted (read, or looked for and found
    /// missing). `None` when none could be located (no home directory), or when the
    /// default file was not needed because every value it could supply was given on
    /// the builder or by the environment and no profile was named.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// if let Some(path) = config.credentials_file() {
    ///     println!("credentials file {}", path.display());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn credentials_file(&self) -> Option<&Path> {
        self.credentials_file.as_deref()
    }

    /// What named the credentials file's location: the builder,
    /// `PODSTACK_CREDENTIALS_FILE`, or the default (`~/.podstack/credentials`).
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("credentials file from {}", config.credentials_file_source());
    /// # Ok(()) }
    /// ```
    pub fn credentials_file_source(&self) -> &Source {
        &self.credentials_file_source
    }

    /// How long the client waits to connect or for the next bytes of an answer.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("timeout {:?}", config.timeout());
    /// # Ok(()) }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Where the timeout came from: the builder or the default.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("timeout {:?} from {}", config.timeout(), config.timeout_source());
    /// # Ok(()) }
    /// ```
    pub fn timeout_source(&self) -> &Source {
        &self.timeout_source
    }

    /// The retry policy.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("{:?}", config.retry());
    /// # Ok(()) }
    /// ```
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// Where the retry policy came from: the builder or the default.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let config = Client::new()?.config().clone();
    /// println!("retry policy from {}", config.retry_source());
    /// # Ok(()) }
    /// ```
    pub fn retry_source(&self) -> &Source {
        &self.retry_source
    }
}

impl fmt::Display for ResolvedConfig {
    /// One line per setting, each with where it came from; never the token. A platform
    /// endpoint that is not set shows as such, with how to set it.
    ///
    /// ```no_run
    /// # #[cfg(feature = "blocking")] use podstack::Client;
    /// # #[cfg(not(feature = "blocking"))] use podstack::nonblocking::Client;
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = Client::builder()
    ///     .api_endpoint("https://api.custom.podstack.ai")
    ///     .build()?;
    /// println!("{}", client.config());
    /// // token: from explicit setting
    /// // project: not set
    /// // API endpoint: https://api.custom.podstack.ai (explicit setting)
    /// // platform endpoint: not set; storage calls fail until it is set with ...
    /// // ...
    /// # Ok(()) }
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "token: from {}", self.token_source)?;
        match &self.project {
            Some((project, source)) => writeln!(f, "project: {project} ({source})")?,
            None => writeln!(f, "project: not set")?,
        }
        writeln!(
            f,
            "API endpoint: {} ({})",
            self.endpoint, self.endpoint_source
        )?;
        match &self.platform_endpoint {
            Some(endpoint) => writeln!(
                f,
                "platform endpoint: {endpoint} ({})",
                self.platform_endpoint_source
            )?,
            None => writeln!(f, "platform endpoint: {}", self.platform_endpoint_source)?,
        }
        writeln!(f, "profile: {} ({})", self.profile, self.profile_source)?;
        match &self.credentials_file {
            Some(file) => writeln!(f, "credentials file: {}", file.display())?,
            None => writeln!(f, "credentials file: none consulted")?,
        }
        write!(f, "timeout: {:?}", self.timeout)
    }
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

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

/// Resolves the configuration from explicit settings, an environment snapshot and a
/// file reader ([`read_credentials_file`] outside tests; it is called at most once, and
/// only when the file may supply something).
pub(crate) fn resolve(
    settings: &Settings,
    env: &Environment,
    read_file: &dyn Fn(&Path) -> io::Result<FileRead>,
) -> Result<ResolvedConfig> {
    let (profile, profile_source) = match &settings.profile {
        Some(name) => (name.clone(), Source::Explicit),
        None => match env.var(ENV_PROFILE)? {
            Some(name) => (name.to_owned(), Source::Environment(ENV_PROFILE)),
            None => (DEFAULT_PROFILE.to_owned(), Source::Default),
        },
    };
    let explicit_token = settings.api_token.as_ref().map(|t| t.expose().trim());
    // An unreadable variable is an error only if resolution gets to it (below).
    let from_env = [
        env.first_var(&TOKEN_VARS),
        env.first_var(&PROJECT_VARS),
        env.first_var(&ENDPOINT_VARS),
        env.first_var(&PLATFORM_VARS),
    ];
    let explicit = [
        explicit_token.is_some(),
        settings.project_id.is_some(),
        settings.api_endpoint.is_some(),
        settings.platform_endpoint.is_some(),
    ];
    // The file is needed to check a named profile, or for any value not given yet.
    let file_needed = profile_source != Source::Default
        || explicit
            .iter()
            .zip(&from_env)
            .any(|(explicit, env)| !explicit && matches!(env, Ok(None)));
    let [env_token, env_project, env_endpoint, env_platform] = from_env;
    let file = load_credentials_file(settings, env, read_file, file_needed, &profile_source)?;

    let section = match file.profiles.get(&profile) {
        Some(section) => Some(section),
        None if profile_source == Source::Default => None,
        None => return Err(missing_profile_error(&profile, &profile_source, &file)),
    };
    let from_profile = |key: &str| -> Option<(String, Source)> {
        let value = section?.get(key)?.trim();
        let path = file.path.clone()?;
        (!value.is_empty()).then(|| {
            (
                value.to_owned(),
                Source::Profile {
                    profile: profile.clone(),
                    file: path,
                },
            )
        })
    };
    let profile_named_explicitly = profile_source == Source::Explicit;
    // Builder value, builder-named profile, environment (ours, then the Python
    // package's name), env-named or default profile.
    let lookup = |explicit: Option<&str>,
                  from_env: Result<Option<(String, Source)>>,
                  key: &str|
     -> Result<Option<(String, Source)>> {
        if let Some(value) = explicit {
            return Ok(Some((value.to_owned(), Source::Explicit)));
        }
        if let Some(found) = from_profile(key).filter(|_| profile_named_explicitly) {
            return Ok(Some(found));
        }
        Ok(from_env?.or_else(|| from_profile(key).filter(|_| !profile_named_explicitly)))
    };

    let Some((token, token_source)) = lookup(explicit_token, env_token, "api_token")? else {
        return Err(match &file.problem {
            // Every call needs a token: the file that could have held it is the error.
            Some(problem) => Error::config(format!(
                "no API token was given on the builder or by the environment, and the \
                 default credentials file {} that could hold it {}",
                problem.file.display(),
                problem.problem
            )),
            None => missing_token_error(&profile, &file),
        });
    };
    check_token(&token, &token_source)?;
    let project = lookup(settings.project_id.as_deref(), env_project, "project_id")?;
    let (raw_endpoint, endpoint_source) = lookup(
        settings.api_endpoint.as_deref(),
        env_endpoint,
        "api_endpoint",
    )?
    .unwrap_or_else(|| (DEFAULT_ENDPOINT.to_owned(), Source::Default));
    let endpoint = checked_endpoint(
        "API",
        &raw_endpoint,
        &endpoint_source,
        settings,
        API_VERSION_PATH,
    )?;
    let platform = lookup(
        settings.platform_endpoint.as_deref(),
        env_platform,
        "platform_endpoint",
    )?;
    let platform_given = platform.is_some();
    let (platform_endpoint, platform_endpoint_source) = match platform {
        Some((raw, source)) => {
            let endpoint =
                checked_endpoint("platform", &raw, &source, settings, PLATFORM_VERSION_PATH)?;
            (Some(endpoint), source)
        }
        None => platform_default(&endpoint, &endpoint_source),
    };

    let mut warnings = file.warnings;
    let default_file_problem = file.problem.map(|problem| DefaultFileProblem {
        api_endpoint: endpoint_source == Source::Default,
        platform_endpoint: !platform_given,
        ..problem
    });
    warnings.extend(
        default_file_problem
            .as_ref()
            .map(DefaultFileProblem::warning),
    );
    Ok(ResolvedConfig {
        token: ApiToken::new(token),
        token_source,
        project,
        endpoint,
        endpoint_source,
        platform_endpoint,
        platform_endpoint_source,
        profile,
        profile_source,
        credentials_file: file.path.filter(|_| file.consulted),
        credentials_file_source: file.source,
        timeout: settings.timeout.unwrap_or(DEFAULT_TIMEOUT),
        timeout_source: explicit_or_default(settings.timeout.is_some()),
        retry: settings.retry.clone().unwrap_or_default(),
        retry_source: explicit_or_default(settings.retry.is_some()),
        warnings,
        default_file_problem,
    })
}

/// The platform endpoint when none was given, from the API endpoint (already checked):
/// Podstack's own default beside its own API, `{api}/platform` beside a loopback API
/// (the emulator's layout), and none beside any other API, since storage calls must not
/// carry the token to a host nobody named.
fn platform_default(api: &str, api_source: &Source) -> (Option<String>, Source) {
    // Podstack's own API, however spelled (`https://API.podstack.ai:443` too).
    let is_default_api = api.eq_ignore_ascii_case(DEFAULT_ENDPOINT)
        || api
            .strip_suffix(":443")
            .is_some_and(|api| api.eq_ignore_ascii_case(DEFAULT_ENDPOINT));
    if *api_source == Source::Default || is_default_api {
        return (Some(DEFAULT_PLATFORM_ENDPOINT.to_owned()), Source::Default);
    }
    let authority = api
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default());
    let loopback = authority
        .and_then(|authority| host_of(authority).ok())
        .is_some_and(|host| host.is_loopback());
    if loopback {
        (
            Some(format!("{api}/platform")),
            Source::DerivedFromApiEndpoint,
        )
    } else {
        (None, Source::NotSet)
    }
}

/// The error of a storage call (`call`, e.g. `GET /api/v1/buckets`) made while the
/// platform endpoint is not set ([`Source::NotSet`]); the API endpoint came from
/// `api_source`.
pub(crate) fn platform_endpoint_not_set(call: &str, api: &str, api_source: &Source) -> Error {
    Error::config(format!(
        "{call} goes to the platform service (storage), whose endpoint is not set: the API \
         endpoint is {api} (from {api_source}), so storage is not sent to the built-in \
         default {DEFAULT_PLATFORM_ENDPOINT}, a host that was not named; set the platform \
         endpoint with ClientBuilder::platform_endpoint, the PODSTACK_PLATFORM_URL \
         environment variable or the profile key platform_endpoint (nothing was sent)"
    ))
}

/// The source of a setting only the builder can give.
fn explicit_or_default(explicit: bool) -> Source {
    if explicit {
        Source::Explicit
    } else {
        Source::Default
    }
}

/// Checks that a token can go into an `Authorization` header: not empty, printable
/// ASCII only. The message says where it came from and what is wrong, never the token.
fn check_token(token: &str, source: &Source) -> Result<()> {
    let problem = if token.is_empty() {
        "it is empty".to_owned()
    } else if let Some((at, c)) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
    {
        let kind = if !c.is_ascii() {
            "a non-ASCII character"
        } else if c.is_ascii_whitespace() {
            "white space"
        } else {
            "a control character"
        };
        format!(
            "character {} of {} is {kind}; a token is printable ASCII only \
             (was it pasted with a stray character?)",
            at + 1,
            token.chars().count()
        )
    } else {
        return Ok(());
    };
    Err(Error::config(format!(
        "the API token from {source} is unusable: {problem}"
    )))
}

/// Validates an endpoint, or says which one is wrong and where it came from. A
/// trailing `version_path` (`/v1` for the API) is dropped: the client adds it.
fn checked_endpoint(
    which: &str,
    raw: &str,
    source: &Source,
    settings: &Settings,
    version_path: &str,
) -> Result<String> {
    validate_endpoint(raw, settings.allow_insecure_http)
        .map(|endpoint| without_version_path(endpoint, version_path))
        .map_err(|why| {
            let shown = without_userinfo(raw);
            Error::config(format!(
                "invalid {which} endpoint {shown:?} (from {source}): {why}"
            ))
        })
}

/// An endpoint as it may be shown: `https://user:pass@host` → `https://[redacted]@host`,
/// since a password must not appear in an error.
pub(crate) fn without_userinfo(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://[redacted]@{host}{}", &rest[authority_end..]),
        None => raw.to_owned(),
    }
}

/// `https://host/v1` → `https://host` for `version_path` `/v1` (ASCII case ignored);
/// only the path is looked at, never the host.
fn without_version_path(endpoint: String, version_path: &str) -> String {
    let path_start = endpoint
        .find("://")
        .map(|at| at + 3)
        .and_then(|after| endpoint[after..].find('/').map(|at| after + at));
    let Some(path_start) = path_start else {
        return endpoint;
    };
    let cut = endpoint.len().checked_sub(version_path.len());
    match cut {
        Some(cut)
            if cut >= path_start
                && endpoint.is_char_boundary(cut)
                && endpoint[cut..].eq_ignore_ascii_case(version_path) =>
        {
            endpoint[..cut].trim_end_matches('/').to_owned()
        }
        _ => endpoint,
    }
}

/// The credentials file as found: where, whether it was consulted and existed, its
/// profiles, and what to tell the user about it.
struct CredentialsFile {
    path: Option<PathBuf>,
    /// What named the path: the builder, `PODSTACK_CREDENTIALS_FILE` or the default.
    source: Source,
    /// Whether it was read (or looked for): false when nothing needed the default file.
    consulted: bool,
    exists: bool,
    profiles: Profiles,
    /// The default file could not be used (its profiles are then empty).
    problem: Option<DefaultFileProblem>,
    warnings: Vec<String>,
}

impl CredentialsFile {
    fn describe(&self) -> String {
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
fn load_credentials_file(
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
fn credentials_text(bytes: &[u8]) -> std::result::Result<&str, String> {
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
fn parse_credentials(text: &str) -> std::result::Result<Profiles, String> {
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

fn expand_home(path: &Path, env: &Environment) -> PathBuf {
    match (path.strip_prefix("~"), &env.home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

fn missing_profile_error(profile: &str, source: &Source, file: &CredentialsFile) -> Error {
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

fn missing_token_error(profile: &str, file: &CredentialsFile) -> Error {
    Error::authentication(format!(
        "No API token provided. Looked for: an explicit token (Client::builder().api_token(..)), \
         the {ENV_TOKEN} and {ENV_TOKEN_PYTHON} environment variables, and api_token in \
         profile [{profile}] of {}. Set {ENV_TOKEN} or pass the token to the builder.",
        file.describe()
    ))
}

/// Checks an endpoint URL and returns it without trailing slashes.
///
/// It must be `https://host[:port][/path]`, or `http://` to a loopback host (or any host
/// when `allow_insecure_http` is set), with no credentials, query or fragment.
///
/// The authority is parsed by RFC 3986's grammar rather than with the `url` crate: the
/// check needs only the host and port, the `url` crate (with its IDNA tables) would be
/// a new dependency of blocking-only builds, and `http::Uri` belongs to the transports,
/// which core does not import. Anything outside the plain ASCII forms below is
/// refused rather than guessed at: `[IPv6]` literals (no zone ids), registered names
/// of letters, digits, `-`, `.`, `_` and `~` (an internationalised name must be given
/// in its `xn--` form), and a port of digits only.
pub(crate) fn validate_endpoint(
    raw: &str,
    allow_insecure_http: bool,
) -> std::result::Result<String, String> {
    let trimmed = raw.trim();
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or("expected a URL such as https://api.podstack.ai")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("the scheme must be https, not {scheme:?}"));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains white space or control characters".to_owned());
    }
    if !rest.is_ascii() {
        return Err(
            "the URL contains non-ASCII characters; give an internationalised host name in \
             its xn-- form and percent-encode the path"
                .to_owned(),
        );
    }
    if rest.contains(['?', '#']) {
        return Err("an endpoint takes no query or fragment".to_owned());
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err("an endpoint takes no user name or password".to_owned());
    }
    if path.contains('\\') {
        return Err("the path contains a backslash".to_owned());
    }
    let host = host_of(authority)?;
    if scheme == "http" && !allow_insecure_http && !host.is_loopback() {
        return Err(format!(
            "plain http would send the API token unencrypted to {}; use https, \
             or allow it explicitly with ClientBuilder::allow_insecure_http(true)",
            host.text
        ));
    }
    Ok(format!(
        "{scheme}://{authority}{}",
        path.trim_end_matches('/')
    ))
}

/// The host part of an endpoint's authority, and what kind of host it is.
#[derive(Debug, PartialEq)]
struct Host<'a> {
    text: &'a str,
    kind: HostKind,
}

#[derive(Debug, PartialEq)]
enum HostKind {
    Name,
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host<'_> {
    /// `localhost`, `127.0.0.0/8` or `[::1]`; nothing else, however it is spelled.
    fn is_loopback(&self) -> bool {
        match self.kind {
            HostKind::Name => self.text.eq_ignore_ascii_case("localhost"),
            HostKind::V4(ip) => ip.is_loopback(),
            HostKind::V6(ip) => ip.is_loopback(),
        }
    }
}

/// Parses `host[:port]` or `[v6]:port`: an IP literal must be the whole host (a
/// `[::1].evil.com` is refused), a port is digits only and fits in 16 bits.
fn host_of(authority: &str) -> std::result::Result<Host<'_>, String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(|| {
                "only :port may follow an [IPv6] host; a host name cannot contain [ ]".to_owned()
            })?),
        };
        let ip = inside
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("[{inside}] is not an IPv6 address"))?;
        (
            Host {
                text: &authority[..inside.len() + 2],
                kind: HostKind::V6(ip),
            },
            port,
        )
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        if name.is_empty() {
            return Err("the URL has no host".to_owned());
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
        {
            return Err(format!(
                "the host contains {bad:?}, which a host name cannot"
            ));
        }
        let kind = match name.parse::<Ipv4Addr>() {
            Ok(ip) => HostKind::V4(ip),
            Err(_) => HostKind::Name,
        };
        (Host { text: name, kind }, port)
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok();
        if !valid {
            return Err(format!("{port:?} is not a valid port"));
        }
    }
    Ok(host)
}

#[cfg(test)]
// The deprecated accessors stay covered here until they are removed.
#[allow(deprecated)]
mod tests {
    use super::*;

    const HOME: &str = "/home/ada";
    const DEFAULT_FILE: &str = "/home/ada/.podstack/credentials";
    const FILE: &str = "[default]\napi_token = tok_default\nproject_id = proj_default\n\n\
        [production]\napi_token = tok_prod\napi_endpoint = https://api.custom.podstack.ai/\n\n\
        [projectonly]\nproject_id = proj_only\n";

    struct Case {
        settings: Settings,
        vars: Vec<(&'static str, &'static str)>,
        /// Variables whose value need not be Unicode.
        os_vars: Vec<(&'static str, OsString)>,
        files: Vec<(&'static str, &'static str)>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                settings: Settings::default(),
                vars: vec![],
                os_vars: vec![],
                files: vec![(DEFAULT_FILE, FILE)],
            }
        }
        fn var(mut self, k: &'static str, v: &'static str) -> Self {
            self.vars.push((k, v));
            self
        }
        fn os_var(mut self, k: &'static str, v: OsString) -> Self {
            self.os_vars.push((k, v));
            self
        }
        fn no_files(mut self) -> Self {
            self.files.clear();
            self
        }
        fn file(mut self, path: &'static str, text: &'static str) -> Self {
            self.files.push((path, text));
            self
        }
        fn resolve(&self) -> Result<ResolvedConfig> {
            let vars = self.vars.iter().map(|(k, v)| (k.into(), v.into()));
            let os_vars = self.os_vars.iter().map(|(k, v)| (k.into(), v.clone()));
            let env = Environment::from_parts(vars.chain(os_vars), Some(HOME.into()));
            let files = self.files.clone();
            let read = move |p: &Path| -> io::Result<FileRead> {
                files
                    .iter()
                    .find(|(path, _)| Path::new(path) == p)
                    .map(|(_, text)| text.as_bytes().to_vec().into())
                    .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
            };
            resolve(&self.settings, &env, &read)
        }
    }

    fn profile(name: &str, file: &str) -> Source {
        Source::Profile {
            profile: name.to_owned(),
            file: PathBuf::from(file),
        }
    }

    fn token_of(case: &Case) -> (String, Source) {
        let c = case.resolve().expect("resolves");
        (c.token.expose().to_owned(), c.token_source.clone())
    }

    #[test]
    fn token_precedence_follows_the_contract() {
        // Table: each row adds one higher-priority source.
        let mut case = Case::new();
        assert_eq!(
            token_of(&case),
            ("tok_default".into(), profile("default", DEFAULT_FILE))
        );

        case = case.var(ENV_PROFILE, "production");
        assert_eq!(
            token_of(&case),
            ("tok_prod".into(), profile("production", DEFAULT_FILE))
        );

        case = case.var(ENV_TOKEN, "tok_env");
        assert_eq!(
            token_of(&case),
            ("tok_env".into(), Source::Environment(ENV_TOKEN))
        );

        case.settings.profile = Some("production".into());
        assert_eq!(
            token_of(&case),
            ("tok_prod".into(), profile("production", DEFAULT_FILE))
        );

        case.settings.api_token = Some(ApiToken::new("tok_explicit"));
        assert_eq!(token_of(&case), ("tok_explicit".into(), Source::Explicit));
    }

    #[test]
    fn explicit_profile_without_a_token_falls_to_the_environment_not_to_default() {
        let mut case = Case::new().var(ENV_TOKEN, "tok_env");
        case.settings.profile = Some("projectonly".into());
        assert_eq!(
            token_of(&case),
            ("tok_env".into(), Source::Environment(ENV_TOKEN))
        );

        let mut case = Case::new();
        case.settings.profile = Some("projectonly".into());
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
        assert!(err.message().contains("profile [projectonly]"));
    }

    #[test]
    fn project_and_endpoint_follow_the_same_order() {
        let mut case = Case::new();
        let c = case.resolve().unwrap();
        assert_eq!(
            c.project(),
            Some(("proj_default", &profile("default", DEFAULT_FILE)))
        );
        assert_eq!(c.endpoint(), DEFAULT_ENDPOINT);
        assert_eq!(c.endpoint_source(), &Source::Default);

        case = case
            .var(ENV_PROJECT, "proj_env")
            .var(ENV_ENDPOINT, "https://env.podstack.ai");
        let c = case.resolve().unwrap();
        assert_eq!(
            c.project(),
            Some(("proj_env", &Source::Environment(ENV_PROJECT)))
        );
        assert_eq!(c.endpoint(), "https://env.podstack.ai");

        case.settings.profile = Some("production".into());
        let c = case.resolve().unwrap();
        // production names an endpoint (trailing slash trimmed) but no project.
        assert_eq!(c.endpoint(), "https://api.custom.podstack.ai");
        assert_eq!(c.endpoint_source(), &profile("production", DEFAULT_FILE));
        assert_eq!(
            c.project(),
            Some(("proj_env", &Source::Environment(ENV_PROJECT)))
        );

        case.settings.project_id = Some("proj_explicit".into());
        case.settings.api_endpoint = Some("http://127.0.0.1:8080/".into());
        let c = case.resolve().unwrap();
        assert_eq!(c.project(), Some(("proj_explicit", &Source::Explicit)));
        assert_eq!(c.endpoint(), "http://127.0.0.1:8080");
        assert_eq!(c.endpoint_source(), &Source::Explicit);
    }

    #[test]
    fn an_endpoint_with_a_password_is_refused_without_showing_it() {
        let mut case = Case::new().no_files();
        case.settings.api_token = Some(ApiToken::new("podstack_ab_secret"));
        case.settings.api_endpoint = Some("https://ada:hunter2pass@api.podstack.ai/v1".into());
        let error = case.resolve().unwrap_err();
        let text = format!("{error} {error:#} {error:?}");
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        assert!(
            !text.contains("hunter2pass") && !text.contains("ada"),
            "{text}"
        );
        assert!(text.contains("api.podstack.ai"), "{text}");
        assert_eq!(without_userinfo("http://h:1/x"), "http://h:1/x");
    }

    #[test]
    fn platform_endpoint_follows_the_same_order_and_rules() {
        let mut case = Case::new();
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), Some(DEFAULT_PLATFORM_ENDPOINT));
        assert_eq!(c.platform_endpoint_source(), &Source::Default);

        case = case.var(ENV_PLATFORM, "https://env.podstack.ai/platform/");
        let c = case.resolve().unwrap();
        assert_eq!(
            c.platform_endpoint(),
            Some("https://env.podstack.ai/platform")
        );
        assert_eq!(
            c.platform_endpoint_source(),
            &Source::Environment(ENV_PLATFORM)
        );

        case = case.no_files().file(
            DEFAULT_FILE,
            "[default]\napi_token = t0k3n_default\nplatform_endpoint = https://file.podstack.ai/p\n",
        );
        // A profile named explicitly outranks the environment, as for every setting.
        case.settings.profile = Some("default".into());
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), Some("https://file.podstack.ai/p"));
        assert_eq!(
            c.platform_endpoint_source(),
            &profile("default", DEFAULT_FILE)
        );

        case.settings.platform_endpoint = Some("http://127.0.0.1:9/platform".into());
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), Some("http://127.0.0.1:9/platform"));
        assert_eq!(c.platform_endpoint_source(), &Source::Explicit);

        case.settings.platform_endpoint = Some("http://storage.example.com".into());
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.message().contains("invalid platform endpoint"), "{err}");
    }

    #[test]
    fn without_a_platform_endpoint_it_follows_the_api_endpoint_never_to_a_host_not_named() {
        let with_api = |api: Option<&str>| {
            let mut case = Case::new();
            case.settings.api_endpoint = api.map(str::to_owned);
            case.resolve().unwrap()
        };
        let platform = |c: &ResolvedConfig| {
            (
                c.platform_endpoint().map(str::to_owned),
                c.platform_endpoint_source().clone(),
            )
        };
        // Neither set: both defaults, as before.
        let c = with_api(None);
        assert_eq!(
            platform(&c),
            (Some(DEFAULT_PLATFORM_ENDPOINT.into()), Source::Default)
        );
        // Podstack's own API named explicitly: its own platform service.
        for api in [
            "https://api.podstack.ai",
            "https://API.podstack.ai/v1/",
            "https://api.podstack.ai:443",
            "HTTPS://api.podstack.ai:443/v1",
        ] {
            let c = with_api(Some(api));
            assert_eq!(
                platform(&c),
                (Some(DEFAULT_PLATFORM_ENDPOINT.into()), Source::Default),
                "{api}"
            );
        }
        // A loopback API (the emulator): the platform service beside it.
        for (api, derived) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/platform"),
            (
                "http://127.0.0.1:8080/v1/",
                "http://127.0.0.1:8080/platform",
            ),
            ("http://127.3.2.1:9", "http://127.3.2.1:9/platform"),
            ("http://LOCALHOST:9", "http://LOCALHOST:9/platform"),
            ("http://[::1]:9", "http://[::1]:9/platform"),
            ("https://localhost", "https://localhost/platform"),
        ] {
            let c = with_api(Some(api));
            assert_eq!(
                platform(&c),
                (Some(derived.into()), Source::DerivedFromApiEndpoint),
                "{api}"
            );
        }
        // Any other API: not set, and it says how to set it.
        for api in [
            "https://api.custom.podstack.ai",
            "https://localhost.example.com",
            "https://127.0.0.1.nip.io",
            "https://10.0.0.1",
        ] {
            let c = with_api(Some(api));
            assert_eq!(platform(&c), (None, Source::NotSet), "{api}");
        }
        let shown = Source::NotSet.to_string();
        for part in [
            "not set",
            "ClientBuilder::platform_endpoint",
            "PODSTACK_PLATFORM_URL",
            "platform_endpoint",
        ] {
            assert!(shown.contains(part), "{shown}");
        }
        // The API endpoint from the environment or a profile counts as set too.
        let case = Case::new().var(ENV_ENDPOINT, "https://api.custom.podstack.ai");
        let c = case.resolve().unwrap();
        assert_eq!(platform(&c), (None, Source::NotSet));
        let mut case = Case::new();
        case.settings.profile = Some("production".into());
        let c = case.resolve().unwrap();
        assert_eq!(platform(&c), (None, Source::NotSet));
        // A platform endpoint given anywhere is used as given.
        let mut case = Case::new().var(ENV_PLATFORM, "https://cloud.custom.podstack.ai/p");
        case.settings.api_endpoint = Some("https://api.custom.podstack.ai".into());
        let c = case.resolve().unwrap();
        assert_eq!(
            platform(&c),
            (
                Some("https://cloud.custom.podstack.ai/p".into()),
                Source::Environment(ENV_PLATFORM)
            )
        );
    }

    #[test]
    fn display_shows_each_setting_with_its_source_and_an_unset_platform_endpoint() {
        let mut case = Case::new().no_files();
        case.settings.api_token = Some(ApiToken::new("tok_shown_nowhere_123"));
        case.settings.api_endpoint = Some("https://api.custom.podstack.ai".into());
        let shown = case.resolve().unwrap().to_string();
        for line in [
            "token: from explicit setting",
            "project: not set",
            "API endpoint: https://api.custom.podstack.ai (explicit setting)",
            "platform endpoint: not set; storage calls fail until it is set with \
             ClientBuilder::platform_endpoint",
            "profile: default (built-in default)",
        ] {
            assert!(shown.contains(line), "{shown}");
        }
        assert!(!shown.contains("tok_shown_nowhere"), "{shown}");
        let debug = format!("{:?}", case.resolve().unwrap());
        assert!(debug.contains("platform_endpoint: None"), "{debug}");
        assert!(debug.contains("NotSet"), "{debug}");

        case.settings.api_endpoint = Some("http://127.0.0.1:8080".into());
        let shown = case.resolve().unwrap().to_string();
        assert!(
            shown.contains(
                "platform endpoint: http://127.0.0.1:8080/platform (derived from the loopback \
                 API endpoint, as the emulator serves it)"
            ),
            "{shown}"
        );
        case.settings.api_endpoint = None;
        let shown = case.resolve().unwrap().to_string();
        assert!(
            shown.contains(
                "platform endpoint: https://cloud.podstack.ai/platform (built-in default)"
            ),
            "{shown}"
        );
    }

    #[test]
    fn the_error_of_a_storage_call_without_a_platform_endpoint_says_how_to_set_it() {
        let err = platform_endpoint_not_set(
            "GET /api/v1/buckets",
            "https://api.custom.podstack.ai",
            &Source::Explicit,
        );
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        for part in [
            "GET /api/v1/buckets",
            "https://api.custom.podstack.ai (from explicit setting)",
            "ClientBuilder::platform_endpoint",
            "PODSTACK_PLATFORM_URL",
            "profile key platform_endpoint",
            "nothing was sent",
        ] {
            assert!(err.message().contains(part), "{err}");
        }
    }

    #[test]
    fn no_token_anywhere_says_where_it_looked() {
        let case = Case::new().no_files();
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }));
        assert!(err.message().starts_with("No API token provided"));
        assert!(err.message().contains(ENV_TOKEN));
        assert!(err.message().contains(DEFAULT_FILE));
        assert!(err.message().contains("[default]"));
        assert_eq!(err.status_code(), None);
    }

    #[test]
    fn credentials_file_from_environment_with_tilde() {
        let case = Case::new()
            .no_files()
            .file("/home/ada/work/creds", "[default]\napi_token = tok_file\n")
            .var(ENV_CREDENTIALS_FILE, "~/work/creds");
        let c = case.resolve().unwrap();
        assert_eq!(c.token.expose(), "tok_file");
        assert_eq!(
            c.credentials_file(),
            Some(Path::new("/home/ada/work/creds"))
        );
    }

    #[test]
    fn explicitly_named_missing_file_or_profile_is_a_config_error() {
        let case = Case::new().var(ENV_CREDENTIALS_FILE, "/nowhere/creds");
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.message().contains("/nowhere/creds"));
        assert!(err.message().contains(ENV_CREDENTIALS_FILE));

        let mut case = Case::new();
        case.settings.profile = Some("staging".into());
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        let msg = err.message();
        assert!(
            msg.contains("[staging]") && msg.contains(DEFAULT_FILE),
            "{msg}"
        );
        assert!(msg.contains("default, production, projectonly"), "{msg}");

        let case = Case::new().var(ENV_PROFILE, "staging").var(ENV_TOKEN, "t");
        let err = case.resolve().unwrap_err();
        assert!(err.message().contains(ENV_PROFILE), "{}", err.message());
    }

    #[test]
    fn missing_default_file_is_quiet() {
        let case = Case::new().no_files().var(ENV_TOKEN, "tok_env");
        let c = case.resolve().unwrap();
        assert_eq!(c.token.expose(), "tok_env");
        assert_eq!(c.project(), None);
    }

    #[test]
    fn unreadable_or_malformed_files_are_config_errors_when_named_or_needed() {
        let denied = |_: &Path| -> io::Result<FileRead> {
            Err(io::Error::from(io::ErrorKind::PermissionDenied))
        };
        // Named by the environment: strict.
        let env = Environment::new(
            &[(ENV_TOKEN, "t"), (ENV_CREDENTIALS_FILE, DEFAULT_FILE)],
            Some(HOME),
        );
        let err = resolve(&Settings::default(), &env, &denied).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.message().contains(DEFAULT_FILE), "{err}");
        assert!(err.message().contains("cannot be read"), "{err}");
        // The default file, needed for the token: the error names it.
        let env = Environment::new(&[], Some(HOME));
        let err = resolve(&Settings::default(), &env, &denied).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.message().contains(DEFAULT_FILE), "{err}");

        for bad in [
            "[default\napi_token = x\n",
            "api_token = x\n[default]\n",
            "[default]\nthis line is junk\n",
        ] {
            let case = Case::new().no_files().file(DEFAULT_FILE, bad);
            let err = case.resolve().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{bad:?}: {err:?}");
            assert!(err.message().contains("malformed"), "{}", err.message());
            let mut case = case.var(ENV_TOKEN, "t");
            case.settings.credentials_file = Some(DEFAULT_FILE.into());
            let err = case.resolve().unwrap_err();
            assert!(err.message().contains("malformed"), "{}", err.message());
            assert!(err.message().contains("explicit setting"), "{err}");
        }
    }

    #[test]
    fn comments_and_blank_values_are_handled() {
        let case = Case::new().no_files().file(
            DEFAULT_FILE,
            "# my creds\n; old style\n[default]\napi_token = tok\nproject_id =\n",
        );
        let c = case.resolve().unwrap();
        assert_eq!(c.token.expose(), "tok");
        assert_eq!(c.project(), None);
    }

    #[test]
    fn empty_environment_variables_count_as_unset() {
        let case = Case::new().var(ENV_TOKEN, "").var(ENV_PROFILE, " ");
        assert_eq!(token_of(&case).0, "tok_default");
    }

    #[test]
    fn endpoint_rules() {
        let ok = |url: &str| validate_endpoint(url, false);
        assert_eq!(
            ok("https://api.podstack.ai/").unwrap(),
            "https://api.podstack.ai"
        );
        assert_eq!(
            ok("http://localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(ok("http://127.0.0.1:9/").unwrap(), "http://127.0.0.1:9");
        assert_eq!(ok("http://[::1]:9").unwrap(), "http://[::1]:9");
        assert!(ok("http://api.podstack.ai")
            .unwrap_err()
            .contains("unencrypted"));
        assert!(ok("http://10.0.0.1").is_err());
        assert_eq!(
            validate_endpoint("http://gpu-box.lan:8080", true).unwrap(),
            "http://gpu-box.lan:8080"
        );
        for bad in [
            "api.podstack.ai",
            "ftp://api.podstack.ai",
            "https://",
            "https://user:pw@api.podstack.ai",
            "https://api.podstack.ai?x=1",
            "https://api.podstack.ai:99999",
            "https://api podstack.ai",
        ] {
            assert!(ok(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn invalid_endpoint_is_a_config_error_naming_the_value() {
        let mut case = Case::new();
        case.settings.api_endpoint = Some("http://api.podstack.ai".into());
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.message().contains("http://api.podstack.ai"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let mut case = Case::new();
        case.settings.api_token = Some(ApiToken::new("podstack_abc_supersecret"));
        let c = case.resolve().unwrap();
        assert!(!format!("{c:?}").contains("supersecret"));
        assert!(!format!("{:?}", case.settings).contains("supersecret"));
    }

    type Calls = std::rc::Rc<std::cell::RefCell<Vec<PathBuf>>>;

    /// A reader that records each path it is asked for.
    fn recording_reader(text: &'static [u8]) -> (Calls, impl Fn(&Path) -> io::Result<FileRead>) {
        let calls = Calls::default();
        let seen = calls.clone();
        let read = move |p: &Path| {
            seen.borrow_mut().push(p.to_path_buf());
            Ok(text.to_vec().into())
        };
        (calls, read)
    }

    fn all_explicit() -> Settings {
        Settings {
            api_token: Some(ApiToken::new("tok_explicit")),
            project_id: Some("proj_explicit".into()),
            api_endpoint: Some("https://api.podstack.ai".into()),
            platform_endpoint: Some("https://cloud.podstack.ai/platform".into()),
            ..Settings::default()
        }
    }

    #[test]
    fn a_broken_default_file_is_not_read_when_nothing_needs_it() {
        let junk: &[u8] = b"\xEF\xBB\xBFnot an ini file\n\xFF\xFE";
        let (calls, read) = recording_reader(junk);
        let env = Environment::new(&[], Some(HOME));
        let c = resolve(&all_explicit(), &env, &read).expect("the file is not needed");
        assert!(calls.borrow().is_empty(), "read {:?}", calls.borrow());
        assert_eq!(c.credentials_file(), None);
        assert_eq!(c.token.expose(), "tok_explicit");

        // The environment, aliases included, counts as given too.
        let env = Environment::new(
            &[
                (ENV_TOKEN_PYTHON, "tok_env"),
                (ENV_PROJECT_PYTHON, "proj_env"),
                (ENV_ENDPOINT_PYTHON, "https://api.podstack.ai/v1"),
                (ENV_PLATFORM, "https://cloud.podstack.ai/platform"),
            ],
            Some(HOME),
        );
        let c = resolve(&Settings::default(), &env, &read).expect("the file is not needed");
        assert!(calls.borrow().is_empty());
        assert_eq!(c.token.expose(), "tok_env");

        // Anything still missing (here the project) reads it; a junk default file
        // is then a problem kept for the calls that need the project, not an error.
        let mut settings = all_explicit();
        settings.project_id = None;
        let env = Environment::new(&[], Some(HOME));
        let c = resolve(&settings, &env, &read).expect("the client can work without it");
        assert_eq!(calls.borrow().len(), 1);
        assert_eq!(c.project(), None);
        assert_eq!(c.credentials_file(), Some(Path::new(DEFAULT_FILE)));
        // A named profile makes it strict.
        let env = Environment::new(&[(ENV_PROFILE, "prod")], Some(HOME));
        let err = resolve(&all_explicit(), &env, &read).unwrap_err();
        assert!(err.message().contains("malformed"), "{err}");
        let mut settings = all_explicit();
        settings.profile = Some("prod".into());
        let env = Environment::new(&[], Some(HOME));
        assert!(resolve(&settings, &env, &read).is_err());
        assert_eq!(calls.borrow().len(), 3);

        // A file named explicitly is always read, and broken is an error.
        let mut settings = all_explicit();
        settings.credentials_file = Some("/etc/podstack/creds".into());
        let err = resolve(&settings, &env, &read).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.message().contains("/etc/podstack/creds"), "{err}");
        let env = Environment::new(&[(ENV_CREDENTIALS_FILE, "/tmp/c")], Some(HOME));
        assert!(resolve(&all_explicit(), &env, &read).is_err());
    }

    #[test]
    fn a_leading_byte_order_mark_is_accepted() {
        let case = Case::new().no_files().file(
            DEFAULT_FILE,
            "\u{feff}[default]\r\napi_token = tok_bom\r\nproject_id = p\r\n",
        );
        let c = case.resolve().expect("a BOM is not malformed");
        assert_eq!(c.token.expose(), "tok_bom");
        assert_eq!(c.project().map(|(p, _)| p), Some("p"));
    }

    #[test]
    fn an_oversized_file_is_a_config_error_naming_the_file_and_the_cap() {
        let env = Environment::new(&[(ENV_PROFILE, "default")], Some(HOME));
        let huge = |_: &Path| Ok(vec![b'#'; MAX_CREDENTIALS_FILE_BYTES + 1].into());
        let err = resolve(&Settings::default(), &env, &huge).unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.message().contains(DEFAULT_FILE), "{err}");
        assert!(err.message().contains("1048576 bytes"), "{err}");
        // The default file, not needed for the token: kept as the problem.
        let env = Environment::new(&[(ENV_TOKEN, "t")], Some(HOME));
        let c = resolve(&Settings::default(), &env, &huge).unwrap();
        let problem = c.default_file_problem.expect("the problem is kept");
        assert!(problem.problem.contains("1048576 bytes"), "{problem:?}");
        // Exactly at the cap is fine.
        let full = |_: &Path| Ok(vec![b'#'; MAX_CREDENTIALS_FILE_BYTES].into());
        let c = resolve(&Settings::default(), &env, &full).unwrap();
        assert_eq!(c.default_file_problem, None);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn the_real_reader_stops_after_the_cap() {
        let dir = std::env::temp_dir().join(format!("podstack-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(64 * 1024 * 1024).unwrap(); // sparse: 64 MiB of zeros
        let started = std::time::Instant::now();
        let read = read_credentials_file(&path).unwrap();
        assert_eq!(read.bytes.len(), MAX_CREDENTIALS_FILE_BYTES + 1);
        assert!(started.elapsed() < Duration::from_secs(2));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn file_errors_never_quote_the_file_s_text() {
        for bad in [
            "[default]\npodstack_abc_supersecret\n",
            "podstack_abc_supersecret\n",
        ] {
            let case = Case::new().no_files().file(DEFAULT_FILE, bad);
            let err = case.resolve().unwrap_err();
            assert!(err.message().contains("malformed"), "{err}");
            assert!(!format!("{err} {err:?}").contains("supersecret"), "{err}");
        }
        let env = Environment::new(&[], Some(HOME));
        let latin1 = |_: &Path| Ok(b"[default]\napi_token = caf\xE9\n".to_vec().into());
        let err = resolve(&Settings::default(), &env, &latin1).unwrap_err();
        assert!(err.message().contains("not UTF-8"), "{err}");
    }

    #[test]
    fn tokens_are_trimmed_and_unusable_ones_are_config_errors_without_the_value() {
        let mut case = Case::new();
        case.settings.api_token = Some(ApiToken::new("  tok_padded\n"));
        assert_eq!(token_of(&case), ("tok_padded".into(), Source::Explicit));

        let unusable = |case: &Case, source: &str, problem: &str, secret: &str| {
            let err = case.resolve().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            let msg = err.message();
            assert!(msg.contains(source), "{msg}");
            assert!(msg.contains(problem), "{msg}");
            if !secret.is_empty() {
                assert!(!format!("{err} {err:?}").contains(secret), "{msg}");
            }
        };
        for empty in ["", "   ", "\t\n"] {
            case.settings.api_token = Some(ApiToken::new(empty));
            unusable(&case, "explicit setting", "empty", "");
        }
        case.settings.api_token = Some(ApiToken::new("podstack_ab_s\u{e9}cr\u{e8}t"));
        unusable(
            &case,
            "explicit setting",
            "character 14 of 18 is a non-ASCII",
            "cr\u{e8}t",
        );
        case.settings.api_token = Some(ApiToken::new("podstack_ab_sec ret"));
        unusable(&case, "explicit setting", "white space", "sec ret");

        let case = Case::new().var(ENV_TOKEN, "podstack_ab_sec\u{7}ret");
        unusable(&case, ENV_TOKEN, "a control character", "sec\u{7}ret");
        let case = Case::new().var(ENV_TOKEN_PYTHON, "podstack_\u{2019}secret");
        unusable(&case, ENV_TOKEN_PYTHON, "non-ASCII", "secret");
        let case = Case::new()
            .no_files()
            .file(DEFAULT_FILE, "[default]\napi_token = podstack ab secret\n");
        unusable(
            &case,
            "profile [default] in /home/ada/.podstack/credentials",
            "white space",
            "ab secret",
        );
    }

    #[test]
    fn python_package_variables_are_aliases_read_after_ours() {
        let alias = |variable, alias_of| Source::EnvironmentAlias { variable, alias_of };
        // Above the env-named or default profile...
        let case = Case::new()
            .var(ENV_TOKEN_PYTHON, "tok_py")
            .var(ENV_PROJECT_PYTHON, "proj_py")
            .var(ENV_ENDPOINT_PYTHON, "https://py.podstack.ai/v1/");
        let c = case.resolve().unwrap();
        assert_eq!(
            (c.token.expose(), c.token_source()),
            ("tok_py", &alias(ENV_TOKEN_PYTHON, ENV_TOKEN))
        );
        assert_eq!(
            c.project(),
            Some(("proj_py", &alias(ENV_PROJECT_PYTHON, ENV_PROJECT)))
        );
        assert_eq!(c.endpoint(), "https://py.podstack.ai");
        assert_eq!(
            c.endpoint_source(),
            &alias(ENV_ENDPOINT_PYTHON, ENV_ENDPOINT)
        );
        assert_eq!(
            c.token_source().to_string(),
            "environment variable PODSTACK_API_KEY (the Python package's name for PODSTACK_API_TOKEN)"
        );

        // ...below our own names...
        let mut case = case
            .var(ENV_TOKEN, "tok_ours")
            .var(ENV_PROJECT, "proj_ours")
            .var(ENV_ENDPOINT, "https://ours.podstack.ai");
        let c = case.resolve().unwrap();
        assert_eq!(c.token_source(), &Source::Environment(ENV_TOKEN));
        assert_eq!(c.project().unwrap().1, &Source::Environment(ENV_PROJECT));
        assert_eq!(c.endpoint(), "https://ours.podstack.ai");

        // ...and below a profile named on the builder.
        case.settings.profile = Some("production".into());
        let c = case.resolve().unwrap();
        assert_eq!(c.token.expose(), "tok_prod");
        assert_eq!(c.endpoint(), "https://api.custom.podstack.ai");
    }

    #[test]
    fn an_endpoint_given_with_its_version_path_means_the_same_without_it() {
        let api = |raw: &str| {
            let mut case = Case::new();
            case.settings.api_endpoint = Some(raw.into());
            case.resolve().map(|c| c.endpoint().to_owned())
        };
        for raw in [
            "https://api.podstack.ai/v1",
            "https://api.podstack.ai/v1/",
            "https://api.podstack.ai/V1//",
            "https://api.podstack.ai/",
        ] {
            assert_eq!(api(raw).unwrap(), "https://api.podstack.ai", "{raw}");
        }
        assert_eq!(
            api("https://gw.example/podstack/v1").unwrap(),
            "https://gw.example/podstack"
        );
        // Only a whole path segment at the end, never the host.
        assert_eq!(api("https://v1").unwrap(), "https://v1");
        assert_eq!(
            api("https://h.example/xv1").unwrap(),
            "https://h.example/xv1"
        );
        assert_eq!(
            api("http://127.0.0.1:8080/v1").unwrap(),
            "http://127.0.0.1:8080"
        );

        let platform = |raw: &str| {
            let mut case = Case::new();
            case.settings.platform_endpoint = Some(raw.into());
            case.resolve()
                .map(|c| c.platform_endpoint().unwrap_or_default().to_owned())
        };
        for raw in [
            "https://cloud.podstack.ai/platform/api/v1",
            "https://cloud.podstack.ai/platform/api/v1/",
            "https://cloud.podstack.ai/platform/",
        ] {
            assert_eq!(
                platform(raw).unwrap(),
                "https://cloud.podstack.ai/platform",
                "{raw}"
            );
        }
        assert_eq!(
            platform("https://cloud.example/v1").unwrap(),
            "https://cloud.example/v1"
        );
    }

    #[test]
    fn only_a_real_loopback_host_may_use_plain_http() {
        let ok = |url: &str| validate_endpoint(url, false);
        for good in [
            "http://[::1]:8080",
            "http://[::1]",
            "http://127.0.0.1",
            "http://127.8.9.10:1/x",
            "http://localhost",
            "http://LocalHost:3000/",
        ] {
            assert!(ok(good).is_ok(), "{good}: {:?}", ok(good));
        }
        for remote in [
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://[::ffff:127.0.0.1]",
            "http://128.0.0.1",
            "http://evil.com#@localhost",
        ] {
            assert!(ok(remote).is_err(), "{remote} must not count as loopback");
        }
        for invalid in [
            "http://[::1].evil.com",
            "https://[::1].evil.com",
            "http://[::1]evil.com",
            "https://[fe80::1%25eth0]",
            "https://[not-v6]",
            "https://host:+80",
            "https://host:",
            "https://host:8080:1",
            "https://h\u{f4}st.example",
            "https://host%2eexample",
            "https://exa!mple.com",
            "https://example.com\\@evil",
            "http://:80",
        ] {
            assert!(
                validate_endpoint(invalid, true).is_err(),
                "{invalid} is not a valid endpoint"
            );
        }
        assert!(ok("https://node_1.internal.example").is_ok());
    }

    /// A value that is not valid Unicode on this platform.
    fn not_unicode(tail: &str) -> OsString {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let mut bytes = b"podstack_ab_\xff".to_vec();
            bytes.extend_from_slice(tail.as_bytes());
            OsString::from_vec(bytes)
        }
        #[cfg(windows)]
        {
            use std::os::windows::ffi::OsStringExt;
            let mut wide = vec![0xD800]; // an unpaired surrogate
            wide.extend(tail.encode_utf16());
            OsString::from_wide(&wide)
        }
    }

    #[test]
    fn a_variable_that_is_not_unicode_is_a_config_error_naming_it_not_a_fall_through() {
        let refused = |case: &Case, variable: &str| {
            let err = case.resolve().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            assert!(err.message().contains(variable), "{err}");
            assert!(err.message().contains("not valid Unicode"), "{err}");
            assert!(!format!("{err} {err:?}").contains("s3cr3t"), "{err}");
        };
        // The default file holds another account's token: it must not be used.
        let case = Case::new().os_var(ENV_TOKEN, not_unicode("s3cr3t"));
        refused(&case, ENV_TOKEN);
        // Ours unreadable, the Python package's alias set: still no fall-through.
        let case = case.var(ENV_TOKEN_PYTHON, "podstack_ab_alias");
        refused(&case, ENV_TOKEN);
        let case = Case::new().os_var(ENV_TOKEN_PYTHON, not_unicode("s3cr3t"));
        refused(&case, ENV_TOKEN_PYTHON);
        for variable in [
            ENV_PROJECT,
            ENV_PROJECT_PYTHON,
            ENV_ENDPOINT,
            ENV_PLATFORM,
            ENV_PROFILE,
        ] {
            let case = Case::new().os_var(variable, not_unicode("s3cr3t"));
            refused(&case, variable);
        }
        // A variable the builder's value makes irrelevant is never read.
        let mut case = Case::new().os_var(ENV_PROJECT, not_unicode(""));
        case.settings.project_id = Some("proj_explicit".into());
        assert_eq!(
            case.resolve().unwrap().project().unwrap().0,
            "proj_explicit"
        );
        let mut case = Case::new().os_var(ENV_PROFILE, not_unicode(""));
        case.settings.profile = Some("production".into());
        assert_eq!(case.resolve().unwrap().token.expose(), "tok_prod");
    }

    #[test]
    fn a_credentials_file_path_that_is_not_unicode_is_used_as_given() {
        let path = PathBuf::from(not_unicode("/creds"));
        let env = Environment::from_parts(
            [(ENV_CREDENTIALS_FILE.into(), path.clone().into_os_string())],
            Some(HOME.into()),
        );
        let (calls, read) = recording_reader(b"[default]\napi_token = tok_file\n");
        let c = resolve(&Settings::default(), &env, &read).unwrap();
        assert_eq!(c.token.expose(), "tok_file");
        assert_eq!(*calls.borrow(), vec![path]);
    }

    #[test]
    fn a_junk_default_file_does_not_stop_an_explicit_client_and_is_kept_as_the_reason() {
        // The issue's case: token and API endpoint on the builder, `hello world` in
        // ~/.podstack/credentials.
        let mut case = Case::new().no_files().file(DEFAULT_FILE, "hello world\n");
        case.settings.api_token = Some(ApiToken::new("tok_explicit"));
        case.settings.api_endpoint = Some("https://api.podstack.ai".into());
        let c = case
            .resolve()
            .expect("the client can work without the file");
        assert_eq!(c.token_source(), &Source::Explicit);
        assert_eq!(c.project(), None);
        let problem = c.default_file_problem.clone().expect("the reason is kept");
        assert_eq!(problem.file, Path::new(DEFAULT_FILE));
        assert!(
            problem.problem.starts_with("is malformed: line 1"),
            "{problem:?}"
        );
        assert!(!problem.api_endpoint, "given on the builder");
        assert!(
            problem.platform_endpoint,
            "it could have come from the file"
        );
        // Logged once, naming the file and what is wrong, never its text.
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains(DEFAULT_FILE), "{:?}", c.warnings);
        assert!(c.warnings[0].contains("malformed"), "{:?}", c.warnings);
        assert!(!c.warnings[0].contains("hello"), "{:?}", c.warnings);
        // The error of a call that needs the project says the same.
        let err = problem.error("GET /api/v1/buckets", "a project");
        assert!(matches!(err, Error::Config { .. }));
        for part in [
            "GET /api/v1/buckets needs a project",
            DEFAULT_FILE,
            "malformed",
        ] {
            assert!(err.message().contains(part), "{err}");
        }

        // Not-UTF-8 text and a file that cannot be read are kept the same way.
        let mut case = Case::new().no_files().file(DEFAULT_FILE, "[default]\n");
        case.settings.api_token = Some(ApiToken::new("tok_explicit"));
        let env = Environment::new(&[], Some(HOME));
        let latin1 = |_: &Path| Ok(b"[default]\nproject_id = caf\xE9\n".to_vec().into());
        let c = resolve(&case.settings, &env, &latin1).unwrap();
        let problem = c.default_file_problem.unwrap();
        assert!(problem.problem.contains("not UTF-8"), "{problem:?}");
        assert!(problem.api_endpoint && problem.platform_endpoint);
        let denied = |_: &Path| -> io::Result<FileRead> {
            Err(io::Error::from(io::ErrorKind::PermissionDenied))
        };
        let c = resolve(&case.settings, &env, &denied).unwrap();
        assert!(c
            .default_file_problem
            .unwrap()
            .problem
            .contains("cannot be read"));

        // A usable default file leaves nothing behind.
        let c = Case::new().resolve().unwrap();
        assert_eq!(c.default_file_problem, None);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn a_credentials_file_others_can_read_is_used_with_a_warning_naming_the_fix() {
        let env = Environment::new(&[], Some(HOME));
        let text = b"[default]\napi_token = tok_file\n";
        for (mode, warned) in [
            (0o100644, true),
            (0o100640, true),
            (0o100604, true),
            (0o100600, false),
            (0o100400, false),
        ] {
            let read = |_: &Path| {
                Ok(FileRead {
                    bytes: text.to_vec(),
                    mode: Some(mode),
                })
            };
            let c = resolve(&Settings::default(), &env, &read).expect("the file is used");
            assert_eq!(c.token.expose(), "tok_file");
            if warned {
                assert_eq!(c.warnings.len(), 1, "{mode:o}");
                let warning = &c.warnings[0];
                assert!(
                    warning.contains(&format!("mode {:04o}", mode & 0o777)),
                    "{warning}"
                );
                assert!(
                    warning.contains(&format!("chmod 600 {DEFAULT_FILE}")),
                    "{warning}"
                );
            } else {
                assert!(c.warnings.is_empty(), "{mode:o}: {:?}", c.warnings);
            }
        }
        // No mode known (not Unix): no warning.
        let read = |_: &Path| Ok(text.to_vec().into());
        assert!(resolve(&Settings::default(), &env, &read)
            .unwrap()
            .warnings
            .is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_real_reader_reports_the_mode_of_the_file_it_opened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("podstack-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        std::fs::write(&path, "[default]\n").unwrap();
        for mode in [0o644, 0o600] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let read = read_credentials_file(&path).unwrap();
            assert_eq!(read.mode.map(|m| m & 0o777), Some(mode));
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_environment_s_debug_shows_names_never_values() {
        let env = Environment::new(&[(ENV_TOKEN, "podstack_ab_s3cr3t")], Some(HOME));
        let shown = format!("{env:?}");
        assert!(shown.contains(ENV_TOKEN), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    /// What only Windows can show: `home` gives `%USERPROFILE%` there, the default
    /// file is `%USERPROFILE%\.podstack\credentials`, and `~` works with either
    /// separator. (`home`'s own reading of `USERPROFILE` is its tested behaviour.)
    #[cfg(windows)]
    #[test]
    fn on_windows_the_default_file_is_under_the_profile_folder() {
        let env = Environment::new(&[], Some(r"C:\Users\ada"));
        let (calls, read) = recording_reader(b"[default]\napi_token = t0k3n\n");
        resolve(&Settings::default(), &env, &read).unwrap();
        assert_eq!(
            calls.borrow().as_slice(),
            [PathBuf::from(r"C:\Users\ada\.podstack\credentials")]
        );
        for named in [r"~\work\creds", "~/work/creds"] {
            assert_eq!(
                expand_home(Path::new(named), &env),
                Path::new(r"C:\Users\ada\work\creds"),
                "{named}"
            );
        }
        let shown = home::home_dir().expect("Windows has a profile folder");
        assert!(shown.is_absolute(), "{shown:?}");
    }
}
