//! The free-text description of an item.

use super::issue::Violation;
use super::text::Text;

/// Up to 5000 characters, stored exactly as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDescription(String);

impl ItemDescription {
    /// The longest description accepted (the column's CHECK agrees).
    pub const MAX_CHARS: usize = 5000;

    /// Parses a description.
    pub fn parse(raw: Text) -> Result<ItemDescription, Violation> {
        Violation::check_length("Description", &raw, 0, Self::MAX_CHARS)?;
        Ok(ItemDescription(raw.into_string()))
    }

    /// The description.
    pub fn as_str(&self) -> &str {
        &self.0
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
