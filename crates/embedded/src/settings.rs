//! How the cluster is made and tuned: `initdb` options, the settings appended to
//! `postgresql.conf`, and the URL clients use. Tuned for development and tests, where a lost
//! transaction after a power cut does not matter and speed does.

use std::ffi::OsString;
use std::path::Path;

/// The superuser created by `initdb`, and the user in the URL.
pub const SUPERUSER: &str = "strata";

/// The database created on first start, and the one in the URL.
pub const DATABASE: &str = "strata";

/// Only loopback: a development database with a password in a project file must not be
/// reachable from the network.
pub(crate) const LISTEN_ADDRESS: &str = "127.0.0.1";

/// `initdb` arguments for a new cluster in `data_dir`, its superuser's password in `pwfile`.
pub(crate) fn initdb_args(data_dir: &Path, pwfile: &Path) -> Vec<OsString> {
    let mut pw = OsString::from("--pwfile=");
    pw.push(pwfile);
    vec![
        "-D".into(),
        data_dir.into(),
        "-U".into(),
        SUPERUSER.into(),
        pw,
        // Passwords on every connection, also over TCP from other local users.
        "--auth-host=scram-sha-256".into(),
        "--auth-local=scram-sha-256".into(),
        "--encoding=UTF8".into(),
        // The C locale is on every machine (containers often lack any other), and sorts
        // the same everywhere, so tests behave alike on every developer's machine.
        "--locale=C".into(),
        // The files are thrown away when the machine crashes anyway (fsync is off).
        "--no-sync".into(),
    ]
}

/// Appended to `postgresql.conf` after `initdb`. The port and listen address are also given
/// on the command line at each start, so that they hold whatever the file says.
pub(crate) const CONF: &str = "
# ---- added by strata: a private development cluster --------------------------------
# Loopback TCP only. No Unix socket: its path would be limited to 107 bytes, and clients use
# the URL anyway.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
# Test suites open many connections at once.
max_connections = 200
# Durability is not worth its cost in development: a crash may lose recent commits.
fsync = off
synchronous_commit = off
full_page_writes = off
# Messages go to server.log in the data directory (pg_ctl -l); name the database and user.
log_line_prefix = '%m [%p] %q%u@%d '
";

/// `postgres://strata:<password>@127.0.0.1:<port>/strata`. The password is alphanumeric, so
/// it needs no escaping.
pub(crate) fn url(password: &str, port: u16) -> String {
    url_as(SUPERUSER, password, port)
}

/// The same URL for another login (whose name and password need no escaping either).
pub(crate) fn url_as(login: &str, password: &str, port: u16) -> String {
    with_database(&format!("postgres://{login}:{password}@{LISTEN_ADDRESS}:{port}"), DATABASE)
}

/// `url` (`postgres://user:password@host:port/db?query`) naming `database` instead,
/// its query kept. The one place strata rewrites a connection URL: the cluster's own
/// URLs and the test harness's (`strata-testing` sits on this crate) are built here.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// The `postgres` options `pg_ctl` passes on (`-o`); pg_ctl hands them to a shell, so they
/// hold nothing but digits and dots.
pub(crate) fn server_options(port: u16) -> String {
    format!("-p {port} -c listen_addresses={LISTEN_ADDRESS}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_has_user_password_port_and_database() {
        assert_eq!(url("pw", 5433), "postgres://strata:pw@127.0.0.1:5433/strata");
        assert_eq!(url_as("app", "pw", 5433), "postgres://app:pw@127.0.0.1:5433/strata");
    }

    #[test]
    fn with_database_replaces_path_and_keeps_query() {
        assert_eq!(with_database("postgres://u@h:1/a?sslmode=disable", "b"), "postgres://u@h:1/b?sslmode=disable");
        assert_eq!(with_database("postgres://u@h:1", "b"), "postgres://u@h:1/b");
        assert_eq!(with_database("postgres://u:p@h:1/a/", "b"), "postgres://u:p@h:1/b");
    }

    #[test]
    fn conf_has_the_development_settings() {
        for setting in [
            "listen_addresses = '127.0.0.1'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 200",
        ] {
            assert!(CONF.contains(setting), "{setting}");
        }
    }

    #[test]
    fn initdb_uses_scram_and_the_pwfile() {
        let args = initdb_args(Path::new("/d"), Path::new("/p"));
        assert!(args.contains(&"--pwfile=/p".into()));
        assert!(args.contains(&"--auth-host=scram-sha-256".into()));
    }
}
