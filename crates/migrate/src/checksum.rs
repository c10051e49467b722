//! Checksums of migration files that survive a checkout on another platform.
//!
//! A UTF-8 byte-order mark and CRLF line endings are removed before hashing, so
//! a Windows checkout (or an editor that adds a BOM) is not an edit.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

/// SHA-256 of a normalized file.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checksum(pub [u8; 32]);

impl Checksum {
    /// Hashes text that is already normalized.
    pub fn of_normalized(text: &str) -> Checksum {
        Checksum(Sha256::digest(text.as_bytes()).into())
    }

    /// Normalizes, then hashes.
    pub fn of(text: &str) -> Checksum {
        Checksum::of_normalized(&normalize(text))
    }

    /// From the bytes stored in the history table.
    pub fn from_slice(bytes: &[u8]) -> Option<Checksum> {
        bytes.try_into().ok().map(Checksum)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({})", self.to_hex())
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Drops a leading BOM and turns every CRLF into LF.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bom_and_crlf_do_not_change_the_checksum() {
        let lf = "CREATE TABLE IF NOT EXISTS app.t (id int);\nSELECT 1;\n";
        let crlf = "\u{feff}CREATE TABLE IF NOT EXISTS app.t (id int);\r\nSELECT 1;\r\n";
        assert_eq!(Checksum::of(lf), Checksum::of(crlf));
        assert_ne!(Checksum::of(lf), Checksum::of("SELECT 2;\n"));
    }

    #[test]
    fn checksum_is_sha256_of_the_normalized_text() {
        assert_eq!(Checksum::of("").to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    proptest! {
        #[test]
        fn crlf_checkout_never_counts_as_an_edit(lines in proptest::collection::vec("[^\r\n\u{feff}]{0,20}", 0..10)) {
            let lf = lines.join("\n");
            let crlf = format!("\u{feff}{}", lines.join("\r\n"));
            prop_assert_eq!(Checksum::of(&lf), Checksum::of(&crlf));
        }
    }
}
