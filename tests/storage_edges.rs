//! Storage transfers at the edges (issue 15, items 1–8; issue 19, item 2): keys that do
//! not map one-to-one onto local paths, ranges and answers that promise more than they
//! hold, endless listings, odd local names, dangling links and links inside the target.
//! Each test failed on the commit it was written against; compiled for both clients.

mod common;
mod support;

common::for_each_client!("cases/storage_edges.rs");
