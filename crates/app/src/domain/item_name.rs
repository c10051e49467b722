//! The name of an item.

use super::issue::Violation;
use super::text::{Text, text_type};

text_type! {
    /// A trimmed name of 1 to 255 characters, stored verbatim otherwise.
    pub struct ItemName(shown);
}

impl ItemName {
    /// The longest name accepted (the column's CHECK agrees).
    pub const MAX_CHARS: usize = 255;

    /// Parses a name.
    pub fn parse(raw: Text) -> Result<ItemName, Violation> {
        let trimmed = raw.trim();
        Violation::check_length("Name", trimmed, 1, Self::MAX_CHARS)?;
        if trimmed.len() == raw.len() { Ok(ItemName(raw.into_string())) } else { Ok(ItemName(trimmed.to_owned())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::issue::IssueCode;
    use crate::domain::text::test_text;

    #[test]
    fn bounds_in_characters_after_trimming() {
        assert_eq!(ItemName::parse(test_text(" ")).unwrap_err().code, IssueCode::TooSmall);
        assert_eq!(ItemName::parse(test_text("é".repeat(256))).unwrap_err().code, IssueCode::TooBig);
        assert_eq!(ItemName::parse(test_text("é".repeat(255))).unwrap().as_str().chars().count(), 255);
        assert_eq!(ItemName::parse(test_text(" Lamp ")).unwrap().as_str(), "Lamp");
    }
}
