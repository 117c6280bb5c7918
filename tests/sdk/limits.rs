//! Limits on what a server can make the client do, in both clients: oversized and endless
//! answers stop at the body cap, trickles and stalls at the deadlines, a huge
//! `Retry-After` is returned rather than waited for, and every limit error names its
//! setting.

crate::support::for_each_client!("cases/limits.rs");
