//! A new password, as chosen at registration.

use super::issue::{IssueCode, Violation};
use super::text::{Text, text_type};

text_type! {
    /// A password that meets the length policy. Its `Debug` does not show it.
    pub struct Password(secret);
}

impl Password {
    /// The shortest password accepted.
    pub const MIN_CHARS: usize = 8;
    /// The longest password accepted (argon2 takes any length; this bounds the work).
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password against the policy. Not applied at login, so that a
    /// stricter policy later does not lock out existing accounts.
    ///
    /// A password of whitespace only is refused (eight spaces are no secret). Other
    /// whitespace, leading and trailing included, is kept as typed, here and at login:
    /// trimming would silently make a different password than the one chosen (and a
    /// generated one may begin or end with a space).
    pub fn parse(raw: Text) -> Result<Password, Violation> {
        Violation::check_length("Password", &raw, Self::MIN_CHARS, Self::MAX_CHARS)?;
        // Unicode White_Space, and the byte order mark, which renders as nothing.
        if raw.chars().all(|c| c.is_whitespace() || c == '\u{feff}') {
            return Err(Violation::new(IssueCode::InvalidString, "Password must not be only whitespace"));
        }
        Ok(Password(raw.into_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn enforces_the_length_policy_in_characters() {
        assert_eq!(Password::parse(test_text("short")).unwrap_err().code, IssueCode::TooSmall);
        assert_eq!(Password::parse(test_text("x".repeat(129))).unwrap_err().code, IssueCode::TooBig);
        assert!(Password::parse(test_text("ääääääää")).is_ok());
    }

    #[test]
    fn whitespace_only_is_refused_and_other_whitespace_kept() {
        // Regression: eight spaces were accepted as a password.
        for blank in [" ".repeat(8), "\t\n \u{a0}\u{2003}\u{3000}\u{feff}  ".to_owned()] {
            assert_eq!(
                Password::parse(test_text(blank.clone())).unwrap_err().code,
                IssueCode::InvalidString,
                "{blank:?}"
            );
        }
        assert_eq!(Password::parse(test_text("  pass word  ")).unwrap().expose(), "  pass word  ");
    }

    #[test]
    fn debug_hides_the_password() {
        assert_eq!(format!("{:?}", Password::parse(test_text("secret-password")).unwrap()), "Password(..)");
    }
}
