//! `file-name`: every file is `<YYYYMMDD>_<NNNNNN>_<description>.<up|down>.sql`,
//! with a real calendar date and a lower snake_case description.

use strata_migrate::source::{ProblemKind, SourceProblem};

use crate::check::whole_file;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "file-name",
    severity: Severity::Error,
    summary: "Migration files are named <YYYYMMDD>_<NNNNNN>_<description>.<up|down>.sql with a real date.",
};

const HELP: &str =
    "name it like `20251124_000005_create_items_table.up.sql`, or create the pair with `strata generate`";

pub(crate) fn check(problem: &SourceProblem) -> Option<Finding> {
    let message = match &problem.kind {
        ProblemKind::BadName { reason } => format!("bad migration file name: {reason}"),
        ProblemKind::InvalidDate { date } => format!("{date} in the file name is not a calendar date"),
        _ => return None,
    };
    Some(whole_file(&problem.path, &RULE, message, Some(HELP.to_owned())))
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;
    use strata_migrate::source::ProblemKind;

    use crate::test_support::{problem, render_findings};

    #[test]
    fn finds_bad_names_and_dates() {
        let bad = problem(
            "20251124_000001_AddItems.up.sql",
            ProblemKind::BadName { reason: "the description \"AddItems\" must be lower snake_case".into() },
        );
        let date = problem("20250230_000001_items.up.sql", ProblemKind::InvalidDate { date: "20250230".into() });
        assert_snapshot!(render_findings([super::check(&bad), super::check(&date)].into_iter().flatten()));
    }

    #[test]
    fn ignores_other_problems() {
        assert_eq!(super::check(&problem("20251124_000001_items.up.sql", ProblemKind::MissingDown)), None);
    }
}
