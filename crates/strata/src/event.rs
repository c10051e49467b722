//! Every NDJSON event `--json` prints, declared once: one line per event on
//! stdout, an object whose `event` field names it (the README's "Machine output"
//! lists them). Several outcomes share a name where scripts read them alike (every
//! command ends with a `summary`), each with the fields its command knows.
//! Serialisation is serde's: a field added here is added to the output, and the
//! snapshot test below shows any change to a line a script may parse.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use strata_migrate::event::Blocker;
use strata_migrate::lock::LockHolder;
use strata_migrate::plan::State;
use strata_migrate::{Direction, Migration, Track, Version};

/// The track, version and description of a migration or seed, as every event
/// about one file carries them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FileId<'a> {
    pub track: Track,
    pub version: Version,
    pub description: &'a str,
}

impl<'a> From<&'a Migration> for FileId<'a> {
    fn from(m: &'a Migration) -> FileId<'a> {
        FileId { track: m.track, version: m.version, description: &m.description }
    }
}

/// An applied file that `strata dev` saw saved: which, and its path (`file`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SavedFile<'a> {
    #[serde(flatten)]
    pub file: FileId<'a>,
    #[serde(rename = "file")]
    pub path: &'a Path,
}

/// One line of `--json` output.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    // ---- migrate / seed up and down ----
    /// `--dry-run`: a file the run would apply or roll back.
    WouldRun {
        #[serde(flatten)]
        file: FileId<'a>,
        direction: Direction,
        #[serde(rename = "file")]
        path: &'a Path,
        no_transaction: bool,
    },
    /// `--dry-run`: the end.
    #[serde(rename = "summary")]
    DryRunSummary {
        dry_run: bool,
        track: Track,
        direction: Direction,
        count: usize,
    },
    /// Another run holds the migration lock; this one waits.
    LockWaiting {
        holder: Option<&'a LockHolder>,
    },
    /// What the run is about to do.
    Plan {
        track: Track,
        direction: Direction,
        count: usize,
    },
    /// A statement waits for a lock that this session holds.
    Blocked {
        #[serde(flatten)]
        file: FileId<'a>,
        blocker: &'a Blocker,
        message: String,
    },
    /// A statement gave up on PostgreSQL's lock_timeout and runs again.
    LockRetry {
        #[serde(flatten)]
        file: FileId<'a>,
        attempt: u32,
        delay_ms: u64,
        waited_ms: u64,
        /// 1-based statement of a no-transaction file retried alone.
        statement: Option<usize>,
    },
    /// An INVALID index that an earlier attempt left was dropped before it is built again.
    InvalidIndexDropped {
        #[serde(flatten)]
        file: FileId<'a>,
        index: &'a str,
    },
    /// A file applied (its history row written in its transaction).
    Applied {
        #[serde(flatten)]
        file: FileId<'a>,
        elapsed_ms: u64,
    },
    /// A file rolled back.
    Reverted {
        #[serde(flatten)]
        file: FileId<'a>,
        elapsed_ms: u64,
    },
    /// The run finished.
    #[serde(rename = "summary")]
    RunSummary {
        track: Track,
        direction: &'a str,
        count: usize,
        elapsed_ms: u64,
    },
    /// Ctrl-C or SIGTERM stopped the run; `count` files were done before it.
    #[serde(rename = "summary")]
    RunInterrupted {
        track: Track,
        direction: &'a str,
        count: usize,
        interrupted: bool,
    },
    /// A file failed; `count` files were done before it.
    #[serde(rename = "summary")]
    RunFailed {
        track: Track,
        direction: &'a str,
        count: usize,
        failed: bool,
    },

    // ---- migrate / seed status ----
    /// One version of a track, as the history and the folder describe it.
    Status {
        #[serde(flatten)]
        file: FileId<'a>,
        state: State,
        out_of_order: bool,
        #[serde(rename = "file")]
        path: Option<&'a Path>,
        applied_at: Option<DateTime<Utc>>,
        execution_ms: Option<i64>,
        applied_by: Option<&'a str>,
        applied_from: Option<&'a str>,
        baselined: Option<bool>,
        failure: Option<&'a str>,
        checksum: Option<String>,
        renamed_from: Option<&'a str>,
    },
    /// A problem with the track's folder (a file it cannot use).
    Problem {
        path: &'a Path,
        message: String,
    },
    /// The end of a status listing.
    #[serde(rename = "summary")]
    StatusSummary {
        track: Track,
        applied: usize,
        pending: usize,
        problems: usize,
    },

    // ---- migrate repair / baseline ----
    /// `repair --forget-missing`: a deleted applied file is forgotten.
    MissingForgotten {
        #[serde(flatten)]
        file: FileId<'a>,
    },
    /// `baseline`: a version recorded as applied without running it.
    Baselined {
        track: Track,
        version: Version,
    },
    #[serde(rename = "summary")]
    BaselineSummary {
        baselined: usize,
    },
    /// `repair`: the edit of an applied file accepted (new checksum recorded).
    ChecksumAccepted {
        track: Track,
        version: Version,
        old: &'a str,
        new: &'a str,
    },
    /// `repair`: a failed run cleared; the file runs again.
    FailureCleared {
        track: Track,
        version: Version,
    },
    /// `repair`: a failed rollback of a no-transaction file reset to applied.
    RollbackReset {
        track: Track,
        version: Version,
    },
    /// `repair`: a rename (same version, new description) recorded.
    RenameAccepted {
        track: Track,
        version: Version,
        old: &'a str,
        new: &'a str,
    },
    #[serde(rename = "summary")]
    RepairSummary {
        checksums: usize,
        cleared: usize,
        rollbacks_reset: usize,
        renamed: usize,
    },

    // ---- strata dev's watcher ----
    /// The watcher started.
    Watching {
        dir: &'a Path,
    },
    /// A file in the migrations folder was added, changed or removed.
    FileChanged {
        path: &'a Path,
        change: &'a str,
    },
    /// The down file of an applied migration changed (it runs on the next rollback).
    DownChanged(SavedFile<'a>),
    /// An applied file was edited: not run again.
    Modified(SavedFile<'a>),
    /// An applied file was saved without a change to what was applied.
    Unchanged(SavedFile<'a>),

    // ---- verify ----
    /// One file's up, down and up again checked on the scratch database.
    Verified {
        #[serde(flatten)]
        file: FileId<'a>,
        ok: bool,
        problems: &'a [strata_migrate::verify::Problem],
    },
    #[serde(rename = "summary")]
    VerifySummary {
        files: usize,
        problems: usize,
        loose_columns: &'a std::collections::BTreeSet<String>,
    },

    // ---- read replicas: serve --replica, migrate up --wait-replicas, migrate status ----
    /// `serve`: the replicas reads may go to.
    Replicas {
        replicas: &'a [&'a str],
        max_lag_ms: u64,
    },
    /// `--wait-replicas`: a replica replayed the primary's position after the run.
    ReplicaCaughtUp {
        replica: &'a str,
        lsn: &'a str,
        waited_ms: u64,
    },
    /// `--wait-replicas`: a replica still behind when the wait ran out.
    ReplicaLagging {
        replica: &'a str,
        lsn: &'a str,
        detail: &'a str,
    },
    /// `migrate status`: one replica's replay position and lag.
    Replica {
        replica: &'a str,
        /// `standby`, `not_standby` or `unreachable`.
        state: &'a str,
        primary_lsn: &'a str,
        replay_lsn: Option<&'a str>,
        behind_bytes: Option<i64>,
        lag_seconds: Option<f64>,
    },

    // ---- drift, migrate status --drift, [migrate] check_drift ----
    /// The live database against a replay of its applied files; `elapsed_ms` and
    /// `check_drift` when the check ran before `migrate up`.
    Drift {
        clean: bool,
        report: &'a strata_migrate::drift::Report,
        #[serde(skip_serializing_if = "Option::is_none")]
        elapsed_ms: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        check_drift: Option<String>,
    },

    // ---- schema dump / check ----
    /// `schema dump`: a schema's file written (`changed`) or found up to date.
    SchemaDumped {
        schema: &'a str,
        file: &'a Path,
        lines: usize,
        changed: bool,
    },
    /// `schema dump`: a file no project schema makes any more, removed.
    SchemaRemoved {
        file: &'a Path,
    },
    #[serde(rename = "summary")]
    SchemaDumpSummary {
        schemas: usize,
        dir: &'a Path,
    },
    /// `schema check`: a committed file that is not what the files produce.
    SchemaDiffers {
        schema: &'a str,
        file: &'a str,
        line: Option<usize>,
        message: &'a str,
    },
    #[serde(rename = "summary")]
    SchemaCheckSummary {
        schemas: usize,
        differ: usize,
    },

    // ---- squash ----
    /// `squash --to V`: the pair written, proven equal to the `replaced` files it removed.
    Squashed {
        to: Version,
        replaced: usize,
        up: &'a Path,
        down: &'a Path,
    },

    // ---- generate, init ----
    /// `generate`: the new pair of files.
    Generated {
        track: Track,
        version: Version,
        up: &'a Path,
        down: &'a Path,
    },
    /// `init`: a file created.
    Created {
        path: &'a Path,
    },
    /// `init`: lines appended to an existing file.
    Appended {
        path: &'a Path,
        lines: &'a [&'a str],
    },
    /// `init`: a file that has strata's lines already.
    Kept {
        path: &'a Path,
    },

    // ---- db ----
    DbStarted {
        url: String,
        port: u16,
        data_dir: &'a Path,
        already_running: bool,
    },
    DbStopped {
        was_running: bool,
    },
    DbStatus {
        running: bool,
        initialized: bool,
        port: Option<u16>,
        pid: Option<u32>,
        data_dir: &'a Path,
        url: Option<String>,
        server_version: Option<&'a str>,
        binaries: Option<&'a Path>,
        /// Whether commands use the embedded database (no URL configured).
        active: bool,
    },
    DbReset {
        data_dir: &'a Path,
    },
    DbUrl {
        url: &'a str,
        embedded: bool,
    },
    /// `db schemas`: one schema.
    Schema {
        name: &'a str,
        owner: &'a str,
        tables: i64,
        views: i64,
        description: Option<&'a str>,
    },
    /// `db tables`: one relation.
    Table {
        schema: &'a str,
        name: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        owner: &'a str,
        estimated_rows: Option<i64>,
        size: &'a str,
    },
    /// `db describe`: one relation, whole.
    Describe {
        schema: &'a str,
        name: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        columns: Vec<DescribedColumn<'a>>,
        indexes: Vec<Definition<'a>>,
        constraints: Vec<DescribedConstraint<'a>>,
        referenced_by: Vec<Reference<'a>>,
        triggers: Vec<Definition<'a>>,
    },
    /// `db dump`: a schema written to a file.
    Dumped {
        schema: &'a str,
        data_only: bool,
        file: &'a Path,
        bytes: usize,
        migrations: usize,
    },
    /// `db restore`: a dump loaded.
    Restored {
        schema: &'a str,
        data_only: bool,
        file: &'a Path,
        statements: usize,
        rows: u64,
    },

    // ---- serve, dev, studio ----
    /// A server is listening.
    Listening {
        service: &'a str,
        url: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        write: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        login: Option<&'a str>,
    },

    // ---- every command ----
    /// The command failed; `file`, `line`, `column` and `sqlstate` when a SQL file did.
    Error {
        message: &'a str,
        exit_code: u8,
        file: Option<&'a Path>,
        line: Option<usize>,
        column: Option<usize>,
        sqlstate: Option<&'a str>,
    },
}

/// A column of `db describe`.
#[derive(Debug, Serialize)]
pub struct DescribedColumn<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub data_type: &'a str,
    pub nullable: bool,
    pub default: Option<&'a str>,
    pub kind: &'a str,
    pub comment: Option<&'a str>,
}

/// A named definition (an index, a trigger) of `db describe`.
#[derive(Debug, Serialize)]
pub struct Definition<'a> {
    pub name: &'a str,
    pub definition: &'a str,
}

/// A constraint of `db describe`.
#[derive(Debug, Serialize)]
pub struct DescribedConstraint<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub definition: &'a str,
}

/// A foreign key of another table that references the described one.
#[derive(Debug, Serialize)]
pub struct Reference<'a> {
    pub table: &'a str,
    pub name: &'a str,
    pub definition: &'a str,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    /// One line of every kind of event: a change to any field a script may read
    /// shows in this snapshot.
    #[test]
    fn every_event_serialises_as_one_tagged_line() {
        let version = Version::parse("20250101_000001").unwrap();
        let file = FileId { track: Track::Migrate, version, description: "create_items" };
        let path = Path::new("migrations/migrate/20250101_000001_create_items.up.sql");
        let holder = LockHolder {
            pid: 4242,
            application_name: "strata migrate up".into(),
            client: Some("127.0.0.1".into()),
            user: Some("postgres".into()),
            since: None,
        };
        let blocker = Blocker {
            waiting_for: "ACCESS EXCLUSIVE".into(),
            on: "app.items".into(),
            pid: 77,
            application_name: "psql".into(),
            user: Some("report".into()),
            client_addr: None,
            state: Some("idle in transaction".into()),
            transaction_seconds: Some(12),
            query: "SELECT count(*) FROM app.items".into(),
        };
        let loose: BTreeSet<String> = ["app.items.created_at".to_owned()].into();
        let lines = ["CREATE", "ALTER"];
        let drift = strata_migrate::drift::Report { replayed: 3, compared: vec!["app".into()], ..Default::default() };
        let events = vec![
            Event::WouldRun { file, direction: Direction::Up, path, no_transaction: false },
            Event::DryRunSummary { dry_run: true, track: Track::Migrate, direction: Direction::Down, count: 2 },
            Event::LockWaiting { holder: Some(&holder) },
            Event::Plan { track: Track::Seed, direction: Direction::Up, count: 3 },
            Event::Blocked { file, blocker: &blocker, message: blocker.to_string() },
            Event::LockRetry { file, attempt: 2, delay_ms: 250, waited_ms: 1000, statement: None },
            Event::InvalidIndexDropped { file, index: "app.items_name_idx" },
            Event::Applied { file, elapsed_ms: 3 },
            Event::Reverted { file, elapsed_ms: 2 },
            Event::RunSummary { track: Track::Migrate, direction: "up", count: 1, elapsed_ms: 9 },
            Event::RunInterrupted { track: Track::Migrate, direction: "up", count: 0, interrupted: true },
            Event::RunFailed { track: Track::Seed, direction: "down", count: 1, failed: true },
            Event::Status {
                file,
                state: State::Pending,
                out_of_order: false,
                path: Some(path),
                applied_at: None,
                execution_ms: None,
                applied_by: None,
                applied_from: None,
                baselined: None,
                failure: None,
                checksum: None,
                renamed_from: None,
            },
            Event::Problem { path, message: "no down file".into() },
            Event::StatusSummary { track: Track::Migrate, applied: 4, pending: 1, problems: 0 },
            Event::MissingForgotten { file },
            Event::Baselined { track: Track::Migrate, version },
            Event::BaselineSummary { baselined: 1 },
            Event::ChecksumAccepted { track: Track::Migrate, version, old: "ab12", new: "cd34" },
            Event::FailureCleared { track: Track::Migrate, version },
            Event::RollbackReset { track: Track::Migrate, version },
            Event::RenameAccepted { track: Track::Migrate, version, old: "create_item", new: "create_items" },
            Event::RepairSummary { checksums: 1, cleared: 1, rollbacks_reset: 0, renamed: 1 },
            Event::Watching { dir: Path::new("migrations") },
            Event::FileChanged { path, change: "changed" },
            Event::DownChanged(SavedFile { file, path }),
            Event::Modified(SavedFile { file, path }),
            Event::Unchanged(SavedFile { file, path }),
            Event::Verified { file, ok: true, problems: &[] },
            Event::VerifySummary { files: 2, problems: 0, loose_columns: &loose },
            Event::Replicas { replicas: &["replica1:5433"], max_lag_ms: 5000 },
            Event::ReplicaCaughtUp { replica: "replica1:5433", lsn: "0/3000148", waited_ms: 180 },
            Event::ReplicaLagging { replica: "replica1:5433", lsn: "0/3000148", detail: "at 0/2000000, 16 MiB behind" },
            Event::Replica {
                replica: "replica1:5433",
                state: "standby",
                primary_lsn: "0/3000148",
                replay_lsn: Some("0/3000148"),
                behind_bytes: Some(0),
                lag_seconds: Some(0.0),
            },
            Event::Drift { clean: true, report: &drift, elapsed_ms: None, check_drift: None },
            Event::Drift { clean: true, report: &drift, elapsed_ms: Some(40), check_drift: Some("warn".into()) },
            Event::SchemaDumped { schema: "app", file: Path::new("schema/app.sql"), lines: 120, changed: true },
            Event::SchemaRemoved { file: Path::new("schema/old.sql") },
            Event::SchemaDumpSummary { schemas: 3, dir: Path::new("schema") },
            Event::SchemaDiffers {
                schema: "app",
                file: "schema/app.sql",
                line: Some(41),
                message: "schema/app.sql:41: differs",
            },
            Event::SchemaCheckSummary { schemas: 3, differ: 1 },
            Event::Squashed { to: version, replaced: 11, up: path, down: path },
            Event::Generated { track: Track::Migrate, version, up: path, down: path },
            Event::Created { path: Path::new("strata.toml") },
            Event::Appended { path: Path::new(".gitignore"), lines: &lines },
            Event::Kept { path: Path::new(".env") },
            Event::DbStarted {
                url: "postgres://strata@127.0.0.1:5433/strata".into(),
                port: 5433,
                data_dir: Path::new(".strata/db"),
                already_running: false,
            },
            Event::DbStopped { was_running: true },
            Event::DbStatus {
                running: true,
                initialized: true,
                port: Some(5433),
                pid: Some(99),
                data_dir: Path::new(".strata/db"),
                url: None,
                server_version: Some("15.20"),
                binaries: None,
                active: true,
            },
            Event::DbReset { data_dir: Path::new(".strata/db") },
            Event::DbUrl { url: "postgres://strata@127.0.0.1:5433/strata", embedded: true },
            Event::Schema { name: "app", owner: "strata", tables: 1, views: 0, description: None },
            Event::Table {
                schema: "app",
                name: "items",
                kind: "table",
                owner: "strata",
                estimated_rows: Some(61),
                size: "64 kB",
            },
            Event::Describe {
                schema: "app",
                name: "items",
                kind: "table",
                columns: vec![DescribedColumn {
                    name: "id",
                    data_type: "uuid",
                    nullable: false,
                    default: None,
                    kind: "",
                    comment: None,
                }],
                indexes: vec![Definition { name: "items_pkey", definition: "CREATE UNIQUE INDEX ..." }],
                constraints: vec![DescribedConstraint {
                    name: "items_pkey",
                    kind: "primary key",
                    definition: "PRIMARY KEY (id)",
                }],
                referenced_by: vec![Reference {
                    table: "app.tags",
                    name: "tags_item_fkey",
                    definition: "FOREIGN KEY ...",
                }],
                triggers: vec![],
            },
            Event::Dumped { schema: "app", data_only: false, file: Path::new("app.sql"), bytes: 1024, migrations: 3 },
            Event::Restored { schema: "app", data_only: true, file: Path::new("app.sql"), statements: 4, rows: 61 },
            Event::Listening { service: "api", url: "http://127.0.0.1:3000", write: None, login: None },
            Event::Listening {
                service: "studio",
                url: "http://127.0.0.1:4983/?token=t",
                write: Some(false),
                login: Some("role strata_studio"),
            },
            Event::Error {
                message: "syntax error",
                exit_code: 1,
                file: Some(path),
                line: Some(3),
                column: Some(7),
                sqlstate: Some("42601"),
            },
        ];
        let ndjson: String = events.iter().map(|e| serde_json::to_string(e).unwrap() + "\n").collect();
        for line in ndjson.lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(value["event"].is_string(), "every line names its event: {line}");
        }
        insta::assert_snapshot!(ndjson);
    }
}
