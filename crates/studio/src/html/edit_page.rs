//! Write mode's pages: the form to edit or insert a row, and the preview that
//! shows the exact statement and its parameters before anything runs.

use maud::{Markup, html};

use crate::db::relation::Relation;
use crate::db::row::RowKey;
use crate::db::sql::Sql;
use crate::html::{links, tabs};

/// The form for a new row (`values` is `None`) or for editing one.
pub fn form(rel: &Relation, key: Option<&RowKey>, values: Option<&[Option<String>]>, csrf: &str) -> Markup {
    let action = if key.is_some() { "edit" } else { "insert" };
    html! {
        (tabs::header(rel, tabs::Tab::Edit))
        h2 { @if key.is_some() { "Edit row" } @else { "Insert a row" } }
        p.hint { "Nothing is written yet: the next page shows the statement to confirm." }
        form.edit method="post" action=(links::table_page(&rel.name, action)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="action" value="preview";
            @if let Some(k) = key { @for (c, v) in &k.0 { input type="hidden" name="c" value=(c); input type="hidden" name="v" value=(v); } }
            table.record {
                tbody {
                    @for (i, c) in rel.columns.iter().enumerate() {
                        @let current = values.and_then(|v| v[i].clone());
                        @let is_null = values.is_some_and(|v| v[i].is_none());
                        tr {
                            th { label for={ "val." (c.num) } { (c.name) } span.type { (c.type_display) } }
                            td {
                                @if !c.is_writable() {
                                    span.hint { "generated" } " " @if let Some(t) = &current { code { (t) } }
                                } @else {
                                    @if current.as_deref().is_some_and(|t| t.len() > 80 || t.contains('\n')) {
                                        textarea id={ "val." (c.num) } name={ "val." (c.num) } rows="4" { (current.clone().unwrap_or_default()) }
                                    } @else {
                                        input type="text" id={ "val." (c.num) } name={ "val." (c.num) } value=(current.clone().unwrap_or_default());
                                    }
                                    @if values.is_some() {
                                        label.null { input type="checkbox" name={ "null." (c.num) } value="1" checked[is_null]; " NULL" }
                                        @match &current {
                                            Some(t) => input type="hidden" name={ "seen." (c.num) } value=(t);,
                                            None => input type="hidden" name={ "seennull." (c.num) } value="1";,
                                        }
                                    } @else {
                                        @let default_mode = c.default.is_some() || c.identity.is_some() || !c.not_null;
                                        select name={ "mode." (c.num) } aria-label="how to fill" {
                                            option value="default" selected[default_mode] { @if c.default.is_some() { "DEFAULT" } @else { "omit" } }
                                            option value="value" selected[!default_mode] { "this value" }
                                            option value="null" { "NULL" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            button.primary type="submit" { "Preview SQL" }
            " "
            @if let Some(k) = key { a href=(links::row(&rel.name, k)) { "Cancel" } } @else { a href=(links::table(&rel.name)) { "Cancel" } }
        }
    }
}

/// The statement and its parameters, with a form that repeats the request's
/// fields plus `action=apply`.
pub fn preview(rel: &Relation, what: &str, sql: &Sql, action: &str, fields: &[(String, String)], back: &str) -> Markup {
    html! {
        (tabs::header(rel, tabs::Tab::Edit))
        h2 { "Confirm: " (what) }
        p.hint { "This statement runs in its own read-write transaction, which is rolled back unless it touches exactly one row." }
        pre.sql { code { (sql.text()) } }
        @if !sql.params().is_empty() {
            table.list.params {
                thead { tr { th { "parameter" } th { "value" } } }
                tbody {
                    @for (i, p) in sql.params().iter().enumerate() {
                        tr { td { code { "$" (i + 1) } } td { @match p { Some(t) => code { (t) }, None => span.null { "NULL" } } } }
                    }
                }
            }
        }
        form method="post" action=(action) {
            @for (k, v) in fields { @if k != "action" { input type="hidden" name=(k) value=(v); } }
            input type="hidden" name="action" value="apply";
            button.danger type="submit" { "Run it" }
            " "
            a href=(back) { "Cancel" }
        }
    }
}
