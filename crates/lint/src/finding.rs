//! What a rule reports: a [`Finding`] at a place in a file, with a [`Severity`].

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How bad a finding is. Errors fail `strata lint` (and, by default, `migrate up`);
/// warnings are reported but do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`, as printed before the rule id.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one file.
///
/// Lines and columns are 1-based; columns count characters, not bytes. A finding
/// about a file as a whole (its name, a missing partner) has `line` and `column` 0
/// and no `span`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable kebab-case rule id, e.g. `unqualified-relation`.
    pub rule: &'static str,
    pub severity: Severity,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub help: Option<String>,
    /// Byte range in the file's text (BOM stripped, LF line endings).
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
}

impl Finding {
    /// True when the finding points at a place in the file rather than the whole file.
    pub fn has_position(&self) -> bool {
        self.line > 0
    }
}
