//! `missing-pair`: every `.up.sql` has its `.down.sql` and vice versa.

use strata_migrate::source::{ProblemKind, SourceProblem};

use crate::check::whole_file;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "missing-pair",
    severity: Severity::Error,
    summary: "Every .up.sql file has a .down.sql file of the same version and description, and vice versa.",
};

pub(crate) fn check(problem: &SourceProblem) -> Option<Finding> {
    let name = problem.path.file_name()?.to_string_lossy().into_owned();
    let (message, partner) = match problem.kind {
        ProblemKind::MissingDown => ("has no matching .down.sql file", name.replace(".up.sql", ".down.sql")),
        ProblemKind::MissingUp => ("has no matching .up.sql file", name.replace(".down.sql", ".up.sql")),
        _ => return None,
    };
    Some(whole_file(
        &problem.path,
        &RULE,
        format!("`{name}` {message}"),
        Some(format!("add `{partner}` beside it (it may be empty of statements but must exist)")),
    ))
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;
    use strata_migrate::source::ProblemKind;

    use crate::test_support::{problem, render_findings};

    #[test]
    fn finds_files_without_their_partner() {
        let up = problem("20251124_000001_items.up.sql", ProblemKind::MissingDown);
        let down = problem("20251124_000002_users.down.sql", ProblemKind::MissingUp);
        assert_snapshot!(render_findings([super::check(&up), super::check(&down)].into_iter().flatten()));
    }

    #[test]
    fn ignores_other_problems() {
        assert_eq!(super::check(&problem("x.sql", ProblemKind::BadName { reason: "r".into() })), None);
    }
}
