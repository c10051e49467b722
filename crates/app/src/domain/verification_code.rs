//! The one-time code sent to confirm a phone number.

use rand::Rng;

use super::issue::{IssueCode, Violation};
use super::text::{Text, text_type};

text_type! {
    /// Six decimal digits. Its `Debug` does not show it.
    pub struct VerificationCode(secret);
}

impl VerificationCode {
    /// The number of digits.
    pub const DIGITS: usize = 6;

    /// A fresh code from the operating system's random source.
    pub fn generate() -> VerificationCode {
        let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
        VerificationCode(format!("{n:06}"))
    }

    /// Parses a code typed by the user (surrounding spaces allowed).
    pub fn parse(raw: Text) -> Result<VerificationCode, Violation> {
        let code = raw.trim();
        if code.len() != Self::DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Violation::new(IssueCode::InvalidString, "Code must be 6 digits"));
        }
        Ok(VerificationCode(code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::test_text;

    #[test]
    fn generated_codes_parse() {
        for _ in 0..100 {
            let code = VerificationCode::generate();
            assert_eq!(VerificationCode::parse(test_text(code.expose())).unwrap(), code);
        }
    }

    #[test]
    fn only_six_digits() {
        for bad in ["12345", "1234567", "12345a", "１２３４５６"] {
            assert!(VerificationCode::parse(test_text(bad)).is_err(), "{bad:?}");
        }
        assert!(VerificationCode::parse(test_text(" 012345 ")).is_ok());
    }
}
