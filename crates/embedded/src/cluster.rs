//! One project's cluster: created on first use, started when stopped, stopped on request.
//!
//! Every operation that changes something holds the project's lock ([`crate::lock`]) from
//! its first look at the files to its last write, so concurrent strata processes see either
//! no cluster or a running one, never half of one. Reading the state ([`Cluster::status`],
//! [`Cluster::url`]) takes no lock and starts nothing.

use std::fs;
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::binaries::{Binaries, Search};
use crate::error::{Error, io_error};
use crate::layout::{self, Layout};
use crate::lock::StateLock;
use crate::pidfile::{self, PostmasterPid};
use crate::privilege::Identity;
use crate::{password, port, process, server_log, settings, state_file};

/// How long `pg_ctl start` and `pg_ctl stop` may take.
const SERVER_TIMEOUT: Duration = Duration::from_secs(60);

/// Start attempts when the port was taken between choosing it and binding it, or when a
/// killed server's processes still hold its shared memory.
const START_ATTEMPTS: u32 = 3;

/// How long to wait for another process's start: longer than its `initdb` plus every attempt.
const LOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// The private development cluster of one project, kept in its state directory (`.strata`).
///
/// Creating the value touches nothing; [`Cluster::start`] creates the cluster on first use.
#[derive(Debug, Clone)]
pub struct Cluster {
    state_dir: PathBuf,
    search: Search,
}

/// The outcome of [`Cluster::start`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// `postgres://strata:<password>@127.0.0.1:<port>/strata`.
    pub url: String,
    /// The server was already running before this call (another process started it).
    pub already_running: bool,
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    /// The cluster's data directory.
    pub data_dir: PathBuf,
}

/// What [`Cluster::status`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// A postmaster is alive for this data directory.
    pub running: bool,
    /// The data directory holds a cluster (`initdb` has run).
    pub initialized: bool,
    /// The port it listens on (when running) or listened on last time.
    pub port: Option<u16>,
    /// The postmaster's pid, when running.
    pub pid: Option<u32>,
    /// Where the data directory is (or will be).
    pub data_dir: PathBuf,
    /// The URL of database `strata`, once the cluster exists and has had a port.
    pub url: Option<String>,
    /// The version of the server binaries that run (or would run) this cluster.
    pub server_version: Option<String>,
    /// Their bin directory; `None` when none were found.
    pub binaries: Option<PathBuf>,
}

impl Cluster {
    /// The cluster kept under `state_dir`, the project's `.strata` folder (created when first
    /// needed). Binaries are looked up as [`crate::find_binaries`] does.
    pub fn new(state_dir: impl Into<PathBuf>) -> Cluster {
        Cluster { state_dir: state_dir.into(), search: Search::from_env() }
    }

    /// Looks for the server binaries with `search` instead of the environment's `PG_BIN`/`PATH`.
    pub fn with_search(mut self, search: Search) -> Cluster {
        self.search = search;
        self
    }

    /// The state directory, as given.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Makes the cluster run and returns the URL of its database `strata`: runs `initdb` on
    /// first use, starts the server when it is stopped, creates the database when missing.
    ///
    /// Idempotent and safe to call from many processes and threads at once: they serialize on
    /// a lock in the state directory, exactly one of them creates and starts the cluster, and
    /// the others get `already_running`.
    pub fn start(&self) -> Result<Started, Error> {
        let layout = Layout::new(&self.state_dir);
        layout.create()?;
        let _lock = StateLock::acquire(&layout.lock_file(), LOCK_TIMEOUT)?;

        let data_dir = locate_data_dir(&layout)?;
        let binaries = self.binaries_for(&data_dir)?;
        if !is_initialized(&data_dir) {
            initdb(&layout, &binaries, &data_dir)?;
        }
        let password = password::read(&layout.password_file())?.ok_or_else(|| missing_password(&layout, &data_dir))?;

        let running = match live_postmaster(&data_dir)? {
            Some(postmaster) => wait_until_ready(&data_dir, postmaster)?,
            None => None,
        };
        let (port, already_running) = match running {
            Some(port) => (port, true),
            None => (start_server(&layout, &binaries, &data_dir)?, false),
        };
        ensure_database(&binaries, port, &password)?;
        Ok(Started { url: settings::url(&password, port), already_running, port, data_dir })
    }

    /// Stops the server with a fast shutdown (open transactions roll back, sessions end).
    /// Returns whether it was running.
    pub fn stop(&self) -> Result<bool, Error> {
        Ok(self.lock_and_stop("fast")?.is_some_and(|stopped| stopped.was_running))
    }

    /// Takes the state lock and stops the server with pg_ctl's `mode` (`fast`,
    /// `immediate`) if it runs. `None` when there is no state directory at all.
    fn lock_and_stop(&self, mode: &str) -> Result<Option<Stopped>, Error> {
        let layout = Layout::new(&self.state_dir);
        if !layout.exists() {
            return Ok(None);
        }
        let lock = StateLock::acquire(&layout.lock_file(), LOCK_TIMEOUT)?;
        let data_dir = layout.data_dir()?;
        let was_running = live_postmaster(&data_dir)?.is_some();
        if was_running {
            stop_server(&self.binaries_for(&data_dir)?, &data_dir, mode)?;
        }
        Ok(Some(Stopped { layout, data_dir, was_running, _lock: lock }))
    }

    /// What the cluster is doing. Starts nothing, creates nothing, takes no lock; costs a
    /// few file reads and one `postgres --version`.
    pub fn status(&self) -> Result<Status, Error> {
        let layout = Layout::new(&self.state_dir);
        let data_dir = layout.data_dir()?;
        let initialized = is_initialized(&data_dir);
        let postmaster = if initialized { live_postmaster(&data_dir)? } else { None };
        let port = match postmaster.as_ref().and_then(|p| p.port) {
            Some(port) => Some(port),
            None => layout.recorded_port()?,
        };
        let password = if initialized { password::read(&layout.password_file())? } else { None };
        let url = match (initialized, &password, port) {
            (true, Some(password), Some(port)) => Some(settings::url(password, port)),
            _ => None,
        };
        let binaries = self.binaries_for(&data_dir).ok();
        let server_version = binaries.as_ref().and_then(|b| b.version().ok()).map(|v| v.to_string());
        Ok(Status {
            running: postmaster.is_some(),
            initialized,
            port,
            pid: postmaster.map(|p| p.pid),
            data_dir,
            url,
            server_version,
            binaries: binaries.map(|b| b.dir().to_path_buf()),
        })
    }

    /// The URL of database `strata`, without starting anything. An error when the cluster was
    /// never created. (When it is stopped, the URL is where it will listen once started,
    /// unless that port is taken by then.)
    pub fn url(&self) -> Result<String, Error> {
        let layout = Layout::new(&self.state_dir);
        let data_dir = layout.data_dir()?;
        let not_initialized = || Error::NotInitialized { state_dir: self.state_dir.clone() };
        if !is_initialized(&data_dir) {
            return Err(not_initialized());
        }
        let password = password::read(&layout.password_file())?.ok_or_else(|| missing_password(&layout, &data_dir))?;
        let port = match live_postmaster(&data_dir)?.and_then(|p| p.port) {
            Some(port) => port,
            None => layout.recorded_port()?.ok_or_else(not_initialized)?,
        };
        Ok(settings::url(&password, port))
    }

    /// The password of `login`, a role that strata creates in this cluster for one purpose
    /// (the studio's console, the development API): random on first use, then kept in a 0600
    /// file beside the superuser's (`<state_dir>/postgres/login-<login>.password`) so that
    /// every strata process of the project uses the same one. Creates nothing in the database:
    /// the caller creates or updates the role with this password. `login` is lower-case
    /// letters, digits and `_`.
    pub fn login_password(&self, login: &str) -> Result<String, Error> {
        let layout = Layout::new(&self.state_dir);
        let file = layout.login_password_file(login);
        if login.is_empty() || !login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(Error::InvalidState {
                path: file,
                reason: format!("{login:?} is not a login name strata uses (lower-case letters, digits and _)"),
            });
        }
        layout.create()?;
        let _lock = StateLock::acquire(&layout.lock_file(), LOCK_TIMEOUT)?;
        if let Some(password) = password::read(&file)? {
            return Ok(password);
        }
        let password = password::generate();
        password::write(&file, &password)?;
        Ok(password)
    }

    /// `postgres://<login>:<password>@127.0.0.1:<port>/strata`: the cluster's database as
    /// another login.
    pub fn login_url(login: &str, password: &str, port: u16) -> String {
        settings::url_as(login, password, port)
    }

    /// Stops the server (immediately: the data is about to go) and deletes the cluster: its
    /// data directory, wherever it is, and the password and port files. Returns whether there
    /// was anything to delete. The next [`Cluster::start`] makes a new, empty cluster.
    pub fn destroy(&self) -> Result<bool, Error> {
        let Some(Stopped { layout, data_dir, _lock, .. }) = self.lock_and_stop("immediate")? else { return Ok(false) };
        let existed = data_dir.exists() || layout.password_file().exists();
        for dir in [data_dir.clone(), staging_dir(&data_dir)] {
            match fs::remove_dir_all(&dir) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_error("remove", &dir)(err));
                }
                _ => {}
            }
        }
        state_file::remove(&initdb_pwfile(&data_dir))?;
        layout.forget()?;
        Ok(existed)
    }

    /// The binaries for the cluster in `data_dir`: of its major version once it exists, since
    /// no other can open it; the preferred ones before.
    fn binaries_for(&self, data_dir: &Path) -> Result<Binaries, Error> {
        match cluster_major(data_dir)? {
            Some(major) => self.search.find_major(major, data_dir),
            None => self.search.find(),
        }
    }
}

/// A cluster whose server [`Cluster::lock_and_stop`] stopped (or found stopped),
/// still under the state lock.
struct Stopped {
    layout: Layout,
    data_dir: PathBuf,
    was_running: bool,
    _lock: StateLock,
}

/// The data directory: recorded or default, or, on first use as root where the PostgreSQL
/// user cannot reach the state directory, a new relocated one (recorded before use, so a
/// crash halfway leaves a record the next start follows).
fn locate_data_dir(layout: &Layout) -> Result<PathBuf, Error> {
    if let Some(dir) = layout.recorded_data_dir()? {
        return Ok(dir);
    }
    let default = layout.default_data_dir();
    if default.exists() {
        return Ok(default);
    }
    let identity = Identity::resolve()?;
    if identity.can_enter(layout.root())? {
        return Ok(default);
    }
    let state_dir = layout.root().parent().unwrap_or(layout.root());
    let canonical = state_dir.canonicalize().map_err(io_error("resolve", state_dir))?;
    let dir = layout::relocated_data_dir(&canonical)?;
    tracing::info!(
        data_dir = %dir.display(),
        "{} cannot reach {}; keeping the database in {}",
        identity.describe(),
        layout.root().display(),
        dir.display()
    );
    layout.record_data_dir(&dir)?;
    Ok(dir)
}

/// Whether `initdb` finished in `data_dir`. It is run in a staging directory and renamed into
/// place, so a data directory that exists is complete.
fn is_initialized(data_dir: &Path) -> bool {
    data_dir.join("PG_VERSION").is_file() && data_dir.join("global").join("pg_control").is_file()
}

/// The major version in `PG_VERSION` (`15`; `9` for `9.6`).
fn cluster_major(data_dir: &Path) -> Result<Option<u32>, Error> {
    let file = data_dir.join("PG_VERSION");
    let Some(text) = state_file::read(&file)? else {
        return Ok(None);
    };
    let major = text.split('.').next().and_then(|m| m.parse().ok());
    major.map(Some).ok_or_else(|| Error::InvalidState { path: file, reason: format!("{text:?} is not a version") })
}

/// `<data_dir>.initdb`: where `initdb` runs before the result is renamed into place.
fn staging_dir(data_dir: &Path) -> PathBuf {
    let mut name = data_dir.file_name().unwrap_or_default().to_os_string();
    name.push(".initdb");
    data_dir.with_file_name(name)
}

/// The password file handed to `initdb`, beside the data directory: readable by the
/// PostgreSQL user, unlike the 0600 root-owned one in the state directory.
fn initdb_pwfile(data_dir: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(data_dir.file_name().unwrap_or_default());
    name.push(".pwfile");
    data_dir.with_file_name(name)
}

/// Creates the cluster: `initdb` with the superuser `strata` and its password, the
/// development settings appended to `postgresql.conf`, then the rename into place.
fn initdb(layout: &Layout, binaries: &Binaries, data_dir: &Path) -> Result<(), Error> {
    let version = binaries.version()?;
    let identity = Identity::resolve()?;
    if data_dir.exists() {
        // Not a cluster (that was checked), so an empty directory someone made, or foreign files.
        fs::remove_dir(data_dir).map_err(|_| Error::InvalidState {
            path: data_dir.to_path_buf(),
            reason:
                "this directory holds files but no PostgreSQL cluster; move them away so strata can create one here"
                    .to_owned(),
        })?;
    }
    let staging = staging_dir(data_dir);
    if staging.exists() {
        // An initdb interrupted by a crash or a kill; its half-made cluster is worthless.
        fs::remove_dir_all(&staging).map_err(io_error("remove", &staging))?;
    }
    fs::DirBuilder::new().mode(0o700).create(&staging).map_err(io_error("create directory", &staging))?;
    identity.give(&staging)?;

    let password = match password::read(&layout.password_file())? {
        // Kept from a cluster that was deleted: reusing it keeps URLs saved elsewhere working.
        Some(password) => password,
        None => {
            let password = password::generate();
            password::write(&layout.password_file(), &password)?;
            password
        }
    };
    let pwfile = initdb_pwfile(data_dir);
    state_file::write(&pwfile, &password, 0o600)?;
    let made = identity.give(&pwfile).and_then(|()| {
        tracing::info!(data_dir = %data_dir.display(), version = %version, "creating the development database cluster");
        let mut cmd = identity.command(binaries.tool("initdb"));
        cmd.args(settings::initdb_args(&staging, &pwfile));
        process::run_ok(&mut cmd)
    });
    let _ = fs::remove_file(&pwfile);
    if let Err(err) = made {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }

    let conf = staging.join("postgresql.conf");
    fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut f| f.write_all(settings::CONF.as_bytes()))
        .map_err(io_error("append the development settings to", &conf))?;
    fs::rename(&staging, data_dir).map_err(io_error("move the new cluster into", data_dir))
}

/// The postmaster of `data_dir` when one is alive.
fn live_postmaster(data_dir: &Path) -> Result<Option<PostmasterPid>, Error> {
    Ok(PostmasterPid::read(data_dir)?.filter(|p| p.is_alive(data_dir)))
}

/// The port of a running server once it accepts connections; `None` when it went away
/// (it was shutting down), so the caller starts it again.
fn wait_until_ready(data_dir: &Path, mut postmaster: PostmasterPid) -> Result<Option<u16>, Error> {
    let deadline = Instant::now() + SERVER_TIMEOUT;
    loop {
        if postmaster.is_ready() {
            return Ok(postmaster.port);
        }
        if Instant::now() >= deadline {
            let log = server_log::path(data_dir);
            return Err(Error::StartFailed {
                data_dir: data_dir.to_path_buf(),
                port: postmaster.port.unwrap_or(0),
                reason: format!(
                    "the server (pid {}) has been {} for {}s",
                    postmaster.pid,
                    postmaster.state.as_deref().unwrap_or("starting"),
                    SERVER_TIMEOUT.as_secs()
                ),
                log_tail: server_log::tail_since(&log, 0, server_log::TAIL_LINES),
                log,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
        match live_postmaster(data_dir)? {
            Some(now) => postmaster = now,
            None => return Ok(None),
        }
    }
}

/// Starts the stopped server and returns its port.
fn start_server(layout: &Layout, binaries: &Binaries, data_dir: &Path) -> Result<u16, Error> {
    let identity = Identity::resolve()?;
    remove_stale_pidfile(data_dir)?;
    let log = server_log::path(data_dir);
    server_log::rotate_if_large(&log);
    let mut port =
        port::choose(layout.recorded_port()?).map_err(io_error("find a free port on", Path::new("127.0.0.1")))?;
    let mut attempt = 1;
    loop {
        let offset = server_log::len(&log);
        tracing::info!(data_dir = %data_dir.display(), port, "starting the development database");
        let mut cmd = identity.command(binaries.tool("pg_ctl"));
        cmd.arg("start")
            .arg("-w")
            .args(["-t", &SERVER_TIMEOUT.as_secs().to_string()])
            .arg("-D")
            .arg(data_dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(settings::server_options(port));
        let output = process::run(&mut cmd)?;
        if output.status.success() {
            layout.record_port(port)?;
            return Ok(port);
        }
        let log_tail = server_log::tail_since(&log, offset, server_log::TAIL_LINES);
        // pg_ctl gives up after its timeout while the server may still be coming up; a
        // failed start must not leave a server behind that the next start trips over.
        if live_postmaster(data_dir)?.is_some() {
            let _ = stop_server(binaries, data_dir, "immediate");
        }
        let retry = Retry::after(&log_tail);
        if attempt < START_ATTEMPTS && retry != Retry::No {
            tracing::warn!(port, attempt, "the development database did not start; retrying");
            if retry == Retry::OtherPort {
                port = port::any_free().map_err(io_error("find a free port on", Path::new("127.0.0.1")))?;
            }
            std::thread::sleep(Duration::from_millis(300) * attempt);
            attempt += 1;
            continue;
        }
        let reason = start_failure_reason(&process::combined(&output));
        return Err(Error::StartFailed { data_dir: data_dir.to_path_buf(), port, reason, log, log_tail });
    }
}

/// pg_ctl's own verdict ("could not start server", "server did not start in time") from its
/// output, without the progress dots and the "Examine the log output." that the log tail
/// answers.
fn start_failure_reason(pg_ctl_output: &str) -> String {
    let verdicts: Vec<&str> = pg_ctl_output.lines().filter_map(|l| l.strip_prefix("pg_ctl: ")).collect();
    if verdicts.is_empty() {
        pg_ctl_output.trim().lines().last().unwrap_or("pg_ctl start failed").to_owned()
    } else {
        verdicts.join("; ")
    }
}

/// Whether a failed start is worth another attempt, judging by the server log.
#[derive(Debug, PartialEq, Eq)]
enum Retry {
    No,
    /// Something took the port between choosing and binding it.
    OtherPort,
    /// The processes of a killed server are still exiting.
    SamePort,
}

impl Retry {
    fn after(log_tail: &str) -> Retry {
        if log_tail.contains("could not bind") || log_tail.contains("Address already in use") {
            Retry::OtherPort
        } else if log_tail.contains("pre-existing shared memory block")
            || log_tail.contains("lock file \"postmaster.pid\" already exists")
        {
            Retry::SamePort
        } else {
            Retry::No
        }
    }
}

/// Removes a `postmaster.pid` whose server is gone (the caller checked). postgres would
/// remove one whose pid is dead by itself, but refuses when that pid was recycled by another
/// process, as happens after a container restart.
fn remove_stale_pidfile(data_dir: &Path) -> Result<(), Error> {
    let path = data_dir.join(pidfile::FILE);
    match fs::remove_file(&path) {
        Ok(()) => {
            tracing::warn!(file = %path.display(), "removed the lock file of a server that is no longer running");
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(io_error("remove the stale", &path)(err)),
    }
}

/// `pg_ctl stop -m <mode>`. A server that went away meanwhile counts as stopped.
fn stop_server(binaries: &Binaries, data_dir: &Path, mode: &str) -> Result<(), Error> {
    let identity = Identity::resolve()?;
    let mut cmd = identity.command(binaries.tool("pg_ctl"));
    cmd.args(["stop", "-m", mode, "-w", "-t", &SERVER_TIMEOUT.as_secs().to_string(), "-D"]).arg(data_dir);
    match process::run_ok(&mut cmd) {
        Ok(_) => Ok(()),
        Err(_) if live_postmaster(data_dir)?.is_none() => Ok(()),
        Err(err) => Err(err),
    }
}

/// Creates database `strata` when missing. The password travels in the environment; the
/// script on stdin (`\gexec` cannot be given with `-c`).
fn ensure_database(binaries: &Binaries, port: u16, password: &str) -> Result<(), Error> {
    let database = settings::DATABASE;
    let script = format!(
        "SELECT 'CREATE DATABASE {database}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec\n"
    );
    let mut cmd = process::command(binaries.tool("psql"));
    cmd.args(["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-h", settings::LISTEN_ADDRESS, "-p", &port.to_string()])
        .args(["-U", settings::SUPERUSER, "-d", "postgres", "-f", "-"])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGAPPNAME", "strata-embedded");
    process::run_ok_with_input(&mut cmd, &script).map(|_| ())
}

fn missing_password(layout: &Layout, data_dir: &Path) -> Error {
    Error::InvalidState {
        path: layout.password_file(),
        reason: format!(
            "missing: it holds the password of the database in {}; restore it, or delete that directory to start over",
            data_dir.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_passwords_are_private_kept_and_distinct() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cluster = Cluster::new(dir.path().join(".strata"));
        let reader = cluster.login_password("strata_studio_reader").unwrap();
        assert_eq!(cluster.login_password("strata_studio_reader").unwrap(), reader, "kept");
        assert_ne!(cluster.login_password("strata_dev_api").unwrap(), reader);
        let file = dir.path().join(".strata/postgres/login-strata_studio_reader.password");
        assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(cluster.login_password("../x").is_err());
        assert_eq!(
            Cluster::login_url("strata_dev_api", "pw", 5432),
            "postgres://strata_dev_api:pw@127.0.0.1:5432/strata"
        );
    }

    #[test]
    fn retry_reads_the_log() {
        let bind = "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use";
        assert_eq!(Retry::after(bind), Retry::OtherPort);
        let shm = "FATAL:  pre-existing shared memory block (key 1234, ID 5) is still in use";
        assert_eq!(Retry::after(shm), Retry::SamePort);
        assert_eq!(Retry::after("FATAL:  data directory has wrong ownership"), Retry::No);
    }

    #[test]
    fn start_failure_reason_is_pg_ctls_verdict() {
        let output = "waiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n";
        assert_eq!(start_failure_reason(output), "could not start server");
        assert_eq!(start_failure_reason("something else\n"), "something else");
    }

    #[test]
    fn staging_and_pwfile_sit_beside_the_data_directory() {
        let data = Path::new("/p/.strata/postgres/data");
        assert_eq!(staging_dir(data), Path::new("/p/.strata/postgres/data.initdb"));
        assert_eq!(initdb_pwfile(data), Path::new("/p/.strata/postgres/.data.pwfile"));
    }

    #[test]
    fn status_of_a_fresh_project_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join(".strata");
        let status = Cluster::new(&state).status().unwrap();
        assert!(!status.running && !status.initialized);
        assert_eq!((status.port, status.pid, status.url), (None, None, None));
        assert!(!state.exists());
        assert!(matches!(Cluster::new(&state).url(), Err(Error::NotInitialized { .. })));
        assert!(!Cluster::new(&state).stop().unwrap());
        assert!(!Cluster::new(&state).destroy().unwrap());
        assert!(!state.exists());
    }

    #[test]
    fn cluster_major_reads_pg_version() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(cluster_major(dir.path()).unwrap(), None);
        fs::write(dir.path().join("PG_VERSION"), "15\n").unwrap();
        assert_eq!(cluster_major(dir.path()).unwrap(), Some(15));
        fs::write(dir.path().join("PG_VERSION"), "9.6\n").unwrap();
        assert_eq!(cluster_major(dir.path()).unwrap(), Some(9));
    }
}
