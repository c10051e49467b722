//! The heading of a relation's pages: its name, kind and size, and the tabs.

use maud::{Markup, html};

use crate::db::relation::Relation;
use crate::html::{format, links};

/// The tabs of a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Rows,
    Row,
    Structure,
    Edit,
}

pub fn header(rel: &Relation, tab: Tab) -> Markup {
    html! {
        div.relation-head {
            h1 {
                a.schema href=(links::table(&rel.name)) { span.schema-part { (rel.name.schema) "." } (rel.name.name) }
                span.kind { (rel.kind.label()) }
                @if let Some(n) = rel.estimate { span.estimate title="estimated from the catalog" { (format::estimate(n)) " rows" } }
            }
            @if let Some(c) = &rel.comment { p.comment { (c) } }
            nav.tabs {
                a.current[tab == Tab::Rows] href=(links::table(&rel.name)) { "Rows" }
                a.current[tab == Tab::Structure] href=(links::table_page(&rel.name, "structure")) { "Structure" }
                @if tab == Tab::Row { span.current { "Row" } }
                @if tab == Tab::Edit { span.current { "Edit" } }
            }
        }
    }
}
