//! Expiry maths. Times are seconds since the Unix epoch, as in `exp`.

/// True when a token with this `exp` should be refreshed before use: `exp` is within
/// `leeway_s` seconds of `now_s`, or already past. A token without `exp` is never due.
pub fn is_due(exp: Option<f64>, now_s: f64, leeway_s: f64) -> bool {
    exp.is_some_and(|exp| exp - leeway_s <= now_s)
}

/// True when `exp` has passed. A token without `exp` never expires.
pub fn is_expired(exp: Option<f64>, now_s: f64) -> bool {
    exp.is_some_and(|exp| exp <= now_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_inside_leeway_and_when_past() {
        assert!(!is_due(None, 1000.0, 30.0));
        assert!(!is_due(Some(1031.0), 1000.0, 30.0));
        assert!(is_due(Some(1030.0), 1000.0, 30.0));
        assert!(is_due(Some(1010.0), 1000.0, 30.0));
        assert!(is_due(Some(10.0), 1000.0, 0.0));
    }

    #[test]
    fn expired_only_when_past() {
        assert!(!is_expired(None, 1000.0));
        assert!(!is_expired(Some(1001.0), 1000.0));
        assert!(is_expired(Some(1000.0), 1000.0));
    }
}
