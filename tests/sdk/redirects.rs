//! Redirects, in both clients: to another port or host they lose the token, within the
//! origin they keep it, a loop is one clear error, and a URL holding the token is not
//! followed.

crate::support::for_each_client!("cases/redirects.rs");
