//! Splitting SQL text into statements, for files that run outside a transaction.
//!
//! PostgreSQL runs a multi-statement simple query in one implicit transaction,
//! which `CREATE INDEX CONCURRENTLY` refuses; so a no-transaction file is sent a
//! statement at a time. The splitter knows PostgreSQL's lexical rules for what
//! can hide a semicolon: quoted strings (standard and `E''`), quoted identifiers,
//! dollar quotes with tags, line comments, nested block comments, and
//! `BEGIN ATOMIC ... END` function bodies.

/// One statement: its text (without the closing semicolon) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    pub text: &'a str,
    /// Byte offset of the statement's first significant character in the source.
    pub offset: usize,
}

/// Splits `sql` at top-level semicolons; drops statements that hold only
/// whitespace and comments.
pub fn split(sql: &str) -> Vec<Statement<'_>> {
    let b = sql.as_bytes();
    let mut out = vec![];
    let mut first_significant: Option<usize> = None;
    let mut atomic_depth = 0usize;
    let mut prev_word: Option<&str> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = memchr_newline(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                continue;
            }
            b';' if atomic_depth == 0 => {
                if let Some(s) = first_significant.take() {
                    out.push(Statement { text: sql[s..i].trim_end(), offset: s });
                }
                prev_word = None;
                i += 1;
                continue;
            }
            _ if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        first_significant.get_or_insert(i);
        match c {
            b'\'' => {
                let escapes = i > 0 && matches!(b[i - 1], b'e' | b'E') && (i < 2 || !is_ident(b[i - 2]));
                i = skip_quoted(b, i, b'\'', escapes);
                prev_word = None;
            }
            b'"' => {
                i = skip_quoted(b, i, b'"', false);
                prev_word = None;
            }
            b'$' if i == 0 || !is_ident(b[i - 1]) => match dollar_tag(b, i) {
                Some(tag_len) => {
                    let tag = &sql[i..i + tag_len];
                    i = match sql[i + tag_len..].find(tag) {
                        Some(end) => i + tag_len + end + tag_len,
                        None => b.len(),
                    };
                    prev_word = None;
                }
                None => i += 1,
            },
            _ if is_ident_start(c) => {
                let s = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                let word = &sql[s..i];
                let opens_atomic =
                    word.eq_ignore_ascii_case("atomic") && prev_word.is_some_and(|p| p.eq_ignore_ascii_case("begin"));
                // Inside a BEGIN ATOMIC body, CASE ... END nests like the body itself.
                let opens_case = atomic_depth > 0 && word.eq_ignore_ascii_case("case");
                if opens_atomic || opens_case {
                    atomic_depth += 1;
                } else if atomic_depth > 0 && word.eq_ignore_ascii_case("end") {
                    atomic_depth -= 1;
                }
                prev_word = Some(word);
            }
            _ => {
                i += 1;
                prev_word = None;
            }
        }
    }
    if let Some(s) = first_significant {
        let text = sql[s..].trim_end();
        if !text.is_empty() {
            out.push(Statement { text, offset: s });
        }
    }
    out
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| from + p + 1)
}

/// Block comments nest in PostgreSQL.
fn skip_block_comment(b: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Skips a quoted run; a doubled quote is a literal quote; with `escapes`,
/// a backslash escapes the next byte (`E'...'`).
fn skip_quoted(b: &[u8], from: usize, quote: u8, escapes: bool) -> usize {
    let mut i = from + 1;
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
        } else if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The length of a dollar-quote opener (`$$`, `$body$`) at `from`, if one is there.
fn dollar_tag(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from + 1;
    if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
        return None; // $1 is a parameter, not a quote
    }
    while i < b.len() && b[i] != b'$' {
        if !(b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
            return None;
        }
        i += 1;
    }
    (i < b.len()).then_some(i + 1 - from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_plain_statements_and_drops_empty_ones() {
        assert_eq!(texts("select 1; select 2;\n;  -- done\n"), ["select 1", "select 2"]);
        assert_eq!(texts("select 1"), ["select 1"]);
        assert_eq!(texts("-- only a comment\n/* and another */"), Vec::<&str>::new());
    }

    #[test]
    fn semicolons_inside_quotes_comments_and_bodies_do_not_split() {
        let sql = "INSERT INTO app.t VALUES ('a;b', E'c\\';d', \"we;ird\");\n\
                   -- a comment; with a semicolon\n\
                   /* outer /* nested; */ still; */ SELECT 1;\n\
                   CREATE FUNCTION app.f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;\n\
                   DO $$ BEGIN PERFORM 1; END $$;\n\
                   CREATE FUNCTION app.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\n\
                   SELECT $1::int, a$b FROM app.t";
        let t = texts(sql);
        assert_eq!(t.len(), 6, "{t:#?}");
        assert!(t[0].starts_with("INSERT") && t[0].ends_with("\"we;ird\")"));
        assert_eq!(t[1], "SELECT 1", "leading comments are not part of a statement");
        assert!(t[2].ends_with("$body$"));
        assert!(t[3].starts_with("DO"));
        assert!(t[4].ends_with("SELECT 2; END"));
        assert_eq!(t[5], "SELECT $1::int, a$b FROM app.t");
    }

    #[test]
    fn offsets_point_at_each_statement() {
        let sql = "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON app.t (a);\n\n  DROP INDEX IF EXISTS app.j;";
        for s in split(sql) {
            assert_eq!(&sql[s.offset..s.offset + s.text.len()], s.text);
        }
        assert_eq!(split(sql)[1].text, "DROP INDEX IF EXISTS app.j");
    }

    #[test]
    fn standard_strings_treat_backslash_literally() {
        // With standard_conforming_strings (the default), 'a\' is a complete string.
        assert_eq!(texts(r"SELECT 'a\'; SELECT 2"), [r"SELECT 'a\'", "SELECT 2"]);
    }

    proptest! {
        #[test]
        fn never_panics_and_offsets_are_exact(sql in "[a-z ;'\"$/*\\-\n]{0,60}") {
            for s in split(&sql) {
                prop_assert_eq!(&sql[s.offset..s.offset + s.text.len()], s.text);
            }
        }

        #[test]
        fn joining_simple_statements_splits_back(stmts in proptest::collection::vec("select [a-z0-9]{1,8}", 0..10)) {
            let sql = stmts.join(";\n");
            prop_assert_eq!(texts(&sql), stmts.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}
