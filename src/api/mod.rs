//! One module per API area. Each handler borrows the [`Client`](crate::Client),
//! describes its requests and lets the client's pipeline send them.

mod auth;
mod gpus;
mod projects;
mod wallet;

pub use auth::{Auth, TokenInfo, User};
pub use gpus::{Gpu, Gpus};
pub use projects::{NewProject, Page, Project, Projects};
pub use wallet::{Wallet, WalletBalance};

/// Dollars-and-cents view of an integer amount of cents (12550 → 125.5).
pub(crate) fn cents_to_amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}
