//! Shared by the integration tests: a throwaway project whose cluster is destroyed when the
//! test ends, pass or fail, and `psql` to talk to it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use strata_embedded::{Cluster, find_binaries};
use tempfile::TempDir;

/// A project folder in /tmp with its `.strata` state directory. Dropping it stops and deletes
/// the cluster (also a relocated data directory outside the folder), then the folder.
pub struct Project {
    // Field order matters only for the folder: `Drop` below runs before it is removed.
    dir: TempDir,
    pub cluster: Cluster,
}

impl Project {
    /// A folder the PostgreSQL user can traverse (0755), as most project folders are.
    pub fn new() -> Project {
        Project::with_mode(0o755)
    }

    /// A folder only its owner can enter (0700), as projects under `/root` are.
    pub fn private() -> Project {
        Project::with_mode(0o700)
    }

    fn with_mode(mode: u32) -> Project {
        // /tmp rather than TMPDIR: every path down to the folder must be traversable by the
        // PostgreSQL user for `new()`'s cluster to stay inside it.
        let dir = tempfile::Builder::new().prefix("strata-embedded-test-").tempdir_in("/tmp").expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).expect("chmod temp dir");
        let cluster = Cluster::new(dir.path().join(".strata"));
        Project { dir, cluster }
    }

    /// The project folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The `.strata` folder.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join(".strata")
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        if let Err(err) = self.cluster.destroy() {
            eprintln!("warning: could not destroy the test cluster in {}: {err}", self.dir.path().display());
        }
    }
}

/// Runs `sql` with the bin directory's `psql` on `url`; the unaligned, tuples-only output.
pub fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|err| panic!("psql {sql:?} on {url}: {err}"))
}

/// As [`psql`], the error being psql's stderr.
pub fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let psql = find_binaries().expect("PostgreSQL binaries").tool("psql");
    let output = Command::new(&psql)
        .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .expect("run psql");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// Whether this process runs as root (the case the privilege tests are about).
pub fn is_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// Runs one test of the current test binary in a child process with `env` set, and returns
/// its stdout. For what needs a process of its own: environment variables (which tests must
/// not set in their own, shared process) and real inter-process races.
pub fn run_helper(test: &str, env: &[(&str, &std::ffi::OsStr)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1", "--quiet"]);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

/// The `RESULT ...` line a helper printed.
pub fn helper_result(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .find_map(|l| l.strip_prefix("RESULT ").map(str::to_owned))
        .unwrap_or_else(|| panic!("helper printed no RESULT line:\n{}", String::from_utf8_lossy(stdout)))
}
