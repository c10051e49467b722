//! The free-text description of an item.

use super::issue::Violation;
use super::text::{Text, text_type};

text_type! {
    /// Up to 5000 characters, stored exactly as given.
    pub struct ItemDescription(shown);
}

impl ItemDescription {
    /// The longest description accepted (the column's CHECK agrees).
    pub const MAX_CHARS: usize = 5000;

    /// Parses a description.
    pub fn parse(raw: Text) -> Result<ItemDescription, Violation> {
        Violation::check_length("Description", &raw, 0, Self::MAX_CHARS)?;
        Ok(ItemDescription(raw.into_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::issue::IssueCode;
    use crate::domain::text::test_text;

    #[test]
    fn bounded() {
        assert!(ItemDescription::parse(test_text("x".repeat(5000))).is_ok());
        assert_eq!(ItemDescription::parse(test_text("x".repeat(5001))).unwrap_err().code, IssueCode::TooBig);
    }
}
