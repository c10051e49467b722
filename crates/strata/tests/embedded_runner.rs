//! A database migrated by `strata migrate up` and one migrated by
//! `strata_migrate::Migrator` over the same files compiled in with `embed!` are
//! indistinguishable: same history rows (apart from when and from where), same
//! catalog, same data; each side sees the other's work as done, and both refuse
//! an edited applied file the same way.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;
use strata_migrate::{EmbeddedMigrations, ErrorClass, Migrator};
use strata_testing::TestDb;

static SHOP: EmbeddedMigrations = strata_migrate::embed!("../migrate/tests/fixtures/shop");
static SHOP_EDITED: EmbeddedMigrations = strata_migrate::embed!("../migrate/tests/fixtures/shop_edited");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrate/tests/fixtures").join(name)
}

/// strata in a folder of its own, on `db`, with the fixture `dir` as its migrations.
fn strata(db: &TestDb, dir: &str) -> Command {
    let mut cmd = common::strata_on(&tempfile::tempdir().unwrap().keep(), db.url());
    cmd.arg("--dir").arg(fixture(dir));
    cmd
}

fn psql(db: &TestDb, sql: &str) -> String {
    common::psql_on(db.url(), sql)
}

/// What pg_dump writes for the database, minus the lines naming the database.
fn dump(db: &TestDb, args: &[&str]) -> String {
    let dump = common::pg_dump(db.url(), &[&["--no-owner", "--no-privileges"][..], args].concat());
    dump.lines().filter(|l| !l.contains(db.name())).collect::<Vec<_>>().join("\n")
}

/// The history without the columns that differ by nature: when, how long, from where.
const HISTORY: &str = "SELECT track, version, description, encode(checksum, 'hex'), status, applied_by, baselined, \
     failure, previous_checksum FROM public.migration_history ORDER BY track, version";

#[tokio::test]
async fn cli_and_embedded_runner_leave_the_same_database() {
    let by_cli = TestDb::new();
    let embedded = TestDb::new();
    strata(&by_cli, "shop").args(["migrate", "up"]).assert().success().stdout(contains("Applied 4 migrations"));
    strata(&by_cli, "shop").args(["seed", "up"]).assert().success();
    let pool = embedded.pool().await;
    let migrator = Migrator::new(SHOP);
    assert_eq!(migrator.up(&pool).await.unwrap().done.len(), 4);
    assert_eq!(migrator.seed(&pool).await.unwrap().done.len(), 1);

    let history = psql(&by_cli, HISTORY);
    assert_eq!(history.lines().count(), 5, "{history}");
    assert_eq!(history, psql(&embedded, HISTORY));
    assert_eq!(dump(&by_cli, &["--schema-only"]), dump(&embedded, &["--schema-only"]));
    let data = ["--data-only", "--exclude-table=public.migration_history"];
    assert_eq!(dump(&by_cli, &data), dump(&embedded, &data));

    // Each sees the other's work as done.
    strata(&embedded, "shop").args(["migrate", "up"]).assert().success().stdout(contains("up to date"));
    strata(&embedded, "shop").args(["migrate", "status"]).assert().success().stdout(contains("4 applied, 0 pending"));
    let cli_pool = by_cli.pool().await;
    assert!(migrator.up(&cli_pool).await.unwrap().done.is_empty());
    assert!(migrator.seed(&cli_pool).await.unwrap().done.is_empty());
    let status = migrator.status(&cli_pool).await.unwrap();
    assert_eq!(status.len(), 5);
    assert!(status.iter().all(|s| s.state == strata_migrate::plan::State::Applied), "{status:#?}");
    pool.close().await;
    cli_pool.close().await;
}

#[tokio::test]
async fn both_refuse_an_edited_applied_file_the_same_way() {
    let by_cli = TestDb::new();
    let embedded = TestDb::new();
    strata(&by_cli, "shop").args(["migrate", "up"]).assert().success();
    let pool = embedded.pool().await;
    Migrator::new(SHOP).up(&pool).await.unwrap();

    let reason = "shop_edited/migrate/20251124_000002_create_items.up.sql) was edited after it was applied; \
                  restore it, or accept the edit with `strata migrate repair`";
    strata(&by_cli, "shop_edited").args(["migrate", "up"]).assert().code(3).stderr(contains(reason));
    let failure = Migrator::new(SHOP_EDITED).up(&pool).await.unwrap_err();
    assert_eq!(failure.class(), ErrorClass::Inconsistent); // the CLI's exit 3
    assert!(failure.to_string().contains(reason), "{failure}");
    // The CLI refuses the embedded runner's database just the same, and vice versa.
    strata(&embedded, "shop_edited").args(["migrate", "up"]).assert().code(3).stderr(contains(reason));
    let cli_pool = by_cli.pool().await;
    let failure = Migrator::new(SHOP_EDITED).up(&cli_pool).await.unwrap_err();
    assert!(failure.to_string().contains(reason), "{failure}");
    assert_eq!(psql(&by_cli, HISTORY), psql(&embedded, HISTORY));
    pool.close().await;
    cli_pool.close().await;
}
