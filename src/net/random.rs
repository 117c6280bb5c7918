//! Randomness for backoff jitter and idempotency keys, from the standard library.
//!
//! `RandomState` is seeded from the operating system's random source once per thread
//! and then advanced per instance; hashing a counter and the clock with a fresh one
//! gives unpredictable 64-bit values without pulling in a random-number crate.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random 64-bit value.
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.write_u128(nanos);
    hasher.finish()
}

/// A random number in `[0, 1)`.
pub(crate) fn random_unit() -> f64 {
    // 53 random bits fill an f64 mantissa exactly.
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A fresh idempotency key: 128 random bits as 32 lowercase hex digits.
pub(crate) fn idempotency_key() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hex_digits_and_differ() {
        let a = idempotency_key();
        let b = idempotency_key();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn unit_values_stay_in_range() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x));
        }
    }
}
