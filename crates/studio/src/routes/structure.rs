//! `GET /s/{schema}/{table}/structure`: columns, indexes, constraints, keys,
//! triggers and DDL.

use axum::extract::{Path, State};
use axum::response::Html;

use crate::db::ddl::{self, Parts};
use crate::db::{foreign_keys, structure};
use crate::error::StudioError;
use crate::html::layout::Section;
use crate::html::structure_page::{self, StructureView};
use crate::routes::context::ReadContext;
use crate::state::Studio;

pub async fn show(
    State(studio): State<Studio>,
    Path((schema, table)): Path<(String, String)>,
) -> Result<Html<String>, StudioError> {
    let mut ctx = ReadContext::open(&studio).await?;
    let rel = ctx.relation_with_hidden(&schema, &table).await?;
    let indexes = structure::indexes(&mut ctx.tx, rel.oid).await?;
    let constraints = structure::constraints(&mut ctx.tx, rel.oid).await?;
    let triggers = structure::triggers(&mut ctx.tx, rel.oid).await?;
    let outgoing = foreign_keys::outgoing(&mut ctx.tx, rel.oid).await?;
    let incoming = foreign_keys::incoming(&mut ctx.tx, rel.oid).await?;
    let parts = Parts { constraints: &constraints, indexes: &indexes, triggers: &triggers };
    let ddl = ddl::ddl(&mut ctx.tx, &rel, &parts).await?;
    let view = StructureView {
        rel: &rel,
        indexes: &indexes,
        constraints: &constraints,
        triggers: &triggers,
        outgoing: &outgoing,
        incoming: &incoming,
        ddl: &ddl,
    };
    let content = structure_page::render(&view);
    let title = format!("{} structure", rel.name.display());
    ctx.page(&studio, &title, Some(&rel.name), Section::Browse, content).await
}
