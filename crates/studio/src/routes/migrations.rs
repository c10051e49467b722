//! `GET /migrations`: the migrations tab.

use axum::extract::State;
use axum::response::Html;

use crate::error::StudioError;
use crate::html::layout::Section;
use crate::html::migrations_page;
use crate::migrations;
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn show(State(studio): State<Studio>) -> Result<Html<String>, StudioError> {
    let view = migrations::load(&studio.pool, &studio.config).await?;
    let ctx = ReadContext::open(&studio).await?;
    ctx.page(&studio, "Migrations", None, Section::Migrations, migrations_page::render(view.as_ref())).await
}
