//! The docs' "S3 Compatible Access" section in Rust: create a bucket, get its S3
//! credentials, and use the bucket through `object_store` (the crate DataFusion, Polars,
//! delta-rs and Lance read through): put, get, and list with a delimiter.
//!
//! ```text
//! cargo run --example s3 --features object-store              # against a local emulator
//! cargo run --example s3 --features object-store -- --live    # against your own account
//! ```
//!
//! With `--live` the client reads your token and project as usual (`PODSTACK_API_TOKEN`,
//! `PODSTACK_PROJECT`, `~/.podstack/credentials`); the bucket it creates is deleted at
//! the end.

mod common;

use object_store::aws::AmazonS3;
use object_store::path::Path;
use object_store::{ListResult, ObjectStore, ObjectStoreExt};
use podstack::{Client, NewBucket};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The store's part: `object_store` is async, whichever client made the store.
async fn use_store(store: &AmazonS3) -> Result<ListResult> {
    println!("3. Writing through object_store...");
    for (key, text) in [
        ("datasets/train/part-0.csv", "x,y\n1,2\n"),
        ("datasets/train/part-1.csv", "x,y\n3,4\n"),
        ("datasets/test.csv", "x,y\n5,6\n"),
        ("README.txt", "toy data\n"),
    ] {
        let put = store.put(&Path::from(key), text.into()).await?;
        println!("   put {key} (etag {})", put.e_tag.unwrap_or_default());
    }
    println!("4. Reading it back...");
    let bytes = store
        .get(&Path::from("datasets/test.csv"))
        .await?
        .bytes()
        .await?;
    println!(
        "   datasets/test.csv: {:?}",
        String::from_utf8_lossy(&bytes)
    );
    println!("5. Listing datasets/ with a delimiter...");
    Ok(store
        .list_with_delimiter(Some(&Path::from("datasets")))
        .await?)
}

/// Runs the store's part on a runtime of its own: `object_store` is async, and this
/// program (the blocking client) has no runtime otherwise.
fn on_runtime<T>(future: impl std::future::Future<Output = T>) -> Result<T> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(future))
}

fn s3(client: &Client) -> Result<()> {
    let buckets = client.buckets();
    println!("1. Creating a bucket...");
    let bucket = buckets.create(&NewBucket::new(format!(
        "my-datasets-{}",
        std::process::id()
    )))?;
    println!("   Bucket: {} ({})", bucket.name, bucket.id);

    println!("2. Getting its S3 credentials...");
    let creds = buckets.credentials(&bucket.id)?;
    println!("   Access Key: {}", creds.access_key);
    println!("   Secret Key: (not printed)");
    println!("   Endpoint: {}", creds.endpoint);
    println!("   Region: {}", creds.region);
    // `buckets.object_store(&bucket.id)` does these two steps in one call.
    let store = creds.object_store(&bucket.name)?;

    let listing = on_runtime(use_store(&store))??;
    for prefix in &listing.common_prefixes {
        println!("   {prefix}/");
    }
    for object in &listing.objects {
        println!("   {} ({} bytes)", object.location, object.size);
    }

    println!("6. Cleaning up...");
    buckets.force_delete(&bucket.id)?;
    println!("   Deleted bucket {}", bucket.name);
    Ok(())
}

fn main() -> Result<()> {
    let (client, _emulator) = common::connect()?;
    s3(&client)
}
