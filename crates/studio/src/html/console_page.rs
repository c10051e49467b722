//! The SQL console: the statement, the buttons (run, explain, explain analyze,
//! export), and the result or PostgreSQL's error.

use maud::{Markup, html};

use crate::db::console::Answer;
use crate::html::error_page::failure_box;
use crate::html::format;

pub struct ConsoleView<'a> {
    pub sql: &'a str,
    pub answer: Option<&'a Answer>,
    pub write: bool,
    pub commit: bool,
    pub csrf: &'a str,
    pub row_cap: usize,
    /// Characters of one value shown.
    pub value_cap: usize,
    /// Bytes of values on one page.
    pub page_bytes: usize,
    pub timeout_ms: u128,
    /// The login is unsafe for the console (the frame says why): no buttons.
    pub disabled: bool,
}

pub fn render(v: &ConsoleView<'_>) -> Markup {
    html! {
        h1 { "SQL console" }
        p.hint {
            @if v.write {
                "Statements run in a read-only transaction unless you tick “commit”. "
            } @else {
                "Statements run in a read-only transaction: PostgreSQL refuses any change. "
            }
            "One statement per run; timeout " (v.timeout_ms) " ms; at most " (format::thousands(v.row_cap as i64)) " rows, "
            (format::thousands(v.value_cap as i64)) " characters per value and " (mebibytes(v.page_bytes)) " per page shown. Ctrl+Enter runs."
        }
        form id="console" class="console" method="post" action="/console" {
            input type="hidden" name="csrf" value=(v.csrf);
            textarea name="sql" rows="8" spellcheck="false" autofocus aria-label="SQL" placeholder="SELECT * FROM app.items LIMIT 10" { (v.sql) }
            div.buttons {
                button.primary type="submit" name="action" value="run" disabled[v.disabled] { "Run" }
                button type="submit" name="action" value="explain" disabled[v.disabled] { "Explain" }
                button type="submit" name="action" value="analyze" disabled[v.disabled] { "Explain analyze" }
                button type="submit" formaction="/console/export" name="format" value="csv" disabled[v.disabled] { "Export CSV" }
                button type="submit" formaction="/console/export" name="format" value="json" disabled[v.disabled] { "Export JSON" }
                @if v.write {
                    label.commit { input type="checkbox" name="commit" value="1" checked[v.commit]; " commit (read-write)" }
                }
            }
        }
        @match v.answer {
            None => {},
            Some(Err(f)) => (failure_box(f, Some(v.sql))),
            Some(Ok(o)) => {
                p.result-info {
                    @if let Some(n) = o.rows_affected {
                        (format::thousands(n as i64)) " rows affected"
                    } @else {
                        (format::thousands(o.rows.len() as i64)) @if o.rows.len() == 1 { " row" } @else { " rows" }
                        @if o.truncated { span.warn { " — cut at the cap of " (format::thousands(v.row_cap as i64)) " rows; export for all" } }
                        @if o.page_full { span.warn.page-cut { " — the page stopped at " (mebibytes(v.page_bytes)) " of values; the rest was not read (export for all)" } }
                    }
                    " in " (format!("{:.1}", o.elapsed.as_secs_f64() * 1000.0)) " ms"
                    @if o.committed { span.badge { " committed" } } @else { span.badge { " rolled back" } }
                }
                @if !o.cut.is_empty() {
                    p.warn.values-cut {
                        (format::thousands(o.cut.len() as i64)) @if o.cut.len() == 1 { " value was" } @else { " values were" }
                        " longer than " (format::thousands(v.value_cap as i64)) " characters and cut (marked “… cut”)"
                    }
                }
                @if !o.columns.is_empty() {
                    div.grid-wrap {
                        table.grid.result {
                            thead { tr { @for c in &o.columns { th { (c.name) span.type { (c.type_name.to_lowercase()) } } } } }
                            tbody {
                                @for (r, row) in o.rows.iter().enumerate() {
                                    tr { @for (c, value) in row.iter().enumerate() { td class=(if value.is_none() { "isnull" } else { "" }) {
                                        @match value { None => span.null { "NULL" }, Some(t) => (t) }
                                        @if o.is_cut(r, c) { span.cut { "… cut" } }
                                    } } }
                                }
                            }
                        }
                    }
                }
            },
        }
    }
}

/// `2 MiB`, `512 KiB`.
fn mebibytes(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}
