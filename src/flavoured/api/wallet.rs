//! Money: the wallet (`GET /v1/billing/wallet`), spending (`GET /v1/billing/usage`)
//! and prices (`GET /v1/pricing`).

use super::{flavour, Client};
use crate::wire::billing as wire;
use crate::{models::Pricing, models::Usage, models::WalletBalance, Result};

/// Money calls: balance, usage, pricing. Get one with [`Client::wallet`].
///
/// Holds its own clone of the client (cheap: an `Arc` inside), so it can be kept in a
/// struct or moved into a thread or task.
#[derive(Clone, Debug)]
pub struct Wallet {
    client: Client,
}

impl Wallet {
    pub(crate) fn new(client: &Client) -> Self {
        Wallet {
            client: client.clone(),
        }
    }
}

#[flavour]
impl Wallet {
    /// The current balance.
    ///
    #[doc = doc_example!(
        "let wallet = client.wallet().balance()" await "?;\n"
        "println!(\"Balance: ${:.2} {}\", wallet.balance, wallet.currency);"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn balance(&self) -> Result<WalletBalance> {
        self.client.send_json(wire::wallet()).await
    }

    /// GPU spending per day between two dates (`YYYY-MM-DD`, both included).
    ///
    #[doc = doc_example!(
        "let usage = client.wallet().usage(\"2026-11-01\", \"2026-11-28\")" await "?;\n"
        "println!(\"${:.2} for {} GPU-hours\", usage.total_cost, usage.total_gpu_seconds / 3600);"
    )]
    ///
    /// # Errors
    ///
    /// [`Error::Validation`](crate::Error::Validation) if a date is not `YYYY-MM-DD` or the
    /// range is rejected. Otherwise the [errors of every
    /// call](Client#errors-of-every-call).
    pub async fn usage(&self, start_date: &str, end_date: &str) -> Result<Usage> {
        self.client
            .send_json(wire::usage(start_date, end_date))
            .await
    }

    /// The price of every resource (GPU types, CPU, memory, storage).
    ///
    #[doc = doc_example!(
        "let pricing = client.wallet().pricing()" await "?;\n"
        "println!(\"{pricing:?}\");"
    )]
    ///
    /// # Errors
    ///
    /// Only the [errors of every call](Client#errors-of-every-call).
    pub async fn pricing(&self) -> Result<Pricing> {
        self.client.send_json(wire::pricing()).await
    }
}
