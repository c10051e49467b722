//! Linting a whole migration set: the file-level rules over the scan, then every
//! SQL file, in parallel, with what the set as a whole tells about each.

use std::collections::BTreeMap;
use std::thread;

use std::path::PathBuf;

use strata_migrate::checksum::normalize;
use strata_migrate::create_schemas;
use strata_migrate::source::{ProblemKind, Scan};

use crate::check::{Analysis, analyze, finish};
use crate::config::Config;
use crate::report::Report;
use crate::rules;
use crate::set_facts::SetFacts;

/// Lints every file of a scanned migration directory.
pub fn lint_set(scan: &Scan, config: &Config) -> Report {
    let set = &scan.set;
    let mut report = Report::new();

    let mut file_findings = vec![];
    for problem in &scan.problems {
        file_findings.extend(
            rules::file_name::check(problem)
                .or_else(|| rules::missing_pair::check(problem))
                .or_else(|| rules::duplicate_version::check(problem))
                .or_else(|| rules::unreadable_file::check(problem)),
        );
    }
    file_findings.extend(rules::create_schemas_first::check_set(set));

    let create_schemas = set.migrate.first().filter(|m| m.description == create_schemas::DESCRIPTION);
    let schemas = config.schemas.clone().or_else(|| create_schemas.map(|m| create_schemas::created_schemas(&m.up.sql)));
    let base = SetFacts { schemas, create_schemas: false, functions: BTreeMap::new(), disable: config.disable.clone() };

    // (path, text, belongs to the create_schemas migration)
    let mut files: Vec<(PathBuf, String, bool)> = vec![];
    for m in set.migrate.iter().chain(&set.seed) {
        let is_cs = create_schemas.is_some_and(|c| std::ptr::eq(c, m));
        files.push((m.up.path.clone(), m.up.sql.clone(), is_cs));
        files.push((m.down.path.clone(), m.down.sql.clone(), is_cs));
    }
    // A file left out of the set (bad name, no partner, duplicate version) still
    // has SQL worth checking: report everything in one run.
    for problem in &scan.problems {
        let readable = !matches!(problem.kind, ProblemKind::Unreadable { .. } | ProblemKind::NotUtf8);
        let is_sql = problem.path.extension().is_some_and(|e| e == "sql");
        if readable
            && is_sql
            && let Ok(text) = std::fs::read_to_string(&problem.path)
        {
            files.push((problem.path.clone(), normalize(&text).into_owned(), false));
        }
    }

    let analyses = analyze_all(&files, &base);
    let mut ctx = base;
    for a in &analyses {
        for (name, schema) in &a.defines {
            ctx.functions.entry(name.clone()).or_insert_with(|| schema.clone());
        }
    }
    for ((path, text, is_cs), analysis) in files.iter().zip(analyses) {
        ctx.create_schemas = *is_cs;
        let findings = finish(analysis, &ctx);
        report.add_file(path, text, findings);
    }
    report.add_findings(file_findings.into_iter().filter(|f| !config.is_disabled(f.rule)));
    report.sort();
    report
}

/// Analyzes files on every core: syntax trees are not `Send`, so each thread
/// parses and checks its share and hands back plain results.
fn analyze_all(files: &[(PathBuf, String, bool)], base: &SetFacts) -> Vec<Analysis> {
    let threads = thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    if threads <= 1 {
        return files.iter().map(|(path, text, cs)| analyze(path, text, &with_cs(base, *cs))).collect();
    }
    let chunk = files.len().div_ceil(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter().map(|(path, text, cs)| analyze(path, text, &with_cs(base, *cs))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

fn with_cs(base: &SetFacts, create_schemas: bool) -> SetFacts {
    SetFacts { create_schemas, ..base.clone() }
}
