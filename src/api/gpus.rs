//! GPU availability: `GET /v1/gpus`.

use super::{flavour, Client};
use crate::models::GpuList;
use crate::request::ApiRequest;
use crate::{models::Gpu, Result};

/// GPU calls. Get one with [`Client::gpus`].
#[derive(Clone, Copy, Debug)]
pub struct Gpus<'a> {
    client: &'a Client,
}

impl<'a> Gpus<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Gpus { client }
    }
}

#[flavour]
impl Gpus<'_> {
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
        let list: GpuList = self.client.send_json(ApiRequest::get("/gpus")).await?;
        Ok(list.gpus)
    }
}
