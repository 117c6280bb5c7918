//! A storage script written from the README alone, with the blocking client: put 30 small
//! objects from memory, list them, and get one back into a `Vec<u8>`; then stream one
//! up from a reader and down into a writer. No temporary files.
//!
//! ```text
//! cargo run --example objects_in_memory              # against a local emulator
//! cargo run --example objects_in_memory -- --live    # against your account (needs a project)
//! ```

use std::io::Cursor;

use podstack::{Client, NewBucket, ObjectQuery};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|arg| arg == "--live");
    // The emulator lives as long as `main`; a live run reads the usual settings.
    let emulator = (!live).then(podstack_emulator::Emulator::start);
    let client = match &emulator {
        Some(emulator) => Client::builder()
            .use_environment(false)
            .api_endpoint(emulator.endpoint())
            .platform_endpoint(emulator.platform_endpoint())
            .project_id(emulator.project_id())
            .api_token(emulator.token())
            .build()?,
        None => Client::new()?,
    };
    let buckets = client.buckets();
    let bucket = buckets.create(&NewBucket::new(format!("records-{}", std::process::id())))?;

    for i in 0..30 {
        let record = format!("{{\"id\": {i}, \"value\": {}}}\n", i * i);
        buckets.put_object(&bucket.id, &format!("records/{i:02}.json"), record)?;
    }
    let objects = buckets.list_objects(&bucket.id, &ObjectQuery::new().prefix("records/"))?;
    println!("{} objects under records/", objects.len());

    let bytes: Vec<u8> = buckets.get_object(&bucket.id, "records/07.json")?.to_vec();
    print!("records/07.json: {}", String::from_utf8_lossy(&bytes));

    // Any reader up (never retried: a reader is read once), any writer down.
    let report = b"name,score\nada,10\n".to_vec();
    let len = report.len() as u64;
    buckets.upload_reader(
        &bucket.id,
        "reports/scores.csv",
        Cursor::new(report),
        Some(len),
    )?;
    let mut out = Vec::new();
    let written = buckets.download_to_writer(&bucket.id, "reports/scores.csv", &mut out)?;
    println!("reports/scores.csv: {written} bytes back");

    buckets.force_delete(&bucket.id)?;
    Ok(())
}
