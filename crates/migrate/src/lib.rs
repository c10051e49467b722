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

pub mod apply;
pub mod checksum;
pub mod directive;
pub mod embed;
pub mod error;
pub mod event;
pub mod history;
pub mod locate;
pub mod lock;
pub mod migrator;
pub mod options;
pub mod plan;
pub mod record;
pub mod report;
mod runner;
pub mod scope;
pub mod source;
pub mod split;
pub mod verify;

#[doc(hidden)]
pub use strata_migrate_macros::files as __embed_files;

use std::path::Path;

use sqlx::PgConnection;

pub use embed::EmbeddedMigrations;
pub use error::{Error, ErrorClass, SqlFailure};
pub use event::{Event, Observer};
pub use migrator::{MigrationStatus, Migrator};
pub use options::Options;
pub use plan::{Direction, DownTarget, Request};
pub use report::{Done, Failure, Report};
pub use source::{Migration, MigrationSet, Track, Version};

/// Applies every pending file of the migrate track, then of the seed track,
/// with default options.
pub async fn up_all(conn: &mut PgConnection, dir: &Path) -> Result<Report, Error> {
    let set = MigrationSet::load(dir)?;
    let mut report = Report::default();
    for track in Track::ALL {
        let request = Request::Up { to: None, allow_out_of_order: false };
        let r = apply::run(conn, &set, track, &request, &Options::default(), &mut ()).await.map_err(|f| f.error)?;
        report.done.extend(r.done);
    }
    Ok(report)
}

/// Rolls back every seed, then every migration, with default options.
pub async fn down_all(conn: &mut PgConnection, dir: &Path) -> Result<Report, Error> {
    let set = MigrationSet::load(dir)?;
    let mut report = Report::default();
    for track in [Track::Seed, Track::Migrate] {
        let r = apply::run(conn, &set, track, &Request::Down(DownTarget::All), &Options::default(), &mut ())
            .await
            .map_err(|f| f.error)?;
        report.done.extend(r.done);
    }
    Ok(report)
}
