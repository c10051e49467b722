//! The splitter against psql itself: for every script of `split_corpus/`, psql's
//! own log of the queries it sent (`psql -L`) must list exactly our statements,
//! and a script rebuilt from our pieces (statements, COPY data) must give psql
//! the same queries with the same results. Then 300 scripts made of random
//! lexically tricky fragments (the same ones on every run) must split as psql
//! splits them.

use std::path::{Path, PathBuf};
use std::process::Command;

use strata_migrate::split::{Piece, script};
use strata_testing::TestDb;

const PSQL: &str = "/usr/lib/postgresql/15/bin/psql";

/// One query psql sent, as our splitter reads it, and what psql printed for it.
#[derive(Debug, PartialEq, Eq)]
struct Sent {
    query: String,
    result: String,
}

/// Runs `file` with psql on a fresh database and reads back its query log.
fn run_psql(file: &Path, stop_on_error: bool) -> Vec<Sent> {
    run_psql_on(&TestDb::new(), file, stop_on_error)
}

fn run_psql_on(db: &TestDb, file: &Path, stop_on_error: bool) -> Vec<Sent> {
    let log = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(PSQL)
        .args(["-X", "-q", "-o", "/dev/null", "-v"])
        .arg(format!("ON_ERROR_STOP={}", u8::from(stop_on_error)))
        .arg("-L")
        .arg(log.path())
        .arg("-d")
        .arg(db.url())
        .arg("-f")
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "psql failed on {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(log.path()).unwrap();
    let mut sent = vec![];
    for block in text.split("********* QUERY **********\n").skip(1) {
        let (query, result) = block.split_once("\n**************************\n").unwrap();
        // psql also sends `;` and comment-only queries, which we drop
        let pieces = script(query).unwrap();
        let statements: Vec<_> = pieces.statements().collect();
        assert!(statements.len() <= 1, "psql sent {query:?}, which we read as {statements:?}");
        if let Some(s) = statements.first() {
            sent.push(Sent { query: s.text.to_owned(), result: result.to_owned() });
        }
    }
    sent
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/split_corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn statements_are_the_queries_psql_sends() {
    if !Path::new(PSQL).exists() {
        eprintln!("skipped: {PSQL} is not installed");
        return;
    }
    let files = corpus();
    assert!(files.len() >= 15);
    for file in files {
        let sql = std::fs::read_to_string(&file).unwrap();
        let stop_on_error = !sql.starts_with("-- expect-errors");
        let by_psql = run_psql(&file, stop_on_error);

        let ours = script(&sql).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let texts: Vec<&str> = ours.statements().map(|s| s.text).collect();
        let psql_texts: Vec<&str> = by_psql.iter().map(|s| s.query.as_str()).collect();
        assert_eq!(texts, psql_texts, "{}", file.display());

        // Rebuilt from our pieces alone, the script does the same.
        let mut rebuilt = String::new();
        for piece in ours.pieces() {
            match piece {
                Piece::Statement(s) => {
                    rebuilt.push_str(s.text);
                    rebuilt.push_str(";\n");
                }
                Piece::CopyData(d) => {
                    rebuilt.push_str(d.data);
                    rebuilt.push_str("\\.\n");
                }
                Piece::MetaCommand(m) => panic!("{}: unexpected meta-command {m:?}", file.display()),
            }
        }
        let copy = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(copy.path(), &rebuilt).unwrap();
        assert_eq!(run_psql(copy.path(), stop_on_error), by_psql, "{} rebuilt:\n{rebuilt}", file.display());
    }
}

/// Pieces of SQL that matter to the lexer, none of them a psql command or a COPY.
const FRAGMENTS: &[&str] = &[
    "SELECT 1",
    ";",
    ";",
    "\n",
    " ",
    "'a;b'",
    "E'\\';'",
    "E'x\\\\'",
    "'it''s;'",
    "\"q;\"\"x\"",
    "$$;$$",
    "$t$ $$ ; $t$",
    "-- c; 'x\n",
    "/* c; /* n; */ */",
    "(",
    ")",
    "(1;2)",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql",
    "create or replace procedure p()",
    "BEGIN",
    "begin atomic",
    "END",
    "end",
    "CASE",
    "case when",
    "U&'x;'",
    "U&\"y;\"",
    "x$y",
    "$1",
    "1.5e3",
    "a--b\n",
    "*/",
    "/",
    "-",
    "'multi\nline;'",
    "'a'\n'b;'",
    "E'a'\n'\\'",
    "b'01'",
    "X'1f'",
    "N'n;'",
    "::int",
    "$_$",
    "$",
    "\"begin\"",
    "e'",
    "u&",
    "/*/ */",
    "--\n",
];

#[test]
fn random_scripts_split_as_psql_splits() {
    if !Path::new(PSQL).exists() {
        eprintln!("skipped: {PSQL} is not installed");
        return;
    }
    let db = TestDb::new();
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut seed: u64 = 0x5EED_0F5F;
    let mut next = move |n: usize| {
        // xorshift: the same scripts on every run
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut compared = 0;
    for _ in 0..300 {
        let len = 1 + next(24);
        let sql: String = (0..len).map(|_| FRAGMENTS[next(FRAGMENTS.len())]).collect::<Vec<_>>().join(" ");
        // strata refuses unclosed quotes and meta-commands (psql would send the
        // first anyway and join the text around the second); compare the rest
        let Ok(ours) = script(&sql) else { continue };
        if ours.meta_commands().next().is_some() {
            continue;
        }
        std::fs::write(file.path(), &sql).unwrap();
        let by_psql = run_psql_on(&db, file.path(), false);
        let texts: Vec<&str> = ours.statements().map(|s| s.text).collect();
        let psql_texts: Vec<&str> = by_psql.iter().map(|s| s.query.as_str()).collect();
        assert_eq!(texts, psql_texts, "script: {sql:?}");
        compared += 1;
    }
    assert!(compared > 100, "only {compared} scripts were lexically complete");
}
