//! The result of linting: every finding, and the text of the files they point
//! into (for code frames).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::finding::{Finding, Severity};

/// Findings of a lint run, sorted by file, line and column.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// How many SQL files were checked.
    pub files_checked: usize,
    sources: BTreeMap<PathBuf, String>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// Adds the findings of one checked file, keeping its text for code frames.
    pub fn add_file(&mut self, path: &Path, text: &str, findings: Vec<Finding>) {
        self.files_checked += 1;
        if findings.iter().any(Finding::has_position) {
            self.sources.insert(path.to_owned(), text.to_owned());
        }
        self.findings.extend(findings);
    }

    /// Adds findings about files as a whole (names, pairs).
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Sorts findings by path, line, column and rule.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule)));
    }

    /// The text of a file that has findings.
    pub fn source(&self, path: &Path) -> Option<&str> {
        self.sources.get(path).map(String::as_str)
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }

    /// No errors (warnings allowed).
    pub fn passed(&self) -> bool {
        self.errors() == 0
    }

    /// Keeps only the findings about files for which `keep` holds (for
    /// `strata lint PATHS`, which checks the whole set but reports on some files).
    pub fn retain_paths(&mut self, mut keep: impl FnMut(&Path) -> bool) {
        self.findings.retain(|f| keep(&f.path));
        self.sources.retain(|p, _| keep(p));
    }
}
