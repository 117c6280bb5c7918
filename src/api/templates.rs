//! Pod templates: `GET /v1/templates?type=pod`, and the type
//! [`Pods::save_template`](crate::Pods::save_template) returns.

use serde::Deserialize;

use crate::client::{ApiRequest, Client};
use crate::Result;

/// Template calls. Get one with [`Client::templates`].
#[derive(Clone, Copy, Debug)]
pub struct Templates<'a> {
    client: &'a Client,
}

/// A saved pod configuration to create pods from.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Template {
    /// Template id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Container image.
    #[serde(default)]
    pub image: Option<String>,
    /// GPU type.
    #[serde(default)]
    pub gpu_type: Option<String>,
    /// Number of GPUs.
    #[serde(default)]
    pub gpu_count: Option<u32>,
    /// CPU cores.
    #[serde(default)]
    pub cpu: Option<u32>,
    /// Memory, GB.
    #[serde(default)]
    pub memory: Option<u32>,
    /// Disk, GB.
    #[serde(default)]
    pub disk: Option<u32>,
}

#[derive(Deserialize)]
struct TemplateList {
    templates: Vec<Template>,
}

impl<'a> Templates<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Templates { client }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Templates<'_> {
    /// Every pod template: the built-in ones and those you saved.
    pub async fn list(&self) -> Result<Vec<Template>> {
        let list: TemplateList = self
            .client
            .send_json(ApiRequest::get("/templates").query("type", "pod"))
            .await?;
        Ok(list.templates)
    }
}
