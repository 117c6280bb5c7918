//! Prints who the configured token belongs to, or how to configure one.
//!
//! ```text
//! export PODSTACK_API_TOKEN=your_api_token_here
//! cargo run --example whoami
//! ```
//!
//! Plain blocking Rust with the default client.

use std::process::ExitCode;

use podstack::{Client, Error};

fn run() -> Result<(), Error> {
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
    let user = client.auth().whoami()?;
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

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ Error::Authentication { .. }) if e.status_code().is_none() => {
            eprintln!("{e}");
            eprintln!();
            eprintln!(
                "No token yet? Create one in the Podstack dashboard (Account > API Tokens), then:"
            );
            eprintln!("    export PODSTACK_API_TOKEN=your_api_token_here");
            eprintln!("or try everything locally against the emulator:");
            eprintln!("    cargo run -p podstack-emulator -- --port 8080");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("Authentication failed: {e}");
            ExitCode::FAILURE
        }
    }
}
