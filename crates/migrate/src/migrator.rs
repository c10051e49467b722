//! Migrating from inside your own service: [`Migrator`] runs the files that
//! [`embed!`](crate::embed!) compiled in, with the engine the `strata` CLI uses.
//!
//! Same history table (`public.migration_history` unless configured), same
//! advisory lock (a service starting on three replicas at once applies each
//! file once; the others wait, then find nothing to do), same checksums and the
//! same refusals as the CLI: an applied file that was edited or removed, a
//! pending file older than the newest applied one (unless allowed), rolling back
//! migrations while seeds are applied. The linter is not run here: it needs
//! PostgreSQL's parser, which a service should not carry; run `strata lint` in CI
//! (see docs/ci.md) so that what gets embedded is lint-clean.
//!
//! Await it on the task that owns the runtime (`#[tokio::main]`, a test): the
//! runner's future is not `Send` yet (its calls to sqlx's generic `RawSql`
//! `execute`/`fetch` defeat the compiler's auto-trait check for every lifetime;
//! the boxed `Executor` methods do not), so it cannot be moved into `tokio::spawn`.

use std::time::Duration;

use sqlx::{Acquire, PgConnection, Postgres};

use crate::apply;
use crate::embed::EmbeddedMigrations;
use crate::error::Error;
use crate::history::{self, AppliedRow};
use crate::plan::{self, DownTarget, Request, State};
use crate::source::{MigrationSet, Track, Version};
use crate::{Event, Options, Report};

/// Runs embedded migrations. Cheap to build; each call checks the files again
/// (in memory) and reads the history under the lock.
#[derive(Debug, Clone)]
pub struct Migrator {
    migrations: EmbeddedMigrations,
    options: Options,
    allow_out_of_order: bool,
}

/// Where one version of one track stands: what `strata migrate status` lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MigrationStatus {
    /// `migrate` or `seed`.
    pub track: Track,
    /// `YYYYMMDD_NNNNNN`.
    pub version: Version,
    /// The name after the version.
    pub description: String,
    /// Applied, pending, modified, missing or failed.
    pub state: State,
    /// Pending, yet older than the newest applied version.
    pub out_of_order: bool,
    /// The history row, when the version was ever applied.
    pub row: Option<AppliedRow>,
}

impl Migrator {
    /// A runner for these files with the default options: the history in
    /// `public.migration_history`, up to 60 s of waiting for another runner's lock.
    pub fn new(migrations: EmbeddedMigrations) -> Migrator {
        Migrator { migrations, options: Options::default(), allow_out_of_order: false }
    }

    /// Replaces every option (history table, lock timeout, `applied_from`).
    pub fn with_options(mut self, options: Options) -> Migrator {
        self.options = options;
        self
    }

    /// How long to wait for another runner's lock before failing with
    /// [`ErrorKind::LockTimeout`](crate::ErrorKind::LockTimeout) (default 60 s).
    pub fn lock_timeout(mut self, timeout: Duration) -> Migrator {
        self.options.lock_timeout = timeout;
        self
    }

    /// Apply pending files older than the newest applied one instead of refusing
    /// them (the CLI's `--allow-out-of-order`).
    pub fn allow_out_of_order(mut self, allow: bool) -> Migrator {
        self.allow_out_of_order = allow;
        self
    }

    /// The embedded files as a checked set.
    pub fn migrations(&self) -> Result<MigrationSet, Error> {
        Ok(self.migrations.load()?)
    }

    /// Applies every pending migration (the `migrate` track), as
    /// `strata migrate up` does. Takes a pool, a connection or a transaction's
    /// connection; holds one connection for the run.
    pub async fn up<'c, A>(&self, db: A) -> Result<Report, Error>
    where
        A: Acquire<'c, Database = Postgres>,
    {
        let request = Request::Up { to: None, allow_out_of_order: self.allow_out_of_order };
        self.run(db, Track::Migrate, &request).await
    }

    /// Applies every pending seed (the `seed` track), as `strata seed up` does.
    pub async fn seed<'c, A>(&self, db: A) -> Result<Report, Error>
    where
        A: Acquire<'c, Database = Postgres>,
    {
        let request = Request::Up { to: None, allow_out_of_order: self.allow_out_of_order };
        self.run(db, Track::Seed, &request).await
    }

    /// Rolls back the newest `steps` applied files of a track (for tests and
    /// tooling; a service normally only goes up).
    pub async fn down<'c, A>(&self, db: A, track: Track, steps: usize) -> Result<Report, Error>
    where
        A: Acquire<'c, Database = Postgres>,
    {
        self.run(db, track, &Request::Down(DownTarget::Steps(steps))).await
    }

    /// Any request on one track: what the other methods call. Each file run is
    /// logged at `info` level through `tracing`.
    pub async fn run<'c, A>(&self, db: A, track: Track, request: &Request) -> Result<Report, Error>
    where
        A: Acquire<'c, Database = Postgres>,
    {
        let set = self.migrations()?;
        let mut conn = db.acquire().await.map_err(|e| Error::database("acquiring a connection", e))?;
        let conn: &mut PgConnection = &mut conn;
        let mut log = |event: &Event<'_>| {
            if let Event::Finished { migration, direction, elapsed } = event {
                tracing::info!(
                    track = %migration.track,
                    version = %migration.version,
                    description = %migration.description,
                    direction = direction.as_str(),
                    elapsed_ms = elapsed.as_millis() as u64,
                    "strata: ran a migration file"
                );
            }
        };
        apply::run(conn, &set, track, request, &self.options, &mut log).await
    }

    /// Every version of both tracks, files merged with the history, as
    /// `strata migrate status` and `strata seed status` show them. Changes nothing
    /// (no history table is created).
    pub async fn status<'c, A>(&self, db: A) -> Result<Vec<MigrationStatus>, Error>
    where
        A: Acquire<'c, Database = Postgres>,
    {
        let set = self.migrations()?;
        let mut conn = db.acquire().await.map_err(|e| Error::database("acquiring a connection", e))?;
        let rows = history::read(&mut conn, &self.options.history).await?;
        let mut out = vec![];
        for track in Track::ALL {
            out.extend(plan::status(track, set.track(track), &rows).into_iter().map(|e| MigrationStatus {
                track: e.track,
                version: e.version,
                description: e.description,
                state: e.state,
                out_of_order: e.out_of_order,
                row: e.row,
            }));
        }
        Ok(out)
    }
}
