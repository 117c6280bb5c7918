//! Moving bytes, in both clients: files and directories up and down, sync, ranges,
//! presigned URLs, files that change during an upload, odd keys and listings that try
//! to escape the target directory; the edges against scripted servers
//! ([`edges`]), objects in memory and readers/writers ([`objects`]), cancellation
//! ([`cancellation`]) and progress callbacks that panic ([`callbacks`]).

crate::support::for_each_client!("../cases/transfers.rs");

mod callbacks;
mod cancellation;
mod objects;

/// Transfer edges against a mock or scripted server and the emulator.
mod edges {
    crate::support::for_each_client!("../cases/storage_edges.rs");
}
