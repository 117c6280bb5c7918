//! GPU availability: `GET /v1/gpus`.

use serde::{Deserialize, Serialize};

use super::{cents_to_amount, tolerant};

/// A GPU type, its price and how many are free.
///
/// Serialized as the API sends it (`type`, `price_per_hour_cents`, ...): the dollars
/// view [`price_per_hour`](Self::price_per_hour) is computed again when read back.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "GpuWire", into = "GpuWire")]
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

#[derive(Deserialize, Serialize)]
struct GpuWire {
    /// The GPU type is a GPU row's identity: required.
    #[serde(rename = "type", deserialize_with = "tolerant::identity")]
    gpu_type: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    name: String,
    #[serde(default, deserialize_with = "tolerant::option")]
    memory_gb: Option<u32>,
    #[serde(default, deserialize_with = "tolerant::value")]
    price_per_hour_cents: i64,
    #[serde(default, deserialize_with = "tolerant::value")]
    available: u32,
    #[serde(default, deserialize_with = "tolerant::value")]
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

impl From<Gpu> for GpuWire {
    fn from(g: Gpu) -> Self {
        GpuWire {
            gpu_type: g.gpu_type,
            name: g.name,
            memory_gb: g.memory_gb,
            price_per_hour_cents: g.price_per_hour_cents,
            available: g.available,
            total: g.total,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct GpuList {
    #[serde(deserialize_with = "tolerant::seq")]
    pub(crate) gpus: Vec<Gpu>,
}
