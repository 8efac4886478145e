//! Rule 8: an estimate of the server's clock.
//!
//! Shoppers' clocks are wrong by minutes, sometimes hours. Every expiry decision (rule 6,
//! its fallback, and `Retry-After` dates in rule 9) reads [`Clock::server_now`] instead
//! of the page's `Date.now()`. The estimate is page time plus one offset per client,
//! `0` at first, and only a token the SDK accepts can move it ([`Clock::observe_token`]).
//!
//! Times are seconds since the Unix epoch, as in `iat` and `exp`.

/// One client's estimate of the server's clock: page time plus `offset_s`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Clock {
    /// Seconds to add to the page's clock to get the server's. Always finite.
    pub offset_s: f64,
}

impl Clock {
    /// A clock that trusts the page (offset `0`).
    pub const fn new() -> Self {
        Self { offset_s: 0.0 }
    }

    /// The server's time by the current estimate, given the page's time
    /// (`Date.now() / 1000`).
    pub fn server_now(&self, page_now_s: f64) -> f64 {
        page_now_s + self.offset_s
    }

    /// Rule 8: learn from a token the SDK has just accepted (at `create`,
    /// `setAccessToken`, `initialize`, or from the token callback).
    ///
    /// A token is presumed usable when it arrives. So when it has a numeric `iat` and, by
    /// the current estimate, it was minted in the future (`iat > server_now`) or is
    /// already due (`exp − leeway_s ≤ server_now`), the offset becomes
    /// `iat − page_now_s`. Otherwise the offset stays: a token that a backend cached for a
    /// while (old `iat`, not yet due) says nothing about the page's clock. A token
    /// without `iat` never changes it.
    ///
    /// Non-finite input never moves the offset: a `NaN` or infinite `iat`, `leeway_s` or
    /// `page_now_s` leaves it as it is, and a non-finite `exp` counts as no `exp`.
    pub fn observe_token(
        &mut self,
        iat: Option<f64>,
        exp: Option<f64>,
        leeway_s: f64,
        page_now_s: f64,
    ) {
        let Some(iat) = iat.filter(|t| t.is_finite()) else {
            return;
        };
        if !leeway_s.is_finite() || !page_now_s.is_finite() {
            return;
        }
        let now = self.server_now(page_now_s);
        let minted_in_future = iat > now;
        let already_due = exp.is_some_and(|exp| exp.is_finite() && exp - leeway_s <= now);
        let offset = iat - page_now_s;
        if (minted_in_future || already_due) && offset.is_finite() {
            self.offset_s = offset;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's real time in these tests.
    const SERVER: f64 = 1_700_000_000.0;
    const LEEWAY: f64 = 30.0;
    const HOUR: f64 = 3600.0;

    /// The server mints `iat = now`, `exp = iat + 900`; the page's clock is off by
    /// `skew` seconds. Returns the clock after the page accepts that token.
    fn fresh_token_with_skew(skew: f64) -> Clock {
        let mut clock = Clock::new();
        clock.observe_token(Some(SERVER), Some(SERVER + 900.0), LEEWAY, SERVER + skew);
        clock
    }

    #[test]
    fn skews_table() {
        // (page clock − server clock, offset afterwards): an iat in the future or a
        // token already due corrects the estimate; a small lead of the page does not.
        let table = [
            (-24.0 * HOUR, 24.0 * HOUR),
            (-20.0 * 60.0, 20.0 * 60.0),
            (-1.0, 1.0),
            (0.0, 0.0),
            (10.0 * 60.0, 0.0), // exp − leeway still ahead: not due, unchanged
            (870.0, -870.0),    // exactly due (exp − leeway == server_now)
            (20.0 * 60.0, -20.0 * 60.0),
            (24.0 * HOUR, -24.0 * HOUR),
        ];
        for (skew, want) in table {
            let clock = fresh_token_with_skew(skew);
            assert_eq!(clock.offset_s, want, "skew {skew}");
            if want != 0.0 {
                assert_eq!(clock.server_now(SERVER + skew), SERVER, "skew {skew}");
            }
        }
    }

    #[test]
    fn no_iat_never_changes_it() {
        let mut clock = Clock { offset_s: 42.0 };
        clock.observe_token(None, Some(SERVER - 100.0), LEEWAY, SERVER);
        clock.observe_token(None, None, LEEWAY, SERVER);
        assert_eq!(clock.offset_s, 42.0);
    }

    #[test]
    fn iat_in_the_future_sets_it() {
        let mut clock = Clock::new();
        clock.observe_token(Some(SERVER + 5.0), None, LEEWAY, SERVER);
        assert_eq!(clock.offset_s, 5.0);
        // Measured against the current estimate, not the page: now it is not future.
        clock.observe_token(Some(SERVER + 4.0), None, LEEWAY, SERVER);
        assert_eq!(clock.offset_s, 5.0);
    }

    #[test]
    fn cached_token_not_yet_due_changes_nothing() {
        // A backend cached the token for 10 min: old iat, 5 min left.
        let mut clock = Clock { offset_s: -7.0 };
        clock.observe_token(
            Some(SERVER - 600.0),
            Some(SERVER + 300.0),
            LEEWAY,
            SERVER + 7.0,
        );
        assert_eq!(clock.offset_s, -7.0);
        let mut zero = Clock::new();
        zero.observe_token(Some(SERVER - 600.0), Some(SERVER + 300.0), LEEWAY, SERVER);
        assert_eq!(zero.offset_s, 0.0);
    }

    #[test]
    fn later_tokens_keep_a_corrected_clock() {
        // Page 2 h behind; corrected at the first token; the next token, minted 10 min
        // later, is neither future nor due by the estimate: the offset stays exact.
        let skew = -2.0 * HOUR;
        let mut clock = fresh_token_with_skew(skew);
        let later = SERVER + 600.0;
        clock.observe_token(Some(later), Some(later + 900.0), LEEWAY, later + skew);
        assert_eq!(clock.offset_s, 2.0 * HOUR);
    }

    #[test]
    fn non_finite_input_is_ignored() {
        let bad = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        for x in bad {
            let mut clock = Clock { offset_s: 3.0 };
            clock.observe_token(Some(x), Some(SERVER), LEEWAY, SERVER);
            clock.observe_token(Some(SERVER + 9.0), Some(SERVER), x, SERVER);
            clock.observe_token(Some(SERVER + 9.0), Some(SERVER), LEEWAY, x);
            clock.observe_token(Some(SERVER - 9.0), Some(x), LEEWAY, SERVER);
            assert_eq!(clock.offset_s, 3.0, "{x}");
        }
        let mut huge = Clock::new();
        huge.observe_token(Some(f64::MAX), None, LEEWAY, -f64::MAX);
        assert_eq!(huge.offset_s, 0.0);
    }
}
