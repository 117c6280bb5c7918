//! What the examples share: where they run (an emulator they start, or the user's own
//! account with `--live`) and a progress bar for transfers. Nothing here is needed to
//! use the SDK: `connect` is `Client::new()` with `--live`, and an emulator's settings
//! otherwise.
#![allow(dead_code)] // each example uses part of it

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use podstack::{Error, TransferOptions};
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

/// The emulator the examples run against without `--live`, or `None` with it.
pub fn emulator() -> Option<Emulator> {
    if live() {
        println!("Running against your Podstack account (--live).");
        println!("Note: this may create real resources, billed to your wallet.\n");
        return None;
    }
    let emulator = Emulator::builder()
        .pod_start_delay(Duration::from_millis(500))
        .start();
    println!(
        "Running against a local Podstack emulator at {} (pass --live to use your account).\n",
        emulator.endpoint()
    );
    Some(emulator)
}

/// A blocking client for the user's account with `--live`, else for an emulator
/// started here (kept alive by the returned handle).
#[cfg(feature = "blocking")]
pub fn connect() -> Result<(podstack::Client, Option<Emulator>), Error> {
    let Some(emulator) = emulator() else {
        return Ok((podstack::Client::new()?, None));
    };
    let client = podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .platform_endpoint(emulator.platform_endpoint())
        .api_token(emulator.token())
        .project_id(emulator.project_id())
        .build()?;
    Ok((client, Some(emulator)))
}

/// The async client's [`connect`], for the `async_*` examples.
#[cfg(feature = "async")]
pub fn connect_async() -> Result<(podstack::nonblocking::Client, Option<Emulator>), Error> {
    let Some(emulator) = emulator() else {
        return Ok((podstack::nonblocking::Client::new()?, None));
    };
    let client = podstack::nonblocking::Client::builder()
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
