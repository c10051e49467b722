//! The bodies of register and login.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::input::{field, text};
use crate::domain::{DisplayName, Email, Field, FromBody, Input, Login, Password, Registration};

// Checked into `Registration` by its `FromBody` below.
/// The body of `POST /api/auth/register`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    /// The login; trimmed and lower-cased.
    #[serde(default)]
    #[schema(value_type = String, required = true, format = "email", max_length = 254, example = "dana@example.com")]
    pub email: Field,
    /// 8 to 128 characters, not only whitespace; kept exactly as typed (no trimming).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: Field,
    /// What others see; the email's local part when absent.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100, nullable = false)]
    pub display_name: Field,
}

impl FromBody for Registration {
    type Body = RegisterRequest;

    fn check(body: RegisterRequest, input: &mut Input) -> Option<Registration> {
        let email = input.required(field!(body.email), |v| text(v).and_then(Email::parse));
        let password = input.required(field!(body.password), |v| text(v).and_then(Password::parse));
        let display_name = input.optional(field!(body.display_name), |v| text(v).and_then(DisplayName::parse));
        let email = email?;
        let display_name = display_name?.unwrap_or_else(|| DisplayName::from_email(&email));
        Some(Registration { email, password: password?, display_name })
    }
}

// Checked into `Login` by its `FromBody` below.
/// The body of `POST /api/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    /// The login email.
    #[serde(default)]
    #[schema(value_type = String, required = true, format = "email", example = "alice@example.com")]
    pub email: Field,
    /// The password.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 128, example = "strata-demo")]
    pub password: Field,
}

impl FromBody for Login {
    type Body = LoginRequest;

    fn check(body: LoginRequest, input: &mut Input) -> Option<Login> {
        let email = input.required(field!(body.email), |v| text(v).and_then(Email::parse));
        let password = input.required(field!(body.password), |v| text(v).and_then(Login::parse_password));
        Some(Login { email: email?, password: password? })
    }
}
