//! `drift`: is this database what its applied files say?
//!
//! Replays, on an empty scratch database, exactly the files the live database's
//! history lists as applied (both tracks, in the order they were recorded), then
//! compares the two catalogs ([`Catalog`], structure only) schema by schema and
//! names each object that differs. An applied file that is now edited or
//! missing is reported as such and not replayed: the replay never runs text the
//! database did not run.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgConnection;

use crate::Options;
use crate::error::Error;
use crate::history::{self, RowStatus};
use crate::plan::{self, Direction};
use crate::replay;
use crate::snapshot::{Catalog, Lines, Scope};
use crate::source::{MigrationSet, Track, Version};

/// Why an applied file was not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Its up file changed since it was applied (checksum differs).
    Edited,
    /// Its up file is gone.
    Missing,
    /// A no-transaction file that stopped part-way.
    Failed,
}

/// An applied file that was not replayed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileNote {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub state: FileState,
}

/// How an object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// In the database, not in the replay (made by hand).
    Extra,
    /// In the replay, not in the database (dropped by hand).
    Missing,
    /// In both, defined differently.
    Changed,
}

/// One object that differs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectDrift {
    /// What it is and its name: `column app.items.note`, `index app.items_name`.
    pub object: String,
    pub change: Change,
    /// Its line in the replay (what the files say).
    pub expected: Option<String>,
    /// Its line in the database.
    pub actual: Option<String>,
}

/// The differences in one schema.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SchemaDrift {
    pub schema: String,
    pub objects: Vec<ObjectDrift>,
}

/// What `drift` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Files replayed.
    pub replayed: usize,
    /// Applied files not replayed, and why.
    pub files: Vec<FileNote>,
    /// Schemas compared.
    pub compared: Vec<String>,
    /// Schemas with differences.
    pub schemas: Vec<SchemaDrift>,
}

impl Report {
    /// No difference and every applied file replayed.
    pub fn is_clean(&self) -> bool {
        self.files.is_empty() && self.schemas.is_empty()
    }
}

/// Replays on `scratch` (an empty database) what `live`'s history lists as
/// applied and compares the two, in `schemas` (every schema when `None`).
pub async fn drift(
    live: &mut PgConnection,
    scratch: &mut PgConnection,
    set: &MigrationSet,
    opts: &Options,
    schemas: Option<&[String]>,
) -> Result<Report, Error> {
    let mut rows = history::read(live, &opts.history).await?;
    rows.sort_by(|a, b| {
        (a.applied_at, a.track != Track::Migrate, a.version).cmp(&(b.applied_at, b.track != Track::Migrate, b.version))
    });
    let mut report = Report::default();
    // A database that applied the originals of a squashed file: the squashed file
    // stands for them, replayed once where the first of them was applied.
    let migrate_files = set.track(Track::Migrate);
    let cover = plan::squash_cover(Track::Migrate, migrate_files, &rows);
    let mut squash_replayed = false;
    let mut to_replay = vec![];
    for row in &rows {
        let note =
            |state| FileNote { track: row.track, version: row.version, description: row.description.clone(), state };
        if row.status == RowStatus::Failed {
            report.files.push(note(FileState::Failed));
            continue;
        }
        if let Some(v) = cover.filter(|&v| row.track == Track::Migrate && row.version <= v)
            && (row.version == v || !migrate_files.iter().any(|m| m.version == row.version))
        {
            if !squash_replayed {
                let squashed = migrate_files.iter().find(|m| m.version == v).expect("squash_cover found its file");
                to_replay.push(squashed);
                squash_replayed = true;
            }
            continue;
        }
        let Some(m) = set.track(row.track).iter().find(|m| m.version == row.version) else {
            report.files.push(note(FileState::Missing));
            continue;
        };
        if m.checksum != row.checksum {
            report.files.push(note(FileState::Edited));
            continue;
        }
        to_replay.push(m);
    }
    replay::run_many(scratch, &to_replay, Direction::Up).await??;
    report.replayed = to_replay.len();
    let scope = Scope { history: opts.history.clone(), data: false };
    let expected = Catalog::full(scratch, &scope, &[]).await?.by_schema();
    let actual = Catalog::full(live, &scope, &[]).await?.by_schema();
    let names: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    let empty = Lines::new();
    for name in names {
        if name.is_empty() || schemas.is_some_and(|s| !s.contains(name)) {
            continue;
        }
        report.compared.push(name.clone());
        let objects = compare(expected.get(name).unwrap_or(&empty), actual.get(name).unwrap_or(&empty));
        if !objects.is_empty() {
            report.schemas.push(SchemaDrift { schema: name.clone(), objects });
        }
    }
    Ok(report)
}

/// The objects that differ, by name.
fn compare(expected: &Lines, actual: &Lines) -> Vec<ObjectDrift> {
    let keyed = |lines: &Lines| -> BTreeMap<String, String> {
        lines.iter().filter(|l| !l.starts_with("data ")).map(|l| (object_name(l), l.clone())).collect()
    };
    let (e, a) = (keyed(expected), keyed(actual));
    let names: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
    let mut out = vec![];
    for name in names {
        let (x, y) = (e.get(name), a.get(name));
        let change = match (x, y) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(_), Some(_)) => Change::Changed,
            (Some(_), None) => Change::Missing,
            (None, _) => Change::Extra,
        };
        out.push(ObjectDrift { object: name.clone(), change, expected: x.cloned(), actual: y.cloned() });
    }
    out
}

/// The kind and name of the object a snapshot line describes:
/// `column app.t.c: text` -> `column app.t.c`,
/// `index CREATE INDEX i ON app.t USING ...` -> `index i on app.t`,
/// `function app.f(integer) md5 ...` -> `function app.f(integer)`.
pub fn object_name(line: &str) -> String {
    let word = |s: &str, n: usize| s.split_whitespace().nth(n).unwrap_or("").to_owned();
    if let Some(rest) = line.strip_prefix("index ") {
        // CREATE [UNIQUE] INDEX name ON [ONLY] table ...
        let words: Vec<&str> = rest.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "INDEX").map_or(2, |i| i + 1);
        let on = words.iter().position(|w| *w == "ON").map_or(at + 2, |i| i + 1);
        let table = if words.get(on) == Some(&"ONLY") { words.get(on + 1) } else { words.get(on) };
        return format!("index {} on {}", words.get(at).unwrap_or(&""), table.unwrap_or(&""));
    }
    if let Some(rest) = line.strip_prefix("trigger ") {
        // CREATE [CONSTRAINT] TRIGGER name ... ON table ...
        let words: Vec<&str> = rest.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "TRIGGER").map_or(2, |i| i + 1);
        let on = words.iter().position(|w| *w == "ON").map_or(at + 2, |i| i + 1);
        return format!("trigger {} on {}", words.get(at).unwrap_or(&""), words.get(on).unwrap_or(&""));
    }
    for kind in ["constraint ", "policy "] {
        if let Some(rest) = line.strip_prefix(kind) {
            return format!("{kind}{} {}", word(rest, 0), word(rest, 1).trim_end_matches(':'));
        }
    }
    if line.starts_with("default privileges ") {
        let words: Vec<&str> = line.split_whitespace().collect();
        return words[..words.len().saturating_sub(1)].join(" ");
    }
    if line.starts_with("comment on ")
        || line.starts_with("view ")
        || line.starts_with("column ")
        || line.starts_with("sequence ")
    {
        return line.split_once(": ").map_or(line, |(k, _)| k).to_owned();
    }
    if line.starts_with("function ") {
        return line.split_once(" md5 ").map_or(line, |(k, _)| k).to_owned();
    }
    if line.starts_with("row level security ") {
        return format!("row level security {}", word(line, 3));
    }
    // `table app.t acl ...`, `schema app owner ...`, `type app.e e labels ...`,
    // `extension x 1.0 in s`, `materialized view app.v ...`: kind and name.
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["materialized", "view", name, ..] | ["foreign", "table", name, ..] | ["composite", "type", name, ..] => {
            format!("{} {} {name}", words[0], words[1])
        }
        [kind, name, ..] => format!("{kind} {name}"),
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::object_name;

    #[test]
    fn objects_are_named_by_kind_and_name() {
        assert_eq!(object_name("column app.t.c: text not null"), "column app.t.c");
        assert_eq!(object_name("index CREATE UNIQUE INDEX t_pkey ON app.t USING btree (id)"), "index t_pkey on app.t");
        assert_eq!(object_name("function app.f(integer) md5 abc acl {}"), "function app.f(integer)");
        assert_eq!(object_name("constraint app.t t_c: CHECK ((c > 0)) NOT VALID"), "constraint app.t t_c");
        assert_eq!(
            object_name(
                "trigger CREATE TRIGGER tg BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f() (disabled)"
            ),
            "trigger tg on app.t"
        );
        assert_eq!(object_name("table app.t acl {a=r/b}"), "table app.t");
        assert_eq!(object_name("table app.t"), "table app.t");
        assert_eq!(object_name("schema app owner me"), "schema app");
    }
}
