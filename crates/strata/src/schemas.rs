//! The project's schemas: `strata.toml`'s `migrations.schemas`, else the
//! `CREATE SCHEMA` statements of the create_schemas migration, read by
//! [`strata_migrate::create_schemas`] as the linter reads them.

use anyhow::Result;
use strata_migrate::create_schemas;
use strata_migrate::source::{self, Track};

use crate::config::Context;

pub fn project_schemas(ctx: &Context) -> Result<Vec<String>> {
    if let Some(schemas) = &ctx.schemas {
        return Ok(schemas.clone());
    }
    let scan = source::scan(&ctx.dir);
    let first = scan.set.track(Track::Migrate).iter().find(|m| m.description == create_schemas::DESCRIPTION);
    Ok(first.map(|m| create_schemas::created_schemas(&m.up.sql)).unwrap_or_default())
}
