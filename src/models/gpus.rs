//! GPU availability: `GET /v1/gpus`.

use serde::Deserialize;

use super::cents_to_amount;

/// A GPU type, its price and how many are free.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "GpuWire")]
#[non_exhaustive]
pub struct Gpu {
    /// The type to pass when creating a pod, e.g. `A100`.
    pub gpu_type: String,
    /// Marketing name, e.g. `NVIDIA A100 80GB`.
    pub name: String,
    /// Memory per GPU, in GB.
    pub memory_gb: Option<u32>,
    /// Price per GPU-hour in currency units.
    pub price_per_hour: f64,
    /// Price per GPU-hour in cents.
    pub price_per_hour_cents: i64,
    /// How many are free now.
    pub available: u32,
    /// How many exist.
    pub total: u32,
}

#[derive(Deserialize)]
struct GpuWire {
    #[serde(rename = "type")]
    gpu_type: String,
    name: String,
    #[serde(default)]
    memory_gb: Option<u32>,
    price_per_hour_cents: i64,
    #[serde(default)]
    available: u32,
    #[serde(default)]
    total: u32,
}

impl From<GpuWire> for Gpu {
    fn from(g: GpuWire) -> Self {
        Gpu {
            gpu_type: g.gpu_type,
            name: g.name,
            memory_gb: g.memory_gb,
            price_per_hour: cents_to_amount(g.price_per_hour_cents),
            price_per_hour_cents: g.price_per_hour_cents,
            available: g.available,
            total: g.total,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct GpuList {
    pub(crate) gpus: Vec<Gpu>,
}
