//! Running one file on a scratch database, outside the runner: no lock and no
//! history row, for `verify` and `drift`, which check what files do.

use sqlx::PgConnection;
use sqlx::postgres::{PgDatabaseError, PgErrorPosition};

use crate::error::{Error, SqlFailure};
use crate::locate::line_col;
use crate::plan::Direction;
use crate::source::{Migration, SqlFile};
use crate::split::split;

/// What a transactional file is sent after: PostgreSQL's error positions count it.
pub(crate) const PREFIX: &str = "BEGIN;\n";

/// The file (up or down) of `m`.
pub(crate) fn file_of(m: &Migration, direction: Direction) -> &SqlFile {
    match direction {
        Direction::Up => &m.up,
        Direction::Down => &m.down,
    }
}

/// Runs a file to completion: in a transaction of its own, or statement by
/// statement for a no-transaction file. The outer error is the connection's;
/// the inner one the file's SQL failing (a transactional file is rolled back).
pub(crate) async fn run(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
) -> Result<Result<(), SqlFailure>, Error> {
    let file = file_of(m, direction);
    if file.no_transaction {
        return statementwise(conn, m, direction).await;
    }
    let sql = format!("{PREFIX}{}\n;\nCOMMIT;", file.sql);
    match sqlx::raw_sql(&sql).execute(&mut *conn).await {
        Ok(_) => Ok(Ok(())),
        Err(err) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Ok(Err(located(failure(m, direction, err)?, file, None, PREFIX.len())))
        }
    }
}

/// A no-transaction file, a statement at a time (changes before a failure stay).
pub(crate) async fn statementwise(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
) -> Result<Result<(), SqlFailure>, Error> {
    let file = file_of(m, direction);
    for (i, stmt) in split(&file.sql).iter().enumerate() {
        if let Err(err) = sqlx::raw_sql(stmt.text).execute(&mut *conn).await {
            let mut f = located(failure(m, direction, err)?, file, Some(stmt.offset), 0);
            f.statement = Some(i + 1);
            return Ok(Err(f));
        }
    }
    Ok(Ok(()))
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
    let Some(db) = err.as_database_error().and_then(|d| d.try_downcast_ref::<PgDatabaseError>()) else {
        return Err(Error::database("running a file", err));
    };
    let file = file_of(m, direction);
    let position = match db.position() {
        Some(PgErrorPosition::Original(p)) => Some(p.saturating_sub(1)),
        _ => None,
    };
    Ok(SqlFailure {
        track: m.track,
        version: m.version,
        direction,
        path: file.path.clone(),
        line: None,
        column: position,
        statement: None,
        code: db.code().to_owned(),
        message: db.message().to_owned(),
        detail: db.detail().map(str::to_owned),
        hint: db.hint().map(str::to_owned),
        context: db.r#where().map(str::to_owned),
        sql: file.sql.clone(),
    })
}
