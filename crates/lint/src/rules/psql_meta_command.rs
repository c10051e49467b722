//! `psql-meta-command`: a psql backslash command (`\set`, `\i`, `\connect`,
//! `\restrict`, ...) in a migration. strata sends SQL to PostgreSQL, which does
//! not know psql's commands, so the file would fail at the backslash. The `\.`
//! line that closes `COPY ... FROM STDIN` data is data, not a command.

use crate::check::Check;
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "psql-meta-command",
    severity: Severity::Error,
    summary: "No psql meta-commands (\\set, \\i, \\connect, ...): strata runs SQL only.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    for m in cx.meta_commands() {
        let help = match m.name {
            "i" | "ir" | "include" | "include_relative" => {
                "put the included file's SQL here, or make it a migration of its own".to_owned()
            }
            "set" | "unset" => "write the value into the SQL itself; psql variables (`:name`) do not exist outside psql".to_owned(),
            "c" | "connect" => "strata runs every file on the database it is given; use one migration set per database".to_owned(),
            "restrict" | "unrestrict" => "pg_dump writes these since PostgreSQL 17.6/16.10/15.14; remove the `\\restrict` and `\\unrestrict` lines".to_owned(),
            "copy" => "use `COPY ... FROM STDIN;` with the rows on the following lines and a `\\.` line after them".to_owned(),
            ";" => "write a plain `;`".to_owned(),
            "." => "a `\\.` line ends the data of `COPY ... FROM STDIN`; here no COPY is reading data".to_owned(),
            "g" | "gx" | "gset" | "gexec" => "end the statement with `;`".to_owned(),
            _ => "remove it: PostgreSQL does not know psql's meta-commands".to_owned(),
        };
        let message = format!("`\\{}` is a psql meta-command; strata runs SQL only", m.name);
        cx.report_at(&RULE, m.offset..m.offset + m.text.len(), message, Some(help));
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_psql_commands() {
        assert_snapshot!(check(
            super::RULE.id,
            "\\restrict Xyz123\n\\set ON_ERROR_STOP on\n\\i common.sql\nSELECT 1 \\gset\n\\.\n\\unrestrict Xyz123\n"
        ));
    }

    #[test]
    fn accepts_backslashes_in_sql_and_copy_data() {
        assert_snapshot!(check(
            super::RULE.id,
            "INSERT INTO app.t VALUES ('\\set', E'\\\\i');\n-- \\i in a comment\nCOPY app.t (a, b) FROM stdin;\n\\set\t\\i x\n\\.\n"
        ));
    }
}
