//! Version-4 UUIDs for `Idempotency-Key`, from 16 random bytes.
//!
//! The browser's `crypto.randomUUID()` exists only in secure contexts (`https:` pages,
//! `localhost`); `crypto.getRandomValues()` exists in every context. The SDK takes the
//! bytes from the latter and formats them here, so a key works on a plain-`http:` test
//! host too.

/// Formats `bytes` as a version-4, variant-1 UUID (RFC 9562), lower-case:
/// `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx` with `V` one of `8`, `9`, `a`, `b`.
#[must_use]
pub fn v4(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::v4;

    #[test]
    fn zero_bytes_give_the_version_and_variant_bits_only() {
        assert_eq!(v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn all_ones_keep_every_other_bit() {
        assert_eq!(v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn bytes_appear_in_order() {
        let bytes = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef,
        ];
        assert_eq!(v4(bytes), "01234567-89ab-4def-8123-456789abcdef");
    }
}
