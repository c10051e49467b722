//! Migration files compiled into a binary with [`embed!`](crate::embed!), read
//! into the same [`MigrationSet`] the CLI reads from disk.
//!
//! The files keep their names (`migrate/<version>_<description>.up.sql`), so
//! versions, descriptions and checksums (SHA-256 of the up file, ignoring a BOM and
//! CRLF) are exactly what `strata` records for the same folder: a database
//! migrated by one is up to date for the other.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::checksum::Checksum;
use crate::source::{ByTrack, Migration, MigrationSet, SourceErrors, SourceProblem, SqlFile, Track, pair_up};

/// Compiles a migrations folder into the binary: every `.sql` file under its
/// `migrate/` and `seed/` folders, read at build time. The path is relative to the
/// crate's `Cargo.toml`. The value is an [`EmbeddedMigrations`], usable in a
/// `const` or `static`.
///
/// ```
/// // In your crate: embed!("migrations").
/// static MIGRATIONS: strata_migrate::EmbeddedMigrations = strata_migrate::embed!("tests/fixtures/shop");
/// assert_eq!(MIGRATIONS.load().unwrap().migrate.len(), 4);
/// ```
///
/// Cargo rebuilds the crate when an embedded file is edited. A file that is
/// added or removed is noticed only with a build script that says
/// `println!("cargo:rerun-if-changed=migrations");` (as with `sqlx::migrate!`).
#[macro_export]
macro_rules! embed {
    ($dir:literal) => {
        $crate::embed::EmbeddedMigrations::__new($dir, $crate::__embed_files!($dir))
    };
}

/// Migration files compiled in by [`embed!`](crate::embed!): the folder as
/// written in the macro and each file's path under it with its text.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations {
    dir: &'static str,
    files: &'static [(&'static str, &'static str)],
}

impl EmbeddedMigrations {
    /// Used by [`embed!`](crate::embed!); call the macro instead.
    #[doc(hidden)]
    pub const fn __new(dir: &'static str, files: &'static [(&'static str, &'static str)]) -> EmbeddedMigrations {
        EmbeddedMigrations { dir, files }
    }

    /// The folder the files came from, as written in `embed!`.
    pub fn dir(&self) -> &'static str {
        self.dir
    }

    /// Each file as `(path under the folder, text)`, e.g.
    /// `("migrate/20251124_000000_create_schemas.up.sql", "CREATE SCHEMA ...")`.
    pub fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }

    /// The files as a [`MigrationSet`], checked as the CLI checks a folder: every
    /// name well formed, every up with its down, one description per version.
    /// Refused as a whole, listing every problem.
    pub fn load(&self) -> Result<MigrationSet, SourceErrors> {
        let mut problems = vec![];
        let tracks = ByTrack::from_fn(|track| self.load_track(track, &mut problems));
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        let set = MigrationSet { dir: PathBuf::from(self.dir), tracks };
        if problems.is_empty() { Ok(set) } else { Err(SourceErrors(problems)) }
    }

    fn load_track(&self, track: Track, problems: &mut Vec<SourceProblem>) -> Vec<Migration> {
        let prefix = format!("{}/", track.as_str());
        let folder = PathBuf::from(self.dir).join(track.as_str());
        let texts: BTreeMap<PathBuf, &str> = self
            .files
            .iter()
            .filter_map(|(name, text)| Some((folder.join(name.strip_prefix(&prefix)?), *text)))
            .collect();
        let files = self.files.iter().filter_map(|(name, _)| {
            let name = name.strip_prefix(&prefix)?;
            Some(Ok((name.to_owned(), folder.join(name))))
        });
        let pairs = pair_up(files, problems);
        let file = |path: PathBuf| {
            let text = texts[&path].to_owned();
            SqlFile::new(path, text)
        };
        pairs
            .into_iter()
            .map(|(version, description, up, down)| {
                let (up, down) = (file(up), file(down));
                let checksum = Checksum::of_normalized(&up.sql);
                Migration { track, version, description, up, down, checksum }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::ProblemKind;

    const FILES: &[(&str, &str)] = &[
        ("migrate/20251124_000000_create_schemas.down.sql", "DROP SCHEMA IF EXISTS app;\n"),
        ("migrate/20251124_000000_create_schemas.up.sql", "\u{feff}CREATE SCHEMA IF NOT EXISTS app;\r\n"),
        ("migrate/20251124_000001_index.down.sql", "DROP INDEX IF EXISTS app.i;\n"),
        (
            "migrate/20251124_000001_index.up.sql",
            "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY i ON app.t (a);\n",
        ),
        ("seed/20251124_000001_rows.down.sql", "DELETE FROM app.t;\n"),
        ("seed/20251124_000001_rows.up.sql", "INSERT INTO app.t VALUES (1) ON CONFLICT DO NOTHING;\n"),
    ];

    #[test]
    fn loads_pairs_with_the_checksums_the_cli_records() {
        let set = EmbeddedMigrations::__new("migrations", FILES).load().unwrap();
        let names: Vec<_> = set.migrate.iter().map(Migration::name).collect();
        assert_eq!(names, ["20251124_000000_create_schemas", "20251124_000001_index"]);
        assert_eq!(set.seed.len(), 1);
        assert_eq!(set.migrate[0].up.sql, "CREATE SCHEMA IF NOT EXISTS app;\n");
        assert_eq!(set.migrate[0].checksum, Checksum::of("CREATE SCHEMA IF NOT EXISTS app;\n"));
        assert!(set.migrate[1].up.no_transaction && !set.migrate[1].down.no_transaction);
        assert_eq!(set.migrate[0].up.path, PathBuf::from("migrations/migrate/20251124_000000_create_schemas.up.sql"));
    }

    #[test]
    fn refuses_a_broken_set_listing_every_problem() {
        let files: &[(&str, &str)] = &[
            ("migrate/20251124_000000_create_schemas.up.sql", "CREATE SCHEMA IF NOT EXISTS app;\n"),
            ("migrate/20251124_000001_a.up.sql", "SELECT 1;\n"),
            ("migrate/20251124_000001_a.down.sql", "SELECT 1;\n"),
            ("migrate/20251124_000001_b.down.sql", "SELECT 1;\n"),
            ("seed/notes.sql", "SELECT 1;\n"),
        ];
        let err = EmbeddedMigrations::__new("m", files).load().unwrap_err();
        let kinds: Vec<_> = err.0.iter().map(|p| (p.path.display().to_string(), p.kind.clone())).collect();
        assert_eq!(kinds.len(), 3, "{kinds:#?}");
        assert!(kinds.contains(&("m/migrate/20251124_000000_create_schemas.up.sql".into(), ProblemKind::MissingDown)));
        assert!(
            kinds.iter().any(|(p, k)| p.ends_with("_b.down.sql") && matches!(k, ProblemKind::DuplicateVersion { .. }))
        );
        assert!(kinds.iter().any(|(p, k)| p == "m/seed/notes.sql" && matches!(k, ProblemKind::BadName { .. })));
    }
}
