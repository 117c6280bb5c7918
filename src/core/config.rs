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
//!    `PODSTACK_API_ENDPOINT`);
//! 4. the profile named by `PODSTACK_PROFILE`, or else `[default]`;
//! 5. the built-in default (none for token and project, `https://api.podstack.ai`).
//!
//! A profile named on the builder or by `PODSTACK_PROFILE` that the file lacks is an
//! error; so is a credentials file named explicitly that does not exist. A missing
//! default file (`~/.podstack/credentials`) is not.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{Error, Result};
use super::retry::RetryConfig;

/// The API endpoint used when none is configured.
pub const DEFAULT_ENDPOINT: &str = "https://api.podstack.ai";

/// The platform service that serves storage (buckets and volumes) when none is configured.
pub const DEFAULT_PLATFORM_ENDPOINT: &str = "https://cloud.podstack.ai/platform";
/// The request timeout used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) const ENV_TOKEN: &str = "PODSTACK_API_TOKEN";
pub(crate) const ENV_PROFILE: &str = "PODSTACK_PROFILE";
pub(crate) const ENV_PROJECT: &str = "PODSTACK_PROJECT";
pub(crate) const ENV_ENDPOINT: &str = "PODSTACK_API_ENDPOINT";
pub(crate) const ENV_PLATFORM: &str = "PODSTACK_PLATFORM_URL";
pub(crate) const ENV_CREDENTIALS_FILE: &str = "PODSTACK_CREDENTIALS_FILE";
const DEFAULT_PROFILE: &str = "default";

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
    /// Read from a profile of the credentials file.
    Profile {
        /// The profile (section) name.
        profile: String,
        /// The credentials file.
        file: PathBuf,
    },
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("explicit setting"),
            Source::Environment(var) => write!(f, "environment variable {var}"),
            Source::Profile { profile, file } => {
                write!(f, "profile [{profile}] in {}", file.display())
            }
            Source::Default => f.write_str("built-in default"),
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
/// and the home directory. Empty variables count as unset.
#[derive(Clone, Debug, Default)]
pub(crate) struct Environment {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl Environment {
    /// Reads the current process environment and home directory.
    pub(crate) fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("PODSTACK_"))
            .collect();
        Environment {
            vars,
            home: home::home_dir(),
        }
    }

    #[cfg(test)]
    pub(crate) fn new(vars: &[(&str, &str)], home: Option<&str>) -> Self {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: home.map(PathBuf::from),
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
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
/// println!("token from {}", config.token_source());
/// println!("endpoint {} from {}", config.endpoint(), config.endpoint_source());
/// if let Some((project, source)) = config.project() {
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
    platform_endpoint: String,
    platform_endpoint_source: Source,
    profile: String,
    profile_source: Source,
    credentials_file: Option<PathBuf>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryConfig,
}

impl ResolvedConfig {
    /// Where the API token came from.
    pub fn token_source(&self) -> &Source {
        &self.token_source
    }

    /// The default project and where it came from, if one is set.
    pub fn project(&self) -> Option<(&str, &Source)> {
        self.project
            .as_ref()
            .map(|(id, source)| (id.as_str(), source))
    }

    /// The API endpoint, without a trailing slash (the API itself is under `/v1`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Where the endpoint came from.
    pub fn endpoint_source(&self) -> &Source {
        &self.endpoint_source
    }

    /// The platform service endpoint that storage calls go to, without a trailing slash
    /// (its API is under `/api/v1`).
    pub fn platform_endpoint(&self) -> &str {
        &self.platform_endpoint
    }

    /// Where the platform endpoint came from.
    pub fn platform_endpoint_source(&self) -> &Source {
        &self.platform_endpoint_source
    }

    /// The active profile of the credentials file, and what chose it.
    pub fn profile(&self) -> (&str, &Source) {
        (&self.profile, &self.profile_source)
    }

    /// The credentials file that was consulted, if any could be located.
    pub fn credentials_file(&self) -> Option<&Path> {
        self.credentials_file.as_deref()
    }

    /// How long the client waits to connect or for the next bytes of an answer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// The credentials file as found: where, whether it existed, and its profiles.
struct CredentialsFile {
    path: Option<PathBuf>,
    exists: bool,
    profiles: Profiles,
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

/// Resolves the configuration from explicit settings, an environment snapshot and a
/// file reader (`std::fs::read_to_string` outside tests).
pub(crate) fn resolve(
    settings: &Settings,
    env: &Environment,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
) -> Result<ResolvedConfig> {
    let file = load_credentials_file(settings, env, read_file)?;

    let (profile, profile_source) = match (&settings.profile, env.var(ENV_PROFILE)) {
        (Some(name), _) => (name.clone(), Source::Explicit),
        (None, Some(name)) => (name.to_owned(), Source::Environment(ENV_PROFILE)),
        (None, None) => (DEFAULT_PROFILE.to_owned(), Source::Default),
    };
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
    // Builder value, builder-named profile, environment, env-named or default profile.
    let lookup = |explicit: Option<&str>, env_var: &'static str, key: &str| {
        explicit
            .map(|v| (v.to_owned(), Source::Explicit))
            .or_else(|| from_profile(key).filter(|_| profile_named_explicitly))
            .or_else(|| {
                env.var(env_var)
                    .map(|v| (v.to_owned(), Source::Environment(env_var)))
            })
            .or_else(|| from_profile(key).filter(|_| !profile_named_explicitly))
    };

    let explicit_token = settings.api_token.as_ref().map(ApiToken::expose);
    let (token, token_source) = lookup(explicit_token, ENV_TOKEN, "api_token")
        .ok_or_else(|| missing_token_error(&profile, &file))?;
    let project = lookup(settings.project_id.as_deref(), ENV_PROJECT, "project_id");
    let (raw_endpoint, endpoint_source) = lookup(
        settings.api_endpoint.as_deref(),
        ENV_ENDPOINT,
        "api_endpoint",
    )
    .unwrap_or_else(|| (DEFAULT_ENDPOINT.to_owned(), Source::Default));
    let endpoint = checked_endpoint("API", &raw_endpoint, &endpoint_source, settings)?;
    let (raw_platform, platform_endpoint_source) = lookup(
        settings.platform_endpoint.as_deref(),
        ENV_PLATFORM,
        "platform_endpoint",
    )
    .unwrap_or_else(|| (DEFAULT_PLATFORM_ENDPOINT.to_owned(), Source::Default));
    let platform_endpoint = checked_endpoint(
        "platform",
        &raw_platform,
        &platform_endpoint_source,
        settings,
    )?;

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
        credentials_file: file.path,
        timeout: settings.timeout.unwrap_or(DEFAULT_TIMEOUT),
        retry: settings.retry.clone().unwrap_or_default(),
    })
}

/// Validates an endpoint, or says which one is wrong and where it came from.
fn checked_endpoint(
    which: &str,
    raw: &str,
    source: &Source,
    settings: &Settings,
) -> Result<String> {
    validate_endpoint(raw, settings.allow_insecure_http).map_err(|why| {
        Error::config(format!(
            "invalid {which} endpoint {raw:?} (from {source}): {why}"
        ))
    })
}

fn load_credentials_file(
    settings: &Settings,
    env: &Environment,
    read_file: &dyn Fn(&Path) -> io::Result<String>,
) -> Result<CredentialsFile> {
    let (path, source) = match (&settings.credentials_file, env.var(ENV_CREDENTIALS_FILE)) {
        (Some(path), _) => (Some(expand_home(path, env)), Source::Explicit),
        (None, Some(path)) => (
            Some(expand_home(Path::new(path), env)),
            Source::Environment(ENV_CREDENTIALS_FILE),
        ),
        (None, None) => (
            env.home
                .as_ref()
                .map(|home| home.join(".podstack").join("credentials")),
            Source::Default,
        ),
    };
    let Some(path) = path else {
        return Ok(CredentialsFile {
            path: None,
            exists: false,
            profiles: Profiles::new(),
        });
    };
    match read_file(&path) {
        Ok(text) => {
            let profiles = parse_credentials(&text).map_err(|why| {
                Error::config(format!(
                    "credentials file {} is malformed: {why}",
                    path.display()
                ))
            })?;
            Ok(CredentialsFile {
                path: Some(path),
                exists: true,
                profiles,
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound && source == Source::Default => {
            Ok(CredentialsFile {
                path: Some(path),
                exists: false,
                profiles: Profiles::new(),
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::config(format!(
            "credentials file {} (from {source}) does not exist",
            path.display()
        ))),
        Err(e) => Err(Error::config(format!(
            "could not read credentials file {} (from {source}): {e}",
            path.display()
        ))),
    }
}

/// Parses the INI credentials file: `[profile]` sections, `key = value` lines, `#` and
/// `;` comments. Keys outside any section are rejected, since they would silently
/// belong to no profile.
fn parse_credentials(text: &str) -> std::result::Result<Profiles, String> {
    let is_understood = |line: &str| {
        let line = line.trim();
        line.is_empty() || line.starts_with(['#', ';', '[']) || line.contains(['=', ':'])
    };
    if let Some((number, line)) = text.lines().enumerate().find(|(_, l)| !is_understood(l)) {
        return Err(format!(
            "line {} is neither a [section], a key = value pair nor a comment: {:?}",
            number + 1,
            line.trim()
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
         the {ENV_TOKEN} environment variable, and api_token in profile [{profile}] of {}. \
         Set {ENV_TOKEN} or pass the token to the builder.",
        file.describe()
    ))
}

/// Checks an endpoint URL and returns it without trailing slashes.
///
/// It must be `https://host[:port][/path]`, or `http://` to a loopback host (or any host
/// when `allow_insecure_http` is set), with no credentials, query or fragment.
pub(crate) fn validate_endpoint(
    raw: &str,
    allow_insecure_http: bool,
) -> std::result::Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or("expected a URL such as https://api.podstack.ai")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("the scheme must be https, not {scheme}"));
    }
    if rest.contains(['?', '#']) {
        return Err("an endpoint takes no query or fragment".to_owned());
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains white space".to_owned());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err("an endpoint takes no user name or password".to_owned());
    }
    let host = host_of(authority)?;
    if scheme == "http" && !allow_insecure_http && !is_loopback(host) {
        return Err(format!(
            "plain http would send the API token unencrypted to {host}; use https, \
             or allow it explicitly with ClientBuilder::allow_insecure_http(true)"
        ));
    }
    Ok(format!("{scheme}://{rest}"))
}

fn host_of(authority: &str) -> std::result::Result<&str, String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the URL has no host".to_owned());
    }
    if let Some(port) = port {
        port.parse::<u16>()
            .map_err(|_| format!("{port:?} is not a valid port"))?;
    }
    Ok(host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
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
        files: Vec<(&'static str, &'static str)>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                settings: Settings::default(),
                vars: vec![],
                files: vec![(DEFAULT_FILE, FILE)],
            }
        }
        fn var(mut self, k: &'static str, v: &'static str) -> Self {
            self.vars.push((k, v));
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
            let env = Environment::new(&self.vars, Some(HOME));
            let files = self.files.clone();
            let read = move |p: &Path| -> io::Result<String> {
                files
                    .iter()
                    .find(|(path, _)| Path::new(path) == p)
                    .map(|(_, text)| text.to_string())
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
    fn platform_endpoint_follows_the_same_order_and_rules() {
        let mut case = Case::new();
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), DEFAULT_PLATFORM_ENDPOINT);
        assert_eq!(c.platform_endpoint_source(), &Source::Default);

        case = case.var(ENV_PLATFORM, "https://env.podstack.ai/platform/");
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), "https://env.podstack.ai/platform");
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
        assert_eq!(c.platform_endpoint(), "https://file.podstack.ai/p");
        assert_eq!(
            c.platform_endpoint_source(),
            &profile("default", DEFAULT_FILE)
        );

        case.settings.platform_endpoint = Some("http://127.0.0.1:9/platform".into());
        let c = case.resolve().unwrap();
        assert_eq!(c.platform_endpoint(), "http://127.0.0.1:9/platform");
        assert_eq!(c.platform_endpoint_source(), &Source::Explicit);

        case.settings.platform_endpoint = Some("http://storage.example.com".into());
        let err = case.resolve().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.message().contains("invalid platform endpoint"), "{err}");
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
    fn unreadable_or_malformed_files_are_config_errors() {
        let env = Environment::new(&[(ENV_TOKEN, "t")], Some(HOME));
        let denied = |_: &Path| -> io::Result<String> {
            Err(io::Error::from(io::ErrorKind::PermissionDenied))
        };
        let err = resolve(&Settings::default(), &env, &denied).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.message().contains(DEFAULT_FILE));

        for bad in [
            "[default\napi_token = x\n",
            "api_token = x\n[default]\n",
            "[default]\nthis line is junk\n",
        ] {
            let case = Case::new().no_files().file(DEFAULT_FILE, bad);
            let err = case.resolve().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{bad:?}: {err:?}");
            assert!(err.message().contains("malformed"), "{}", err.message());
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
}
