//! Where an offset falls in a text: 1-based line and column, columns counted in
//! characters (what editors show). Byte offsets come from strata's own scanning
//! (the linter, the splitter); character indexes come from PostgreSQL, whose
//! error positions count characters of the query it was sent.

use std::ops::Range;

/// The start of every line of a text, to answer many questions about one text.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// `(line, column)` of the byte `offset` (clamped to the text's end), both
    /// 1-based, the column in characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// The byte range of the 1-based `line`, without its newline.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.text.len(), |&next| next - 1);
        start..end
    }

    /// The text of the 1-based `line`, without its line ending (`\n` or `\r\n`).
    pub fn line_text(&self, line: usize) -> &'a str {
        self.text[self.line_range(line)].trim_end_matches('\r')
    }

    /// `(line, column)` of the character `index` (0-based) counted from the byte
    /// offset `from`: how a PostgreSQL error position in a statement that starts at
    /// `from` maps into the file. One past the last character is the end of the
    /// text; further is `None`, as is a `from` that is not a character boundary.
    pub fn char_line_col(&self, from: usize, index: usize) -> Option<(usize, usize)> {
        let rest = self.text.get(from..)?;
        let offset = match rest.char_indices().nth(index) {
            Some((i, _)) => from + i,
            None if rest.chars().count() == index => self.text.len(),
            None => return None,
        };
        Some(self.line_col(offset))
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn columns_count_characters_not_bytes() {
        let index = LineIndex::new("select 'é', x;\nnext");
        assert_eq!(index.line_col(0), (1, 1));
        // byte 11 is the comma after the two-byte é: the 11th character
        assert_eq!(index.line_col(11), (1, 11));
        assert_eq!(index.line_col(16), (2, 1));
        assert_eq!(index.line_col(20), (2, 5));
        assert_eq!(index.line_col(999), (2, 5));
        assert_eq!(index.line_range(1), 0..15);
        assert_eq!(index.line_range(2), 16..20);
        assert_eq!(index.line_text(2), "next");
    }

    #[test]
    fn character_indexes_count_from_a_statement_start() {
        let t = "SELECT 'é';\nSELEKT 1;";
        let index = LineIndex::new(t);
        let second = t.find("SELEKT").unwrap();
        assert_eq!(index.char_line_col(0, 0), Some((1, 1)));
        assert_eq!(index.char_line_col(0, 12), Some((2, 1)));
        assert_eq!(index.char_line_col(second, 0), Some((2, 1)));
        assert_eq!(index.char_line_col(second, 7), Some((2, 8)));
        // just past the end (an unterminated statement) is the end; further is nothing
        assert_eq!(index.char_line_col(second, 9), Some((2, 10)));
        assert_eq!(index.char_line_col(0, 999), None);
        assert_eq!(index.char_line_col(9, 0), None, "inside the two bytes of é");
    }

    #[test]
    fn crlf_lines_show_without_their_carriage_return() {
        let index = LineIndex::new("a\r\nbc\r\n");
        assert_eq!(index.line_text(1), "a");
        assert_eq!(index.line_text(2), "bc");
        assert_eq!(index.line_col(3), (2, 1));
    }
}
