//! `GET /s/{schema}/{table}/row?c=..&v=..`: one row, its links and its referrers.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;

use crate::db::{foreign_keys, row};
use crate::error::StudioError;
use crate::html::layout::Section;
use crate::html::row_page::{self, Referrer, RowView};
use crate::routes::context::{ReadContext, readable_relation};
use crate::security::session::Session;
use crate::state::Studio;

pub async fn show(
    State(studio): State<Studio>,
    Extension(session): Extension<Session>,
    Path((schema, table)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let rel = readable_relation(&mut ctx.tx, &schema, &table).await?;
    let (key, values) = ctx.row(&rel, query.as_deref()).await?;
    let outgoing = foreign_keys::outgoing(&mut ctx.tx, rel.oid).await?;
    let incoming = foreign_keys::incoming(&mut ctx.tx, rel.oid).await?;
    let mut referrers = Vec::new();
    for fk in &incoming {
        let referenced: Option<Vec<String>> =
            fk.to_columns.iter().map(|c| rel.column(c).and_then(|(i, _)| values[i].clone())).collect();
        // Counting needs the referencing columns: a role may see this row but not
        // the table pointing at it (strata_readonly: auth.user but not auth.session).
        let count = match &referenced {
            Some(v) if fk.from_readable => Some(row::count_referencing(&mut ctx.tx, fk, &rel, v).await?),
            Some(_) => None,
            None => Some(0),
        };
        referrers.push(Referrer { fk, values: referenced, count });
    }
    let view = RowView {
        rel: &rel,
        key: &key,
        values: &values,
        outgoing: &outgoing,
        referrers: &referrers,
        write: studio.config.write,
        csrf: &session.csrf,
    };
    let content = row_page::render(&view);
    let title = format!("{} row", rel.name.display());
    ctx.page(&studio, &title, Some(&rel.name), Section::Browse, content).await
}
