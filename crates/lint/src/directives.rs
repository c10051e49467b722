//! `-- strata:` comments as the linter sees them: the runner's directives (read
//! by [`strata_migrate::directive`], so the two agree) and suppressions.
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

use strata_migrate::directive::{self, Name};

pub(crate) use strata_migrate::directive::PREFIX;

/// One `-- strata:...` comment.
#[derive(Debug, Clone)]
pub(crate) struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    /// Byte range of the comment text in the file.
    pub range: Range<usize>,
    /// Before the first SQL line, where the runner reads its directives.
    pub in_header: bool,
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
    /// `schema`, `lock-timeout`, `statement-timeout`: a directive for the runner,
    /// with its argument as written.
    Runner {
        name: Name,
        argument: String,
        argument_range: Range<usize>,
    },
    Unknown {
        name: String,
    },
}

/// Every `-- strata:` comment of a file, in order.
pub(crate) fn scan(text: &str) -> Vec<Directive> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = vec![];
    for c in directive::scan(text) {
        let index = c.line - 1;
        let kind = match Name::parse(c.name) {
            Some(Name::NoTransaction) => DirectiveKind::NoTransaction,
            Some(name @ (Name::Ignore | Name::IgnoreFile)) => {
                let target_line = if c.trailing {
                    c.line
                } else {
                    lines[index + 1..]
                        .iter()
                        .position(|l| {
                            let t = l.trim();
                            !t.is_empty() && !t.starts_with("--")
                        })
                        .map_or(0, |p| index + 2 + p)
                };
                let rules = rule_ids(c.argument, c.argument_range.start);
                DirectiveKind::Ignore { file: name == Name::IgnoreFile, target_line, rules }
            }
            Some(name) => DirectiveKind::Runner {
                name,
                argument: c.argument.to_owned(),
                argument_range: c.argument_range.clone(),
            },
            None => DirectiveKind::Unknown { name: c.name.to_owned() },
        };
        out.push(Directive { line: c.line, range: c.range, in_header: c.in_header, kind });
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

    #[test]
    fn runner_directives_are_known() {
        let found = scan("-- strata:schema app\n-- strata:lock-timeout 5s\n");
        assert!(
            matches!(&found[0].kind, DirectiveKind::Runner { name: Name::Schema, argument, .. } if argument == "app")
        );
        assert!(matches!(&found[1].kind, DirectiveKind::Runner { name: Name::LockTimeout, .. }));
    }
}
