//! The exclusive lock that serializes `start`, `stop` and `destroy` across every strata
//! process and thread of a project, so that sixteen commands racing on a fresh checkout make
//! one `initdb` and one server between them.
//!
//! A `flock`-style lock (std's `File::lock`) belongs to the open file, so it works between
//! threads of one process as well as between processes, and the kernel drops it when its
//! holder dies: a crashed strata never leaves the project locked. The file descriptor is
//! close-on-exec, so the server started under the lock does not inherit it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, io_error};

/// How often a waiting process retries.
const POLL: Duration = Duration::from_millis(20);

/// Held while alive; released on drop.
#[derive(Debug)]
pub(crate) struct StateLock {
    _file: File,
    path: PathBuf,
}

impl StateLock {
    /// Takes the lock on `path` (created if missing), waiting up to `timeout` for another
    /// holder. Polls rather than blocking so that a hung holder turns into an error naming
    /// the lock instead of a command that never returns.
    pub(crate) fn acquire(path: &Path, timeout: Duration) -> Result<StateLock, Error> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io_error("open the lock file", path))?;
        let started = Instant::now();
        let mut logged = false;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(StateLock { _file: file, path: path.to_path_buf() });
                }
                Err(TryLockError::WouldBlock) => {
                    if started.elapsed() >= timeout {
                        return Err(Error::LockTimeout { lock: path.to_path_buf(), waited: started.elapsed() });
                    }
                    if !logged {
                        tracing::debug!(lock = %path.display(), "waiting for another strata process");
                        logged = true;
                    }
                    std::thread::sleep(POLL);
                }
                Err(TryLockError::Error(err)) => return Err(io_error("lock", path)(err)),
            }
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        tracing::trace!(lock = %self.path.display(), "released");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_times_out_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = StateLock::acquire(&path, Duration::ZERO).unwrap();
        match StateLock::acquire(&path, Duration::from_millis(60)) {
            Err(Error::LockTimeout { lock, .. }) => assert_eq!(lock, path),
            other => panic!("expected LockTimeout, got {other:?}"),
        }
        drop(first);
        StateLock::acquire(&path, Duration::ZERO).unwrap();
    }

    #[test]
    fn a_waiter_gets_the_lock_when_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = StateLock::acquire(&path, Duration::ZERO).unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || StateLock::acquire(&path, Duration::from_secs(10)).map(|_| ()))
        };
        std::thread::sleep(Duration::from_millis(100));
        drop(first);
        waiter.join().unwrap().unwrap();
    }
}
