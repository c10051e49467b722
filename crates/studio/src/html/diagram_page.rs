//! The diagram page: the SVG inline (its table names are links), and a download.

use maud::{Markup, PreEscaped, html};

/// `svg` is the diagram as [`crate::diagram::svg::render`] wrote it (escaped there).
pub fn render(svg: &str, schemas: usize, tables: usize, keys: usize, cross: usize) -> Markup {
    html! {
        h1 { "Entity-relationship diagram" }
        p.hint {
            (schemas) " schemas, " (tables) " tables, " (keys) " foreign keys, of which " (cross) " cross schemas "
            span.legend-cross { "(drawn thicker, in orange)" } ". "
            a href="/erd.svg" download="schema.svg" { "Download SVG" }
        }
        div.erd-wrap { (PreEscaped(svg)) }
    }
}
