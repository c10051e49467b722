//! A failing migration shown as a code frame: path:line:col, SQLSTATE,
//! PostgreSQL's message, detail, hint and context.

use annotate_snippets::{Level, Renderer, Snippet};
use strata_migrate::SqlFailure;

/// Renders `f` for stderr.
pub fn render(f: &SqlFailure, color: bool) -> String {
    let title = format!("{} (SQLSTATE {})", f.message, f.code);
    let origin = match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path.display()),
        _ => f.path.display().to_string(),
    };
    let statement = f.statement.map(|n| format!("statement {n} of the {} file", f.direction.as_str()));
    let mut footers = vec![];
    if let Some(d) = &f.detail {
        footers.push(Level::Note.title(d));
    }
    if let Some(c) = &f.context {
        footers.push(Level::Note.title(c));
    }
    if let Some(s) = &statement {
        footers.push(Level::Note.title(s));
    }
    if let Some(h) = &f.hint {
        footers.push(Level::Help.title(h));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let Some(start) = f.line.and_then(|l| byte_offset(&f.sql, l, f.column.unwrap_or(1))) else {
        let msg = Level::Error.title(&title).footers(footers);
        return format!("{}\n  --> {origin}", renderer.render(msg));
    };
    let end = f.sql[start..].char_indices().nth(1).map_or(f.sql.len(), |(i, _)| start + i);
    // The frame adds the line and column to the origin itself.
    let path = f.path.display().to_string();
    let msg = Level::Error.title(&title).snippet(
        Snippet::source(&f.sql)
            .line_start(1)
            .origin(&path)
            .fold(true)
            .annotation(Level::Error.span(start..end.max(start)).label("PostgreSQL stopped here")),
    );
    renderer.render(msg.footers(footers)).to_string()
}

/// Byte offset of a 1-based line and character column.
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line == 1 { 0 } else { text.match_indices('\n').nth(line - 2)?.0 + 1 };
    let rest = &text[line_start..];
    Some(line_start + rest.char_indices().nth(column - 1).map_or(rest.len(), |(i, _)| i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_migrate::{Direction, Track, Version};

    /// A syntax error at line 2, column 1 of `path`.
    fn syntax_error(path: &str, message: &str) -> SqlFailure {
        SqlFailure {
            track: Track::Migrate,
            version: Version::parse("20251124_000001").unwrap(),
            direction: Direction::Up,
            path: path.into(),
            line: Some(2),
            column: Some(1),
            statement: None,
            code: "42601".into(),
            message: message.into(),
            detail: None,
            hint: None,
            context: None,
            sql: "SELECT 1;\nSELEKT 2;\n".into(),
        }
    }

    #[test]
    fn frame_points_at_the_failing_token() {
        let f = SqlFailure {
            hint: Some("check the spelling".into()),
            ..syntax_error("migrations/migrate/20251124_000001_bad.up.sql", "syntax error at or near \"SELEKT\"")
        };
        insta::assert_snapshot!(render(&f, false));
    }

    /// The frame printed `file.sql:2:1:2:1`: annotate-snippets adds the position to the origin.
    #[test]
    fn frame_names_the_position_once() {
        let f = syntax_error("m/1_bad.up.sql", "syntax error");
        let text = render(&f, false);
        assert!(text.contains("m/1_bad.up.sql:2:1\n"), "{text}");
    }

    #[test]
    fn byte_offsets_respect_multibyte_characters() {
        assert_eq!(byte_offset("é\nab", 2, 2), Some(4));
        assert_eq!(byte_offset("éx", 1, 2), Some(2));
        assert_eq!(byte_offset("a", 3, 1), None);
    }
}
