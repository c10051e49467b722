//! The small files strata keeps beside the cluster (port, password, data location): written
//! whole or not at all, so a process killed mid-write never leaves one that the next process
//! misreads.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::{Error, io_error};

/// The trimmed content of `path`; `None` when it does not exist.
pub(crate) fn read(path: &Path) -> Result<Option<String>, Error> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(io_error("read", path)(err)),
    }
}

/// Writes `content` and a newline to `path` with `mode`: into a temporary file beside it,
/// then renamed over it.
pub(crate) fn write(path: &Path, content: &str, mode: u32) -> Result<(), Error> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut file =
        OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp).map_err(io_error("create", &tmp))?;
    let written = file.write_all(content.as_bytes()).and_then(|()| file.write_all(b"\n"));
    drop(file);
    if let Err(err) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("write", &tmp)(err));
    }
    fs::rename(&tmp, path).map_err(io_error("write", path))
}

/// Removes `path`; one that is already gone is fine.
pub(crate) fn remove(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(io_error("remove", path)(err)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn writes_with_mode_and_reads_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("port");
        assert_eq!(read(&path).unwrap(), None);
        write(&path, "5433", 0o644).unwrap();
        write(&path, "5434", 0o644).unwrap();
        assert_eq!(read(&path).unwrap().as_deref(), Some("5434"));
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
        remove(&path).unwrap();
        remove(&path).unwrap();
    }
}
