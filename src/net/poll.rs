//! The schedule for waiting on a resource: short polls first, growing, never past the
//! caller's deadline.

use std::time::{Duration, Instant};

const FIRST_POLL: Duration = Duration::from_millis(200);
const LONGEST_POLL: Duration = Duration::from_secs(5);

/// When to look again while waiting for a state.
#[derive(Debug)]
pub(crate) struct PollSchedule {
    /// `None` when the timeout reaches past what an `Instant` can hold
    /// (`Duration::MAX`, "wait for ever"): then there is no deadline.
    deadline: Option<Instant>,
    next: Duration,
}

impl PollSchedule {
    /// A schedule that ends `timeout` from now. A timeout too large for the clock
    /// (`Duration::MAX`) means no deadline, never a panic.
    pub(crate) fn new(timeout: Duration) -> Self {
        PollSchedule {
            deadline: Instant::now().checked_add(timeout),
            next: FIRST_POLL,
        }
    }

    /// How long to sleep before the next look, or `None` when the deadline has passed.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        let left = match self.deadline {
            Some(deadline) => deadline.checked_duration_since(Instant::now())?,
            None => Duration::MAX,
        };
        if left.is_zero() {
            return None;
        }
        let delay = self.next.min(left);
        self.next = self.next.mul_f64(1.5).min(LONGEST_POLL);
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_at_the_deadline() {
        let mut schedule = PollSchedule::new(Duration::from_secs(60));
        let delays: Vec<_> = (0..12).map(|_| schedule.next_delay().unwrap()).collect();
        assert_eq!(delays[0], Duration::from_millis(200));
        assert_eq!(delays[1], Duration::from_millis(300));
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delays[11], LONGEST_POLL);

        let mut short = PollSchedule::new(Duration::from_millis(50));
        assert!(short.next_delay().unwrap() <= Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(short.next_delay(), None);
    }

    #[test]
    fn an_unrepresentable_timeout_means_no_deadline_not_a_panic() {
        for timeout in [Duration::MAX, Duration::from_secs(u64::MAX / 2)] {
            let mut schedule = PollSchedule::new(timeout);
            let delays: Vec<_> = (0..12).map(|_| schedule.next_delay()).collect();
            assert_eq!(delays[0], Some(FIRST_POLL));
            assert_eq!(delays[11], Some(LONGEST_POLL));
        }
    }
}
