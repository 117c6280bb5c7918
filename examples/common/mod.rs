//! What the examples share: where they run (an emulator they start, or the user's own
//! account with `--live`) and a progress bar for transfers.
#![allow(dead_code)] // each example uses part of it

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use podstack::{Error, TransferOptions};

#[cfg(not(feature = "blocking"))]
pub use podstack::nonblocking::Client;
/// The client the examples run: the blocking one when its feature is on (the
/// default), else the async one.
#[cfg(feature = "blocking")]
pub use podstack::Client;
use podstack_emulator::Emulator;

/// Whether `--live` was passed.
pub fn live() -> bool {
    std::env::args().any(|a| a == "--live")
}

/// The value after `--name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let mut args = std::env::args().skip_while(|a| a != name);
    args.next();
    args.next()
}

/// A client for the user's account with `--live`, else for an emulator started here
/// (kept alive by the returned handle).
pub fn connect() -> Result<(Client, Option<Emulator>), Error> {
    if live() {
        println!("Running against your Podstack account (--live).");
        println!("Note: this may create real resources, billed to your wallet.\n");
        return Ok((Client::new()?, None));
    }
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::from_millis(500))
        .start();
    println!(
        "Running against a local Podstack emulator at {} (pass --live to use your account).\n",
        emulator.endpoint()
    );
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .build()?;
    Ok((client, Some(emulator)))
}

/// Transfer options that draw a progress bar.
pub fn with_progress_bar(label: &str) -> (TransferOptions, ProgressBar) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "   {msg:<10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    let handle = bar.clone();
    let options = TransferOptions::new().progress(move |done, total| {
        handle.set_length(total);
        handle.set_position(done);
    });
    (options, bar)
}

/// Prints the error and exits non-zero.
pub fn finish(result: Result<(), Box<dyn std::error::Error>>) {
    if let Err(e) = result {
        eprintln!("Failed: {e}");
        std::process::exit(1);
    }
}

/// The `main` of an example whose `run()` is written once for both builds: a plain
/// call in the blocking build, awaited on a tokio runtime in the async one.
macro_rules! main {
    ($run:ident) => {
        #[cfg(feature = "blocking")]
        fn main() {
            common::finish($run());
        }

        #[cfg(not(feature = "blocking"))]
        #[tokio::main]
        async fn main() {
            common::finish($run().await);
        }
    };
}
pub(crate) use main;
