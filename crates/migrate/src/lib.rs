//! strata's migration engine: migration files -> plan -> apply on PostgreSQL.
//!
//! - [`source`] reads and validates the two tracks (`migrate`, `seed`) from disk;
//! - [`plan`] decides, without a database, what runs or why nothing may;
//! - [`apply`] runs a plan under an advisory lock ([`lock`]); the executor
//!   (`runner`) sends a file and its history row in one transaction (or statement
//!   by statement for `-- strata:no-transaction`);
//! - [`history`] owns every statement on the history table; [`record`] changes
//!   it without running files (repair, baseline).
//!
//! No CLI and no HTTP here: the binary renders what this crate reports.
//!
//! # Migrating from your own service
//!
//! [`embed!`] compiles a migrations folder (`migrate/` and `seed/`, as
//! `strata init` lays it out) into your binary, and [`Migrator`] applies it when
//! the service starts, with the runner `strata migrate up` uses: the same history
//! table, advisory lock, checksums and refusals (an edited or missing applied
//! file, an out-of-order one), so the CLI and your service can take turns on one
//! database. The linter does not run inside your service: run `strata lint` in CI.
//!
//! ```
//! use strata_migrate::{EmbeddedMigrations, Migrator};
//!
//! // Your crate writes embed!("migrations"): the path is relative to its Cargo.toml.
//! static MIGRATIONS: EmbeddedMigrations = strata_migrate::embed!("tests/fixtures/shop");
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # // `cargo test --doc` runs this on a fresh database of the test server.
//! # let db = strata_testing::TestDb::new();
//! # let database_url = db.url().to_owned();
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let pool = sqlx::PgPool::connect(&database_url).await?;
//! let migrator = Migrator::new(MIGRATIONS);
//! let report = migrator.up(&pool).await?; // every pending file of the migrate track
//! assert_eq!(report.done.len(), 4);
//! migrator.seed(&pool).await?; // the seed track, where you want it
//! for entry in migrator.status(&pool).await? {
//!     println!("{} {} {}", entry.track, entry.version, entry.state.as_str());
//! }
//! # pool.close().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```

pub mod apply;
pub mod cancel;
pub mod checksum;
pub mod create_schemas;
pub mod directive;
pub mod drift;
pub mod embed;
pub mod error;
pub mod event;
pub mod history;
pub mod locate;
pub mod lock;
pub mod lock_report;
pub mod migrator;
pub mod options;
pub mod plan;
mod preflight;
pub mod quote;
pub mod record;
mod replay;
pub mod report;
mod runner;
pub mod schema_dump;
pub mod scope;
pub mod snapshot;
pub mod source;
pub mod split;
pub mod squash;
pub mod text_position;
pub mod verify;

#[doc(hidden)]
pub use strata_migrate_macros::files as __embed_files;

use std::path::Path;

use sqlx::PgConnection;

pub use cancel::Cancel;
pub use embed::EmbeddedMigrations;
pub use error::{Error, ErrorClass, ErrorKind, SqlFailure};
pub use event::{Event, Observer};
pub use migrator::{MigrationStatus, Migrator};
pub use options::Options;
pub use plan::{Direction, DownTarget, Request};
pub use report::{Done, Report};
pub use source::{Migration, MigrationSet, Track, Version};

/// Applies every pending file of the migrate track, then of the seed track,
/// with default options.
pub async fn up_all(conn: &mut PgConnection, dir: &Path) -> Result<Report, Error> {
    let set = MigrationSet::load(dir)?;
    let mut report = Report::default();
    for track in Track::ALL {
        let request = Request::Up { to: None, allow_out_of_order: false };
        let r = apply::run(conn, &set, track, &request, &Options::default(), &mut ()).await?;
        report.done.extend(r.done);
    }
    Ok(report)
}

/// Rolls back every seed, then every migration, with default options.
pub async fn down_all(conn: &mut PgConnection, dir: &Path) -> Result<Report, Error> {
    let set = MigrationSet::load(dir)?;
    let mut report = Report::default();
    for track in [Track::Seed, Track::Migrate] {
        let r = apply::run(conn, &set, track, &Request::Down(DownTarget::All), &Options::default(), &mut ()).await?;
        report.done.extend(r.done);
    }
    Ok(report)
}
