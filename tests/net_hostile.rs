//! A cold reviewer's probes of the hardened client: plain http to this machine never
//! goes through a proxy elsewhere, endpoint passwords never show, limit errors name
//! their setting, and everyday errors read well; compiled for both clients.

mod common;
mod support;

common::for_each_client!("cases/net_hostile.rs");
