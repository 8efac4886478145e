//! A cached OAuth token with single-flight refresh.
//!
//! The token is reused until `margin` before it expires. Callers that find it
//! stale queue on one async mutex: the first one fetches while holding it and
//! the rest then find the fresh token, so N concurrent callers cause exactly
//! one fetch. If the fetching caller is cancelled the lock is released and the
//! next waiter fetches instead.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::ApiResult;

#[derive(Debug)]
struct Cached {
    token: String,
    refresh_at: Instant,
}

/// One cached token.
#[derive(Debug)]
pub struct TokenCache {
    margin: Duration,
    slot: Mutex<Option<Cached>>,
}

impl TokenCache {
    /// A cache that refreshes `margin_secs` before expiry.
    pub fn new(margin_secs: u64) -> Self {
        Self {
            margin: Duration::from_secs(margin_secs),
            slot: Mutex::new(None),
        }
    }

    /// The cached token, or the result of `fetch` (`(token, expires_in_secs)`),
    /// with at most one fetch in flight.
    ///
    /// # Errors
    /// Whatever `fetch` fails with; nothing is cached then.
    pub async fn get<F, Fut>(&self, fetch: F) -> ApiResult<String>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<(String, u64)>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(c) = slot.as_ref() {
            if Instant::now() < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let started = Instant::now();
        let (token, expires_in) = fetch().await?;
        let usable = Duration::from_secs(expires_in).saturating_sub(self.margin);
        *slot = Some(Cached {
            token: token.clone(),
            refresh_at: started + usable,
        });
        Ok(token)
    }

    /// Drops the cached token if it is still `token` (it was refused).
    pub async fn invalidate(&self, token: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|c| c.token == token) {
            *slot = None;
        }
    }

    /// Drops whatever is cached.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn one_fetch_for_many_callers() {
        let cache = Arc::new(TokenCache::new(60));
        let fetches = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(("t1".to_owned(), 3600))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.ok().and_then(Result::ok).as_deref(), Some("t1"));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn short_lived_tokens_are_not_reused_and_invalidate_works() {
        let cache = TokenCache::new(60);
        let t = cache.get(|| async { Ok(("a".to_owned(), 30)) }).await.ok();
        assert_eq!(t.as_deref(), Some("a"));
        let t = cache
            .get(|| async { Ok(("b".to_owned(), 3600)) })
            .await
            .ok();
        assert_eq!(t.as_deref(), Some("b"));
        cache.invalidate("b").await;
        let t = cache
            .get(|| async { Ok(("c".to_owned(), 3600)) })
            .await
            .ok();
        assert_eq!(t.as_deref(), Some("c"));
    }
}
