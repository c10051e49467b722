//! `unterminated`: the file ends inside a `/* comment`, a quoted string, a quoted
//! name or a dollar quote. PostgreSQL would take the rest of the file (and, sent
//! with the next file, the start of that one) as part of it.
//!
//! The finding points where the unclosed construct opens; the statement
//! boundaries come from [`strata_migrate::split`], as the runner's do.

use strata_migrate::split::LexErrorKind;

use crate::check::Check;
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "unterminated",
    severity: Severity::Error,
    summary: "Every comment, quoted string, quoted name and dollar quote is closed before the file ends.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let Some(error) = cx.lex_error else { return };
    let rest = &cx.original[error.offset..];
    let opener = match &error.kind {
        LexErrorKind::BlockComment => 2,
        LexErrorKind::DollarQuote { tag } => tag.len(),
        LexErrorKind::ContinuesIntoCopyData => rest.find('\n').unwrap_or(rest.len()),
        _ => rest.find(['\'', '"']).map_or(1, |q| q + 1),
    };
    let help = match &error.kind {
        LexErrorKind::BlockComment => {
            "close it with `*/`; comments nest, so each `/*` inside it needs its own `*/`".to_owned()
        }
        LexErrorKind::QuotedString => "close the string with `'`; a quote inside a string is written `''`".to_owned(),
        LexErrorKind::QuotedIdentifier => {
            "close the name with `\"`; a double quote inside a name is written `\"\"`".to_owned()
        }
        LexErrorKind::DollarQuote { tag } => format!("close it with `{tag}`, the same tag that opens it"),
        LexErrorKind::ContinuesIntoCopyData => {
            "psql reads the COPY data first and runs this text after it; put it on a line after the `\\.` line"
                .to_owned()
        }
        _ => "close it before the end of the file".to_owned(),
    };
    let range = error.offset..error.offset + opener;
    cx.report_at(&RULE, range, error.to_string(), Some(help));
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_what_the_file_leaves_open() {
        assert_snapshot!(check(
            super::RULE.id,
            "CREATE TABLE IF NOT EXISTS app.t (id int);\n/* the end\n/* nested */\n"
        ));
        assert_snapshot!(check(super::RULE.id, "INSERT INTO app.t VALUES (E'it\\'s);\n"));
        assert_snapshot!(check(super::RULE.id, "SELECT 1 AS \"open;\n"));
        assert_snapshot!(check(
            super::RULE.id,
            "CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE sql AS $body$\nSELECT 1;\n$$;\n"
        ));
        assert_snapshot!(check(super::RULE.id, "COPY app.t FROM stdin; SELECT\n1\n\\.\n2;\n"));
    }

    #[test]
    fn accepts_closed_constructs() {
        assert_snapshot!(check(
            super::RULE.id,
            "/* a /* nested */ comment */ SELECT 'it''s', E'\\'', \"a\"\"b\", $x$ $$ $x$ FROM app.t; -- end"
        ));
    }
}
