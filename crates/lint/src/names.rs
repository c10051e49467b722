//! Object names as written in SQL: the dotted path of a table, type or function,
//! normalized the way PostgreSQL folds identifiers.

use rowan::TextRange;
use squawk_syntax::ast::normalize_name_node;
use squawk_syntax::{SyntaxKind, SyntaxNode};
use strata_migrate::quote::ident_if_needed;

/// A possibly qualified name (`auth.user`, `items`, `app.items.name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// Segments, unquoted and case-folded (`"User"` stays `User`, `User` becomes `user`).
    pub segments: Vec<String>,
    /// The text range of each segment.
    pub ranges: Vec<TextRange>,
}

impl Name {
    /// The range of the whole name.
    pub fn range(&self) -> TextRange {
        let first = self.ranges[0];
        let last = self.ranges[self.ranges.len() - 1];
        first.cover(last)
    }

    /// The last segment: the object's own name.
    pub fn last(&self) -> &str {
        &self.segments[self.segments.len() - 1]
    }

    /// The name as written, dot-joined and quoted where needed.
    pub fn display(&self) -> String {
        self.segments.iter().map(|s| ident_if_needed(s)).collect::<Vec<_>>().join(".")
    }

    /// The whole name as a key for comparisons.
    pub fn key(&self) -> String {
        self.segments.join(".")
    }
}

/// The name held by a `PATH` or `PATH_REF` child of `node` (or `node` itself).
pub(crate) fn name_of(node: &SyntaxNode) -> Option<Name> {
    let path = if matches!(node.kind(), SyntaxKind::PATH | SyntaxKind::PATH_REF) {
        node.clone()
    } else {
        node.children().find(|c| matches!(c.kind(), SyntaxKind::PATH | SyntaxKind::PATH_REF))?
    };
    let mut segments = vec![];
    let mut ranges = vec![];
    for segment in path.descendants() {
        if matches!(segment.kind(), SyntaxKind::PATH_SEGMENT | SyntaxKind::PATH_SEGMENT_REF) {
            let text = normalize_name_node(&segment);
            if text.is_empty() {
                continue;
            }
            segments.push(text);
            ranges.push(segment.text_range());
        }
    }
    if segments.is_empty() {
        return None;
    }
    Some(Name { segments, ranges })
}

/// A single-token name node (`CTE_NAME`, `TRANSITION_RELATION_NAME`, `SCHEMA_REF`, ...).
pub(crate) fn simple_name(node: &SyntaxNode) -> String {
    normalize_name_node(node)
}

/// Splits the text of a string literal naming a relation (`'app.items_id_seq'`, as
/// `nextval` and `::regclass` take) into its segments, or `None` when it is not a
/// plain name.
pub(crate) fn split_regclass(text: &str) -> Option<Vec<String>> {
    let mut segments = vec![];
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut segment = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        segment.push('"');
                    }
                    '"' => break,
                    c => segment.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if !(c.is_alphanumeric() || c == '_' || c == '$') {
                    return None;
                }
                segment.push(c.to_ascii_lowercase());
                chars.next();
            }
            if segment.is_empty() {
                return None;
            }
        }
        segments.push(segment);
        match chars.next() {
            None => return Some(segments),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regclass_text_is_split_and_folded() {
        assert_eq!(split_regclass("app.Items_seq"), Some(vec!["app".into(), "items_seq".into()]));
        assert_eq!(split_regclass("\"App\".\"a.b\""), Some(vec!["App".into(), "a.b".into()]));
        assert_eq!(split_regclass("items"), Some(vec!["items".into()]));
        assert_eq!(split_regclass("not a name"), None);
        assert_eq!(split_regclass(""), None);
    }
}
