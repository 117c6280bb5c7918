//! Pod templates: `GET /v1/templates?type=pod`, and the type
//! [`Pods::save_template`](crate::Pods::save_template) returns.

use serde::Deserialize;

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
pub(crate) struct TemplateList {
    pub(crate) templates: Vec<Template>,
}
