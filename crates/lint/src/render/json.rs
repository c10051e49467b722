//! `--format json`: one document with every finding and the counts.

use serde_json::json;

use crate::report::Report;

pub(crate) fn render(report: &Report) -> String {
    let doc = json!({
        "findings": report.findings,
        "errors": report.errors(),
        "warnings": report.warnings(),
        "files_checked": report.files_checked,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
