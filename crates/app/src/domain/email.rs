//! An email address, normalised so that one address is one account.

use super::issue::{IssueCode, Violation};
use super::text::{Text, text_type};

text_type! {
    /// A syntactically plausible email address, trimmed and in lower case.
    ///
    /// The check is deliberately loose (one `@`, a dotted domain, no spaces): the only
    /// real test of an address is mail reaching it.
    pub struct Email(shown);
}

impl Email {
    /// The longest address SMTP can carry.
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises an address.
    pub fn parse(raw: Text) -> Result<Email, Violation> {
        let normalised = raw.trim().to_lowercase();
        Violation::check_length("Email", &normalised, 0, Self::MAX_LEN)?;
        if !plausible(&normalised) {
            return Err(Violation::new(IssueCode::InvalidString, "Invalid email"));
        }
        Ok(Email(normalised))
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(local, _)| local)
    }
}

fn plausible(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let no_space = |s: &str| !s.chars().any(|c| c.is_whitespace() || c.is_control());
    !local.is_empty()
        && local.len() <= 64
        && no_space(local)
        && no_space(domain)
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(Email::parse(test_text("  Alice@Example.COM ")).unwrap().as_str(), "alice@example.com");
    }

    #[test]
    fn rejects_implausible_addresses() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@localhost",
            "a b@example.com",
            "a@b@example.com",
            "alice@.com",
            "alice@-x.com",
        ] {
            assert_eq!(Email::parse(test_text(bad)).unwrap_err().code, IssueCode::InvalidString, "{bad:?}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(test_text(long)).unwrap_err().code, IssueCode::TooBig);
    }

    #[test]
    fn local_part_is_before_the_at() {
        assert_eq!(Email::parse(test_text("bob.smith@example.com")).unwrap().local_part(), "bob.smith");
    }
}
