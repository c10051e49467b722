//! The default format: rustc-style diagnostics.
//!
//! ```text
//! error[unqualified-relation]: table `items` is not schema-qualified
//!  --> migrations/migrate/20251124_000005_create_items.up.sql:3:14
//!   |
//! 3 | CREATE TABLE items (
//!   |              ^^^^^
//!   |
//!   = help: write the schema, e.g. `app.items`
//! ```

use std::fmt::Write as _;

use annotate_snippets::{Level, Renderer, Snippet};
use strata_migrate::text_position::LineIndex;

use crate::finding::{Finding, Severity};
use crate::report::Report;

pub(crate) fn render(report: &Report, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for finding in &report.findings {
        let source = report.source(&finding.path);
        out.push_str(&render_one(&renderer, finding, source));
        out.push_str("\n\n");
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    }
}

fn render_one(renderer: &Renderer, f: &Finding, source: Option<&str>) -> String {
    let path = f.path.display().to_string();
    let level = level(f.severity);
    let mut message = level.title(&f.message).id(f.rule);
    let frame;
    let help;
    match (source, &f.span) {
        (Some(text), Some(span)) if f.has_position() => {
            // Only the lines of the finding, so a large file costs nothing extra.
            let index = LineIndex::new(text);
            let first = index.line_range(f.line);
            let last = index.line_range(f.end_line.max(f.line));
            frame = &text[first.start..last.end];
            let start = span.start - first.start;
            let end = (span.end.min(last.end) - first.start).max(start);
            // an empty span (end of input) still gets a caret
            let end = if end == start { (start + 1).min(frame.len() + 1) } else { end };
            message = message.snippet(
                Snippet::source(frame).line_start(f.line).origin(&path).fold(false).annotation(level.span(start..end)),
            );
        }
        _ => {
            let mut s = format!("{}[{}]: {}\n --> {path}", f.severity, f.rule, f.message);
            if let Some(h) = &f.help {
                let _ = write!(s, "\n  = help: {h}");
            }
            return s;
        }
    }
    if let Some(h) = &f.help {
        help = h.clone();
        message = message.footer(Level::Help.title(&help));
    }
    renderer.render(message).to_string()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

fn summary(report: &Report) -> String {
    let (errors, warnings) = (report.errors(), report.warnings());
    let files = plural(report.files_checked, "file");
    if errors == 0 && warnings == 0 {
        return format!("lint: {files} checked, no problems");
    }
    let with_findings = {
        let mut paths: Vec<_> = report.findings.iter().map(|f| &f.path).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    };
    let counts = match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    };
    format!("lint: {counts} in {} ({files} checked)", plural(with_findings, "file"))
}
