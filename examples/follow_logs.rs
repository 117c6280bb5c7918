//! Follow a pod's logs as they are written, as `logs_stream` in the Pods guide.
//!
//! ```text
//! cargo run --example follow_logs                           # a demo pod on a local emulator
//! cargo run --example follow_logs -- --live --pod <pod-id>  # one of your pods; Ctrl-C to stop
//! ```

mod common;

use std::time::Duration;

use common::Client;
use podstack::{LogOptions, NewPod};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[cfg_attr(feature = "blocking", maybe_async::must_be_sync)]
#[cfg_attr(not(feature = "blocking"), maybe_async::must_be_async)]
async fn follow(client: &Client, pod_id: &str) -> Result<()> {
    println!("Last 5 lines:");
    let recent = client
        .pods()
        .logs(pod_id, &LogOptions::new().tail(5))
        .await?;
    print!("{recent}");
    println!("Following (ends when the pod stops):");
    let mut stream = client.pods().follow_logs(pod_id).await?;
    while let Some(line) = stream.next_line().await {
        println!("   | {}", line?);
    }
    println!("The stream ended: the pod stopped.");
    Ok(())
}

/// On the emulator: a pod that writes a line every 200 ms from a background task,
/// and is stopped after two seconds.
#[cfg_attr(feature = "blocking", maybe_async::must_be_sync)]
#[cfg_attr(not(feature = "blocking"), maybe_async::must_be_async)]
async fn demo_pod(client: &Client, emulator: &podstack_emulator::Emulator) -> Result<String> {
    let pod = client
        .pods()
        .create(&NewPod::new("chatty", "ubuntu:24.04"))
        .await?;
    client
        .pods()
        .wait_until_running(&pod.id, Duration::from_secs(60))
        .await?;
    let (endpoint, token, id) = (emulator.endpoint(), emulator.token(), pod.id.clone());
    std::thread::spawn(move || {
        // A second, blocking client, so this also runs beside the async build.
        let agent = ureq::Agent::new_with_defaults();
        let post = |path: String, body: String| {
            let _ = agent
                .post(format!("{endpoint}/v1/pods/{id}/{path}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .send(body);
        };
        for step in 1..=10 {
            std::thread::sleep(Duration::from_millis(200));
            post(
                "exec".into(),
                format!(
                    r#"{{"command":"echo epoch {step}/10 loss=0.{}"}}"#,
                    100 - step * 7
                ),
            );
        }
        post("stop".into(), r#"{"force":false}"#.into());
    });
    Ok(pod.id)
}

#[cfg_attr(feature = "blocking", maybe_async::must_be_sync)]
#[cfg_attr(not(feature = "blocking"), maybe_async::must_be_async)]
async fn run() -> Result<()> {
    let (client, emulator) = common::connect()?;
    let pod_id = match (&emulator, common::arg("--pod")) {
        (_, Some(pod_id)) => pod_id,
        (Some(emulator), None) => demo_pod(&client, emulator).await?,
        (None, None) => return Err("with --live, name the pod: --pod <pod-id>".into()),
    };
    follow(&client, &pod_id).await
}

common::main!(run);
