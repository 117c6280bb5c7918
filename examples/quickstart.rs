//! The documented Quick Start, end to end: create a GPU pod, wait for it, run
//! `nvidia-smi`, upload a script, run it, download the result, stop and delete.
//!
//! ```text
//! cargo run --example quickstart              # against a local emulator: no account, no network
//! cargo run --example quickstart -- --live    # against your own account (creates billable resources)
//! ```
//!
//! Plain blocking Rust with the default client: every snippet compiles in a `fn main`.
//! The same workflow on the async client is `examples/async_quickstart.rs`.

mod common;

use std::time::Duration;

use podstack::{Client, NewPod};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn quickstart(client: &Client) -> Result<()> {
    let user = client.auth().whoami()?;
    println!("Authenticated as: {}", user.email);
    let wallet = client.wallet().balance()?;
    println!("Balance: ${:.2} {}\n", wallet.balance, wallet.currency);

    println!("1. Creating pod...");
    let pod = client.pods().create(
        &NewPod::new(
            "my-first-pod",
            "pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime",
        )
        .gpu_type("A100")
        .gpu_count(1)
        .cpu(4)
        .memory_gb(16)
        .disk_gb(50),
    )?;
    println!("   Pod created: {} (status: {})", pod.id, pod.status);

    println!("2. Waiting for pod to start...");
    let pod = client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(300))?;
    println!(
        "   Pod is ready! SSH: {}",
        pod.ssh_command.as_deref().unwrap_or("-")
    );

    println!("3. Running nvidia-smi...");
    let result = client.pods().exec(&pod.id, "nvidia-smi")?;
    for line in result.output.lines().take(12) {
        println!("   | {line}");
    }

    println!("4. Uploading training code...");
    let workdir = std::env::temp_dir().join(format!("podstack-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&workdir)?;
    let script = workdir.join("train.py");
    std::fs::write(&script, TRAIN_PY)?;
    let (options, bar) = common::with_progress_bar("upload");
    client
        .pods()
        .upload_with(&pod.id, &script, "/workspace/train.py", &options)?;
    bar.finish();

    println!("5. Starting training...");
    let result = client.pods().exec_with_timeout(
        &pod.id,
        "python /workspace/train.py > /workspace/results.txt",
        Duration::from_secs(3600),
    )?;
    println!("   Exit code: {}", result.exit_code);

    println!("6. Downloading results...");
    let results = workdir.join("results.txt");
    let (options, bar) = common::with_progress_bar("download");
    client
        .pods()
        .download_with(&pod.id, "/workspace/results.txt", &results, &options)?;
    bar.finish();
    let text = std::fs::read_to_string(&results).unwrap_or_default();
    println!("   {} says: {}", results.display(), text.trim());

    println!("7. Cleaning up...");
    client.pods().stop(&pod.id)?;
    println!("   Stopped {}", pod.id);
    client.pods().delete(&pod.id)?;
    println!("   Deleted {}", pod.id);
    let _ = std::fs::remove_dir_all(&workdir);

    println!("\nDone!");
    Ok(())
}

fn main() -> Result<()> {
    // `Client::new()` with `--live`; a client of a local emulator otherwise.
    let (client, _emulator) = common::connect()?;
    quickstart(&client)
}

const TRAIN_PY: &str = "import torch\nprint('training on', torch.cuda.get_device_name(0))\n";
