//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `strata --version`: the version and the git commit the binary was built from
/// (`unknown` when it was not built from a git checkout; see build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("STRATA_GIT_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(name = "strata", version = VERSION, about = "Plain-SQL migrations and a backend for multi-schema PostgreSQL")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// PostgreSQL URL (else DATABASE_URL from the environment or .env, else the embedded database)
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The migrations folder, holding migrate/ and seed/ [default: migrations]
    #[arg(long, global = true, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Machine-readable output: one JSON object per event on stdout (NDJSON)
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (the SQL a dry run would send, debug logs)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// How long to wait for another runner's lock (strata's own), in seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60.0)]
    pub lock_timeout: f64,
    /// PostgreSQL's lock_timeout on each statement of a migration or seed file, e.g. 1s, 500ms; 0 is off
    /// [default: [migrate] lock_timeout, else 1s]
    #[arg(long, global = true, value_name = "DURATION")]
    pub ddl_lock_timeout: Option<String>,
    /// The config file [default: strata.toml, when present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply, roll back and inspect schema migrations (the migrate track)
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Apply, roll back and inspect seed data (the seed track)
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Create an up/down pair named with today's date and the next free sequence
    Generate(GenerateArgs),
    /// The embedded development database, and a look at any database's catalog
    #[command(subcommand)]
    Db(DbCommand),
    /// Check the migration files offline: names, pairs, order, schema qualification, idempotency
    Lint(LintArgs),
    /// Browse the database in a web page: every schema, rows, keys across schemas, a SQL console
    Studio(StudioArgs),
    /// Serve the application's HTTP API
    Serve(ServeArgs),
    /// Everything for development: embedded database, migrate up, seed up, the API and the studio
    Dev(DevArgs),
    /// On a scratch database: every up twice (idempotent), then its down (restores the catalog exactly), then up again
    Verify,
    /// Compare the database with a replay of its applied files on a scratch database, object by object (exit 3 on drift)
    Drift(DriftArgs),
    /// One reviewable SQL file per project schema, as the migrate files leave it (dump), or check the committed ones (check)
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Replace every migrate file up to a version by one generated pair, proven equal on two scratch databases
    Squash(SquashArgs),
    /// Start a project here: strata.toml, the migrations folder with its create_schemas pair, .gitattributes, .gitignore
    Init(InitArgs),
    /// Print the shell completion script (install: see the README)
    Completions(CompletionsArgs),
    /// Print the manual page (roff): strata man > ~/.local/share/man/man1/strata.1
    Man,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project's schemas, created by the first migration (comma-separated)
    #[arg(long, value_delimiter = ',', default_value = "app", value_name = "NAMES")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations in version order
    Up(crate::replicas::MigrateUpArgs),
    /// Roll back applied migrations, newest first (all of them unless --steps or --to)
    Down(DownArgs),
    /// Every migration: applied, pending, modified, missing or failed
    Status(StatusArgs),
    /// Record every migration up to VERSION as applied without running it
    Baseline {
        /// YYYYMMDD_NNNNNN
        version: String,
    },
    /// Accept the checksums of edited applied files (keeping the old ones) and clear failed runs
    Repair(RepairArgs),
    /// What each pending file (both tracks) will lock, rewrite and scan, measured on a scratch database (exit 3 on an error)
    Plan(PlanArgs),
}

#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// Apply pending seeds in version order
    Up(UpArgs),
    /// Roll back applied seeds, newest first (all of them unless --steps or --to)
    Down(DownArgs),
    /// Every seed: applied, pending, modified, missing or failed
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only the files that touch this schema (by their `-- strata:schema` header, else their qualified names)
    #[arg(long)]
    pub schema: Option<String>,
    /// Also compare the database with a replay of its applied files (`strata drift`; exit 3 on drift)
    #[arg(long)]
    pub drift: bool,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Stop after this version (YYYYMMDD_NNNNNN)
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Print what would run and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply pending files older than the newest applied one
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Every pending file and its history row in one transaction: all or nothing
    /// (refused when a pending file is `-- strata:no-transaction`)
    #[arg(long)]
    pub single_transaction: bool,
}

#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Also accept the deletion of applied files whose files are gone: remove their
    /// history rows (what they created stays in the database). Asks first.
    #[arg(long)]
    pub forget_missing: bool,
    /// Do not ask before forgetting missing files
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Roll back this many files
    #[arg(long, value_name = "N", conflicts_with = "to")]
    pub steps: Option<usize>,
    /// Roll back every file newer than this version (it stays applied)
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Print what would run and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before rolling back everything
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrackArg {
    Migrate,
    Seed,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Which track the pair belongs to
    #[arg(long = "type", value_enum)]
    pub track: TrackArg,
    /// lower_snake_case description, e.g. add_phone_to_users
    #[arg(long)]
    pub name: String,
    /// The schema the file changes (one that the create_schemas migration creates)
    #[arg(long)]
    pub schema: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Start the embedded database (creating it on first use) and print its URL
    Start,
    /// Stop the embedded database
    Stop,
    /// Whether the embedded database is running, where and on which port
    Status,
    /// Print the URL of the database strata would use
    Url,
    /// Delete the embedded database's data (it is created afresh on next use)
    Reset {
        /// Do not ask first
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List schemas (like psql's \dn)
    Schemas,
    /// List tables, in one schema or all (like psql's \dt)
    Tables {
        /// Only this schema
        schema: Option<String>,
    },
    /// Columns, indexes, constraints, references and triggers of a table (like psql's \d)
    Describe {
        /// SCHEMA.TABLE
        table: String,
    },
    /// Back up one schema with pg_dump (plain SQL), recording its migration history
    Dump(DumpArgs),
    /// Restore a `strata db dump` file, refusing when the schema's migrations differ
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The schema to back up
    #[arg(long)]
    pub schema: String,
    /// Rows only, not the schema's structure
    #[arg(long)]
    pub data_only: bool,
    /// Write here instead of stdout (created readable by its owner only; never over an existing file)
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace the --output file when it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `strata db dump`
    pub file: PathBuf,
    /// Restore even though the schema's applied migrations differ from the dump's
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Mark the session cookie Secure (serve behind HTTPS)
    #[arg(long)]
    pub secure_cookies: bool,
    /// Run every query as this role (`SET ROLE` on each connection), e.g. strata_app
    #[arg(long)]
    pub role: Option<String>,
    /// A streaming replica for item listings and reference data (repeatable; default: [serve] replicas)
    #[arg(long = "replica", value_name = "URL")]
    pub replicas: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DevArgs {
    /// Port for the API (the next free port is used when the default is taken)
    #[arg(long)]
    pub port: Option<u16>,
    /// Do not watch the migrations folder (by default a new or changed pending file is linted and applied at once)
    #[arg(long)]
    pub no_watch: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Report only on these files or folders (the whole set is still checked)
    pub paths: Vec<PathBuf>,
    /// Output format: text, json, github (workflow annotations) or sarif [default: text; json with --json]
    #[arg(long, value_parser = ["text", "json", "github", "sarif"])]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct StudioArgs {
    /// Port to listen on
    #[arg(long, default_value_t = 4983)]
    pub port: u16,
    /// Allow editing rows (shown as SQL first) and writes from the console; read-only otherwise
    #[arg(long)]
    pub write: bool,
    /// Address to listen on; anything but loopback also needs --allow-host and --token
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// A Host name the studio may be reached by (repeatable), for a non-loopback --host
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// The access token (default: a random one, printed in the URL); at least 32 characters off loopback
    #[arg(long, env = "STRATA_STUDIO_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Run every query as this role (`SET ROLE` on each connection), e.g. strata_readonly
    #[arg(long)]
    pub role: Option<String>,
    /// Run the SQL console even on a superuser (or BYPASSRLS, CREATEROLE, pg_execute_server_program...)
    /// login, where it can run programs and read files on the database server
    #[arg(long)]
    pub unsafe_superuser_console: bool,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Only this schema
    #[arg(long)]
    pub schema: Option<String>,
    /// Every schema, not only the project's
    #[arg(long, conflicts_with = "schema")]
    pub all_schemas: bool,
    /// Output format [default: text; json with --json]
    #[arg(long, value_parser = ["text", "json", "markdown"])]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct SquashArgs {
    /// The last migrate version to squash (YYYYMMDD_NNNNNN): it and every older file become <V>_squashed
    #[arg(long, value_name = "VERSION")]
    pub to: String,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Replay the migrate files on a scratch database and write schema/<schema>.sql for each project schema
    Dump(SchemaArgs),
    /// Exit 3 when the committed schema files are not what the migrate files produce, naming the first differing line
    Check(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The folder of the schema files [default: [schema] dir in strata.toml, else schema]
    #[arg(long, value_name = "PATH")]
    pub schema_dir: Option<PathBuf>,
    /// Keep the owners (`ALTER ... OWNER TO`), left out by default
    #[arg(long)]
    pub owners: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Output format [default: text; json with --json]
    #[arg(long, value_parser = ["text", "json", "markdown"])]
    pub format: Option<String>,
    /// A table with this many rows (estimated) on the target is large [default: 100000; strata.toml [plan]]
    #[arg(long, value_name = "ROWS")]
    pub large_table_rows: Option<u64>,
    /// A table of this many bytes (table, TOAST and indexes) on the target is large [default: 104857600]
    #[arg(long, value_name = "BYTES")]
    pub large_table_bytes: Option<u64>,
    /// Exit 3 on findings of this severity or worse
    #[arg(long, value_parser = ["error", "warning"], value_name = "SEVERITY")]
    pub fail_on: Option<String>,
}
