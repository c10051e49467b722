//! A primary and a streaming standby of it, for the tests of read replicas.
//!
//! [`Replication::start`] makes a private primary cluster (the embedded database, in a
//! fresh state directory, on a free port), clones it with `pg_basebackup -R` into a
//! standby that streams from it, and starts that on another free port. Both use the
//! embedded cluster's server binaries and, when the tests run as root, run as the same
//! unprivileged user. Everything is stopped and deleted when the value is dropped (kept
//! for inspection when the test is panicking, like [`crate::TestDb`]).
//!
//! Each value is a pair of its own, so a test may stop, delay or promote its standby
//! without disturbing another; a pair takes a few seconds to make.

use std::ffi::OsStr;
use std::fs;
use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use strata_embedded::{Binaries, Cluster, with_database};

/// How the standby is made.
#[derive(Debug, Clone, Default)]
pub struct StandbyOptions {
    /// `recovery_min_apply_delay`: the standby replays each commit this long after the
    /// primary made it (it still receives the WAL at once).
    pub apply_delay: Option<Duration>,
}

/// A primary with one streaming standby; both torn down on drop.
pub struct Replication {
    work: PathBuf,
    primary: Cluster,
    primary_url: String,
    password: String,
    standby_dir: PathBuf,
    standby_port: u16,
    binaries: Binaries,
}

impl Replication {
    /// A primary and a standby streaming from it, both accepting connections.
    pub fn start(options: StandbyOptions) -> Replication {
        let work = std::env::temp_dir().join(format!("strata-standby-{:016x}", rand::random::<u64>()));
        fs::create_dir_all(&work).unwrap_or_else(|e| panic!("creating {}: {e}", work.display()));
        // The server's user (not root) must reach the folders below.
        set_mode(&work, 0o755);
        let primary = Cluster::new(work.join("primary"));
        let started = primary.start().unwrap_or_else(|e| panic!("starting the primary: {e}"));
        let password = password_of(&started.url);
        let binaries = strata_embedded::find_binaries().unwrap_or_else(|e| panic!("PostgreSQL binaries: {e}"));
        // Beside the primary's data directory, which the server's user can reach.
        let name = started.data_dir.file_name().unwrap_or(OsStr::new("data")).to_string_lossy().into_owned();
        let standby_dir = started.data_dir.with_file_name(format!("{name}-standby"));
        let mut pair =
            Replication { work, primary, primary_url: started.url, password, standby_dir, standby_port: 0, binaries };
        pair.make_standby(started.port, &options);
        pair.standby_port = free_port();
        pair.start_standby();
        pair
    }

    /// `pg_basebackup -R` of the primary into the standby's directory, with the options.
    fn make_standby(&self, primary_port: u16, options: &StandbyOptions) {
        fs::create_dir(&self.standby_dir).unwrap_or_else(|e| panic!("creating {}: {e}", self.standby_dir.display()));
        set_mode(&self.standby_dir, 0o700);
        give_to_server_user(&self.standby_dir);
        let mut cmd = server_command(self.binaries.tool("pg_basebackup"));
        cmd.args(["-h", "127.0.0.1", "-p", &primary_port.to_string(), "-U", strata_embedded::SUPERUSER])
            .arg("-D")
            .arg(&self.standby_dir)
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync", "-w"])
            .env("PGPASSWORD", &self.password);
        run_ok(&mut cmd, "pg_basebackup");
        let mut settings = String::from(
            "\n# ---- added by strata-testing: a streaming standby ----\nhot_standby = on\n\
             wal_retrieve_retry_interval = '100ms'\nwal_receiver_status_interval = '1s'\n",
        );
        if let Some(delay) = options.apply_delay {
            settings.push_str(&format!("recovery_min_apply_delay = '{}ms'\n", delay.as_millis()));
        }
        let conf = self.standby_dir.join("postgresql.conf");
        fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .unwrap_or_else(|e| panic!("appending to {}: {e}", conf.display()));
    }

    /// The primary's database `strata`, as its superuser.
    pub fn primary_url(&self) -> &str {
        &self.primary_url
    }

    /// The standby's database `strata`, as the same superuser.
    pub fn standby_url(&self) -> String {
        with_database(
            &format!("postgres://{}:{}@127.0.0.1:{}", strata_embedded::SUPERUSER, self.password, self.standby_port),
            strata_embedded::DATABASE,
        )
    }

    /// The standby's port.
    pub fn standby_port(&self) -> u16 {
        self.standby_port
    }

    /// Starts the (stopped) standby on its port and waits until it accepts connections.
    pub fn start_standby(&self) {
        let log = self.standby_log();
        let mut cmd = server_command(self.binaries.tool("pg_ctl"));
        cmd.args(["start", "-w", "-t", "60", "-D"])
            .arg(&self.standby_dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(format!("-p {} -c listen_addresses=127.0.0.1", self.standby_port));
        let output = cmd.output().unwrap_or_else(|e| panic!("running pg_ctl: {e}"));
        if !output.status.success() {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            panic!("the standby did not start: {}\n{tail}", describe(&output));
        }
    }

    /// Stops the standby (fast shutdown); its data stays, so [`Replication::start_standby`]
    /// resumes streaming where it left off.
    pub fn stop_standby(&self) {
        let mut cmd = server_command(self.binaries.tool("pg_ctl"));
        cmd.args(["stop", "-m", "fast", "-w", "-t", "60", "-D"]).arg(&self.standby_dir);
        run_ok(&mut cmd, "pg_ctl stop");
    }

    /// Promotes the standby to a primary of its own (what an operator might do by
    /// mistake): it leaves recovery and stops following the primary.
    pub fn promote_standby(&self) {
        let mut cmd = server_command(self.binaries.tool("pg_ctl"));
        cmd.args(["promote", "-w", "-t", "60", "-D"]).arg(&self.standby_dir);
        run_ok(&mut cmd, "pg_ctl promote");
    }

    /// Changes the standby's `recovery_min_apply_delay` at run time (`ALTER SYSTEM` and a
    /// reload); zero replays at once.
    pub async fn set_apply_delay(&self, delay: Duration) {
        let mut conn = PgConnection::connect(&self.standby_url()).await.expect("connecting to the standby");
        sqlx::raw_sql(&format!("ALTER SYSTEM SET recovery_min_apply_delay = '{}ms'", delay.as_millis()))
            .execute(&mut conn)
            .await
            .expect("setting recovery_min_apply_delay");
        sqlx::query("SELECT pg_reload_conf()").execute(&mut conn).await.expect("reloading the standby");
        let _ = conn.close().await;
        // The reload is a signal: wait until a new session sees the value, so the
        // caller's next write is replayed with it.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut conn = PgConnection::connect(&self.standby_url()).await.expect("connecting to the standby");
            let ms: i64 =
                sqlx::query_scalar("SELECT setting::int8 FROM pg_settings WHERE name = 'recovery_min_apply_delay'")
                    .fetch_one(&mut conn)
                    .await
                    .expect("reading recovery_min_apply_delay");
            let _ = conn.close().await;
            if ms == delay.as_millis() as i64 {
                return;
            }
            assert!(Instant::now() < deadline, "the standby did not take recovery_min_apply_delay = {delay:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Creates `database` on the primary and waits until the standby has it.
    pub async fn create_database(&self, database: &str) {
        let mut conn = PgConnection::connect(&with_database(&self.primary_url, "postgres")).await.expect("primary");
        sqlx::raw_sql(&format!("CREATE DATABASE \"{database}\"")).execute(&mut conn).await.expect("CREATE DATABASE");
        let _ = conn.close().await;
        self.wait_caught_up(Duration::from_secs(30)).await;
    }

    /// Waits until the standby has replayed everything the primary has written so far.
    pub async fn wait_caught_up(&self, timeout: Duration) {
        let mut primary = PgConnection::connect(&self.primary_url).await.expect("connecting to the primary");
        let target: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
            .fetch_one(&mut primary)
            .await
            .expect("the primary's WAL position");
        let _ = primary.close().await;
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(mut standby) = PgConnection::connect(&self.standby_url()).await {
                let caught_up: Option<bool> = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn")
                    .bind(&target)
                    .fetch_one(&mut standby)
                    .await
                    .ok()
                    .flatten();
                let _ = standby.close().await;
                if caught_up == Some(true) {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "the standby did not replay {target} within {timeout:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The standby's server log (inside its data directory, where its user may write).
    pub fn standby_log(&self) -> PathBuf {
        self.standby_dir.join("standby.log")
    }

    /// Stops both servers (immediately) and deletes their files.
    fn tear_down(&self) {
        let mut cmd = server_command(self.binaries.tool("pg_ctl"));
        cmd.args(["stop", "-m", "immediate", "-w", "-t", "60", "-D"]).arg(&self.standby_dir);
        let _ = cmd.output();
        let _ = fs::remove_dir_all(&self.standby_dir);
        if let Err(err) = self.primary.destroy() {
            eprintln!("warning: could not remove the test primary in {}: {err}", self.work.display());
        }
        let _ = fs::remove_dir_all(&self.work);
    }
}

impl Drop for Replication {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "test failed: keeping the primary ({}) and standby ({}, log {}) running for inspection",
                self.primary_url,
                self.standby_url(),
                self.standby_log().display()
            );
            return;
        }
        self.tear_down();
    }
}

/// The password in `postgres://user:password@host:port/db`.
fn password_of(url: &str) -> String {
    let authority = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let userinfo = authority.split_once('@').map(|(u, _)| u).unwrap_or("");
    userinfo.split_once(':').map(|(_, p)| p.to_owned()).unwrap_or_default()
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).expect("a free port").port()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("setting the mode of {}: {e}", path.display()));
}

/// The user the servers run as when the tests run as root (PostgreSQL refuses root): as
/// the embedded cluster chooses it, `STRATA_PG_USER`, else `postgres`. `None` when not root.
fn server_user() -> Option<(u32, u32)> {
    let uid = String::from_utf8(Command::new("id").arg("-u").output().ok()?.stdout).ok()?;
    if uid.trim() != "0" {
        return None;
    }
    let user = std::env::var(strata_embedded::PG_USER_ENV)
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| strata_embedded::DEFAULT_PG_USER.to_owned());
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, &user]).output().expect("running id");
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or_else(|_| panic!("no user {user}"))
    };
    Some((id("-u"), id("-g")))
}

/// `program`, run as the servers' user.
fn server_command(program: impl AsRef<OsStr>) -> Command {
    match server_user() {
        None => Command::new(program),
        Some((uid, gid)) => {
            let mut cmd = Command::new("setpriv");
            cmd.arg(format!("--reuid={uid}")).arg(format!("--regid={gid}")).arg("--init-groups").arg("--").arg(program);
            cmd
        }
    }
}

fn give_to_server_user(path: &Path) {
    if let Some((uid, gid)) = server_user() {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("giving {} to the server's user: {e}", path.display()));
    }
}

fn run_ok(cmd: &mut Command, what: &str) {
    let output = cmd.output().unwrap_or_else(|e| panic!("running {what}: {e}"));
    assert!(output.status.success(), "{what} failed: {}", describe(&output));
}

fn describe(output: &Output) -> String {
    format!("{}\n{}{}", output.status, String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}
