//! The catalog snapshot that `verify` and `drift` compare: one line per object
//! (`kind name: definition`), grouped by the *unit* it belongs to, so that a
//! step can refresh only the units it changed.
//!
//! A unit is a relation other than an index (with its columns, constraints,
//! indexes, triggers, policies, comments and a hash of its rows), a function,
//! a type, a schema, a default-privileges entry or an extension. Lines name
//! objects, never OIDs: an object dropped and created again compares equal.
//!
//! Two ways to fill a [`Catalog`]:
//! - [`Catalog::full`] reads every unit (drift, a no-transaction file);
//! - [`Catalog::refresh_in_transaction`], called inside the transaction that just
//!   ran a file, finds what that transaction changed: catalog rows it wrote (their
//!   `xmin`), catalog rows it deleted (the units that vanished or lost sub-rows)
//!   and tables whose rows it inserted, updated or deleted (PostgreSQL's
//!   per-transaction counters, `pg_stat_get_xact_tuples_*`), and re-reads only
//!   those units. Each catalog is scanned only when the transaction's counters
//!   say it wrote to it, so a step costs what it changed, not what the database
//!   holds.

mod data;
mod sql;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sqlx::PgConnection;

use crate::error::Error;
use crate::history::HistoryTable;

pub use data::{LooseColumn, Step};

/// One line per object: `kind name: definition`.
pub type Lines = BTreeSet<String>;

/// What kind of unit an OID names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    Relation,
    Function,
    Type,
    Schema,
    DefaultAcl,
    Extension,
}

impl UnitKind {
    fn parse(s: &str) -> Option<UnitKind> {
        Some(match s {
            "r" => UnitKind::Relation,
            "p" => UnitKind::Function,
            "t" => UnitKind::Type,
            "n" => UnitKind::Schema,
            "a" => UnitKind::DefaultAcl,
            "e" => UnitKind::Extension,
            _ => return None,
        })
    }
}

/// A unit: its kind and OID (OIDs are only keys here, never shown).
pub type Unit = (UnitKind, u32);

#[derive(Debug, Clone, Default)]
struct UnitState {
    /// The schema the unit lives in (empty for database-wide units).
    schema: String,
    lines: Vec<String>,
    /// How many sub-rows of each sub-catalog (indexes, constraints, triggers,
    /// ...) it had: a change in a count is how a deleted sub-row is noticed.
    subrows: BTreeMap<char, i64>,
}

/// The unit kind that owns the sub-rows counted under a `#x` code (see `sql::CHANGES`).
fn owner_kind(code: char) -> UnitKind {
    match code {
        'C' | 'M' => UnitKind::Type,
        'P' => UnitKind::Function,
        'N' => UnitKind::Schema,
        _ => UnitKind::Relation,
    }
}

/// The snapshot of a database, by unit.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    units: HashMap<Unit, UnitState>,
    /// Checkpoints still open: the lines each unit had when the checkpoint was
    /// taken, for every unit changed since.
    marks: Vec<Option<HashMap<Unit, Vec<String>>>>,
}

/// A moment to compare the catalog with later, from [`Catalog::checkpoint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint(usize);

/// What a refresh saw, beyond the catalog itself.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// Units re-read.
    pub units: usize,
    /// Columns whose insert-time defaults were compared loosely (`schema.table.column`).
    pub loose: BTreeSet<String>,
}

/// What the snapshot leaves out and how it reads data.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The history table, never part of a snapshot.
    pub history: HistoryTable,
    /// Hash every table's rows (verify); drift compares structure only unless asked.
    pub data: bool,
}

impl Catalog {
    /// Every unit of the database.
    pub async fn full(conn: &mut PgConnection, scope: &Scope, steps: &[Step]) -> Result<Catalog, Error> {
        let mut c = Catalog::default();
        c.reread(conn, scope, None, steps).await?;
        Ok(c)
    }

    /// Re-reads every unit (after a change the incremental path cannot follow).
    pub async fn reread_all(
        &mut self,
        conn: &mut PgConnection,
        scope: &Scope,
        steps: &[Step],
    ) -> Result<Refreshed, Error> {
        let old: Vec<Unit> = self.units.keys().copied().collect();
        for u in old {
            self.set(u, None);
        }
        self.reread(conn, scope, None, steps).await
    }

    /// Every line, across units.
    pub fn lines(&self) -> Lines {
        self.units.values().flat_map(|u| u.lines.iter().cloned()).collect()
    }

    /// Every line, by schema (database-wide lines such as extensions under `""`).
    pub fn by_schema(&self) -> BTreeMap<String, Lines> {
        let mut out: BTreeMap<String, Lines> = BTreeMap::new();
        for u in self.units.values() {
            out.entry(u.schema.clone()).or_default().extend(u.lines.iter().cloned());
        }
        out
    }

    /// Starts recording what changes from now on.
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.marks.push(Some(HashMap::new()));
        Checkpoint(self.marks.len() - 1)
    }

    /// The difference between the catalog at `mark` (expected) and now (actual).
    pub fn since(&self, mark: Checkpoint) -> Option<Diff> {
        let Some(Some(old)) = self.marks.get(mark.0) else { return None };
        let before: Lines = old.values().flatten().cloned().collect();
        let now: Lines = old.keys().filter_map(|u| self.units.get(u)).flat_map(|u| u.lines.iter().cloned()).collect();
        Diff::between(&before, &now)
    }

    /// Stops recording for `mark`.
    pub fn release(&mut self, mark: Checkpoint) {
        if let Some(m) = self.marks.get_mut(mark.0) {
            *m = None;
        }
        while self.marks.last().is_some_and(Option::is_none) {
            self.marks.pop();
        }
    }

    /// Replaces a unit (or removes it), noting its old lines in open checkpoints.
    fn set(&mut self, unit: Unit, state: Option<UnitState>) {
        let old = self.units.get(&unit).map(|s| s.lines.clone()).unwrap_or_default();
        for m in self.marks.iter_mut().flatten() {
            m.entry(unit).or_insert_with(|| old.clone());
        }
        match state {
            Some(s) => {
                self.units.insert(unit, s);
            }
            None => {
                self.units.remove(&unit);
            }
        }
    }

    /// Inside the transaction that just ran a file: re-reads what it changed.
    pub async fn refresh_in_transaction(
        &mut self,
        conn: &mut PgConnection,
        scope: &Scope,
        steps: &[Step],
    ) -> Result<Refreshed, Error> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(&step_query(scope))
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| Error::database("finding what the file changed", e))?;
        self.apply_step(conn, scope, rows, steps).await
    }

    /// Applies what [`step_query`] returned (`(tag, oid, schema, line)` as text),
    /// reading the units whose sub-rows were deleted and the rows of the tables
    /// written to.
    pub async fn apply_step(
        &mut self,
        conn: &mut PgConnection,
        scope: &Scope,
        rows: Vec<(String, String, String, String)>,
        steps: &[Step],
    ) -> Result<Refreshed, Error> {
        let mut written: HashSet<Unit> = HashSet::new();
        let mut present: HashMap<UnitKind, HashSet<u32>> = HashMap::new();
        let mut counts: HashMap<char, HashMap<u32, i64>> = HashMap::new();
        let mut lines = vec![];
        for (tag, oid, schema, line) in rows {
            let oid: u32 = oid.parse::<i64>().unwrap_or(0) as u32;
            let Some(tag) = tag.strip_prefix("c:") else {
                lines.push((tag, oid, schema, line));
                continue;
            };
            if let Some(code) = tag.strip_prefix('#').and_then(|c| c.chars().next()) {
                let listed = counts.entry(code).or_default();
                if oid != 0 {
                    listed.insert(oid, line.parse().unwrap_or(0));
                }
            } else if let Some(kind) = UnitKind::parse(tag) {
                written.insert((kind, oid));
            } else if let Some(kind) = UnitKind::parse(&tag.to_ascii_lowercase()) {
                let listed = present.entry(kind).or_default();
                if oid != 0 {
                    listed.insert(oid);
                }
            }
        }
        for (kind, oids) in &present {
            let gone: Vec<Unit> = self.units.keys().filter(|(k, o)| k == kind && !oids.contains(o)).copied().collect();
            for u in gone {
                self.set(u, None);
                written.remove(&u);
            }
        }
        let written: Vec<Unit> = written.into_iter().collect();
        let mut out = self.store(conn, scope, lines, Some(&written), steps).await?;
        let mut lost = vec![];
        for (code, listed) in &counts {
            let kind = owner_kind(*code);
            for (u, s) in &self.units {
                let had = s.subrows.get(code).copied().unwrap_or(0);
                if u.0 == kind && listed.get(&u.1).copied().unwrap_or(0) != had && !written.contains(u) {
                    lost.push(*u);
                }
            }
        }
        if !lost.is_empty() {
            let more = self.reread(conn, scope, Some(&lost), steps).await?;
            out.units += more.units;
            out.loose.extend(more.loose);
        }
        Ok(out)
    }

    /// Reads the given units (all when `None`) and stores them.
    async fn reread(
        &mut self,
        conn: &mut PgConnection,
        scope: &Scope,
        only: Option<&[Unit]>,
        steps: &[Step],
    ) -> Result<Refreshed, Error> {
        let pick = |kind: UnitKind| -> Option<Vec<i64>> {
            only.map(|us| us.iter().filter(|(k, _)| *k == kind).map(|(_, o)| *o as i64).collect())
        };
        static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        static SOME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let text = match only {
            None => FULL.get_or_init(|| sql::lines(sql::Filter::All)),
            Some(_) => SOME.get_or_init(|| sql::lines(sql::Filter::Bound)),
        };
        let rows: Vec<(String, i64, String, String)> = sqlx::query_as(text)
            .bind(scope.history.to_string())
            .bind(pick(UnitKind::Relation))
            .bind(pick(UnitKind::Function))
            .bind(pick(UnitKind::Type))
            .bind(pick(UnitKind::Schema))
            .bind(pick(UnitKind::DefaultAcl))
            .bind(pick(UnitKind::Extension))
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| Error::database("reading the catalog", e))?;
        let rows = rows.into_iter().map(|(t, o, s, l)| (t, o as u32, s, l)).collect();
        self.store(conn, scope, rows, only, steps).await
    }

    /// Stores the lines read for `only` (all units when `None`): a unit of
    /// `only` without lines is gone. Hashes the rows of the tables among them.
    async fn store(
        &mut self,
        conn: &mut PgConnection,
        scope: &Scope,
        rows: Vec<(String, u32, String, String)>,
        only: Option<&[Unit]>,
        steps: &[Step],
    ) -> Result<Refreshed, Error> {
        let mut fresh: HashMap<Unit, UnitState> = HashMap::new();
        let mut tables: Vec<(u32, String)> = vec![];
        for (tag, oid, schema, line) in rows {
            let (kind, oid) = match tag.as_str() {
                // A table whose rows are hashed: `line` is its qualified name.
                "d" => {
                    if scope.data {
                        tables.push((oid, line));
                    }
                    continue;
                }
                t if t.starts_with('#') => {
                    let code = t[1..].chars().next().unwrap_or('?');
                    let s = fresh.entry((owner_kind(code), oid)).or_default();
                    s.subrows.insert(code, line.parse().unwrap_or(0));
                    continue;
                }
                t => match UnitKind::parse(t) {
                    Some(k) => (k, oid),
                    None => continue,
                },
            };
            let s = fresh.entry((kind, oid)).or_default();
            s.schema = schema;
            s.lines.push(line);
        }
        let mut out = Refreshed::default();
        for (oid, table) in tables {
            let (line, loose) = data::table_line(conn, oid, &table, steps).await?;
            out.loose.extend(loose.into_iter().map(|c| format!("{table}.{}", c.name)));
            fresh.entry((UnitKind::Relation, oid)).or_default().lines.push(line);
        }
        if let Some(only) = only {
            for u in only {
                if fresh.get(u).is_none_or(|s| s.lines.is_empty()) {
                    self.set(*u, None);
                }
            }
        }
        out.units = fresh.len();
        for (u, mut s) in fresh {
            s.lines.sort();
            if s.lines.is_empty() {
                // Sub-row counts of something outside the snapshot (a toast table).
                continue;
            }
            self.set(u, Some(s));
        }
        Ok(out)
    }
}

/// The query a step runs inside its transaction, after its file, with no
/// parameters (so it can travel in the same message as the file): what the
/// transaction changed (tags `c:...`, see `sql::CHANGES`) and the lines of the
/// units it wrote, as text `(tag, oid, schema, line)`.
pub fn step_query(scope: &Scope) -> String {
    let history = crate::quote::literal(&scope.history.to_string());
    let changes = sql::CHANGES.replace("$1", &history).replace("$2", if scope.data { "true" } else { "false" });
    let lines = sql::lines(sql::Filter::Changed).replace("$1", &history);
    format!(
        "WITH ch AS MATERIALIZED ({changes})
SELECT 'c:' || tag AS strata_tag, oid::text AS strata_oid, ''::text AS strata_schema, n::text AS strata_line FROM ch
UNION ALL
SELECT tag, oid::text, schema, line FROM ({lines}) l(tag, oid, schema, line)"
    )
}

/// What differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    /// In the expected snapshot, not in the actual one.
    pub missing: Vec<String>,
    /// In the actual snapshot, not in the expected one.
    pub extra: Vec<String>,
}

impl Diff {
    pub fn between(expected: &Lines, actual: &Lines) -> Option<Diff> {
        let missing: Vec<String> = expected.difference(actual).cloned().collect();
        let extra: Vec<String> = actual.difference(expected).cloned().collect();
        (!missing.is_empty() || !extra.is_empty()).then_some(Diff { missing, extra })
    }
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for m in &self.missing {
            writeln!(f, "  - {m}")?;
        }
        for e in &self.extra {
            writeln!(f, "  + {e}")?;
        }
        Ok(())
    }
}

/// `sequence value <schema>.<name>: <last value>` (`not called` before the
/// first `nextval`) for every sequence but the history table's: what a squash
/// compares beside the catalog (verify and drift do not: a live database's
/// sequences move with its use).
pub async fn sequence_values(conn: &mut PgConnection, history: &HistoryTable) -> Result<Lines, Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT 'sequence value ' || format('%I.%I', schemaname, sequencename) || ': '
                || coalesce(last_value::text, 'not called')
         FROM pg_sequences
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
           AND NOT (schemaname = split_part($1, '.', 1) AND sequencename LIKE split_part($1, '.', 2) || '%')",
    )
    .bind(history.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::database("reading the sequences' values", e))?;
    Ok(rows.into_iter().collect())
}

/// Whether the server counts rows per transaction (`track_counts`, on by
/// default): without it a refresh cannot see which tables a file wrote to.
pub async fn counts_rows(conn: &mut PgConnection) -> Result<bool, Error> {
    let (on,): (bool,) = sqlx::query_as("SELECT current_setting('track_counts')::bool")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::database("reading track_counts", e))?;
    Ok(on)
}
