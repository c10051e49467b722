//! The bodies of the phone verification endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::input::{field, text};
use crate::domain::{Field, FromBody, Input, PhoneCheck, PhoneNumber, PhoneStart, VerificationCode};

// Checked into `PhoneStart` by its `FromBody` below.
/// The body of `POST /api/auth/phone/start`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhoneStartRequest {
    /// International form; spaces, dashes, dots and parentheses are ignored.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "+49 30 1234567")]
    pub phone: Field,
}

impl FromBody for PhoneStart {
    type Body = PhoneStartRequest;

    fn check(body: PhoneStartRequest, input: &mut Input) -> Option<PhoneStart> {
        let phone = input.required(field!(body.phone), |v| text(v).and_then(PhoneNumber::parse));
        Some(PhoneStart { phone: phone? })
    }
}

// Checked into `PhoneCheck` by its `FromBody` below.
/// The body of `POST /api/auth/phone/verify`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhoneVerifyRequest {
    /// The number the code was sent to.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "+49301234567")]
    pub phone: Field,
    /// The six digits received.
    #[serde(default)]
    #[schema(value_type = String, required = true, pattern = "^[0-9]{6}$", example = "042917")]
    pub code: Field,
}

impl FromBody for PhoneCheck {
    type Body = PhoneVerifyRequest;

    fn check(body: PhoneVerifyRequest, input: &mut Input) -> Option<PhoneCheck> {
        let phone = input.required(field!(body.phone), |v| text(v).and_then(PhoneNumber::parse));
        let code = input.required(field!(body.code), |v| text(v).and_then(VerificationCode::parse));
        Some(PhoneCheck { phone: phone?, code: code? })
    }
}

/// A code was sent.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhoneStartResponse {
    /// The number, normalised to E.164.
    pub phone: String,
    /// Until when the code is accepted.
    pub expires_at: DateTime<Utc>,
    /// How many wrong codes are allowed.
    pub max_attempts: u32,
    /// Seconds until another code may be requested.
    pub resend_after_seconds: u64,
}
