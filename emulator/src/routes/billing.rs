//! Wallet, usage, GPU availability and pricing.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::Q;
use crate::errors::{ApiError, ApiResult};
use crate::state::{App, GPUS};
use crate::time::{fmt_date, now_secs, parse_rfc3339};

/// The wallet.
pub(crate) async fn wallet(State(app): State<App>) -> Json<Value> {
    let st = app.lock();
    Json(json!({
        "balance_cents": st.balance_cents,
        "currency": "USD",
        "last_updated": st.wallet_updated,
        "pending_charges_cents": 0,
    }))
}

/// Usage between two dates, one row per day (deterministic synthetic history).
pub(crate) async fn usage(q: Q) -> ApiResult<Json<Value>> {
    let today = now_secs().div_euclid(86_400) * 86_400;
    let date = |key: &str| -> ApiResult<Option<i64>> {
        match q.nonempty(key) {
            None => Ok(None),
            Some(v) => parse_rfc3339(v)
                .map(|s| Some(s.div_euclid(86_400) * 86_400))
                .ok_or_else(|| {
                    ApiError::field(key, "must be a date (YYYY-MM-DD) or RFC 3339 time")
                }),
        }
    };
    let end = date("end_date")?.unwrap_or(today);
    let start = date("start_date")?.unwrap_or(end - 29 * 86_400);
    // Any two valid dates answer: a range longer than 366 days is cut to its last
    // 366 days (the answer's start_date says so); an inverted one is empty.
    let start = start.max(end - 366 * 86_400);
    match q.nonempty("group_by") {
        None | Some("day") => {}
        Some(_) => return Err(ApiError::field("group_by", "must be day")),
    }
    let mut breakdown = Vec::new();
    let (mut total_cost, mut total_secs) = (0i64, 0i64);
    let mut day = start;
    while day <= end {
        let n = day / 86_400;
        if n % 2 == 0 {
            let (kind, _, _, price, _) = GPUS[(n as usize / 2) % 2];
            let secs = 1800 * (1 + n % 3);
            let cost = secs * price / 3600;
            total_cost += cost;
            total_secs += secs;
            breakdown.push(json!({
                "date": fmt_date(day),
                "gpu_type": kind,
                "gpu_seconds": secs,
                "cost_cents": cost,
            }));
        }
        day += 86_400;
    }
    Ok(Json(json!({
        "total_cost_cents": total_cost,
        "total_gpu_seconds": total_secs,
        "start_date": fmt_date(start),
        "end_date": fmt_date(end),
        "currency": "USD",
        "breakdown": breakdown,
    })))
}

/// GPU types with availability (total minus GPUs held by pods not stopped).
pub(crate) async fn gpus(State(app): State<App>) -> Json<Value> {
    let st = app.lock();
    let delay = app.cfg.pod_start_delay;
    let gpus: Vec<Value> = GPUS
        .iter()
        .map(|(kind, name, mem, price, total)| {
            let used: f64 = st
                .pods
                .iter()
                .filter(|p| p.gpu_type.as_deref() == Some(*kind))
                .filter(|p| !matches!(p.status(delay), "stopped" | "failed"))
                .map(|p| p.gpu_count)
                .sum();
            json!({
                "type": kind,
                "name": name,
                "memory_gb": mem,
                "price_per_hour_cents": price,
                // a fractional share holds a whole GPU
                "available": (*total as f64 - used.ceil()).max(0.0) as u32,
                "total": total,
            })
        })
        .collect();
    Json(json!({ "gpus": gpus }))
}

/// Price list.
pub(crate) async fn pricing() -> Json<Value> {
    let mut prices: Vec<Value> = GPUS
        .iter()
        .map(|(kind, _, _, price, _)| {
            json!({"resource": format!("gpu:{kind}"), "unit": "gpu_hour", "price_cents": price})
        })
        .collect();
    for (resource, unit, price) in [
        ("cpu", "vcpu_hour", 2),
        ("memory", "gb_hour", 1),
        ("disk", "gb_month", 10),
        ("bucket_storage", "gb_month", 2),
        ("volume_storage", "gb_month", 7),
    ] {
        prices.push(json!({"resource": resource, "unit": unit, "price_cents": price}));
    }
    Json(json!({"currency": "USD", "prices": prices}))
}
