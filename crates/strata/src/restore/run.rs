//! Running a checked dump: one connection, one transaction, each statement sent
//! on its own (simple query protocol), each COPY's rows through the COPY protocol.
//! No psql, so no meta-command interpreter. A failure rolls everything back and
//! is reported at the file's line.

use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
use sqlx::{Connection as _, PgConnection};

use super::check::Step;

/// The rows of one COPY are sent in pieces of this size.
const COPY_CHUNK: usize = 1 << 20;

/// What a restore did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Restored {
    pub statements: usize,
    pub rows: u64,
}

/// PostgreSQL refused a step; nothing was committed.
#[derive(Debug)]
pub struct Failed {
    /// Byte offset in the file.
    pub offset: usize,
    pub message: String,
}

/// Runs `steps` (cut from `text`) in one transaction.
pub async fn run(conn: &mut PgConnection, steps: &[Step<'_>]) -> Result<Restored, Failed> {
    let mut done = Restored::default();
    let start = |e: sqlx::Error| Failed { offset: 0, message: e.to_string() };
    let mut tx = conn.begin().await.map_err(start)?;
    // Unqualified names resolve only in pg_catalog from the first statement on, as
    // pg_dump's own preamble arranges (it is checked to hold nothing else).
    sqlx::raw_sql("SET LOCAL search_path = ''").execute(&mut *tx).await.map_err(start)?;
    for step in steps {
        match step {
            Step::Sql(s) => {
                sqlx::raw_sql(s.text).execute(&mut *tx).await.map_err(|e| failed(e, s.offset, s.text, None))?;
                done.statements += 1;
            }
            Step::Copy(s, data) => {
                let fail = |e: sqlx::Error| failed(e, s.offset, s.text, Some((data.offset, data.data)));
                let mut copy = tx.copy_in_raw(s.text).await.map_err(fail)?;
                for chunk in data.data.as_bytes().chunks(COPY_CHUNK) {
                    copy.send(chunk).await.map_err(fail)?;
                }
                done.rows += copy.finish().await.map_err(fail)?;
                done.statements += 1;
            }
        }
    }
    tx.commit().await.map_err(start)?;
    Ok(done)
}

/// The error at its place in the file: PostgreSQL's position in the statement, or
/// for COPY the data line its context names (`COPY t, line 3, column c: ...`).
fn failed(e: sqlx::Error, offset: usize, statement: &str, copy: Option<(usize, &str)>) -> Failed {
    let Some(db) = e.as_database_error().and_then(|d| d.try_downcast_ref::<PgDatabaseError>()) else {
        return Failed { offset, message: e.to_string() };
    };
    let mut message = format!("{} (SQLSTATE {})", db.message(), db.code());
    for (label, text) in [("detail", db.detail()), ("hint", db.hint()), ("context", db.r#where())] {
        if let Some(t) = text {
            message.push_str(&format!("\n  {label}: {t}"));
        }
    }
    let at = match db.position() {
        Some(PgErrorPosition::Original(p)) => {
            statement.char_indices().nth(p.saturating_sub(1)).map(|(i, _)| offset + i).unwrap_or(offset)
        }
        _ => copy
            .and_then(|(data_offset, data)| {
                let line: usize =
                    db.r#where()?.split("line ").nth(1)?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
                let within: usize = data.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
                Some(data_offset + within)
            })
            .unwrap_or(offset),
    };
    Failed { offset: at, message }
}
