//! The secret in the session cookie.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 lowercase hex digits. The database stores only its
/// [`hash`](SessionToken::hash), so reading `auth.session` does not yield cookies.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> SessionToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SessionToken(hex::encode(bytes))
    }

    /// A token read from a cookie, if it has the right form.
    pub fn parse(s: &str) -> Option<SessionToken> {
        (s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then(|| SessionToken(s.to_owned()))
    }

    /// SHA-256 of the token, as stored in `auth.session.token_hash`.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// The token, for the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_eq!(SessionToken::parse(a.expose()), Some(a.clone()));
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn rejects_malformed_tokens() {
        assert_eq!(SessionToken::parse("abc"), None);
        assert_eq!(SessionToken::parse(&"G".repeat(64)), None);
        assert_eq!(SessionToken::parse(&"A".repeat(64)), None);
    }
}
