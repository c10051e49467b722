use proptest::prelude::*;

use super::*;

fn texts(sql: &str) -> Vec<&str> {
    script(sql).unwrap().statements().map(|s| s.text).collect()
}

/// The statements' texts, which must be `n`.
#[track_caller]
fn n_texts(sql: &str, n: usize) -> Vec<&str> {
    let t = texts(sql);
    assert_eq!(t.len(), n, "{t:#?}");
    t
}

fn error(sql: &str) -> LexError {
    script(sql).unwrap_err()
}

/// Every piece's text is the script's text at its offset, on its line.
fn check_offsets(sql: &str, pieces: &[Piece<'_>]) {
    for p in pieces {
        assert_eq!(&sql[p.offset()..p.offset() + p.text().len()], p.text(), "{p:?}");
        assert_eq!(sql[..p.offset()].matches('\n').count() + 1, p.line(), "{p:?}");
    }
}

#[test]
fn splits_plain_statements_and_drops_empty_ones() {
    assert_eq!(texts("select 1; select 2;\n;  -- done\n"), ["select 1", "select 2"]);
    assert_eq!(texts("select 1"), ["select 1"]);
    assert_eq!(texts("-- only a comment\n/* and another */"), Vec::<&str>::new());
    assert_eq!(texts("/* a */ ; -- b\n ;"), Vec::<&str>::new());
}

#[test]
fn text_runs_from_first_to_last_token() {
    // A trailing `--` comment must not end up in the text: a `;` appended to it
    // would be commented out.
    assert_eq!(texts("-- lead\n/* lead */ SELECT 1 -- trail\n /* trail */ ;"), ["SELECT 1"]);
    assert_eq!(texts("SELECT 1 /* inner; */ + 2 -- x\n;"), ["SELECT 1 /* inner; */ + 2"]);
}

#[test]
fn semicolons_inside_quotes_comments_and_bodies_do_not_split() {
    let sql = "INSERT INTO app.t VALUES ('a;b', E'c\\';d', \"we;ird\", U&'d\\0061;', U&\"x;\", B'01', X'1f;');\n\
               -- a comment; with a semicolon\n\
               /* outer /* nested; */ still; */ SELECT 1;\n\
               CREATE FUNCTION app.f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;\n\
               DO $$ BEGIN PERFORM 1; END $$;\n\
               CREATE FUNCTION app.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\n\
               SELECT $1::int, a$b FROM app.t";
    let t = n_texts(sql, 6);
    assert!(t[0].starts_with("INSERT") && t[0].ends_with("X'1f;')"));
    assert_eq!(t[1], "SELECT 1", "leading comments are not part of a statement");
    assert!(t[2].ends_with("$body$"));
    assert!(t[3].starts_with("DO"));
    assert!(t[4].ends_with("SELECT 2; END"));
    assert_eq!(t[5], "SELECT $1::int, a$b FROM app.t");
}

#[test]
fn parentheses_hold_semicolons() {
    // issue 18 item 7: psql runs this as one statement
    let sql = "CREATE RULE r AS ON INSERT TO app.t DO ALSO (INSERT INTO app.log VALUES (1); INSERT INTO app.log VALUES (2));\nSELECT 1;";
    let t = n_texts(sql, 2);
    assert!(t[0].ends_with("VALUES (2))"));
    // an extra `)` does not go negative
    assert_eq!(texts("SELECT 1); SELECT 2;"), ["SELECT 1)", "SELECT 2"]);
}

#[test]
fn begin_atomic_bodies_follow_psql() {
    let sql = "CREATE OR REPLACE PROCEDURE app.p(a int) LANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO app.t VALUES (a);\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\nEND;\nSELECT 3;";
    let t = n_texts(sql, 2);
    assert!(t[0].ends_with("END"));
    // outside CREATE FUNCTION/PROCEDURE, BEGIN is a transaction and CASE nothing special
    assert_eq!(
        texts("BEGIN; SELECT CASE WHEN true THEN 1 END; COMMIT;"),
        ["BEGIN", "SELECT CASE WHEN true THEN 1 END", "COMMIT"]
    );
    // CREATE TABLE with a column named begin: not a body
    assert_eq!(texts("CREATE TABLE app.t (begin int); SELECT 1;"), ["CREATE TABLE app.t (begin int)", "SELECT 1"]);
    // a quoted "begin" is not the keyword
    assert_eq!(
        texts("CREATE FUNCTION app.f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql; SELECT \"begin\" FROM app.t;").len(),
        2
    );
}

#[test]
fn strings_do_not_continue_across_lines_as_in_psql() {
    // psql lexes line by line, so E'a' newline '\'' is two strings, the second
    // without escapes: psql sends `SELECT E'a'\n'\'` and then `x'...`.
    assert_eq!(texts("SELECT E'a'\n'\\'; SELECT 2"), ["SELECT E'a'\n'\\'", "SELECT 2"]);
    assert_eq!(texts("SELECT 'a'\n'; b'; SELECT 2"), ["SELECT 'a'\n'; b'", "SELECT 2"]);
}

#[test]
fn standard_strings_treat_backslash_literally() {
    // With standard_conforming_strings (the default), 'a\' is a complete string.
    assert_eq!(texts(r"SELECT 'a\'; SELECT 2"), [r"SELECT 'a\'", "SELECT 2"]);
    // `xe'` is an identifier then a string, not an E string
    assert_eq!(texts(r"SELECT xe'a\'; SELECT 2"), [r"SELECT xe'a\'", "SELECT 2"]);
}

#[test]
fn dollar_quotes_need_their_own_tag() {
    let sql = "SELECT $a$ $b$ ; $$ ; $a$; SELECT $_1$;$_1$; SELECT x$y$; SELECT $1$2";
    assert_eq!(texts(sql), ["SELECT $a$ $b$ ; $$ ; $a$", "SELECT $_1$;$_1$", "SELECT x$y$", "SELECT $1$2"]);
}

#[test]
fn offsets_and_lines_point_at_each_piece() {
    let sql = "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON app.t (a);\n\n  DROP INDEX IF EXISTS app.j;";
    let s = script(sql).unwrap();
    check_offsets(sql, s.pieces());
    let st: Vec<_> = s.statements().collect();
    assert_eq!((st[0].line, st[1].line), (2, 4));
    assert_eq!(st[1].text, "DROP INDEX IF EXISTS app.j");
}

#[test]
fn copy_from_stdin_takes_the_following_lines_as_data() {
    let sql = "CREATE TABLE app.t (a text, b text);\n\
               COPY app.t (a, b) FROM stdin WITH (FORMAT csv);\n\
               \"x;y\",'q' -- not a comment\n\
               \"multi\nline\",/* no */\n\
               \\.\n\
               copy app.t FROM STDIN;\n\
               a\\;\tb\n\
               \\.\n\
               SELECT 1;";
    let s = script(sql).unwrap();
    check_offsets(sql, s.pieces());
    let kinds: Vec<_> = s
        .pieces()
        .iter()
        .map(|p| match p {
            Piece::Statement(s) => format!("S{}", u8::from(s.copy_from_stdin)),
            Piece::CopyData(d) => format!("D{}", d.statement_index),
            Piece::MetaCommand(_) => "M".into(),
        })
        .collect();
    assert_eq!(kinds, ["S0", "S1", "D1", "S1", "D2", "S0"]);
    let data: Vec<_> = s.copy_data().map(|d| (d.data, d.line, d.terminated)).collect();
    assert_eq!(data, [("\"x;y\",'q' -- not a comment\n\"multi\nline\",/* no */\n", 3, true), ("a\\;\tb\n", 8, true)]);
    assert_eq!(s.statements().last().unwrap().text, "SELECT 1");
}

#[test]
fn copy_variants() {
    // COPY TO STDOUT and COPY FROM a file read nothing from the script
    for sql in [
        "COPY app.t TO STDOUT;\nSELECT 1;",
        "COPY app.t FROM '/tmp/x';\nSELECT 1;",
        "COPY (SELECT 1 FROM stdin) TO STDOUT;\nSELECT 1;",
    ] {
        assert_eq!(script(sql).unwrap().copy_data().count(), 0, "{sql}");
        assert_eq!(texts(sql).len(), 2, "{sql}");
    }
    // data without `\.` runs to the end of the file
    let s = script("COPY app.t FROM STDIN\n;\n1\n2").unwrap();
    let d = s.copy_data().next().unwrap();
    assert_eq!((d.data, d.terminated), ("1\n2", false));
    // a COPY at the very end without `;` still gets its (empty) data
    let s = script("copy t from stdin").unwrap();
    assert_eq!(s.copy_data().next().unwrap().data, "");
    // `\.` with CRLF, and data that holds `\.` inside a line
    let s = script("COPY t FROM stdin;\r\na\\.b\r\n\\.\r\nSELECT 2;").unwrap();
    assert_eq!(s.copy_data().next().unwrap().data, "a\\.b\r\n");
    assert_eq!(s.statements().last().unwrap().text, "SELECT 2");
}

#[test]
fn text_after_copy_on_its_line_runs_after_the_data() {
    let sql = "COPY t FROM stdin; SELECT 'tail';\n1\n\\.\nSELECT 2;";
    let s = script(sql).unwrap();
    check_offsets(sql, s.pieces());
    let order: Vec<&str> = s.pieces().iter().map(|p| p.text()).collect();
    assert_eq!(order, ["COPY t FROM stdin", "1\n", "SELECT 'tail'", "SELECT 2"]);
    // two COPYs on one line: the second's data follows the first's
    let sql = "COPY a FROM stdin; COPY b FROM stdin;\n1\n\\.\n2\n\\.\nSELECT 3;";
    let order: Vec<&str> = script(sql).unwrap().pieces().iter().map(|p| p.text()).collect();
    assert_eq!(order, ["COPY a FROM stdin", "1\n", "COPY b FROM stdin", "2\n", "SELECT 3"]);
    // a statement that starts there and goes on past the line is refused
    let e = error("COPY t FROM stdin; SELECT\n1\n\\.\n2;");
    assert_eq!((e.kind, e.line, e.column), (LexErrorKind::ContinuesIntoCopyData, 1, 20));
}

#[test]
fn meta_commands_run_to_the_end_of_their_line() {
    let sql = "\\set ON_ERROR_STOP on\nSELECT 1;\n\\restrict abc123\n\\i 'other file.sql'\nSELECT 2 \\gset\n\\echo a \\\\ SELECT 3;\n\\! ls \\ -l\n\\unrestrict abc123";
    let s = script(sql).unwrap();
    check_offsets(sql, s.pieces());
    let m: Vec<(&str, &str)> = s.meta_commands().map(|m| (m.name, m.args)).collect();
    assert_eq!(
        m,
        [
            ("set", "ON_ERROR_STOP on"),
            ("restrict", "abc123"),
            ("i", "'other file.sql'"),
            ("gset", ""),
            ("echo", "a"),
            ("!", "ls \\ -l"),
            ("unrestrict", "abc123")
        ]
    );
    assert_eq!(s.statements().map(|s| s.text).collect::<Vec<_>>(), ["SELECT 1", "SELECT 2", "SELECT 3"]);
    // backslashes inside quotes and comments are not commands
    assert_eq!(script("SELECT '\\x'; -- \\set\n/* \\i */ SELECT 1;").unwrap().meta_commands().count(), 0);
    // `\;` and `\.` outside COPY data are commands
    let s = script("SELECT 1 \\; SELECT 2;\n\\.\n").unwrap();
    assert_eq!(s.meta_commands().map(|m| m.name).collect::<Vec<_>>(), [";", "."]);
}

#[test]
fn unterminated_constructs_say_where_they_start() {
    let cases: [(&str, LexErrorKind, usize, usize); 7] = [
        ("SELECT 1;\n/* open\n/* nested */ still", LexErrorKind::BlockComment, 2, 1),
        ("SELECT 1;\nSELECT 'abc;\n", LexErrorKind::QuotedString, 2, 8),
        ("SELECT E'abc\\';\n", LexErrorKind::QuotedString, 1, 8),
        ("SELECT 'a'\n'b", LexErrorKind::QuotedString, 2, 1),
        ("SELECT \"abc;\n", LexErrorKind::QuotedIdentifier, 1, 8),
        ("DO $body$ BEGIN END $$;\n", LexErrorKind::DollarQuote { tag: "$body$".into() }, 1, 4),
        ("SELECT 'é', U&'x", LexErrorKind::QuotedString, 1, 13),
    ];
    for (sql, kind, line, column) in cases {
        let e = error(sql);
        assert_eq!((&e.kind, e.line, e.column), (&kind, line, column), "{sql}");
    }
    assert_eq!(error("SELECT 1;\n/* open").to_string(), "the file ends inside a /* comment opened at line 2, column 1");
    // the old API gives the rest as a last statement, as before
    assert_eq!(split("SELECT 1; SELECT 'open;"), split("SELECT 1; SELECT 'open;"));
    assert_eq!(
        split("SELECT 1; SELECT 'open;").iter().map(|s| s.text).collect::<Vec<_>>(),
        ["SELECT 1", "SELECT 'open;"]
    );
    assert_eq!(split("SELECT 1; /* open").len(), 1);
}

#[test]
fn transaction_control_is_recognized() {
    let kind = |sql: &str| script(sql).unwrap().statements().next().unwrap().transaction_control();
    use TransactionControl::*;
    for (sql, want) in [
        ("BEGIN", Some(Begin)),
        ("begin isolation level serializable", Some(Begin)),
        ("START TRANSACTION", Some(Begin)),
        ("COMMIT", Some(Commit)),
        ("end work", Some(Commit)),
        ("ROLLBACK", Some(Rollback)),
        ("abort", Some(Rollback)),
        ("ROLLBACK TO SAVEPOINT a", Some(RollbackToSavepoint)),
        ("rollback work to a", Some(RollbackToSavepoint)),
        ("SAVEPOINT a", Some(Savepoint)),
        ("RELEASE a", Some(Release)),
        ("PREPARE TRANSACTION 'x'", Some(PrepareTransaction)),
        ("PREPARE q AS SELECT 1", None),
        ("COMMIT PREPARED 'x'", None),
        ("/* c */ SELECT 'begin'", None),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", None),
    ] {
        assert_eq!(kind(sql), want, "{sql}");
    }
}

#[test]
fn statements_that_need_no_transaction_are_named() {
    let kind = |sql: &str| script(sql).unwrap().statements().next().unwrap().needs_no_transaction();
    for (sql, want) in [
        ("VACUUM app.t", Some("VACUUM")),
        ("create database x", Some("CREATE DATABASE")),
        ("ALTER SYSTEM SET work_mem = '4MB'", Some("ALTER SYSTEM")),
        ("CREATE UNIQUE INDEX CONCURRENTLY i ON app.t (a)", Some("CREATE INDEX CONCURRENTLY")),
        ("CREATE INDEX i ON app.t (concurrently)", None),
        ("DROP INDEX CONCURRENTLY app.i", Some("DROP INDEX CONCURRENTLY")),
        ("REINDEX (VERBOSE) TABLE CONCURRENTLY app.t", Some("REINDEX CONCURRENTLY")),
        ("REINDEX SCHEMA app", Some("REINDEX SCHEMA")),
        ("REINDEX TABLE app.t", None),
        (
            "ALTER TABLE app.p DETACH PARTITION app.p1 CONCURRENTLY",
            Some("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"),
        ),
        ("ALTER TABLE app.p DETACH PARTITION app.p1", None),
        ("COMMIT PREPARED 'x'", Some("COMMIT PREPARED")),
        ("DISCARD ALL", Some("DISCARD ALL")),
        ("SELECT 1", None),
    ] {
        assert_eq!(kind(sql), want, "{sql}");
    }
}

#[test]
fn a_large_seed_splits_quickly() {
    // Measured in release by the splitter benchmark; here a coarse guard that
    // the work is linear (no quadratic rescans, no per-byte allocation).
    let row = "INSERT INTO app.items (name, note) VALUES ('item; one', E'it''s \\'x\\'') ON CONFLICT DO NOTHING;\n";
    let sql = row.repeat(20_000);
    let started = std::time::Instant::now();
    let n = pieces(&sql).count();
    assert_eq!(n, 20_000);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
}

/// Text made of the characters that matter to the lexer.
fn sqlish() -> impl Strategy<Value = String> {
    "[a-z ;'\"$/*\\\\\\-\n()EU&:.0-9]{0,80}"
}

proptest! {
    #[test]
    fn never_panics_and_offsets_are_exact(sql in sqlish()) {
        if let Ok(s) = script(&sql) {
            check_offsets(&sql, s.pieces());
        }
        for s in split(&sql) {
            prop_assert_eq!(&sql[s.offset..s.offset + s.text.len()], s.text);
        }
    }

    #[test]
    fn joining_simple_statements_splits_back(stmts in proptest::collection::vec("select [a-z0-9]{1,8}", 0..10)) {
        let sql = stmts.join(";\n");
        prop_assert_eq!(texts(&sql), stmts.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn quoted_semicolons_never_split(
        body in "[a-z ;\n]{0,20}",
        quote in 0usize..9,
        parens in 0usize..3,
    ) {
        // every way of hiding a `;`, each followed by a second statement
        let hidden = match quote {
            0 => format!("'{body}'"),
            1 => format!("E'{}\\''", body),
            2 => format!("U&'{body}'"),
            3 => format!("\"{body}\""),
            4 => format!("$$ {body} $$"),
            5 => format!("$t$ {body} $ $t $t$"),
            6 => format!("/* {body} /* ; */ */ 1"),
            7 => format!("1 -- {}\n", body.replace('\n', " ")),
            _ => format!("({body})"),
        };
        let sql = format!("SELECT {}{hidden}{}; SELECT 2", "(".repeat(parens), ")".repeat(parens));
        let t = texts(&sql);
        prop_assert_eq!(t.len(), 2, "{:?}", t);
        prop_assert_eq!(t[1], "SELECT 2");
    }

    #[test]
    fn copy_data_is_never_lexed(rows in proptest::collection::vec("[a-z ;'\"$/*\\-\t,]{0,30}", 0..6)) {
        let data: String = rows.iter().map(|r| format!("{r}\n")).collect();
        let sql = format!("COPY app.t FROM STDIN WITH (FORMAT csv);\n{data}\\.\nSELECT 1;");
        let s = script(&sql).unwrap();
        prop_assert_eq!(s.copy_data().next().unwrap().data, data.as_str());
        prop_assert_eq!(s.statements().map(|s| s.text).collect::<Vec<_>>(), ["COPY app.t FROM STDIN WITH (FORMAT csv)", "SELECT 1"]);
    }
}
