//! The project's schemas: `strata.toml`'s `migrations.schemas`, else the
//! `CREATE SCHEMA` statements of the create_schemas migration.

use anyhow::Result;
use strata_migrate::source::{self, Track};

use crate::config::Context;

pub fn project_schemas(ctx: &Context) -> Result<Vec<String>> {
    if let Some(schemas) = &ctx.schemas {
        return Ok(schemas.clone());
    }
    let scan = source::scan(&ctx.dir);
    let first = scan.set.track(Track::Migrate).iter().find(|m| m.description == "create_schemas");
    Ok(first.map(|m| created_schemas(&m.up.sql)).unwrap_or_default())
}

/// Names in `CREATE SCHEMA [IF NOT EXISTS] name` statements, outside comments and strings.
pub fn created_schemas(sql: &str) -> Vec<String> {
    let mut out = vec![];
    for stmt in strata_migrate::split::split(sql) {
        let words: Vec<String> = stmt
            .text
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .flat_map(|l| l.split_whitespace())
            .map(|w| w.trim_end_matches(';').to_owned())
            .collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let mut i = match lower.iter().position(|w| w == "create") {
            Some(i) if lower.get(i + 1).is_some_and(|w| w == "schema") => i + 2,
            _ => continue,
        };
        if lower.get(i).is_some_and(|w| w == "if") {
            i += 3;
        }
        if let Some(name) = words.get(i) {
            out.push(name.trim_matches('"').to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::created_schemas;

    #[test]
    fn reads_create_schema_statements() {
        let sql = "-- CREATE SCHEMA nope;\nCREATE SCHEMA IF NOT EXISTS auth;\ncreate schema master;\nCREATE SCHEMA \"app\" AUTHORIZATION x;";
        assert_eq!(created_schemas(sql), ["auth", "master", "app"]);
    }
}
