//! `migrate` and `seed`: up, down, status, baseline, repair, for either track.

use std::str::FromStr;
use std::time::Duration;

use crate::event::{Event as CliEvent, FileId};
use anyhow::{Context as _, Result};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use strata_migrate::apply::{self, Event, Transactions};
use strata_migrate::history;
use strata_migrate::plan::{self, Direction, DownTarget, Request, State};
use strata_migrate::scope;
use strata_migrate::source::{self, MigrationSet, Track, Version};
use strata_migrate::{Cancel, Options};

use crate::args::{DownArgs, RepairArgs, StatusArgs, UpArgs};
use crate::config::{Context, redact};
use crate::exit::{Inconsistent, Usage};
use crate::output::{DIM, GREEN, Output, RED, YELLOW, ms};
use crate::project::{Preread, load_set, require_folder, scan};

/// The exit status of a run stopped by SIGINT/SIGTERM: 128 + SIGINT, as shells report it.
const INTERRUPTED: u8 = 130;

/// "migrations" / "seeds".
fn plural(track: Track) -> &'static str {
    match track {
        Track::Migrate => "migrations",
        Track::Seed => "seeds",
    }
}

/// "1 migration", "3 seeds".
fn noun(track: Track, n: usize) -> String {
    let word = plural(track);
    if n == 1 { format!("1 {}", &word[..word.len() - 1]) } else { format!("{n} {word}") }
}

fn parse_version(s: &str, flag: &str) -> Result<Version> {
    Version::parse(s).map_err(|e| Usage::new(format!("{flag} {s:?}: {e}")).into())
}

fn options(ctx: &Context) -> Options {
    Options {
        history: ctx.history.clone(),
        lock_timeout: ctx.lock_timeout,
        ddl_lock_timeout: ctx.timeouts.lock_timeout,
        statement_timeout: ctx.timeouts.statement_timeout,
        lock_retry_for: ctx.timeouts.lock_retry_for,
        ..Options::default()
    }
}

/// The runner's connection. sqlx logs every statement it sends, and warns with
/// the whole batch's SQL about one over a second: a migration runner expects slow
/// statements and reports each file's time, so both stay off below `-vv`.
async fn connect(ctx: &Context, out: Output, application: &str) -> Result<PgConnection> {
    let url = ctx.url()?;
    let options = PgConnectOptions::from_str(&url)
        .map_err(|e| Usage::new(format!("the database URL {} is not valid: {e}", redact(&url))))?
        .application_name(application);
    let options = if out.verbose >= 2 { options } else { options.disable_statement_logging() };
    PgConnection::connect_with(&options).await.with_context(|| format!("connecting to {}", redact(&url)))
}

pub async fn up(ctx: &Context, out: Output, track: Track, args: &UpArgs) -> Result<u8> {
    let transactions = if args.single_transaction { Transactions::Single } else { Transactions::PerFile };
    up_with(ctx, out, track, args, transactions).await
}

/// `up` with the files grouped as `transactions` says: `strata dev` applies a
/// fresh database's files in one transaction when none is `-- strata:no-transaction`.
pub async fn up_with(
    ctx: &Context,
    out: Output,
    track: Track,
    args: &UpArgs,
    transactions: Transactions,
) -> Result<u8> {
    let to = args.to.as_deref().map(|v| parse_version(v, "--to")).transpose()?;
    let request = Request::Up { to, allow_out_of_order: args.allow_out_of_order };
    let (mut conn, preread) = match (&to, args.dry_run) {
        (None, false) => match up_to_date(ctx, out, track).await? {
            Checked::UpToDate => return Ok(0),
            Checked::Run(conn, preread) => (conn, preread),
        },
        _ => (connect(ctx, out, &format!("strata {track} up")).await?, Preread::default()),
    };
    let set = crate::project::load_linted(ctx, out, &mut conn, &options(ctx), preread).await?;
    if track == Track::Migrate && !args.dry_run {
        crate::commands::drift::before_up(ctx, out, &set).await?;
    }
    let job = Job { ctx, out, set: &set, track, request: &request };
    if args.dry_run {
        return dry_run(job, &mut conn).await;
    }
    run(job, &mut conn, transactions).await
}

pub async fn down(ctx: &Context, out: Output, track: Track, args: &DownArgs) -> Result<u8> {
    let set = load_set(ctx)?;
    let target = match (args.steps, &args.to) {
        (Some(n), _) => DownTarget::Steps(n),
        (None, Some(v)) => DownTarget::To(parse_version(v, "--to")?),
        (None, None) => DownTarget::All,
    };
    let request = Request::Down(target.clone());
    let mut conn = connect(ctx, out, &format!("strata {track} down")).await?;
    let job = Job { ctx, out, set: &set, track, request: &request };
    if args.dry_run {
        return dry_run(job, &mut conn).await;
    }
    if target == DownTarget::All && !args.yes && !ctx.is_embedded() {
        let pending = apply::preview(&mut conn, &set, track, &request, &options(ctx)).await?;
        if !pending.is_empty() {
            confirm(ctx, track, pending.len())?;
        }
    }
    run(job, &mut conn, Transactions::PerFile).await
}

/// The no-op run at the cost of reading the history: while the connection
/// opens and one message reads the history rows, the files are
/// listed and only the up files are read and hashed ([`source::list_files`]).
/// When every file is applied, unchanged, under its name, and nothing else is
/// amiss (no problem in the files, no failed or missing row, not a standby),
/// says so as a run with nothing to do would, without the lock or the linter
/// (which only looks at pending files). Anything else: the connection, for the
/// full run, which reads every file and reports what is wrong, with what was
/// read here (the listing, the history rows) so it is not read twice.
async fn up_to_date(ctx: &Context, out: Output, track: Track) -> Result<Checked> {
    let started = std::time::Instant::now();
    let dir = ctx.dir.clone();
    let listing = ctx.dir.is_dir().then(|| tokio::task::spawn_blocking(move || source::list_files(&dir)));
    let mut conn = connect(ctx, out, &format!("strata {track} up")).await?;
    let Some(listing) = listing else { return Ok(Checked::Run(conn, Preread::default())) };
    let (standby, history) = history::fingerprints(&mut conn, &ctx.history).await.unzip();
    let preread = Preread { listing: listing.await.ok(), history };
    if standby != Some(false) || !all_applied(&preread, track) {
        return Ok(Checked::Run(conn, preread));
    }
    // Exactly what a run with an empty plan prints.
    out.emit(CliEvent::Plan { track, direction: Direction::Up, count: 0 });
    out.line(format!("{} are up to date.", plural(track)));
    let total = started.elapsed().as_millis() as u64;
    out.emit(CliEvent::RunSummary { track, direction: "up", count: 0, elapsed_ms: total });
    let _ = conn.close().await;
    Ok(Checked::UpToDate)
}

/// Every file of `track` is applied, unchanged, under its name; no other row of
/// the track; no problem in the files.
fn all_applied(preread: &Preread, track: Track) -> bool {
    let (Some(listing), Some(history)) = (&preread.listing, &preread.history) else { return false };
    let files: std::collections::HashMap<Version, &source::Listed> =
        listing.track(track).iter().map(|l| (l.version, l)).collect();
    let mut rows = history.iter().filter(|r| r.track == track);
    let unchanged = |r: &history::Fingerprint| {
        files.get(&r.version).is_some_and(|f| r.applied && r.description == f.description && r.checksum == f.checksum)
    };
    listing.problems.is_empty() && rows.clone().count() == files.len() && rows.all(unchanged)
}

/// What [`up_to_date`] found.
enum Checked {
    /// Nothing to do; said so.
    UpToDate,
    /// Work (or something to report): the connection and what was read, for the full run.
    Run(PgConnection, Preread),
}

/// Rolling back everything asks on a terminal, and needs --yes without one.
fn confirm(ctx: &Context, track: Track, count: usize) -> Result<()> {
    let what = noun(track, count);
    let db = redact(&ctx.url()?);
    crate::output::confirm(
        &format!("Roll back all {what} on {db}? This runs every down file."),
        &format!(
            "refusing to roll back all {what} on {db} without --yes (no terminal to ask; pass --yes, or --steps N / --to VERSION)"
        ),
        "not confirmed; nothing was rolled back",
    )
}

/// One `up` or `down` of a track: what its dry run and its run are given.
#[derive(Clone, Copy)]
struct Job<'a> {
    ctx: &'a Context,
    out: Output,
    set: &'a MigrationSet,
    track: Track,
    request: &'a Request,
}

async fn dry_run(job: Job<'_>, conn: &mut PgConnection) -> Result<u8> {
    let Job { ctx, out, set, track, request } = job;
    let steps = apply::preview(conn, set, track, request, &options(ctx)).await?;
    let direction = request.direction();
    let verb = if direction == Direction::Up { "apply" } else { "roll back" };
    out.line(format!("Dry run: would {verb} {} (nothing was changed)", noun(track, steps.len())));
    for m in &steps {
        let file = if direction == Direction::Up { &m.up } else { &m.down };
        out.emit(CliEvent::WouldRun {
            file: (*m).into(),
            direction,
            path: &file.path,
            no_transaction: file.no_transaction,
        });
        let tx = if file.no_transaction { " (no transaction)" } else { "" };
        out.line(format!("  {} {DIM}{}{DIM:#}{tx}", m.name(), file.path.display()));
        if out.verbose > 0 {
            out.line(indent(&file.sql));
        }
    }
    out.emit(CliEvent::DryRunSummary { dry_run: true, track, direction, count: steps.len() });
    Ok(0)
}

fn indent(sql: &str) -> String {
    sql.lines().map(|l| format!("    | {l}")).collect::<Vec<_>>().join("\n")
}

async fn run(job: Job<'_>, conn: &mut PgConnection, transactions: Transactions) -> Result<u8> {
    let Job { ctx, out, set, track, request } = job;
    let started = std::time::Instant::now();
    let mut progress = None;
    let mut observer = |event: &Event<'_>| match event {
        Event::LockWaiting { holder } => {
            let who = holder.map(|h| format!("held by {h}")).unwrap_or_else(|| "just released".into());
            out.note(format!("waiting for the migration lock ({who}); up to {:.0}s", ctx.lock_timeout.as_secs_f64()));
            out.emit(CliEvent::LockWaiting { holder: *holder });
        }
        Event::LockAcquired => {}
        Event::Planned { track, direction, count } => {
            out.emit(CliEvent::Plan { track: *track, direction: *direction, count: *count });
            let verb = if *direction == Direction::Up { "Applying" } else { "Rolling back" };
            if *count == 0 {
                out.line(match direction {
                    Direction::Up => format!("{} are up to date.", plural(*track)),
                    Direction::Down => format!("No {} to roll back.", plural(*track)),
                });
            } else {
                out.line(format!("{verb} {}", noun(*track, *count)));
            }
            progress = Some(out.progress(*count, verb));
        }
        Event::Started { migration, .. } => {
            if let Some(p) = &progress {
                p.message(&migration.name());
            }
        }
        Event::Blocked { migration, blocker } => {
            out.emit(CliEvent::Blocked { file: (*migration).into(), blocker, message: blocker.to_string() });
            let line = format!("  {YELLOW}waiting{YELLOW:#} {}: {blocker}", migration.name());
            match &progress {
                Some(p) => {
                    p.message(&format!("{}: {blocker}", migration.name()));
                    p.line(line);
                }
                None => out.line(line),
            }
        }
        Event::LockRetry { migration, attempt, delay, waited, statement } => {
            out.emit(CliEvent::LockRetry {
                file: (*migration).into(),
                attempt: *attempt,
                delay_ms: delay.as_millis() as u64,
                waited_ms: waited.as_millis() as u64,
                statement: *statement,
            });
            let what = statement.map(|s| format!("statement {s} of ")).unwrap_or_default();
            let line = format!(
                "  {YELLOW}lock timeout{YELLOW:#} on {what}{} (PostgreSQL lock_timeout); attempt {attempt} in {:.1}s",
                migration.name(),
                delay.as_secs_f64()
            );
            match &progress {
                Some(p) => p.line(line),
                None => out.line(line),
            }
        }
        Event::InvalidIndexDropped { migration, index } => {
            out.emit(CliEvent::InvalidIndexDropped { file: (*migration).into(), index });
            let line = format!(
                "  {YELLOW}dropped{YELLOW:#} the INVALID index {index} that an earlier attempt of {} left, before building it again",
                migration.name()
            );
            match &progress {
                Some(p) => p.line(line),
                None => out.line(line),
            }
        }
        Event::Finished { migration, direction, elapsed } => {
            let elapsed_ms = elapsed.as_millis() as u64;
            let verb = if *direction == Direction::Up { "applied" } else { "reverted" };
            out.emit(if *direction == Direction::Up {
                CliEvent::Applied { file: (*migration).into(), elapsed_ms }
            } else {
                CliEvent::Reverted { file: (*migration).into(), elapsed_ms }
            });
            if let Some(p) = &progress {
                p.inc();
                p.line(format!("  {GREEN}{verb}{GREEN:#} {} {DIM}({}){DIM:#}", migration.name(), ms(elapsed_ms)));
            }
        }
    };
    let cancel = Cancel::default();
    // A second connection names who blocks a statement that waits for a lock.
    let monitor = PgConnectOptions::from_str(&ctx.url()?)
        .ok()
        .map(|o| o.application_name(&format!("strata {track} monitor")).disable_statement_logging());
    let opts = Options { cancel: cancel.clone(), monitor, transactions, ..options(ctx) };
    let watcher = tokio::spawn(cancel_on_signal(ctx.url()?, cancel));
    let result = apply::run(conn, set, track, request, &opts, &mut observer).await;
    watcher.abort();
    drop(progress);
    let direction = request.direction().as_str();
    // What happened to each file that ran: "3 migrations applied", "1 seed rolled back".
    let done = if direction == "up" { "applied" } else { "rolled back" };
    match result {
        Ok(report) => {
            let total = started.elapsed().as_millis() as u64;
            out.emit(CliEvent::RunSummary { track, direction, count: report.done.len(), elapsed_ms: total });
            if !report.done.is_empty() {
                let verb = if direction == "up" { "Applied" } else { "Rolled back" };
                out.line(format!("{verb} {} in {}.", noun(track, report.done.len()), ms(total)));
            }
            Ok(0)
        }
        Err(error) if matches!(error.kind(), strata_migrate::ErrorKind::Cancelled { .. }) => {
            let names: Vec<String> =
                error.report().done.iter().map(|d| format!("{}_{}", d.version, d.description)).collect();
            out.emit(CliEvent::RunInterrupted { track, direction, count: names.len(), interrupted: true });
            out.emit(CliEvent::Error {
                message: &error.to_string(),
                exit_code: INTERRUPTED,
                file: None,
                line: None,
                column: None,
                sqlstate: None,
            });
            anstream::eprintln!("error: {error}");
            if names.is_empty() {
                anstream::eprintln!("interrupted: no {} {done}; later files were not run", plural(track));
            } else {
                anstream::eprintln!(
                    "interrupted: {} {done} before the signal ({}); later files were not run",
                    noun(track, names.len()),
                    names.join(", ")
                );
            }
            Ok(INTERRUPTED)
        }
        Err(error) => {
            if !error.report().done.is_empty() {
                out.note(format!(
                    "{} {done} before the failure; later files were not run.",
                    noun(track, error.report().done.len())
                ));
            }
            out.emit(CliEvent::RunFailed { track, direction, count: error.report().done.len(), failed: true });
            Err(error.into())
        }
    }
}

/// On SIGINT or SIGTERM: ask the runner to stop, and cancel the statement its
/// connection is running from a second connection (`pg_cancel_backend`), so the
/// file's transaction rolls back now instead of the server finishing the batch.
/// Repeated while the run lasts, for a signal that came between two statements.
async fn cancel_on_signal(url: String, cancel: Cancel) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else { return };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    cancel.request();
    let Ok(options) = PgConnectOptions::from_str(&url) else { return };
    let Ok(mut conn) =
        PgConnection::connect_with(&options.application_name("strata cancel").disable_statement_logging()).await
    else {
        return;
    };
    loop {
        if let Some(pid) = cancel.backend_pid() {
            let _ = sqlx::query("SELECT pg_cancel_backend($1)").bind(pid).execute(&mut conn).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

pub async fn status(ctx: &Context, out: Output, track: Track, args: &StatusArgs) -> Result<u8> {
    // Without --schema only the names and the up files' checksums are needed:
    // listed while the connection opens and the history is read.
    let (files, file_problems, rows) = if args.schema.is_some() {
        let scan = scan(ctx)?;
        let mut conn = ctx.connect(&format!("strata {track} status")).await?;
        let rows = history::read(&mut conn, &ctx.history).await?;
        (scan.set.track(track).to_vec(), scan.problems, rows)
    } else {
        require_folder(ctx)?;
        let dir = ctx.dir.clone();
        let listing = tokio::task::spawn_blocking(move || source::list_files(&dir));
        let mut conn = ctx.connect(&format!("strata {track} status")).await?;
        let rows = history::read(&mut conn, &ctx.history).await?;
        let listing = listing.await.context("listing the migration files")?;
        (listing.track(track).iter().map(source::Listed::unread).collect(), listing.problems, rows)
    };
    let mut entries = plan::status(track, &files, &rows);
    if let Some(schema) = &args.schema {
        let known = crate::schemas::project_schemas(ctx)?;
        if !known.contains(schema) {
            return Err(Usage::new(format!(
                "--schema {schema:?} is not one of the project's schemas ({})",
                known.join(", ")
            ))
            .into());
        }
        // A missing file cannot say what it touched; it stays listed so it is not hidden.
        entries.retain(|e| e.migration.is_none_or(|m| scope::schemas_touched(&m.up.sql, &known).contains(schema)));
    }
    let mut problems = 0;
    let mut table_rows = vec![];
    for e in &entries {
        let bad = matches!(e.state, State::Modified | State::Missing | State::Failed)
            || e.out_of_order
            || e.renamed_from.is_some();
        problems += usize::from(bad);
        let row = e.row.as_ref();
        out.emit(CliEvent::Status {
            file: FileId { track, version: e.version, description: &e.description },
            state: e.state,
            out_of_order: e.out_of_order,
            path: e.file.as_deref(),
            applied_at: row.map(|r| r.applied_at),
            execution_ms: row.map(|r| r.execution_ms),
            applied_by: row.map(|r| r.applied_by.as_str()),
            applied_from: row.and_then(|r| r.applied_from.as_deref()),
            baselined: row.map(|r| r.baselined),
            failure: row.and_then(|r| r.failure.as_deref()),
            checksum: row.map(|r| r.checksum.to_hex()),
            renamed_from: e.renamed_from.as_deref(),
        });
        let style = match e.state {
            State::Applied if e.renamed_from.is_none() => GREEN,
            State::Applied => YELLOW,
            State::Pending if !e.out_of_order => DIM,
            State::Pending | State::Modified => YELLOW,
            State::Missing | State::Failed => RED,
        };
        let mut state = e.state.as_str().to_owned();
        if e.out_of_order {
            state.push_str(" (out of order)");
        }
        if let Some(old) = &e.renamed_from {
            state.push_str(&format!(" (renamed from {old}; accept with `strata migrate repair`)"));
        }
        if e.row.as_ref().is_some_and(|r| r.baselined) {
            state.push_str(" (baseline)");
        }
        let row = e.row.as_ref();
        table_rows.push(vec![
            e.version.to_string(),
            e.description.clone(),
            format!("{style}{state}{style:#}"),
            row.map(|r| r.applied_at.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
            row.map(|r| ms(r.execution_ms.max(0) as u64)).unwrap_or_default(),
            row.map(|r| r.applied_by.clone()).unwrap_or_default(),
        ]);
        if let (State::Failed, Some(f)) = (e.state, row.and_then(|r| r.failure.as_ref())) {
            table_rows.push(vec![
                String::new(),
                format!("{RED}└ {f}{RED:#}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let track_problems: Vec<_> =
        file_problems.iter().filter(|p| p.path.starts_with(ctx.dir.join(track.as_str()))).collect();
    if entries.is_empty() {
        out.result(format!("No {} files in {}.", plural(track), ctx.dir.join(track.as_str()).display()));
    } else {
        out.result(crate::output::table(
            &["VERSION", "DESCRIPTION", "STATE", "APPLIED AT (UTC)", "TOOK", "BY"],
            &table_rows,
        ));
    }
    for p in &track_problems {
        out.emit(CliEvent::Problem { path: &p.path, message: p.to_string() });
        if !out.json {
            anstream::eprintln!("error: {p}");
        }
    }
    let pending = entries.iter().filter(|e| e.state == State::Pending).count();
    let applied = entries.iter().filter(|e| e.state == State::Applied).count();
    out.emit(CliEvent::StatusSummary { track, applied, pending, problems: problems + track_problems.len() });
    out.line(format!("{applied} applied, {pending} pending, {} with problems.", problems + track_problems.len()));
    if track == Track::Migrate {
        crate::replicas::show_lag(ctx, out).await;
    }
    let drift = if args.drift { crate::commands::drift::status_section(ctx, out).await? } else { None };
    if problems + track_problems.len() > 0 {
        return Err(Inconsistent(format!(
            "the {track} track has {} problem(s); see the status above",
            problems + track_problems.len()
        ))
        .into());
    }
    if let Some(drift) = drift {
        return Err(Inconsistent(drift).into());
    }
    Ok(0)
}

/// `repair --forget-missing`: lists the applied files whose files are gone,
/// asks (or needs --yes), then removes their history rows.
async fn forget_missing(
    ctx: &Context,
    out: Output,
    conn: &mut PgConnection,
    set: &MigrationSet,
    yes: bool,
) -> Result<()> {
    let rows = history::read(conn, &ctx.history).await?;
    let missing: Vec<String> = Track::ALL
        .into_iter()
        .flat_map(|t| plan::status(t, set.track(t), &rows))
        .filter(|e| e.state == State::Missing)
        .map(|e| format!("{} {}_{}", e.track, e.version, e.description))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !yes {
        crate::output::confirm(
            &format!(
                "Forget {} applied file(s) whose files are gone ({})? Their history rows are removed; what they created stays.",
                missing.len(),
                missing.join(", ")
            ),
            "refusing to forget missing files without --yes (no terminal to ask)",
            "not confirmed; nothing was forgotten",
        )?;
    }
    for (track, version, description) in apply::forget_missing(conn, set, &options(ctx)).await? {
        out.emit(CliEvent::MissingForgotten { file: FileId { track, version, description: &description } });
        out.line(format!("  forgot {track} {version}_{description}: its file is gone; what it created stays"));
    }
    Ok(())
}

pub async fn baseline(ctx: &Context, out: Output, version: &str) -> Result<u8> {
    let version = parse_version(version, "baseline")?;
    let set = load_set(ctx)?;
    let mut conn = ctx.connect("strata migrate baseline").await?;
    let recorded = apply::baseline(&mut conn, &set, version, &options(ctx)).await?;
    for v in &recorded {
        out.emit(CliEvent::Baselined { track: Track::Migrate, version: *v });
    }
    out.emit(CliEvent::BaselineSummary { baselined: recorded.len() });
    out.line(format!("Recorded {} as applied (not run), up to {version}.", noun(Track::Migrate, recorded.len())));
    Ok(0)
}

pub async fn repair(ctx: &Context, out: Output, args: &RepairArgs) -> Result<u8> {
    let set = load_set(ctx)?;
    let mut conn = ctx.connect("strata migrate repair").await?;
    if args.forget_missing {
        forget_missing(ctx, out, &mut conn, &set, args.yes).await?;
    }
    let repaired = apply::repair(&mut conn, &set, &options(ctx)).await?;
    for (track, version, old, new) in &repaired.checksums {
        out.emit(CliEvent::ChecksumAccepted { track: *track, version: *version, old, new });
        out.line(format!("  accepted the edit of {track} {version}: {} -> {}", &old[..12], &new[..12]));
    }
    for (track, version) in &repaired.cleared {
        out.emit(CliEvent::FailureCleared { track: *track, version: *version });
        out.line(format!("  cleared the failed run of {track} {version}; it will run again"));
    }
    for (track, version) in &repaired.downs_reset {
        out.emit(CliEvent::RollbackReset { track: *track, version: *version });
        out.line(format!("  {track} {version} is applied again after its failed rollback; run the down again"));
    }
    for (track, version, old, new) in &repaired.renamed {
        out.emit(CliEvent::RenameAccepted { track: *track, version: *version, old, new });
        out.line(format!("  accepted the rename of {track} {version}: {old} -> {new}"));
    }
    out.emit(CliEvent::RepairSummary {
        checksums: repaired.checksums.len(),
        cleared: repaired.cleared.len(),
        rollbacks_reset: repaired.downs_reset.len(),
        renamed: repaired.renamed.len(),
    });
    if repaired.checksums.is_empty()
        && repaired.cleared.is_empty()
        && repaired.downs_reset.is_empty()
        && repaired.renamed.is_empty()
    {
        out.line("Nothing to repair.");
    }
    Ok(0)
}
