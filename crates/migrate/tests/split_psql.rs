//! The splitter against psql itself: for every script of `split_corpus/`, psql's
//! own log of the queries it sent (`psql -L`) must list exactly our statements,
//! and a script rebuilt from our pieces (statements, COPY data) must give psql
//! the same queries with the same results.

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
    let db = TestDb::new();
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
