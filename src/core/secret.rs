//! [`AccessToken`]: the token as a secret type, and [`Wiped`], the string it lives in.

/// A string whose bytes are overwritten with zeros when it is dropped. The token and
/// every string made from it live in one, so that no copy stays in the wasm's memory,
/// where a later allocation or a memory dump would find it, once the token is replaced
/// or the client destroyed. (JS strings, the page's and the `Authorization` header's,
/// are the garbage collector's.)
#[derive(Clone, PartialEq, Eq)]
pub struct Wiped(String);

impl Wiped {
    /// Takes ownership of `text`: its buffer is the one wiped.
    pub fn new(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Wiped {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl core::ops::Deref for Wiped {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        let mut bytes = core::mem::take(&mut self.0).into_bytes();
        // Zeros over the whole buffer, its spare capacity too (two `memset`s).
        bytes.fill(0);
        bytes
            .spare_capacity_mut()
            .fill(core::mem::MaybeUninit::new(0));
        // Keeps the compiler from dropping the zeros as stores to memory about to be freed.
        // (`black_box` is a hint, not a guarantee: tests/e2e/token-memory.test.mjs checks
        // the shipped wasm's memory after each way a token is let go.)
        core::hint::black_box(&mut bytes);
    }
}

/// A JWT held in memory only, wiped when dropped. Its `Debug` prints `[redacted]` and it
/// has no `Display`, so it cannot reach a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Wiped);

impl AccessToken {
    /// Wraps an already validated, trimmed token.
    pub(crate) fn new(token: String) -> Self {
        Self(Wiped::new(token))
    }

    /// The raw token, for the one place that needs it: the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// `Bearer <token>`, built without `format!`.
    pub fn bearer(&self) -> Wiped {
        let mut s = String::with_capacity(self.0.len() + 7);
        s.push_str("Bearer ");
        s.push_str(&self.0);
        Wiped::new(s)
    }
}

impl core::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl core::fmt::Debug for Wiped {
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
        assert_eq!(&*t.bearer(), "Bearer aaa.bbb.ccc");
        assert_eq!(format!("{:?}", t.bearer()), "[redacted]");
    }
}
