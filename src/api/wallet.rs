//! The wallet: `GET /v1/billing/wallet`.

use serde::Deserialize;

use super::cents_to_amount;
use crate::client::{ApiRequest, Client};
use crate::Result;

/// Wallet calls. Get one with [`Client::wallet`].
#[derive(Clone, Copy, Debug)]
pub struct Wallet<'a> {
    client: &'a Client,
}

/// The wallet's balance. Amounts come as integer cents with a dollars view beside each.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "WalletWire")]
#[non_exhaustive]
pub struct WalletBalance {
    /// The balance in `currency` units (125.5 for 12550 cents).
    pub balance: f64,
    /// The balance in cents.
    pub balance_cents: i64,
    /// ISO currency code, e.g. `USD`.
    pub currency: String,
    /// Charges not yet settled, in `currency` units.
    pub pending_charges: f64,
    /// Charges not yet settled, in cents.
    pub pending_charges_cents: i64,
    /// When the balance last changed (RFC 3339).
    pub last_updated: Option<String>,
}

#[derive(Deserialize)]
struct WalletWire {
    balance_cents: i64,
    currency: String,
    #[serde(default)]
    pending_charges_cents: i64,
    #[serde(default)]
    last_updated: Option<String>,
}

impl From<WalletWire> for WalletBalance {
    fn from(w: WalletWire) -> Self {
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

impl<'a> Wallet<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Wallet { client }
    }
}

#[cfg_attr(not(feature = "async"), maybe_async::must_be_sync)]
#[cfg_attr(feature = "async", maybe_async::must_be_async)]
impl Wallet<'_> {
    /// The current balance.
    ///
    /// ```no_run
    /// # #[cfg(not(feature = "async"))]
    /// # fn main() -> Result<(), podstack::Error> {
    /// let client = podstack::Client::new()?;
    /// let wallet = client.wallet().balance()?;
    /// println!("Balance: ${:.2} {}", wallet.balance, wallet.currency);
    /// # Ok(()) }
    /// # #[cfg(feature = "async")] fn main() {}
    /// ```
    pub async fn balance(&self) -> Result<WalletBalance> {
        self.client
            .send_json(ApiRequest::get("/billing/wallet"))
            .await
    }
}
