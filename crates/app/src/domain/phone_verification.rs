//! The bodies of `POST /api/auth/phone/start` and `POST /api/auth/phone/verify`.

use super::phone_number::PhoneNumber;
use super::verification_code::VerificationCode;

/// Send a code to this number: `{"phone"}`.
#[derive(Debug, Clone)]
pub struct PhoneStart {
    /// The number to verify.
    pub phone: PhoneNumber,
}

/// The code received at this number: `{"phone", "code"}`.
#[derive(Debug, Clone)]
pub struct PhoneCheck {
    /// The number being verified.
    pub phone: PhoneNumber,
    /// The code as typed.
    pub code: VerificationCode,
}
