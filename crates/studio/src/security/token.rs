//! Random secrets (launch token, session ids, CSRF tokens) and their comparison.

use rand::RngCore;

/// 32 random bytes from the operating system's generator, as 64 hex digits.
pub fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares two secrets in time that depends only on their lengths, so a guess
/// cannot be refined byte by byte from response times.
pub fn equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (random(), random());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn equal_compares_whole_strings() {
        assert!(equal("abc", "abc"));
        assert!(!equal("abc", "abd"));
        assert!(!equal("abc", "abcd"));
        assert!(!equal("", "a"));
    }
}
