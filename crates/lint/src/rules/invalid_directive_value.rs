//! `invalid-directive-value`: a runner directive whose value strata cannot use:
//! a timeout that is not a PostgreSQL duration (`-- strata:lock-timeout 5s`), a
//! `-- strata:schema` that names no schema or one the project does not have.
//! The values are parsed by [`strata_migrate::directive`], as the runner does.

use strata_migrate::directive::{Name, PREFIX, parse_duration, schema_names};

use crate::check::Check;
use crate::directives::DirectiveKind;
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "invalid-directive-value",
    severity: Severity::Error,
    summary: "Timeouts in directives are PostgreSQL durations (500ms, 5s, 2min, 0); `strata:schema` names project schemas.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    for d in cx.directives {
        let DirectiveKind::Runner { name, argument, argument_range } = &d.kind else { continue };
        let at = if argument.is_empty() { d.range.clone() } else { argument_range.clone() };
        match name {
            Name::LockTimeout | Name::StatementTimeout => {
                if let Err(e) = parse_duration(argument) {
                    let help = format!("e.g. `-- {PREFIX}{} 5s`; `0` turns the timeout off", name.as_str());
                    cx.report_at(&RULE, at, format!("`-- {PREFIX}{}`: {e}", name.as_str()), Some(help));
                }
            }
            Name::Schema => {
                let names: Vec<&str> = schema_names(argument).collect();
                if names.is_empty() {
                    let help = format!("write the schemas the file changes, e.g. `-- {PREFIX}schema app`");
                    cx.report_at(&RULE, at, format!("`-- {PREFIX}schema` names no schema"), Some(help));
                }
                let Some(known) = &cx.ctx.schemas else { continue };
                for n in names.into_iter().filter(|n| !known.iter().any(|k| k == n)) {
                    let start = argument_range.start + (n.as_ptr() as usize - argument.as_ptr() as usize);
                    let message = format!("`{n}` in `-- {PREFIX}schema` is not one of the project's schemas");
                    cx.report_at(
                        &RULE,
                        start..start + n.len(),
                        message,
                        Some(format!("the schemas are: {}", known.join(", "))),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_values_strata_cannot_use() {
        assert_snapshot!(check(
            super::RULE.id,
            "-- strata:lock-timeout 5\n-- strata:statement-timeout soon\n-- strata:lock-timeout\n-- strata:schema\n-- strata:schema app, billing\nSELECT 1;\n"
        ));
    }

    #[test]
    fn accepts_valid_values() {
        assert_snapshot!(check(
            super::RULE.id,
            "-- strata:schema app\n-- strata:lock-timeout 500ms\n-- strata:statement-timeout 2min\nSELECT 1;\n"
        ));
        assert_snapshot!(check(
            super::RULE.id,
            "-- strata:lock-timeout 0\n-- strata:statement-timeout 1.5s\nSELECT 1;\n"
        ));
    }
}
