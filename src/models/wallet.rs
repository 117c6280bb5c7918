//! Money: the wallet (`GET /v1/billing/wallet`), spending (`GET /v1/billing/usage`)
//! and prices (`GET /v1/pricing`).
//!
//! Amounts are serialized as the API sends them, in integer cents; the dollars views
//! beside them are computed again when read back.

use serde::{Deserialize, Serialize};

use super::{cents_to_amount, tolerant};

/// The wallet's balance. Amounts come as integer cents with a dollars view beside each.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "WalletBalanceWire", into = "WalletBalanceWire")]
#[non_exhaustive]
pub struct WalletBalance {
    /// The balance in `currency` units (125.5 for 12550 cents).
    pub balance: f64,
    /// The balance in cents.
    pub balance_cents: i64,
    /// ISO currency code, e.g. `USD`; `USD` when the answer named none.
    pub currency: String,
    /// Charges not yet settled, in `currency` units.
    pub pending_charges: f64,
    /// Charges not yet settled, in cents.
    pub pending_charges_cents: i64,
    /// When the balance last changed (RFC 3339).
    pub last_updated: Option<String>,
}

super::datetime_accessors!(WalletBalance, "podstack::billing::WalletBalance" {
    last_updated_datetime => last_updated, "when the balance last changed";
});

#[derive(Deserialize, Serialize)]
struct WalletBalanceWire {
    #[serde(default, deserialize_with = "tolerant::value")]
    balance_cents: i64,
    #[serde(
        default = "tolerant::default_currency",
        deserialize_with = "tolerant::currency"
    )]
    currency: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    pending_charges_cents: i64,
    #[serde(default, deserialize_with = "tolerant::option")]
    last_updated: Option<String>,
}

impl From<WalletBalanceWire> for WalletBalance {
    fn from(w: WalletBalanceWire) -> Self {
        WalletBalance {
            balance: cents_to_amount(w.balance_cents),
            balance_cents: w.balance_cents,
            currency: w.currency,
            pending_charges: cents_to_amount(w.pending_charges_cents),
            pending_charges_cents: w.pending_charges_cents,
            last_updated: w.last_updated,
        }
    }
}

/// GPU spending over a date range, from `client.wallet().usage(..)`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "UsageWire", into = "UsageWire")]
#[non_exhaustive]
pub struct Usage {
    /// The whole range's cost in currency units.
    pub total_cost: f64,
    /// The whole range's cost in cents.
    pub total_cost_cents: i64,
    /// GPU-seconds used in the range.
    pub total_gpu_seconds: u64,
    /// First day (`YYYY-MM-DD`).
    pub start_date: String,
    /// Last day (`YYYY-MM-DD`).
    pub end_date: String,
    /// Per day and GPU type.
    pub breakdown: Vec<UsageEntry>,
}

/// One day's use of one GPU type.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "UsageEntryWire", into = "UsageEntryWire")]
#[non_exhaustive]
pub struct UsageEntry {
    /// The day (`YYYY-MM-DD`).
    pub date: String,
    /// GPU type.
    pub gpu_type: String,
    /// GPU-seconds used.
    pub gpu_seconds: u64,
    /// Cost in currency units.
    pub cost: f64,
    /// Cost in cents.
    pub cost_cents: i64,
}

#[derive(Deserialize, Serialize)]
struct UsageWire {
    #[serde(default, deserialize_with = "tolerant::value")]
    total_cost_cents: i64,
    #[serde(default, deserialize_with = "tolerant::value")]
    total_gpu_seconds: u64,
    #[serde(default, deserialize_with = "tolerant::value")]
    start_date: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    end_date: String,
    #[serde(default, deserialize_with = "tolerant::seq")]
    breakdown: Vec<UsageEntry>,
}

impl From<UsageWire> for Usage {
    fn from(u: UsageWire) -> Self {
        Usage {
            total_cost: cents_to_amount(u.total_cost_cents),
            total_cost_cents: u.total_cost_cents,
            total_gpu_seconds: u.total_gpu_seconds,
            start_date: u.start_date,
            end_date: u.end_date,
            breakdown: u.breakdown,
        }
    }
}

#[derive(Deserialize, Serialize)]
struct UsageEntryWire {
    #[serde(default, deserialize_with = "tolerant::value")]
    date: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    gpu_type: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    gpu_seconds: u64,
    #[serde(default, deserialize_with = "tolerant::value")]
    cost_cents: i64,
}

impl From<UsageEntryWire> for UsageEntry {
    fn from(e: UsageEntryWire) -> Self {
        UsageEntry {
            date: e.date,
            gpu_type: e.gpu_type,
            gpu_seconds: e.gpu_seconds,
            cost: cents_to_amount(e.cost_cents),
            cost_cents: e.cost_cents,
        }
    }
}

/// The price list, from `client.wallet().pricing()`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Pricing {
    /// ISO currency code; `USD` when the answer named none.
    #[serde(
        default = "tolerant::default_currency",
        deserialize_with = "tolerant::currency"
    )]
    pub currency: String,
    /// One price per resource and unit.
    #[serde(default, deserialize_with = "tolerant::seq")]
    pub prices: Vec<Price>,
}

/// The price of one resource, e.g. `gpu:A100` per `gpu_hour`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "PriceWire", into = "PriceWire")]
#[non_exhaustive]
pub struct Price {
    /// What is priced, e.g. `gpu:A100`, `cpu`, `volume_storage`.
    pub resource: String,
    /// Per what, e.g. `gpu_hour`, `gb_month`.
    pub unit: String,
    /// Price in currency units.
    pub price: f64,
    /// Price in cents.
    pub price_cents: i64,
}

#[derive(Deserialize, Serialize)]
struct PriceWire {
    #[serde(default, deserialize_with = "tolerant::value")]
    resource: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    unit: String,
    #[serde(default, deserialize_with = "tolerant::value")]
    price_cents: i64,
}

impl From<PriceWire> for Price {
    fn from(p: PriceWire) -> Self {
        Price {
            resource: p.resource,
            unit: p.unit,
            price: cents_to_amount(p.price_cents),
            price_cents: p.price_cents,
        }
    }
}

impl From<WalletBalance> for WalletBalanceWire {
    fn from(w: WalletBalance) -> Self {
        WalletBalanceWire {
            balance_cents: w.balance_cents,
            currency: w.currency,
            pending_charges_cents: w.pending_charges_cents,
            last_updated: w.last_updated,
        }
    }
}

impl From<Usage> for UsageWire {
    fn from(u: Usage) -> Self {
        UsageWire {
            total_cost_cents: u.total_cost_cents,
            total_gpu_seconds: u.total_gpu_seconds,
            start_date: u.start_date,
            end_date: u.end_date,
            breakdown: u.breakdown,
        }
    }
}

impl From<UsageEntry> for UsageEntryWire {
    fn from(e: UsageEntry) -> Self {
        UsageEntryWire {
            date: e.date,
            gpu_type: e.gpu_type,
            gpu_seconds: e.gpu_seconds,
            cost_cents: e.cost_cents,
        }
    }
}

impl From<Price> for PriceWire {
    fn from(p: Price) -> Self {
        PriceWire {
            resource: p.resource,
            unit: p.unit,
            price_cents: p.price_cents,
        }
    }
}
