//! Write mode: `GET .../edit` and `GET .../insert` show forms; `POST .../edit`,
//! `.../insert` and `.../delete` first answer with the statement to confirm
//! (`action=preview`), and run it only when the confirmation comes back
//! (`action=apply`). Without `--write` every one of them is refused.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, RawQuery, Request, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::db::edit::{self, Change, Edit};
use crate::db::relation::Relation;
use crate::db::transaction::{self, Writable};
use crate::error::StudioError;
use crate::html::layout::Section;
use crate::html::{edit_page, links};
use crate::routes::context::ReadContext;
use crate::routes::form::Fields;
use crate::security::session::Session;
use crate::state::Studio;

/// Checks the studio may edit rows, then opens the sidebar context and the
/// relation, checking it can be edited.
async fn editable(
    studio: &Studio,
    schema: &str,
    table: &str,
) -> Result<(Writable, ReadContext, Relation), StudioError> {
    let writable = Writable::check(&studio.config, transaction::EDIT_ROWS)?;
    let mut ctx = ReadContext::open(studio).await?;
    let rel = ctx.relation(schema, table).await?;
    edit::check_editable(&rel)?;
    Ok((writable, ctx, rel))
}

pub async fn edit_form(
    State(studio): State<Studio>,
    Extension(session): Extension<Session>,
    Path((schema, table)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, StudioError> {
    let (_, mut ctx, rel) = editable(&studio, &schema, &table).await?;
    let (key, values) = ctx.row(&rel, query.as_deref()).await?;
    let content = edit_page::form(&rel, Some(&key), Some(&values), &session.csrf);
    let title = format!("edit {}", rel.name.display());
    ctx.page(&studio, &title, Some(&rel.name), Section::Browse, content).await
}

pub async fn insert_form(
    State(studio): State<Studio>,
    Extension(session): Extension<Session>,
    Path((schema, table)): Path<(String, String)>,
) -> Result<Html<String>, StudioError> {
    let (_, ctx, rel) = editable(&studio, &schema, &table).await?;
    let content = edit_page::form(&rel, None, None, &session.csrf);
    let title = format!("insert into {}", rel.name.display());
    ctx.page(&studio, &title, Some(&rel.name), Section::Browse, content).await
}

pub async fn update(posted: Posted) -> Result<Response, StudioError> {
    let (rel, fields) = (&posted.rel, &posted.fields);
    let key = fields.row_key()?;
    let mut changes = Vec::new();
    for c in rel.columns.iter().filter(|c| c.is_writable()) {
        let Some(value) = fields.get(&format!("val.{}", c.num)) else { continue };
        let new = if fields.has(&format!("null.{}", c.num)) { None } else { Some(value.to_owned()) };
        let seen = if fields.has(&format!("seennull.{}", c.num)) {
            None
        } else {
            Some(fields.get(&format!("seen.{}", c.num)).unwrap_or("").to_owned())
        };
        if new != seen {
            changes.push(Change { column: c.name.clone(), value: new, seen });
        }
    }
    let back = links::row(&rel.name, &key);
    posted.finish(Edit::Update { key, changes }, "edit", "Update", back).await
}

pub async fn insert(posted: Posted) -> Result<Response, StudioError> {
    let (rel, fields) = (&posted.rel, &posted.fields);
    let mut values = Vec::new();
    for c in rel.columns.iter().filter(|c| c.is_writable()) {
        let value = fields.get(&format!("val.{}", c.num)).unwrap_or("");
        match fields.get(&format!("mode.{}", c.num)).unwrap_or("default") {
            "value" => values.push(Change { column: c.name.clone(), value: Some(value.to_owned()), seen: None }),
            "null" => values.push(Change { column: c.name.clone(), value: None, seen: None }),
            _ => {}
        }
    }
    let back = links::table(&rel.name);
    posted.finish(Edit::Insert { values }, "insert", "Insert", back).await
}

pub async fn delete(posted: Posted) -> Result<Response, StudioError> {
    let key = posted.fields.row_key()?;
    let back = links::row(&posted.rel.name, &key);
    posted.finish(Edit::Delete { key }, "delete", "Delete", back).await
}

/// A POST to one of the edit pages (`/s/{schema}/{table}/...`): its form, the
/// relation (checked editable) and the read-only transaction the preview is
/// rendered in. An extractor, so each handler starts from it.
pub struct Posted {
    studio: Studio,
    writable: Writable,
    ctx: ReadContext,
    rel: Relation,
    fields: Fields,
}

impl FromRequest<Studio> for Posted {
    /// Axum's own answer when the path or the body cannot be read (as before
    /// this extractor), the studio's error page when the edit is refused.
    type Rejection = Response;

    async fn from_request(request: Request, studio: &Studio) -> Result<Posted, Response> {
        let (mut parts, body) = request.into_parts();
        let Path((schema, table)) = Path::<(String, String)>::from_request_parts(&mut parts, studio)
            .await
            .map_err(IntoResponse::into_response)?;
        let body =
            Bytes::from_request(Request::from_parts(parts, body), studio).await.map_err(IntoResponse::into_response)?;
        let fields = Fields::parse(&body);
        let (writable, ctx, rel) = editable(studio, &schema, &table).await.map_err(IntoResponse::into_response)?;
        Ok(Posted { studio: studio.clone(), writable, ctx, rel, fields })
    }
}

impl Posted {
    /// Shows the statement (`action=preview`, the default) or runs it
    /// (`action=apply`); `page` is the path the confirmation posts to, `what` the
    /// verb shown, `back` where cancelling (or an update that changes nothing) goes.
    async fn finish(self, edit: Edit, page: &str, what: &str, back: String) -> Result<Response, StudioError> {
        let Posted { studio, writable, ctx, rel, fields } = self;
        let Some(sql) = edit::statement(&rel, &edit)? else {
            ctx.tx.rollback().await?;
            return Ok(Redirect::to(&back).into_response());
        };
        if fields.get("action") == Some("apply") {
            ctx.tx.rollback().await?;
            let key = edit::apply(&studio.pool, writable, studio.config.statement_timeout, &rel, &sql).await?;
            let to =
                if matches!(edit, Edit::Delete { .. }) { links::table(&rel.name) } else { links::row(&rel.name, &key) };
            return Ok(Redirect::to(&to).into_response());
        }
        let action = links::table_page(&rel.name, page);
        let content = edit_page::preview(&rel, what, &sql, &action, &fields.0, &back);
        let title = format!("{what} {}", rel.name.display());
        Ok(ctx.page(&studio, &title, Some(&rel.name), Section::Browse, content).await?.into_response())
    }
}
