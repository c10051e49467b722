//! Finding PostgreSQL's server programs on this machine: `PG_BIN`, then `PATH`, then the
//! directories that distributions and package managers install them in.
//!
//! Debian and Ubuntu keep `initdb` and `pg_ctl` off `PATH` (in `/usr/lib/postgresql/N/bin`),
//! which is why the well-known directories are searched at all.

use std::cmp::Reverse;
use std::ffi::OsString;
use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::Error;
use crate::process;

/// The programs a directory must hold to run a cluster.
const REQUIRED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// The oldest major version with scram-sha-256 and `pg_ctl` waiting on `postmaster.pid`.
const OLDEST_MAJOR: u32 = 10;

/// Where to look, newest version first within each pattern: `(parent, name prefix, subdirectory)`.
/// `("/usr/lib/postgresql", "", "bin")` stands for `/usr/lib/postgresql/*/bin`.
const WELL_KNOWN_PATTERNS: &[(&str, &str, &str)] = &[
    ("/usr/lib/postgresql", "", "bin"),                          // Debian, Ubuntu
    ("/usr", "pgsql-", "bin"),                                   // PGDG packages on Fedora/RHEL
    ("/usr/libexec", "postgresql", ""),                          // Alpine
    ("/opt/homebrew/opt", "postgresql@", "bin"),                 // Homebrew on Apple silicon
    ("/usr/local/opt", "postgresql@", "bin"),                    // Homebrew on Intel
    ("/opt/local/lib", "postgresql", "bin"),                     // MacPorts
    ("/Applications/Postgres.app/Contents/Versions", "", "bin"), // Postgres.app
];

/// Unversioned directories, searched after every versioned one.
const WELL_KNOWN_DIRS: &[&str] = &[
    "/usr/local/pgsql/bin", // built from source
    "/opt/homebrew/opt/postgresql/bin",
    "/usr/local/opt/postgresql/bin",
];

/// A directory holding PostgreSQL's server programs (`initdb`, `pg_ctl`, `postgres`) and,
/// normally, its client programs (`psql`, `pg_dump`, ...).
#[derive(Debug, Clone)]
pub struct Binaries {
    dir: PathBuf,
    version: OnceLock<Version>,
}

impl Binaries {
    /// Uses `dir` if it holds `initdb`, `pg_ctl` and `postgres`.
    pub fn at(dir: impl Into<PathBuf>) -> Result<Binaries, Error> {
        let dir = dir.into();
        if holds_server(&dir) {
            Ok(Binaries { dir, version: OnceLock::new() })
        } else {
            Err(Error::BinariesNotFound { searched: vec![dir], pg_bin: None })
        }
    }

    /// The bin directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of one program, e.g. `tool("pg_dump")`. A client program missing from the
    /// directory (some distributions package it apart) is looked up on `PATH`; when it is
    /// nowhere, the path in the directory is returned, so running it reports that path.
    pub fn tool(&self, name: &str) -> PathBuf {
        let own = self.dir.join(name);
        if is_executable(&own) {
            return own;
        }
        std::env::var_os("PATH")
            .and_then(|path| std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p)))
            .unwrap_or(own)
    }

    /// The server's version, from `postgres --version` (run once, then remembered).
    pub fn version(&self) -> Result<Version, Error> {
        if let Some(version) = self.version.get() {
            return Ok(version.clone());
        }
        let program = self.dir.join("postgres");
        // `--version` is answered before postgres' refusal to run as root, so no user switch.
        let output = process::run_ok(process::command(&program).arg("--version"))?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let Some(version) = Version::parse(&text) else {
            return Err(Error::UnrecognizedVersion { program, output: text });
        };
        if version.major < OLDEST_MAJOR {
            return Err(Error::UnsupportedVersion { dir: self.dir.clone(), version: version.number });
        }
        Ok(self.version.get_or_init(|| version).clone())
    }
}

/// A PostgreSQL version such as `15.14` or `17beta1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u32,
    number: String,
}

impl Version {
    /// The major version: `15` for `15.14` (and `9` for `9.6`, which is refused).
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The version number as PostgreSQL prints it, e.g. `15.14`.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// Reads `postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)`: the first word that
    /// starts with a digit is the version, whatever the packager added around it.
    fn parse(output: &str) -> Option<Version> {
        let number = output.split_whitespace().find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
        let major = number.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
        Some(Version { major, number: number.to_owned() })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

/// Where to look for the binaries. [`Search::from_env`] is what [`find_binaries`] uses;
/// the builder methods let a caller (or a test) replace one source without touching the
/// process environment.
#[derive(Debug, Clone)]
pub struct Search {
    pg_bin: Option<PathBuf>,
    path: Option<OsString>,
    well_known: bool,
}

impl Search {
    /// `PG_BIN` (when set and not empty, the only place looked in), else `PATH`, else the
    /// well-known directories.
    pub fn from_env() -> Search {
        Search {
            pg_bin: std::env::var_os("PG_BIN").filter(|v| !v.is_empty()).map(PathBuf::from),
            path: std::env::var_os("PATH"),
            well_known: true,
        }
    }

    /// Looks only in `dir`, as `PG_BIN=dir` does.
    pub fn pg_bin(mut self, dir: impl Into<PathBuf>) -> Search {
        self.pg_bin = Some(dir.into());
        self
    }

    /// Uses `path` (a `PATH`-style list) instead of the environment's `PATH`.
    pub fn path(mut self, path: impl Into<OsString>) -> Search {
        self.path = Some(path.into());
        self
    }

    /// Skips the well-known directories (only `PG_BIN` and `PATH` count).
    pub fn without_well_known(mut self) -> Search {
        self.well_known = false;
        self
    }

    /// The directories to try, in order, without duplicates.
    pub fn candidates(&self) -> Vec<PathBuf> {
        if let Some(dir) = &self.pg_bin {
            return vec![dir.clone()];
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(path) = &self.path {
            dirs.extend(std::env::split_paths(path).filter(|d| d.is_absolute()));
        }
        if self.well_known {
            dirs.extend(well_known_dirs());
        }
        let mut seen = Vec::new();
        dirs.retain(|d| {
            let key = d.canonicalize().unwrap_or_else(|_| d.clone());
            if seen.contains(&key) {
                false
            } else {
                seen.push(key);
                true
            }
        });
        dirs
    }

    /// The first candidate that holds the server programs.
    pub fn find(&self) -> Result<Binaries, Error> {
        self.candidates()
            .into_iter()
            .find(|d| holds_server(d))
            .map(|dir| Binaries { dir, version: OnceLock::new() })
            .ok_or_else(|| self.not_found())
    }

    /// The first candidate whose server is of major version `major`: an existing cluster can
    /// only be run by its own major version, even when a newer one is installed beside it.
    pub fn find_major(&self, major: u32, data_dir: &Path) -> Result<Binaries, Error> {
        let mut found = Vec::new();
        for dir in self.candidates().into_iter().filter(|d| holds_server(d)) {
            let binaries = Binaries { dir, version: OnceLock::new() };
            match binaries.version() {
                Ok(v) if v.major() == major => return Ok(binaries),
                Ok(v) => found.push(format!("{v} in {}", binaries.dir.display())),
                Err(err) => found.push(format!("{} ({err})", binaries.dir.display())),
            }
        }
        if found.is_empty() {
            return Err(self.not_found());
        }
        Err(Error::VersionMismatch { data_dir: data_dir.to_path_buf(), cluster_major: major, found: found.join(", ") })
    }

    fn not_found(&self) -> Error {
        match &self.pg_bin {
            Some(dir) => Error::BinariesNotFound { searched: vec![dir.clone()], pg_bin: Some(dir.clone()) },
            None => {
                let mut searched: Vec<PathBuf> = Vec::new();
                if self.well_known {
                    searched.extend(
                        WELL_KNOWN_PATTERNS
                            .iter()
                            .map(|(parent, prefix, sub)| Path::new(parent).join(format!("{prefix}*")).join(sub)),
                    );
                    searched.extend(WELL_KNOWN_DIRS.iter().map(PathBuf::from));
                }
                Error::BinariesNotFound { searched, pg_bin: None }
            }
        }
    }
}

/// Finds the server binaries the way every strata command does: `PG_BIN`, then `initdb` and
/// `pg_ctl` on `PATH`, then the newest of the well-known directories
/// (`/usr/lib/postgresql/*/bin`, `/usr/pgsql-*/bin`, Homebrew's `postgresql@*`, ...).
pub fn find_binaries() -> Result<Binaries, Error> {
    Search::from_env().find()
}

/// Every existing well-known directory, the highest version first.
fn well_known_dirs() -> Vec<PathBuf> {
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = Vec::new();
    for (parent, prefix, sub) in WELL_KNOWN_PATTERNS {
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(rest) = name.strip_prefix(prefix) {
                let dir = entry.path().join(sub);
                if dir.is_dir() {
                    versioned.push((version_key(rest), dir));
                }
            }
        }
    }
    // Stable sort: among equal versions the pattern order above decides.
    versioned.sort_by_key(|(key, _)| Reverse(key.clone()));
    let mut dirs: Vec<PathBuf> = versioned.into_iter().map(|(_, dir)| dir).collect();
    dirs.extend(WELL_KNOWN_DIRS.iter().map(PathBuf::from).filter(|d| d.is_dir()));
    dirs
}

/// The numbers in a directory name, for ordering: `16` → `[16]`, `9.6` → `[9, 6]`, `latest` → `[]`.
fn version_key(name: &str) -> Vec<u32> {
    name.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

fn holds_server(dir: &Path) -> bool {
    REQUIRED.iter().all(|name| is_executable(&dir.join(name)))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_parses_distribution_suffixes() {
        let v = Version::parse("postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)").unwrap();
        assert_eq!((v.major(), v.as_str()), (15, "15.14"));
        let v = Version::parse("postgres (PostgreSQL) 17beta1").unwrap();
        assert_eq!((v.major(), v.as_str()), (17, "17beta1"));
        let v = Version::parse("postgres (PostgreSQL) 9.6.24").unwrap();
        assert_eq!(v.major(), 9);
        assert!(Version::parse("postgres (PostgreSQL)").is_none());
    }

    #[test]
    fn version_key_orders_numerically() {
        let mut names = vec!["9.6", "16", "latest", "10", "15"];
        names.sort_by_key(|n| Reverse(version_key(n)));
        assert_eq!(names, ["16", "15", "10", "9.6", "latest"]);
    }

    #[test]
    fn pg_bin_is_the_only_candidate() {
        let search = Search::from_env().pg_bin("/nonexistent/pg");
        assert_eq!(search.candidates(), [PathBuf::from("/nonexistent/pg")]);
        match search.find() {
            Err(Error::BinariesNotFound { pg_bin: Some(dir), .. }) => assert_eq!(dir, Path::new("/nonexistent/pg")),
            other => panic!("expected BinariesNotFound, got {other:?}"),
        }
    }

    #[test]
    fn path_candidates_keep_order_and_drop_relative_and_duplicate_entries() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::create_dir(&a).unwrap();
        let path =
            std::env::join_paths([a.clone(), PathBuf::from("relative"), a.clone(), PathBuf::from("/nonexistent")])
                .unwrap();
        let search = Search::from_env().path(path).without_well_known();
        assert_eq!(search.candidates(), [a, PathBuf::from("/nonexistent")]);
    }

    #[test]
    fn a_directory_with_the_server_programs_is_found() {
        let dir = tempfile::tempdir().unwrap();
        for name in REQUIRED {
            let path = dir.path().join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let found = Search::from_env().path(dir.path()).without_well_known().find().unwrap();
        assert_eq!(found.dir(), dir.path());
        assert_eq!(found.tool("initdb"), dir.path().join("initdb"));
    }

    #[test]
    fn non_executable_programs_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        for name in REQUIRED {
            std::fs::write(dir.path().join(name), "").unwrap();
            std::fs::set_permissions(dir.path().join(name), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        assert!(Binaries::at(dir.path()).is_err());
    }
}
