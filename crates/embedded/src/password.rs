//! The superuser's password: random, and kept in a file only its owner can read.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::error::{Error, io_error};
use crate::state_file;

/// 32 alphanumerics: about 190 bits, and nothing that needs escaping in a URL.
const LENGTH: usize = 32;

/// A new random password.
pub(crate) fn generate() -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(LENGTH).map(char::from).collect()
}

/// The password in `path`, `None` when there is no such file. A file that others can read is
/// narrowed to 0600 (a checkout or copy may have widened it).
pub(crate) fn read(path: &Path) -> Result<Option<String>, Error> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_error("read", path)(err)),
    };
    let meta = fs::metadata(path).map_err(io_error("read", path))?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(file = %path.display(), "password file was readable by others; setting mode 0600");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io_error("restrict the mode of", path))?;
    }
    let password = text.trim().to_owned();
    if password.is_empty() || !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::InvalidState {
            path: path.to_path_buf(),
            reason: "this is not a password written by strata (expected letters and digits only)".to_owned(),
        });
    }
    Ok(Some(password))
}

/// Writes `password` to `path`, readable by its owner only.
pub(crate) fn write(path: &Path, password: &str) -> Result<(), Error> {
    state_file::write(path, password, 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_url_safe_and_differ() {
        let a = generate();
        assert_eq!(a.len(), LENGTH);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, generate());
    }

    #[test]
    fn written_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        assert_eq!(read(&path).unwrap(), None);
        write(&path, "abc123").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read(&path).unwrap().as_deref(), Some("abc123"));
    }

    #[test]
    fn a_widened_file_is_narrowed_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        write(&path, "abc").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        read(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn foreign_content_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        fs::write(&path, "p@ss word\n").unwrap();
        assert!(matches!(read(&path), Err(Error::InvalidState { .. })));
    }
}
