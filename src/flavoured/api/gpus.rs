//! GPU availability: `GET /v1/gpus`.

use super::{flavour, Client};
use crate::models::GpuList;
use crate::wire::billing as wire;
use crate::{models::Gpu, Result};

/// GPU calls. Get one with [`Client::gpus`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Gpus {
    client: Client,
}

impl Gpus {
    pub(crate) fn new(client: &Client) -> Self {
        Gpus {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Gpus {
    /// Every GPU type with its price and availability.
    ///
    #[doc = doc_example!(
        "for gpu in client.gpus().list()" await "? {\n"
        "    println!(\"{}\", gpu.name);\n"
        "}"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn list(&self) -> Result<Vec<Gpu>> {
        let list: GpuList = self.client.send_json(wire::gpus()).await?;
        Ok(list.gpus)
    }
}
