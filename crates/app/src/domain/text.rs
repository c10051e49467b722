//! Text as PostgreSQL can store it: the raw material of every domain type built from a
//! string a client sends.

use std::ops::Deref;

use super::issue::{IssueCode, Violation};

/// A string without NUL (U+0000).
///
/// JSON (`"\u0000"`) and query strings (`%00`) carry NUL, but PostgreSQL's `text` cannot
/// hold it ("invalid byte sequence for encoding UTF8: 0x00"); it is the only character
/// of valid UTF-8 that PostgreSQL refuses. Every string a request gives is read as a
/// `Text` first, and the domain types take a `Text`, so none of them can hold a NUL
/// and the client gets an issue on the field instead of a failed statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    /// Takes a string the client gave.
    pub fn parse(raw: String) -> Result<Text, Violation> {
        if raw.contains('\0') {
            return Err(Violation::new(IssueCode::InvalidString, "Text must not contain the NUL character (U+0000)"));
        }
        Ok(Text(raw))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, without copying it.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Declares a domain type that holds a string its own `parse` has checked: the struct,
/// whose field is private to the declaring module (so only that module makes one), and
/// its way out. `shown`: `as_str`, `Display` and `Debug`. `secret`: `expose`, and a
/// `Debug` that prints only the type's name, so a log line never holds the value.
macro_rules! text_type {
    ($(#[$meta:meta])* pub struct $name:ident(shown);) => {
        $crate::domain::text::text_type!(@struct $(#[$meta])* #[derive(Debug, Hash)] $name, as_str, "The checked text.");

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident(secret);) => {
        $crate::domain::text::text_type!(@struct $(#[$meta])* $name, expose, "The secret itself, for hashing or sending.");

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
    (@struct $(#[$meta:meta])* $name:ident, $accessor:ident, $doc:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            #[doc = $doc]
            pub fn $accessor(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use text_type;

/// `raw` as [`Text`], for tests of the types built from it.
#[cfg(test)]
pub(crate) fn test_text(raw: impl Into<String>) -> Text {
    Text::parse(raw.into()).expect("test text without NUL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_refused_anywhere_in_the_text() {
        for raw in ["\0", "a\0", "\0a", "a\0b"] {
            let violation = Text::parse(raw.to_owned()).unwrap_err();
            assert_eq!(violation.code, IssueCode::InvalidString, "{raw:?}");
            assert!(violation.message.contains("NUL"));
        }
    }

    #[test]
    fn every_other_character_is_kept() {
        let raw = "\u{1}\t\n é \u{7f} \u{fffd} 🦀";
        assert_eq!(Text::parse(raw.to_owned()).unwrap().as_str(), raw);
        assert_eq!(Text::parse(String::new()).unwrap().as_str(), "");
    }
}
