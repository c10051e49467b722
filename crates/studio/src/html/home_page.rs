//! The first page: every schema at once, each with its tables and views and their
//! estimated row counts. On a big database (more than [`OPEN_UP_TO`] relations)
//! the schemas start collapsed, and `?q=` keeps only the relations whose name
//! holds the text (the tree's filter box sends it when the script is off).

use maud::{Markup, html};

use crate::db::catalog::SchemaNode;
use crate::db::ident::QualifiedName;
use crate::html::{format, links};

/// Up to this many relations in all, every schema is shown open.
pub const OPEN_UP_TO: usize = 60;

/// Whether a relation (or schema) name matches the filter text: case-insensitive
/// substring, as the tree's script filters.
pub fn matches(name: &str, filter: &str) -> bool {
    filter.is_empty() || name.to_lowercase().contains(&filter.to_lowercase())
}

pub fn render(schemas: &[SchemaNode], database: &str, filter: &str) -> Markup {
    let filter = filter.trim();
    let tables: usize = schemas.iter().map(|s| s.relations.len()).sum();
    let found: usize = schemas.iter().flat_map(|s| &s.relations).filter(|r| matches(&r.name, filter)).count();
    let open_all = tables <= OPEN_UP_TO || !filter.is_empty();
    html! {
        h1 { "Database " code { (database) } }
        p.hint {
            (schemas.len()) " schemas, " (tables) " tables and views. Row counts are the catalog's estimates."
            @if !filter.is_empty() { " " strong { (found) } " match " code { (filter) } "." }
        }
        form.home-filter method="get" action="/" role="search" {
            input type="search" name="q" value=(filter) placeholder="Filter tables by name" aria-label="Filter tables by name";
            button type="submit" { "Filter" }
            @if !filter.is_empty() { a.clear href="/" { "Clear" } }
        }
        div.schemas {
            @for s in schemas {
                @let shown: Vec<_> = s.relations.iter().filter(|r| matches(&r.name, filter)).collect();
                @if filter.is_empty() || !shown.is_empty() {
                    details.schema-card data-schema=(s.name) open[open_all] {
                        summary { h2 { (s.name) } span.badge { (shown.len()) } }
                        @if shown.is_empty() { p.empty { "No tables." } } @else {
                            table.list {
                                tbody {
                                    @for r in shown {
                                        tr {
                                            td { a href=(links::table(&QualifiedName::new(s.name.clone(), r.name.clone()))) { (r.name) } }
                                            td.kind { (r.kind.label()) @if !r.readable { span.unreadable { " (not readable)" } } }
                                            td.num { @if let Some(n) = r.estimate { (format::estimate(n)) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
