//! `-- strata:` comments: the no-transaction directive and suppressions.
//!
//! ```sql
//! -- strata:ignore non-idempotent            -- the next statement line
//! CREATE TYPE app.mood AS ENUM ('a');
//! SELECT 1; -- strata:ignore dynamic-sql     -- a trailing comment: its own line
//! -- strata:ignore-file unqualified-relation -- the whole file
//! ```
//! A suppression before a statement applies to the first following line that is
//! neither blank nor a comment, so a reason can go on its own comment line.

use std::ops::Range;

pub(crate) const PREFIX: &str = "strata:";

/// One `-- strata:...` comment.
#[derive(Debug, Clone)]
pub(crate) struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    /// Byte range of the comment text in the file.
    pub range: Range<usize>,
    pub kind: DirectiveKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DirectiveKind {
    NoTransaction,
    /// `ignore` (one line) or `ignore-file`.
    Ignore {
        file: bool,
        target_line: usize,
        rules: Vec<(String, Range<usize>)>,
    },
    Unknown {
        name: String,
    },
}

/// Every `-- strata:` comment of a file, in order.
pub(crate) fn scan(text: &str) -> Vec<Directive> {
    let lines: Vec<(usize, &str)> = {
        let mut start = 0;
        text.split('\n')
            .map(|l| {
                let s = start;
                start += l.len() + 1;
                (s, l)
            })
            .collect()
    };
    let mut out = vec![];
    for (index, &(line_start, line)) in lines.iter().enumerate() {
        let Some(dash) = line.find("--") else { continue };
        let after = line[dash + 2..].trim_start();
        let Some(rest) = after.strip_prefix(PREFIX) else { continue };
        let trailing = !line[..dash].trim().is_empty();
        let rest_offset = line_start + line.len() - rest.len();
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
        let name = &rest[..name_len];
        let range = line_start + dash..line_start + line.trim_end().len();
        let kind = match name {
            "no-transaction" => DirectiveKind::NoTransaction,
            "ignore" | "ignore-file" => {
                let file = name == "ignore-file";
                let target_line = if trailing {
                    index + 1
                } else {
                    lines[index + 1..]
                        .iter()
                        .position(|(_, l)| {
                            let t = l.trim();
                            !t.is_empty() && !t.starts_with("--")
                        })
                        .map_or(0, |p| index + 2 + p)
                };
                let rules = rule_ids(&rest[name_len..], rest_offset + name_len);
                DirectiveKind::Ignore { file, target_line, rules }
            }
            _ => DirectiveKind::Unknown { name: name.to_owned() },
        };
        out.push(Directive { line: index + 1, range, kind });
    }
    out
}

/// `a, b c -- reason` -> `a`, `b`, `c` with their byte ranges.
fn rule_ids(text: &str, offset: usize) -> Vec<(String, Range<usize>)> {
    let mut out = vec![];
    let mut pos = 0;
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        let start = pos;
        pos += word.len() + 1;
        if word.is_empty() {
            continue;
        }
        if word.starts_with("--") || !word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            break;
        }
        out.push((word.to_owned(), offset + start..offset + start + word.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_targets_the_next_statement_line() {
        let text = "-- strata:ignore a, b -- why\n-- more words\n\nSELECT 1; -- strata:ignore c\n";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        let DirectiveKind::Ignore { file, target_line, rules } = &found[0].kind else { panic!() };
        assert!(!file);
        assert_eq!(*target_line, 4);
        assert_eq!(rules.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(&text[rules[1].1.clone()], "b");
        let DirectiveKind::Ignore { target_line, .. } = &found[1].kind else { panic!() };
        assert_eq!(*target_line, 4);
    }

    #[test]
    fn unknown_directive_is_kept() {
        let found = scan("--strata:no-transactoin\n");
        assert_eq!(found[0].kind, DirectiveKind::Unknown { name: "no-transactoin".into() });
    }
}
