//! Reading the server's `postmaster.pid` to tell, without connecting and without `pg_ctl`
//! (which refuses root), whether the cluster runs, on which port, and whether a leftover file
//! from a killed server is stale.
//!
//! A stale file whose pid now belongs to an unrelated process (common after a container
//! restart, where pids start over) makes `postgres` refuse to start with "lock file already
//! exists"; [`PostmasterPid::is_alive`] tells the two apart so the caller can remove it.

use std::path::{Path, PathBuf};

use crate::error::{Error, io_error};
use crate::process;

/// The name of the lock file in the data directory.
pub(crate) const FILE: &str = "postmaster.pid";

/// What `postmaster.pid` says (see `src/include/utils/pidfile.h`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostmasterPid {
    /// Line 1: the postmaster's pid.
    pub(crate) pid: u32,
    /// Line 4: the port.
    pub(crate) port: Option<u16>,
    /// Line 8: `starting`, `ready`, `stopping` or `standby` (absent early in startup).
    pub(crate) state: Option<String>,
}

impl PostmasterPid {
    /// Reads the file in `data_dir`; `None` when there is none (the server is stopped).
    pub(crate) fn read(data_dir: &Path) -> Result<Option<PostmasterPid>, Error> {
        let path = data_dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(PostmasterPid::parse(&text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error("read", &path)(err)),
        }
    }

    /// `None` for a file cut short or garbled (a crash while writing it): nothing runs then.
    fn parse(text: &str) -> Option<PostmasterPid> {
        let lines: Vec<&str> = text.lines().collect();
        let pid = lines.first()?.trim().parse().ok().filter(|&p| p > 0)?;
        let port = lines.get(3).and_then(|l| l.trim().parse().ok());
        let state = lines.get(7).map(|l| l.trim().to_owned()).filter(|s| !s.is_empty());
        Some(PostmasterPid { pid, port, state })
    }

    /// Whether the pid is a live postmaster of `data_dir`, not a recycled pid.
    pub(crate) fn is_alive(&self, data_dir: &Path) -> bool {
        process_serves(self.pid, data_dir)
    }

    /// Whether the server accepts connections (`pg_ctl -w` waits for the same line).
    pub(crate) fn is_ready(&self) -> bool {
        self.state.as_deref() == Some("ready")
    }
}

/// Whether `pid` is a live PostgreSQL process working in `data_dir`.
fn process_serves(pid: u32, data_dir: &Path) -> bool {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if Path::new("/proc/self/stat").exists() {
        let Ok(stat) = std::fs::read_to_string(proc_dir.join("stat")) else {
            return false;
        };
        let Some((comm, state)) = parse_stat(&stat) else {
            return false;
        };
        // A zombie postmaster has exited; only its parent has not reaped it yet.
        if matches!(state, 'Z' | 'X' | 'x') {
            return false;
        }
        // postgres chdirs into its data directory, so its cwd identifies the cluster exactly.
        if let (Ok(cwd), Ok(data)) = (std::fs::read_link(proc_dir.join("cwd")), data_dir.canonicalize()) {
            return cwd == data;
        }
        is_postgres_name(comm)
    } else {
        // No procfs (macOS, BSD): ask ps for the command name.
        match process::run(process::command("ps").args(["-p", &pid.to_string(), "-o", "comm="])) {
            Ok(out) if out.status.success() => is_postgres_name(String::from_utf8_lossy(&out.stdout).trim()),
            _ => false,
        }
    }
}

fn is_postgres_name(comm: &str) -> bool {
    let name = comm.rsplit('/').next().unwrap_or(comm);
    name.starts_with("postgres") || name.starts_with("postmaster")
}

/// `1234 (postgres) S 1 ...` → `("postgres", 'S')`. The name may hold spaces and parentheses,
/// so it ends at the last `)`.
fn parse_stat(stat: &str) -> Option<(&str, char)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?;
    let state = stat.get(close + 1..)?.trim_start().chars().next()?;
    Some((comm, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    const READY: &str = "4242\n/var/lib/data\n1700000000\n54321\n\n127.0.0.1\n  1234567     98304\nready   \n";

    #[test]
    fn parses_pid_port_and_state() {
        let pid = PostmasterPid::parse(READY).unwrap();
        assert_eq!(pid, PostmasterPid { pid: 4242, port: Some(54321), state: Some("ready".into()) });
        assert!(pid.is_ready());
    }

    #[test]
    fn early_startup_file_has_no_state() {
        let pid = PostmasterPid::parse("4242\n/d\n1700000000\n54321\n").unwrap();
        assert_eq!(pid.state, None);
        assert!(!pid.is_ready());
    }

    #[test]
    fn garbled_file_is_nothing() {
        assert_eq!(PostmasterPid::parse(""), None);
        assert_eq!(PostmasterPid::parse("abc\n"), None);
        assert_eq!(PostmasterPid::parse("0\n"), None);
    }

    #[test]
    fn stat_name_may_hold_parentheses() {
        assert_eq!(parse_stat("77 (post (gres)) S 1 77"), Some(("post (gres)", 'S')));
        assert_eq!(parse_stat("77 (postgres) Z 1"), Some(("postgres", 'Z')));
    }

    #[test]
    fn a_recycled_pid_is_not_the_server() {
        // This test process is alive, but it is not a postgres working in that directory.
        let dir = tempfile::tempdir().unwrap();
        let pid = PostmasterPid { pid: std::process::id(), port: Some(1), state: Some("ready".into()) };
        assert!(!pid.is_alive(dir.path()));
    }

    #[test]
    fn a_dead_pid_is_not_the_server() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!PostmasterPid { pid, port: None, state: None }.is_alive(Path::new("/")));
    }
}
