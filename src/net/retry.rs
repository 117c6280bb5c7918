//! The retry policy: which failures are retried and how long to wait between tries.
//!
//! The client asks [`RetryConfig::delay_before_retry`] after each failed attempt; the
//! answer depends only on the configuration, the attempt number, the error and a jitter
//! value, so the policy is tested without a clock or a server.

use std::time::Duration;

use crate::error::Error;

/// How the client retries failed requests.
///
/// The default retries up to 3 times on server errors (5xx), rate limits (429, honouring
/// `Retry-After`) and network failures, waiting `backoff_factor × 2^attempt` with jitter,
/// capped at `max_backoff`. A `Retry-After` longer than `max_retry_after` (default 60 s)
/// is not waited for: the [`Error::RateLimit`](crate::Error::RateLimit) is returned at
/// once with its `retry_after`, for the caller to decide. Timeouts are not retried: the caller already waited the full
/// timeout once. Requests are retried only when sending them twice is safe: `GET`, `PUT`
/// and `DELETE`, and a `POST` that carries an `Idempotency-Key` (every create does; a
/// command execution never does).
///
/// ```
/// use std::time::Duration;
/// use podstack::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .max_retries(5)
///     .backoff_factor(Duration::from_millis(200))
///     .retry_on_rate_limit(false);
/// let no_retries = RetryConfig::disabled();
/// # let _ = (retry, no_retries);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    max_retries: u32,
    backoff_factor: Duration,
    max_backoff: Duration,
    retry_on_server_error: bool,
    retry_on_rate_limit: bool,
    retry_on_network_error: bool,
    max_retry_after: Duration,
}

/// The longest `Retry-After` waited for by default.
const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 3,
            backoff_factor: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            retry_on_server_error: true,
            retry_on_rate_limit: true,
            retry_on_network_error: true,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

impl RetryConfig {
    /// A policy that never retries.
    ///
    /// ```
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::disabled();
    /// # let _ = retry;
    /// ```
    pub fn disabled() -> Self {
        RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        }
    }

    /// How many times a request is retried after its first attempt (default 3).
    ///
    /// ```
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().max_retries(5);
    /// # let _ = retry;
    /// ```
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The first backoff; each later one doubles it (default 500 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().backoff_factor(Duration::from_millis(200));
    /// # let _ = retry;
    /// ```
    pub fn backoff_factor(mut self, backoff_factor: Duration) -> Self {
        self.backoff_factor = backoff_factor;
        self
    }

    /// The longest wait between two attempts, including a server's `Retry-After`
    /// (default 30 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().max_backoff(Duration::from_secs(10));
    /// # let _ = retry;
    /// ```
    pub fn max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Whether 5xx answers are retried (default true).
    ///
    /// ```
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().retry_on_server_error(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_server_error(mut self, retry: bool) -> Self {
        self.retry_on_server_error = retry;
        self
    }

    /// Whether 429 rate-limit answers are retried (default true).
    ///
    /// ```
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().retry_on_rate_limit(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_rate_limit(mut self, retry: bool) -> Self {
        self.retry_on_rate_limit = retry;
        self
    }

    /// Whether connection failures are retried (default true).
    ///
    /// ```
    /// use podstack::RetryConfig;
    ///
    /// let retry = RetryConfig::default().retry_on_network_error(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_network_error(mut self, retry: bool) -> Self {
        self.retry_on_network_error = retry;
        self
    }

    /// The longest `Retry-After` the client waits for before retrying (default 60 s).
    /// A server asking for a longer wait gets no retry: the call returns its
    /// [`Error::RateLimit`](crate::Error::RateLimit) at once, `retry_after` set, so the
    /// caller decides whether to wait that long. Shorter waits are still capped by
    /// [`max_backoff`](Self::max_backoff).
    ///
    /// ```
    /// use std::time::Duration;
    /// use podstack::RetryConfig;
    ///
    /// let patient = RetryConfig::default().max_retry_after(Duration::from_secs(600));
    /// # let _ = patient;
    /// ```
    pub fn max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// The number of retries allowed.
    pub(crate) fn limit(&self) -> u32 {
        self.max_retries
    }

    /// A rate limit asking for a longer wait than [`max_retry_after`](Self::max_retry_after)
    /// says so in its message, naming the setting; other errors are returned as they are.
    pub(crate) fn explain_no_retry(&self, error: Error) -> Error {
        match &error {
            Error::RateLimit {
                retry_after: Some(wait),
                ..
            } if *wait > self.max_retry_after => {
                let hint = format!(
                    "the server asks to wait {wait:?}, longer than RetryConfig::max_retry_after \
                     ({:?}); call again later, or raise that limit",
                    self.max_retry_after
                );
                error.with_hint(&hint)
            }
            _ => error,
        }
    }

    /// How long to wait before retrying after `error`, or `None` to give up.
    ///
    /// `retries_done` counts the retries already made (0 after the first attempt);
    /// `jitter` is a random number in `[0, 1)`. The wait is "equal jitter": half the
    /// exponential step fixed, half random, so clients that failed together spread out.
    pub(crate) fn delay_before_retry(
        &self,
        retries_done: u32,
        error: &Error,
        jitter: f64,
    ) -> Option<Duration> {
        if retries_done >= self.max_retries {
            return None;
        }
        let retry = match error {
            Error::Server { .. } => self.retry_on_server_error,
            Error::RateLimit { .. } => self.retry_on_rate_limit,
            Error::Network { .. } => self.retry_on_network_error,
            _ => false,
        };
        if !retry {
            return None;
        }
        if let Error::RateLimit {
            retry_after: Some(wait),
            ..
        } = error
        {
            if *wait > self.max_retry_after {
                return None;
            }
            return Some((*wait).min(self.max_backoff));
        }
        let step = self
            .backoff_factor
            .saturating_mul(2u32.saturating_pow(retries_done))
            .min(self.max_backoff);
        Some(step / 2 + step.mul_f64(jitter.clamp(0.0, 1.0) / 2.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{from_response, ErrorResponse};

    fn error(status: u16, retry_after: Option<&str>) -> Error {
        from_response(&ErrorResponse {
            status,
            request_id: None,
            retry_after,
            body: b"",
        })
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryConfig::default()
            .max_retries(10)
            .backoff_factor(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        let e = error(503, None);
        assert_eq!(
            policy.delay_before_retry(0, &e, 0.0),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            policy.delay_before_retry(0, &e, 1.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            policy.delay_before_retry(2, &e, 0.0),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            policy.delay_before_retry(9, &e, 1.0),
            Some(Duration::from_millis(1000))
        );
    }

    #[test]
    fn gives_up_after_max_retries() {
        let policy = RetryConfig::default();
        let e = error(500, None);
        assert!(policy.delay_before_retry(2, &e, 0.5).is_some());
        assert_eq!(policy.delay_before_retry(3, &e, 0.5), None);
        assert_eq!(RetryConfig::disabled().delay_before_retry(0, &e, 0.5), None);
    }

    #[test]
    fn honours_retry_after_up_to_the_cap() {
        let policy = RetryConfig::default().max_backoff(Duration::from_secs(5));
        assert_eq!(
            policy.delay_before_retry(0, &error(429, Some("2")), 0.9),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay_before_retry(0, &error(429, Some("50")), 0.9),
            Some(Duration::from_secs(5))
        );
        // Past max_retry_after (60 s) the caller decides: no retry.
        assert_eq!(
            policy.delay_before_retry(0, &error(429, Some("600")), 0.9),
            None
        );
    }

    #[test]
    fn a_retry_after_longer_than_max_retry_after_is_not_waited_for() {
        let huge = error(429, Some("999999999"));
        assert_eq!(
            RetryConfig::default().delay_before_retry(0, &huge, 0.5),
            None
        );
        let policy = RetryConfig::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            policy.delay_before_retry(0, &error(429, Some("11")), 0.5),
            None
        );
        assert_eq!(
            policy.delay_before_retry(0, &error(429, Some("10")), 0.5),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn only_transient_failures_retry_and_each_can_be_switched_off() {
        let policy = RetryConfig::default();
        for status in [400, 401, 402, 403, 404, 409] {
            assert_eq!(
                policy.delay_before_retry(0, &error(status, None), 0.0),
                None
            );
        }
        assert_eq!(
            policy.delay_before_retry(0, &Error::timeout("slow"), 0.0),
            None
        );
        let off = RetryConfig::default()
            .retry_on_server_error(false)
            .retry_on_rate_limit(false)
            .retry_on_network_error(false);
        assert_eq!(off.delay_before_retry(0, &error(500, None), 0.0), None);
        assert_eq!(off.delay_before_retry(0, &error(429, None), 0.0), None);
        assert_eq!(
            off.delay_before_retry(0, &Error::network("reset", None), 0.0),
            None
        );
        assert!(policy
            .delay_before_retry(0, &Error::network("reset", None), 0.0)
            .is_some());
    }
}
