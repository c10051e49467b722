//! Helpers for the rules' snapshot tests: lint a snippet as a migration file and
//! render what the user would see.

use std::path::Path;

use crate::finding::Finding;
use crate::render::{Format, render};
use crate::report::Report;
use crate::set_facts::SetFacts;

pub(crate) const PATH: &str = "migrations/migrate/20251124_000001_example.up.sql";

/// The context of a file in the reference project.
pub(crate) fn context() -> SetFacts {
    SetFacts { schemas: Some(vec!["auth".into(), "master".into(), "app".into()]), ..SetFacts::default() }
}

/// Lints `sql` and renders, as text, the findings of `rule` only.
pub(crate) fn check(rule: &str, sql: &str) -> String {
    check_with(rule, sql, &context())
}

pub(crate) fn check_with(rule: &str, sql: &str, ctx: &SetFacts) -> String {
    let findings: Vec<Finding> =
        crate::lint_sql(Path::new(PATH), sql, ctx).into_iter().filter(|f| f.rule == rule).collect();
    let mut report = Report::new();
    report.add_file(Path::new(PATH), sql, findings);
    render(&report, Format::Text, false)
}

/// Renders findings about whole files (no file text needed).
pub(crate) fn render_findings(findings: impl IntoIterator<Item = Finding>) -> String {
    let mut report = Report::new();
    report.add_findings(findings);
    render(&report, Format::Text, false)
}

/// A scan problem at a path under `migrations/migrate`.
pub(crate) fn problem(name: &str, kind: strata_migrate::source::ProblemKind) -> strata_migrate::source::SourceProblem {
    strata_migrate::source::SourceProblem { path: std::path::PathBuf::from("migrations/migrate").join(name), kind }
}
