//! What the binary's end-to-end tests share: the binary run in a folder, a project
//! folder with its own database, PostgreSQL's client programs, and what the tests
//! read out of a finished run.

// Each test file uses a different part of this module.
#![allow(dead_code)]

pub mod servers;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use strata_testing::TestDb;

/// What the test projects' strata.toml starts with. Fixtures here test the runner, not
/// the linter: several are deliberately not idempotent (applying one twice must fail
/// loudly), so the lint gate is off.
pub const LINT_OFF: &str = "[lint]\non_migrate = \"off\"\n";

/// The binary in `dir`, as a plain process: no database URL from the environment, no colour.
pub fn strata_std(dir: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("strata"));
    cmd.current_dir(dir).env_remove("DATABASE_URL").env("NO_COLOR", "1");
    cmd
}

/// The binary in `dir`, to assert on.
pub fn strata_in(dir: &Path) -> Command {
    Command::from_std(strata_std(dir))
}

/// The binary in `dir`, on the database at `url`.
pub fn strata_on(dir: &Path, url: &str) -> Command {
    let mut cmd = strata_in(dir);
    cmd.arg("--database-url").arg(url);
    cmd
}

/// The repository's own migrations and seeds: the reference application.
pub fn reference_migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// A finished command: exit status (-1 when a signal ended it), stdout and stderr.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn of(output: std::process::Output) -> Outcome {
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts the exit status (showing both outputs when it differs).
    pub fn code(self, code: i32) -> Outcome {
        assert_eq!(self.code, code, "{}{}", self.stdout, self.stderr);
        self
    }

    /// stdout, then stderr.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd` to its end.
pub fn run(cmd: &mut Command) -> Outcome {
    Outcome::of(cmd.output().unwrap())
}

/// The stdout of `cmd`, which must succeed.
pub fn stdout_of(cmd: &mut StdCommand) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts that `text` contains each of `parts`.
#[track_caller]
pub fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} is not in:\n{text}");
    }
}

/// The events of NDJSON output (`--json`), one a line.
pub fn events(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).expect(l)).collect()
}

/// The first event named `name` of NDJSON output.
pub fn event(stdout: &str, name: &str) -> serde_json::Value {
    events(stdout).into_iter().find(|e| e["event"] == name).unwrap_or_else(|| panic!("no {name} event in {stdout}"))
}

/// A PostgreSQL client program of the installation the tests use.
pub fn pg_tool(name: &str) -> PathBuf {
    strata_embedded::find_binaries().expect("PostgreSQL binaries").tool(name)
}

/// The single value (or rows, `|`-separated) psql prints for `sql` on `url`.
pub fn psql_on(url: &str, sql: &str) -> String {
    stdout_of(StdCommand::new(pg_tool("psql")).args(["-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]))
        .trim()
        .to_owned()
}

/// What pg_dump writes for `url` with `args`, without the lines of the random key that
/// pg_dump 15.14+ brackets a dump with (`\restrict`, `\unrestrict`).
pub fn pg_dump(url: &str, args: &[&str]) -> String {
    let dump = stdout_of(StdCommand::new(pg_tool("pg_dump")).args(args).args(["-d", url]));
    dump.lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A number for names that must not collide with a parallel test's (roles and /tmp
/// files are shared by the whole machine).
pub fn unique() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish()
}

/// The embedded database's superuser URL of the project in `dir`.
pub fn embedded_url(dir: &Path) -> String {
    stdout_of(strata_std(dir).args(["db", "url"])).trim().to_owned()
}

/// Stops the embedded database of the project in its folder when the test ends, even
/// by a panic (`strata dev` leaves it running, and the project folder is about to go).
pub struct StopsEmbedded<'a>(pub &'a Path);

impl Drop for StopsEmbedded<'_> {
    fn drop(&mut self) {
        let _ = strata_std(self.0).args(["db", "stop"]).output();
    }
}

/// A project folder on a database: the shared test cluster's or a private one's.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub db: Option<TestDb>,
}

impl Project {
    /// A fresh database on the shared test cluster.
    pub fn new() -> Project {
        let db = TestDb::new();
        Project::on(db.url().to_owned(), Some(db))
    }

    /// A project with the lint gate off (see [`LINT_OFF`]) and the file creating schema app.
    pub fn on(url: String, db: Option<TestDb>) -> Project {
        let p = Project { dir: tempfile::tempdir().unwrap(), url, db };
        p.settings("");
        p.write(
            "migrate",
            strata_testing::CREATE_SCHEMAS,
            "CREATE SCHEMA IF NOT EXISTS app;\n",
            "DROP SCHEMA IF EXISTS app CASCADE;\n",
        );
        p
    }

    /// A fresh database on the shared test cluster, and [`Project::write_tables`].
    pub fn with_tables(n: usize, sleep: f64) -> Project {
        let p = Project::new();
        p.write_tables(n, sleep);
        p
    }

    /// `n` files after create_schemas, each creating table `app.t<i>` and sleeping
    /// `sleep` seconds, so a run takes long enough to interfere with.
    pub fn write_tables(&self, n: usize, sleep: f64) {
        for i in 1..=n {
            self.write(
                "migrate",
                &format!("20251124_{i:06}_t{i}"),
                // Not idempotent on purpose: applying a file twice would fail.
                &format!("CREATE TABLE app.t{i} (id int);\nSELECT pg_sleep({sleep});\n"),
                &format!("DROP TABLE app.t{i};\n"),
            );
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The name of the test database (on the shared test cluster).
    pub fn db_name(&self) -> &str {
        self.db.as_ref().expect("a database of the shared test cluster").name()
    }

    pub fn write(&self, track: &str, name: &str, up: &str, down: &str) {
        let folder = self.path().join("migrations").join(track);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{name}.up.sql")), up).unwrap();
        std::fs::write(folder.join(format!("{name}.down.sql")), down).unwrap();
    }

    /// Writes a file whose down does nothing (`SELECT 1;`), for tests that never go down.
    pub fn write_up(&self, track: &str, name: &str, up: &str) {
        self.write(track, name, up, "SELECT 1;");
    }

    /// The up files of `track`, in version order (none when the folder does not exist).
    pub fn up_files(&self, track: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.path().join("migrations").join(track))
            .map(|d| d.map(|e| e.unwrap().path()).filter(|f| f.to_string_lossy().ends_with(".up.sql")).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Replaces strata.toml with `text`.
    pub fn toml(&self, text: &str) {
        std::fs::write(self.path().join("strata.toml"), text).unwrap();
    }

    /// Replaces strata.toml with the lint gate off and `more`.
    pub fn settings(&self, more: &str) {
        self.toml(&format!("{LINT_OFF}{more}"));
    }

    pub fn strata(&self) -> Command {
        strata_on(self.path(), &self.url)
    }

    pub fn std_strata(&self) -> StdCommand {
        let mut cmd = strata_std(self.path());
        cmd.arg("--database-url").arg(&self.url);
        cmd
    }

    /// strata in this folder, on another database.
    pub fn strata_on(&self, url: &str) -> Command {
        strata_on(self.path(), url)
    }

    /// Runs `strata args` to its end.
    pub fn run(&self, args: &[&str]) -> Outcome {
        run(self.strata().args(args))
    }

    /// The reference application's migrations and seeds, in the repository.
    pub fn reference(&self, args: &[&str]) -> Command {
        let mut c = self.strata();
        c.arg("--dir").arg(reference_migrations()).args(args);
        c
    }

    pub fn psql(&self, sql: &str) -> String {
        psql_on(&self.url, sql)
    }

    /// Asserts that the scratch database a command named on `stderr` is gone (other
    /// tests' may exist: the cluster is shared).
    pub fn assert_scratch_dropped(&self, stderr: &str) {
        let scratch = stderr.split("scratch database ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap();
        assert_eq!(
            self.psql(&format!("SELECT count(*) FROM pg_database WHERE datname = '{scratch}'")),
            "0",
            "{stderr}"
        );
    }
}

/// Today's date as generated file names begin with it (`YYYYMMDD`, UTC).
pub fn today() -> String {
    chrono::Utc::now().format("%Y%m%d").to_string()
}

/// Polls `ready` every `every` until it holds; fails naming `what` once `limit` has passed.
#[track_caller]
pub fn wait_for(what: &str, limit: std::time::Duration, every: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(every);
    }
}
