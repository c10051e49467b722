//! `strata dev`'s watch on the migrations folder: a new or changed pending file
//! is linted and applied at once (migrate, then seed, as `dev` does at start); an
//! applied file that changes is reported as modified and never run again.
//!
//! The folder is polled (names, sizes and modification times, every 200 ms)
//! rather than watched through the OS: it needs no dependency, behaves the same on
//! every file system (network mounts, containers' bind mounts, where inotify is
//! silent), and costs one `stat` per file, nothing next to a migration run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::event::{Event, FileId, SavedFile};
use anyhow::Result;
use strata_migrate::Track;
use strata_migrate::apply::Transactions;
use strata_migrate::history;
use strata_migrate::plan::{self, State};
use strata_migrate::source;

use crate::args::UpArgs;
use crate::config::Context;
use crate::output::{DIM, Output, YELLOW};

/// How often the folder is read.
const POLL: Duration = Duration::from_millis(200);
/// How long the folder must stay unchanged before a run: editors write a file in
/// several steps (a temporary file, a rename, a second write of the metadata).
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Every file of both track folders (hidden ones left out, as the scan leaves
/// them out) with its size and modification time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot(BTreeMap<PathBuf, (u64, Option<SystemTime>)>);

impl Snapshot {
    pub fn take(dir: &Path) -> Snapshot {
        let mut files = BTreeMap::new();
        for track in Track::ALL {
            let Ok(entries) = std::fs::read_dir(dir.join(track.as_str())) else { continue };
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_file() {
                    files.insert(entry.path(), (meta.len(), meta.modified().ok()));
                }
            }
        }
        Snapshot(files)
    }

    /// What changed from `self` to `new`, by path.
    fn changes(&self, new: &Snapshot) -> Vec<(PathBuf, Change)> {
        let mut out = vec![];
        for (path, meta) in &new.0 {
            match self.0.get(path) {
                None => out.push((path.clone(), Change::Added)),
                Some(old) if old != meta => out.push((path.clone(), Change::Changed)),
                Some(_) => {}
            }
        }
        out.extend(self.0.keys().filter(|p| !new.0.contains_key(*p)).map(|p| (p.clone(), Change::Removed)));
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Change {
    Added,
    Changed,
    Removed,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Removed => "removed",
        }
    }
}

/// Watches `ctx.dir` from `since` (taken before the first run, so nothing written
/// meanwhile is missed) until `stop` turns true.
pub async fn run(ctx: &Context, out: Output, since: Snapshot, mut stop: tokio::sync::watch::Receiver<bool>) {
    out.emit(Event::Watching { dir: &ctx.dir });
    out.note(format!("{DIM}watching {} for changes{DIM:#}", shown(ctx, &ctx.dir)));
    let mut settled = since;
    let mut seen = settled.clone();
    let mut last_change: Option<Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        let dir = ctx.dir.clone();
        let now = tokio::task::spawn_blocking(move || Snapshot::take(&dir)).await.unwrap_or_default();
        if now != seen {
            seen = now;
            last_change = Some(Instant::now());
            continue;
        }
        if last_change.is_some_and(|at| at.elapsed() >= DEBOUNCE) {
            last_change = None;
            let changes = settled.changes(&seen);
            settled = seen.clone();
            if !changes.is_empty() {
                on_change(ctx, out, &changes).await;
            }
        }
    }
}

/// Reports the changes; runs `up` on both tracks unless every change is to an
/// applied file (which is reported, never run again).
async fn on_change(ctx: &Context, out: Output, changes: &[(PathBuf, Change)]) {
    out.line("");
    for (path, change) in changes {
        out.emit(Event::FileChanged { path, change: change.as_str() });
        out.line(format!("{DIM}{}:{DIM:#} {}", change.as_str(), shown(ctx, path)));
    }
    let needs_run = match applied_changes(ctx, out, changes).await {
        Ok(needs_run) => needs_run,
        Err(err) => {
            crate::report(&err, out, crate::exit::code(&err));
            true
        }
    };
    if !needs_run {
        return;
    }
    let up = UpArgs { to: None, dry_run: false, allow_out_of_order: false, single_transaction: false };
    for track in [Track::Migrate, Track::Seed] {
        match crate::commands::track::up_with(ctx, out, track, &up, Transactions::SingleWhenPossible).await {
            Ok(0) => {}
            // Interrupted by Ctrl-C, which also stops dev: the seeds wait.
            Ok(_) => return,
            Err(err) => {
                crate::report(&err, out, crate::exit::code(&err));
                out.note(format!("{YELLOW}strata dev keeps running{YELLOW:#}: fix the file and save it again"));
                return;
            }
        }
    }
}

/// Reports each changed file of an applied migration; true when some change is
/// to anything else (a new or pending file, a removal), which needs a run.
async fn applied_changes(ctx: &Context, out: Output, changes: &[(PathBuf, Change)]) -> Result<bool> {
    let scan = source::scan(&ctx.dir);
    let mut conn = ctx.connect("strata dev").await?;
    let rows = history::read(&mut conn, &ctx.history).await?;
    let mut needs_run = false;
    for (path, change) in changes {
        let entry = Track::ALL.into_iter().find_map(|track| {
            plan::status(track, scan.set.track(track), &rows).into_iter().find(|e| {
                matches!(e.state, State::Applied | State::Modified)
                    && e.migration.is_some_and(|m| &m.up.path == path || &m.down.path == path)
            })
        });
        let Some(e) = entry.filter(|_| *change != Change::Removed) else {
            needs_run = true;
            continue;
        };
        let m = e.migration.expect("found by its migration");
        let file = shown(ctx, path);
        let (kind, message) = if &m.down.path == path {
            ("down_changed", format!("{file}: the down file of an applied migration; it runs on the next rollback"))
        } else if e.state == State::Modified {
            (
                "modified",
                format!(
                    "{file}: modified after it was applied; not run again (revert the edit and put the change in a new migration, or accept it with `strata migrate repair`)"
                ),
            )
        } else {
            ("unchanged", format!("{file}: applied, and its content is what was applied"))
        };
        let saved =
            SavedFile { file: FileId { track: e.track, version: e.version, description: &e.description }, path };
        out.emit(match kind {
            "down_changed" => Event::DownChanged(saved),
            "modified" => Event::Modified(saved),
            _ => Event::Unchanged(saved),
        });
        if kind == "modified" {
            out.warn(message);
        } else {
            out.line(message);
        }
    }
    Ok(needs_run)
}

/// `path` relative to the project folder when it is under it.
fn shown(ctx: &Context, path: &Path) -> String {
    path.strip_prefix(&ctx.root).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_added_changed_and_removed_files() {
        let at = |s| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        let old = Snapshot(BTreeMap::from([("a".into(), (1, at(1))), ("b".into(), (1, at(1)))]));
        let new = Snapshot(BTreeMap::from([("a".into(), (1, at(2))), ("c".into(), (1, at(1)))]));
        assert_eq!(
            old.changes(&new),
            [("a".into(), Change::Changed), ("c".into(), Change::Added), ("b".into(), Change::Removed)]
        );
        assert!(new.changes(&new).is_empty());
    }
}
