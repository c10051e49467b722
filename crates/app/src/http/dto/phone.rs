//! The bodies of the phone verification endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::input::text;
use crate::domain::{
    Field, FromBody, Input, Issues, PhoneCheck, PhoneNumber, PhoneStart, Unrecognized, VerificationCode,
};

// Read into `PhoneStart` by the `TryFrom` below.
/// The body of `POST /api/auth/phone/start`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneStartRequest {
    /// International form; spaces, dashes, dots and parentheses are ignored.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "+49 30 1234567")]
    pub phone: Field,
    /// Keys not listed above: each one is an issue.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unrecognized: Unrecognized,
}

impl FromBody for PhoneStart {
    type Body = PhoneStartRequest;
}

impl TryFrom<PhoneStartRequest> for PhoneStart {
    type Error = Issues;

    fn try_from(body: PhoneStartRequest) -> Result<PhoneStart, Issues> {
        let mut input = Input::new();
        let phone = input.required("phone", body.phone, |v| text(v).and_then(PhoneNumber::parse));
        input.finish(body.unrecognized, || Some(PhoneStart { phone: phone? }))
    }
}

// Read into `PhoneCheck` by the `TryFrom` below.
/// The body of `POST /api/auth/phone/verify`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneVerifyRequest {
    /// The number the code was sent to.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "+49301234567")]
    pub phone: Field,
    /// The six digits received.
    #[serde(default)]
    #[schema(value_type = String, required = true, pattern = "^[0-9]{6}$", example = "042917")]
    pub code: Field,
    /// Keys not listed above: each one is an issue.
    #[serde(flatten)]
    #[schema(ignore)]
    pub unrecognized: Unrecognized,
}

impl FromBody for PhoneCheck {
    type Body = PhoneVerifyRequest;
}

impl TryFrom<PhoneVerifyRequest> for PhoneCheck {
    type Error = Issues;

    fn try_from(body: PhoneVerifyRequest) -> Result<PhoneCheck, Issues> {
        let mut input = Input::new();
        let phone = input.required("phone", body.phone, |v| text(v).and_then(PhoneNumber::parse));
        let code = input.required("code", body.code, |v| text(v).and_then(VerificationCode::parse));
        input.finish(body.unrecognized, || Some(PhoneCheck { phone: phone?, code: code? }))
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
