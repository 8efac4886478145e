//! Small helpers shared by both roles: clocks, randomness, locks, id checks.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderValue};
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Fills `buf` from the OS random source. A failing OS RNG is not recoverable
/// in any meaningful way for a token issuer, so the caller decides what to do.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)?;
    Ok(buf)
}

/// `N` random bytes as lowercase hex. Falls back to a time-and-counter based
/// value if the OS RNG fails, so ids stay unique (they are not secrets).
pub fn random_hex<const N: usize>() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static FALLBACK: AtomicU64 = AtomicU64::new(0);
    match random_bytes::<N>() {
        Ok(bytes) => hex(&bytes),
        Err(_) => {
            let n = FALLBACK.fetch_add(1, Ordering::Relaxed);
            format!("{:x}{:x}", now_secs(), n)
        }
    }
}

/// Lowercase hex encoding.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.extend(char::from_digit(u32::from(nibble), 16));
        }
    }
    out
}

/// Marks a response that carries a token (or is built from one) as never to be stored
/// by a browser or proxy cache (RFC 6749 section 5.1).
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Locks a std mutex, ignoring poisoning (our critical sections never panic,
/// and a poisoned counter is still a usable counter).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Constant-time string equality. Both sides are hashed first so that the
/// comparison does not even leak the secret's length.
pub fn secret_eq(a: &str, b: &str) -> bool {
    let ha = Sha256::digest(a.as_bytes());
    let hb = Sha256::digest(b.as_bytes());
    ha.ct_eq(&hb).into()
}

/// A resource id in a path or body: 1..=64 chars of `[A-Za-z0-9_-]`.
pub fn is_valid_id(s: &str) -> bool {
    is_valid_id_with(s, b"_-")
}

/// Like [`is_valid_id`] but also allowing the given extra ASCII punctuation.
pub fn is_valid_id_with(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// Formats Unix seconds as an RFC 3339 UTC timestamp (`2024-01-31T12:00:00Z`).
pub fn rfc3339(unix: i64) -> String {
    let (year, month, day) = crate::clock::civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// One value in `application/x-www-form-urlencoded` form, as RFC 6749 §2.3.1 has a client
/// encode its id and secret before HTTP Basic: unreserved bytes as they are, a space as
/// `+`, every other byte as `%XX`.
pub fn form_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
    out
}

/// The inverse of [`form_encode`]: `None` for a malformed `%` escape or bytes that are
/// not UTF-8.
pub fn form_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = value.get(i + 1..i + 3)?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("inv_1001"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("../etc"));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert!(is_valid_id_with("1.0.0", b"._-"));
    }

    #[test]
    fn secret_compare() {
        assert!(secret_eq("abc", "abc"));
        assert!(!secret_eq("abc", "abd"));
        assert!(!secret_eq("abc", "abcd"));
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
    }

    #[test]
    fn form_encoding_round_trips_rfc_6749_credentials() {
        let secret = "s+c/r=t%1 ü:";
        let encoded = form_encode(secret);
        assert_eq!(encoded, "s%2Bc%2Fr%3Dt%251+%C3%BC%3A");
        assert_eq!(form_decode(&encoded).as_deref(), Some(secret));
        assert_eq!(
            form_decode("plain-id_1.x*").as_deref(),
            Some("plain-id_1.x*")
        );
        for bad in ["%", "%2", "%zz", "%+1", "%C3"] {
            assert_eq!(form_decode(bad), None, "{bad}");
        }
    }
}
