//! The bounds on what a server can make a client do: how much of an answer is read
//! into memory, how long one call may take in all, and the longest wait handed to a
//! clock or a socket.

use std::time::{Duration, Instant};

/// The default cap on an answer read into memory (a JSON answer, a text answer).
pub(crate) const DEFAULT_MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// The default bound on one JSON call, all attempts and waits between them included.
pub(crate) const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(5 * 60);

/// The default number of idle connections a client keeps per host: no limit, as
/// reqwest's pool, so that each thread (or task) sharing a client keeps one.
pub(crate) const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = usize::MAX;

/// How much of an error answer's body is read; the rest is dropped unread.
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;

/// The longest wait the SDK ever hands to a clock or a socket: a year. Longer
/// durations (`Duration::MAX`) mean "no limit" to the caller but overflow `Instant`
/// arithmetic inside the HTTP crates, so every duration is saturated to this first.
pub(crate) const LONGEST_WAIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// `duration`, at most [`LONGEST_WAIT`].
pub(crate) fn saturate(duration: Duration) -> Duration {
    duration.min(LONGEST_WAIT)
}

/// The instant `duration` from now; `None` when that is too far to represent.
pub(crate) fn instant_after(duration: Duration) -> Option<Instant> {
    Instant::now().checked_add(saturate(duration))
}

/// The error for a call that ran out of its deadline.
pub(crate) fn deadline_message(deadline: Duration) -> String {
    format!(
        "the call did not finish within its deadline of {deadline:?} (all attempts and \
         waits included); change it with ClientBuilder::call_deadline"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate_and_far_instants_are_none_not_a_panic() {
        assert_eq!(saturate(Duration::MAX), LONGEST_WAIT);
        assert_eq!(saturate(Duration::from_secs(1)), Duration::from_secs(1));
        assert!(instant_after(Duration::MAX).is_some());
    }
}
