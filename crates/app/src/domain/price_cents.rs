//! A price in the smallest currency unit.

use super::issue::{IssueCode, Violation};

/// A whole number of cents from 0 up to 2^53 - 1, the largest integer a JavaScript
/// client reads back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceCents(i64);

impl PriceCents {
    /// The largest price accepted (the column's CHECK agrees).
    pub const MAX: i64 = 9_007_199_254_740_991;

    /// Parses a price.
    pub fn parse(cents: i64) -> Result<PriceCents, Violation> {
        if cents < 0 {
            return Err(Violation::new(IssueCode::TooSmall, "Price must be greater than or equal to 0"));
        }
        if cents > Self::MAX {
            return Err(Violation::new(IssueCode::TooBig, "Price must be less than or equal to 9007199254740991"));
        }
        Ok(PriceCents(cents))
    }

    /// The number of cents.
    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_negative_and_safe_for_javascript() {
        assert_eq!(PriceCents::parse(-1).unwrap_err().code, IssueCode::TooSmall);
        assert_eq!(PriceCents::parse(PriceCents::MAX + 1).unwrap_err().code, IssueCode::TooBig);
        assert_eq!(PriceCents::parse(0).unwrap().get(), 0);
    }
}
