//! The documented Quick Start, end to end.
//!
//! ```text
//! cargo run --example quickstart              # against a local emulator: no account, no network
//! cargo run --example quickstart -- --live    # against your own account (may create billable resources)
//! ```
//!
//! The same source builds blocking (default) and async (`--features async`).

use podstack::{Client, Error, NewProject};
use podstack_emulator::Emulator;

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
async fn quickstart(client: &Client) -> Result<(), Error> {
    println!("1. Who am I?");
    let user = client.auth().whoami().await?;
    println!("   Authenticated as: {} ({})", user.email, user.name);

    println!("2. Check the wallet balance");
    let wallet = client.wallet().balance().await?;
    println!("   Balance: ${:.2} {}", wallet.balance, wallet.currency);

    println!("3. See which GPUs are available");
    for gpu in client.gpus().list().await? {
        println!(
            "   {:<8} {:<24} ${:.2}/hour, {} of {} free",
            gpu.gpu_type, gpu.name, gpu.price_per_hour, gpu.available, gpu.total
        );
    }

    println!("4. Work with projects");
    let project = client
        .projects()
        .create(&NewProject::new("quickstart").description("made by the quickstart example"))
        .await?;
    println!("   Created project {} ({})", project.name, project.id);
    for p in client.projects().list().await? {
        println!("   {}: {}", p.name, p.id);
    }
    client.projects().delete(&project.id).await?;
    println!("   Deleted project {}", project.id);

    println!("Done!");
    Ok(())
}

/// Where the example runs: an emulator it starts, or the user's own configuration.
fn setup() -> Result<(Client, Option<Emulator>), Error> {
    if std::env::args().any(|a| a == "--live") {
        println!("Running against your Podstack account (--live).");
        println!("Note: this creates real resources, which may be billed to your wallet.\n");
        return Ok((Client::new()?, None));
    }
    let emulator = Emulator::builder()
        .pod_start_delay(std::time::Duration::from_millis(300))
        .start();
    println!(
        "Running against a local Podstack emulator at {} (pass --live to use your account).\n",
        emulator.endpoint()
    );
    let client = Client::builder()
        .use_environment(false)
        .api_endpoint(emulator.endpoint())
        .api_token(emulator.token())
        .build()?;
    Ok((client, Some(emulator)))
}

fn finish(result: Result<(), Error>) {
    if let Err(e) = result {
        eprintln!("Quick start failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "async"))]
fn main() {
    finish(setup().and_then(|(client, _emulator)| quickstart(&client)));
}

#[cfg(feature = "async")]
#[tokio::main]
async fn main() {
    let result = match setup() {
        Ok((client, _emulator)) => quickstart(&client).await,
        Err(e) => Err(e),
    };
    finish(result);
}
