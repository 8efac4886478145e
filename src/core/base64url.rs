//! Strict base64url (RFC 4648 §5) without padding: the alphabet `A-Z a-z 0-9 - _`.

fn sextet(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// True when `s` is non-empty, unpadded base64url of a plausible length.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty() && s.len() % 4 != 1 && s.bytes().all(|b| sextet(b).is_some())
}

/// Decodes unpadded base64url; `None` on padding, `+`, `/`, any other byte, or a
/// length that no encoding produces.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for b in s.bytes() {
        acc = (acc << 6) | sextet(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url (used to build tokens in tests and tools).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = ((n >> (18 - 6 * i)) & 63) as usize;
            if let Some(&c) = ALPHABET.get(idx) {
                out.push(char::from(c));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0u8..=255).collect();
        for n in 0..data.len() {
            let slice = &data[..n];
            assert_eq!(decode(&encode(slice)).as_deref(), Some(slice));
        }
    }

    #[test]
    fn rejects_padding_plus_slash_and_bad_length() {
        assert_eq!(decode("YQ=="), None);
        assert_eq!(decode("a+b/"), None);
        assert_eq!(decode("abcde"), None);
        assert!(!is_valid(""));
        assert!(is_valid("abc"));
    }
}
