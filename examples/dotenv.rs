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

use podstack::Client;

fn main() -> Result<(), podstack::Error> {
    // Variables already set in the environment win over the file.
    match dotenvy::dotenv() {
        Ok(path) => println!("Loaded {}", path.display()),
        Err(e) if e.not_found() => println!("No .env file found; using the environment as it is"),
        Err(e) => println!("Could not read .env: {e}"),
    }
    let client = Client::new()?;
    let user = client.auth().whoami()?;
    println!("Authenticated as: {}", user.email);
    Ok(())
}
