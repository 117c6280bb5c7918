//! Prints who the configured token belongs to, or how to configure one.
//!
//! ```text
//! export PODSTACK_API_TOKEN=your_api_token_here
//! cargo run --example whoami
//! ```
//!
//! The same source builds blocking (default) and async-only (`--no-default-features --features async`): the
//! `maybe_async` attributes remove `.await` in the blocking build.

#[cfg(not(feature = "blocking"))]
use podstack::nonblocking::Client;
#[cfg(feature = "blocking")]
use podstack::Client;
use podstack::Error;

#[cfg_attr(feature = "blocking", maybe_async::must_be_sync)]
#[cfg_attr(not(feature = "blocking"), maybe_async::must_be_async)]
async fn run() -> Result<(), Error> {
    let client = Client::new()?;
    let config = client.config();
    println!("Token from: {}", config.api_token_source());
    println!(
        "Endpoint:   {} (from {})",
        config.api_endpoint(),
        config.api_endpoint_source()
    );
    if let (Some(project), Some(source)) = (config.project_id(), config.project_id_source()) {
        println!("Project:    {project} (from {source})");
    }
    let user = client.auth().whoami().await?;
    println!("Authenticated as: {} <{}>", user.name, user.email);
    println!("Account:          {}", user.account_id);
    println!(
        "Token:            {} ({}), expires {}",
        user.token.name,
        user.token.prefix,
        user.token.expires_at.as_deref().unwrap_or("never")
    );
    Ok(())
}

fn report(result: Result<(), Error>) {
    match result {
        Ok(()) => {}
        Err(e @ Error::Authentication { .. }) if e.status_code().is_none() => {
            eprintln!("{e}");
            eprintln!();
            eprintln!(
                "No token yet? Create one in the Podstack dashboard (Account > API Tokens), then:"
            );
            eprintln!("    export PODSTACK_API_TOKEN=your_api_token_here");
            eprintln!("or try everything locally against the emulator:");
            eprintln!("    cargo run -p podstack-emulator -- --port 8080");
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("Authentication failed: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(feature = "blocking")]
fn main() {
    report(run());
}

#[cfg(not(feature = "blocking"))]
#[tokio::main]
async fn main() {
    report(run().await);
}
