//! `GET /erd` (the page) and `GET /erd.svg` (the drawing alone, for download).

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Response};

use crate::diagram::{layout, model, svg};
use crate::error::StudioError;
use crate::html::diagram_page;
use crate::html::layout::Section;
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn page(State(studio): State<Studio>) -> Result<Html<String>, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let model = model::load(&mut ctx.tx).await?;
    let drawing = svg::render(&model, &layout::layout(&model));
    let tables = model.schemas.iter().map(|s| s.tables.len()).sum();
    let cross = model.keys.iter().filter(|k| k.crosses_schemas()).count();
    let content = diagram_page::render(&drawing, model.schemas.len(), tables, model.keys.len(), cross);
    ctx.page(&studio, "Diagram", None, Section::Diagram, content).await
}

pub async fn file(State(studio): State<Studio>) -> Result<Response, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let model = model::load(&mut ctx.tx).await?;
    ctx.tx.rollback().await?;
    let drawing = svg::render(&model, &layout::layout(&model));
    let mut response = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{drawing}\n").into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(response)
}
