//! Linting one file: parse it, run the SQL rules, place each finding, apply the
//! file's suppressions.

use std::ops::Range;
use std::path::Path;

use rowan::TextRange;

use crate::context::Context;
use crate::directives::{self, Directive, DirectiveKind};
use crate::finding::Finding;
use crate::line_index::LineIndex;
use crate::parse::ParsedFile;
use crate::references::{ObjectRef, bare_calls, object_refs, transition_tables};
use crate::rules::{self, Rule};

/// What a rule sees of the file it checks.
pub(crate) struct Check<'a> {
    pub file: &'a ParsedFile,
    pub text: &'a str,
    pub ctx: &'a Context,
    /// The first line is `-- strata:no-transaction`.
    pub no_transaction: bool,
    /// The object names of each unit, in unit order.
    pub refs: Vec<Vec<ObjectRef>>,
    pub directives: &'a [Directive],
    found: Vec<Raw>,
}

/// A finding before it is placed on a line.
pub(crate) struct Raw {
    pub rule: &'static Rule,
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl Check<'_> {
    /// Reports a finding at `range` of unit `unit`.
    pub(crate) fn report(
        &mut self,
        rule: &'static Rule,
        unit: usize,
        range: TextRange,
        message: String,
        help: Option<String>,
    ) {
        let range = self.file.to_file(unit, range);
        self.report_at(rule, usize::from(range.start())..usize::from(range.end()), message, help);
    }

    /// Reports a finding at a byte range of the file.
    pub(crate) fn report_at(
        &mut self,
        rule: &'static Rule,
        range: Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        self.found.push(Raw { rule, range, message, help });
    }
}

/// A bare function call, kept until the set's functions are known.
#[derive(Debug, Clone)]
pub(crate) struct BareCall {
    pub name: String,
    pub finding: Finding,
}

/// One file's results before the set-wide facts are applied.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    pub findings: Vec<Finding>,
    pub bare_calls: Vec<BareCall>,
    /// Functions and procedures the file defines: (bare name, schema).
    pub defines: Vec<(String, String)>,
    pub suppressions: Vec<Suppression>,
    /// The SQL rules ran (the file parsed), so an unused suppression means something.
    pub checked: bool,
}

/// One rule id of one `strata:ignore` comment.
#[derive(Debug, Clone)]
pub(crate) struct Suppression {
    pub rule: String,
    pub file_wide: bool,
    pub target_line: usize,
    pub used: bool,
    /// Where to point when it is unused.
    pub at: Finding,
}

/// Parses and checks one file; set-wide rules run later, in [`finish`].
pub(crate) fn analyze(path: &Path, text: &str, ctx: &Context) -> Analysis {
    let file = ParsedFile::parse(text);
    let index = LineIndex::new(text);
    let directives = directives::scan(text);
    let no_transaction =
        text.lines().next().is_some_and(|l| l.trim_end() == strata_migrate::source::NO_TRANSACTION_DIRECTIVE);
    let transition: Vec<String> = file.units.iter().flat_map(|u| transition_tables(&u.root)).collect();
    let refs: Vec<Vec<ObjectRef>> = file.units.iter().map(|u| object_refs(&u.root, &transition)).collect();
    let mut defines = vec![];
    for r in refs.iter().flatten() {
        if r.defines
            && matches!(r.kind, crate::references::ObjectKind::Function | crate::references::ObjectKind::Procedure)
            && let Some(schema) = r.schema()
        {
            defines.push((r.name.last().to_owned(), schema.to_owned()));
        }
    }
    let mut check = Check { file: &file, text, ctx, no_transaction, refs, directives: &directives, found: vec![] };

    rules::syntax_error::check(&mut check);
    // Rules read the tree; on a file PostgreSQL would reject, the tree is a guess
    // and its findings would be noise.
    let parsed = check.found.is_empty();
    if parsed {
        rules::create_schemas_first::check(&mut check);
        rules::unknown_schema::check(&mut check);
        rules::unqualified_relation::check(&mut check);
        rules::non_idempotent::check(&mut check);
        rules::concurrently_in_transaction::check(&mut check);
        rules::dynamic_sql::check(&mut check);
    }
    rules::invalid_directive::check(&mut check);

    let at = |rule: &'static Rule, range: Range<usize>, message: String, help: Option<String>| {
        place(path, &index, rule, range, message, help)
    };
    let findings = check.found.into_iter().map(|r| at(r.rule, r.range, r.message, r.help)).collect();

    let mut bare = vec![];
    if parsed {
        for (unit_index, unit) in file.units.iter().enumerate() {
            for name in bare_calls(&unit.root) {
                let range = file.to_file(unit_index, name.range());
                let range = usize::from(range.start())..usize::from(range.end());
                bare.push(BareCall {
                    name: name.last().to_owned(),
                    finding: at(&rules::unqualified_relation::RULE, range, String::new(), None),
                });
            }
        }
    }

    let mut suppressions = vec![];
    for d in &directives {
        if let DirectiveKind::Ignore { file: file_wide, target_line, rules } = &d.kind {
            for (rule, range) in rules {
                suppressions.push(Suppression {
                    rule: rule.clone(),
                    file_wide: *file_wide,
                    target_line: *target_line,
                    used: false,
                    at: at(&rules::unused_suppression::RULE, range.clone(), String::new(), None),
                });
            }
        }
    }
    Analysis { findings, bare_calls: bare, defines, suppressions, checked: parsed }
}

/// Applies what only the whole set knows (its functions), then the file's
/// suppressions and the disabled rules.
pub(crate) fn finish(mut analysis: Analysis, ctx: &Context) -> Vec<Finding> {
    let mut findings = analysis.findings;
    for call in analysis.bare_calls {
        if let Some(schema) = ctx.functions.get(&call.name) {
            let mut f = call.finding;
            f.message = rules::unqualified_relation::bare_call_message(&call.name);
            f.help = Some(rules::unqualified_relation::bare_call_help(&call.name, schema));
            findings.push(f);
        }
    }
    findings.retain(|f| {
        let mut keep = true;
        for s in analysis.suppressions.iter_mut() {
            if s.rule == f.rule && (s.file_wide || (f.line > 0 && s.target_line == f.line)) {
                s.used = true;
                keep = false;
            }
        }
        keep
    });
    if analysis.checked {
        findings.extend(rules::unused_suppression::check(&analysis.suppressions, ctx));
    }
    findings.retain(|f| !ctx.is_disabled(f.rule));
    findings.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
    findings
}

/// A finding placed on its line and column.
pub(crate) fn place(
    path: &Path,
    index: &LineIndex<'_>,
    rule: &'static Rule,
    range: Range<usize>,
    message: String,
    help: Option<String>,
) -> Finding {
    let (line, column) = index.line_col(range.start);
    let (end_line, end_column) = index.line_col(range.end.max(range.start));
    Finding {
        rule: rule.id,
        severity: rule.severity,
        path: path.to_owned(),
        line,
        column,
        end_line,
        end_column,
        message,
        help,
        span: Some(range),
    }
}

/// A finding about a whole file (no line).
pub(crate) fn whole_file(path: &Path, rule: &'static Rule, message: String, help: Option<String>) -> Finding {
    Finding {
        rule: rule.id,
        severity: rule.severity,
        path: path.to_owned(),
        line: 0,
        column: 0,
        end_line: 0,
        end_column: 0,
        message,
        help,
        span: None,
    }
}
