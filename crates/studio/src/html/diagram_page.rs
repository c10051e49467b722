//! The diagram page: the schema filter, the SVG inline (its table names are links;
//! the studio's script adds pan and zoom), and a download of what is drawn.

use maud::{Markup, PreEscaped, html};

use crate::diagram::model::Model;
use crate::diagram::scope::{Scope, around_href};
use crate::html::links;

/// What the page shows.
pub struct View<'a> {
    /// The diagram as [`crate::diagram::svg::render`] wrote it (escaped there).
    pub svg: &'a str,
    /// The part of the database drawn.
    pub model: &'a Model,
    pub scope: &'a Scope,
    /// Every schema of the database, for the filter.
    pub all_schemas: &'a [String],
    /// Keys between a schema drawn and one left out (not drawn).
    pub keys_left_out: usize,
}

pub fn render(v: &View<'_>) -> Markup {
    let tables = v.model.tables().count();
    let keys = v.model.keys.len();
    let cross = v.model.keys.iter().filter(|k| k.crosses_schemas()).count();
    let shown = |name: &str| match v.scope {
        Scope::All => true,
        Scope::Schemas(names) => names.iter().any(|n| n == name),
        Scope::Around(_) => v.model.schemas.iter().any(|s| s.name == name),
    };
    html! {
        @match v.scope.focus() {
            Some(t) => {
                h1 { "Around " code { (t.display()) } }
                p.hint {
                    "The tables " code { (t.display()) } " references and the tables that reference it. "
                    a href=(links::table(t)) { "Open the table" } " · " a href="/erd" { "Whole diagram" }
                }
            },
            None => { h1 { "Entity-relationship diagram" } },
        }
        @if v.scope.focus().is_none() {
            form.erd-filter method="get" action="/erd" {
                span.label { "Schemas:" }
                @for name in v.all_schemas {
                    label { input type="checkbox" name="schema" value=(name) checked[shown(name)]; " " (name) }
                }
                button type="submit" { "Show" }
                @if *v.scope != Scope::All { a.clear href="/erd" { "All schemas" } }
            }
        }
        p.hint {
            (count(v.model.schemas.len(), "schema")) ", " (count(tables, "table")) ", " (count(keys, "foreign key")) ", of which " (cross) " cross schemas "
            span.legend-cross { "(drawn thicker, in orange)" } ". "
            @if v.keys_left_out > 0 { (count(v.keys_left_out, "foreign key")) " to or from schemas not shown are left out. " }
            "Drag to pan, scroll or use the buttons to zoom. "
            a href={ "/erd.svg" (v.scope.query()) } download="schema.svg" { "Download SVG" }
        }
        div.erd-wrap { (PreEscaped(v.svg)) }
    }
}

/// The link to a table's neighbourhood, for the table's own page.
pub fn around_link(table: &crate::db::ident::QualifiedName) -> Markup {
    html! { a.button href=(around_href(table)) title="this table, the tables it references and those that reference it" { "Diagram" } }
}

/// `1 table`, `2 tables`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
