//! Rule 6 under rule 8: the proactive refresh, at most once per token.
//!
//! [`TokenState`] lives beside the current token, one per client:
//!
//! ```text
//! accepted(other token)           -> refreshed = false
//! accepted(from proactive, due)   -> use_as_is_once = true
//! before_send: use_as_is_once     -> send as is, use_as_is_once = false
//! before_send: due, not refreshed -> Refresh, refreshed = true (whatever the outcome)
//! before_send: otherwise          -> send as is
//! ```
//!
//! So a proactive refresh cannot loop: a token it delivers that is already due goes out
//! as it is on the next request, and each token is refreshed proactively at most once.
//! A backend that hands the same short-lived token back costs one more callback, not
//! one per request (pass `same_token: true` to [`TokenState::accepted`]). Only a 401
//! refreshes it again (rules 1 and 4, which do not read this state).

use crate::core::expiry;

/// What the proactive rule knows about the client's current token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenState {
    /// A proactive refresh has been started for this token (it may have failed).
    pub proactively_refreshed: bool,
    /// This token came from a proactive refresh already due, and no request has
    /// checked it yet: the next request sends it as it is.
    pub use_as_is_once: bool,
}

impl TokenState {
    /// A token was accepted: at `create`, `setAccessToken`, `initialize`, or from the
    /// token callback (after a proactive refresh or a 401). Call it after
    /// [`crate::core::clock::Clock::observe_token`].
    ///
    /// - `same_token`: it is the very string the client already held. Then what was
    ///   learnt about it stays: a token already refreshed once is not refreshed
    ///   proactively again.
    /// - `by_proactive_refresh`: it is the result of a proactive refresh.
    /// - `due_now`: it is due by the updated estimate:
    ///   `expiry::is_due(exp, clock.server_now(page_now), leeway)`.
    ///
    /// A token from a proactive refresh that is already due is sent as it is by the
    /// next request (no loop). One that is not due is refreshed normally once it is.
    pub fn accepted(&mut self, same_token: bool, by_proactive_refresh: bool, due_now: bool) {
        if !same_token {
            self.proactively_refreshed = false;
        }
        self.use_as_is_once = by_proactive_refresh && due_now;
    }

    /// Rule 6 with rule 8, asked before a request goes out with the current token (when
    /// no refresh is running; with one running the request just waits, rule 2).
    ///
    /// True means: start the single-flight refresh with reason `'expiring'` now, then
    /// send with its result (without asking again). It is true when a callback exists,
    /// `exp` is within `leeway_s` of the server's time (`server_now_s`, from
    /// [`crate::core::clock`]), the token is not to be used as is once, and it has not
    /// been refreshed proactively before. Answering true records that refresh, so it is
    /// true at most once per token.
    pub fn refresh_before_send(
        &mut self,
        exp: Option<f64>,
        server_now_s: f64,
        leeway_s: f64,
        has_callback: bool,
    ) -> bool {
        if self.use_as_is_once {
            self.use_as_is_once = false;
            return false;
        }
        let refresh = !self.proactively_refreshed
            && has_callback
            && expiry::is_due(exp, server_now_s, leeway_s);
        self.proactively_refreshed |= refresh;
        refresh
    }
}

impl TokenState {
    /// For a session with no requests of its own (the card form pushes tokens to its
    /// frame): seconds from `server_now_s` until [`TokenState::refresh_before_send`]
    /// would refresh this token, or `None` when it never will (no `exp`, already
    /// refreshed proactively once, or delivered due by a proactive refresh). `0` means
    /// now. Asking again after that refresh gives `None`, so a timer cannot loop.
    pub fn due_in(&self, exp: Option<f64>, server_now_s: f64, leeway_s: f64) -> Option<f64> {
        if self.proactively_refreshed || self.use_as_is_once {
            return None;
        }
        exp.map(|exp| (exp - leeway_s - server_now_s).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000.0;
    const LEEWAY: f64 = 30.0;

    #[test]
    fn first_check_table() {
        // (exp, has_callback, state before) -> refresh?
        let fresh = TokenState::default();
        let refreshed = TokenState {
            proactively_refreshed: true,
            use_as_is_once: false,
        };
        let delivered = TokenState {
            proactively_refreshed: false,
            use_as_is_once: true,
        };
        let table = [
            (Some(NOW + 10.0), true, fresh, true),
            (Some(NOW + 30.0), true, fresh, true),
            (Some(NOW - 5000.0), true, fresh, true),
            (Some(NOW + 31.0), true, fresh, false),
            (None, true, fresh, false),
            (Some(NOW + 10.0), false, fresh, false),
            (Some(NOW + 10.0), true, refreshed, false),
            (Some(NOW + 10.0), true, delivered, false),
        ];
        for (exp, cb, state, want) in table {
            let mut s = state;
            assert_eq!(
                s.refresh_before_send(exp, NOW, LEEWAY, cb),
                want,
                "{exp:?} {cb} {state:?}"
            );
        }
    }

    #[test]
    fn at_most_once_per_token() {
        let mut s = TokenState::default();
        let due = Some(NOW + 1.0);
        assert!(s.refresh_before_send(due, NOW, LEEWAY, true));
        // The refresh failed: the token stays, later requests do not call again.
        for _ in 0..50 {
            assert!(!s.refresh_before_send(due, NOW, LEEWAY, true));
        }
        // A different token resets it.
        s.accepted(false, false, true);
        assert!(s.refresh_before_send(due, NOW, LEEWAY, true));
    }

    #[test]
    fn delivered_due_token_goes_out_once_as_is_then_at_most_once_more() {
        let mut s = TokenState::default();
        let due = Some(NOW + 1.0);
        assert!(s.refresh_before_send(due, NOW, LEEWAY, true));
        s.accepted(false, true, true); // a new token from that refresh, already due
        assert!(!s.refresh_before_send(due, NOW, LEEWAY, true));
        assert!(s.refresh_before_send(due, NOW, LEEWAY, true));
        s.accepted(true, true, true); // the backend handed the same token back
        let calls = (0..100)
            .filter(|_| s.refresh_before_send(due, NOW, LEEWAY, true))
            .count();
        assert_eq!(calls, 0);
    }

    #[test]
    fn delivered_fresh_token_is_refreshed_when_due_later() {
        let mut s = TokenState::default();
        assert!(s.refresh_before_send(Some(NOW + 1.0), NOW, LEEWAY, true));
        s.accepted(false, true, false); // 15 min left: not due on arrival
        let exp = Some(NOW + 900.0);
        assert!(!s.refresh_before_send(exp, NOW + 60.0, LEEWAY, true));
        assert!(s.refresh_before_send(exp, NOW + 880.0, LEEWAY, true));
        // Same, with no request in between: the first request when due refreshes.
        let mut quiet = TokenState::default();
        quiet.accepted(false, true, false);
        assert!(quiet.refresh_before_send(exp, NOW + 950.0, LEEWAY, true));
    }

    #[test]
    fn due_in_counts_down_to_the_refresh_and_then_stops() {
        let mut s = TokenState::default();
        let exp = Some(NOW + 300.0);
        assert_eq!(s.due_in(exp, NOW, LEEWAY), Some(270.0));
        assert_eq!(s.due_in(exp, NOW + 290.0, LEEWAY), Some(0.0));
        assert_eq!(s.due_in(None, NOW, LEEWAY), None);
        // The timer fires and the refresh runs once: no second timer for this token.
        assert!(s.refresh_before_send(exp, NOW + 290.0, LEEWAY, true));
        assert_eq!(s.due_in(exp, NOW + 290.0, LEEWAY), None);
        // A new token from it, not due yet: a timer again.
        s.accepted(false, true, false);
        assert_eq!(
            s.due_in(Some(NOW + 900.0), NOW + 290.0, LEEWAY),
            Some(580.0)
        );
        // A new token already due on arrival: sent as is, no timer.
        s.accepted(false, true, true);
        assert_eq!(s.due_in(Some(NOW + 1.0), NOW + 290.0, LEEWAY), None);
    }
}
