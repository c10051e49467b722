//! The parser claim: valid PostgreSQL never gets a syntax error, invalid
//! PostgreSQL gets exactly one, where PostgreSQL reports it.
//!
//! `corpus/valid_*.sql` were run against PostgreSQL 15 statement by statement;
//! none raised a syntax error (SQLSTATE 42601). `corpus/invalid/*.sql` each hold
//! one error, and the expected line and column are PostgreSQL's own.

use std::path::Path;

use strata_lint::{SetFacts, lint_sql};

/// The findings PostgreSQL would report as a syntax error: `syntax-error`, and
/// `unterminated` for a file that ends inside a comment or quote.
fn syntax_errors(path: &Path) -> Vec<strata_lint::Finding> {
    let sql = std::fs::read_to_string(path).unwrap();
    lint_sql(path, &sql, &SetFacts::default())
        .into_iter()
        .filter(|f| f.rule == "syntax-error" || f.rule == "unterminated")
        .collect()
}

#[test]
fn valid_corpus_has_no_syntax_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sql") {
            let errors = syntax_errors(&path);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

/// (file, line, column) as PostgreSQL 15 reports the syntax error.
const INVALID: &[(&str, usize, usize)] = &[
    ("add_column_without_name.sql", 1, 29),
    ("create_index_without_table.sql", 1, 16),
    ("double_operator.sql", 2, 32),
    ("empty_where.sql", 1, 26),
    ("missing_comma_in_alter.sql", 3, 3),
    ("missing_comma_in_table.sql", 4, 3),
    ("missing_semicolon.sql", 2, 8),
    ("misspelled_keyword.sql", 1, 8),
    ("misspelled_nothing.sql", 1, 51),
    ("misspelled_null.sql", 2, 17),
    ("plpgsql_misspelled_statement.sql", 3, 3),
    ("plpgsql_unclosed_if.sql", 6, 6),
    ("trailing_comma.sql", 1, 29),
    ("unclosed_paren.sql", 1, 14),
    ("unterminated_comment.sql", 1, 1),
    ("unterminated_dollar_quote.sql", 1, 8),
    ("unterminated_string.sql", 1, 8),
    ("update_without_assignment.sql", 3, 17),
];

#[test]
fn invalid_corpus_gets_one_error_where_postgres_reports_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/invalid");
    let mut wrong = vec![];
    for &(file, line, column) in INVALID {
        let errors = syntax_errors(&dir.join(file));
        let got: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        if got != [(line, column)] {
            wrong.push(format!(
                "{file}: expected [{line}:{column}], got {got:?} {:?}",
                errors.first().map(|e| &e.message)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, INVALID.len(), "every invalid file has an expected position");
}
