//! Follow a pod's logs as they are written, as `logs_stream` in the Pods guide.
//!
//! ```text
//! cargo run --example follow_logs                           # a demo pod on a local emulator
//! cargo run --example follow_logs -- --live --pod <pod-id>  # one of your pods; Ctrl-C to stop
//! ```

mod common;

use std::time::Duration;

use podstack::{Client, LogOptions, NewPod};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn follow(client: &Client, pod_id: &str) -> Result<()> {
    println!("Last 5 lines:");
    let recent = client.pods().logs(pod_id, &LogOptions::new().tail(5))?;
    print!("{recent}");
    println!("Following (ends when the pod stops):");
    let mut stream = client.pods().follow_logs(pod_id)?;
    while let Some(line) = stream.next_line() {
        println!("   | {}", line?);
    }
    println!("The stream ended: the pod stopped.");
    Ok(())
}

/// On the emulator: a pod that writes a line every 200 ms, from a second thread with a
/// clone of the client (clones share one connection pool), and is stopped after two
/// seconds.
fn demo_pod(client: &Client) -> Result<String> {
    let pod = client
        .pods()
        .create(&NewPod::new("chatty", "ubuntu:24.04"))?;
    client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(60))?;
    let (writer, id) = (client.clone(), pod.id.clone());
    std::thread::spawn(move || {
        let pods = writer.pods();
        for step in 1..=10 {
            std::thread::sleep(Duration::from_millis(200));
            let line = format!("echo epoch {step}/10 loss=0.{}", 100 - step * 7);
            if let Err(e) = pods.exec(&id, &line) {
                eprintln!("exec failed: {e}");
            }
        }
        if let Err(e) = pods.stop(&id) {
            eprintln!("stop failed: {e}");
        }
    });
    Ok(pod.id)
}

fn main() -> Result<()> {
    let (client, emulator) = common::connect()?;
    let pod_id = match (&emulator, common::arg("--pod")) {
        (_, Some(pod_id)) => pod_id,
        (Some(_), None) => demo_pod(&client)?,
        (None, None) => return Err("with --live, name the pod: --pod <pod-id>".into()),
    };
    follow(&client, &pod_id)
}
