//! The bodies of the phone verification endpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

// Read by `crate::domain::PhoneStart`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `POST /api/auth/phone/start`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneStartRequest {
    /// International form; spaces, dashes, dots and parentheses are ignored.
    #[schema(example = "+49 30 1234567")]
    pub phone: String,
}

// Read by `crate::domain::PhoneCheck`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `POST /api/auth/phone/verify`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneVerifyRequest {
    /// The number the code was sent to.
    #[schema(example = "+49301234567")]
    pub phone: String,
    /// The six digits received.
    #[schema(pattern = "^[0-9]{6}$", example = "042917")]
    pub code: String,
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
