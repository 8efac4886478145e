//! The refresh decisions, as pure functions. The async drivers only follow them.

use crate::core::expiry;

/// What to do after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A 2xx: hand the body to the caller.
    Done,
    /// A 401 for a token that has since been replaced: send again with the current one.
    RetryWithCurrent,
    /// A 401 for the current token: run the (single-flight) refresh, then send again.
    Refresh,
    /// Stop with an error.
    Fail(Failure),
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `AccessTokenExpiredError`: refused with no callback, or refused again.
    Expired,
    /// `ApiError`: any other non-2xx.
    Api,
}

/// Why a refresh ran; `onTokenRefreshed` receives it as `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The token was inside the leeway before a request (rule 6).
    Expiring,
    /// The API answered 401 (rule 1).
    Unauthorized,
}

impl Reason {
    /// The JS string.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Expiring => "expiring",
            Reason::Unauthorized => "unauthorized",
        }
    }
}

/// Rules 1, 4, 5 and 7: the decision after one attempt.
///
/// - `token_was_current`: the token sent is still the client's token.
/// - `retried`: this attempt was already the one retry.
/// - `has_callback`: a token callback exists.
pub fn after_response(
    status: u16,
    token_was_current: bool,
    retried: bool,
    has_callback: bool,
) -> Next {
    if status != 401 {
        return if (200..300).contains(&status) {
            Next::Done
        } else {
            Next::Fail(Failure::Api)
        };
    }
    if retried {
        Next::Fail(Failure::Expired)
    } else if !token_was_current {
        Next::RetryWithCurrent
    } else if has_callback {
        Next::Refresh
    } else {
        Next::Fail(Failure::Expired)
    }
}

/// Rule 6's fallback: after a failed refresh, a request may still go out with the old
/// token when the refresh was proactive and the token has not expired yet.
pub fn send_after_failed_refresh(reason: Reason, exp: Option<f64>, now_s: f64) -> bool {
    reason == Reason::Expiring && !expiry::is_expired(exp, now_s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Failure::*;
    use Next::*;

    #[test]
    fn decision_table() {
        // (status, token_was_current, retried, has_callback) -> next
        let table = [
            (200, true, false, false, Done),
            (204, false, true, true, Done),
            (299, true, false, true, Done),
            (401, true, false, true, Refresh),
            (401, true, false, false, Fail(Expired)),
            (401, false, false, false, RetryWithCurrent),
            (401, false, false, true, RetryWithCurrent),
            (401, true, true, true, Fail(Expired)),
            (401, false, true, true, Fail(Expired)),
            (401, true, true, false, Fail(Expired)),
            (403, true, false, true, Fail(Api)),
            (404, true, false, true, Fail(Api)),
            (429, true, false, true, Fail(Api)),
            (500, true, false, true, Fail(Api)),
            (302, true, false, true, Fail(Api)),
            (300, true, false, true, Fail(Api)),
            (199, true, false, true, Fail(Api)),
            (0, true, false, true, Fail(Api)),
            (400, false, true, true, Fail(Api)),
        ];
        for (status, current, retried, cb, want) in table {
            assert_eq!(
                after_response(status, current, retried, cb),
                want,
                "{status} {current} {retried} {cb}"
            );
        }
    }

    #[test]
    fn fallback_after_a_failed_refresh() {
        assert!(send_after_failed_refresh(
            Reason::Expiring,
            Some(1010.0),
            1000.0
        ));
        assert!(!send_after_failed_refresh(
            Reason::Expiring,
            Some(990.0),
            1000.0
        ));
        assert!(!send_after_failed_refresh(
            Reason::Unauthorized,
            Some(1010.0),
            1000.0
        ));
        // The boundary: usable until the very second of `exp`; a token without one is
        // sent.
        assert!(send_after_failed_refresh(
            Reason::Expiring,
            Some(1000.5),
            1000.0
        ));
        assert!(!send_after_failed_refresh(
            Reason::Expiring,
            Some(1000.0),
            1000.0
        ));
        assert!(send_after_failed_refresh(Reason::Expiring, None, 1000.0));
    }

    /// What `onTokenRefreshed` receives as `reason`.
    #[test]
    fn reason_strings() {
        assert_eq!(Reason::Expiring.as_str(), "expiring");
        assert_eq!(Reason::Unauthorized.as_str(), "unauthorized");
    }
}
