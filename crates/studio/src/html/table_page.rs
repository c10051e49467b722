//! The rows page: filters, a sortable grid with links along foreign keys, keyset
//! paging, exports, and the tables that reference this one.

use maud::{Markup, html};

use crate::db::browse::{Page, Position, Request};
use crate::db::failure::DbFailure;
use crate::db::filter::Op;
use crate::db::foreign_keys::ForeignKey;
use crate::db::keyset::SortOrder;
use crate::db::relation::Relation;
use crate::html::error_page::failure_box;
use crate::html::{cells, format, links, tabs};
use crate::table_state;

/// Everything the page shows.
pub struct TableView<'a> {
    pub rel: &'a Relation,
    pub page: &'a Page,
    pub request: &'a Request,
    pub outgoing: &'a [ForeignKey],
    pub incoming: &'a [ForeignKey],
    pub default_limit: usize,
    pub write: bool,
    /// PostgreSQL's refusal of the filters (a value the column's type rejects).
    pub failure: Option<&'a DbFailure>,
}

impl TableView<'_> {
    /// For each column, the outgoing key it belongs to and the positions of that
    /// key's columns.
    fn key_of_column(&self, i: usize) -> Option<(&ForeignKey, Vec<usize>)> {
        let name = &self.rel.columns[i].name;
        let fk = self.outgoing.iter().find(|fk| fk.from_columns.contains(name))?;
        let positions =
            fk.from_columns.iter().map(|c| self.rel.column(c).map(|(i, _)| i)).collect::<Option<Vec<_>>>()?;
        Some((fk, positions))
    }

    fn href(&self, position: &Position) -> String {
        table_state::href(
            &links::table(&self.rel.name),
            &table_state::pairs(self.request, position, self.default_limit),
        )
    }

    fn sort_href(&self, column: &str) -> String {
        let dir = match &self.request.sort {
            Some((c, SortOrder::Asc)) if c == column => SortOrder::Desc,
            _ => SortOrder::Asc,
        };
        let req = Request { sort: Some((column.to_owned(), dir)), ..self.request.clone() };
        table_state::href(
            &links::table(&self.rel.name),
            &table_state::pairs(&req, &Position::First, self.default_limit),
        )
    }

    fn export_href(&self, format: &str) -> String {
        let mut pairs = table_state::pairs(self.request, &Position::First, self.default_limit);
        pairs.retain(|(k, _)| k != "limit");
        pairs.push(("format".into(), format.into()));
        table_state::href(&links::table_page(&self.rel.name, "export"), &pairs)
    }
}

pub fn render(v: &TableView<'_>) -> Markup {
    let rel = v.rel;
    let key_columns: Vec<Option<(&ForeignKey, Vec<usize>)>> =
        (0..rel.columns.len()).map(|i| v.key_of_column(i)).collect();
    html! {
        (tabs::header(rel, tabs::Tab::Rows))
        (filter_form(v))
        @if let Some(note) = rel.access.hidden_note() { p.note.hidden-columns { (note) } }
        @if let Some(f) = v.failure { (failure_box(f, None)) }
        div.toolbar {
            span.hint {
                @if v.page.keyset { "keyset paging by " (order_label(v)) } @else { "paged by offset (" (offset_reason(rel)) ")" }
            }
            span.actions {
                a.button href=(v.export_href("csv")) download { "Export CSV" }
                a.button href=(v.export_href("json")) download { "Export JSON" }
                (crate::html::diagram_page::around_link(&rel.name))
                @if v.write && rel.kind.is_table() && rel.has_primary_key() {
                    a.button.primary href=(links::table_page(&rel.name, "insert")) { "Insert row" }
                }
            }
        }
        div.grid-wrap {
            table.grid {
                thead {
                    tr {
                        th.rowlink { }
                        @for c in &rel.columns {
                            th {
                                a.sort href=(v.sort_href(&c.name)) title={ "sort by " (c.name) } {
                                    (c.name)
                                    @if let Some((s, d)) = &v.request.sort { @if s == &c.name { span.dir { (if *d == SortOrder::Asc { " ▲" } else { " ▼" }) } } }
                                }
                                @if rel.primary_key.iter().any(|&i| rel.columns[i].name == c.name) { span.pk title="primary key" { "PK" } }
                                @if let Some(fk) = v.outgoing.iter().find(|fk| fk.from_columns.contains(&c.name)) {
                                    span.fk title={ "references " (fk.to.display()) } { "→ " (fk.to.display()) }
                                }
                                span.type { (c.type_display) }
                            }
                        }
                    }
                }
                tbody {
                    @for row in &v.page.rows {
                        tr {
                            td.rowlink {
                                @if let Some(key) = &row.key { a href=(links::row(&rel.name, key)) title="open the row" { "⤢" } }
                            }
                            @for (i, cell) in row.cells.iter().enumerate() {
                                @let link = key_columns[i].as_ref().and_then(|(fk, pos)| cells::key_link(fk, pos, &row.full));
                                td class=(if cell.text.is_none() { "isnull" } else { "" }) {
                                    @if let (Some(href), Some((fk, _))) = (&link, &key_columns[i]) {
                                        a.fk-link href=(href) title={ "open in " (fk.to.display()) } { (cells::value(cell.text.as_deref(), cell.truncated)) }
                                    } @else {
                                        (cells::value(cell.text.as_deref(), cell.truncated))
                                    }
                                }
                            }
                        }
                    }
                    @if v.page.rows.is_empty() {
                        tr { td.norows colspan=(rel.columns.len() + 1) { "No rows" @if !v.request.filters.is_empty() { " match these filters" } "." } }
                    }
                }
            }
        }
        nav.pager aria-label="pages" {
            @if v.page.previous.is_some() || !matches!(v.request.position, Position::First | Position::Offset(0)) {
                a href=(v.href(&Position::First)) { "⇤ First" }
            }
            @if let Some(p) = &v.page.previous { a rel="prev" href=(v.href(p)) { "← Previous" } }
            span.count { (v.page.rows.len()) " rows on this page" }
            @if let Some(n) = &v.page.next { a rel="next" href=(v.href(n)) { "Next →" } }
        }
        @if !v.incoming.is_empty() {
            section.references {
                h2 { "Referenced by" }
                ul {
                    @for fk in v.incoming {
                        li {
                            a href=(links::table(&fk.from)) { (fk.from.display()) }
                            " (" (fk.from_columns.join(", ")) ") → " (fk.to_columns.join(", "))
                            @if fk.crosses_schemas() { span.cross title="crosses schemas" { " cross-schema" } }
                        }
                    }
                }
            }
        }
    }
}

/// The page of a relation the role may not read at all: a message, not an error.
pub fn unreadable(rel: &Relation) -> Markup {
    html! {
        (tabs::header(rel, tabs::Tab::Rows))
        p.note.unreadable {
            (rel.unreadable_message()) ": no column of it may be selected. "
            "Its columns, keys and DDL are on the " a href=(links::table_page(&rel.name, "structure")) { "Structure" } " tab."
            " " (crate::html::diagram_page::around_link(&rel.name))
        }
    }
}

/// Why rows are paged by offset rather than by key.
fn offset_reason(rel: &Relation) -> String {
    if rel.access.key_hidden {
        format!("the primary key is not readable by role {}, so deep pages are slow", rel.access.role)
    } else if rel.kind.has_ctid() {
        format!("without a primary key, rows are addressed by ctid, which role {} may not read", rel.access.role)
    } else {
        "a view has no row identity".to_owned()
    }
}

fn order_label(v: &TableView<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some((c, d)) = &v.request.sort {
        parts.push(format!("{c} {}", d.code()));
    }
    if v.rel.has_primary_key() {
        parts.extend(v.rel.primary_key_columns().map(|c| c.name.clone()));
    } else {
        parts.push("ctid".into());
    }
    parts.join(", ")
}

fn filter_form(v: &TableView<'_>) -> Markup {
    let rel = v.rel;
    let blank = crate::db::filter::Filter { column: String::new(), op: Op::Eq, value: String::new() };
    let rows: Vec<&crate::db::filter::Filter> = v.request.filters.iter().chain(std::iter::once(&blank)).collect();
    html! {
        form.filters method="get" action=(links::table(&rel.name)) {
            @if let Some((c, d)) = &v.request.sort {
                input type="hidden" name="sort" value=(c);
                input type="hidden" name="dir" value=(d.code());
            }
            @for f in rows {
                div.filter {
                    select name="fc" aria-label="column" {
                        option value="" { "column…" }
                        @for c in &rel.columns {
                            @let ops: Vec<&str> = Op::ALL.iter().filter(|o| o.applies_to(c)).map(|o| o.code()).collect();
                            option value=(c.name) selected[c.name == f.column] data-ops=(ops.join(" ")) { (c.name) " (" (c.type_display) ")" }
                        }
                    }
                    select name="fo" aria-label="operator" {
                        @for op in Op::ALL { option value=(op.code()) selected[op == f.op] { (op.label()) } }
                    }
                    input type="text" name="fv" value=(f.value) placeholder="value" aria-label="value";
                }
            }
            button type="submit" { "Filter" }
            @if !v.request.filters.is_empty() {
                a.clear href=(links::table(&rel.name)) { "Clear filters" }
            }
            span.estimate {
                @match rel.estimate {
                    Some(n) => { "≈ " (format::thousands(n)) " rows in the table (catalog estimate)" },
                    None => "",
                }
            }
        }
    }
}
