//! A temporary folder of migration files that a test writes file by file: the one
//! home of how a test lays out `<track>/<name>.up.sql` and `.down.sql`.

use std::path::Path;

/// A migrations folder (the one `MigrationSet::load` reads), removed when dropped.
pub struct MigrationDir {
    dir: tempfile::TempDir,
}

/// The version and name of the first file of [`MigrationDir::with_app_schema`].
pub const CREATE_SCHEMAS: &str = "20251124_000000_create_schemas";

impl MigrationDir {
    /// An empty folder.
    pub fn new() -> MigrationDir {
        MigrationDir { dir: tempfile::tempdir().expect("a temporary migrations folder") }
    }

    /// A folder whose one file, [`CREATE_SCHEMAS`] on the migrate track, creates
    /// schema `app` (and its down drops it, with everything in it).
    pub fn with_app_schema() -> MigrationDir {
        let dir = MigrationDir::new();
        dir.write(
            "migrate",
            CREATE_SCHEMAS,
            "CREATE SCHEMA IF NOT EXISTS app;\n",
            "DROP SCHEMA IF EXISTS app CASCADE;\n",
        );
        dir
    }

    /// A folder holding a copy of the folder `from` (a project's migrations, to
    /// edit without touching them).
    pub fn copy_of(from: &Path) -> MigrationDir {
        let dir = MigrationDir::new();
        copy_dir(from, dir.path());
        dir
    }

    /// The folder, as `MigrationSet::load` takes it.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or overwrites) `<track>/<name>.up.sql` and `<track>/<name>.down.sql`.
    pub fn write(&self, track: &str, name: &str, up: &str, down: &str) {
        let folder = self.path().join(track);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{name}.up.sql")), up).unwrap();
        std::fs::write(folder.join(format!("{name}.down.sql")), down).unwrap();
    }

    /// Writes a file whose down does nothing (`SELECT 1;`), for tests that never go down.
    pub fn write_up(&self, track: &str, name: &str, up: &str) {
        self.write(track, name, up, "SELECT 1;\n");
    }

    /// Writes migrate-track files `<day>_<i:06>_t<i>` for each `i` of `files`, their
    /// SQL made from `i` by `up` and `down`.
    pub fn write_numbered(
        &self,
        day: &str,
        files: impl IntoIterator<Item = usize>,
        up: impl Fn(usize) -> String,
        down: impl Fn(usize) -> String,
    ) {
        for i in files {
            self.write("migrate", &format!("{day}_{i:06}_t{i}"), &up(i), &down(i));
        }
    }

    /// Removes both files of `<track>/<name>`.
    pub fn remove(&self, track: &str, name: &str) {
        for direction in ["up", "down"] {
            std::fs::remove_file(self.path().join(track).join(format!("{name}.{direction}.sql"))).unwrap();
        }
    }
}

/// Copies the files of the folder `from`, and of its subfolders, into `to`
/// (created when missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Default for MigrationDir {
    fn default() -> Self {
        MigrationDir::new()
    }
}
