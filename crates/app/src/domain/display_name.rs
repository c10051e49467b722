//! The name a user shows to others (an item's owner).

use super::email::Email;
use super::issue::{IssueCode, Violation};
use super::text::{Text, text_type};

text_type! {
    /// A trimmed name of 1 to 100 characters without control characters.
    pub struct DisplayName(shown);
}

impl DisplayName {
    /// The longest name accepted.
    pub const MAX_CHARS: usize = 100;

    /// Parses a name given by the user.
    pub fn parse(raw: Text) -> Result<DisplayName, Violation> {
        let trimmed = raw.trim();
        Violation::check_length("Display name", trimmed, 1, Self::MAX_CHARS)?;
        if trimmed.chars().any(char::is_control) {
            return Err(Violation::new(IssueCode::InvalidString, "Display name must not contain control characters"));
        }
        Ok(DisplayName(trimmed.to_owned()))
    }

    /// The default for a user who gave none: the email's local part.
    pub fn from_email(email: &Email) -> DisplayName {
        let name: String = email.local_part().chars().take(Self::MAX_CHARS).collect();
        DisplayName(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(DisplayName::parse(test_text("  Ann ")).unwrap().as_str(), "Ann");
        assert_eq!(DisplayName::parse(test_text("   ")).unwrap_err().code, IssueCode::TooSmall);
        assert_eq!(DisplayName::parse(test_text("x".repeat(101))).unwrap_err().code, IssueCode::TooBig);
        assert_eq!(DisplayName::parse(test_text("a\u{7}b")).unwrap_err().code, IssueCode::InvalidString);
    }

    #[test]
    fn defaults_to_the_local_part() {
        let email = Email::parse(test_text("carol@example.com")).unwrap();
        assert_eq!(DisplayName::from_email(&email).as_str(), "carol");
    }
}
