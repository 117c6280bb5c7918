//! `podstack-emulator [OPTIONS]`: serves the emulated Podstack API until Ctrl-C. Every
//! option sets one knob of [`EmulatorBuilder`], so what a test sets in code can be set
//! for a running server too (`--balance-cents 0` shows a 402 from any language).

use std::time::Duration;

use podstack_emulator::{Emulator, EmulatorBuilder};

const USAGE: &str = "\
podstack-emulator: a local emulator of the Podstack HTTP API

USAGE:
    podstack-emulator [OPTIONS]

OPTIONS (each also as --name=value):
    --port N                   TCP port on 127.0.0.1 (default 8080; 0 picks a free port)
    --pod-start-delay-ms MS    time a pod takes to reach running (default 300)
    --balance-cents CENTS      the demo wallet's starting balance in cents (default 12550;
                               0 or less makes every pod create answer 402)
    --pod-quota N              pods per project that are not deleted (default 10; more is
                               403 quota_exceeded)
    --rate-limit N             requests per second per token (default: no limit; more is
                               429 rate_limited with Retry-After: 1)
    --bandwidth BYTES_PER_SEC  caps every TCP connection, each direction on its own
                               (default: no cap)
    -h, --help                 print this help
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Command {
    /// Print the usage and stop.
    Help,
    /// Serve with these settings.
    Serve(Settings),
}

/// The emulator's settings from the command line, defaults where a flag is absent.
#[derive(Debug, PartialEq)]
struct Settings {
    port: u16,
    pod_start_delay_ms: u64,
    balance_cents: i64,
    pod_quota: u32,
    rate_limit: Option<u32>,
    bandwidth: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            port: 8080,
            pod_start_delay_ms: 300,
            balance_cents: 12_550,
            pod_quota: 10,
            rate_limit: None,
            bandwidth: None,
        }
    }
}

impl Settings {
    /// The builder these settings describe.
    fn builder(&self) -> EmulatorBuilder {
        Emulator::builder()
            .port(self.port)
            .pod_start_delay(Duration::from_millis(self.pod_start_delay_ms))
            .balance_cents(self.balance_cents)
            .pod_quota(self.pod_quota)
            .rate_limit_per_token(self.rate_limit)
            .bandwidth_per_connection(self.bandwidth)
    }
}

/// The value of `flag`, parsed; the error names the flag and the value.
fn value<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: invalid value {value:?}"))
}

/// A positive number for a flag whose zero would mean nothing useful.
fn positive<T: std::str::FromStr + PartialEq + Default>(
    flag: &str,
    v: Option<String>,
) -> Result<T, String> {
    let n: T = value(flag, v)?;
    if n == T::default() {
        return Err(format!("{flag} must be at least 1"));
    }
    Ok(n)
}

/// Reads the arguments (without the program name).
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut settings = Settings::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        // `--name=value` or `--name value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, v)) if flag.starts_with("--") => (flag.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--port",
            "--pod-start-delay-ms",
            "--balance-cents",
            "--pod-quota",
            "--rate-limit",
            "--bandwidth",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {arg}"));
        }
        let v = inline.or_else(|| args.next());
        match flag.as_str() {
            "--port" => settings.port = value(&flag, v)?,
            "--pod-start-delay-ms" => settings.pod_start_delay_ms = value(&flag, v)?,
            "--balance-cents" => settings.balance_cents = value(&flag, v)?,
            "--pod-quota" => settings.pod_quota = value(&flag, v)?,
            "--rate-limit" => settings.rate_limit = Some(positive(&flag, v)?),
            _ => settings.bandwidth = Some(positive(&flag, v)?),
        }
    }
    Ok(Command::Serve(settings))
}

fn main() {
    let settings = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return;
        }
        Ok(Command::Serve(settings)) => settings,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let emu = match settings.builder().try_start() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start on port {}: {e}", settings.port);
            std::process::exit(1);
        }
    };
    println!("Podstack emulator listening on {}", emu.endpoint());
    println!("  API:          {}/v1", emu.endpoint());
    println!("  storage:      {}/api/v1", emu.platform_endpoint());
    println!("  OpenAPI:      {}/_emulator/openapi.json", emu.endpoint());
    println!("  demo token:   {}", emu.token());
    println!("  demo project: {}", emu.project_id());
    println!(
        "  wallet:       {} cents; pod quota {} per project; rate limit {}; bandwidth {}",
        settings.balance_cents,
        settings.pod_quota,
        settings
            .rate_limit
            .map_or("none".to_owned(), |n| format!("{n}/s per token")),
        settings
            .bandwidth
            .map_or("no cap".to_owned(), |n| format!("{n} B/s per connection")),
    );
    println!();
    println!("export PODSTACK_API_ENDPOINT={}", emu.endpoint());
    println!("export PODSTACK_PLATFORM_URL={}", emu.platform_endpoint());
    println!("export PODSTACK_API_TOKEN={}", emu.token());
    println!("export PODSTACK_PROJECT={}", emu.project_id());
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let _ = rt.block_on(tokio::signal::ctrl_c());
    println!("shutting down");
    drop(emu);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn no_arguments_are_the_builder_defaults_on_port_8080() {
        assert_eq!(parse(&[]), Ok(Command::Serve(Settings::default())));
        let d = Settings::default();
        assert_eq!((d.port, d.balance_cents, d.pod_quota), (8080, 12_550, 10));
        assert_eq!((d.rate_limit, d.bandwidth), (None, None));
    }

    #[test]
    fn every_knob_is_read_in_both_spellings() {
        let expected = Settings {
            port: 0,
            pod_start_delay_ms: 0,
            balance_cents: -5,
            pod_quota: 2,
            rate_limit: Some(7),
            bandwidth: Some(65_536),
        };
        let spaced = parse(&[
            "--port",
            "0",
            "--pod-start-delay-ms",
            "0",
            "--balance-cents",
            "-5",
            "--pod-quota",
            "2",
            "--rate-limit",
            "7",
            "--bandwidth",
            "65536",
        ]);
        assert_eq!(spaced, Ok(Command::Serve(expected)));
        let inline = parse(&[
            "--port=0",
            "--pod-start-delay-ms=0",
            "--balance-cents=-5",
            "--pod-quota=2",
            "--rate-limit=7",
            "--bandwidth=65536",
        ]);
        assert_eq!(inline, spaced);
    }

    #[test]
    fn help_wins_and_names_every_flag() {
        assert_eq!(parse(&["--port", "1", "--help"]), Ok(Command::Help));
        assert_eq!(parse(&["-h"]), Ok(Command::Help));
        for flag in [
            "--port",
            "--pod-start-delay-ms",
            "--balance-cents",
            "--pod-quota",
            "--rate-limit",
            "--bandwidth",
        ] {
            assert!(USAGE.contains(flag), "{flag} is not in the usage");
        }
    }

    #[test]
    fn bad_arguments_are_errors_that_name_the_flag() {
        assert_eq!(
            parse(&["--balance-cents"]),
            Err("--balance-cents needs a value".into())
        );
        assert_eq!(
            parse(&["--balance-cents", "ten"]),
            Err("--balance-cents: invalid value \"ten\"".into())
        );
        assert_eq!(
            parse(&["--port", "70000"]),
            Err("--port: invalid value \"70000\"".into())
        );
        assert_eq!(
            parse(&["--rate-limit=0"]),
            Err("--rate-limit must be at least 1".into())
        );
        assert_eq!(
            parse(&["--bandwidth", "0"]),
            Err("--bandwidth must be at least 1".into())
        );
        assert_eq!(
            parse(&["--balance"]),
            Err("unknown argument --balance".into())
        );
        assert_eq!(parse(&["8080"]), Err("unknown argument 8080".into()));
    }
}
