//! Databases with a project's migrations applied, for tests that start from the
//! project's schema: each is a clone (`CREATE DATABASE ... TEMPLATE`) of a
//! template database that has every file of the folder applied, made once per
//! distinct set of files (and strata version) and kept in the test server for
//! the next test process. Cloning is faster than running the files for each
//! test, even in one transaction (bench/RESULTS.md, `migrations`).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use strata_migrate::apply::{self, Transactions};
use strata_migrate::{MigrationSet, Options, Request, Track};

use crate::{TestDb, on_own_thread, server_url, with_database};

/// Templates this process made or found: made once per process and set.
static TEMPLATES: Mutex<Option<HashSet<String>>> = Mutex::new(None);

impl TestDb {
    /// A fresh database with every file of `dir` applied (the migrate track,
    /// then the seed track), as `strata migrate up` and `strata seed up` would
    /// leave it: a clone of the template database for these files, made on
    /// first use (in one transaction per track when no file is
    /// `-- strata:no-transaction`). Panics, naming the file, when a file fails.
    pub fn migrated(dir: &Path) -> TestDb {
        TestDb::create(Some(&template(&load(dir))))
    }

    /// A fresh, empty database with every file of `dir` applied by running them
    /// (both tracks, one transaction each when possible): what [`TestDb::migrated`]
    /// does once per set, for a test that must see the files run.
    pub fn migrated_by_running(dir: &Path) -> TestDb {
        let set = load(dir);
        let db = TestDb::new();
        apply_all(db.url(), &set).unwrap_or_else(|err| panic!("applying {}: {err}", dir.display()));
        db
    }
}

/// The set in `dir`; panics naming the folder when it does not load.
fn load(dir: &Path) -> MigrationSet {
    MigrationSet::load(dir).unwrap_or_else(|e| panic!("loading the migrations of {}: {e}", dir.display()))
}

/// The name of the template database for `set`, made when it does not exist.
/// Other test processes are kept out by an advisory lock on the maintenance
/// database while it is looked for and made; a template is made under another
/// name and renamed when complete, so a half-made one is never cloned.
fn template(set: &MigrationSet) -> String {
    let name = format!("strata_template_{}", key(set));
    let mut made = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
    if made.get_or_insert_with(HashSet::new).contains(&name) {
        return name;
    }
    let admin_url = server_url().to_owned();
    let (set2, name2) = (set.clone(), name.clone());
    on_own_thread("the template thread", move || async move { make_template(&admin_url, &set2, &name2).await })
        .unwrap_or_else(|err| panic!("making the template database {name}: {err}"));
    made.get_or_insert_with(HashSet::new).insert(name.clone());
    name
}

async fn make_template(admin_url: &str, set: &MigrationSet, name: &str) -> Result<(), String> {
    let mut admin = PgConnection::connect(admin_url).await.map_err(|e| e.to_string())?;
    let lock = "SELECT pg_advisory_lock(hashtext($1))";
    sqlx::query(lock).bind(name).execute(&mut admin).await.map_err(|e| e.to_string())?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .map_err(|e| e.to_string())?;
    let result = if exists { Ok(()) } else { make(&mut admin, admin_url, set, name).await };
    let _ = admin.close().await;
    result
}

async fn make(admin: &mut PgConnection, admin_url: &str, set: &MigrationSet, name: &str) -> Result<(), String> {
    let partial = format!("{name}_partial_{:08x}", rand::random::<u32>());
    let create = format!("CREATE DATABASE \"{partial}\"");
    sqlx::raw_sql(&create).execute(&mut *admin).await.map_err(|e| e.to_string())?;
    let applied = apply_all_async(&with_database(admin_url, &partial), set).await;
    let renamed = match applied {
        Ok(()) => sqlx::raw_sql(&format!("ALTER DATABASE \"{partial}\" RENAME TO \"{name}\""))
            .execute(&mut *admin)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if renamed.is_err() {
        let _ =
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{partial}\" WITH (FORCE)")).execute(&mut *admin).await;
    }
    renamed
}

/// Applies both tracks of `set` on the database at `url`.
fn apply_all(url: &str, set: &MigrationSet) -> Result<(), String> {
    let (url, set) = (url.to_owned(), set.clone());
    on_own_thread("the migration thread", move || async move { apply_all_async(&url, &set).await })
}

async fn apply_all_async(url: &str, set: &MigrationSet) -> Result<(), String> {
    let mut conn = PgConnection::connect(url).await.map_err(|e| e.to_string())?;
    let opts = Options { transactions: Transactions::SingleWhenPossible, ..Options::default() };
    let request = Request::Up { to: None, allow_out_of_order: false };
    for track in Track::ALL {
        apply::run(&mut conn, set, track, &request, &opts, &mut ()).await.map_err(|e| e.to_string())?;
    }
    conn.close().await.map_err(|e| e.to_string())
}

/// 16 hex digits of SHA-256 over every file's name and both files' contents,
/// and the strata version (whose history table the template holds).
fn key(set: &MigrationSet) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for m in set.migrate.iter().chain(&set.seed) {
        for part in [m.track.as_str(), &m.version.to_string(), &m.description, &m.up.sql, &m.down.sql] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    hex::encode(&h.finalize()[..8])
}
