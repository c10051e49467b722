//! Where the cluster's files live.
//!
//! Everything strata keeps is under `<state_dir>/postgres/`: the lock, the password (0600),
//! the last port, and normally the data directory itself (`data/`). When strata runs as root
//! and the PostgreSQL user cannot reach that folder (a project under `/root`, mode 0700), the
//! data directory goes to a root-owned, world-traversable place instead
//! (`/var/lib/strata/<project>-<hash>`, else `/var/tmp/strata/...`), and its path is recorded
//! in `<state_dir>/postgres/data-location`.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, io_error};
use crate::state_file;

/// The folder in the state directory that holds the cluster's files.
pub(crate) const SUBDIR: &str = "postgres";

/// Where relocated data directories go, in order of preference. `/var/lib` survives reboots
/// and temp cleaners; `/var/tmp` is the fallback for read-only `/var/lib`.
const RELOCATION_BASES: [&str; 2] = ["/var/lib/strata", "/var/tmp/strata"];

/// The paths of one project's cluster.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout under `state_dir`, made absolute (a relative one would change meaning for
    /// children, which run in `/`).
    pub(crate) fn new(state_dir: &Path) -> Layout {
        let state_dir = std::path::absolute(state_dir).unwrap_or_else(|_| state_dir.to_path_buf());
        Layout { root: state_dir.join(SUBDIR) }
    }

    /// `<state_dir>/postgres`.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Whether anything was ever created here.
    pub(crate) fn exists(&self) -> bool {
        self.root.is_dir()
    }

    /// Creates `<state_dir>/postgres` (and the state directory), traversable by all so that the
    /// PostgreSQL user can reach a data directory inside it; the secrets in it are 0600.
    pub(crate) fn create(&self) -> Result<(), Error> {
        fs::create_dir_all(&self.root).map_err(io_error("create directory", &self.root))?;
        let mode = fs::metadata(&self.root).map_err(io_error("read", &self.root))?.permissions().mode();
        if mode & 0o755 != 0o755 {
            // Another process may do the same at the same time; both set the same mode.
            fs::set_permissions(&self.root, fs::Permissions::from_mode(0o755))
                .map_err(io_error("set the mode of", &self.root))?;
        }
        Ok(())
    }

    pub(crate) fn lock_file(&self) -> PathBuf {
        self.root.join("lock")
    }

    pub(crate) fn password_file(&self) -> PathBuf {
        self.root.join("password")
    }

    /// The password of a login strata created for one purpose (`login-<name>.password`).
    pub(crate) fn login_password_file(&self, login: &str) -> PathBuf {
        self.root.join(format!("login-{login}.password"))
    }

    fn port_file(&self) -> PathBuf {
        self.root.join("port")
    }

    fn location_file(&self) -> PathBuf {
        self.root.join("data-location")
    }

    /// `<state_dir>/postgres/data`.
    pub(crate) fn default_data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The data directory: the recorded relocation, else the default.
    pub(crate) fn data_dir(&self) -> Result<PathBuf, Error> {
        Ok(self.recorded_data_dir()?.unwrap_or_else(|| self.default_data_dir()))
    }

    /// The recorded relocation. Only a path directly inside one of the relocation bases is
    /// accepted: `destroy` deletes this directory as root, so an edited file must not be able
    /// to point it at anything else.
    pub(crate) fn recorded_data_dir(&self) -> Result<Option<PathBuf>, Error> {
        let file = self.location_file();
        let Some(text) = state_file::read(&file)? else {
            return Ok(None);
        };
        let path = PathBuf::from(&text);
        let inside_base = path.parent().is_some_and(|p| RELOCATION_BASES.iter().any(|b| p == Path::new(b)));
        let plain = path.components().all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        if !(inside_base && plain) {
            return Err(Error::InvalidState {
                path: file,
                reason: format!(
                    "{text:?} is not a data directory strata would have chosen (one inside {}); \
                     delete this file if the database has not been created yet",
                    RELOCATION_BASES.join(" or ")
                ),
            });
        }
        Ok(Some(path))
    }

    pub(crate) fn record_data_dir(&self, dir: &Path) -> Result<(), Error> {
        state_file::write(&self.location_file(), &dir.to_string_lossy(), 0o644)
    }

    /// The port of the last start.
    pub(crate) fn recorded_port(&self) -> Result<Option<u16>, Error> {
        let file = self.port_file();
        match state_file::read(&file)? {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| Error::InvalidState {
                path: file,
                reason: format!("{text:?} is not a port number; delete the file to pick a new port"),
            }),
        }
    }

    pub(crate) fn record_port(&self, port: u16) -> Result<(), Error> {
        state_file::write(&self.port_file(), &port.to_string(), 0o644)
    }

    /// Removes the small files (not the data, not the lock: a waiting process holds it open).
    pub(crate) fn forget(&self) -> Result<(), Error> {
        for file in [self.port_file(), self.password_file(), self.location_file()] {
            state_file::remove(&file)?;
        }
        Ok(())
    }
}

/// A data directory for `state_dir` (canonical) in the first usable relocation base, which is
/// created root-owned and mode 0755 when missing, and refused when anyone but root could
/// write it (it must not be possible to swap the data directory under the server).
pub(crate) fn relocated_data_dir(canonical_state_dir: &Path) -> Result<PathBuf, Error> {
    let name = relocated_name(canonical_state_dir);
    let mut last_err = None;
    for base in RELOCATION_BASES.map(Path::new) {
        match prepare_base(base) {
            Ok(()) => return Ok(base.join(&name)),
            Err(err @ Error::UnsafeLocation { .. }) => return Err(err),
            Err(err) => last_err = Some(err),
        }
    }
    Err(last_err.expect("at least one relocation base"))
}

fn prepare_base(base: &Path) -> Result<(), Error> {
    match fs::DirBuilder::new().mode(0o755).create(base) {
        Ok(()) => {
            // The umask may have narrowed the mode; the PostgreSQL user must traverse it.
            fs::set_permissions(base, fs::Permissions::from_mode(0o755)).map_err(io_error("set the mode of", base))?;
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(io_error("create directory", base)(err)),
    }
    let meta = fs::symlink_metadata(base).map_err(io_error("read", base))?;
    let unsafe_because = if !meta.is_dir() {
        Some("it is not a directory (a symlink?)".to_owned())
    } else if meta.uid() != 0 {
        Some(format!("it is owned by uid {}, not root", meta.uid()))
    } else if meta.mode() & 0o022 != 0 {
        Some(format!("its mode {:o} lets others write it", meta.mode() & 0o7777))
    } else if meta.mode() & 0o005 != 0o005 {
        Some(format!("its mode {:o} does not let the PostgreSQL user traverse it", meta.mode() & 0o7777))
    } else {
        None
    };
    match unsafe_because {
        Some(reason) => Err(Error::UnsafeLocation { path: base.to_path_buf(), reason }),
        None => Ok(()),
    }
}

/// `<project>-<hash>`: readable in `ls`, unique per state directory.
fn relocated_name(canonical_state_dir: &Path) -> String {
    let file_name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // `.strata` says nothing; the project folder around it does.
    let mut label = file_name(canonical_state_dir);
    if label.starts_with('.') {
        label = canonical_state_dir.parent().map(file_name).unwrap_or_default();
    }
    let label: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    let hash = fnv1a64(canonical_state_dir.as_os_str().as_bytes());
    if label.is_empty() { format!("{hash:016x}") } else { format!("{label}-{hash:016x}") }
}

/// FNV-1a: stable across Rust versions and platforms (std's hasher promises neither), and
/// plenty for telling project folders apart.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocated_name_uses_the_project_folder_and_a_stable_hash() {
        let name = relocated_name(Path::new("/root/my app/.strata"));
        assert!(name.starts_with("my_app-"), "{name}");
        assert_eq!(name, relocated_name(Path::new("/root/my app/.strata")));
        assert_ne!(name, relocated_name(Path::new("/home/x/my app/.strata")));
        assert_eq!(relocated_name(Path::new("/srv/target/strata-test-cluster")).split('-').count(), 4);
    }

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn recorded_location_must_be_inside_a_base() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        layout.create().unwrap();
        assert_eq!(layout.data_dir().unwrap(), dir.path().join("postgres/data"));

        layout.record_data_dir(Path::new("/var/lib/strata/app-0123")).unwrap();
        assert_eq!(layout.data_dir().unwrap(), Path::new("/var/lib/strata/app-0123"));

        for bad in ["/", "/etc", "/var/lib/strata/../../etc", "/var/lib/strata/a/b", "relative"] {
            layout.record_data_dir(Path::new(bad)).unwrap();
            assert!(matches!(layout.data_dir(), Err(Error::InvalidState { .. })), "{bad} accepted");
        }
    }

    #[test]
    fn port_round_trips_and_garbage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        layout.create().unwrap();
        assert_eq!(layout.recorded_port().unwrap(), None);
        layout.record_port(54321).unwrap();
        assert_eq!(layout.recorded_port().unwrap(), Some(54321));
        fs::write(dir.path().join("postgres/port"), "x").unwrap();
        assert!(matches!(layout.recorded_port(), Err(Error::InvalidState { .. })));
    }

    #[test]
    fn created_root_is_traversable_even_under_a_narrow_umask() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(&dir.path().join(".strata"));
        fs::create_dir_all(layout.root()).unwrap();
        fs::set_permissions(layout.root(), fs::Permissions::from_mode(0o700)).unwrap();
        layout.create().unwrap();
        assert_eq!(fs::metadata(layout.root()).unwrap().permissions().mode() & 0o777, 0o755);
    }
}
