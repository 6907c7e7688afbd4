//! The random values the reference server hands out: registration codes, pairing codes, OTPs,
//! captcha answers, appeal tokens.

use base64::Engine;
use rand::Rng;

pub const DIGITS: &[u8] = b"0123456789";
pub const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// `len` characters drawn uniformly from the union of `alphabets`.
pub fn random_from(len: usize, alphabets: &[&[u8]]) -> String {
    let pool: Vec<u8> = alphabets.concat();
    assert!(!pool.is_empty(), "a code needs at least one character to draw from");
    let mut rng = rand::rng();
    (0..len).map(|_| pool[rng.random_range(0..pool.len())] as char).collect()
}

pub fn random_digits(len: usize) -> String {
    random_from(len, &[DIGITS])
}

/// Standard base64 with padding, as in `data:` URLs and captcha images.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_their_alphabet() {
        for _ in 0..200 {
            let code = random_from(10, &[DIGITS, UPPER]);
            assert_eq!(code.len(), 10);
            assert!(code.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
            assert!(random_digits(6).bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
