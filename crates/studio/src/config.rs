//! What the studio is started with: write mode, the launch/access token, limits and
//! where the migrations live.

use std::path::PathBuf;
use std::time::Duration;

use strata_migrate::history::HistoryTable;

use crate::security::token;

/// Settings of one studio server. [`StudioConfig::new`] gives the defaults the CLI
/// documents; fields are public so the CLI can override them from flags and
/// `strata.toml`.
#[derive(Debug, Clone)]
pub struct StudioConfig {
    /// Edits of rows with a primary key, and writes from the console, are allowed.
    /// Without it every transaction the studio opens is `READ ONLY`.
    pub write: bool,
    /// The launch token in the printed URL. It opens one browser session, once:
    /// the first request that presents it gets the session cookie, later ones are
    /// refused, and it expires after [`StudioConfig::launch_ttl`] unused. When the
    /// studio is bound to a non-loopback address this is the access token a remote
    /// user must present.
    pub token: String,
    /// How long the launch token stays valid when nobody uses it.
    pub launch_ttl: Duration,
    /// The migrations directory for the migrations tab; `None` hides the tab's data.
    pub migrations_dir: Option<PathBuf>,
    /// The history table the migrations tab reads.
    pub history_table: HistoryTable,
    /// The linter settings (`[lint]` of `strata.toml`) for the migrations tab.
    pub lint: strata_lint::Config,
    /// `statement_timeout` of every statement the studio runs.
    pub statement_timeout: Duration,
    /// The most rows the console shows for one statement.
    pub row_cap: usize,
    /// The most characters of one value the console shows; PostgreSQL cuts longer
    /// values before they are sent (`left(value::text, n)`), and the page says so.
    pub value_cap: usize,
    /// The most bytes of values one console page holds; the console stops
    /// fetching (and the statement stops) once a page reaches it.
    pub page_bytes: usize,
    /// The most characters of one value in an export; a longer value is cut, and
    /// the cut is marked in the file where the value was.
    pub export_value_cap: usize,
    /// Run the SQL console even on a login that is a superuser, `BYPASSRLS`,
    /// `CREATEROLE` or a member of a predefined role that reaches the server's
    /// files, programs or other sessions (`--unsafe-superuser-console`). Off: the
    /// console is disabled on such a login, and says why.
    pub unsafe_console: bool,
    /// Rows per page when browsing a table.
    pub page_size: usize,
    /// Extra `Host` header names accepted besides the loopback ones (`localhost`,
    /// `127.0.0.1`, `[::1]`), needed when bound to another address.
    pub allowed_hosts: Vec<String>,
}

impl StudioConfig {
    /// Defaults with a fresh random token valid for 10 minutes: 5 s statement
    /// timeout, 1,000 console rows, 10,000 characters per value and 2 MiB per
    /// console page, 64 Ki characters per exported value, 50 rows per page,
    /// migrations from `./migrations` when it exists.
    pub fn new(write: bool) -> Self {
        let dir = PathBuf::from("migrations");
        StudioConfig {
            write,
            token: token::random(),
            launch_ttl: Duration::from_secs(600),
            migrations_dir: dir.is_dir().then_some(dir),
            history_table: HistoryTable::default(),
            lint: strata_lint::Config::default(),
            statement_timeout: Duration::from_secs(5),
            row_cap: 1000,
            value_cap: 10_000,
            page_bytes: 2 << 20,
            export_value_cap: 64 << 10,
            unsafe_console: false,
            page_size: 50,
            allowed_hosts: Vec::new(),
        }
    }
}
