//! Issue 10, items 1 and 2: the studio's SQL console must not be a shell on the
//! database host. Each payload below once worked through the console (it ran on a
//! superuser login, and `--role` was escaped with set_config('role', ...)); each
//! is run here, also inside a DO block, under the real binary:
//! - `strata dev` and `strata studio [--write]` on the embedded database, which
//!   connect through logins strata makes (non-superuser, least rights);
//! - `strata studio --database-url` on a superuser login: the console is refused;
//! - the same on a non-superuser login that is a member of strata_readonly.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::servers::{self, Browser, Reply, Server};
use common::{StopsEmbedded, embedded_url, reference_migrations, strata_on, unique};
use sqlx::Connection;
use strata_testing::TestDb;

/// Every payload of the issue, with a file it must not create.
fn payloads(tag: &str, victim_pid: i32, superuser: &str) -> (Vec<String>, Vec<PathBuf>) {
    let program_file = PathBuf::from(format!("/tmp/strata-payload-{tag}-program"));
    let copy_file = PathBuf::from(format!("/tmp/strata-payload-{tag}-copy"));
    let lo_file = PathBuf::from(format!("/tmp/strata-payload-{tag}-lo"));
    let plain = vec![
        format!("COPY (SELECT 1) TO PROGRAM 'id > {}'", program_file.display()),
        format!("COPY (SELECT 1) TO '{}'", copy_file.display()),
        format!("SELECT lo_export(1, '{}')", lo_file.display()),
        "SELECT pg_read_file('/etc/hostname')".to_owned(),
        "SELECT pg_ls_dir('/')".to_owned(),
        format!("SELECT pg_terminate_backend({victim_pid})"),
        "SELECT pg_reload_conf()".to_owned(),
        "CHECKPOINT".to_owned(),
        format!("SELECT set_config('role', '{superuser}', true), (SELECT password_hash FROM auth.\"user\" LIMIT 1)"),
        "SELECT password_hash FROM auth.\"user\" LIMIT 1".to_owned(),
    ];
    let mut all = plain.clone();
    for p in &plain {
        all.push(format!("DO $do$ BEGIN EXECUTE {}; END $do$", literal(p)));
    }
    (all, vec![program_file, copy_file, lo_file])
}

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Runs every payload; each must fail with PostgreSQL's permission error (or,
/// with `refused`, the studio's refusal of the login) and leave no file.
fn assert_payloads_fail(browser: &Browser, payloads: &[String], files: &[PathBuf], refused: bool) {
    for f in files {
        let _ = std::fs::remove_file(f);
    }
    for sql in payloads {
        let reply: Reply = browser.console(sql, false);
        let text = reply.text();
        if refused {
            assert_eq!(reply.status, 403, "{sql}: {text}");
            assert!(text.contains("is a superuser") && text.contains("--unsafe-superuser-console"), "{sql}: {text}");
        } else {
            assert_eq!(reply.status, 400, "{sql} must fail: {text}");
            let clear =
                ["permission denied", "must be superuser", "must be a superuser", "must be a member of the role"];
            assert!(clear.iter().any(|m| text.contains(m)), "{sql}: no clear message in\n{text}");
            let message = text.split("ERROR: </strong>").nth(1).and_then(|t| t.split('<').next()).unwrap_or("");
            eprintln!("refused: {sql}\n    -> {message}");
        }
    }
    for f in files {
        assert!(!f.exists(), "{} was written", f.display());
    }
}

/// The pid of a backend of `login` (the API's, the migration runner's...).
async fn backend_of(admin_url: &str, login: &str) -> i32 {
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE usename = $1 ORDER BY backend_start LIMIT 1")
        .bind(login)
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("no backend of {login}: {e}"))
}

async fn still_alive(admin_url: &str, pid: i32) -> bool {
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)")
        .bind(pid)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// A test database with the reference application migrated, a project folder whose
/// migrations are the reference ones, and the database's superuser login.
fn migrated() -> (TestDb, tempfile::TempDir, String) {
    let db = TestDb::new();
    let project = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(reference_migrations(), project.path().join("migrations")).unwrap();
    strata_on(project.path(), db.url()).args(["migrate", "up"]).assert().success();
    let superuser = db.url().split("://").nth(1).unwrap().split(':').next().unwrap().to_owned();
    (db, project, superuser)
}

/// `strata <args>` serving the studio in `dir`, and a browser signed in to it.
fn studio(dir: &Path, args: &[&str]) -> (Server, Browser) {
    let studio = Server::start(dir, args, &[], 1, Duration::from_secs(60));
    let browser = Browser::open(studio.url("studio"));
    (studio, browser)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_payloads_fail_under_dev_and_the_embedded_studio() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let _stop = StopsEmbedded(dir);
    std::os::unix::fs::symlink(reference_migrations(), dir.join("migrations")).unwrap();
    let dev = Server::start(dir, &["dev", "--port", "0"], &[], 2, Duration::from_secs(240));
    let admin = embedded_url(dir);
    let printed = dev.printed();
    assert!(!printed.contains(admin.split(':').nth(2).unwrap().split('@').next().unwrap()), "a password was printed");

    // The API runs as a login that is a member of strata_app, not as the superuser.
    let api_pid = backend_of(&admin, "strata_dev_api").await;
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    let (superuser, member): (bool, bool) = sqlx::query_as(
        "SELECT rolsuper, pg_has_role('strata_dev_api', 'strata_app', 'MEMBER') FROM pg_roles WHERE rolname = 'strata_dev_api'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(!superuser && member);
    let items = servers::request("GET", &format!("{}/api/items", dev.url("api")), &[], None);
    assert_eq!(items.status, 200, "the API works as strata_dev_api: {}", items.body);
    // Logging in writes a session through the rights strata_app has (and its
    // SECURITY DEFINER functions).
    let login = servers::post_json(
        &format!("{}/api/auth/login", dev.url("api")),
        r#"{"email": "alice@example.com", "password": "strata-demo"}"#,
    );
    assert_eq!(login.status, 200, "login as strata_dev_api: {}", login.body);

    let browser = Browser::open(dev.url("studio"));
    let home = browser.get("/");
    assert!(home.text().contains("login strata_studio_reader"), "{}", home.body);
    // The migrations tab reads the history table, which the login may read.
    let migrations = browser.get("/migrations");
    assert_eq!(migrations.status, 200, "{}", migrations.body);
    assert!(migrations.text().contains("20251124_000008"), "{}", migrations.body);
    assert!(!migrations.text().contains("permission denied"), "{}", migrations.body);
    let (all, files) = payloads("dev", api_pid, "strata");
    assert_payloads_fail(&browser, &all, &files, false);
    assert!(still_alive(&admin, api_pid).await, "the API's backend was terminated");
    // Reading what strata_readonly may read still works.
    let ok = browser.console("SELECT email FROM auth.\"user\" ORDER BY email LIMIT 1", false);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("alice@example.com"));
    drop(dev);

    // `strata studio --write` on the same embedded database: rows, nothing else.
    let studio = Server::start(dir, &["studio", "--write", "--port", "0"], &[], 1, Duration::from_secs(120));
    let browser = Browser::open(studio.url("studio"));
    assert!(browser.get("/").text().contains("login strata_studio_writer"));
    // None of the logins strata made has a right beyond the database's rows.
    let risky: Vec<String> = sqlx::query_scalar(
        "SELECT r.rolname::text FROM pg_roles r
         WHERE r.rolname IN ('strata_studio_reader', 'strata_studio_writer', 'strata_dev_api')
           AND (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls OR r.rolreplication
                OR EXISTS (SELECT FROM pg_roles g WHERE g.rolname LIKE 'pg\\_%' AND pg_has_role(r.oid, g.oid, 'MEMBER')))",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(risky.is_empty(), "{risky:?}");
    let logins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_roles WHERE rolcanlogin AND rolname IN ('strata_studio_reader', 'strata_studio_writer', 'strata_dev_api')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(logins, 3);
    let migrator_pid = {
        // A session of the superuser to aim pg_terminate_backend at.
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
        pid
    };
    let (all, files) = payloads("write", migrator_pid, "strata");
    assert_payloads_fail(&browser, &all[..8], &files, false);
    let update = browser.console("UPDATE app.items SET name = 'Changed by the studio' WHERE name IS NOT NULL", true);
    assert_eq!(update.status, 200, "{}", update.body);
    for sql in [
        "CREATE TABLE app.sneaky (id int)",
        "DROP TABLE app.items",
        "DELETE FROM public.migration_history",
        "ALTER TABLE app.items ADD COLUMN x int",
        "GRANT strata_owner TO strata_studio_writer",
    ] {
        let r = browser.console(sql, true);
        assert_eq!(r.status, 400, "{sql}: {}", r.body);
        let text = r.text();
        let clear = ["permission denied", "must be owner", "must have admin option"];
        assert!(clear.iter().any(|m| text.contains(m)), "{sql}: {text}");
    }
    let _ = conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_studio_on_a_configured_superuser_login_refuses_the_console() {
    let (db, project, superuser) = migrated();
    let args = ["--database-url", db.url(), "studio", "--port", "0", "--role", "strata_readonly"];
    let (studio, browser) = studio(project.path(), &args);
    let page = browser.get("/console");
    let text = page.text();
    assert!(text.contains(&format!("login {superuser} as role strata_readonly")), "{text}");
    assert!(text.contains("SET ROLE strata_readonly is no boundary"), "{text}");
    let victim = {
        let mut conn = db.connect().await;
        sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap()
    };
    let (all, files) = payloads("superuser", victim, &superuser);
    assert_payloads_fail(&browser, &all, &files, true);
    assert!(studio.printed().contains("the SQL console is disabled"), "a warning at start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_studio_on_a_configured_readonly_login_cannot_reach_the_host() {
    let (db, project, superuser) = migrated();
    // A login of the kind the README recommends; roles are cluster-wide, so the name is unique.
    let login = format!("studio_console_{:016x}", unique());
    let mut conn = db.connect().await;
    sqlx::raw_sql(&format!("CREATE ROLE {login} LOGIN PASSWORD 'pw-{login}' IN ROLE strata_readonly"))
        .execute(&mut conn)
        .await
        .unwrap();
    let at = db.url().find('@').unwrap();
    let url = format!("postgres://{login}:pw-{login}{}", &db.url()[at..]);
    let victim: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
    let (studio, browser) = studio(project.path(), &["--database-url", &url, "studio", "--port", "0"]);
    assert!(browser.get("/").text().contains(&format!("login {login}")));
    let (all, files) = payloads("readonly", victim, &superuser);
    assert_payloads_fail(&browser, &all, &files, false);
    drop(studio);
    let _ = sqlx::raw_sql(&format!("DROP ROLE IF EXISTS {login}")).execute(&mut conn).await;
}
