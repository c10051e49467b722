//! `duplicate-version`: two migrations of one track share a version.

use strata_migrate::source::{ProblemKind, SourceProblem};

use crate::check::whole_file;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "duplicate-version",
    severity: Severity::Error,
    summary: "A version (YYYYMMDD_NNNNNN) names one migration per track.",
};

pub(crate) fn check(problem: &SourceProblem) -> Option<Finding> {
    let ProblemKind::DuplicateVersion { version, other } = &problem.kind else { return None };
    Some(whole_file(
        &problem.path,
        &RULE,
        format!(
            "version {version} is also used by `{}`",
            other.file_name().unwrap_or(other.as_os_str()).to_string_lossy()
        ),
        Some("give one of them the next free sequence number (`strata generate` picks one)".to_owned()),
    ))
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;
    use strata_migrate::source::ProblemKind;

    use crate::test_support::{problem, render_findings};

    #[test]
    fn finds_versions_used_twice() {
        let dup = problem(
            "20251124_000001_users.up.sql",
            ProblemKind::DuplicateVersion {
                version: "20251124_000001".into(),
                other: "migrations/migrate/20251124_000001_items.up.sql".into(),
            },
        );
        assert_snapshot!(render_findings(super::check(&dup)));
    }

    #[test]
    fn ignores_other_problems() {
        assert_eq!(super::check(&problem("20251124_000001_items.up.sql", ProblemKind::MissingDown)), None);
    }
}
