//! A server-side cursor for reading many rows in batches (exports, the console's
//! row cap): `DECLARE` goes through the extended protocol, so the statement inside
//! is exactly one statement and its values are bound; `FETCH` goes through the
//! simple protocol, so rows arrive as text.

use sqlx::{Executor, PgConnection};

use crate::db::text_rows;

/// The cursor's name; one per transaction.
const NAME: &str = "strata_cursor";

/// Opens the cursor on `select` (a query with `$n` parameters bound to `params`).
pub async fn declare(conn: &mut PgConnection, select: &str, params: &[Option<String>]) -> Result<(), sqlx::Error> {
    let text = format!("DECLARE {NAME} NO SCROLL CURSOR FOR {select}");
    let mut q = sqlx::query(&text).persistent(false);
    for p in params {
        q = q.bind(p.as_deref());
    }
    q.execute(conn).await?;
    Ok(())
}

/// The next `n` rows (fewer at the end), every value as text.
pub async fn fetch(conn: &mut PgConnection, n: usize) -> Result<Vec<Vec<Option<String>>>, sqlx::Error> {
    let sql = format!("FETCH FORWARD {n} FROM {NAME}");
    let rows = conn.fetch_all(sqlx::raw_sql(&sql)).await?;
    Ok(rows.iter().map(text_rows::values).collect())
}
