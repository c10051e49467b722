//! Why a call into the data layer failed, in the data layer's own terms: `db`,
//! the rows page's URL state ([`crate::table_state`]), the migrations tab's reader
//! ([`crate::migrations`]) and exports return it. Nothing here knows about HTTP:
//! `routes::db_error` decides the status each variant is answered with, so the
//! data layer never imports the handlers' error type (`error` → `html` → `db`
//! runs one way only).

/// A refusal by the data layer, or a statement PostgreSQL refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The studio was started without `--write`; `action` is what it refused.
    #[error("the studio is read-only; start it with --write to {action}")]
    ReadOnly { action: &'static str },
    /// The console's login could reach past the database; `why` says how.
    #[error("{why}")]
    UnsafeLogin { why: String },
    /// Only tables are edited; `relation` is a `kind` (a view, a sequence, ...).
    #[error("{relation} is a {kind}; only tables are edited")]
    NotATable { relation: String, kind: &'static str },
    /// Rows of `relation` cannot be picked out one at a time for an edit.
    #[error("{relation} has no primary key, so a row cannot be picked out safely; it is not edited")]
    NoPrimaryKey { relation: String },
    /// The request names `column`, which `relation` does not have.
    #[error("{relation} has no column {column:?}")]
    NoSuchColumn { relation: String, column: String },
    /// The sort names `column`, which the relation does not have.
    #[error("no column {column:?} to sort by")]
    NoSortColumn { column: String },
    /// `column` is a generated column.
    #[error("column {column} is generated; it cannot be written")]
    GeneratedColumn { column: String },
    /// `column`'s type `type_name` has no order the pager can use.
    #[error("column {column} of type {type_name} cannot be sorted")]
    Unsortable { column: String, type_name: String },
    /// The filter `filter` does not apply to `column` of type `type_name`.
    #[error("the filter \"{filter}\" does not apply to column {column} of type {type_name}")]
    FilterMismatch { filter: &'static str, column: String, type_name: String },
    /// An edit's key is not exactly the primary key.
    #[error("rows are edited by their primary key")]
    KeyIsNotPrimary,
    /// A row was asked for with no key columns at all.
    #[error("no row key given")]
    NoRowKey,
    /// The key given picks out several rows.
    #[error("that key matches more than one row")]
    KeyNotUnique,
    /// A confirmed edit touched `rows` rows instead of one, so it was rolled back.
    #[error("{}", edit_miss(*rows))]
    EditMissed { rows: usize },
    /// The page cursor has another length than the table's order.
    #[error("the page cursor does not fit this table's order")]
    CursorDoesNotFit,
    /// The page cursor holds NULL where the order's column cannot be NULL.
    #[error("the page cursor has a NULL where the order has none")]
    CursorHasNull,
    /// The console was sent only blanks and semicolons.
    #[error("there is no statement to run")]
    NoStatement,
    /// The console was sent a `COPY ... TO STDOUT` / `FROM STDIN`.
    #[error(
        "COPY ... TO STDOUT and COPY ... FROM STDIN exchange data with a client such as psql, which the console \
         is not: run the query itself here, or use Export CSV / Export JSON"
    )]
    CopyInConsole,
    /// The server answered the console's statement with a protocol the console
    /// does not follow; `message` is sqlx's description.
    #[error("the console cannot follow this statement's answer: {message}")]
    ConsoleCannotFollow { message: String },
    /// The catalog changed under the studio: `relation` lost `column`.
    #[error("{relation} has no column {column}")]
    CatalogChanged { relation: String, column: String },
    /// A rows page's URL names a filter operator the studio does not have.
    #[error("unknown filter operator {op:?}")]
    UnknownFilterOperator { op: String },
    /// A rows page's URL names a sort direction other than `asc` / `desc`.
    #[error("unknown sort direction {dir:?}")]
    UnknownSortDirection { dir: String },
    /// A rows page's `after` / `before` cursor is not a JSON array of strings.
    #[error("the page cursor is malformed")]
    MalformedCursor,
    /// A rows page's `parameter` (`offset`, `limit`) is not a number.
    #[error("{parameter} must be a number")]
    NotANumber { parameter: &'static str },
    /// The migrations directory could not be scanned and linted: the blocking
    /// task that reads it failed.
    #[error("reading migrations: {0}")]
    MigrationsUnread(#[source] tokio::task::JoinError),
    /// The history table could not be read.
    #[error("reading the history table: {0}")]
    History(#[source] strata_migrate::Error),
    /// PostgreSQL refused the statement, or the connection failed.
    #[error("the database refused or failed the statement")]
    Postgres(#[from] sqlx::Error),
}

fn edit_miss(rows: usize) -> String {
    if rows == 0 {
        "no row matched: it was changed or deleted since you opened it; nothing was written".into()
    } else {
        format!("{rows} rows matched; nothing was written")
    }
}
