//! How a phone verification code is stored. The comparison is the database's
//! (`auth.check_phone_code`), since the application role cannot read stored hashes.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::VerificationCode;

/// SHA-256 of the verification's id (a per-row salt) and the code, as stored in
/// `auth.phone_verifications.code_hash`. A six-digit code cannot resist an offline
/// search whatever the hash; what protects it is the short expiry, the attempt
/// limit, and that only the owner role can read stored hashes. The salt keeps equal
/// codes from having equal hashes.
pub fn hash_code(verification_id: Uuid, code: &VerificationCode) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(verification_id.as_bytes());
    hasher.update(code.expose().as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn the_hash_depends_on_id_and_code() {
        let code = VerificationCode::parse(test_text("123456")).unwrap();
        let other = VerificationCode::parse(test_text("123457")).unwrap();
        let id = Uuid::new_v4();
        assert_eq!(hash_code(id, &code), hash_code(id, &code));
        assert_ne!(hash_code(id, &code), hash_code(id, &other));
        assert_ne!(hash_code(id, &code), hash_code(Uuid::new_v4(), &code));
    }
}
