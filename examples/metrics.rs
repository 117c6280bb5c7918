//! A pod's metrics and events, as in the Pods guide.
//!
//! ```text
//! cargo run --example metrics                           # a demo pod on a local emulator
//! cargo run --example metrics -- --live --pod <pod-id>  # one of your pods
//! ```

mod common;

use std::time::Duration;

use podstack::{Client, NewPod};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn show(client: &Client, pod_id: &str) -> Result<()> {
    let pod = client.pods().get(pod_id)?;
    println!("Name:    {}", pod.name);
    println!("Status:  {}", pod.status);
    println!(
        "GPU:     {} x {}",
        pod.gpu_type.as_deref().unwrap_or("none"),
        pod.gpu_count
    );
    println!("CPU:     {} cores", pod.cpu);
    println!("Memory:  {} GB", pod.memory);

    let metrics = client.pods().metrics(pod_id)?;
    println!("GPU Utilization: {}%", metrics.gpu_utilization);
    println!(
        "GPU Memory:      {}/{} GB",
        metrics.gpu_memory_used, metrics.gpu_memory_total
    );
    println!("CPU Usage:       {}%", metrics.cpu_usage);
    println!(
        "Memory Usage:    {}/{} GB",
        metrics.memory_used, metrics.memory_total
    );

    println!("Events:");
    for event in client.pods().events(pod_id)? {
        println!(
            "   {}: {} - {}",
            event.timestamp, event.event_type, event.message
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let (client, emulator) = common::connect()?;
    let pod_id = match (&emulator, common::arg("--pod")) {
        (_, Some(pod_id)) => pod_id,
        (Some(_), None) => {
            let pod = client
                .pods()
                .create(&NewPod::new("metrics-demo", "pytorch/pytorch:latest").gpu_type("A100"))?;
            client
                .pods()
                .wait_until_running(&pod.id, Duration::from_secs(60))?
                .id
        }
        (None, None) => return Err("with --live, name the pod: --pod <pod-id>".into()),
    };
    show(&client, &pod_id)
}
