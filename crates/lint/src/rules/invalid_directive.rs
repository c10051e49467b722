//! `invalid-directive` (warning): a `-- strata:` comment that does nothing — a
//! misspelled directive, `no-transaction` below the first line, a suppression
//! that names no rule.

use crate::check::Check;
use crate::directives::{DirectiveKind, PREFIX};
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "invalid-directive",
    severity: Severity::Warning,
    summary: "`-- strata:` comments are known directives in the right place.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let mut found = vec![];
    for d in cx.directives {
        let (message, help) = match &d.kind {
            DirectiveKind::NoTransaction if d.line == 1 && cx.no_transaction => continue,
            DirectiveKind::NoTransaction if d.line == 1 => (
                "the no-transaction directive must be exactly `-- strata:no-transaction`".to_owned(),
                "write the first line as `-- strata:no-transaction`".to_owned(),
            ),
            DirectiveKind::NoTransaction => (
                format!("`-- {PREFIX}no-transaction` only counts on the first line of the file"),
                "move it to line 1".to_owned(),
            ),
            DirectiveKind::Ignore { rules, .. } if rules.is_empty() => (
                "this suppression names no rule".to_owned(),
                format!("write `-- {PREFIX}ignore rule-id` (e.g. `-- {PREFIX}ignore non-idempotent`)"),
            ),
            DirectiveKind::Ignore { .. } => continue,
            DirectiveKind::Unknown { name } => (
                format!("unknown directive `{PREFIX}{name}`"),
                format!(
                    "the directives are `{PREFIX}no-transaction`, `{PREFIX}ignore rule-id` and `{PREFIX}ignore-file rule-id`"
                ),
            ),
        };
        found.push((d.range.clone(), message, help));
    }
    for (range, message, help) in found {
        cx.report_at(&RULE, range, message, Some(help));
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_directives_that_do_nothing() {
        assert_snapshot!(check(
            super::RULE.id,
            "--strata:no-transaction\nSELECT 1;\n-- strata:no-transaction\n-- strata:ignroe non-idempotent\n-- strata:ignore\nSELECT 2;\n"
        ));
    }

    #[test]
    fn accepts_well_formed_directives() {
        assert_snapshot!(check(
            super::RULE.id,
            "-- strata:no-transaction\n-- strata:ignore-file dynamic-sql\n-- strata:ignore non-idempotent -- a reason\nCREATE TABLE app.t (id int);\n"
        ));
    }
}
