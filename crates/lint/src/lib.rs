//! `strata-lint`: checks a migration set offline — file names and pairs, the
//! create_schemas migration, schema qualification, idempotency, transaction use —
//! and reports each finding at `path:line:col` with a code frame.
//!
//! SQL is parsed with squawk's parser (`squawk-syntax`), a pure-Rust parser that
//! follows PostgreSQL's grammar, keeps a position on every node and also parses
//! PL/pgSQL bodies, so rules see the SQL inside `DO` blocks and functions.
//!
//! ```no_run
//! use std::path::Path;
//! let scan = strata_migrate::source::scan(Path::new("migrations"));
//! let report = strata_lint::lint_set(&scan, &strata_lint::Config::default());
//! print!("{}", strata_lint::render(&report, strata_lint::Format::Text, false));
//! std::process::exit(if report.errors() > 0 { 3 } else { 0 });
//! ```
//!
//! Each rule lives in its own file under `rules/`, with a stable kebab-case id
//! that suppressions (`-- strata:ignore rule-id`) and `[lint] disable` use.

mod builtin;
mod check;
mod config;
mod directives;
mod finding;
mod names;
mod parse;
mod plpgsql;
mod references;
mod render;
mod report;
mod rules;
mod set;
mod set_facts;
#[cfg(test)]
mod test_support;

use std::path::Path;

pub use config::{Config, ConfigError};
pub use finding::{Finding, Severity};
pub use render::{Format, render};
pub use report::Report;
pub use rules::{Rule, all as rules};
pub use set::lint_set;
pub use set_facts::SetFacts;

/// Lints one SQL file on its own (editors, tests). `ctx` says what the set around
/// it would: its schemas, its functions, disabled rules. Findings are sorted and
/// the file's own suppressions are applied.
pub fn lint_sql(path: &Path, sql: &str, ctx: &SetFacts) -> Vec<Finding> {
    let analysis = check::analyze(path, sql, ctx);
    let mut ctx = ctx.clone();
    for (name, schema) in &analysis.defines {
        ctx.functions.entry(name.clone()).or_insert_with(|| schema.clone());
    }
    check::finish(analysis, &ctx)
}
