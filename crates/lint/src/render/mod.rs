//! Turning a [`Report`] into text for people, JSON for programs, GitHub workflow
//! commands for pull-request annotations, or SARIF for code-scanning tools.

mod github;
mod json;
mod sarif;
mod text;

use crate::report::Report;

/// An output format of `strata lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style diagnostics with code frames, and a summary line.
    Text,
    /// One JSON document: findings and counts.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other tools.
    Sarif,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            "sarif" => Ok(Format::Sarif),
            other => Err(format!("unknown format `{other}` (expected text, json, github or sarif)")),
        }
    }
}

/// Renders a report. `color` adds ANSI styles to the text format only.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
        Format::Sarif => sarif::render(report),
    }
}
