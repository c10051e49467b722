//! `unused-suppression` (warning): a `strata:ignore` comment that suppresses
//! nothing — the problem was fixed, the comment sits on the wrong line, or the
//! rule id is misspelled. Stale suppressions would hide the next real problem.

use crate::check::Suppression;
use crate::finding::{Finding, Severity};
use crate::rules::{self, Rule};
use crate::set_facts::SetFacts;

pub(crate) const RULE: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Warning,
    summary: "Every strata:ignore comment suppresses a finding.",
};

pub(crate) fn check(suppressions: &[Suppression], ctx: &SetFacts) -> Vec<Finding> {
    let mut out = vec![];
    for s in suppressions.iter().filter(|s| !s.used && !ctx.is_disabled(&s.rule)) {
        let mut f = s.at.clone();
        if rules::find(&s.rule).is_none() {
            f.message = format!("unknown rule `{}` in suppression", s.rule);
            f.help =
                Some(format!("the rules are: {}", rules::all().iter().map(|r| r.id).collect::<Vec<_>>().join(", ")));
        } else if s.file_wide {
            f.message = format!("`{}` is suppressed for this file but finds nothing here", s.rule);
            f.help = Some("remove the suppression".to_owned());
        } else {
            f.message = format!("`{}` is suppressed but finds nothing on the next statement line", s.rule);
            f.help = Some("remove the suppression, or move it to the line before the finding".to_owned());
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::set_facts::SetFacts;
    use crate::test_support::{check, check_with, context};

    #[test]
    fn finds_suppressions_that_match_nothing() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"-- strata:ignore-file dynamic-sql
-- strata:ignore non-idempotent
CREATE TABLE IF NOT EXISTS app.t (id int);
SELECT 1; -- strata:ignore unqualified-relaton
"#
        ));
    }

    #[test]
    fn accepts_suppressions_that_are_used() {
        let sql = r#"-- strata:ignore-file unqualified-relation
-- strata:ignore non-idempotent
-- (a reason may follow on its own comment line)
CREATE TABLE t (id int);
INSERT INTO t VALUES (1); -- strata:ignore non-idempotent
"#;
        assert_snapshot!(check(super::RULE.id, sql));
        // and what they suppress is gone
        assert_snapshot!(check("non-idempotent", sql));
    }

    // Regression: a syntax error stops the SQL rules, which left every suppression
    // in the file looking unused.
    #[test]
    fn stays_quiet_in_a_file_that_does_not_parse() {
        assert_snapshot!(check(
            super::RULE.id,
            "-- strata:ignore non-idempotent
CREATE TABEL t (id int);
"
        ));
    }

    #[test]
    fn stays_quiet_about_disabled_rules() {
        let ctx = SetFacts { disable: vec!["dynamic-sql".into()], ..context() };
        assert_snapshot!(check_with(super::RULE.id, "-- strata:ignore dynamic-sql\nSELECT 1;\n", &ctx));
    }
}
