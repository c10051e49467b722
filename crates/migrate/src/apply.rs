//! The entry points that run a track: [`run`] plans and applies under the runner
//! lock, [`preview`] says what it would do. The executor itself is `runner`.
//!
//! The names other crates have always imported from here stay reachable.

use sqlx::PgConnection;

use crate::error::{Error, ErrorKind};
use crate::history::{self, AppliedRow};
use crate::lock::Held;
use crate::plan::{self, Request};
use crate::runner::Runner;
use crate::source::{Migration, MigrationSet, Track};

pub use crate::event::{Event, Observer};
pub use crate::options::{Options, Transactions, whoami};
pub use crate::record::{Repaired, baseline, forget_missing, repair};
pub use crate::report::{Done, Report};

/// What `run` would do, without the lock and without changing anything.
pub async fn preview<'a>(
    conn: &mut PgConnection,
    set: &'a MigrationSet,
    track: Track,
    request: &Request,
    opts: &Options,
) -> Result<Vec<&'a Migration>, Error> {
    let rows = history::read(conn, &opts.history).await?;
    check_request(track, request, &rows)?;
    Ok(plan::plan(track, set.track(track), &rows, request)?.steps)
}

/// `migrate down` refuses while any seed is recorded: seeds sit on the schema.
fn check_request(track: Track, request: &Request, rows: &[AppliedRow]) -> Result<(), Error> {
    if track == Track::Migrate && matches!(request, Request::Down(_)) {
        let seeds: Vec<String> = rows
            .iter()
            .filter(|r| r.track == Track::Seed)
            .map(|r| format!("{}_{}", r.version, r.description))
            .collect();
        if !seeds.is_empty() {
            return Err(ErrorKind::SeedsApplied { seeds }.into());
        }
    }
    Ok(())
}

/// Plans and runs one track under the lock.
pub async fn run(
    conn: &mut PgConnection,
    set: &MigrationSet,
    track: Track,
    request: &Request,
    opts: &Options,
    observer: &mut (dyn Observer + Send),
) -> Result<Report, Error> {
    let lock = Held::take(conn, opts, observer).await?;
    let result = async {
        // A single-transaction run reads the table without creating it (a refused run
        // changes nothing) and creates it in its transaction (a failed run on a fresh
        // database leaves it as it was).
        let per_file = opts.transactions == Transactions::PerFile;
        if per_file {
            history::ensure(conn, &opts.history).await?;
        }
        let rows = match per_file {
            true => history::read_existing(conn, &opts.history).await?,
            false => history::read(conn, &opts.history).await?,
        };
        check_request(track, request, &rows)?;
        let plan = plan::plan(track, set.track(track), &rows, request)?;
        let single = single_transaction(opts.transactions, &plan)?;
        if !per_file && !single {
            history::ensure(conn, &opts.history).await?;
        }
        observer.on(&Event::Planned { track, direction: plan.direction, count: plan.steps.len() });
        let runner = Runner::new(conn, opts, observer, plan.direction);
        runner.single_transaction(single).run(&plan.steps).await
    }
    .await;
    lock.release(conn).await;
    result
}

/// Whether an `up` plan runs in one transaction; a `-- strata:no-transaction`
/// file refuses [`Transactions::Single`] (naming the file) and turns
/// [`Transactions::SingleWhenPossible`] into one transaction per file.
fn single_transaction(mode: Transactions, plan: &plan::Plan<'_>) -> Result<bool, Error> {
    if mode == Transactions::PerFile || plan.direction != plan::Direction::Up {
        return Ok(false);
    }
    match plan.steps.iter().find(|m| m.up.no_transaction) {
        None => Ok(!plan.steps.is_empty()),
        Some(_) if mode == Transactions::SingleWhenPossible => Ok(false),
        Some(m) => Err(ErrorKind::Unrunnable {
            path: m.up.path.clone(),
            line: 1,
            column: 1,
            reason: format!(
                "--single-transaction runs every pending file in one transaction, and this file is `{}` \
                 (it cannot run inside one); nothing was run: apply without --single-transaction",
                crate::source::NO_TRANSACTION_DIRECTIVE
            ),
        }
        .into()),
    }
}
