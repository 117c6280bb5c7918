//! Secrets never show, in both clients: the token echoed by a server into an error, a
//! decode error, a trickled answer or an answer too large for memory; endpoint and
//! proxy passwords in `Debug`; a bucket's secret key and a presigned URL's signature in
//! decode errors. (Logs: see `tests/logging.rs`.)

crate::support::for_each_client!("cases/secrets.rs");
