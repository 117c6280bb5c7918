//! With the `tracing` feature a subscriber sees one `podstack.call` span per call and a
//! `podstack.attempt` span per attempt inside it, with the fields users filter on and
//! never the token.
//!
//! Each test's subscriber is set for its own thread only (`set_default`), never as the
//! global default, so these share the binary with tests on other threads.
#![cfg(feature = "tracing")]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span as the subscriber saw it: name, parent's name, fields.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub name: String,
    pub parent: Option<String>,
    pub fields: BTreeMap<String, String>,
}

/// Span ids in the order they opened, and what each holds.
type Spans = (Vec<u64>, HashMap<u64, Seen>);

#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Spans>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut seen = Seen {
            name: attrs.metadata().name().to_owned(),
            parent: ctx
                .span(id)
                .and_then(|span| span.parent())
                .map(|parent| parent.name().to_owned()),
            ..Seen::default()
        };
        attrs.record(&mut Fields(&mut seen.fields));
        let mut spans = self.0.lock().unwrap();
        spans.0.push(id.into_u64());
        spans.1.insert(id.into_u64(), seen);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(seen) = spans.1.get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut seen.fields));
        }
    }
}

impl Capture {
    /// A subscriber that records into this capture, set for the current thread.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    /// Every span so far, in the order they opened.
    pub fn spans(&self) -> Vec<Seen> {
        let spans = self.0.lock().unwrap();
        spans.0.iter().map(|id| spans.1[id].clone()).collect()
    }
}

crate::support::for_each_client!("cases/tracing.rs");
