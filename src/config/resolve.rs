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

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::error::{Error, Result};
use crate::net::retry::RetryConfig;

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
pub(crate) const DEFAULT_PROFILE: &str = "default";

/// How to set the platform endpoint, for the messages that need it.
pub(crate) const SET_PLATFORM_ENDPOINT: &str = "storage calls fail until it is set with \
    ClientBuilder::platform_endpoint, the PODSTACK_PLATFORM_URL environment variable or \
    the profile key platform_endpoint";

/// The largest credentials file read: a bigger one is a [`Error::Config`]. Real files
/// hold a few profiles of a few lines each.
pub(crate) const MAX_CREDENTIALS_FILE_BYTES: usize = 1024 * 1024;

/// The environment variables for one setting, in order: ours, then its alias.
pub(crate) const TOKEN_VARS: [&str; 2] = [ENV_TOKEN, ENV_TOKEN_PYTHON];
pub(crate) const PROJECT_VARS: [&str; 2] = [ENV_PROJECT, ENV_PROJECT_PYTHON];
pub(crate) const ENDPOINT_VARS: [&str; 2] = [ENV_ENDPOINT, ENV_ENDPOINT_PYTHON];
pub(crate) const PLATFORM_VARS: [&str; 1] = [ENV_PLATFORM];

/// The version path of each service, which an endpoint may be given with.
pub(crate) const API_VERSION_PATH: &str = "/v1";
pub(crate) const PLATFORM_VERSION_PATH: &str = "/api/v1";

/// An API token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiToken(pub(super) String);

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
    pub(super) token_source: Source,
    pub(super) project: Option<(String, Source)>,
    pub(super) endpoint: String,
    pub(super) endpoint_source: Source,
    /// `None` when not set (its source is then [`Source::NotSet`]).
    pub(super) platform_endpoint: Option<String>,
    pub(super) platform_endpoint_source: Source,
    pub(super) profile: String,
    pub(super) profile_source: Source,
    pub(super) credentials_file: Option<PathBuf>,
    pub(super) credentials_file_source: Source,
    pub(crate) timeout: Duration,
    pub(super) timeout_source: Source,
    pub(crate) retry: RetryConfig,
    pub(super) retry_source: Source,
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
pub(crate) fn platform_default(api: &str, api_source: &Source) -> (Option<String>, Source) {
    // Podstack's own API, however spelled (`https://API.podstack.ai:443` too).
    let is_default_api = api.eq_ignore_ascii_case(DEFAULT_ENDPOINT)
        || api
            .strip_suffix(":443")
            .is_some_and(|api| api.eq_ignore_ascii_case(DEFAULT_ENDPOINT));
    if *api_source == Source::Default || is_default_api {
        return (Some(DEFAULT_PLATFORM_ENDPOINT.to_owned()), Source::Default);
    }
    let loopback = crate::net::url::Url::split(api)
        .and_then(|url| host_of(url.authority).ok())
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
pub(crate) fn explicit_or_default(explicit: bool) -> Source {
    if explicit {
        Source::Explicit
    } else {
        Source::Default
    }
}

/// Checks that a token can go into an `Authorization` header: not empty, printable
/// ASCII only. The message says where it came from and what is wrong, never the token.
pub(crate) fn check_token(token: &str, source: &Source) -> Result<()> {
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
