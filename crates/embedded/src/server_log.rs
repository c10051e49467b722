//! The server's log file in the data directory: kept from growing without bound, and read
//! back when a start fails, so the error shows PostgreSQL's own explanation.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The log's name in the data directory (`pg_ctl -l`).
pub(crate) const FILE: &str = "server.log";

/// Past this size the log is moved to `server.log.1` before the next start.
const ROTATE_AT: u64 = 16 * 1024 * 1024;

/// Lines of log shown in a start error.
pub(crate) const TAIL_LINES: usize = 30;

/// The log of the cluster in `data_dir`.
pub(crate) fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Current length, to read back only what one start attempt wrote.
pub(crate) fn len(log: &Path) -> u64 {
    fs::metadata(log).map(|m| m.len()).unwrap_or(0)
}

/// Moves a large log aside (keeping one old generation). Best effort: a log that cannot be
/// rotated is no reason not to start.
pub(crate) fn rotate_if_large(log: &Path) {
    if len(log) > ROTATE_AT {
        let old = log.with_extension("log.1");
        if let Err(err) = fs::rename(log, &old) {
            tracing::warn!(log = %log.display(), %err, "could not rotate the server log");
        }
    }
}

/// The last `lines` lines written after byte `offset` (from the start when the file shrank).
pub(crate) fn tail_since(log: &Path, offset: u64, lines: usize) -> String {
    let Ok(mut file) = fs::File::open(log) else {
        return String::new();
    };
    let offset = if offset > len(log) { 0 } else { offset };
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(offset)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_reads_only_the_new_part_and_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join(FILE);
        fs::write(&log, "old 1\nold 2\n").unwrap();
        let offset = len(&log);
        fs::write(&log, "old 1\nold 2\nnew 1\nnew 2\nnew 3\n").unwrap();
        assert_eq!(tail_since(&log, offset, 2), "new 2\nnew 3");
        assert_eq!(tail_since(&log, offset, 10), "new 1\nnew 2\nnew 3");
    }

    #[test]
    fn tail_of_a_shrunk_or_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join(FILE);
        assert_eq!(tail_since(&log, 0, 5), "");
        fs::write(&log, "a\n").unwrap();
        assert_eq!(tail_since(&log, 1000, 5), "a");
    }
}
