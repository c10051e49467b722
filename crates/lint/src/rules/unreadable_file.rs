//! `unreadable-file`: a migration file (or folder) cannot be read as UTF-8 text.

use strata_migrate::source::{ProblemKind, SourceProblem};

use crate::check::whole_file;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub(crate) const RULE: Rule =
    Rule { id: "unreadable-file", severity: Severity::Error, summary: "Migration files are readable UTF-8 text." };

pub(crate) fn check(problem: &SourceProblem) -> Option<Finding> {
    let (message, help) = match &problem.kind {
        ProblemKind::Unreadable { error } => (format!("cannot read: {error}"), None),
        ProblemKind::NotUtf8 => ("the file is not UTF-8 text".to_owned(), Some("save it as UTF-8".to_owned())),
        _ => return None,
    };
    Some(whole_file(&problem.path, &RULE, message, help))
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;
    use strata_migrate::source::ProblemKind;

    use crate::test_support::{problem, render_findings};

    #[test]
    fn finds_unreadable_and_non_utf8_files() {
        let binary = problem("20251124_000001_items.up.sql", ProblemKind::NotUtf8);
        let denied = problem(
            "20251124_000002_users.up.sql",
            ProblemKind::Unreadable { error: "Permission denied (os error 13)".into() },
        );
        assert_snapshot!(render_findings([super::check(&binary), super::check(&denied)].into_iter().flatten()));
    }

    #[test]
    fn ignores_other_problems() {
        assert_eq!(super::check(&problem("20251124_000001_items.up.sql", ProblemKind::MissingDown)), None);
    }
}
