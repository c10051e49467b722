//! `GET /s/{schema}/{table}`: the rows page.

use std::collections::HashSet;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::db::browse::{self, Page};
use crate::db::foreign_keys;
use crate::error::StudioError;
use crate::html::layout::Section;
use crate::html::table_page::{self, TableView};
use crate::routes::context::ReadContext;
use crate::state::Studio;
use crate::table_state;

pub async fn show(
    State(studio): State<Studio>,
    Path((schema, table)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let rel = ctx.relation(&schema, &table).await?;
    if rel.is_unreadable() {
        let content = table_page::unreadable(&rel);
        let Html(body) = ctx.page(&studio, &rel.name.display(), Some(&rel.name), Section::Browse, content).await?;
        return Ok((StatusCode::FORBIDDEN, Html(body)).into_response());
    }
    let request = table_state::parse(query.as_deref(), studio.config.page_size)?;
    let outgoing = foreign_keys::outgoing(&mut ctx.tx, rel.oid).await?;
    let incoming = foreign_keys::incoming(&mut ctx.tx, rel.oid).await?;
    let links: HashSet<usize> =
        outgoing.iter().flat_map(|fk| &fk.from_columns).filter_map(|c| rel.column(c).map(|(i, _)| i)).collect();
    let (page, failure) = match browse::page(&mut ctx.tx, &rel, &links, &request).await.map_err(StudioError::from) {
        Ok(page) => (page, None),
        Err(StudioError::Database(f)) if f.is_users_fault() => {
            (Page { rows: vec![], next: None, previous: None, keyset: rel.has_primary_key() }, Some(f))
        }
        Err(other) => return Err(other),
    };
    let view = TableView {
        rel: &rel,
        page: &page,
        request: &request,
        outgoing: &outgoing,
        incoming: &incoming,
        default_limit: studio.config.page_size,
        write: studio.config.write,
        failure: failure.as_ref(),
    };
    let content = table_page::render(&view);
    let status = if failure.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let Html(body) = ctx.page(&studio, &rel.name.display(), Some(&rel.name), Section::Browse, content).await?;
    Ok((status, Html(body)).into_response())
}
