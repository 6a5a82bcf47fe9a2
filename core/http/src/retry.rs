//! [`RetryStrategy`]: when and how often a template retries a request.

use std::time::Duration;

use http::Method;

use super::error::{Error, ErrorKind};

/// When a request is retried, how many times, and how long it waits between attempts.
///
/// The delay before retry `n` (1-based) is `delay × backoff^(n-1)`, capped at `max_delay`; with
/// jitter on (the default), a random share of up to half of it is taken off, so that clients
/// that failed together do not retry together. The body is replayed byte for byte.
///
/// By default it retries on transport faults (connection refused or reset), timeouts, 5xx, 408
/// and 429, and only requests whose method is idempotent (RFC 9110 §9.2.2: `GET`, `HEAD`, `PUT`,
/// `DELETE`, `OPTIONS`, `TRACE`): a `POST` that timed out may have been applied, so sending it
/// again is the caller's decision ([`for_any_method`](Self::for_any_method)). A `Retry-After`
/// header, in seconds or as an HTTP-date, lengthens the delay (up to `max_delay`).
///
/// ```
/// use std::time::Duration;
/// use weft::http::RetryStrategy;
///
/// let retry = RetryStrategy::new(3)
///     .with_delay(Duration::from_millis(100))
///     .with_backoff(2.0)
///     .with_max_delay(Duration::from_secs(1))
///     .without_jitter();
/// assert_eq!(retry.delay_before(1), Duration::from_millis(100));
/// assert_eq!(retry.delay_before(3), Duration::from_millis(400));
/// assert_eq!(retry.delay_before(10), Duration::from_secs(1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryStrategy {
    max_retries: u32,
    delay: Duration,
    backoff: f64,
    max_delay: Duration,
    jitter: bool,
    on_transport: bool,
    on_timeout: bool,
    on_server_error: bool,
    on_throttle: bool,
    any_method: bool,
}

impl RetryStrategy {
    /// Retries up to `max_retries` times (so at most `max_retries + 1` attempts), 100 ms apart at
    /// first, doubling, at most 10 s, with jitter.
    ///
    /// ```
    /// let retry = weft::http::RetryStrategy::new(2);
    /// assert_eq!(retry.max_retries(), 2);
    /// ```
    pub fn new(max_retries: u32) -> Self {
        RetryStrategy {
            max_retries,
            delay: Duration::from_millis(100),
            backoff: 2.0,
            max_delay: Duration::from_secs(10),
            jitter: true,
            on_transport: true,
            on_timeout: true,
            on_server_error: true,
            on_throttle: true,
            any_method: false,
        }
    }

    /// How many retries at most.
    ///
    /// See [`RetryStrategy::new`] for an example.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The delay before the first retry.
    ///
    /// See [`RetryStrategy`] for an example.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The factor the delay grows by at each retry (`1.0` for a constant delay).
    ///
    /// See [`RetryStrategy`] for an example.
    pub fn with_backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() && factor >= 1.0 { factor } else { 1.0 };
        self
    }

    /// The longest delay between two attempts.
    ///
    /// See [`RetryStrategy`] for an example.
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Waits exactly the computed delay.
    ///
    /// See [`RetryStrategy`] for an example.
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Whether to retry on transport faults (default: yes).
    ///
    /// ```
    /// let retry = weft::http::RetryStrategy::new(1).retry_on_transport(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_transport(mut self, yes: bool) -> Self {
        self.on_transport = yes;
        self
    }

    /// Whether to retry when an attempt times out (default: yes).
    ///
    /// ```
    /// let retry = weft::http::RetryStrategy::new(1).retry_on_timeout(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_timeout(mut self, yes: bool) -> Self {
        self.on_timeout = yes;
        self
    }

    /// Whether to retry on 5xx responses (default: yes).
    ///
    /// ```
    /// let retry = weft::http::RetryStrategy::new(1).retry_on_server_error(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_server_error(mut self, yes: bool) -> Self {
        self.on_server_error = yes;
        self
    }

    /// Whether to retry on 408 Request Timeout and 429 Too Many Requests (default: yes).
    ///
    /// ```
    /// let retry = weft::http::RetryStrategy::new(1).retry_on_throttle(false);
    /// # let _ = retry;
    /// ```
    pub fn retry_on_throttle(mut self, yes: bool) -> Self {
        self.on_throttle = yes;
        self
    }

    /// Retries requests whatever their method, `POST` and `PATCH` included: for receivers that
    /// deduplicate (e.g. by an idempotency key header).
    ///
    /// ```
    /// use weft::http::{Method, RetryStrategy};
    ///
    /// assert!(!RetryStrategy::new(1).allows(&Method::POST));
    /// assert!(RetryStrategy::new(1).for_any_method().allows(&Method::POST));
    /// ```
    pub fn for_any_method(mut self) -> Self {
        self.any_method = true;
        self
    }

    /// Whether a request with `method` may be retried.
    ///
    /// See [`for_any_method`](Self::for_any_method) for an example.
    pub fn allows(&self, method: &Method) -> bool {
        self.any_method || method.is_idempotent()
    }

    /// The delay before retry `retry` (1-based), without jitter.
    ///
    /// See [`RetryStrategy`] for an example.
    pub fn delay_before(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.delay.as_secs_f64() * self.backoff.powi(exponent);
        if !secs.is_finite() || secs >= self.max_delay.as_secs_f64() {
            self.max_delay
        } else {
            Duration::from_secs_f64(secs)
        }
    }

    /// The delay to actually wait before retry `retry`, jitter included; at least what the
    /// server asked for with `Retry-After`, but never more than `max_delay`.
    pub(crate) fn sleep_before(&self, retry: u32, asked: Option<Duration>) -> Duration {
        let delay = self.delay_before(retry);
        let delay = if self.jitter { delay.mul_f64(1.0 - fastrand::f64() / 2.0) } else { delay };
        match asked {
            Some(asked) => delay.max(asked.min(self.max_delay)),
            None => delay,
        }
    }

    pub(crate) fn retries_status(&self, status: u16) -> bool {
        (self.on_server_error && (500..600).contains(&status))
            || (self.on_throttle && matches!(status, 408 | 429))
    }

    pub(crate) fn retries_error(&self, error: &Error) -> bool {
        match error.kind() {
            ErrorKind::Transport { .. } => self.on_transport,
            ErrorKind::Timeout { .. } => self.on_timeout,
            _ => false,
        }
    }
}
