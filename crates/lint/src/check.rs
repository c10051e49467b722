//! Linting one file: parse it, run the SQL rules, place each finding, apply the
//! file's suppressions.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use rowan::TextRange;
use strata_migrate::split::{self, LexError, MetaCommand, Piece, Statement};
use strata_migrate::text_position::LineIndex;

use crate::directives::{self, Directive, DirectiveKind};
use crate::finding::Finding;
use crate::parse::ParsedFile;
use crate::references::{ObjectRef, bare_calls, object_refs, transition_tables};
use crate::rules::{self, Rule};
use crate::set_facts::SetFacts;

/// What a rule sees of the file it checks.
pub(crate) struct Check<'a> {
    pub file: &'a ParsedFile,
    /// The SQL as parsed: COPY data and psql meta-commands blanked, offsets kept.
    pub text: &'a str,
    /// The file as written.
    pub original: &'a str,
    /// The file cut as the runner cuts it (up to a lexical error, if any).
    pub pieces: &'a [Piece<'a>],
    /// The file ends inside a comment, quote or dollar quote.
    pub lex_error: Option<&'a LexError>,
    pub ctx: &'a SetFacts,
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

impl<'a> Check<'a> {
    /// The file's top-level statements, as the runner sends them.
    pub(crate) fn statements(&self) -> impl Iterator<Item = &'a Statement<'a>> + use<'a> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Statement(s) => Some(s),
            _ => None,
        })
    }

    /// The top-level statements that run inside strata's transaction: all of
    /// them, unless the file is `-- strata:no-transaction`.
    pub(crate) fn statements_in_transaction(&self) -> impl Iterator<Item = &'a Statement<'a>> + use<'a> {
        let in_transaction = !self.no_transaction;
        self.statements().filter(move |_| in_transaction)
    }

    /// The file's psql meta-commands.
    pub(crate) fn meta_commands(&self) -> impl Iterator<Item = &'a MetaCommand<'a>> + use<'a> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::MetaCommand(m) => Some(m),
            _ => None,
        })
    }

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

/// The byte range of a statement's first line, where a finding about the whole
/// statement is shown.
pub(crate) fn first_line(s: &Statement<'_>) -> Range<usize> {
    s.offset..s.offset + s.text.find('\n').unwrap_or(s.text.len())
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
pub(crate) fn analyze(path: &Path, original: &str, ctx: &SetFacts) -> Analysis {
    let mut pieces = vec![];
    let mut lex_error = None;
    for piece in split::pieces(original) {
        match piece {
            Ok(p) => pieces.push(p),
            Err(e) => lex_error = Some(e),
        }
    }
    let sql = sql_only(original, &pieces);
    let text: &str = &sql;
    let file = ParsedFile::parse(text);
    let index = LineIndex::new(original);
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
    let mut check = Check {
        file: &file,
        text,
        original,
        pieces: &pieces,
        lex_error: lex_error.as_ref(),
        ctx,
        no_transaction,
        refs,
        directives: &directives,
        found: vec![],
    };

    // An unclosed quote or comment is the `unterminated` finding; the parser's
    // error about it would say the same again.
    if lex_error.is_none() {
        rules::syntax_error::check(&mut check);
    }
    // Rules read the tree; on a file PostgreSQL would reject, the tree is a guess
    // and its findings would be noise.
    let parsed = check.found.is_empty() && lex_error.is_none();
    rules::unterminated::check(&mut check);
    rules::psql_meta_command::check(&mut check);
    rules::transaction_control::check(&mut check);
    rules::needs_no_transaction::check(&mut check);
    if parsed {
        rules::create_schemas_first::check(&mut check);
        rules::unknown_schema::check(&mut check);
        rules::unqualified_relation::check(&mut check);
        rules::non_idempotent::check(&mut check);
        rules::concurrently_in_transaction::check(&mut check);
        rules::dynamic_sql::check(&mut check);
    }
    rules::invalid_directive::check(&mut check);
    rules::invalid_directive_value::check(&mut check);

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

/// The file as the parser should see it: COPY data (with its `\.` line) and
/// psql meta-commands blanked to spaces, line breaks and offsets kept, so every
/// finding still points into the file as written.
fn sql_only<'t>(text: &'t str, pieces: &[Piece<'_>]) -> Cow<'t, str> {
    let mut blank = vec![];
    for piece in pieces {
        match piece {
            Piece::CopyData(d) => {
                let end = d.offset + d.data.len();
                blank.push(d.offset..if d.terminated { end + 2 } else { end });
            }
            Piece::MetaCommand(m) => {
                let end = m.offset + m.text.len();
                // the `\\` that separates a command from what follows on its line
                let separator = if text[end..].trim_start_matches([' ', '\t']).starts_with("\\\\") {
                    text[end..].find("\\\\").map_or(0, |i| i + 2)
                } else {
                    0
                };
                blank.push(m.offset..end + separator);
            }
            Piece::Statement(_) => {}
        }
    }
    if blank.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in blank {
        for b in &mut bytes[range] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    Cow::Owned(String::from_utf8(bytes).expect("blanking whole characters keeps the text UTF-8"))
}

/// Applies what only the whole set knows (its functions), then the file's
/// suppressions and the disabled rules.
pub(crate) fn finish(mut analysis: Analysis, ctx: &SetFacts) -> Vec<Finding> {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::test_support::context;

    #[test]
    fn copy_data_and_meta_commands_are_not_parsed_as_sql_and_positions_hold() {
        // (file, SQL, the one finding: rule, line, column)
        let cases = [
            // The rows would be syntax errors as SQL; the unqualified table after them
            // must still be reported at its own line and column.
            (
                "seed.up.sql",
                "COPY app.items (id, name) FROM stdin;\n1\tsemi; colon 'quote\n2\tCREATE TABLE x (\n\\.\nINSERT INTO items VALUES (3, 'é') ON CONFLICT DO NOTHING;\n",
                ("unqualified-relation", 5, 13),
            ),
            // A meta-command is reported once, not also as a syntax error.
            ("a.up.sql", "\\set x 1 \\\\ SELECT 1;\nSELECT 2;\n", ("psql-meta-command", 1, 1)),
        ];
        for (path, sql, expected) in cases {
            let findings = crate::lint_sql(Path::new(path), sql, &context());
            let found: Vec<_> = findings.iter().map(|f| (f.rule, f.line, f.column)).collect();
            assert_eq!(found, [expected], "{sql}");
        }
    }
}
