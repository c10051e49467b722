//! `GET /erd` (the page) and `GET /erd.svg` (the drawing alone, for download).
//! Both take the same query: `schema=a&schema=b` draws only those schemas;
//! `schema=a&table=t` draws the neighbourhood of `a.t` (the tables it references
//! and the tables that reference it).

use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Response};

use crate::diagram::model::Model;
use crate::diagram::scope::Scope;
use crate::diagram::{layout, model, svg};
use crate::error::StudioError;
use crate::html::diagram_page::{self, View};
use crate::html::layout::Section;
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn page(State(studio): State<Studio>, RawQuery(query): RawQuery) -> Result<Html<String>, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let full = model::load(&mut ctx.tx).await?;
    let all_schemas: Vec<String> = full.schemas.iter().map(|s| s.name.clone()).collect();
    let scope = Scope::parse(query.as_deref().unwrap_or(""))?;
    let keys_left_out = match &scope {
        Scope::Schemas(names) => {
            full.keys.iter().filter(|k| names.contains(&k.from.schema) != names.contains(&k.to.schema)).count()
        }
        _ => 0,
    };
    let model = narrow(full, &scope)?;
    let drawing = svg::render(&model, &layout::layout(&model), scope.focus());
    let title = match scope.focus() {
        Some(t) => format!("Diagram around {}", t.display()),
        None => "Diagram".to_owned(),
    };
    let content = diagram_page::render(&View {
        svg: &drawing,
        model: &model,
        scope: &scope,
        all_schemas: &all_schemas,
        keys_left_out,
    });
    let current = scope.focus().cloned();
    ctx.page(&studio, &title, current.as_ref(), Section::Diagram, content).await
}

pub async fn file(State(studio): State<Studio>, RawQuery(query): RawQuery) -> Result<Response, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let full = model::load(&mut ctx.tx).await?;
    ctx.tx.rollback().await?;
    let scope = Scope::parse(query.as_deref().unwrap_or(""))?;
    let model = narrow(full, &scope)?;
    let drawing = svg::render(&model, &layout::layout(&model), scope.focus());
    let mut response = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{drawing}\n").into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(response)
}

/// The part of the model the query asks for, or a 404 naming what does not exist.
fn narrow(full: Model, scope: &Scope) -> Result<Model, StudioError> {
    match scope {
        Scope::All => Ok(full),
        Scope::Schemas(names) => {
            if let Some(missing) = names.iter().find(|n| !full.schemas.iter().any(|s| &s.name == *n)) {
                return Err(StudioError::NotFound(format!("there is no schema {missing}")));
            }
            Ok(full.only_schemas(names))
        }
        Scope::Around(table) => full
            .neighbourhood(table)
            .ok_or_else(|| StudioError::NotFound(format!("there is no table {}", table.display()))),
    }
}
