//! What the migrations tab shows: every file of both tracks with its state against
//! the history table (applied, pending, modified, missing, failed), the problems of
//! the directory, and the linter's findings.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use strata_migrate::history;
use strata_migrate::plan::{self, State};
use strata_migrate::source::{self, Track};

use crate::config::StudioConfig;
use crate::db::error::DbError;
use crate::db::transaction::{self, Access};

/// One version of one track.
#[derive(Debug, Clone)]
pub struct EntryView {
    pub track: Track,
    pub version: String,
    pub description: String,
    pub state: State,
    pub out_of_order: bool,
    pub applied_at: Option<DateTime<Utc>>,
    pub execution_ms: Option<i64>,
    pub applied_by: Option<String>,
    pub failure: Option<String>,
    pub file: Option<PathBuf>,
}

/// One lint finding, ready to print.
#[derive(Debug, Clone)]
pub struct LintView {
    pub rule: &'static str,
    pub severity: &'static str,
    pub place: String,
    pub message: String,
    pub help: Option<String>,
}

/// The whole tab.
#[derive(Debug, Clone)]
pub struct MigrationsView {
    pub dir: PathBuf,
    pub entries: Vec<EntryView>,
    pub problems: Vec<String>,
    pub lint: Vec<LintView>,
    pub files_linted: usize,
}

/// Reads the directory, the history and the linter's report; `None` when the
/// studio was started without a migrations directory.
pub async fn load(pool: &PgPool, config: &StudioConfig) -> Result<Option<MigrationsView>, DbError> {
    let Some(dir) = config.migrations_dir.clone() else { return Ok(None) };
    let lint_config = config.lint.clone();
    let scan_dir = dir.clone();
    let (scan, report) = tokio::task::spawn_blocking(move || {
        let scan = source::scan(&scan_dir);
        let report = strata_lint::lint_set(&scan, &lint_config);
        (scan, report)
    })
    .await
    .map_err(DbError::MigrationsUnread)?;
    let mut tx = transaction::begin(pool, Access::ReadOnly, config.statement_timeout).await?;
    let rows = history::read(&mut tx, &config.history_table).await.map_err(DbError::History)?;
    tx.rollback().await?;
    let mut entries = Vec::new();
    for track in Track::ALL {
        for e in plan::status(track, scan.set.track(track), &rows) {
            entries.push(EntryView {
                track,
                version: e.version.to_string(),
                description: e.description.clone(),
                state: e.state,
                out_of_order: e.out_of_order,
                applied_at: e.row.as_ref().map(|r| r.applied_at),
                execution_ms: e.row.as_ref().map(|r| r.execution_ms),
                applied_by: e.row.as_ref().map(|r| r.applied_by.clone()),
                failure: e.row.as_ref().and_then(|r| r.failure.clone()),
                file: e.file.as_deref().map(|p| relative(&dir, p)),
            });
        }
    }
    let lint = report
        .findings
        .iter()
        .map(|f| LintView {
            rule: f.rule,
            severity: f.severity.as_str(),
            place: if f.has_position() {
                format!("{}:{}:{}", relative(&dir, &f.path).display(), f.line, f.column)
            } else {
                relative(&dir, &f.path).display().to_string()
            },
            message: f.message.clone(),
            help: f.help.clone(),
        })
        .collect();
    Ok(Some(MigrationsView {
        problems: scan.problems.iter().map(ToString::to_string).collect(),
        dir,
        entries,
        lint,
        files_linted: report.files_checked,
    }))
}

fn relative(dir: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(dir).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}
