//! The one request layer, in both clients: presigned URLs go without the token, one-shot
//! bodies are never resent, lists are fetched lazily, files that change during an upload
//! are refused, and a server that echoes the token into every field of an error cannot
//! make it show.

mod common;

common::for_each_client!("cases/request_layer.rs");
