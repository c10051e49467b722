//! Discovering migration files on disk: names, versions, up/down pairs, directives.
//!
//! A file is `<YYYYMMDD>_<NNNNNN>_<description>.<up|down>.sql` under
//! `<dir>/migrate` or `<dir>/seed`. Scanning never stops at the first problem: it
//! returns every well-formed pair and every problem, so the linter can report all
//! of them and the runner can refuse the set as a whole.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::checksum::{Checksum, normalize};

/// The first-line directive that makes a file run outside a transaction.
pub const NO_TRANSACTION_DIRECTIVE: &str = "-- strata:no-transaction";

/// One of the two independent, separately ordered sequences of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Track {
    Migrate,
    Seed,
}

impl Track {
    pub const ALL: [Track; 2] = [Track::Migrate, Track::Seed];

    /// The track's name, as stored in the history table and used as its folder name.
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Migrate => "migrate",
            Track::Seed => "seed",
        }
    }

    pub fn parse(s: &str) -> Option<Track> {
        match s {
            "migrate" => Some(Track::Migrate),
            "seed" => Some(Track::Seed),
            _ => None,
        }
    }
}

impl fmt::Display for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `YYYYMMDD_NNNNNN`: a real calendar date and a six-digit sequence. Orders by
/// date, then sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    date: u32,
    seq: u32,
}

impl Version {
    /// Parses `YYYYMMDD_NNNNNN`, checking that the date exists.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        let bytes = s.as_bytes();
        let shaped =
            bytes.len() == 15 && bytes[8] == b'_' && bytes[..8].iter().chain(&bytes[9..]).all(u8::is_ascii_digit);
        if !shaped {
            return Err(VersionError::Shape);
        }
        let date: u32 = s[..8].parse().map_err(|_| VersionError::Shape)?;
        let seq: u32 = s[9..].parse().map_err(|_| VersionError::Shape)?;
        if NaiveDate::from_ymd_opt((date / 10000) as i32, date / 100 % 100, date % 100).is_none() {
            return Err(VersionError::Date(s[..8].to_owned()));
        }
        Ok(Version { date, seq })
    }

    /// The version for a date and sequence number (sequence below 1,000,000).
    pub fn new(date: NaiveDate, seq: u32) -> Option<Version> {
        use chrono::Datelike;
        if seq > 999_999 || date.year() < 1000 || date.year() > 9999 {
            return None;
        }
        Some(Version { date: date.year() as u32 * 10000 + date.month() * 100 + date.day(), seq })
    }

    /// The date part as `YYYYMMDD`.
    pub fn date(&self) -> u32 {
        self.date
    }

    /// The sequence part.
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}_{:06}", self.date, self.seq)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("a version is YYYYMMDD_NNNNNN (8 digits, underscore, 6 digits)")]
    Shape,
    #[error("{0} is not a calendar date")]
    Date(String),
}

/// One SQL file, its text normalized (no BOM, LF line endings).
#[derive(Debug, Clone)]
pub struct SqlFile {
    pub path: PathBuf,
    pub sql: String,
    /// The first line is `-- strata:no-transaction`.
    pub no_transaction: bool,
}

impl SqlFile {
    pub(crate) fn new(path: PathBuf, raw: String) -> SqlFile {
        // Most files need no change: keep the text read instead of copying it
        // (a 50 MB seed is held once, not twice).
        let sql = match normalize(&raw) {
            std::borrow::Cow::Borrowed(text) if text.len() == raw.len() => None,
            text => Some(text.into_owned()),
        }
        .unwrap_or(raw);
        let no_transaction = sql.lines().next().is_some_and(|l| l.trim_end() == NO_TRANSACTION_DIRECTIVE);
        SqlFile { path, sql, no_transaction }
    }

    /// The file cut into statements, COPY data and meta-commands; a file that
    /// ends inside a comment or quote is unrunnable, named at its opening.
    pub fn script(&self) -> Result<crate::split::Script<'_>, crate::error::Error> {
        crate::split::script(&self.sql).map_err(|e| {
            crate::error::ErrorKind::Unrunnable {
                path: self.path.clone(),
                line: e.line,
                column: e.column,
                reason: e.to_string(),
            }
            .into()
        })
    }
}

/// A well-formed up/down pair.
#[derive(Debug, Clone)]
pub struct Migration {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub up: SqlFile,
    pub down: SqlFile,
    /// SHA-256 of the normalized up file: what the history records.
    pub checksum: Checksum,
}

impl Migration {
    /// `<version>_<description>`, the name without direction and extension.
    pub fn name(&self) -> String {
        format!("{}_{}", self.version, self.description)
    }

    /// The file that runs in `direction`: the up file or the down file.
    pub fn file(&self, direction: crate::plan::Direction) -> &SqlFile {
        match direction {
            crate::plan::Direction::Up => &self.up,
            crate::plan::Direction::Down => &self.down,
        }
    }
}

/// One list per track, each in version order: a set's migrations, a listing's pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByTrack<T> {
    pub migrate: Vec<T>,
    pub seed: Vec<T>,
}

impl<T> Default for ByTrack<T> {
    fn default() -> Self {
        ByTrack { migrate: vec![], seed: vec![] }
    }
}

impl<T> ByTrack<T> {
    /// Each track's list from `f`, called in [`Track::ALL`] order.
    pub fn from_fn(mut f: impl FnMut(Track) -> Vec<T>) -> Self {
        let migrate = f(Track::Migrate);
        ByTrack { migrate, seed: f(Track::Seed) }
    }

    pub fn track(&self, track: Track) -> &[T] {
        match track {
            Track::Migrate => &self.migrate,
            Track::Seed => &self.seed,
        }
    }

    /// Each track's list through `f`.
    pub fn map<U>(self, mut f: impl FnMut(Track, Vec<T>) -> Vec<U>) -> ByTrack<U> {
        let migrate = f(Track::Migrate, self.migrate);
        ByTrack { migrate, seed: f(Track::Seed, self.seed) }
    }

    /// Both tracks, `migrate` first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.migrate.iter().chain(&self.seed)
    }
}

/// Every well-formed migration of a directory, each track sorted by version. A
/// set is its tracks (it dereferences to them: `set.migrate`, `set.track(t)`)
/// and the folder they came from.
#[derive(Debug, Clone, Default)]
pub struct MigrationSet {
    pub dir: PathBuf,
    pub tracks: ByTrack<Migration>,
}

impl std::ops::Deref for MigrationSet {
    type Target = ByTrack<Migration>;

    fn deref(&self) -> &ByTrack<Migration> {
        &self.tracks
    }
}

impl MigrationSet {
    /// Scans `dir` and fails on any problem.
    pub fn load(dir: &Path) -> Result<MigrationSet, SourceErrors> {
        scan(dir).into_set()
    }
}

/// What scanning found: the usable pairs and every problem.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub set: MigrationSet,
    pub problems: Vec<SourceProblem>,
}

impl Scan {
    /// The set, when no file has a problem; else every problem.
    pub fn into_set(self) -> Result<MigrationSet, SourceErrors> {
        if self.problems.is_empty() { Ok(self.set) } else { Err(SourceErrors(self.problems)) }
    }
}

/// A file (or folder) that is not a well-formed part of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    pub path: PathBuf,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file name does not follow `<YYYYMMDD>_<NNNNNN>_<description>.<up|down>.sql`.
    BadName { reason: String },
    /// The name's date does not exist (`20250230`).
    InvalidDate { date: String },
    /// An up file without its down file.
    MissingDown,
    /// A down file without its up file.
    MissingUp,
    /// Two descriptions share one version in a track.
    DuplicateVersion { version: String, other: PathBuf },
    /// The file or folder could not be read.
    Unreadable { error: String },
    /// The file is not UTF-8 text.
    NotUtf8,
}

impl fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            ProblemKind::BadName { reason } => write!(f, "{path}: bad file name: {reason}"),
            ProblemKind::InvalidDate { date } => write!(f, "{path}: {date} is not a calendar date"),
            ProblemKind::MissingDown => write!(f, "{path}: no matching .down.sql file"),
            ProblemKind::MissingUp => write!(f, "{path}: no matching .up.sql file"),
            ProblemKind::DuplicateVersion { version, other } => {
                write!(f, "{path}: version {version} is also used by {}", other.display())
            }
            ProblemKind::Unreadable { error } => write!(f, "{path}: cannot read: {error}"),
            ProblemKind::NotUtf8 => write!(f, "{path}: not UTF-8 text"),
        }
    }
}

/// Every problem of a set that could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problem(s) in the migration files:{}", .0.len(), list(.0))]
pub struct SourceErrors(pub Vec<SourceProblem>);

fn list(problems: &[SourceProblem]) -> String {
    problems.iter().map(|p| format!("\n  {p}")).collect()
}

/// Which file of its pair a file is: `.up.sql` or `.down.sql` (a run's
/// direction is [`crate::plan::Direction`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairSide {
    Up,
    Down,
}

/// The parts of a well-formed file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub version: Version,
    pub description: String,
    pub side: PairSide,
}

/// Parses a file name (without folder).
pub fn parse_file_name(name: &str) -> Result<FileName, ProblemKind> {
    let bad = |reason: &str| ProblemKind::BadName { reason: reason.to_owned() };
    let Some(stem) = name.strip_suffix(".sql") else {
        return Err(bad("expected the extension .up.sql or .down.sql"));
    };
    let (stem, side) = if let Some(s) = stem.strip_suffix(".up") {
        (s, PairSide::Up)
    } else if let Some(s) = stem.strip_suffix(".down") {
        (s, PairSide::Down)
    } else {
        return Err(bad("expected the extension .up.sql or .down.sql"));
    };
    if stem.len() < 17 || !stem.is_char_boundary(15) || stem.as_bytes()[15] != b'_' {
        return Err(bad("expected <YYYYMMDD>_<NNNNNN>_<description>"));
    }
    let version = match Version::parse(&stem[..15]) {
        Ok(v) => v,
        Err(VersionError::Shape) => return Err(bad("expected <YYYYMMDD>_<NNNNNN>_<description>")),
        Err(VersionError::Date(date)) => return Err(ProblemKind::InvalidDate { date }),
    };
    let description = &stem[16..];
    if !is_snake_case(description) {
        return Err(bad(&format!(
            "the description {description:?} must be lower snake_case (a-z, 0-9, single underscores, starting with a letter)"
        )));
    }
    Ok(FileName { version, description: description.to_owned(), side })
}

/// `a-z` first, then `a-z0-9` with single underscores between words.
pub fn is_snake_case(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && *b.last().unwrap() != b'_'
        && !s.contains("__")
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Reads both tracks under `dir`. A missing track folder is an empty track.
pub fn scan(dir: &Path) -> Scan {
    let mut problems = vec![];
    let tracks = ByTrack::from_fn(|track| scan_track(track, &dir.join(track.as_str()), &mut problems));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Scan { set: MigrationSet { dir: dir.to_owned(), tracks }, problems }
}

fn scan_track(track: Track, folder: &Path, problems: &mut Vec<SourceProblem>) -> Vec<Migration> {
    let pairs = pairs_in(folder, problems);
    read_pairs(track, pairs, problems)
}

/// The migrations of one track's pairs, read from disk; a file that cannot be
/// read is a problem (its pair is left out).
fn read_pairs(
    track: Track,
    pairs: Vec<(Version, String, PathBuf, PathBuf)>,
    problems: &mut Vec<SourceProblem>,
) -> Vec<Migration> {
    let mut out = Vec::with_capacity(pairs.len());
    for (version, description, up, down) in read_all(pairs) {
        match (up, down) {
            (Ok(up), Ok(down)) => {
                let checksum = Checksum::of_normalized(&up.sql);
                out.push(Migration { track, version, description, up, down, checksum });
            }
            (up, down) => problems.extend(up.err().into_iter().chain(down.err())),
        }
    }
    out
}

/// One well-formed pair as [`list_files`] finds it: its names and the checksum of its
/// up file, without the text of either file.
#[derive(Debug, Clone)]
pub struct Listed {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub up: PathBuf,
    pub down: PathBuf,
    /// SHA-256 of the normalized up file, as [`Migration::checksum`].
    pub checksum: Checksum,
}

impl Listed {
    /// As a [`Migration`] whose files' text was not read (empty): for showing
    /// and comparing with the history, never for running.
    pub fn unread(&self) -> Migration {
        let file = |path: &PathBuf| SqlFile { path: path.clone(), sql: String::new(), no_transaction: false };
        Migration {
            track: self.track,
            version: self.version,
            description: self.description.clone(),
            up: file(&self.up),
            down: file(&self.down),
            checksum: self.checksum,
        }
    }
}

/// What [`list_files`] found: the pairs of both tracks, in version order (it
/// dereferences to them, as a [`MigrationSet`] does), and every problem.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub pairs: ByTrack<Listed>,
    pub problems: Vec<SourceProblem>,
}

impl Listing {
    /// The [`scan`] of the folder that was listed, reading the pairs found rather
    /// than listing the folders again. A listing with a problem is scanned afresh,
    /// so the problems are exactly the ones [`scan`] reports (a listing does not
    /// read down files, nor the down file of a pair whose up file it could not read).
    pub fn into_scan(self, dir: &Path) -> Scan {
        if !self.problems.is_empty() {
            return scan(dir);
        }
        let mut problems = vec![];
        let tracks = self.pairs.map(|track, listed| {
            let pairs = listed.into_iter().map(|l| (l.version, l.description, l.up, l.down)).collect();
            read_pairs(track, pairs, &mut problems)
        });
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        Scan { set: MigrationSet { dir: dir.to_owned(), tracks }, problems }
    }
}

impl std::ops::Deref for Listing {
    type Target = ByTrack<Listed>;

    fn deref(&self) -> &ByTrack<Listed> {
        &self.pairs
    }
}

/// What a no-op run needs and no more: both tracks' file names, paired as
/// [`scan`] pairs them, and the checksum of each up file (read, normalized and
/// hashed on two threads; the text is not kept). Down files are not read: a
/// down file that is not UTF-8 is a problem only [`scan`] reports.
pub fn list_files(dir: &Path) -> Listing {
    let mut problems = vec![];
    let pairs = ByTrack::from_fn(|track| {
        let pairs = pairs_in(&dir.join(track.as_str()), &mut problems);
        let listed = map_halves(pairs, |(version, description, up, down)| {
            let checksum = checksum_of(&up);
            (Listed { track, version, description, up, down, checksum: Checksum([0; 32]) }, checksum)
        });
        let mut track_out = Vec::with_capacity(listed.len());
        for (mut listed, checksum) in listed {
            match checksum {
                Ok(checksum) => {
                    listed.checksum = checksum;
                    track_out.push(listed);
                }
                Err(problem) => problems.push(problem),
            }
        }
        track_out
    });
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Listing { pairs, problems }
}

/// The checksum of a file as [`read`] then [`Checksum::of_normalized`] make it,
/// with fewer system calls: one open, reads into a buffer reused by the thread
/// until end of file (no `stat` to size it), one close; the text is not kept.
fn checksum_of(path: &Path) -> Result<Checksum, SourceProblem> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let unreadable = |err: std::io::Error| SourceProblem {
        path: path.to_owned(),
        kind: ProblemKind::Unreadable { error: err.to_string() },
    };
    BUFFER.with_borrow_mut(|buf| {
        // Zeroed once per thread (and when a larger file grows it), never per file.
        if buf.len() < 1 << 16 {
            buf.resize(1 << 16, 0);
        }
        let mut file = std::fs::File::open(path).map_err(unreadable)?;
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(unreadable(err)),
            }
        }
        let text = std::str::from_utf8(&buf[..filled])
            .map_err(|_| SourceProblem { path: path.to_owned(), kind: ProblemKind::NotUtf8 })?;
        Ok(Checksum::of_normalized(&normalize(text)))
    })
}

/// The complete pairs of one track folder (a missing folder has none).
fn pairs_in(folder: &Path, problems: &mut Vec<SourceProblem>) -> Vec<(Version, String, PathBuf, PathBuf)> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return vec![],
        Err(err) => {
            problems.push(SourceProblem {
                path: folder.to_owned(),
                kind: ProblemKind::Unreadable { error: err.to_string() },
            });
            return vec![];
        }
    };
    // (name, path) of every entry that is not a folder; the file type comes with the
    // directory entry, so no extra stat per file, and names sort faster than paths.
    let mut names: Vec<(std::ffi::OsString, PathBuf)> = vec![];
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_ok_and(|t| t.is_dir()) => {}
            Ok(e) => names.push((e.file_name(), e.path())),
            Err(err) => problems.push(SourceProblem {
                path: folder.to_owned(),
                kind: ProblemKind::Unreadable { error: err.to_string() },
            }),
        }
    }
    names.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let files = names.into_iter().filter_map(|(name, path)| match name.to_str() {
        Some(name) if name.starts_with('.') => None, // editor swap files and .gitkeep are not part of the set
        Some(name) => Some(Ok((name.to_owned(), path))),
        None => {
            Some(Err(SourceProblem { path, kind: ProblemKind::BadName { reason: "not a UTF-8 file name".into() } }))
        }
    });
    pair_up(files, problems)
}

/// Pairs one track's files, given as `(file name, path)` or a problem already
/// found with a file, by version: `(version, description, up, down)` for every
/// complete pair, in version order; a bad name, a second description for one
/// version, or a missing half is a problem. Shared by the folder scan and the
/// files compiled in by `embed!`.
pub(crate) fn pair_up(
    files: impl IntoIterator<Item = Result<(String, PathBuf), SourceProblem>>,
    problems: &mut Vec<SourceProblem>,
) -> Vec<(Version, String, PathBuf, PathBuf)> {
    // version -> (description, up path, down path)
    type Pair = (String, Option<PathBuf>, Option<PathBuf>);
    let mut by_version: BTreeMap<Version, Pair> = BTreeMap::new();
    for file in files {
        let (name, path) = match file {
            Ok(file) => file,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let parsed = match parse_file_name(&name) {
            Ok(p) => p,
            Err(kind) => {
                problems.push(SourceProblem { path, kind });
                continue;
            }
        };
        let slot = by_version.entry(parsed.version).or_insert_with(|| (parsed.description.clone(), None, None));
        if slot.0 != parsed.description {
            let other = slot.1.clone().or_else(|| slot.2.clone()).unwrap_or_default();
            problems.push(SourceProblem {
                path,
                kind: ProblemKind::DuplicateVersion { version: parsed.version.to_string(), other },
            });
            continue;
        }
        match parsed.side {
            PairSide::Up => slot.1 = Some(path),
            PairSide::Down => slot.2 = Some(path),
        }
    }
    let mut pairs = vec![];
    for (version, (description, up, down)) in by_version {
        match (up, down) {
            (Some(up), Some(down)) => pairs.push((version, description, up, down)),
            (Some(up), None) => problems.push(SourceProblem { path: up, kind: ProblemKind::MissingDown }),
            (None, Some(down)) => problems.push(SourceProblem { path: down, kind: ProblemKind::MissingUp }),
            (None, None) => {}
        }
    }
    pairs
}

type Read = (Version, String, Result<SqlFile, SourceProblem>, Result<SqlFile, SourceProblem>);

/// Reads and hashes the pairs on two threads: with thousands of small files the
/// time goes into opening and copying them, which the second core halves.
fn read_all(pairs: Vec<(Version, String, PathBuf, PathBuf)>) -> Vec<Read> {
    map_halves(pairs, |(v, d, up, down)| (v, d, read(up), read(down)))
}

/// `items.map(f)`, in order, the second half on a thread of its own when there
/// are enough items to pay for it.
fn map_halves<T: Send, U: Send>(mut items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    if items.len() < 64 {
        return items.into_iter().map(f).collect();
    }
    let second = items.split_off(items.len() / 2);
    let f = &f;
    std::thread::scope(|scope| {
        let other = scope.spawn(move || second.into_iter().map(f).collect::<Vec<_>>());
        let mut first: Vec<U> = items.into_iter().map(f).collect();
        first.extend(other.join().expect("reading migration files"));
        first
    })
}

fn read(path: PathBuf) -> Result<SqlFile, SourceProblem> {
    match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SqlFile::new(path, text)),
            Err(_) => Err(SourceProblem { path, kind: ProblemKind::NotUtf8 }),
        },
        Err(err) => Err(SourceProblem { path, kind: ProblemKind::Unreadable { error: err.to_string() } }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_a_good_name() {
        let n = parse_file_name("20251124_000005_create_items_table.up.sql").unwrap();
        assert_eq!(n.version.to_string(), "20251124_000005");
        assert_eq!(n.description, "create_items_table");
        assert_eq!(n.side, PairSide::Up);
    }

    #[test]
    fn refuses_bad_names() {
        for name in [
            "20251124_000005_create_items_table.sql",
            "20251124_05_create_items.up.sql",
            "2025112_000005_create_items.up.sql",
            "20251124_000005_CreateItems.up.sql",
            "20251124_000005_create__items.up.sql",
            "20251124_000005_.up.sql",
            "20251124_000005_1items.up.sql",
            "20251124-000005_items.up.sql",
            "20251124_000005_items.UP.sql",
            "éé251124_000005_items.up.sql",
        ] {
            assert!(matches!(parse_file_name(name), Err(ProblemKind::BadName { .. })), "{name}");
        }
    }

    #[test]
    fn refuses_impossible_dates() {
        assert_eq!(
            parse_file_name("20250230_000001_x.up.sql"),
            Err(ProblemKind::InvalidDate { date: "20250230".into() })
        );
        assert!(parse_file_name("20240229_000001_leap.up.sql").is_ok());
        assert!(parse_file_name("20230229_000001_x.up.sql").is_err());
    }

    /// Writes `files` (paths under `dir`, contents) into `dir`.
    fn write(dir: &Path, files: &[(&str, &[u8])]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    /// A migrations folder holding `files`.
    fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), files);
        dir
    }

    /// A create_schemas pair whose up file has a BOM and CRLF (normalized away).
    const CREATE_SCHEMAS: [(&str, &[u8]); 2] = [
        ("migrate/20251124_000000_create_schemas.up.sql", b"\xEF\xBB\xBFCREATE SCHEMA IF NOT EXISTS app;\r\n"),
        ("migrate/20251124_000000_create_schemas.down.sql", b"DROP SCHEMA IF EXISTS app;\n"),
    ];

    #[test]
    fn scan_reports_every_problem_and_keeps_good_pairs() {
        let dir = folder(&CREATE_SCHEMAS);
        write(
            dir.path(),
            &[
                ("migrate/20251124_000001_only_up.up.sql", b"select 1;"),
                ("migrate/20251124_000002_only_down.down.sql", b"select 1;"),
                ("migrate/20251124_000003_a.up.sql", b"select 1;"),
                ("migrate/20251124_000003_a.down.sql", b"select 1;"),
                ("migrate/20251124_000003_b.up.sql", b"select 1;"),
                ("migrate/20251124_000004_bin.up.sql", b"\xff\xfe"),
                ("migrate/20251124_000004_bin.down.sql", b"select 1;"),
                ("migrate/notes.txt", b"hello"),
                ("migrate/.gitkeep", b""),
            ],
        );
        let scan = scan(dir.path());
        let kinds: Vec<_> = scan
            .problems
            .iter()
            .map(|p| (p.path.file_name().unwrap().to_str().unwrap().to_owned(), p.kind.clone()))
            .collect();
        assert_eq!(kinds.len(), 5, "{kinds:#?}");
        assert!(kinds.iter().any(|(n, k)| n == "20251124_000001_only_up.up.sql" && *k == ProblemKind::MissingDown));
        assert!(kinds.iter().any(|(n, k)| n == "20251124_000002_only_down.down.sql" && *k == ProblemKind::MissingUp));
        assert!(
            kinds
                .iter()
                .any(|(n, k)| n == "20251124_000003_b.up.sql" && matches!(k, ProblemKind::DuplicateVersion { .. }))
        );
        assert!(kinds.iter().any(|(n, k)| n == "20251124_000004_bin.up.sql" && *k == ProblemKind::NotUtf8));
        assert!(kinds.iter().any(|(n, k)| n == "notes.txt" && matches!(k, ProblemKind::BadName { .. })));
        let names: Vec<_> = scan.set.migrate.iter().map(Migration::name).collect();
        assert_eq!(names, ["20251124_000000_create_schemas", "20251124_000003_a"]);
        assert_eq!(scan.set.migrate[0].up.sql, "CREATE SCHEMA IF NOT EXISTS app;\n");
        assert!(scan.set.seed.is_empty());
    }

    #[test]
    fn listing_checksums_match_the_scan_and_its_problems() {
        let dir = folder(&CREATE_SCHEMAS);
        let big = "SELECT 1;\n".repeat(20_000); // larger than the first buffer
        write(
            dir.path(),
            &[
                ("migrate/20251124_000001_big.up.sql", big.as_bytes()),
                ("migrate/20251124_000001_big.down.sql", b"SELECT 1;"),
                ("migrate/20251124_000002_bin.up.sql", b"\xff\xfe"),
                ("migrate/20251124_000002_bin.down.sql", b"select 1;"),
                ("migrate/20251124_000003_only_up.up.sql", b"select 1;"),
            ],
        );
        let scan = scan(dir.path());
        let listing = list_files(dir.path());
        let sums = |ms: Vec<(Version, Checksum)>| ms;
        assert_eq!(
            sums(listing.migrate.iter().map(|l| (l.version, l.checksum)).collect()),
            sums(scan.set.migrate.iter().map(|m| (m.version, m.checksum)).collect())
        );
        assert_eq!(listing.migrate.len(), 2);
        assert_eq!(listing.problems, scan.problems);
    }

    /// `up` reads the files it listed for its no-op check instead of scanning again:
    /// the same set, the same problems, as a scan (a down file's problem included).
    #[test]
    fn a_listing_reads_into_the_scan_of_its_folder() {
        let dir = folder(&CREATE_SCHEMAS);
        write(
            dir.path(),
            &[
                (
                    "migrate/20251124_000001_t.up.sql",
                    b"-- strata:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n",
                ),
                ("migrate/20251124_000001_t.down.sql", b"DROP INDEX i;"),
                ("seed/20251124_000001_rows.up.sql", b"INSERT INTO t VALUES (1);"),
                ("seed/20251124_000001_rows.down.sql", b"DELETE FROM t;"),
            ],
        );
        let same = |dir: &Path| assert_eq!(format!("{:?}", list_files(dir).into_scan(dir)), format!("{:?}", scan(dir)));
        same(dir.path());
        write(
            dir.path(),
            &[("seed/20251124_000002_bin.up.sql", b"select 1;"), ("seed/20251124_000002_bin.down.sql", b"\xff\xfe")],
        );
        same(dir.path());
        write(
            dir.path(),
            &[("seed/20251124_000003_both.up.sql", b"\xff"), ("seed/20251124_000003_both.down.sql", b"\xff")],
        );
        same(dir.path());
        assert_eq!(scan(dir.path()).problems.len(), 3);
    }

    #[test]
    fn directive_must_be_the_first_line() {
        assert!(
            SqlFile::new("a".into(), "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY x ON a.b (c);".into())
                .no_transaction
        );
        assert!(SqlFile::new("a".into(), "\u{feff}-- strata:no-transaction\r\nselect 1".into()).no_transaction);
        assert!(!SqlFile::new("a".into(), "select 1;\n-- strata:no-transaction\n".into()).no_transaction);
    }

    proptest! {
        #[test]
        fn version_round_trips_and_orders_like_its_text(
            y1 in 1000u32..9999, d1 in 0u32..365, s1 in 0u32..1_000_000,
            y2 in 1000u32..9999, d2 in 0u32..365, s2 in 0u32..1_000_000,
        ) {
            let date = |y: u32, d: u32| NaiveDate::from_yo_opt(y as i32, d + 1).unwrap();
            let a = Version::new(date(y1, d1), s1).unwrap();
            let b = Version::new(date(y2, d2), s2).unwrap();
            prop_assert_eq!(Version::parse(&a.to_string()).unwrap(), a);
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }

        #[test]
        fn file_name_parser_never_panics(name in "\\PC{0,40}") {
            let _ = parse_file_name(&name);
        }

        #[test]
        fn snake_case_descriptions_round_trip(desc in "[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,8}){0,4}") {
            let name = format!("20251124_000001_{desc}.down.sql");
            let parsed = parse_file_name(&name).unwrap();
            prop_assert_eq!(parsed.description, desc);
            prop_assert_eq!(parsed.side, PairSide::Down);
        }
    }
}
