//! The bodies of `POST /api/auth/register` and `POST /api/auth/login`.

use super::display_name::DisplayName;
use super::email::Email;
use super::issue::Violation;
use super::password::Password;
use super::text::Text;

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

impl Login {
    /// The password of a login: only required to be non-empty and at most
    /// [`Password::MAX_CHARS`] characters.
    pub fn parse_password(text: Text) -> Result<String, Violation> {
        Violation::check_length("Password", &text, 1, Password::MAX_CHARS)?;
        Ok(text.into_string())
    }
}
