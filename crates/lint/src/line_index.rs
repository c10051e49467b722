//! Byte offsets to 1-based line and character column.

/// The start offset of every line of a text.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// `(line, column)`, both 1-based, the column in characters.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// The byte range of a 1-based line, without its newline.
    pub(crate) fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.text.len(), |&next| next - 1);
        start..end
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
        assert_eq!(index.line_range(1), 0..15);
        assert_eq!(index.line_range(2), 16..20);
    }
}
