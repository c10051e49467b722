//! The first page: every schema at once, each with its tables and views and their
//! estimated row counts.

use maud::{Markup, html};

use crate::db::catalog::SchemaNode;
use crate::db::ident::QualifiedName;
use crate::html::{format, links};

pub fn render(schemas: &[SchemaNode], database: &str) -> Markup {
    let tables: usize = schemas.iter().map(|s| s.relations.len()).sum();
    html! {
        h1 { "Database " code { (database) } }
        p.hint { (schemas.len()) " schemas, " (tables) " tables and views. Row counts are the catalog's estimates." }
        div.schemas {
            @for s in schemas {
                section.schema-card data-schema=(s.name) {
                    h2 { (s.name) }
                    @if s.relations.is_empty() { p.empty { "No tables." } } @else {
                        table.list {
                            tbody {
                                @for r in &s.relations {
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
