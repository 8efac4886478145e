//! Rule 9: retries for transient failures, as pure decisions.
//!
//! The async driver asks [`next_step`] after each attempt that did not succeed and was
//! not a 401 (401s belong to rules 1–7 and never use up `limit`), then waits or gives
//! up. Waits are in milliseconds; times in seconds since the Unix epoch, by rule 8's
//! server-time estimate ([`crate::core::clock`]).

use crate::core::error::ConfigError;
use crate::core::http_date;
use crate::core::options::{Entry, Value};

/// The `retry` option once validated. `false` is `None` where a policy is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `limit`: how many retries one call may make after its first attempt (0..=10).
    pub limit: u32,
    /// `maxDelayMs`: the longest wait before a retry (0..=2147483647).
    pub max_delay_ms: u32,
}

impl Default for RetryPolicy {
    /// `{ limit: 2, maxDelayMs: 10000 }`.
    fn default() -> Self {
        Self {
            limit: 2,
            max_delay_ms: 10_000,
        }
    }
}

/// The `retry` option's value, reduced to its JS type by the browser layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryValue<'a> {
    /// `undefined` or absent: the defaults.
    Undefined,
    /// `true` (the defaults) or `false` (off).
    Bool(bool),
    /// A plain object; its own keys, as for the options object.
    Object(&'a [Entry]),
    /// Anything else (`null`, a number, a string, a function).
    Other,
}

/// Largest `limit`.
pub const MAX_LIMIT: u32 = 10;
/// Largest `maxDelayMs`: the longest delay `setTimeout` honours.
pub const MAX_DELAY_MS: u32 = 2_147_483_647;
/// The first backoff step, doubled for each retry.
pub const BASE_DELAY_MS: u32 = 250;

/// Reads the `retry` option: absent or `true` gives the defaults, `false` gives `None`
/// (no retries), an object `{ limit?, maxDelayMs? }` is merged with the defaults
/// (an `undefined` member counts as absent).
///
/// # Errors
/// [`ConfigError`] naming `retry`, `retry.limit`, `retry.maxDelayMs`, or
/// `retry.<unknown key>`.
pub fn parse_retry(value: &RetryValue<'_>) -> Result<Option<RetryPolicy>, ConfigError> {
    let members = match value {
        RetryValue::Undefined | RetryValue::Bool(true) => return Ok(Some(RetryPolicy::default())),
        RetryValue::Bool(false) => return Ok(None),
        RetryValue::Other => {
            return Err(ConfigError::new(
                "retry",
                "must be true, false or an object { limit, maxDelayMs }",
            ))
        }
        RetryValue::Object(members) => *members,
    };
    if let Some(e) = members
        .iter()
        .find(|e| e.key != "limit" && e.key != "maxDelayMs")
    {
        let mut key = String::from("retry.");
        key.push_str(&e.key);
        return Err(ConfigError::new(&key, "is not a known option"));
    }
    let defaults = RetryPolicy::default();
    Ok(Some(RetryPolicy {
        limit: whole(
            members,
            ("limit", "retry.limit"),
            defaults.limit,
            MAX_LIMIT,
            "must be a whole number from 0 to 10",
        )?,
        max_delay_ms: whole(
            members,
            ("maxDelayMs", "retry.maxDelayMs"),
            defaults.max_delay_ms,
            MAX_DELAY_MS,
            "must be a whole number of milliseconds from 0 to 2147483647",
        )?,
    }))
}

/// The last `key` member as a whole number in `0..=max`, or `default` when absent.
fn whole(
    members: &[Entry],
    (key, name): (&str, &str),
    default: u32,
    max: u32,
    problem: &'static str,
) -> Result<u32, ConfigError> {
    let value = members
        .iter()
        .rev()
        .find(|e| e.key == key)
        .map(|e| &e.value);
    match value {
        None | Some(Value::Undefined) => Ok(default),
        Some(Value::Number(n)) if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(n) => {
            Ok(*n as u32)
        }
        Some(_) => Err(ConfigError::new(name, problem)),
    }
}

/// `GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`, in any letter case (as `fetch`
/// normalises them).
pub fn is_idempotent(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Whether rule 9 may resend this call at all: an idempotent method, or any method
/// (`POST`, `PATCH`) when the call carries an `Idempotency-Key`.
pub fn may_retry(method: &str, has_idempotency_key: bool) -> bool {
    has_idempotency_key || is_idempotent(method)
}

/// How one attempt ended, short of success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer with this status.
    Status(u16),
    /// `fetch` failed (`NETWORK_ERROR`).
    NetworkError,
    /// The attempt outlived `requestTimeoutMs` (`REQUEST_TIMEOUT`).
    Timeout,
}

/// Transient outcomes: 408, 429, 500, 502, 503, 504, a failed fetch, a timeout. Never
/// 401: rules 1–7 handle it.
pub fn retryable(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Status(status) => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
        Outcome::NetworkError | Outcome::Timeout => true,
    }
}

/// Reads a `Retry-After` header: seconds to wait, or `None` when it is neither a
/// non-negative whole number of seconds nor an HTTP date. A date is read against
/// `server_now_s` (rule 8's estimate); one in the past gives `0`.
pub fn parse_retry_after(value: &str, server_now_s: f64) -> Option<f64> {
    let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.bytes().fold(0u64, |n, b| {
            n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        });
        return Some(seconds as f64);
    }
    if !server_now_s.is_finite() {
        return None;
    }
    let date = http_date::parse(value, server_now_s)?;
    Some((date - server_now_s).max(0.0))
}

/// Full-jitter backoff before retry number `retry_index` (0 for the first retry):
/// `random01 × min(max_delay_ms, 250 × 2^retry_index)`, never overflowing.
/// `random01` is `Math.random()`; a value outside `[0, 1]` or `NaN` is clamped
/// (`NaN` gives 0).
pub fn backoff_ms(retry_index: u32, random01: f64, max_delay_ms: u32) -> u32 {
    let ceiling = u64::from(BASE_DELAY_MS)
        .checked_shl(retry_index.min(40))
        .unwrap_or(u64::MAX)
        .min(u64::from(max_delay_ms));
    let r = if random01.is_nan() {
        0.0
    } else {
        random01.clamp(0.0, 1.0)
    };
    (r * ceiling as f64) as u32
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reject with the error of this attempt.
    GiveUp,
    /// Wait this long (cancellable by the caller's `signal` and `destroy()`), then send
    /// again.
    WaitMs(u32),
}

/// Rule 9's decision after an attempt that ended in `outcome` (never a 401).
///
/// - `policy`: the validated option; `None` when `retry: false`.
/// - `retries_used`: retries this call has already made (401 resends excluded).
/// - `retry_after_s`: the answer's `Retry-After` from [`parse_retry_after`], if any.
/// - `method_may_retry`: [`may_retry`] for this call.
/// - `random01`: `Math.random()`, for the jitter.
///
/// Gives up when retries are off, the outcome is not transient, the method may not be
/// resent, or `limit` is used up; and at once when `Retry-After` exceeds `maxDelayMs`.
/// Otherwise waits `Retry-After` (rounded up to whole ms) or the jittered backoff.
pub fn next_step(
    policy: Option<RetryPolicy>,
    retries_used: u32,
    outcome: Outcome,
    retry_after_s: Option<f64>,
    method_may_retry: bool,
    random01: f64,
) -> Step {
    let Some(policy) = policy else {
        return Step::GiveUp;
    };
    if !retryable(outcome) || !method_may_retry || retries_used >= policy.limit {
        return Step::GiveUp;
    }
    match retry_after_s.filter(|s| *s >= 0.0) {
        Some(seconds) => {
            let ms = (seconds * 1000.0).ceil();
            if ms <= f64::from(policy.max_delay_ms) {
                Step::WaitMs(ms as u32)
            } else {
                Step::GiveUp
            }
        }
        None => Step::WaitMs(backoff_ms(retries_used, random01, policy.max_delay_ms)),
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
