//! Loads `PODSTACK_API_TOKEN` and `PODSTACK_PROJECT` from a `.env` file, as the
//! authentication guide shows with python-dotenv, here with `dotenvy`.
//!
//! ```text
//! printf 'PODSTACK_API_TOKEN=your_token_here\nPODSTACK_PROJECT=your_project_id\n' > .env
//! cargo run --example dotenv
//! ```
//!
//! Keep `.env` out of version control (this repository's `.gitignore` lists `.env` and
//! `.env.local`).

#[cfg(not(feature = "blocking"))]
use podstack::nonblocking::Client;
#[cfg(feature = "blocking")]
use podstack::Client;
use podstack::Error;

#[cfg_attr(feature = "blocking", maybe_async::must_be_sync)]
#[cfg_attr(not(feature = "blocking"), maybe_async::must_be_async)]
async fn run() -> Result<(), Error> {
    // Variables already set in the environment win over the file.
    match dotenvy::dotenv() {
        Ok(path) => println!("Loaded {}", path.display()),
        Err(e) if e.not_found() => println!("No .env file found; using the environment as it is"),
        Err(e) => println!("Could not read .env: {e}"),
    }
    let client = Client::new()?;
    let user = client.auth().whoami().await?;
    println!("Authenticated as: {}", user.email);
    Ok(())
}

#[cfg(feature = "blocking")]
fn main() {
    if let Err(e) = run() {
        eprintln!("Authentication failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "blocking"))]
#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("Authentication failed: {e}");
        std::process::exit(1);
    }
}
