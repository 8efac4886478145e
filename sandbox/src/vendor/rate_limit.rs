//! Fixed-window limit on failed client authentications, per client id and
//! per IP address: after `max` failures in a window, further attempts get 429
//! with `Retry-After` until the window ends (even with the right secret).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util::lock;

/// Entries kept before expired windows are pruned.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    failures: u32,
}

/// The limiter.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    /// `max` failures per `window_secs`.
    pub fn new(max: u32, window_secs: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(window_secs),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after_secs)` if any key is over the limit.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        self.check_at(keys, Instant::now())
    }

    fn check_at(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        let map = lock(&self.windows);
        let mut wait = 0u64;
        for key in keys {
            if let Some(w) = map.get(key) {
                let elapsed = now.saturating_duration_since(w.start);
                if elapsed < self.window && w.failures >= self.max {
                    let left = self.window.saturating_sub(elapsed);
                    wait = wait.max(left.as_secs() + u64::from(left.subsec_nanos() > 0));
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    /// Counts one failure against every key.
    pub fn record_failure(&self, keys: &[String]) {
        self.record_at(keys, Instant::now());
    }

    fn record_at(&self, keys: &[String], now: Instant) {
        let mut map = lock(&self.windows);
        if map.len() >= PRUNE_AT {
            let window = self.window;
            map.retain(|_, w| now.saturating_duration_since(w.start) < window);
        }
        for key in keys {
            if map.len() >= PRUNE_AT && !map.contains_key(key) {
                continue;
            }
            let w = map.entry(key.clone()).or_insert(Window {
                start: now,
                failures: 0,
            });
            if now.saturating_duration_since(w.start) >= self.window {
                *w = Window {
                    start: now,
                    failures: 0,
                };
            }
            w.failures = w.failures.saturating_add(1);
        }
    }

    /// Forgets every failure.
    pub fn clear(&self) {
        lock(&self.windows).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_then_recovers() {
        let rl = RateLimiter::new(3, 60);
        let keys = vec!["client:a".to_owned(), "ip:1".to_owned()];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check_at(&keys, t0).is_ok());
            rl.record_at(&keys, t0);
        }
        assert_eq!(rl.check_at(&keys, t0), Err(60));
        assert!(rl.check_at(&["client:b".to_owned()], t0).is_ok());
        assert!(rl.check_at(&keys, t0 + Duration::from_secs(61)).is_ok());
        rl.clear();
        assert!(rl.check_at(&keys, t0).is_ok());
    }
}
