//! One relation as the studio needs it: its columns with their types, its primary
//! key, its estimated size. Looked up by name with bound values; every later
//! statement uses the names as the catalog spells them, quoted.
//!
//! Privileges: the studio may run as a role that reads only some columns (`--role
//! strata_readonly` sees `auth.user` without `password_hash`) or no table at all.
//! [`Relation::readable`] narrows a relation to what the current role may `SELECT`,
//! so every statement built from it names only readable columns.

use sqlx::postgres::types::Oid;
use sqlx::{PgConnection, Row};

use crate::db::ident::QualifiedName;
use crate::db::relkind::{ESTIMATE_SQL, RelKind};

/// A table, view or materialized view.
#[derive(Debug, Clone)]
pub struct Relation {
    pub oid: Oid,
    pub name: QualifiedName,
    pub kind: RelKind,
    pub columns: Vec<Column>,
    /// Positions in `columns` of the primary key, in key order; empty without one.
    pub primary_key: Vec<usize>,
    pub estimate: Option<i64>,
    pub comment: Option<String>,
    pub access: Access,
}

/// What the current role may read of a relation.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// `current_user`: the role privileges are checked for (after `SET ROLE`).
    pub role: String,
    /// `SELECT` on the whole relation, which also covers system columns (`ctid`).
    pub whole: bool,
    /// Columns left out by [`Relation::readable`] because the role may not read them.
    pub hidden: Vec<String>,
    /// A primary-key column is hidden, so rows are not addressed by the key.
    pub key_hidden: bool,
}

impl Access {
    /// A note naming the hidden columns, e.g. `not readable by role r: password_hash`.
    pub fn hidden_note(&self) -> Option<String> {
        (!self.hidden.is_empty()).then(|| format!("not readable by role {}: {}", self.role, self.hidden.join(", ")))
    }
}

/// One column.
#[derive(Debug, Clone)]
pub struct Column {
    pub num: i16,
    pub name: String,
    /// The declared type for people, e.g. `character varying(20)`.
    pub type_display: String,
    /// The type's qualified name, for casts of bound values.
    pub ty: QualifiedName,
    /// `pg_type.typcategory`: `N` numeric, `S` string, `D` date/time, `B` boolean...
    pub category: char,
    /// The base type's name (through a domain), e.g. `json`.
    pub base_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// `a` (always) or `d` (by default) for identity columns.
    pub identity: Option<char>,
    /// A stored generated column; its expression is in `default`.
    pub generated: bool,
    /// The collation, quoted, when it differs from the type's.
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// The current role may `SELECT` it.
    pub readable: bool,
}

impl Column {
    /// Values can be written in `UPDATE`/`INSERT`.
    pub fn is_writable(&self) -> bool {
        !self.generated && self.identity != Some('a')
    }

    /// Whether `<`, `>` make sense for the type.
    pub fn is_orderable(&self) -> bool {
        !matches!(self.category, 'B' | 'G' | 'X' | 'P') && !self.compares_as_text()
    }

    /// Types without an equality operator, compared through their text form.
    pub fn compares_as_text(&self) -> bool {
        matches!(self.base_type.as_str(), "json" | "xml" | "point" | "box" | "polygon" | "circle" | "line")
    }
}

impl Relation {
    pub fn column(&self, name: &str) -> Option<(usize, &Column)> {
        self.columns.iter().enumerate().find(|(_, c)| c.name == name)
    }

    pub fn has_primary_key(&self) -> bool {
        !self.primary_key.is_empty()
    }

    pub fn primary_key_columns(&self) -> impl Iterator<Item = &Column> {
        self.primary_key.iter().map(|&i| &self.columns[i])
    }

    /// The role may read no column at all.
    pub fn is_unreadable(&self) -> bool {
        self.columns.is_empty() && !self.access.hidden.is_empty()
    }

    /// The message shown instead of rows when [`Relation::is_unreadable`].
    pub fn unreadable_message(&self) -> String {
        format!("{} is not readable by role {}", self.name.display(), self.access.role)
    }

    /// Rows can be addressed by `ctid`: no usable primary key, stored rows, and
    /// the role may read system columns.
    pub fn uses_ctid(&self) -> bool {
        !self.has_primary_key() && self.kind.has_ctid() && self.access.whole
    }

    /// This relation with only the columns the role may read; the primary key is
    /// kept only when all of its columns are readable.
    pub fn readable(mut self) -> Relation {
        let key_nums: Vec<i16> = self.primary_key_columns().map(|c| c.num).collect();
        let (readable, hidden): (Vec<Column>, Vec<Column>) = self.columns.into_iter().partition(|c| c.readable);
        self.access.key_hidden = key_nums.iter().any(|n| hidden.iter().any(|c| c.num == *n));
        self.access.hidden = hidden.into_iter().map(|c| c.name).collect();
        self.primary_key = if self.access.key_hidden {
            Vec::new()
        } else {
            key_nums.iter().filter_map(|n| readable.iter().position(|c| c.num == *n)).collect()
        };
        self.columns = readable;
        self
    }
}

/// Loads `schema.name` with every column (readable or not), or `None` when no
/// browsable relation has that name.
pub async fn load(conn: &mut PgConnection, schema: &str, name: &str) -> Result<Option<Relation>, sqlx::Error> {
    let sql = format!(
        "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
                {ESTIMATE_SQL} AS estimate, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
                current_user::text AS role, pg_catalog.has_table_privilege(c.oid, 'SELECT') AS whole
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN {}",
        RelKind::SQL_LIST
    );
    let Some(row) = sqlx::query(&sql).bind(schema).bind(name).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let oid: Oid = row.get("oid");
    let kind = RelKind::from_relkind(row.get::<String, _>("kind").as_str()).unwrap_or(RelKind::Table);
    let columns = columns(conn, oid).await?;
    let pk: Option<Vec<i16>> =
        sqlx::query_scalar("SELECT conkey FROM pg_catalog.pg_constraint WHERE conrelid = $1 AND contype = 'p'")
            .bind(oid)
            .fetch_optional(&mut *conn)
            .await?;
    let primary_key =
        pk.unwrap_or_default().iter().filter_map(|num| columns.iter().position(|c| c.num == *num)).collect();
    Ok(Some(Relation {
        oid,
        name: QualifiedName::new(row.get::<String, _>("schema"), row.get::<String, _>("name")),
        kind,
        columns,
        primary_key,
        estimate: row.get("estimate"),
        comment: row.get("comment"),
        access: Access { role: row.get("role"), whole: row.get("whole"), hidden: Vec::new(), key_hidden: false },
    }))
}

async fn columns(conn: &mut PgConnection, oid: Oid) -> Result<Vec<Column>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.attnum, a.attname::text AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_display,
                tn.nspname::text AS type_schema, t.typname::text AS type_name, t.typcategory::text AS category,
                (SELECT bt.typname::text FROM pg_catalog.pg_type bt
                  WHERE bt.oid = coalesce(nullif(t.typbasetype, 0), t.oid)) AS base_type,
                a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr,
                nullif(a.attidentity, '')::text AS identity, a.attgenerated <> '' AS generated,
                (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_catalog.pg_collation co
                   JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation) AS collation,
                pg_catalog.col_description(a.attrelid, a.attnum) AS comment,
                pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS readable
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum",
    )
    .bind(oid)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|row| Column {
            num: row.get("attnum"),
            name: row.get("name"),
            type_display: row.get("type_display"),
            ty: QualifiedName::new(row.get::<String, _>("type_schema"), row.get::<String, _>("type_name")),
            category: row.get::<String, _>("category").chars().next().unwrap_or('X'),
            base_type: row.get::<Option<String>, _>("base_type").unwrap_or_default(),
            not_null: row.get("attnotnull"),
            default: row.get("default_expr"),
            identity: row.get::<Option<String>, _>("identity").and_then(|s| s.chars().next()),
            generated: row.get("generated"),
            collation: row.get("collation"),
            comment: row.get("comment"),
            readable: row.get("readable"),
        })
        .collect())
}
