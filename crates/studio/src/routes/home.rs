//! `GET /`: every schema at once (`?q=` filters the tables by name).

use axum::extract::{RawQuery, State};
use axum::response::Html;

use crate::error::StudioError;
use crate::html::home_page;
use crate::html::layout::Section;
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn show(State(studio): State<Studio>, RawQuery(query): RawQuery) -> Result<Html<String>, StudioError> {
    let filter = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut ctx = ReadContext::open(&studio).await?;
    let database: String = sqlx::query_scalar("SELECT current_database()::text").fetch_one(&mut *ctx.tx).await?;
    let content = home_page::render(&ctx.tree, &database, &filter);
    ctx.page(&studio, &database, None, Section::Browse, content).await
}
