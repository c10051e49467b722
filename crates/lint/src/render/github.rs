//! `--format github`: GitHub Actions workflow commands, which the Actions runner
//! turns into annotations on the pull request's diff.

use std::fmt::Write as _;

use crate::finding::Severity;
use crate::report::Report;

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", property(&f.path.display().to_string()));
        if f.has_position() {
            let _ =
                write!(props, ",line={},col={},endLine={},endColumn={}", f.line, f.column, f.end_line, f.end_column);
        }
        let _ = write!(props, ",title={}", property(f.rule));
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(out, "::{command} {props}::{}", data(&message));
    }
    out
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
