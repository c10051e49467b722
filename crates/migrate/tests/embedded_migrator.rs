//! `Migrator` over files compiled in with `embed!`: the same history, lock,
//! checksums and refusals as the runner the CLI uses.

use std::time::Duration;

use strata_migrate::plan::{Inconsistency, PlanError, State};
use strata_migrate::{EmbeddedMigrations, ErrorClass, ErrorKind, Migrator, Track};
use strata_testing::TestDb;

static SHOP: EmbeddedMigrations = strata_migrate::embed!("tests/fixtures/shop");
/// The same set with an applied file (create_items) edited afterwards.
static SHOP_EDITED: EmbeddedMigrations = strata_migrate::embed!("tests/fixtures/shop_edited");

#[test]
fn embeds_every_file_of_both_tracks() {
    let names: Vec<&str> = SHOP.files().iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), 10, "{names:#?}");
    assert!(names.contains(&"migrate/20251124_000003_index_item_names.up.sql"));
    assert!(names.contains(&"seed/20251124_000001_demo_user.down.sql"));
    let set = SHOP.load().unwrap();
    assert_eq!((set.migrate.len(), set.seed.len()), (4, 1));
    // Same checksums as reading the folder from disk, as the CLI does.
    let disk = strata_migrate::MigrationSet::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop"),
    )
    .unwrap();
    let sums = |s: &strata_migrate::MigrationSet| {
        s.migrate.iter().chain(&s.seed).map(|m| (m.name(), m.checksum)).collect::<Vec<_>>()
    };
    assert_eq!(sums(&set), sums(&disk));
}

#[tokio::test]
async fn up_seed_and_status_on_a_pool() {
    let db = TestDb::new();
    let pool = db.pool().await;
    let migrator = Migrator::new(SHOP);
    let report = migrator.up(&pool).await.unwrap();
    assert_eq!(report.done.len(), 4);
    assert_eq!(migrator.seed(&pool).await.unwrap().done.len(), 1);
    // A second start finds nothing to do.
    assert!(migrator.up(&pool).await.unwrap().done.is_empty());
    let status = migrator.status(&pool).await.unwrap();
    assert_eq!(status.len(), 5);
    assert!(status.iter().all(|s| s.state == State::Applied), "{status:#?}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.users").fetch_one(&pool).await.unwrap();
    assert_eq!(users, 1);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM public.migration_history").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 5);
}

#[tokio::test]
async fn an_edited_applied_file_is_refused_not_rerun() {
    let db = TestDb::new();
    let pool = db.pool().await;
    Migrator::new(SHOP).up(&pool).await.unwrap();
    let failure = Migrator::new(SHOP_EDITED).up(&pool).await.unwrap_err();
    assert_eq!(failure.class(), ErrorClass::Inconsistent);
    match failure.kind() {
        ErrorKind::Plan(PlanError::Inconsistent { track: Track::Migrate, problems }) => {
            assert!(
                matches!(problems.as_slice(), [Inconsistency::Modified { version, .. }] if version.to_string() == "20251124_000002"),
                "{problems:#?}"
            );
        }
        other => panic!("expected a modified file, got {other}"),
    }
    assert!(failure.report().done.is_empty());
    let status = Migrator::new(SHOP_EDITED).status(&pool).await.unwrap();
    let modified: Vec<_> =
        status.iter().filter(|s| s.state == State::Modified).map(|s| s.description.as_str()).collect();
    assert_eq!(modified, ["create_items"]);
}

/// Three replicas of a service starting at once: each file runs once, none fails.
#[tokio::test]
async fn replicas_starting_together_apply_each_file_once() {
    let db = TestDb::new();
    let pool = db.pool().await;
    // One task, three connections: the runs interleave at every await.
    let migrator = Migrator::new(SHOP).lock_timeout(Duration::from_secs(30));
    let runs = futures_util::future::join_all((0..3).map(|_| migrator.up(&pool))).await;
    let mut applied = 0;
    for run in runs {
        applied += run.unwrap().done.len();
    }
    assert_eq!(applied, 4);
}

#[tokio::test]
async fn down_refuses_while_seeds_are_applied() {
    let db = TestDb::new();
    let pool = db.pool().await;
    let migrator = Migrator::new(SHOP);
    migrator.up(&pool).await.unwrap();
    migrator.seed(&pool).await.unwrap();
    let failure = migrator.down(&pool, Track::Migrate, 1).await.unwrap_err();
    assert!(matches!(failure.kind(), ErrorKind::SeedsApplied { .. }), "{failure}");
    migrator.down(&pool, Track::Seed, 1).await.unwrap();
    assert_eq!(migrator.down(&pool, Track::Migrate, 4).await.unwrap().done.len(), 4);
}
