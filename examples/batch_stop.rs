//! Batch operations from the Pods guide: stop every running pod in a project, then
//! delete every stopped pod.
//!
//! ```text
//! cargo run --example batch_stop                                  # on a local emulator with demo pods
//! cargo run --example batch_stop -- --live --project <project-id> # on your account: stops real pods
//! ```

mod common;

use std::time::Duration;

use podstack::{Client, NewPod, PodFilter, PodStatus};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn batch_stop(client: &Client, project_id: &str) -> Result<()> {
    // Stop all running pods in the project.
    let running = client.pods().list(
        &PodFilter::new()
            .project_id(project_id)
            .status(PodStatus::Running),
    )?;
    println!("{} running pod(s) in project {project_id}", running.len());
    for pod in &running {
        client.pods().stop(&pod.id)?;
        println!("   stopped {} ({})", pod.name, pod.id);
    }

    // Delete all stopped pods.
    let stopped = client
        .pods()
        .list(&PodFilter::new().status(PodStatus::Stopped))?;
    println!("{} stopped pod(s)", stopped.len());
    for pod in &stopped {
        client.pods().delete(&pod.id)?;
        println!("   deleted {} ({})", pod.name, pod.id);
    }
    Ok(())
}

/// On the emulator there is nothing to stop yet: make three running demo pods.
fn demo_pods(client: &Client) -> Result<()> {
    for name in ["train-a", "train-b", "notebook"] {
        let pod = client
            .pods()
            .create(&NewPod::new(name, "pytorch/pytorch:latest"))?;
        client
            .pods()
            .wait_until_running(&pod.id, Duration::from_secs(60))?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let (client, emulator) = common::connect()?;
    let project_id = match (&emulator, common::arg("--project")) {
        (_, Some(project_id)) => project_id,
        (Some(emulator), None) => {
            demo_pods(&client)?;
            emulator.project_id()
        }
        (None, None) => return Err("with --live, name the project: --project <project-id>".into()),
    };
    batch_stop(&client, &project_id)
}
