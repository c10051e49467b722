//! One row: every value whole, links along the keys it holds, and the rows in other
//! tables (any schema) that reference it.

use maud::{Markup, html};

use crate::db::foreign_keys::ForeignKey;
use crate::db::relation::Relation;
use crate::db::row::{REFERENCE_COUNT_CAP, RowKey};
use crate::html::{cells, format, links, tabs};

/// A key that points at this row and how many rows use it.
pub struct Referrer<'a> {
    pub fk: &'a ForeignKey,
    /// This row's values of the referenced columns (`None` if one is NULL).
    pub values: Option<Vec<String>>,
    /// `None` when the role may not read the referencing columns.
    pub count: Option<i64>,
}

pub struct RowView<'a> {
    pub rel: &'a Relation,
    pub key: &'a RowKey,
    pub values: &'a [Option<String>],
    pub outgoing: &'a [ForeignKey],
    pub referrers: &'a [Referrer<'a>],
    pub write: bool,
    pub csrf: &'a str,
}

pub fn render(v: &RowView<'_>) -> Markup {
    let rel = v.rel;
    let editable = v.write && rel.kind.is_table() && rel.has_primary_key() && RowKey::primary(rel, v.values).is_some();
    html! {
        (tabs::header(rel, tabs::Tab::Row))
        p.rowkey {
            "Row where "
            @for (i, (c, val)) in v.key.0.iter().enumerate() {
                @if i > 0 { " and " }
                code { (c) } " = " code { (val) }
            }
        }
        @if editable {
            @if let Some(pk) = RowKey::primary(rel, v.values) {
                div.toolbar {
                    span.actions {
                        a.button.primary href={ (links::table_page(&rel.name, "edit")) (links::query(links::key_pairs(&pk))) } { "Edit row" }
                        form.inline method="post" action=(links::table_page(&rel.name, "delete")) {
                            input type="hidden" name="csrf" value=(v.csrf);
                            @for (c, val) in &pk.0 { input type="hidden" name="c" value=(c); input type="hidden" name="v" value=(val); }
                            button.danger type="submit" { "Delete row…" }
                        }
                    }
                }
            }
        }
        @if let Some(note) = rel.access.hidden_note() { p.note.hidden-columns { (note) } }
        table.record {
            tbody {
                @for (i, c) in rel.columns.iter().enumerate() {
                    tr {
                        th { (c.name) span.type { (c.type_display) } }
                        td {
                            @let fk = v.outgoing.iter().find(|fk| fk.from_columns.contains(&c.name));
                            @let link = fk.and_then(|fk| {
                                let pos = fk.from_columns.iter().map(|n| rel.column(n).map(|(i, _)| i)).collect::<Option<Vec<_>>>()?;
                                cells::key_link(fk, &pos, v.values)
                            });
                            div.value {
                                @match (&link, fk) {
                                    (Some(href), Some(fk)) => {
                                        a.fk-link href=(href) { (cells::value(v.values[i].as_deref(), false)) }
                                        span.fk { " → " (fk.to.display()) }
                                    },
                                    _ => (cells::value(v.values[i].as_deref(), false)),
                                }
                            }
                        }
                    }
                }
            }
        }
        section.references {
            h2 { "Referenced by" }
            @if v.referrers.is_empty() {
                p.empty { "No foreign key points at " (rel.name.display()) "." }
            } @else {
                ul {
                    @for r in v.referrers {
                        li {
                            @match &r.values {
                                Some(values) => {
                                    a.referrer href=(links::rows_where(&r.fk.from, &r.fk.from_columns, values)) {
                                        (r.fk.from.display()) "." (r.fk.from_columns.join(", "))
                                    }
                                    " — "
                                    @match r.count {
                                        None => { "not readable by role " (rel.access.role) },
                                        Some(n) if n > REFERENCE_COUNT_CAP => { "more than " (format::thousands(REFERENCE_COUNT_CAP)) " rows" },
                                        Some(n) => { (format::thousands(n)) @if n == 1 { " row" } @else { " rows" } },
                                    }
                                },
                                None => { (r.fk.from.display()) "." (r.fk.from_columns.join(", ")) " — none (this row's key is NULL)" },
                            }
                            @if r.fk.crosses_schemas() { span.cross { " cross-schema" } }
                        }
                    }
                }
            }
        }
    }
}
