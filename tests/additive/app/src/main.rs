//! Calls both clients in one process against the emulator; exits non-zero if either
//! fails or they disagree.

use podstack_emulator::Emulator;

#[tokio::main]
async fn main() {
    let emulator = Emulator::start();
    let (endpoint, token) = (emulator.endpoint(), emulator.token());

    // The blocking client does not belong on an async worker thread.
    let blocking = {
        let (endpoint, token) = (endpoint.clone(), token.clone());
        tokio::task::spawn_blocking(move || additive_blocking_user::whoami_email(&endpoint, &token))
            .await
            .expect("the blocking call ran")
    };
    let nonblocking = additive_async_user::whoami_email(&endpoint, &token).await;

    match (blocking, nonblocking) {
        (Ok(a), Ok(b)) if a == b => println!("blocking and async clients both answered {a}"),
        other => {
            eprintln!("the two clients did not both succeed alike: {other:?}");
            std::process::exit(1);
        }
    }
}
