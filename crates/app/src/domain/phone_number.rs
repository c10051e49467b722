//! A phone number in E.164 form.

use super::issue::{IssueCode, Violation};
use super::text::{Text, text_type};

text_type! {
    /// `+` then 7 to 15 digits, the first not 0. Spaces, dashes, dots and parentheses
    /// in the input are dropped, so `+49 (30) 123-4567` is `+49301234567`.
    pub struct PhoneNumber(shown);
}

impl PhoneNumber {
    /// Parses and normalises a number.
    pub fn parse(raw: Text) -> Result<PhoneNumber, Violation> {
        let invalid = || {
            Violation::new(
                IssueCode::InvalidString,
                "Invalid phone number: use the international form, e.g. +4930123456",
            )
        };
        let trimmed = raw.trim();
        let digits_part = trimmed.strip_prefix('+').ok_or_else(invalid)?;
        let mut normalised = String::with_capacity(16);
        normalised.push('+');
        for c in digits_part.chars() {
            match c {
                '0'..='9' => normalised.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(invalid()),
            }
        }
        let digits = normalised.len() - 1;
        if !(7..=15).contains(&digits) || normalised.as_bytes()[1] == b'0' {
            return Err(invalid());
        }
        Ok(PhoneNumber(normalised))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn normalises_punctuation() {
        assert_eq!(PhoneNumber::parse(test_text(" +49 (30) 123-4567 ")).unwrap().as_str(), "+49301234567");
    }

    #[test]
    fn rejects_what_is_not_e164() {
        for bad in ["", "030 1234567", "+0301234567", "+12345", "+1234567890123456", "+49 30 abc"] {
            assert!(PhoneNumber::parse(test_text(bad)).is_err(), "{bad:?}");
        }
    }
}
