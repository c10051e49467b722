//! The pure planner: from the files on disk and the rows in the history table,
//! decide what runs, in which order, or refuse. No database here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::history::{AppliedRow, RowStatus};
use crate::source::{Migration, Track, Version};

/// What the user asked for on one track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Apply pending files, all or up to and including `to`.
    Up { to: Option<Version>, allow_out_of_order: bool },
    /// Roll back applied files, newest version first.
    Down(DownTarget),
}

impl Request {
    /// Which file of each pair the request runs.
    pub fn direction(&self) -> Direction {
        match self {
            Request::Up { .. } => Direction::Up,
            Request::Down(_) => Direction::Down,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTarget {
    All,
    /// The newest `n` applied files.
    Steps(usize),
    /// Every applied file newer than this version (which stays applied).
    To(Version),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// The files to run, in order.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub track: Track,
    pub direction: Direction,
    pub steps: Vec<&'a Migration>,
}

/// The state of one version of one track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Applied,
    Pending,
    /// Applied, but the file changed since.
    Modified,
    /// Applied, but the file is gone.
    Missing,
    /// A no-transaction file that stopped part-way.
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Modified => "modified",
            State::Missing => "missing",
            State::Failed => "failed",
        }
    }
}

/// One line of `status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry<'a> {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub state: State,
    /// Pending, yet older than the newest applied version.
    pub out_of_order: bool,
    #[serde(skip)]
    pub migration: Option<&'a Migration>,
    pub file: Option<PathBuf>,
    /// Applied under another description: the file was renamed since (same
    /// version). Reported by status; `repair` records the new name.
    pub renamed_from: Option<String>,
    pub row: Option<AppliedRow>,
}

/// The description of the pair `strata squash` writes: `<V>_squashed.up.sql`.
pub const SQUASHED: &str = "squashed";

/// The version of the squashed file that covers this database's history, if any:
/// the newest `<V>_squashed` file of the migrate track whose version V the
/// history lists as applied under another description (the original file V).
/// Such a database applied the originals the squashed file replaced: their rows
/// (versions up to V, now without files) are covered by it, and the row of V
/// counts as the squashed file's, whatever its checksum. A database that applied
/// only some of the originals (no row for V) is not covered: its rows stay
/// missing files, and `up` refuses, as it would without the squash.
pub fn squash_cover(track: Track, files: &[Migration], rows: &[AppliedRow]) -> Option<Version> {
    if track != Track::Migrate {
        return None;
    }
    let v = files.iter().filter(|m| m.track == track && m.description == SQUASHED).map(|m| m.version).max()?;
    rows.iter()
        .any(|r| r.track == track && r.version == v && r.description != SQUASHED && r.status == RowStatus::Applied)
        .then_some(v)
}

/// Merges the files of one track with its history rows, by version.
pub fn status<'a>(track: Track, files: &'a [Migration], rows: &[AppliedRow]) -> Vec<Entry<'a>> {
    let mut by_version: BTreeMap<Version, (Option<&'a Migration>, Option<&AppliedRow>)> = BTreeMap::new();
    let cover = squash_cover(track, files, rows);
    for r in rows.iter().filter(|r| r.track == track) {
        // An original the squashed file replaced: shown by the squashed file's line.
        let covered = cover.is_some_and(|c| r.version < c) && !files.iter().any(|m| m.version == r.version);
        if !covered {
            by_version.entry(r.version).or_default().1 = Some(r);
        }
    }
    for m in files.iter().filter(|m| m.track == track) {
        let (file, row) = by_version.entry(m.version).or_default();
        // Two files with one version (a problem the scan reports): show the one
        // the history recorded, not whichever came last.
        if file.is_none() || row.is_some_and(|r| r.checksum == m.checksum) {
            *file = Some(m);
        }
    }
    let newest_applied = rows.iter().filter(|r| r.track == track).map(|r| r.version).max();
    by_version
        .into_iter()
        .map(|(version, (file, row))| {
            let state = match (file, row) {
                (Some(_), None) => State::Pending,
                (None, Some(r)) if r.status == RowStatus::Failed => State::Failed,
                (None, _) => State::Missing,
                (Some(_), Some(r)) if r.status == RowStatus::Failed => State::Failed,
                (Some(_), Some(_)) if cover == Some(version) => State::Applied,
                (Some(f), Some(r)) if f.checksum != r.checksum => State::Modified,
                (Some(_), Some(_)) => State::Applied,
            };
            Entry {
                track,
                version,
                description: file
                    .map(|f| f.description.clone())
                    .or(row.map(|r| r.description.clone()))
                    .unwrap_or_default(),
                state,
                out_of_order: state == State::Pending && newest_applied.is_some_and(|n| version < n),
                migration: file,
                file: file.map(|f| f.up.path.clone()),
                renamed_from: match (file, row) {
                    (Some(f), Some(r)) if f.description != r.description && cover != Some(version) => {
                        Some(r.description.clone())
                    }
                    _ => None,
                },
                row: row.cloned(),
            }
        })
        .collect()
}

/// Why a plan was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the {track} track is inconsistent with the database:{}", list(.problems))]
    Inconsistent { track: Track, problems: Vec<Inconsistency> },
    #[error("{track} version {version} is not in the migration files{}", if *.applied { " (it is applied, but its file is gone)" } else { "" })]
    UnknownTarget { track: Track, version: Version, applied: bool },
}

fn list(problems: &[Inconsistency]) -> String {
    problems.iter().map(|p| format!("\n  {p}")).collect()
}

/// One reason the set and the database disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    #[error("{version} ({file}) was edited after it was applied; restore it, or accept the edit with `strata migrate repair`", file = .file.display())]
    Modified { version: Version, file: PathBuf },
    #[error("{version}_{description} is applied but its files are missing; restore them")]
    Missing { version: Version, description: String },
    #[error("{version}_{description} failed part-way{}; make it safe to re-run, then `strata migrate repair` to retry it", .failure.as_deref().map(|f| format!(" ({f})")).unwrap_or_default())]
    Failed { version: Version, description: String, failure: Option<String> },
    #[error("{version} ({file}) is pending but older than the newest applied version {newest}; {}", if *.rolling_back { "apply it first (`up --allow-out-of-order`) or remove it" } else { "pass --allow-out-of-order to apply it" }, file = .file.display())]
    OutOfOrder {
        version: Version,
        file: PathBuf,
        newest: Version,
        /// Found while planning a rollback, which has no --allow-out-of-order.
        rolling_back: bool,
    },
}

/// Decides what to run on one track.
pub fn plan<'a>(
    track: Track,
    files: &'a [Migration],
    rows: &[AppliedRow],
    request: &Request,
) -> Result<Plan<'a>, PlanError> {
    let entries = status(track, files, rows);
    let allow_out_of_order = matches!(request, Request::Up { allow_out_of_order: true, .. });
    let newest = rows.iter().filter(|r| r.track == track).map(|r| r.version).max();
    let mut problems = vec![];
    for e in &entries {
        match e.state {
            State::Modified => {
                problems.push(Inconsistency::Modified { version: e.version, file: e.file.clone().unwrap_or_default() })
            }
            State::Missing => {
                problems.push(Inconsistency::Missing { version: e.version, description: e.description.clone() })
            }
            State::Failed => problems.push(Inconsistency::Failed {
                version: e.version,
                description: e.description.clone(),
                failure: e.row.as_ref().and_then(|r| r.failure.clone()),
            }),
            State::Pending if e.out_of_order && !allow_out_of_order => problems.push(Inconsistency::OutOfOrder {
                version: e.version,
                file: e.file.clone().unwrap_or_default(),
                newest: newest.expect("out of order implies an applied version"),
                rolling_back: matches!(request, Request::Down(_)),
            }),
            State::Pending | State::Applied => {}
        }
    }
    if !problems.is_empty() {
        return Err(PlanError::Inconsistent { track, problems });
    }
    let known = |v: &Version| -> Result<(), PlanError> {
        match entries.iter().find(|e| e.version == *v) {
            Some(e) if e.migration.is_some() => Ok(()),
            found => Err(PlanError::UnknownTarget { track, version: *v, applied: found.is_some() }),
        }
    };
    match request {
        Request::Up { to, .. } => {
            if let Some(to) = to {
                known(to)?;
            }
            let steps = entries
                .iter()
                .filter(|e| e.state == State::Pending && to.is_none_or(|to| e.version <= to))
                .filter_map(|e| e.migration)
                .collect();
            Ok(Plan { track, direction: Direction::Up, steps })
        }
        Request::Down(target) => {
            if let DownTarget::To(to) = target {
                known(to)?;
            }
            let applied = entries.iter().rev().filter(|e| e.state == State::Applied).filter_map(|e| e.migration);
            let steps = match target {
                DownTarget::All => applied.collect(),
                DownTarget::Steps(n) => applied.take(*n).collect(),
                DownTarget::To(to) => applied.filter(|m| m.version > *to).collect(),
            };
            Ok(Plan { track, direction: Direction::Down, steps })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::Checksum;
    use crate::source::SqlFile;
    use chrono::{NaiveDate, Utc};
    use proptest::prelude::*;

    fn v(seq: u32) -> Version {
        Version::new(NaiveDate::from_ymd_opt(2025, 11, 24).unwrap(), seq).unwrap()
    }

    fn file(seq: u32, body: &str) -> Migration {
        let sql = |d: &str| SqlFile {
            path: format!("migrate/{}_m{seq}.{d}.sql", v(seq)).into(),
            sql: body.into(),
            no_transaction: false,
        };
        Migration {
            track: Track::Migrate,
            version: v(seq),
            description: format!("m{seq}"),
            up: sql("up"),
            down: sql("down"),
            checksum: Checksum::of(body),
        }
    }

    fn row(seq: u32, body: &str) -> AppliedRow {
        AppliedRow {
            track: Track::Migrate,
            version: v(seq),
            description: format!("m{seq}"),
            checksum: Checksum::of(body),
            status: RowStatus::Applied,
            applied_at: Utc::now(),
            execution_ms: 1,
            applied_by: "t".into(),
            applied_from: None,
            baselined: false,
            failure: None,
            previous_checksum: None,
            repaired_at: None,
        }
    }

    fn up() -> Request {
        Request::Up { to: None, allow_out_of_order: false }
    }

    fn seqs(plan: &Plan<'_>) -> Vec<u32> {
        plan.steps.iter().map(|m| m.version.seq()).collect()
    }

    /// A `<V>_squashed` file covers the rows of the originals it replaced when the
    /// row of V is the original's; not when only some originals were applied, and
    /// not a squashed file that was itself applied and then edited.
    #[test]
    fn a_squashed_file_covers_the_originals_rows() {
        let mut squashed = file(3, "all three");
        squashed.description = SQUASHED.into();
        let files = [file(0, "schemas"), squashed, file(4, "later")];
        let originals = [row(0, "schemas"), row(1, "a"), row(2, "b"), row(3, "c")];
        let states: Vec<_> =
            status(Track::Migrate, &files, &originals).iter().map(|e| (e.version.seq(), e.state)).collect();
        assert_eq!(states, [(0, State::Applied), (3, State::Applied), (4, State::Pending)]);
        assert!(status(Track::Migrate, &files, &originals).iter().all(|e| e.renamed_from.is_none()));
        assert_eq!(seqs(&plan(Track::Migrate, &files, &originals, &up()).unwrap()), [4]);
        // Applied up to 2 only: the rows of 1 and 2 have no file, and 3 would run on part of its objects.
        let partial = &originals[..3];
        assert!(matches!(plan(Track::Migrate, &files, partial, &up()), Err(PlanError::Inconsistent { .. })));
        // A fresh database: the squashed file is pending.
        assert_eq!(seqs(&plan(Track::Migrate, &files, &[row(0, "schemas")], &up()).unwrap()), [3, 4]);
        // The squashed file applied, then edited: modified, as any file.
        let mut applied = row(3, "all three, before");
        applied.description = SQUASHED.into();
        let e = status(Track::Migrate, &files, &[row(0, "schemas"), applied]);
        assert_eq!(e[1].state, State::Modified);
        // The seed track knows no squash.
        assert_eq!(squash_cover(Track::Seed, &files, &originals), None);
    }

    /// With two files of one version, status showed the unapplied one as "modified".
    #[test]
    fn a_duplicate_version_shows_the_applied_file() {
        let files = [file(1, "a"), file(1, "b")];
        for (applied, body) in [(0, "a"), (1, "b")] {
            let e = &status(Track::Migrate, &files, &[row(1, body)])[0];
            assert_eq!(e.state, State::Applied);
            assert!(std::ptr::eq(e.migration.unwrap(), &files[applied]));
        }
    }

    /// A rename (same version, new description) was accepted silently.
    #[test]
    fn a_renamed_applied_file_is_reported() {
        let mut f = file(1, "a");
        f.description = "new_name".into();
        let files = [f];
        let e = &status(Track::Migrate, &files, &[row(1, "a")])[0];
        assert_eq!(e.renamed_from.as_deref(), Some("m1"));
    }

    /// `migrate down` advised --allow-out-of-order, a flag it does not have.
    #[test]
    fn out_of_order_advice_on_down_names_no_missing_flag() {
        let files = [file(1, "a"), file(2, "b"), file(3, "c")];
        let rows = [row(1, "a"), row(3, "c")];
        let err = plan(Track::Migrate, &files, &rows, &Request::Down(DownTarget::Steps(1))).unwrap_err().to_string();
        assert!(!err.contains("pass --allow-out-of-order"), "{err}");
        assert!(err.contains("up --allow-out-of-order"), "{err}");
    }

    #[test]
    fn up_runs_pending_in_version_order() {
        let files = vec![file(0, "a"), file(1, "b"), file(2, "c")];
        let p = plan(Track::Migrate, &files, &[row(0, "a")], &up()).unwrap();
        assert_eq!(seqs(&p), [1, 2]);
        let p = plan(Track::Migrate, &files, &[], &Request::Up { to: Some(v(1)), allow_out_of_order: false }).unwrap();
        assert_eq!(seqs(&p), [0, 1]);
    }

    #[test]
    fn up_to_an_unknown_version_is_refused() {
        let files = vec![file(0, "a")];
        let err =
            plan(Track::Migrate, &files, &[], &Request::Up { to: Some(v(9)), allow_out_of_order: false }).unwrap_err();
        assert_eq!(err, PlanError::UnknownTarget { track: Track::Migrate, version: v(9), applied: false });
    }

    #[test]
    fn edited_applied_file_is_refused_in_both_directions() {
        let files = vec![file(0, "a"), file(1, "b-edited")];
        let rows = [row(0, "a"), row(1, "b")];
        for req in [up(), Request::Down(DownTarget::All)] {
            let err = plan(Track::Migrate, &files, &rows, &req).unwrap_err();
            assert!(
                matches!(&err, PlanError::Inconsistent { problems, .. } if matches!(problems[..], [Inconsistency::Modified { version, .. }] if version == v(1))),
                "{err}"
            );
        }
    }

    #[test]
    fn missing_and_failed_files_are_reported_together() {
        let files = vec![file(0, "a"), file(2, "c")];
        let mut failed = row(2, "c");
        failed.status = RowStatus::Failed;
        let rows = [row(0, "a"), row(1, "b"), failed];
        let PlanError::Inconsistent { problems, .. } = plan(Track::Migrate, &files, &rows, &up()).unwrap_err() else {
            panic!()
        };
        assert!(matches!(problems[..], [Inconsistency::Missing { .. }, Inconsistency::Failed { .. }]));
    }

    #[test]
    fn out_of_order_needs_the_flag() {
        let files = vec![file(0, "a"), file(1, "b"), file(2, "c")];
        let rows = [row(0, "a"), row(2, "c")];
        let err = plan(Track::Migrate, &files, &rows, &up()).unwrap_err();
        assert!(
            matches!(&err, PlanError::Inconsistent { problems, .. } if matches!(problems[..], [Inconsistency::OutOfOrder { newest, .. }] if newest == v(2)))
        );
        let p = plan(Track::Migrate, &files, &rows, &Request::Up { to: None, allow_out_of_order: true }).unwrap();
        assert_eq!(seqs(&p), [1]);
    }

    #[test]
    fn down_targets() {
        let files: Vec<_> = (0..5).map(|i| file(i, "x")).collect();
        let rows: Vec<_> = (0..4).map(|i| row(i, "x")).collect();
        let down = |t| plan(Track::Migrate, &files, &rows, &Request::Down(t)).map(|p| seqs(&p));
        assert_eq!(down(DownTarget::All).unwrap(), [3, 2, 1, 0]);
        assert_eq!(down(DownTarget::Steps(2)).unwrap(), [3, 2]);
        assert_eq!(down(DownTarget::Steps(0)).unwrap(), Vec::<u32>::new());
        assert_eq!(down(DownTarget::Steps(99)).unwrap(), [3, 2, 1, 0]);
        assert_eq!(down(DownTarget::To(v(1))).unwrap(), [3, 2]);
        assert_eq!(down(DownTarget::To(v(4))).unwrap(), Vec::<u32>::new());
        assert!(down(DownTarget::To(v(7))).is_err());
    }

    #[test]
    fn status_names_every_state() {
        let files = vec![file(0, "a"), file(1, "b2"), file(3, "d")];
        let rows = [row(0, "a"), row(1, "b"), row(2, "c")];
        let states: Vec<_> = status(Track::Migrate, &files, &rows).iter().map(|e| (e.version.seq(), e.state)).collect();
        assert_eq!(states, [(0, State::Applied), (1, State::Modified), (2, State::Missing), (3, State::Pending)]);
    }

    proptest! {
        // The planner's core promise: applying the up plan, then the full down plan,
        // visits every file exactly once each way, in opposite orders, and never
        // touches a file twice.
        #[test]
        fn up_then_down_is_a_palindrome(n in 0u32..30, applied_prefix in 0u32..30, steps in 0usize..40) {
            let files: Vec<_> = (0..n).map(|i| file(i, "x")).collect();
            let rows: Vec<_> = (0..applied_prefix.min(n)).map(|i| row(i, "x")).collect();
            let p = plan(Track::Migrate, &files, &rows, &up()).unwrap();
            let ups = seqs(&p);
            prop_assert_eq!(ups.clone(), (applied_prefix.min(n)..n).collect::<Vec<_>>());
            let mut all_rows = rows.clone();
            all_rows.extend(ups.iter().map(|&i| row(i, "x")));
            let d = plan(Track::Migrate, &files, &all_rows, &Request::Down(DownTarget::All)).unwrap();
            prop_assert_eq!(seqs(&d), (0..n).rev().collect::<Vec<_>>());
            let s = plan(Track::Migrate, &files, &all_rows, &Request::Down(DownTarget::Steps(steps))).unwrap();
            prop_assert_eq!(seqs(&s), (0..n).rev().take(steps).collect::<Vec<_>>());
        }

        #[test]
        fn any_edit_of_any_applied_file_is_caught(n in 1u32..20, edited in 0u32..20) {
            let edited = edited % n;
            let files: Vec<_> = (0..n).map(|i| file(i, if i == edited { "y" } else { "x" })).collect();
            let rows: Vec<_> = (0..n).map(|i| row(i, "x")).collect();
            let is_modified = matches!(
                plan(Track::Migrate, &files, &rows, &up()),
                Err(PlanError::Inconsistent { problems, .. }) if problems == vec![Inconsistency::Modified { version: v(edited), file: files[edited as usize].up.path.clone() }]
            );
            prop_assert!(is_modified);
        }

        #[test]
        fn nothing_pending_is_ever_skipped(applied in proptest::collection::btree_set(0u32..25, 0..25), allow in any::<bool>()) {
            let files: Vec<_> = (0..25).map(|i| file(i, "x")).collect();
            let rows: Vec<_> = applied.iter().map(|&i| row(i, "x")).collect();
            match plan(Track::Migrate, &files, &rows, &Request::Up { to: None, allow_out_of_order: allow }) {
                Ok(p) => {
                    let ups = seqs(&p);
                    let expected: Vec<u32> = (0..25).filter(|i| !applied.contains(i)).collect();
                    prop_assert_eq!(ups, expected);
                }
                Err(PlanError::Inconsistent { problems, .. }) => {
                    prop_assert!(!allow);
                    let all_out_of_order = problems.iter().all(|p| matches!(p, Inconsistency::OutOfOrder { .. }));
                    prop_assert!(all_out_of_order);
                }
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}
