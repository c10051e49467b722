//! The bodies of `POST /api/auth/phone/start` and `POST /api/auth/phone/verify`.

use super::input::{FromInput, Input, text};
use super::phone_number::PhoneNumber;
use super::verification_code::VerificationCode;

/// Send a code to this number: `{"phone"}`.
#[derive(Debug, Clone)]
pub struct PhoneStart {
    /// The number to verify.
    pub phone: PhoneNumber,
}

impl FromInput for PhoneStart {
    fn from_input(input: &mut Input) -> Option<PhoneStart> {
        let phone = input.required("phone", |v| text(v).and_then(PhoneNumber::parse));
        Some(PhoneStart { phone: phone? })
    }
}

/// The code received at this number: `{"phone", "code"}`.
#[derive(Debug, Clone)]
pub struct PhoneCheck {
    /// The number being verified.
    pub phone: PhoneNumber,
    /// The code as typed.
    pub code: VerificationCode,
}

impl FromInput for PhoneCheck {
    fn from_input(input: &mut Input) -> Option<PhoneCheck> {
        let phone = input.required("phone", |v| text(v).and_then(PhoneNumber::parse));
        let code = input.required("code", |v| text(v).and_then(VerificationCode::parse));
        Some(PhoneCheck { phone: phone?, code: code? })
    }
}
