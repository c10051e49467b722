//! How a phone verification code is stored and compared.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::VerificationCode;

/// SHA-256 of the verification's id (a per-row salt) and the code, as stored in
/// `auth.phone_verifications.code_hash`. A six-digit code cannot resist an offline
/// search whatever the hash; what protects it is the short expiry and the attempt
/// limit, and the salt keeps equal codes from having equal hashes.
pub fn hash_code(verification_id: Uuid, code: &VerificationCode) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(verification_id.as_bytes());
    hasher.update(code.expose().as_bytes());
    hasher.finalize().into()
}

/// Compares two hashes in time independent of where they differ.
pub fn hashes_match(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_id_and_code() {
        let code = VerificationCode::parse("123456".into()).unwrap();
        let other = VerificationCode::parse("123457".into()).unwrap();
        let id = Uuid::new_v4();
        assert!(hashes_match(&hash_code(id, &code), &hash_code(id, &code)));
        assert!(!hashes_match(&hash_code(id, &code), &hash_code(id, &other)));
        assert!(!hashes_match(&hash_code(id, &code), &hash_code(Uuid::new_v4(), &code)));
        assert!(!hashes_match(&[1, 2], &[1, 2, 3]));
    }
}
