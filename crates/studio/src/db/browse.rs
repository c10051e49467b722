//! A page of a relation's rows: filtered, sorted, paged by key (tables) or by offset
//! (views, which have no row identity). Long values are cut in the database, so a
//! page of wide rows stays small; key and foreign-key columns come whole, since
//! links are made of them.

use std::collections::HashSet;

use sqlx::{PgConnection, Row};

use crate::db::error::DbError;
use crate::db::filter::{Filter, push_condition};
use crate::db::keyset::{KeyPart, Keyset, SortOrder};
use crate::db::relation::Relation;
use crate::db::row::{CTID, RowKey};
use crate::db::sql::Sql;
use strata_migrate::quote;

/// Characters of a value shown in the grid.
pub const CELL_CHARS: usize = 300;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    First,
    /// After the row with this key (in the order's parts).
    After(Vec<Option<String>>),
    /// Before the row with this key.
    Before(Vec<Option<String>>),
    /// Skip this many rows (views).
    Offset(u64),
}

/// What the table page asks for.
#[derive(Debug, Clone)]
pub struct Request {
    pub filters: Vec<Filter>,
    pub sort: Option<(String, SortOrder)>,
    pub position: Position,
    pub limit: usize,
}

/// One value of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: Option<String>,
    pub truncated: bool,
}

/// One row of the grid.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub cells: Vec<Cell>,
    /// Whole values of the columns links need (keys, foreign keys), by column position.
    pub full: Vec<Option<String>>,
    /// The key of the row page, when the row can be addressed.
    pub key: Option<RowKey>,
    /// The row's position in the order, for cursors.
    cursor: Vec<Option<String>>,
}

/// A page and the positions of its neighbours.
#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<PageRow>,
    pub next: Option<Position>,
    pub previous: Option<Position>,
    /// Whether paging is by key (fast at any depth) rather than by offset.
    pub keyset: bool,
}

/// The order rows of `rel` are paged in, or `None` when only offsets work.
pub fn keyset(rel: &Relation, sort: Option<&(String, SortOrder)>) -> Result<Option<Keyset>, DbError> {
    let mut parts = Vec::new();
    let direction = sort.map(|(_, d)| *d).unwrap_or(SortOrder::Asc);
    let sort_column = sort.map(|(name, _)| sort_column(rel, name)).transpose()?;
    if let Some(c) = sort_column {
        parts.push(KeyPart::column(&c.name, c.ty.clone(), !c.not_null));
    }
    if rel.has_primary_key() {
        let only_sort_is_pk =
            rel.primary_key.len() == 1 && sort_column.is_some_and(|c| c.name == rel.columns[rel.primary_key[0]].name);
        if !only_sort_is_pk {
            parts.extend(rel.primary_key_columns().map(|c| KeyPart::column(&c.name, c.ty.clone(), false)));
        }
    } else if rel.uses_ctid() {
        parts.push(KeyPart::ctid());
    } else {
        return Ok(None);
    }
    Ok(Some(Keyset { parts, direction }))
}

fn sort_column<'r>(rel: &'r Relation, name: &str) -> Result<&'r crate::db::relation::Column, DbError> {
    let (_, c) = rel.column(name).ok_or_else(|| DbError::NoSortColumn { column: name.to_owned() })?;
    if c.compares_as_text() || matches!(c.category, 'G' | 'X' | 'P') {
        return Err(DbError::Unsortable { column: c.name.clone(), type_name: c.type_display.clone() });
    }
    Ok(c)
}

/// Appends `WHERE` with every filter (and the cursor condition) to `sql`.
pub fn push_filters(sql: &mut Sql, rel: &Relation, filters: &[Filter]) -> Result<bool, DbError> {
    for (i, f) in filters.iter().enumerate() {
        let (_, column) = rel
            .column(&f.column)
            .ok_or_else(|| DbError::NoSuchColumn { relation: rel.name.display(), column: f.column.clone() })?;
        sql.push(if i == 0 { " WHERE " } else { " AND " });
        push_condition(sql, column, f)?;
    }
    Ok(!filters.is_empty())
}

/// Reads one page.
pub async fn page(
    conn: &mut PgConnection,
    rel: &Relation,
    links: &HashSet<usize>,
    req: &Request,
) -> Result<Page, DbError> {
    let order = keyset(rel, req.sort.as_ref())?;
    let Some(order) = order else {
        return offset_page(conn, rel, links, req).await;
    };
    let (cursor, backward) = match &req.position {
        Position::First | Position::Offset(_) => (None, false),
        Position::After(c) => (Some(c.as_slice()), false),
        Position::Before(c) => (Some(c.as_slice()), true),
    };
    let mut rows = fetch(conn, rel, links, req, &order, cursor, backward).await?;
    let more = rows.len() > req.limit;
    rows.truncate(req.limit);
    if backward {
        rows.reverse();
        if !more {
            // Back at the start: show a full first page rather than a short one.
            let first = Request { position: Position::First, ..req.clone() };
            return Box::pin(page(conn, rel, links, &first)).await;
        }
    }
    let edge = |row: Option<&PageRow>| row.map(|r| r.cursor.clone());
    let (next, previous) = match (&req.position, backward) {
        (_, true) => (edge(rows.last()).map(Position::After), edge(rows.first()).map(Position::Before)),
        (Position::After(_), false) => {
            (if more { edge(rows.last()).map(Position::After) } else { None }, edge(rows.first()).map(Position::Before))
        }
        _ => (if more { edge(rows.last()).map(Position::After) } else { None }, None),
    };
    Ok(Page { rows, next, previous, keyset: true })
}

async fn offset_page(
    conn: &mut PgConnection,
    rel: &Relation,
    links: &HashSet<usize>,
    req: &Request,
) -> Result<Page, DbError> {
    let offset = match req.position {
        Position::Offset(n) => n,
        _ => 0,
    };
    let order = match &req.sort {
        Some((name, dir)) => {
            let c = sort_column(rel, name)?;
            Some(Keyset { parts: vec![KeyPart::column(&c.name, c.ty.clone(), !c.not_null)], direction: *dir })
        }
        None => None,
    };
    let mut sql = outer_select(rel, links, &[]);
    sql.push(" FROM (SELECT ").push(&column_list(rel)).push(" FROM ").qualified(&rel.name);
    push_filters(&mut sql, rel, &req.filters)?;
    if let Some(order) = &order {
        sql.push(" ORDER BY ").push(&order.order_by(false));
    }
    sql.push(&format!(" LIMIT {} OFFSET {offset}) AS {PAGE}", req.limit + 1));
    if let Some(order) = &order {
        sql.push(" ORDER BY ").push(&order.order_by(false));
    }
    let mut rows = decode(sql.query().fetch_all(conn).await?, rel, links, 0);
    let more = rows.len() > req.limit;
    rows.truncate(req.limit);
    let limit = req.limit as u64;
    Ok(Page {
        rows,
        next: more.then(|| Position::Offset(offset + limit)),
        previous: (offset > 0).then(|| Position::Offset(offset.saturating_sub(limit))),
        keyset: false,
    })
}

/// The page is chosen by an inner query over whole rows (every readable column, so
/// a sort of a million rows converts nothing to text), and only its rows are then
/// turned into text by the outer query.
async fn fetch(
    conn: &mut PgConnection,
    rel: &Relation,
    links: &HashSet<usize>,
    req: &Request,
    order: &Keyset,
    cursor: Option<&[Option<String>]>,
    backward: bool,
) -> Result<Vec<PageRow>, DbError> {
    let outer = order.outside(CTID_ALIAS);
    let key_exprs: Vec<String> = outer.parts.iter().map(|p| format!("{}::text", p.expr())).collect();
    let mut sql = outer_select(rel, links, &key_exprs);
    sql.push(" FROM (SELECT ").push(&column_list(rel));
    if rel.uses_ctid() {
        let comma = if rel.columns.is_empty() { "" } else { ", " };
        sql.push(&format!("{comma}ctid AS {}", quote::ident(CTID_ALIAS)));
    }
    sql.push(" FROM ").qualified(&rel.name);
    let filtered = push_filters(&mut sql, rel, &req.filters)?;
    if let Some(cursor) = cursor {
        sql.push(if filtered { " AND " } else { " WHERE " });
        order.push_after(&mut sql, cursor, backward)?;
    }
    sql.push(" ORDER BY ").push(&order.order_by(backward));
    sql.push(&format!(" LIMIT {}) AS {PAGE} ORDER BY ", req.limit + 1)).push(&outer.order_by(backward));
    Ok(decode(sql.query().fetch_all(conn).await?, rel, links, key_exprs.len()))
}

/// The inner query's alias.
const PAGE: &str = "\"strata_page\"";
/// The name the inner query gives `ctid`, which a subquery does not pass on.
const CTID_ALIAS: &str = "strata_ctid";

/// The inner query's select list: the columns of `rel` (the readable ones, once
/// narrowed), never `*`, which would need every column.
fn column_list(rel: &Relation) -> String {
    rel.columns.iter().map(|c| quote::ident(&c.name)).collect::<Vec<_>>().join(", ")
}

/// `SELECT <cut values>, <whole link values>, <key values>` over the inner page;
/// the key values come last.
fn outer_select(rel: &Relation, links: &HashSet<usize>, key_exprs: &[String]) -> Sql {
    let mut items: Vec<Sql> = Vec::new();
    // Output columns get neutral aliases: `ORDER BY "id"` must mean the column,
    // not a text copy of it in the select list.
    for (i, c) in rel.columns.iter().enumerate() {
        let mut item = Sql::default();
        if links.contains(&i) || rel.primary_key.contains(&i) {
            item.ident(&c.name).push("::text");
        } else {
            item.push("left(").ident(&c.name).push(&format!("::text, {})", CELL_CHARS + 1));
        }
        item.push(&format!(" AS \"_c{i}\""));
        items.push(item);
    }
    if rel.uses_ctid() {
        let mut item = Sql::default();
        item.ident(CTID_ALIAS).push("::text AS \"_ctid\"");
        items.push(item);
    }
    for (i, e) in key_exprs.iter().enumerate() {
        let mut item = Sql::default();
        item.push(e).push(&format!(" AS \"_k{i}\""));
        items.push(item);
    }
    let mut sql = Sql::new("SELECT ");
    let list: Vec<&str> = items.iter().map(Sql::text).collect();
    sql.push(if list.is_empty() { "NULL" } else { "" }).push(&list.join(", "));
    sql
}

fn decode(rows: Vec<sqlx::postgres::PgRow>, rel: &Relation, links: &HashSet<usize>, key_len: usize) -> Vec<PageRow> {
    let n = rel.columns.len();
    let ctid = rel.uses_ctid();
    rows.iter()
        .map(|row| {
            let values: Vec<Option<String>> = (0..n).map(|i| row.get::<Option<String>, _>(i)).collect();
            let cells = values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(text)
                        if !links.contains(&i)
                            && !rel.primary_key.contains(&i)
                            && text.chars().count() > CELL_CHARS =>
                    {
                        Cell { text: Some(text.chars().take(CELL_CHARS).collect()), truncated: true }
                    }
                    _ => Cell { text: v.clone(), truncated: false },
                })
                .collect();
            let key = if ctid {
                row.get::<Option<String>, _>(n).map(|t| RowKey(vec![(CTID.to_owned(), t)]))
            } else {
                RowKey::primary(rel, &values)
            };
            let skip = n + usize::from(ctid);
            let cursor = (0..key_len).map(|i| row.get::<Option<String>, _>(skip + i)).collect();
            PageRow { cells, full: values, key, cursor }
        })
        .collect()
}
