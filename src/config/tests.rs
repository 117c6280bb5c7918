//! The configuration's tests: precedence, files, endpoints and the environment,
//! through `resolve` with plain maps.

// The deprecated accessors stay covered here until they are removed.
#![allow(deprecated)]

use super::*;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

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
        shown.contains("platform endpoint: https://cloud.podstack.ai/platform (built-in default)"),
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
