//! A table's rows as one snapshot line: a count and a hash, with the values a
//! column's default computes at insert time compared loosely.
//!
//! `now()` gives a different value each time a seed runs, an identity column the
//! next number of its sequence: without care, every seed would fail "up again
//! gives the same database". A value is compared loosely only when it is
//! provably the default's own: the row was written by a step this run made
//! (its `xmin` is that step's transaction) and
//! - for a time default (`now()`, `CURRENT_TIMESTAMP`, `clock_timestamp()`, ...):
//!   the value lies within that step's transaction, start to end;
//! - for a generated value (identity, `nextval`, `gen_random_uuid()`, `random()`):
//!   the step's file does not name the column.
//!
//! Any other value, such as one the file writes itself, counts.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::error::Error;

/// A transaction that ran a file: which, when, and its file's text.
#[derive(Debug, Clone)]
pub struct Step {
    /// The transaction id as the 32-bit `xmin` of the rows it wrote.
    pub xid: i64,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    /// The SQL it ran, to tell whether it names a column.
    pub sql: std::sync::Arc<str>,
}

/// How a loosely compared column's default computes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LooseKind {
    /// The time of the inserting transaction or statement.
    Time,
    /// The next value of a sequence, or a random one.
    Generated,
}

/// A column compared loosely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseColumn {
    pub name: String,
    pub kind: LooseKind,
}

const COLUMNS: &str = r#"
SELECT a.attname::text, format_type(a.atttypid, NULL),
       CASE WHEN a.attgenerated <> '' THEN ''
            WHEN a.attidentity <> '' THEN 'generated'
            WHEN e.expr ~* '\m(now|clock_timestamp|statement_timestamp|transaction_timestamp)\(|\mCURRENT_(TIMESTAMP|DATE)\M|\mLOCALTIMESTAMP\M'
             AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN 'time'
            WHEN e.expr ~* '\m(nextval|gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|random)\(' THEN 'generated'
            ELSE '' END
FROM pg_attribute a
LEFT JOIN LATERAL (SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) e ON true
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"#;

/// `data <table>: <n> rows, md5 <hash>[ (loose: a, b)]` and the loose columns.
pub(crate) async fn table_line(
    conn: &mut PgConnection,
    oid: u32,
    table: &str,
    steps: &[Step],
) -> Result<(String, Vec<LooseColumn>), Error> {
    let cols: Vec<(String, String, String)> = sqlx::query_as(COLUMNS)
        .bind(sqlx::postgres::types::Oid(oid))
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::database("reading a table's columns", e))?;
    let loose: Vec<LooseColumn> = cols
        .iter()
        .filter_map(|(name, _, kind)| match kind.as_str() {
            "time" => Some(LooseColumn { name: name.clone(), kind: LooseKind::Time }),
            "generated" => Some(LooseColumn { name: name.clone(), kind: LooseKind::Generated }),
            _ => None,
        })
        .collect();
    let hash = if loose.is_empty() {
        let sql = format!(
            "SELECT count(*)::text || ' rows, md5 ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM {table} t"
        );
        sqlx::query_scalar::<_, String>(&sql).fetch_one(&mut *conn).await
    } else {
        let mut exprs = vec![];
        let mut generated: Vec<Vec<i64>> = vec![];
        for (name, ty, kind) in &cols {
            let c = format!("t.{}", crate::quote::ident(name));
            exprs.push(match kind.as_str() {
                "time" => {
                    let within = if ty == "date" {
                        format!("{c} BETWEEN s.started::date AND s.ended::date")
                    } else {
                        format!("{c}::timestamptz BETWEEN s.started AND s.ended")
                    };
                    format!(
                        "CASE WHEN EXISTS (SELECT 1 FROM steps s WHERE s.xid = t.xmin::text::bigint AND {within}) THEN '<insert time>' ELSE {c}::text END"
                    )
                }
                "generated" => {
                    generated.push(steps.iter().filter(|s| !names_column(&s.sql, name)).map(|s| s.xid).collect());
                    format!(
                        "CASE WHEN t.xmin::text::bigint = ANY(${}::bigint[]) THEN '<generated>' ELSE {c}::text END",
                        3 + generated.len()
                    )
                }
                _ => format!("{c}::text"),
            });
        }
        let sql = format!(
            "WITH steps AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) AS s(xid, started, ended))
             SELECT count(*)::text || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-')
             FROM (SELECT ROW({})::text AS r FROM {table} t) x",
            exprs.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql)
            .bind(steps.iter().map(|s| s.xid).collect::<Vec<_>>())
            .bind(steps.iter().map(|s| s.started).collect::<Vec<_>>())
            .bind(steps.iter().map(|s| s.ended).collect::<Vec<_>>());
        for xids in generated {
            q = q.bind(xids);
        }
        q.fetch_one(&mut *conn).await
    }
    .map_err(|e| Error::database("hashing table rows", e))?;
    let mut line = format!("data {table}: {hash}");
    if hash.starts_with("0 rows") {
        return Ok((line, vec![]));
    }
    if !loose.is_empty() {
        let names: Vec<&str> = loose.iter().map(|c| c.name.as_str()).collect();
        line.push_str(&format!(" (loose: {})", names.join(", ")));
    }
    Ok((line, loose))
}

/// Whether `sql` names `column` as a word (case-insensitively): a file that
/// names a generated column may write it, so its values count.
fn names_column(sql: &str, column: &str) -> bool {
    let hay = sql.to_lowercase();
    let needle = column.to_lowercase();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            return true;
        }
        from = start + needle.len().max(1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::names_column;

    #[test]
    fn a_column_is_named_as_a_whole_word_only() {
        assert!(names_column("INSERT INTO t (id, name) VALUES (1, 'x')", "id"));
        assert!(names_column("insert into t (\"ID\") values (1)", "id"));
        assert!(!names_column("INSERT INTO t (user_id) VALUES (1)", "id"));
        assert!(!names_column("INSERT INTO t (name) VALUES ('idle')", "id"));
    }
}
