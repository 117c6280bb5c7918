//! Both clients: the API polish a user sees through the public surface. An error's
//! `Display` shows each source once (and `{:#}` the whole chain), a cloned error keeps
//! its source, and answers serialize and read back equal.

mod common;

common::for_each_client!("cases/polish.rs");
