//! Injected faults and request statistics: what the admin routes, the S3 door and the
//! in-process handle queue, and what the server takes per request. A module of its own so
//! that the server and the routes it mounts both import it and never each other.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::Notify;

use crate::state::App;
use crate::{Fault, Stats};

/// Lets a handler close the connection it arrived on.
#[derive(Clone)]
pub(crate) struct ConnKill(pub(crate) Arc<Notify>);

/// Takes one use of the first queued fault that applies to `route`
/// (`"METHOD /template"`): an untargeted one, or one targeted at that route.
pub(crate) fn take_fault(app: &App, route: &str) -> Option<Fault> {
    let mut q = app.faults.lock().unwrap_or_else(|p| p.into_inner());
    q.retain_mut(|(_, f)| *f.count_mut() > 0);
    let idx = q
        .iter()
        .position(|(target, _)| target.as_deref().is_none_or(|t| t == route))?;
    let (_, f) = &mut q[idx];
    *f.count_mut() -= 1;
    let taken = f.clone();
    if *f.count_mut() == 0 {
        q.remove(idx);
    }
    Some(taken)
}

/// Normalizes `"put  /a/{id}"` to `"PUT /a/{id}"`.
fn normalize_route(route: &str) -> String {
    let route = route.trim();
    match route.split_once(char::is_whitespace) {
        Some((m, p)) => format!("{} {}", m.to_ascii_uppercase(), p.trim()),
        None => route.to_string(),
    }
}

/// Queues a fault for any API route (`route: None`) or for one
/// `"METHOD /template"` route.
pub(crate) fn inject(app: &App, route: Option<&str>, fault: Fault) {
    let mut f = fault;
    if *f.count_mut() == 0 {
        return;
    }
    app.faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push_back((route.map(normalize_route), f));
}

/// What the server has counted since it started or was last reset.
pub(crate) fn stats(app: &App) -> Stats {
    Stats {
        connections_accepted: app.connections.load(Ordering::SeqCst),
        requests: app.stats.lock().unwrap_or_else(|p| p.into_inner()).clone(),
    }
}

/// Starts the counts again from zero.
pub(crate) fn reset_stats(app: &App) {
    app.connections.store(0, Ordering::SeqCst);
    app.stats.lock().unwrap_or_else(|p| p.into_inner()).clear();
}
