//! The bodies of register and login.

use serde::Serialize;
use utoipa::ToSchema;

// Read by `crate::domain::Registration`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `POST /api/auth/register`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    /// The login; trimmed and lower-cased.
    #[schema(format = "email", max_length = 254, example = "dana@example.com")]
    pub email: String,
    /// 8 to 128 characters, not only whitespace; kept exactly as typed (no trimming).
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: String,
    /// What others see; the email's local part when absent.
    #[schema(min_length = 1, max_length = 100, nullable = false)]
    pub display_name: Option<String>,
}

// Read by `crate::domain::Login`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `POST /api/auth/login`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginRequest {
    /// The login email.
    #[schema(format = "email", example = "alice@example.com")]
    pub email: String,
    /// The password.
    #[schema(min_length = 1, max_length = 128, example = "strata-demo")]
    pub password: String,
}
