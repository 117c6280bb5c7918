//! `podstack-emulator [--port N]`: serves the emulated Podstack API until Ctrl-C.

use std::time::Duration;

use podstack_emulator::Emulator;

const USAGE: &str = "\
podstack-emulator: a local emulator of the Podstack HTTP API

USAGE:
    podstack-emulator [--port N] [--pod-start-delay-ms MS]

OPTIONS:
    --port N                 TCP port on 127.0.0.1 (default 8080; 0 picks a free port)
    --pod-start-delay-ms MS  time a pod takes to reach running (default 300)
    -h, --help               print this help
";

fn parse<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
    v.ok_or_else(|| format!("{flag} needs a value"))?
        .parse()
        .map_err(|_| format!("{flag}: invalid value"))
}

fn main() {
    let mut port: u16 = 8080;
    let mut delay_ms: u64 = 300;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let res = match a.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return;
            }
            "--port" => parse("--port", args.next()).map(|p| port = p),
            "--pod-start-delay-ms" => {
                parse("--pod-start-delay-ms", args.next()).map(|d| delay_ms = d)
            }
            other => match other.strip_prefix("--port=") {
                Some(v) => parse("--port", Some(v.to_string())).map(|p| port = p),
                None => Err(format!("unknown argument {other}")),
            },
        };
        if let Err(e) = res {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    }
    let emu = match Emulator::builder()
        .port(port)
        .pod_start_delay(Duration::from_millis(delay_ms))
        .try_start()
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start on port {port}: {e}");
            std::process::exit(1);
        }
    };
    println!("Podstack emulator listening on {}", emu.endpoint());
    println!("  API:          {}/v1", emu.endpoint());
    println!("  storage:      {}/api/v1", emu.platform_endpoint());
    println!("  OpenAPI:      {}/_emulator/openapi.json", emu.endpoint());
    println!("  demo token:   {}", emu.token());
    println!("  demo project: {}", emu.project_id());
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
