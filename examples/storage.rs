//! The documented Storage page, end to end: buckets, objects (files, directories, a
//! multipart upload, presigned URLs, S3 credentials, copy, sync) and NFS volumes
//! mounted in a pod, with progress bars.
//!
//! ```text
//! cargo run --example storage              # against a local emulator: no account, no network
//! cargo run --example storage -- --live    # against your own account (creates billable resources)
//! ```
//!
//! With `--live` the client reads your token and project as usual (`PODSTACK_API_TOKEN`,
//! `PODSTACK_PROJECT`, `~/.podstack/credentials`): storage calls need a project.

mod common;

use std::path::Path;
use std::time::Duration;

use podstack::{
    Client, NewBucket, NewPod, NewVolume, ObjectQuery, SyncDirection, SyncOptions, Visibility,
    VolumeMount,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn storage(client: &Client, workdir: &Path) -> Result<()> {
    let suffix = std::process::id();
    let buckets = client.buckets();

    println!("1. Creating buckets...");
    let bucket = buckets
        .create(&NewBucket::new(format!("my-datasets-{suffix}")).visibility(Visibility::Private))?;
    println!("   Bucket: {} ({})", bucket.name, bucket.id);
    println!("   Endpoint: {}", bucket.endpoint);
    let backup = buckets.create(&NewBucket::new(format!("my-backups-{suffix}")))?;
    for b in buckets.list()? {
        println!("   {}: {} ({:.2} GB)", b.name, b.visibility(), b.size_gb());
    }

    println!("2. Uploading a file, a directory and a large file (multipart)...");
    let data = workdir.join("data.csv");
    std::fs::write(&data, "epoch,loss\n1,0.9\n2,0.5\n")?;
    buckets.upload(&bucket.id, &data, "datasets/data.csv")?;
    let training = workdir.join("training_data");
    for i in 0..5 {
        std::fs::create_dir_all(training.join("shard"))?;
        std::fs::write(
            training.join(format!("shard/part-{i}.txt")),
            format!("sample {i}\n"),
        )?;
    }
    let (options, bar) = common::with_progress_bar("directory");
    buckets.upload_with(&bucket.id, &training, "data/", &options.recursive(true))?;
    bar.finish();
    let model = workdir.join("large_model.pt");
    write_large_file(&model, 24 * 1024 * 1024)?;
    let (options, bar) = common::with_progress_bar("multipart");
    let options = options
        .multipart_threshold(8 * 1024 * 1024)
        .part_size(5 * 1024 * 1024)
        .concurrency(4);
    buckets.upload_with(&bucket.id, &model, "models/model.pt", &options)?;
    bar.finish();

    println!("3. Listing objects...");
    let objects = buckets.list_objects(&bucket.id, &ObjectQuery::new())?;
    for object in &objects {
        println!("   {}: {} bytes", object.key, object.size_bytes);
    }
    let page =
        buckets.list_objects_page(&bucket.id, &ObjectQuery::new().prefix("data/").max_keys(2))?;
    println!(
        "   first page under data/: {} objects, more: {}",
        page.objects.len(),
        page.is_truncated
    );

    println!("4. Downloading a file (parallel ranges) and a directory...");
    let (options, bar) = common::with_progress_bar("download");
    let options = options
        .multipart_threshold(8 * 1024 * 1024)
        .part_size(5 * 1024 * 1024);
    buckets.download_with(
        &bucket.id,
        "models/model.pt",
        workdir.join("model.pt"),
        &options,
    )?;
    bar.finish();
    let (options, bar) = common::with_progress_bar("directory");
    buckets.download_with(
        &bucket.id,
        "data/",
        workdir.join("results"),
        &options.recursive(true),
    )?;
    bar.finish();

    println!("5. Presigned URLs (used without the token)...");
    let download = buckets.presigned_download_url(
        &bucket.id,
        "datasets/data.csv",
        Duration::from_secs(86_400),
    )?;
    client
        .presigned()
        .download(&download.url, workdir.join("shared.csv"))?;
    println!(
        "   downloaded through a URL valid until {}",
        download.expires_at
    );
    let upload = buckets.presigned_upload_url(
        &bucket.id,
        "uploads/user-file.txt",
        Duration::from_secs(3600),
    )?;
    client.presigned().upload(&upload.url, &data)?;
    println!("   uploaded through a presigned PUT");

    println!("6. S3-compatible credentials...");
    let creds = buckets.credentials(&bucket.id)?;
    println!("   Access Key: {}", creds.access_key);
    println!("   Endpoint: {} ({})", creds.endpoint, creds.region);
    println!("   {creds:?}");

    println!("7. Copy between buckets, delete objects...");
    buckets.copy(
        &bucket.id,
        "datasets/data.csv",
        &backup.id,
        "backup/data.csv",
    )?;
    buckets.delete_object(&bucket.id, "uploads/user-file.txt")?;
    let report = buckets.delete_objects(&bucket.id, &["data/shard/part-0.txt", "no/such/key"])?;
    println!(
        "   deleted {:?}; not deleted: {:?}",
        report.deleted,
        report.errors.iter().map(|e| &e.path).collect::<Vec<_>>()
    );

    println!("8. Sync a directory both ways...");
    std::fs::write(
        training.join("shard/part-1.txt"),
        "changed sample, longer now\n",
    )?;
    std::fs::write(training.join("scratch.tmp"), "not for the bucket")?;
    let options = SyncOptions::new(SyncDirection::Upload).exclude("*.tmp");
    let plan = buckets.sync(
        &bucket.id,
        &training,
        "data/",
        &options.clone().dry_run(true),
    )?;
    println!(
        "   plan: copy {:?}, {} unchanged",
        plan.copied, plan.unchanged
    );
    let done = buckets.sync(&bucket.id, &training, "data/", &options)?;
    println!(
        "   uploaded {} files ({} bytes)",
        done.copied.len(),
        done.bytes
    );
    let mirror = workdir.join("mirror");
    let done = buckets.sync(
        &bucket.id,
        &mirror,
        "data/",
        &SyncOptions::new(SyncDirection::Download),
    )?;
    println!(
        "   downloaded {} files into {}",
        done.copied.len(),
        mirror.display()
    );

    println!("9. NFS volumes...");
    let volumes = client.volumes();
    let volume = volumes.create(&NewVolume::new(format!("shared-data-{suffix}"), 100))?;
    println!("   Volume ID: {}", volume.id);
    println!("   NFS: {}:{}", volume.nfs_server, volume.nfs_path);
    let volume = volumes.resize(&volume.id, 200)?;
    println!("   Resized to {} GB", volume.quota_gb);
    for vol in volumes.list()? {
        println!("   {}: {:.1}/{} GB", vol.name, vol.used_gb(), vol.quota_gb);
    }
    println!("   Mount Command: {}", volume.mount_command("/mnt/data"));
    let pod = client.pods().create(
        &NewPod::new("training-pod", "pytorch/pytorch:latest")
            .gpu_type("A100")
            .volume(VolumeMount::new(&volume.id, "/data")),
    )?;
    println!("   Pod {} mounts it at /data", pod.id);

    println!("10. Cleaning up...");
    client.pods().force_delete(&pod.id)?;
    volumes.delete(&volume.id)?;
    buckets.force_delete(&bucket.id)?;
    buckets.force_delete(&backup.id)?;
    println!("   Deleted the pod, the volume and both buckets");

    println!("\nDone!");
    Ok(())
}

/// Writes `len` bytes of a repeating pattern without holding them in memory.
fn write_large_file(path: &Path, len: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let block: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    for _ in 0..len / block.len() {
        file.write_all(&block)?;
    }
    file.flush()
}

fn main() -> Result<()> {
    let (client, _emulator) = common::connect()?;
    let workdir = std::env::temp_dir().join(format!("podstack-storage-{}", std::process::id()));
    std::fs::create_dir_all(&workdir)?;
    let outcome = storage(&client, &workdir);
    let _ = std::fs::remove_dir_all(&workdir);
    outcome
}
