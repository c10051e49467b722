//! The page of a failed request: what went wrong, and PostgreSQL's own words when
//! it refused a statement.

use maud::{DOCTYPE, Markup, html};
use strata_migrate::text_position::LineIndex;

use crate::db::failure::DbFailure;

/// A standalone page (it needs no database, so it works when the database is gone).
pub fn render(title: &str, message: &str, failure: Option<&DbFailure>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · strata studio" }
                link rel="stylesheet" href="/assets/studio.css";
            }
            body.error-page {
                header.top { a.brand href="/" { "strata" span { "studio" } } }
                main.content {
                    h1 { (title) }
                    @match failure {
                        Some(f) => (failure_box(f, None)),
                        None => p.error-message { (message) },
                    }
                    p { a href="/" { "Back to the studio" } }
                }
            }
        }
    }
}

/// PostgreSQL's error, with a caret under the position when the statement is known.
pub fn failure_box(f: &DbFailure, statement: Option<&str>) -> Markup {
    html! {
        div.failure role="alert" {
            p { strong { "ERROR: " } (f.message) " " span.sqlstate { "SQLSTATE " (f.code) } }
            @if let Some(d) = &f.detail { p { "DETAIL: " (d) } }
            @if let Some(h) = &f.hint { p { "HINT: " (h) } }
            @if let (Some(pos), Some(sql)) = (f.position, statement) {
                @if let Some((line_no, line, col)) = locate(sql, pos) {
                    pre.caret { "line " (line_no) ": " (line) "\n" (" ".repeat(col + 7 + line_no.to_string().len())) "^" }
                }
            }
        }
    }
}

/// The 1-based line number, the line's text and the 0-based column of the 1-based
/// character position `pos`.
fn locate(sql: &str, pos: usize) -> Option<(usize, &str, usize)> {
    let index = LineIndex::new(sql);
    let (line, column) = index.char_line_col(0, pos.saturating_sub(1))?;
    Some((line, index.line_text(line), column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_into_the_right_line() {
        assert_eq!(locate("SELECT 1\nFROM nope", 15), Some((2, "FROM nope", 5)));
        assert_eq!(locate("SELEC 1", 1), Some((1, "SELEC 1", 0)));
        // just past the end (an unterminated statement), CRLF lines, past that: nothing
        assert_eq!(locate("SELEC 1", 8), Some((1, "SELEC 1", 7)));
        assert_eq!(locate("SELECT 1\r\nFROM x", 11), Some((2, "FROM x", 0)));
        assert_eq!(locate("SELEC 1", 9), None);
    }
}
