//! The quick start of `examples/quickstart.rs` on the async client
//! (`podstack::nonblocking::Client`, `features = ["async"]`): the same calls, each
//! `.await`ed, inside `#[tokio::main]`.
//!
//! ```text
//! cargo run --example async_quickstart --features async              # on a local emulator
//! cargo run --example async_quickstart --features async -- --live    # on your account (billable)
//! ```
//!
//! For many calls at once, see `examples/async_concurrency.rs`.

mod common;

use std::time::Duration;

use podstack::nonblocking::Client;
use podstack::NewPod;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn quickstart(client: &Client) -> Result<()> {
    let user = client.auth().whoami().await?;
    println!("Authenticated as: {}", user.email);
    let wallet = client.wallet().balance().await?;
    println!("Balance: ${:.2} {}\n", wallet.balance, wallet.currency);

    println!("1. Creating pod...");
    let pod = client
        .pods()
        .create(
            &NewPod::new(
                "my-first-pod",
                "pytorch/pytorch:2.0.0-cuda11.7-cudnn8-runtime",
            )
            .gpu_type("A100")
            .gpu_count(1)
            .cpu(4)
            .memory_gb(16)
            .disk_gb(50),
        )
        .await?;
    println!("   Pod created: {} (status: {})", pod.id, pod.status);

    println!("2. Waiting for pod to start...");
    let pod = client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(300))
        .await?;
    println!(
        "   Pod is ready! SSH: {}",
        pod.ssh_command.as_deref().unwrap_or("-")
    );

    println!("3. Running nvidia-smi...");
    let result = client.pods().exec(&pod.id, "nvidia-smi").await?;
    for line in result.output.lines().take(12) {
        println!("   | {line}");
    }

    println!("4. Uploading training code...");
    let workdir = std::env::temp_dir().join(format!("podstack-quickstart-{}", std::process::id()));
    tokio::fs::create_dir_all(&workdir).await?;
    let script = workdir.join("train.py");
    tokio::fs::write(&script, TRAIN_PY).await?;
    let (options, bar) = common::with_progress_bar("upload");
    client
        .pods()
        .upload_with(&pod.id, &script, "/workspace/train.py", &options)
        .await?;
    bar.finish();

    println!("5. Starting training...");
    let result = client
        .pods()
        .exec_with_timeout(
            &pod.id,
            "python /workspace/train.py > /workspace/results.txt",
            Duration::from_secs(3600),
        )
        .await?;
    println!("   Exit code: {}", result.exit_code);

    println!("6. Downloading results...");
    let results = workdir.join("results.txt");
    let (options, bar) = common::with_progress_bar("download");
    client
        .pods()
        .download_with(&pod.id, "/workspace/results.txt", &results, &options)
        .await?;
    bar.finish();
    let text = tokio::fs::read_to_string(&results)
        .await
        .unwrap_or_default();
    println!("   {} says: {}", results.display(), text.trim());

    println!("7. Cleaning up...");
    client.pods().stop(&pod.id).await?;
    println!("   Stopped {}", pod.id);
    client.pods().delete(&pod.id).await?;
    println!("   Deleted {}", pod.id);
    let _ = tokio::fs::remove_dir_all(&workdir).await;

    println!("\nDone!");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    // `Client::new()` with `--live`; a client of a local emulator otherwise.
    let (client, _emulator) = common::connect_async()?;
    quickstart(&client).await
}

const TRAIN_PY: &str = "import torch\nprint('training on', torch.cuda.get_device_name(0))\n";
