//! Turning PostgreSQL's error positions (1-based character offsets into the
//! query sent) into a line and column of the migration file.

/// Line and column (1-based, columns in characters) of the character `index`
/// (0-based) counted from the byte offset `from` of `text` (the start when `None`).
pub fn line_col(text: &str, from: Option<usize>, index: usize) -> Option<(usize, usize)> {
    // A position just past the end (an unterminated statement) points at the end.
    crate::text_position::LineIndex::new(text).char_line_col(from.unwrap_or(0), index)
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn counts_characters_not_bytes() {
        let t = "SELECT 'é';\nSELEKT 1;";
        assert_eq!(line_col(t, None, 0), Some((1, 1)));
        assert_eq!(line_col(t, None, 12), Some((2, 1)));
        assert_eq!(line_col(t, Some(t.find("SELEKT").unwrap()), 0), Some((2, 1)));
        assert_eq!(line_col(t, Some(t.find("SELEKT").unwrap()), 7), Some((2, 8)));
        assert_eq!(line_col(t, None, 999), None);
    }
}
