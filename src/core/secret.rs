//! [`AccessToken`]: the token as a secret type.

/// A JWT held in memory only. Its `Debug` prints `[redacted]` and it has no `Display`,
/// so it cannot reach a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps an already validated, trimmed token.
    pub(crate) fn new(token: String) -> Self {
        Self(token)
    }

    /// The raw token, for the one place that needs it: the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// `Bearer <token>`, built without `format!`.
    pub fn bearer(&self) -> String {
        let mut s = String::with_capacity(self.0.len() + 7);
        s.push_str("Bearer ");
        s.push_str(&self.0);
        s
    }
}

impl core::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = AccessToken::new("aaa.bbb.ccc".into());
        assert_eq!(format!("{t:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&t)), "Some([redacted])");
        assert_eq!(t.bearer(), "Bearer aaa.bbb.ccc");
    }
}
