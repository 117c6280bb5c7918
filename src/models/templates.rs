//! Pod templates: `GET /v1/templates?type=pod`, and the type
//! [`Pods::save_template`](crate::Pods::save_template) returns.

use serde::{Deserialize, Serialize};

use super::tolerant;

/// A saved pod configuration to create pods from.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Template {
    /// Template id.
    #[serde(deserialize_with = "tolerant::identity")]
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "tolerant::value")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub description: Option<String>,
    /// Container image.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub image: Option<String>,
    /// GPU type.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub gpu_type: Option<String>,
    /// Number of GPUs; may be fractional.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub gpu_count: Option<f64>,
    /// CPU cores; may be fractional.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub cpu: Option<f64>,
    /// Memory, GB.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub memory: Option<u32>,
    /// Disk, GB.
    #[serde(default, deserialize_with = "tolerant::option")]
    pub disk: Option<u32>,
}

#[derive(Deserialize)]
pub(crate) struct TemplateList {
    #[serde(deserialize_with = "tolerant::seq")]
    pub(crate) templates: Vec<Template>,
}
