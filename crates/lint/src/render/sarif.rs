//! `--format sarif`: SARIF 2.1.0, the format GitHub code scanning uploads.

use serde_json::{Value, json};

use crate::finding::Severity;
use crate::report::Report;
use crate::rules;

pub(crate) fn render(report: &Report) -> String {
    let rules: Vec<Value> = rules::all()
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let uri = f.path.to_string_lossy().replace('\\', "/");
            let mut location = json!({ "artifactLocation": { "uri": uri } });
            if f.has_position() {
                location["region"] = json!({
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end_line,
                    "endColumn": f.end_column,
                });
            }
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": rules::all().iter().position(|r| r.id == f.rule),
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [ { "physicalLocation": location } ],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "strata-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        } ],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
