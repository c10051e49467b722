//! Exports: `GET /s/{schema}/{table}/export?format=csv|json` (with the rows page's
//! filters and order) and `POST /console/export` (a query; POST because it carries
//! SQL, which never travels in a GET).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use sqlx::{Column, Connection, Executor, Statement, TypeInfo};

use crate::db::failure::DbFailure;
use crate::db::sql::Sql;
use crate::db::sql_text;
use crate::db::text_rows::JsonKind;
use crate::db::transaction::{self, Access};
use crate::db::{browse, console};
use crate::error::StudioError;
use crate::export::{Export, ExportColumn, Format};
use crate::routes::console as console_routes;
use crate::routes::context::readable_relation;
use crate::routes::form::Fields;
use crate::state::Studio;
use crate::table_state;

fn format_of(fields: &Fields) -> Result<Format, StudioError> {
    let name = fields.get("format").unwrap_or("csv");
    Format::parse(name).ok_or_else(|| StudioError::BadRequest(format!("unknown export format {name:?} (csv or json)")))
}

pub async fn table(
    State(studio): State<Studio>,
    Path((schema, table)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Export, StudioError> {
    let format = format_of(&Fields::query(query.as_deref()))?;
    let request = table_state::parse(query.as_deref(), studio.config.page_size)?;
    let mut tx = transaction::begin(&studio.pool, Access::ReadOnly, studio.config.statement_timeout).await?;
    let rel = readable_relation(&mut tx, &schema, &table).await?;
    // PostgreSQL cuts each value to the export's cap (plus one character, so a
    // cut is seen), keeping the studio's memory bounded; export::Export marks it.
    let cap = studio.config.export_value_cap;
    let mut sql = Sql::new("SELECT ");
    for (i, c) in rel.columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("pg_catalog.left(").ident(&c.name).push(&format!("::text, {})", cap.saturating_add(1)));
    }
    sql.push(" FROM ").qualified(&rel.name);
    browse::push_filters(&mut sql, &rel, &request.filters)?;
    if let Some(order) = browse::keyset(&rel, request.sort.as_ref())? {
        sql.push(" ORDER BY ").push(&order.order_by(false));
    } else if let Some((column, dir)) = &request.sort {
        sql.push(" ORDER BY ").ident(column).push(if dir.code() == "asc" { " ASC" } else { " DESC" });
    }
    let columns = rel
        .columns
        .iter()
        .map(|c| ExportColumn { name: c.name.clone(), kind: JsonKind::from_type_name(&c.base_type) })
        .collect();
    let name = format!("{}.{}", rel.name.schema, rel.name.name);
    Ok(Export::start(tx, sql.text(), sql.params(), columns, format, &name, cap).await?)
}

pub async fn query(State(studio): State<Studio>, body: Bytes) -> Result<Export, StudioError> {
    let fields = Fields::parse(&body);
    let format = format_of(&fields)?;
    let sql = sql_text::single(fields.get("sql").unwrap_or(""))
        .ok_or_else(|| StudioError::BadRequest("there is no statement to export".into()))?
        .to_owned();
    // What the user typed runs on the console's pool, under the console's rules.
    let mut tx = transaction::begin(&studio.console_pool, Access::ReadOnly, studio.config.statement_timeout).await?;
    console::refuse_unsafe_login(&mut tx, console_routes::rights(&studio)).await?;
    let columns: Vec<ExportColumn> = (&mut *tx)
        .prepare(&sql)
        .await?
        .columns()
        .iter()
        .map(|c| ExportColumn { name: c.name().to_owned(), kind: JsonKind::from_type_name(c.type_info().name()) })
        .collect();
    // The user's statement was cached by `prepare`; drop it so a later schema
    // change cannot meet a stale plan on this pooled connection.
    let _ = tx.clear_cached_statements().await;
    if columns.is_empty() {
        return Err(StudioError::BadRequest("that statement returns no rows; only queries are exported".into()));
    }
    let cap = studio.config.export_value_cap;
    let wrapped = console::wrap(&sql, columns.len(), cap);
    match Export::start(tx, &wrapped, &[], columns, format, "query", cap).await.map_err(StudioError::from) {
        // The wrapped statement is a syntax error (SHOW, EXPLAIN) or a cursor over a
        // data-modifying WITH (INSERT ... RETURNING): either way, not a query.
        Err(StudioError::Database(f)) if f.code == "42601" || f.code == "0A000" => {
            Err(StudioError::Database(DbFailure {
                message: "only a query (SELECT, VALUES, TABLE, WITH ... SELECT) can be exported".into(),
                ..f
            }))
        }
        other => other,
    }
}
