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
    /// The launch token in the printed URL, exchanged once per browser for a
    /// session cookie. When the studio is bound to a non-loopback address this is
    /// the access token a remote user must present.
    pub token: String,
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
    /// Rows per page when browsing a table.
    pub page_size: usize,
    /// Extra `Host` header names accepted besides the loopback ones (`localhost`,
    /// `127.0.0.1`, `[::1]`), needed when bound to another address.
    pub allowed_hosts: Vec<String>,
}

impl StudioConfig {
    /// Defaults with a fresh random token: 5 s statement timeout, 1,000 console
    /// rows, 50 rows per page, migrations from `./migrations` when it exists.
    pub fn new(write: bool) -> Self {
        let dir = PathBuf::from("migrations");
        StudioConfig {
            write,
            token: token::random(),
            migrations_dir: dir.is_dir().then_some(dir),
            history_table: HistoryTable::default(),
            lint: strata_lint::Config::default(),
            statement_timeout: Duration::from_secs(5),
            row_cap: 1000,
            page_size: 50,
            allowed_hosts: Vec::new(),
        }
    }
}
