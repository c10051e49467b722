//! `strata`: the binary. Parses arguments, loads the project's settings, runs
//! one command, renders errors and maps them to the documented exit statuses.

mod args;
mod commands;
mod config;
mod event;
mod exit;
mod http_server;
mod logins;
mod output;
mod pg_dump;
mod project;
mod replicas;
mod restore;
mod schemas;
mod secrets;
mod sql_error;
mod watch;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use strata_migrate::Track;

use crate::args::{Cli, Command, MigrateCommand, SeedCommand};
use crate::config::Context;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output { json: cli.global.json, quiet: cli.global.quiet, verbose: cli.global.verbose };
    init_tracing(out);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: starting the async runtime: {err}");
            return ExitCode::from(exit::FAILED);
        }
    };
    match runtime.block_on(run(&cli, out)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = exit::code(&err);
            report(&err, out, code);
            ExitCode::from(code)
        }
    }
}

async fn run(cli: &Cli, out: Output) -> anyhow::Result<u8> {
    // These need no project settings (init writes them).
    match &cli.command {
        Command::Init(a) => return commands::init::run(&cli.global, out, a),
        Command::Completions(a) => return commands::completions::completions(a),
        Command::Man => return commands::completions::man(),
        _ => {}
    }
    let ctx = Context::load(&cli.global)?;
    match &cli.command {
        Command::Migrate(cmd) => match cmd {
            MigrateCommand::Up(a) => replicas::migrate_up(&ctx, out, a).await,
            MigrateCommand::Down(a) => commands::track::down(&ctx, out, Track::Migrate, a).await,
            MigrateCommand::Status(a) => commands::track::status(&ctx, out, Track::Migrate, a).await,
            MigrateCommand::Baseline { version } => commands::track::baseline(&ctx, out, version).await,
            MigrateCommand::Repair(a) => commands::track::repair(&ctx, out, a).await,
            MigrateCommand::Plan(a) => commands::plan::run(&ctx, out, a).await,
        },
        Command::Seed(cmd) => match cmd {
            SeedCommand::Up(a) => commands::track::up(&ctx, out, Track::Seed, a).await,
            SeedCommand::Down(a) => commands::track::down(&ctx, out, Track::Seed, a).await,
            SeedCommand::Status(a) => commands::track::status(&ctx, out, Track::Seed, a).await,
        },
        Command::Generate(a) => commands::generate::run(&ctx, out, a),
        Command::Db(cmd) => commands::db::run(&ctx, out, cmd).await,
        Command::Verify => commands::verify::run(&ctx, out).await,
        Command::Drift(a) => commands::drift::run(&ctx, out, a).await,
        Command::Schema(cmd) => commands::schema::run(&ctx, out, cmd).await,
        Command::Squash(a) => commands::squash::run(&ctx, out, a).await,
        Command::Lint(a) => commands::lint::run(&ctx, out, a),
        Command::Serve(a) => commands::serve::serve(&ctx, out, a).await,
        Command::Studio(a) => commands::serve::studio(&ctx, out, a).await,
        Command::Dev(a) => commands::serve::dev(&ctx, out, a).await,
        Command::Init(_) | Command::Completions(_) | Command::Man => unreachable!("handled above"),
    }
}

/// `error: ...` on stderr (a code frame for a failing SQL file); with `--json`,
/// also an `error` event on stdout.
fn report(err: &anyhow::Error, out: Output, code: u8) {
    let failure = err.chain().find_map(|c| match c.downcast_ref::<strata_migrate::Error>()?.kind() {
        strata_migrate::ErrorKind::Sql(f) => Some(f.as_ref()),
        _ => None,
    });
    // Whatever built the message, no password of a connection string in it leaves.
    let message = secrets::redact_text(&chain_message(err));
    out.emit(event::Event::Error {
        message: &message,
        exit_code: code,
        file: failure.map(|f| f.path.as_path()),
        line: failure.and_then(|f| f.line),
        column: failure.and_then(|f| f.column),
        sqlstate: failure.map(|f| f.code.as_str()),
    });
    let color = output::color(std::io::stderr().is_terminal());
    match failure {
        Some(f) => eprintln!("{}", sql_error::render(f, color)),
        None => {
            let label = if color { "\x1b[1;31merror\x1b[0m" } else { "error" };
            eprintln!("{label}: {message}");
        }
    }
}

/// The error and its causes, `a: b: c`, leaving out a cause whose text the message
/// already holds (sqlx repeats its source in its own message: "error communicating
/// with database: Connection refused" caused by "Connection refused").
fn chain_message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

fn init_tracing(out: Output) {
    let default = match out.verbose {
        0 if out.quiet => "warn",
        // One line per request the API (`strata serve`, `strata dev`) answers.
        0 => "warn,tower_http::trace=info",
        // PostgreSQL's NOTICEs (as psql shows them) come through sqlx at info.
        1 => "info,sqlx=warn,sqlx::postgres::notice=info",
        _ => "debug,sqlx=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("STRATA_LOG").unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
