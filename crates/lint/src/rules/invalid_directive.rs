//! `invalid-directive` (warning): a `-- strata:` comment that does nothing — a
//! misspelled directive, `no-transaction` below the first line, a runner
//! directive (`schema`, `lock-timeout`, `statement-timeout`) below the header, a
//! suppression that names no rule. Values are checked by `invalid-directive-value`.

use strata_migrate::directive::Name;

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
            DirectiveKind::Runner { name, .. } if !d.in_header => (
                format!("`-- {PREFIX}{}` only counts in the file's header, before the first SQL line", name.as_str()),
                "move it above the first statement".to_owned(),
            ),
            DirectiveKind::Runner { .. } => continue,
            DirectiveKind::Unknown { name } => (
                format!("unknown directive `{PREFIX}{name}`"),
                format!(
                    "the directives are {}",
                    Name::ALL.iter().map(|n| format!("`{PREFIX}{}`", n.as_str())).collect::<Vec<_>>().join(", ")
                ),
            ),
        };
        cx.report_at(&RULE, d.range.clone(), message, Some(help));
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
    fn finds_runner_directives_below_the_header() {
        assert_snapshot!(check(super::RULE.id, "-- strata:schema app\nSELECT 1;\n-- strata:lock-timeout 5s\n"));
    }

    #[test]
    fn accepts_the_directives_strata_writes() {
        // what `strata generate --schema app` writes
        assert_snapshot!(check(
            super::RULE.id,
            "-- migrate up: add_tags\n-- strata:schema app\n-- strata:lock-timeout 5s\n-- strata:statement-timeout 1min\n-- Qualify every relation\n\nALTER TABLE app.items ADD COLUMN IF NOT EXISTS tags text[];\n"
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
