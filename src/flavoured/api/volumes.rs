//! NFS volumes, on the platform service (`{platform}/api/v1/storage`). The wire of each
//! call is in `wire/storage.rs`.

use super::{flavour, Client};
use crate::models::AnyList;
use crate::wire::storage as wire;
use crate::{models::Volume, NewVolume, Result};

/// Volume calls. Get one with [`Client::volumes`]. Every call needs a project (storage
/// is project-scoped): without one it fails with [`Error::Config`](crate::Error::Config)
/// and sends nothing. Mount a volume in a pod with
/// [`NewPod::volume`](crate::NewPod::volume).
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Volumes {
    client: Client,
}

impl Volumes {
    pub(crate) fn new(client: &Client) -> Self {
        Volumes {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Volumes {
    /// Creates a volume. Safe to retry: the request carries an idempotency key.
    #[doc = doc_example!(
        "use podstack::NewVolume;\n\n"
        "let volume = client.volumes().create(&NewVolume::new(\"shared-data\", 100))" await "?;\n"
        "println!(\"Volume ID: {}\", volume.id);\n"
        "println!(\"NFS Path: {}\", volume.nfs_path);\n"
        "println!(\"Server: {}\", volume.nfs_server);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::Validation`](crate::Error::Validation) if the API rejects the name
    /// or size; [`Error::QuotaExceeded`](crate::Error::QuotaExceeded) or
    /// [`Error::InsufficientBalance`](crate::Error::InsufficientBalance) if the project
    /// cannot have it. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn create(&self, volume: &NewVolume) -> Result<Volume> {
        self.client.send_json(wire::create_volume(volume)?).await
    }

    /// The project's volumes.
    #[doc = doc_example!(
        "for vol in client.volumes().list()" await "? {\n"
        "    println!(\"{}: {:.1}/{} GB\", vol.name, vol.used_gb(), vol.quota_gb);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent). Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self) -> Result<Vec<Volume>> {
        let list: AnyList<Volume> = self.client.send_json(wire::list_volumes()).await?;
        Ok(list.into_items())
    }

    /// The volume with this id.
    #[doc = doc_example!(
        "let volume = client.volumes().get(\"volume-id\")" await "?;\n"
        "println!(\"Mount Command: {}\", volume.mount_command(\"/mnt/data\"));"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no volume has this id.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn get(&self, volume_id: &str) -> Result<Volume> {
        self.client.send_json(wire::get_volume(volume_id)).await
    }

    /// Raises the volume's quota to `quota_gb`. A quota can only grow: a smaller one
    /// fails with [`Error::Validation`](crate::Error::Validation).
    ///
    #[doc = doc_example!(
        "let volume = client.volumes().resize(\"volume-id\", 200)" await "?;\n"
        "println!(\"quota now {} GB\", volume.quota_gb);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no volume has this id;
    /// [`Error::Validation`](crate::Error::Validation) for a quota smaller than the current
    /// one. Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn resize(&self, volume_id: &str, quota_gb: u64) -> Result<Volume> {
        self.client
            .send_json(wire::resize_volume(volume_id, quota_gb)?)
            .await
    }

    /// Deletes an empty volume. Fails with [`Error::Conflict`](crate::Error::Conflict)
    /// while a pod mounts it or it holds data; see [`force_delete`](Self::force_delete).
    ///
    #[doc = doc_example!(
        "client.volumes().delete(\"volume-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no volume has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) while a pod mounts it or it holds data.
    /// Otherwise the [errors of every call](Client#errors-of-every-call).
    pub async fn delete(&self, volume_id: &str) -> Result<()> {
        self.client
            .send_empty(wire::delete_volume(volume_id, false))
            .await
    }

    #[doc(alias = "force")]
    /// Deletes a volume and its data. Still fails with
    /// [`Error::Conflict`](crate::Error::Conflict) while a pod mounts it.
    ///
    #[doc = doc_example!(
        "client.volumes().force_delete(\"volume-id\")" await "?;"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) if the client has no project (nothing is
    /// sent); [`Error::NotFound`](crate::Error::NotFound) if no volume has this id;
    /// [`Error::Conflict`](crate::Error::Conflict) while a pod mounts it. Otherwise the
    /// [errors of every call](Client#errors-of-every-call).
    pub async fn force_delete(&self, volume_id: &str) -> Result<()> {
        self.client
            .send_empty(wire::delete_volume(volume_id, true))
            .await
    }
}
