//! Issue 15 item 6: `strata dev` watches the migrations folder. A new pending
//! file (migration or seed) is linted and applied at once; a broken one is reported with file:line
//! and dev keeps running; fixed, it applies; an applied file that is edited is
//! reported as modified and never run again. The studio shows the new state.

mod common;

use std::time::{Duration, Instant};

use common::servers::{self, Browser, Server};
use common::{StopsEmbedded, embedded_url, strata_in};
use sqlx::Connection;

/// What dev printed so far (stdout and stderr), kept across calls.
struct Printed<'a> {
    dev: &'a mut Server,
    lines: Vec<String>,
}

impl Printed<'_> {
    fn text(&mut self) -> String {
        self.lines.extend(self.dev.output.try_iter());
        self.lines.join("\n")
    }

    /// Everything printed after the first `from` lines.
    fn since(&mut self, from: usize) -> String {
        self.text();
        self.lines[from.min(self.lines.len())..].join("\n")
    }

    fn alive(&mut self) -> bool {
        self.dev.child.try_wait().unwrap().is_none()
    }
}

/// Polls `check` (every 100 ms, up to `limit`) until it holds; panics with dev's
/// output if it never does.
async fn until<F, Fut>(what: &str, limit: Duration, printed: &mut Printed<'_>, from: usize, mut check: F)
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        let text = printed.since(from);
        if check(text.clone()).await {
            return;
        }
        assert!(printed.alive(), "strata dev exited while waiting for {what}:\n{text}");
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}; dev printed:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn exists(url: &str, relation: &str) -> bool {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(relation).fetch_one(&mut conn).await.unwrap()
}

/// Waits (up to 15 s) until dev has said it applied `file` and `relation` exists.
async fn until_applied(printed: &mut Printed<'_>, from: usize, admin: &str, file: &str, relation: &str) {
    until(relation, Duration::from_secs(15), printed, from, |text| async move {
        text.contains(r#""event":"applied""#) && text.contains(file) && exists(admin, relation).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_applies_saved_files_and_reports_broken_and_modified_ones() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let _stop = StopsEmbedded(dir);
    strata_in(dir).args(["init", "--schemas", "app"]).assert().success();
    let mut dev = Server::start(dir, &["dev", "--port", "0"], &[], 2, Duration::from_secs(240));
    let studio = dev.url("studio").to_owned();
    let admin = embedded_url(dir);
    let mut printed = Printed { dev: &mut dev, lines: vec![] };
    let today = common::today();
    let folder = dir.join("migrations/migrate");
    let write = |name: &str, up: &str, down: &str| {
        std::fs::write(folder.join(format!("{today}_{name}.up.sql")), up).unwrap();
        std::fs::write(folder.join(format!("{today}_{name}.down.sql")), down).unwrap();
    };
    let started = Instant::now();

    // A new pair: applied within seconds, and dev names it.
    let widgets_up = "CREATE TABLE IF NOT EXISTS app.widgets (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL\n);\n";
    write("000001_create_widgets", widgets_up, "DROP TABLE IF EXISTS app.widgets;\n");
    let from = printed.lines.len();
    until_applied(&mut printed, from, &admin, "create_widgets", "app.widgets").await;
    eprintln!("applied a new file {:?} after it was written", started.elapsed());
    // The studio reads the database: its next page load shows the new state.
    let browser = Browser::open(&studio);
    let migrations = browser.get("/migrations");
    assert_eq!(migrations.status, 200, "{}", migrations.body);
    assert!(migrations.text().contains("create_widgets"), "{}", migrations.body);
    let home = browser.get("/");
    assert!(home.text().contains("widgets"), "{}", home.body);

    // A seed: the seed track runs after the migrate track, as at start.
    let seeds = dir.join("migrations/seed");
    std::fs::write(
        seeds.join(format!("{today}_000003_demo_widgets.up.sql")),
        "INSERT INTO app.widgets (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'first') ON CONFLICT DO NOTHING;\n",
    )
    .unwrap();
    std::fs::write(
        seeds.join(format!("{today}_000003_demo_widgets.down.sql")),
        "DELETE FROM app.widgets WHERE id = 1;\n",
    )
    .unwrap();
    let from = printed.lines.len();
    until("the seed's row", Duration::from_secs(15), &mut printed, from, |text| {
        let admin = admin.clone();
        async move {
            if !text.contains("demo_widgets") {
                return false;
            }
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM app.widgets WHERE name = 'first')")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    })
    .await;

    // A broken file: the lint gate names file:line:col, nothing is applied, dev runs on.
    let broken = "CREATE TABLE IF NOT EXISTS app.gadgets (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,\n);\n";
    let from = printed.lines.len();
    write("000002_create_gadgets", broken, "DROP TABLE IF EXISTS app.gadgets;\n");
    let at = format!("{today}_000002_create_gadgets.up.sql:4:");
    until("the broken file's error", Duration::from_secs(15), &mut printed, from, |text| {
        let at = at.clone();
        async move { text.contains(&at) }
    })
    .await;
    assert!(!exists(&admin, "app.gadgets").await);
    assert!(printed.alive(), "dev stopped after a broken file");
    let from = printed.lines.len();
    let api = servers::request("GET", &format!("{}/api/openapi.json", printed.dev.url("api")), &[], None);
    assert_eq!(api.status, 200, "the API still answers");
    // The API logs each request it answers, one line on stderr.
    until("the request's log line", Duration::from_secs(5), &mut printed, from, |text| async move {
        text.lines().any(|l| l.contains("uri=/api/openapi.json") && l.contains("status=200"))
    })
    .await;

    // Past the linter, failing in PostgreSQL: the SQL error points into the file.
    let from = printed.lines.len();
    let failing = broken.replace("NOT NULL,\n);\n", "NOT NULL\n);\nSELECT 1 / 0;\n");
    write("000002_create_gadgets", &failing, "DROP TABLE IF EXISTS app.gadgets;\n");
    let at = format!("{today}_000002_create_gadgets.up.sql:5:");
    until("the failing file's error", Duration::from_secs(15), &mut printed, from, |text| {
        let at = at.clone();
        async move { text.contains(&at) && text.contains("division by zero") }
    })
    .await;
    assert!(!exists(&admin, "app.gadgets").await, "the failed file's transaction was rolled back");
    assert!(printed.alive(), "dev stopped after a failing file");

    // Fixed: applied.
    let from = printed.lines.len();
    write(
        "000002_create_gadgets",
        &broken.replace("NOT NULL,\n)", "NOT NULL\n)"),
        "DROP TABLE IF EXISTS app.gadgets;\n",
    );
    until_applied(&mut printed, from, &admin, "create_gadgets", "app.gadgets").await;

    // An applied file edited: reported as modified, not run again.
    let history = "SELECT checksum::text || ' ' || applied_at::text FROM public.migration_history WHERE version = $1";
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    let version = format!("{today}_000001");
    let before: String = sqlx::query_scalar(history).bind(&version).fetch_one(&mut conn).await.unwrap();
    let from = printed.lines.len();
    std::fs::write(
        folder.join(format!("{today}_000001_create_widgets.up.sql")),
        format!("{widgets_up}ALTER TABLE app.widgets ADD COLUMN IF NOT EXISTS colour text;\n"),
    )
    .unwrap();
    until("the modified report", Duration::from_secs(15), &mut printed, from, |text| async move {
        text.contains(r#""event":"modified""#) && text.contains("000001_create_widgets.up.sql")
    })
    .await;
    let after: String = sqlx::query_scalar(history).bind(&version).fetch_one(&mut conn).await.unwrap();
    assert_eq!(before, after, "the history row of the edited file changed");
    let colour: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'widgets' AND column_name = 'colour')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(!colour, "the edited applied file was run again");
    let text = printed.since(from);
    assert!(!text.contains(r#""event":"applied""#), "{text}");
    assert!(printed.alive());
    eprintln!("whole watch scenario: {:?}", started.elapsed());

    // Stopped by a signal (as Ctrl-C or SIGTERM), dev says so.
    let from = printed.lines.len();
    let pid = printed.dev.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(15);
    while printed.alive() {
        assert!(Instant::now() < deadline, "dev did not stop on SIGINT:\n{}", printed.since(from));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = printed.since(from);
    assert!(text.contains("strata dev stopped"), "{text}");
}
