//! HS256 JSON Web Tokens, hand-rolled on `hmac` + `sha2` + `base64`.
//!
//! Verification is strict: exactly three base64url (unpadded, canonical)
//! segments, a header whose `alg` is exactly `HS256` (so `none` and every
//! other algorithm are refused), no `crit`, and a constant-time MAC check
//! before the payload is even parsed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Longest token accepted, in bytes.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Why a token was refused. Each maps to a fixed, token-free description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url segments, or a segment is not JSON.
    Malformed,
    /// `alg` is not `HS256` (including `none`), or an unknown `crit`.
    UnsupportedAlg,
    /// The MAC does not match.
    BadSignature,
    /// The payload is not an object of the expected claims.
    BadClaims,
}

impl JwtError {
    /// A fixed description for `error_description`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Malformed => "token is malformed",
            Self::UnsupportedAlg => "token algorithm is not accepted",
            Self::BadSignature => "token signature is invalid",
            Self::BadClaims => "token claims are invalid",
        }
    }
}

/// Signs and verifies with one symmetric key.
#[derive(Clone)]
pub struct Hs256 {
    mac: HmacSha256,
}

impl std::fmt::Debug for Hs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hs256([redacted])")
    }
}

impl Hs256 {
    /// A signer over `key` (any length; HMAC accepts all).
    pub fn new(key: &[u8]) -> Self {
        // HMAC takes keys of any length, so this arm is the only one.
        let mac = <HmacSha256 as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
        Self { mac }
    }

    /// Serialises `claims` and signs them.
    ///
    /// # Errors
    /// Only if `claims` cannot be serialised as JSON.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, serde_json::Error> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?);
        let mut mac = self.mac.clone();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{header}.{payload}.{sig}"))
    }

    /// Checks shape, header and signature, then parses the claims.
    ///
    /// # Errors
    /// The first rule the token breaks.
    pub fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<C, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header = decode_object(h)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(JwtError::UnsupportedAlg);
        }
        if header.contains_key("crit") {
            return Err(JwtError::UnsupportedAlg);
        }
        let sig = decode(s)?;
        let mut mac = self.mac.clone();
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        mac.verify_slice(&sig).map_err(|_| JwtError::BadSignature)?;
        let payload = decode_object(p)?;
        serde_json::from_value(Value::Object(payload)).map_err(|_| JwtError::BadClaims)
    }
}

fn decode(segment: &str) -> Result<Vec<u8>, JwtError> {
    if segment.is_empty() {
        return Err(JwtError::Malformed);
    }
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed)
}

fn decode_object(segment: &str) -> Result<Map<String, Value>, JwtError> {
    match serde_json::from_slice(&decode(segment)?) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signer() -> Hs256 {
        Hs256::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn round_trip() {
        let t = signer()
            .sign(&json!({"sub": "x", "exp": 5}))
            .unwrap_or_default();
        let v: Value = signer().verify(&t).unwrap_or_default();
        assert_eq!(v["sub"], "x");
    }

    #[test]
    fn refusals() {
        let s = signer();
        let t = s.sign(&json!({"sub": "x"})).unwrap_or_default();
        let other = Hs256::new(b"another key")
            .sign(&json!({"sub": "x"}))
            .unwrap_or_default();
        assert_eq!(
            s.verify::<Value>(&other).err(),
            Some(JwtError::BadSignature)
        );
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let payload = t.split('.').nth(1).unwrap_or_default();
        let none = format!("{none_header}.{payload}.");
        assert_eq!(
            s.verify::<Value>(&none).err(),
            Some(JwtError::UnsupportedAlg)
        );
        let none_sig = format!("{none_header}.{payload}.AAAA");
        assert_eq!(
            s.verify::<Value>(&none_sig).err(),
            Some(JwtError::UnsupportedAlg)
        );
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.e30", &format!("{t}=")] {
            assert_eq!(
                s.verify::<Value>(bad).err(),
                Some(JwtError::Malformed),
                "{bad}"
            );
        }
        let mut tampered = t.clone();
        tampered.push('A');
        assert!(s.verify::<Value>(&tampered).is_err());
    }
}
