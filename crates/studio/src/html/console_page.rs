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
    pub timeout_ms: u128,
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
            "One statement per run; timeout " (v.timeout_ms) " ms; at most " (format::thousands(v.row_cap as i64)) " rows shown. Ctrl+Enter runs."
        }
        form id="console" class="console" method="post" action="/console" {
            input type="hidden" name="csrf" value=(v.csrf);
            textarea name="sql" rows="8" spellcheck="false" autofocus aria-label="SQL" placeholder="SELECT * FROM app.items LIMIT 10" { (v.sql) }
            div.buttons {
                button.primary type="submit" name="action" value="run" { "Run" }
                button type="submit" name="action" value="explain" { "Explain" }
                button type="submit" name="action" value="analyze" { "Explain analyze" }
                button type="submit" formaction="/console/export" name="format" value="csv" { "Export CSV" }
                button type="submit" formaction="/console/export" name="format" value="json" { "Export JSON" }
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
                        @if o.truncated { span.warn { " — cut at the cap of " (format::thousands(v.row_cap as i64)) "; export for all" } }
                    }
                    " in " (format!("{:.1}", o.elapsed.as_secs_f64() * 1000.0)) " ms"
                    @if o.committed { span.badge { " committed" } } @else { span.badge { " rolled back" } }
                }
                @if !o.columns.is_empty() {
                    div.grid-wrap {
                        table.grid.result {
                            thead { tr { @for c in &o.columns { th { (c.name) span.type { (c.type_name.to_lowercase()) } } } } }
                            tbody {
                                @for row in &o.rows {
                                    tr { @for value in row { td class=(if value.is_none() { "isnull" } else { "" }) {
                                        @match value { None => span.null { "NULL" }, Some(t) => (t) }
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
