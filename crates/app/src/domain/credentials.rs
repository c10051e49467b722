//! The bodies of `POST /api/auth/register` and `POST /api/auth/login`.

use super::display_name::DisplayName;
use super::email::Email;
use super::input::{FromInput, Input, text};
use super::issue::{IssueCode, Violation};
use super::password::Password;

/// A new account: `{"email", "password", "displayName"?}`.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The login, normalised.
    pub email: Email,
    /// The chosen password.
    pub password: Password,
    /// What others see; the email's local part when not given.
    pub display_name: DisplayName,
}

impl FromInput for Registration {
    fn from_input(input: &mut Input) -> Option<Registration> {
        let email = input.required("email", |v| text(v).and_then(Email::parse));
        let password = input.required("password", |v| text(v).and_then(Password::parse));
        let display_name = input.optional("displayName", |v| text(v).and_then(DisplayName::parse));
        let email = email?;
        let display_name = display_name?.unwrap_or_else(|| DisplayName::from_email(&email));
        Some(Registration { email, password: password?, display_name })
    }
}

/// A login attempt: `{"email", "password"}`.
///
/// The password is only required to be non-empty, bounded and text (no NUL, as in every
/// field): the policy applies to new passwords, not to old ones.
#[derive(Clone)]
pub struct Login {
    /// The login, normalised.
    pub email: Email,
    /// The password as typed.
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("email", &self.email).finish_non_exhaustive()
    }
}

impl FromInput for Login {
    fn from_input(input: &mut Input) -> Option<Login> {
        let email = input.required("email", |v| text(v).and_then(Email::parse));
        let password = input.required("password", |v| {
            let password = text(v)?.into_string();
            if password.is_empty() {
                return Err(Violation::new(IssueCode::TooSmall, "Password must contain at least 1 character(s)"));
            }
            if password.chars().count() > Password::MAX_CHARS {
                return Err(Violation::new(IssueCode::TooBig, "Password must contain at most 128 character(s)"));
            }
            Ok(password)
        });
        Some(Login { email: email?, password: password? })
    }
}
