//! One module per API area. Each handler borrows the client, describes its requests
//! and lets the client's pipeline send them.
//!
//! Compiled once per client (see `blocking.rs` and `nonblocking.rs`): the names
//! imported below are that client's.

mod auth;
mod gpus;
mod pods;
mod presigned;
mod projects;
mod tasks;
mod templates;
mod wallet;

pub use auth::Auth;
pub use gpus::Gpus;
pub use pods::Pods;
pub use presigned::Presigned;
pub use projects::Projects;
pub use tasks::Tasks;
pub use templates::Templates;
pub use wallet::Wallet;

// What the handlers share, from the client being compiled.
use super::streams::{Lines, Pages};
use super::{flavour, Client, ListStream, LogStream};
