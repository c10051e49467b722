//! The one error type of this crate: each variant names what the user has to look at
//! (a path, a program, a user) and, where there is one, what to do about it.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything that can go wrong while locating, creating, starting or stopping the cluster.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// No directory holds `initdb`, `pg_ctl` and `postgres`.
    #[error("{}", not_found_message(.searched, .pg_bin.as_deref()))]
    BinariesNotFound {
        /// Every directory that was looked in, in order.
        searched: Vec<PathBuf>,
        /// `PG_BIN` when it was set: then it is the only place looked in.
        pg_bin: Option<PathBuf>,
    },

    /// The cluster exists but none of the binaries found are of its major version.
    #[error(
        "the database in {} was created by PostgreSQL {cluster_major}, but the server binaries found are {found}; \
         install PostgreSQL {cluster_major}'s server (or set PG_BIN to its bin directory), \
         or delete that directory to start over with the installed version (losing its data)",
        data_dir.display()
    )]
    VersionMismatch {
        /// The cluster's data directory.
        data_dir: PathBuf,
        /// The major version in its `PG_VERSION` file.
        cluster_major: u32,
        /// The versions and directories that were found instead.
        found: String,
    },

    /// The binaries are older than PostgreSQL 10, which lacks scram-sha-256.
    #[error("PostgreSQL {version} in {} is too old: strata needs PostgreSQL 10 or newer", dir.display())]
    UnsupportedVersion {
        /// The bin directory.
        dir: PathBuf,
        /// What `postgres --version` said.
        version: String,
    },

    /// `postgres --version` printed something that is not a PostgreSQL version.
    #[error("{} --version printed no PostgreSQL version: {output:?}", program.display())]
    UnrecognizedVersion {
        /// The `postgres` binary.
        program: PathBuf,
        /// Its output.
        output: String,
    },

    /// A file-system operation failed.
    #[error("could not {action} {}", path.display())]
    Io {
        /// What was being done, as a verb phrase ("create directory").
        action: &'static str,
        /// The file or directory it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// A program could not be run at all (missing, not executable).
    #[error("could not run {}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// A program ran and failed.
    #[error("`{command}` failed ({status}){}", indented_output(.output))]
    CommandFailed {
        /// The command line (never contains a secret: passwords go through files or the environment).
        command: String,
        /// How it ended, e.g. "exit status: 1".
        status: String,
        /// What it printed on stdout and stderr.
        output: String,
    },

    /// The server did not come up; the tail of its log says why.
    #[error(
        "PostgreSQL did not start (data directory {}, port {port}): {reason}\nlast lines of {}:\n{}",
        data_dir.display(),
        log.display(),
        indent(.log_tail)
    )]
    StartFailed {
        /// The data directory.
        data_dir: PathBuf,
        /// The port it was asked to listen on.
        port: u16,
        /// What `pg_ctl start` said.
        reason: String,
        /// The server log.
        log: PathBuf,
        /// Its last lines written by this attempt.
        log_tail: String,
    },

    /// Running as root, and the user to run PostgreSQL as does not exist.
    #[error(
        "initdb and postgres refuse to run as root, so strata runs them as the user `{user}`, but there is no such user; \
         create it (`useradd --system --user-group --no-create-home {user}`; installing the postgresql package also does), \
         or set STRATA_PG_USER to an existing unprivileged user"
    )]
    UnknownUser {
        /// The user name (`STRATA_PG_USER`, default `postgres`).
        user: String,
    },

    /// `STRATA_PG_USER` names root itself.
    #[error("STRATA_PG_USER={user} is root, and PostgreSQL refuses to run as root; name an unprivileged user")]
    UserIsRoot {
        /// The user name.
        user: String,
    },

    /// Running as root without a tool to drop privileges.
    #[error(
        "initdb and postgres refuse to run as root, and neither `setpriv` nor `runuser` (util-linux) was found \
         to run them as `{user}`; install util-linux, or run strata as an unprivileged user"
    )]
    NoUserSwitch {
        /// The user PostgreSQL would have run as.
        user: String,
    },

    /// Another process held the cluster's lock for too long.
    #[error(
        "waited {}s for the lock {} held by another strata process (a slow start, or a hung one)",
        waited.as_secs(),
        lock.display()
    )]
    LockTimeout {
        /// The lock file.
        lock: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },

    /// `url()` on a project whose cluster was never created.
    #[error("there is no embedded database in {} yet: run `strata db start`", state_dir.display())]
    NotInitialized {
        /// The project's `.strata` directory.
        state_dir: PathBuf,
    },

    /// A file that strata keeps in the state directory has content it did not write.
    #[error("{}: {reason}", path.display())]
    InvalidState {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A directory that would hold the database is unsafe (a symlink, or writable by others).
    #[error("{} cannot hold the database: {reason}; remove it or fix its owner and mode", path.display())]
    UnsafeLocation {
        /// The directory.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
}

/// `map_err` adapter for file-system calls: `fs::read(&p).map_err(io_error("read", &p))`.
pub(crate) fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { action, path, source }
}

/// The hint every "no binaries" error carries: the three ways out.
pub(crate) const INSTALL_HINT: &str = "\
install PostgreSQL's server:
  Debian/Ubuntu:  apt-get install -y postgresql
  Fedora/RHEL:    dnf install postgresql-server
  Alpine:         apk add postgresql
  Arch:           pacman -S postgresql
  macOS:          brew install postgresql@16
or set PG_BIN to the directory that holds initdb, pg_ctl and postgres,
or set DATABASE_URL (or pass --database-url) to use an existing PostgreSQL server instead";

fn not_found_message(searched: &[PathBuf], pg_bin: Option<&Path>) -> String {
    let list = searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let head = match pg_bin {
        Some(dir) => {
            format!("PG_BIN={} does not hold PostgreSQL's server binaries (initdb, pg_ctl, postgres)", dir.display())
        }
        None if list.is_empty() => "PostgreSQL's server binaries (initdb, pg_ctl, postgres) were not found".to_owned(),
        None => format!(
            "PostgreSQL's server binaries (initdb, pg_ctl, postgres) were not found (looked in PATH and {list})"
        ),
    };
    format!("{head}\n{INSTALL_HINT}")
}

fn indented_output(output: &str) -> String {
    if output.trim().is_empty() { String::new() } else { format!(":\n{}", indent(output)) }
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.trim_end().lines().map(|l| format!("  {l}")).collect();
    if lines.is_empty() { "  (empty)".to_owned() } else { lines.join("\n") }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The ways out (apt-get, brew, PG_BIN, DATABASE_URL) follow every head line:
    // tests/binaries.rs checks them on real searches.
    #[test]
    fn not_found_names_the_directories_searched() {
        let err = Error::BinariesNotFound { searched: vec![PathBuf::from("/usr/lib/postgresql/16/bin")], pg_bin: None };
        assert!(err.to_string().contains("(looked in PATH and /usr/lib/postgresql/16/bin)\n"), "{err}");
    }

    #[test]
    fn not_found_with_pg_bin_blames_pg_bin() {
        let err = Error::BinariesNotFound { searched: vec![PathBuf::from("/x")], pg_bin: Some(PathBuf::from("/x")) };
        assert!(err.to_string().starts_with("PG_BIN=/x does not hold"), "{err}");
    }

    #[test]
    fn command_failed_indents_output_and_omits_empty() {
        let err = Error::CommandFailed {
            command: "initdb -D x".into(),
            status: "exit status: 1".into(),
            output: "a\nb\n".into(),
        };
        assert_eq!(err.to_string(), "`initdb -D x` failed (exit status: 1):\n  a\n  b");
        let err = Error::CommandFailed { command: "x".into(), status: "exit status: 2".into(), output: " \n".into() };
        assert_eq!(err.to_string(), "`x` failed (exit status: 2)");
    }
}
