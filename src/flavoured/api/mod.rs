//! One module per API area. Each handler holds a clone of the client (an `Arc` inside,
//! so it is cheap, `'static` and can move into a thread or task), describes its
//! requests and lets the client's pipeline send them.
//!
//! Compiled once per client (see `flavoured/mod.rs`): the names imported below are
//! that client's.

mod auth;
mod buckets;
mod gpus;
mod pods;
mod presigned;
mod projects;
mod tasks;
mod templates;
mod volumes;
mod wallet;

pub use auth::Auth;
pub use buckets::Buckets;
pub use gpus::Gpus;
pub use pods::Pods;
pub use presigned::Presigned;
pub use projects::Projects;
pub use tasks::Tasks;
pub use templates::Templates;
pub use volumes::Volumes;
pub use wallet::Wallet;

// What the handlers share, from the client being compiled.
use super::pages::{offset_pages, Lines, ObjectPages};
use super::{flavour, local_fs, Client, ListStream, LogStream};
