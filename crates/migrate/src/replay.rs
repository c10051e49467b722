//! Running one file on a scratch database, outside the runner: no lock and no
//! history row, for `verify`, `drift` and `migrate plan`, which check what files do.
//! A file with `COPY ... FROM STDIN` data is sent piece by piece (the data through
//! the COPY protocol); any other file as one query string.

use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use crate::error::{Error, SqlFailure, pg_error};
use crate::locate::line_col;
use crate::plan::Direction;
use crate::source::{Migration, SqlFile};
use crate::split::{self, Piece};

/// What a transactional file is sent after: PostgreSQL's error positions count it.
pub(crate) const PREFIX: &str = "BEGIN;\n";

/// Runs a file to completion: in a transaction of its own, or statement by
/// statement for a no-transaction file. The outer error is the connection's;
/// the inner one the file's SQL failing (a transactional file is rolled back).
pub(crate) async fn run(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
) -> Result<Result<(), SqlFailure>, Error> {
    if m.file(direction).no_transaction {
        return statementwise(conn, m, direction).await;
    }
    Ok(in_transaction(conn, m, direction, None).await?.map(|_| ()))
}

/// What `verify` sends after a transactional file: `before_commit` in the
/// file's transaction (its rows are returned), `after_commit` after it.
pub(crate) struct Tail<'a> {
    pub before_commit: &'a str,
    pub after_commit: &'a str,
}

/// Runs a transactional file in a transaction of its own, followed by `tail`:
/// as one query string, or, with `COPY ... FROM STDIN` data, a statement at a
/// time. Returns the rows of the tail (none without one); a failure is rolled back.
pub(crate) async fn in_transaction(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
    tail: Option<Tail<'_>>,
) -> Result<Result<Vec<PgRow>, SqlFailure>, Error> {
    let file = m.file(direction);
    let (before_commit, after_commit) = tail.as_ref().map_or(("", ""), |t| (t.before_commit, t.after_commit));
    let (end, skip) = if has_copy_data(file) {
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await.map_err(|e| Error::database("starting a transaction", e))?;
        if let Err(f) = statementwise(conn, m, direction).await? {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            return Ok(Err(f));
        }
        // What fails now (the commit) is no place in the file.
        (format!("{before_commit}COMMIT;{after_commit}"), usize::MAX)
    } else {
        (format!("{PREFIX}{}\n;\n{before_commit}COMMIT;{after_commit}", file.sql), PREFIX.len())
    };
    let sent = sqlx::raw_sql(&end);
    let result = match tail {
        Some(_) => sent.fetch_all(&mut *conn).await,
        None => sent.execute(&mut *conn).await.map(|_| vec![]),
    };
    match result {
        Ok(rows) => Ok(Ok(rows)),
        Err(err) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Ok(Err(located(failure(m, direction, err)?, file, None, skip)))
        }
    }
}

/// The files of a scratch database's bulk replay (`drift`, `schema dump`,
/// `migrate plan`, `squash`)
/// in order, as few transactions and round trips as possible: consecutive
/// transactional files without COPY data go in one transaction, sent in
/// messages of up to [`BULK_BYTES`], each file followed by the session reset the
/// runner does after a file; a `-- strata:no-transaction` file or one with COPY
/// data runs alone, as [`run`] runs it. A failing transaction is rolled back
/// and its files run again one by one with [`run`], so the error names the
/// file and line exactly as a file-by-file replay does.
pub(crate) async fn run_many(
    conn: &mut PgConnection,
    files: &[&Migration],
    direction: Direction,
) -> Result<Result<(), SqlFailure>, Error> {
    let mut i = 0;
    while i < files.len() {
        let alone = |m: &Migration| m.file(direction).no_transaction || has_copy_data(m.file(direction));
        if alone(files[i]) {
            if let Err(f) = run(conn, files[i], direction).await? {
                return Ok(Err(f));
            }
            i += 1;
            continue;
        }
        let end = (i..files.len()).find(|&k| alone(files[k])).unwrap_or(files.len());
        let group = &files[i..end];
        if !in_one_transaction(conn, group, direction).await {
            // Rolled back: run them one by one for the exact error.
            for m in group {
                if let Err(f) = run(conn, m, direction).await? {
                    return Ok(Err(f));
                }
            }
        }
        i = end;
    }
    Ok(Ok(()))
}

/// At most this much SQL per message of a bulk replay.
const BULK_BYTES: usize = 1 << 20;

/// After each file of a bulk replay, as after each file the runner runs: no
/// setting, role or temporary table reaches the next file. (Not `DEALLOCATE
/// ALL`: the caller's prepared statements live on.)
const RESET: &str =
    "RESET ALL;\nSET SESSION AUTHORIZATION DEFAULT;\nDISCARD TEMP;\nDISCARD SEQUENCES;\nCLOSE ALL;\nUNLISTEN *;\n";

/// Transactional files without COPY data in one transaction; false when it failed (and was rolled back).
async fn in_one_transaction(conn: &mut PgConnection, group: &[&Migration], direction: Direction) -> bool {
    let mut message = String::from("BEGIN;\n");
    for (k, m) in group.iter().enumerate() {
        message.push_str(&m.file(direction).sql);
        message.push_str("\n;\n");
        message.push_str(RESET);
        let last = k + 1 == group.len();
        if last || message.len() + group[k + 1].file(direction).sql.len() > BULK_BYTES {
            if last {
                message.push_str("COMMIT;");
            }
            if sqlx::raw_sql(&message).execute(&mut *conn).await.is_err() {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                return false;
            }
            message.clear();
        }
    }
    true
}

/// A file a statement at a time, COPY data included (changes before a failure
/// stay unless the caller's transaction rolls them back).
pub(crate) async fn statementwise(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
) -> Result<Result<(), SqlFailure>, Error> {
    let file = m.file(direction);
    let script = file.script()?;
    for (number, (stmt, data)) in (1..).zip(script.statements_with_data()) {
        if let Err(err) = statement(conn, stmt.text, data).await {
            let mut f = located(failure(m, direction, err)?, file, Some(stmt.offset), 0);
            f.statement = Some(number);
            if data.is_some() {
                // A COPY error names the data row in its context, not a position.
                (f.line, f.column) = (Some(stmt.line), None);
            }
            return Ok(Err(f));
        }
    }
    Ok(Ok(()))
}

/// Whether the file carries `COPY ... FROM STDIN` data, which cannot travel in
/// one query string.
pub(crate) fn has_copy_data(file: &SqlFile) -> bool {
    split::pieces(&file.sql).any(|p| matches!(p, Ok(Piece::CopyData(_))))
}

/// Runs one statement; `copy_data` is sent through the COPY protocol when the
/// statement is a `COPY ... FROM STDIN`.
pub(crate) async fn statement(conn: &mut PgConnection, text: &str, copy_data: Option<&str>) -> Result<(), sqlx::Error> {
    match copy_data {
        Some(data) => {
            let mut copy = conn.copy_in_raw(text).await?;
            match copy.send(data.as_bytes()).await {
                Ok(_) => copy.finish().await.map(|_| ()),
                Err(e) => {
                    let _ = copy.abort("strata: sending the COPY data failed").await;
                    Err(e)
                }
            }
        }
        None => sqlx::raw_sql(text).execute(&mut *conn).await.map(|_| ()),
    }
}

/// Places the error position (parked in `column` by [`failure`]) in the file:
/// `skip` characters were sent before the text that starts at byte `from`.
pub(crate) fn located(mut f: SqlFailure, file: &SqlFile, from: Option<usize>, skip: usize) -> SqlFailure {
    match f.column.and_then(|p| p.checked_sub(skip)).and_then(|p| line_col(&file.sql, from, p)) {
        Some((l, c)) => (f.line, f.column) = (Some(l), Some(c)),
        None => f.column = None,
    }
    f
}

/// The file's SQL error, with PostgreSQL's 0-based error position in the query
/// sent parked in `column` for [`located`].
pub(crate) fn failure(m: &Migration, direction: Direction, err: sqlx::Error) -> Result<SqlFailure, Error> {
    let Some(db) = pg_error(&err) else {
        return Err(Error::database("running a file", err));
    };
    Ok(SqlFailure { column: SqlFailure::position(db), ..SqlFailure::new(m, direction, db) })
}
