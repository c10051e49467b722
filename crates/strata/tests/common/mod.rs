//! What the binary's end-to-end tests share: a project folder with its own
//! database, and PostgreSQL's client programs.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use strata_testing::TestDb;

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

    /// Fixtures here test the runner, not the linter: several are deliberately not
    /// idempotent (applying one twice must fail loudly), so the lint gate is off.
    pub fn on(url: String, db: Option<TestDb>) -> Project {
        let p = Project { dir: tempfile::tempdir().unwrap(), url, db };
        std::fs::write(p.path().join("strata.toml"), "[lint]\non_migrate = \"off\"\n").unwrap();
        p.write(
            "migrate",
            "20251124_000000_create_schemas",
            "CREATE SCHEMA IF NOT EXISTS app;\n",
            "DROP SCHEMA IF EXISTS app CASCADE;\n",
        );
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, track: &str, name: &str, up: &str, down: &str) {
        let folder = self.path().join("migrations").join(track);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{name}.up.sql")), up).unwrap();
        std::fs::write(folder.join(format!("{name}.down.sql")), down).unwrap();
    }

    pub fn strata(&self) -> Command {
        let mut cmd = Command::cargo_bin("strata").unwrap();
        cmd.current_dir(self.path())
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .arg("--database-url")
            .arg(&self.url);
        cmd
    }

    pub fn std_strata(&self) -> StdCommand {
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("strata"));
        cmd.current_dir(self.path())
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .arg("--database-url")
            .arg(&self.url);
        cmd
    }

    /// The reference application's migrations and seeds, in the repository.
    pub fn reference(&self, args: &[&str]) -> Command {
        let mut c = self.strata();
        c.arg("--dir").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations")).args(args);
        c
    }

    pub fn psql(&self, sql: &str) -> String {
        let out = StdCommand::new(pg_tool("psql"))
            .args(["-XAtq", "-v", "ON_ERROR_STOP=1", "-d", &self.url, "-c", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

pub fn pg_tool(name: &str) -> PathBuf {
    strata_embedded::find_binaries().expect("PostgreSQL binaries").tool(name)
}

impl Project {
    /// The name of the test database (on the shared cluster).
    pub fn db_name(&self) -> &str {
        self.db.as_ref().expect("a database of the shared test cluster").name()
    }
}
