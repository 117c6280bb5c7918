//! Entry points for the fuzz targets in `fuzz/`. Compiled only with `--cfg fuzzing`
//! (which `cargo fuzz` sets), so it is no part of the public API. Each function panics
//! only when a property the SDK promises is broken.

use std::path::Path;

use crate::config::{self, Environment, Settings};
use crate::error::redact::Redactor;
use crate::error::{self, ErrorResponse};
use crate::net::lines::{LineSplitter, MAX_LINE};

const SECRET: &str = "podstack_fz_s3cr3tvalue";

/// Resolves a configuration whose default credentials file holds `data[1..]`; the bits
/// of `data[0]` choose what else is set (a named profile, tokens, aliases, endpoints).
pub fn credentials(data: &[u8]) {
    let (flags, file) = data.split_first().map_or((0, data), |(f, rest)| (*f, rest));
    let mut settings = Settings::default();
    let mut vars = Vec::new();
    if flags & 1 != 0 {
        settings.profile = Some("default".into());
    }
    if flags & 2 != 0 {
        vars.push((config::ENV_PROFILE, "prod"));
    }
    if flags & 4 != 0 {
        settings.api_token = Some(config::ApiToken::new(SECRET));
    }
    if flags & 8 != 0 {
        vars.push((config::ENV_TOKEN_PYTHON, SECRET));
    }
    if flags & 16 != 0 {
        settings.project_id = Some("prj".into());
        settings.api_endpoint = Some("https://api.podstack.ai/v1".into());
        settings.platform_endpoint = Some("https://cloud.podstack.ai/platform".into());
    }
    settings.allow_insecure_http = flags & 32 != 0;
    let env = Environment::new(&vars, Some("/home/fuzz"));
    let read = |_: &Path| Ok(file.to_vec().into());
    match config::resolve(&settings, &env, &read) {
        Ok(config) => {
            assert!(!config.token.expose().is_empty());
            assert!(config.token.expose().bytes().all(|b| b.is_ascii_graphic()));
            assert!(!config.api_endpoint().ends_with('/'));
            assert!(!format!("{config:?}").contains(config.token.expose()));
        }
        Err(error) => {
            // A token from the file is never quoted back, whatever is wrong.
            let text = format!("{error} {error:?}");
            assert!(!text.contains(SECRET), "{text}");
        }
    }
    if let Ok(text) = std::str::from_utf8(file) {
        for line in text.lines().take(64) {
            let _ = config::validate_endpoint(line, flags & 32 != 0);
        }
    }
}

/// Maps an answer to an [`Error`](crate::Error): `data` is two bytes of status, then
/// `X-Request-Id` and `Retry-After` values each up to a `\n`, then the body. The token
/// never survives redaction.
pub fn error_response(data: &[u8]) {
    let status = match data {
        [a, b, ..] => u16::from_be_bytes([*a, *b]) % 1000,
        _ => 500,
    };
    let rest = data.get(2..).unwrap_or_default();
    let mut parts = rest.splitn(3, |&b| b == b'\n');
    let request_id = parts.next().map(String::from_utf8_lossy);
    let retry_after = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();
    let error = error::from_response(&ErrorResponse {
        status,
        request_id: request_id.as_deref(),
        retry_after: retry_after.as_deref(),
        body,
    });
    assert_eq!(error.status_code(), Some(status));
    let error = error.redact(&Redactor::new(SECRET));
    let text = format!("{error} {error:?}");
    assert!(!text.contains(SECRET), "{text}");
}

/// Cuts `data` into lines, pushed in pieces whose sizes come from the data itself.
pub fn lines(data: &[u8]) {
    let mut splitter = LineSplitter::default();
    let mut rest = data;
    let mut lines = 0usize;
    while !rest.is_empty() {
        let size = (usize::from(rest[0]) + 1).min(rest.len());
        let (piece, tail) = rest.split_at(size);
        splitter.push(piece);
        while let Some(line) = splitter.next_line() {
            // from_utf8_lossy may turn one byte into three.
            assert!(line.len() <= 3 * MAX_LINE);
            lines += 1;
        }
        rest = tail;
    }
    if let Some(last) = splitter.finish() {
        assert!(!last.is_empty() || data.ends_with(b"\r"));
        lines += 1;
    }
    assert!(splitter.finish().is_none());
    assert!(lines <= data.len());
}

/// Decodes `data` as every response model; none may panic.
pub fn models(data: &[u8]) {
    fn decode<T: serde::de::DeserializeOwned>(data: &[u8]) {
        let _ = serde_json::from_slice::<T>(data);
    }
    use crate::models::*;
    decode::<Pod>(data);
    decode::<PodStatus>(data);
    decode::<Task>(data);
    decode::<TaskState>(data);
    decode::<Template>(data);
    decode::<Project>(data);
    decode::<User>(data);
    decode::<TokenInfo>(data);
    decode::<Gpu>(data);
    decode::<WalletBalance>(data);
    decode::<Usage>(data);
    decode::<UsageEntry>(data);
    decode::<Pricing>(data);
    decode::<Price>(data);
    decode::<ExecResult>(data);
    decode::<PodMetrics>(data);
    decode::<PodEvent>(data);
    decode::<PodFile>(data);
    decode::<VolumeMount>(data);
    decode::<PodList>(data);
    decode::<ProjectList>(data);
    decode::<EventList>(data);
    decode::<FileList>(data);
    decode::<GpuList>(data);
    decode::<TemplateList>(data);
    decode::<Bucket>(data);
    decode::<StoredObject>(data);
    decode::<ObjectPage>(data);
    decode::<Volume>(data);
    decode::<DeleteObjectsReport>(data);
    decode::<PresignedUrl>(data);
    decode::<S3Credentials>(data);
    decode::<AnyList<Bucket>>(data);
    decode::<AnyList<Volume>>(data);
}
