//! What most handlers start with: a read-only transaction, the schema tree for the
//! sidebar, the relation named in the path (and the row named in the query); and
//! how they finish: the page frame.

use axum::response::Html;
use maud::Markup;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::db::catalog::{self, SchemaNode};
use crate::db::ident::QualifiedName;
use crate::db::login::{self, Login};
use crate::db::relation::{self, Relation};
use crate::db::row::{self, RowKey};
use crate::db::transaction::{self, Access};
use crate::error::StudioError;
use crate::html::layout::{self, Chrome, Section};
use crate::routes::form::Fields;
use crate::state::Studio;

/// A read-only transaction, the sidebar's tree and the login, read in it.
pub struct ReadContext {
    pub tx: Transaction<'static, Postgres>,
    pub tree: Vec<SchemaNode>,
    /// Which login (and role) the studio runs as, shown on every page.
    pub login: Login,
}

impl ReadContext {
    pub async fn open(studio: &Studio) -> Result<ReadContext, StudioError> {
        let mut tx = transaction::begin(&studio.pool, Access::ReadOnly, studio.config.statement_timeout).await?;
        let tree = catalog::tree(&mut tx).await?;
        let login = login::inspect(&mut tx, studio.config.write).await?;
        Ok(ReadContext { tx, tree, login })
    }

    /// The relation `schema.name` narrowed to the columns the role may read, or a 404.
    pub async fn relation(&mut self, schema: &str, name: &str) -> Result<Relation, StudioError> {
        Ok(self.relation_with_hidden(schema, name).await?.readable())
    }

    /// The relation `schema.name` with every column, readable or not (the catalog
    /// pages: structure, DDL), or a 404.
    pub async fn relation_with_hidden(&mut self, schema: &str, name: &str) -> Result<Relation, StudioError> {
        find_relation(&mut self.tx, schema, name).await
    }

    /// The row of `rel` that the query's key (`c=..&v=..`) names, with that key;
    /// a 400 without a key, a 404 when no row has it.
    pub async fn row(
        &mut self,
        rel: &Relation,
        query: Option<&str>,
    ) -> Result<(RowKey, Vec<Option<String>>), StudioError> {
        let key = Fields::query(query).row_key()?;
        let values = row::find(&mut self.tx, rel, &key)
            .await?
            .ok_or_else(|| StudioError::NotFound(format!("no row of {} has that key", rel.name.display())))?;
        Ok((key, values))
    }

    /// Ends the transaction and wraps `content` in the frame.
    pub async fn page(
        self,
        studio: &Studio,
        title: &str,
        current: Option<&QualifiedName>,
        section: Section,
        content: Markup,
    ) -> Result<Html<String>, StudioError> {
        self.tx.rollback().await?;
        let console_refusal = self.login.console_refusal(studio.config.unsafe_console);
        let chrome = Chrome {
            title,
            tree: &self.tree,
            current,
            section,
            write: studio.config.write,
            login: &self.login,
            console_refusal: console_refusal.as_deref(),
        };
        Ok(Html(layout::page(&chrome, content).into_string()))
    }
}

/// The relation `schema.name` with every column, or a 404.
async fn find_relation(conn: &mut PgConnection, schema: &str, name: &str) -> Result<Relation, StudioError> {
    relation::load(conn, schema, name)
        .await?
        .ok_or_else(|| StudioError::NotFound(format!("there is no table or view {schema}.{name}")))
}

/// The relation `schema.name` narrowed to the columns the role may read: a 404 when
/// there is none, a 403 when the role may read none of its columns (pages that show
/// rows; the rows page answers that with a page of its own instead).
pub async fn readable_relation(conn: &mut PgConnection, schema: &str, name: &str) -> Result<Relation, StudioError> {
    let rel = find_relation(conn, schema, name).await?.readable();
    if rel.is_unreadable() {
        return Err(StudioError::Forbidden(rel.unreadable_message()));
    }
    Ok(rel)
}
