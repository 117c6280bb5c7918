//! Fifty calls in flight at once on the async client, three ways: spawned tasks in a
//! `JoinSet` (each owns a clone of the client), `join_all` over borrowed futures, and a
//! stream that keeps at most eight in flight.
//!
//! ```text
//! cargo run --example async_concurrency --features async              # on a local emulator
//! cargo run --example async_concurrency --features async -- --live    # on your account (creates 3 pods)
//! ```
//!
//! A `podstack::nonblocking::Client` is an `Arc` inside: `clone()` is cheap and every
//! clone shares one connection pool, so fifty calls reuse a handful of connections.

mod common;

use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use podstack::nonblocking::Client;
use podstack::NewPod;
use tokio::task::JoinSet;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const CALLS: usize = 50;

async fn concurrency(client: &Client) -> Result<()> {
    println!("Creating 3 pods at once...");
    let pods = client.pods();
    let specs: Vec<NewPod> = (0..3)
        .map(|i| NewPod::new(format!("worker-{i}"), "pytorch/pytorch:latest"))
        .collect();
    let created = futures_util::future::join_all(specs.iter().map(|spec| pods.create(spec))).await;
    let mut ids = Vec::new();
    for pod in created {
        ids.push(pod?.id);
    }
    println!("   {ids:?}");

    println!("1. {CALLS} spawned tasks in a JoinSet, each with its own clone of the client...");
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..CALLS {
        let client = client.clone(); // 'static: the task owns it
        let id = ids[i % ids.len()].clone();
        tasks.spawn(async move {
            let pod = client.pods().get(&id).await?;
            Ok::<_, podstack::Error>((i, pod.status))
        });
    }
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (_i, _status) = joined??; // a panicked task, then the call's own error
        done += 1;
    }
    println!("   {done} calls in {:?}", started.elapsed());

    println!("2. join_all over {CALLS} borrowed futures (no spawn, no clone)...");
    let started = Instant::now();
    let calls = (0..CALLS).map(|i| pods.metrics(&ids[i % ids.len()]));
    let metrics = futures_util::future::join_all(calls).await;
    let ok = metrics.iter().filter(|m| m.is_ok()).count();
    println!("   {ok} of {CALLS} answered in {:?}", started.elapsed());

    println!("3. {CALLS} calls, at most 8 in flight (buffer_unordered)...");
    let started = Instant::now();
    let mut results = stream::iter(0..CALLS)
        .map(|i| pods.events(&ids[i % ids.len()]))
        .buffer_unordered(8);
    let mut events = 0;
    while let Some(result) = results.next().await {
        events += result?.len();
    }
    println!("   {events} events in {:?}", started.elapsed());

    println!("Cleaning up...");
    let deletes = ids.iter().map(|id| pods.force_delete(id));
    for deleted in futures_util::future::join_all(deletes).await {
        deleted?;
    }
    println!("   deleted {} pods", ids.len());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, emulator) = common::connect_async()?;
    concurrency(&client).await?;
    if let Some(emulator) = emulator {
        println!(
            "\nThe emulator accepted {} connections for {} calls.",
            emulator.stats().connections_accepted,
            3 * CALLS + 6
        );
    }
    Ok(())
}
