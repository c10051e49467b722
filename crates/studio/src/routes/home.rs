//! `GET /`: every schema at once.

use axum::extract::State;
use axum::response::Html;

use crate::error::StudioError;
use crate::html::home_page;
use crate::html::layout::Section;
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn show(State(studio): State<Studio>) -> Result<Html<String>, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let database: String = sqlx::query_scalar("SELECT current_database()::text").fetch_one(&mut *ctx.tx).await?;
    let content = home_page::render(&ctx.tree, &database);
    ctx.page(&studio, &database, None, Section::Browse, content).await
}
