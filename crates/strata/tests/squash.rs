//! `strata squash --to V` on real PostgreSQL: the project's own migrations and a
//! generated set (bench/migrations.py's generator plus a file of every kind the
//! generator lacks) squashed, linted clean, and applied to a fresh database that
//! equals one migrated with the originals; a database that applied the originals
//! upgraded across the squash; refusals (exit 3, nothing written).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{Project, assert_contains, pg_dump, psql_on, reference_migrations};
use strata_testing::{TestDb, copy_dir};

/// Every file of the project's migrations folder with its text.
fn files(p: &Project) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for track in ["migrate", "seed"] {
        let dir = p.path().join("migrations").join(track);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            out.insert(e.path(), std::fs::read_to_string(e.path()).unwrap());
        }
    }
    out
}

/// The structure of `schemas` (pg_dump --schema-only, owners and grants kept)
/// and the row count of every table: what must be equal between a database
/// migrated with the originals and one migrated with the squashed pair (row
/// values written by `now()` differ between two runs, so rows are counted).
fn picture(url: &str, schemas: &[&str]) -> String {
    let args: Vec<String> = schemas.iter().map(|s| format!("--schema={s}")).collect();
    let args: Vec<&str> = ["--schema-only"].into_iter().chain(args.iter().map(String::as_str)).collect();
    let dump: String =
        pg_dump(url, &args).lines().filter(|l| !l.starts_with("-- Dumped")).map(|l| format!("{l}\n")).collect();
    let list = schemas.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let counts = psql_on(
        url,
        &format!(
            "SELECT string_agg(table_schema || '.' || table_name || '=' || (xpath('/row/c/text()', \
             query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text, ' ' \
             ORDER BY table_schema, table_name) FROM information_schema.tables WHERE table_schema IN ({list}) AND table_type = 'BASE TABLE'"
        ),
    );
    format!("{dump}\n-- rows: {counts}\n")
}

/// Equal, or the first differing line.
fn same(fresh: &str, old: &str) {
    for (n, (a, b)) in fresh.lines().zip(old.lines()).enumerate() {
        assert_eq!(a, b, "line {} differs (fresh database, then the one migrated with the originals)", n + 1);
    }
    assert_eq!(fresh.lines().count(), old.lines().count());
}

/// Squashes to `to` and checks what it wrote: the pair, the header, the originals gone, lint clean.
fn squash(p: &Project, to: &str) -> (String, String) {
    p.run(&["squash", "--to", to]).code(0);
    let dir = p.path().join("migrations/migrate");
    let up = std::fs::read_to_string(dir.join(format!("{to}_squashed.up.sql"))).unwrap();
    let down = std::fs::read_to_string(dir.join(format!("{to}_squashed.down.sql"))).unwrap();
    assert!(up.starts_with("-- strata:squashes "), "{up}");
    assert!(up.contains(&format!("..{to}\n")), "{up}");
    let lint = p.run(&["lint"]);
    assert_eq!(lint.code, 0, "the squashed files pass the linter: {}", lint.text());
    (up, down)
}

/// The versions of the migrate files, in order.
fn migrate_names(p: &Project) -> Vec<String> {
    p.up_files("migrate").iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect()
}

#[test]
fn the_projects_own_migrations_squash_and_a_migrated_database_upgrades_across_it() {
    let p = Project::new();
    let repo = reference_migrations();
    copy_dir(&repo.join("migrate"), &p.path().join("migrations/migrate"));
    copy_dir(&repo.join("seed"), &p.path().join("migrations/seed"));
    let last = migrate_names(&p).last().unwrap()[..15].to_owned();
    // The old database: every original applied, and the seeds.
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["seed", "up"]).assert().success();
    let before = picture(&p.url, &["auth", "master", "app"]);

    let (up, down) = squash(&p, &last);
    assert_eq!(
        migrate_names(&p),
        ["20251124_000000_create_schemas.up.sql".to_owned(), format!("{last}_squashed.up.sql")]
    );
    assert!(up.contains("CREATE TABLE IF NOT EXISTS auth.\"user\""), "{up}");
    assert!(!up.contains("CREATE SCHEMA"), "create_schemas is kept and creates them: {up}");
    assert!(down.contains("DROP TABLE IF EXISTS app.items CASCADE;"), "{down}");

    // The old database: status clean, nothing to apply; a later file alone applies.
    let stdout = p.run(&["migrate", "status"]).code(0).stdout;
    assert!(stdout.contains(&format!("{last}  squashed        applied")), "{stdout}");
    assert!(stdout.contains("0 with problems"), "{stdout}");
    // drift replays the squashed file where the originals were applied: no drift.
    let drift = p.run(&["drift"]);
    assert_eq!(drift.code, 0, "the old database is what its squashed files say: {}", drift.text());
    p.write(
        "migrate",
        "20270101_000001_later",
        "ALTER TABLE app.items ADD COLUMN IF NOT EXISTS later text;\n",
        "ALTER TABLE app.items DROP COLUMN IF EXISTS later;\n",
    );
    let stdout = p.run(&["migrate", "up"]).code(0).stdout;
    assert!(stdout.contains("applied 20270101_000001_later"), "{stdout}");
    assert!(!stdout.contains("squashed"), "the squashed file is not applied again: {stdout}");
    assert!(stdout.contains("Applied 1 migration"), "{stdout}");
    assert_ne!(picture(&p.url, &["auth", "master", "app"]), before, "the later file changed the old database");

    // A fresh database applies create_schemas, the squashed pair and the later file,
    // then the seeds, and equals the old one.
    let fresh = TestDb::new();
    let stdout = common::run(p.strata_on(fresh.url()).args(["migrate", "up"])).code(0).stdout;
    assert!(
        stdout.contains(&format!("applied {last}_squashed")) && stdout.contains("Applied 3 migrations"),
        "{stdout}"
    );
    p.strata_on(fresh.url()).args(["seed", "up"]).assert().success();
    same(&picture(fresh.url(), &["auth", "master", "app"]), &picture(&p.url, &["auth", "master", "app"]));
    let drift = common::run(p.strata_on(fresh.url()).args(["drift"]));
    assert_eq!(drift.code, 0, "the fresh database is what its files say: {}", drift.text());
    // Its down takes it back: seeds, the later file, the squashed pair, create_schemas.
    p.strata_on(fresh.url()).args(["seed", "down", "--yes"]).assert().success();
    p.strata_on(fresh.url()).args(["migrate", "down", "--yes"]).assert().success();
    assert_eq!(
        psql_on(fresh.url(), "SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'master', 'app')"),
        "0"
    );
}

/// bench/migrations.py's generator: `n` files in `migrations/` (create_schemas first).
fn generated(n: usize) -> Project {
    let p = Project::new();
    let dir = p.path().join("migrations");
    std::fs::remove_dir_all(&dir).unwrap();
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench");
    let out = StdCommand::new("python3")
        .current_dir(&bench)
        .args(["-c", &format!("import migrations; migrations.generate({:?}, {n})", dir.to_str().unwrap())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p
}

#[test]
fn a_generated_set_squashes_to_a_pair_a_fresh_database_applies_equally() {
    let p = generated(80);
    // What the generator lacks: rows a migrate file writes (with now() and identity
    // values), a sequence moved by nextval, an enum, a domain, a view, a function
    // and its trigger, a policy, grants, default privileges, comments.
    p.write(
        "migrate",
        "20250101_000080_kinds",
        "CREATE TYPE app.mood AS ENUM ('calm', 'busy');\n\
         CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);\n\
         CREATE TABLE IF NOT EXISTS master.kinds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL UNIQUE,\n\
             mood app.mood NOT NULL DEFAULT 'calm', weight app.positive, created_at timestamptz NOT NULL DEFAULT now());\n\
         INSERT INTO master.kinds (label, weight) VALUES ('a', 1), ('b', 2), ('it''s', 3) ON CONFLICT DO NOTHING;\n\
         CREATE SEQUENCE IF NOT EXISTS app.tickets;\n\
         SELECT nextval('app.tickets'), nextval('app.tickets');\n\
         CREATE OR REPLACE VIEW app.kind_labels AS SELECT id, label FROM master.kinds;\n\
         CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;\n\
         DROP TRIGGER IF EXISTS kinds_touch ON master.kinds;\n\
         CREATE TRIGGER kinds_touch BEFORE UPDATE ON master.kinds FOR EACH ROW EXECUTE FUNCTION app.touch();\n\
         ALTER TABLE master.kinds ENABLE ROW LEVEL SECURITY;\n\
         DROP POLICY IF EXISTS kinds_all ON master.kinds;\n\
         CREATE POLICY kinds_all ON master.kinds USING (true);\n\
         GRANT SELECT ON master.kinds TO PUBLIC;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n\
         COMMENT ON COLUMN master.kinds.label IS 'what it is called';\n\
         COMMENT ON SCHEMA app IS 'the application';\n",
        "DROP VIEW IF EXISTS app.kind_labels;\nDROP TABLE IF EXISTS master.kinds;\nDROP FUNCTION IF EXISTS app.touch();\n\
         DROP SEQUENCE IF EXISTS app.tickets;\nDROP DOMAIN IF EXISTS app.positive;\nDROP TYPE IF EXISTS app.mood;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM PUBLIC;\nCOMMENT ON SCHEMA app IS NULL;\n",
    );
    // Later files, left alone by the squash.
    for k in 1..=3 {
        p.write(
            "migrate",
            &format!("20250102_00000{k}_later_{k}"),
            &format!("ALTER TABLE master.kinds ADD COLUMN IF NOT EXISTS later_{k} text;\n"),
            &format!("ALTER TABLE master.kinds DROP COLUMN IF EXISTS later_{k};\n"),
        );
    }
    let schemas = ["auth", "master", "app"];
    // The old database applied the originals up to the squash, and the seeds.
    p.strata().args(["migrate", "up", "--to", "20250101_000080"]).assert().success();
    p.strata().args(["seed", "up"]).assert().success();

    let before = files(&p);
    let (up, down) = squash(&p, "20250101_000080");
    assert!(up.contains("INSERT INTO master.kinds"), "{up}");
    assert!(up.contains("SELECT pg_catalog.setval('app.tickets', 2, true)"), "{up}");
    assert!(down.contains("DROP TABLE IF EXISTS master.kinds CASCADE;"), "{down}");
    let names = migrate_names(&p);
    assert_eq!(names.len(), 5, "create_schemas, the pair, three later files: {names:?}");
    assert_eq!(names[1], "20250101_000080_squashed.up.sql");
    let after = files(&p);
    assert_eq!(
        before.keys().filter(|k| !after.contains_key(*k)).count(),
        2 * 80,
        "every original but create_schemas removed (up and down)"
    );
    for (k, v) in &after {
        if !k.to_string_lossy().contains("squashed") {
            assert_eq!(before.get(k), Some(v), "{} untouched", k.display());
        }
    }

    // `verify`: the pair's up runs twice to the same database, its down restores it.
    let stdout = p.run(&["verify"]).code(0).stdout;
    assert!(stdout.contains("ok   migrate 20250101_000080_squashed"), "{stdout}");

    // The old database: clean, then only the later files apply.
    p.strata().args(["migrate", "status"]).assert().success();
    let stdout = p.run(&["migrate", "up"]).code(0).stdout;
    assert!(stdout.contains("Applied 3 migrations"), "{stdout}");
    assert!(!stdout.contains("squashed"), "{stdout}");

    // A fresh database: create_schemas, the pair and the later files, then the seeds.
    let fresh = TestDb::new();
    p.strata_on(fresh.url()).args(["migrate", "up"]).assert().success();
    p.strata_on(fresh.url()).args(["seed", "up"]).assert().success();
    same(&picture(fresh.url(), &schemas), &picture(&p.url, &schemas));
    assert_eq!(
        psql_on(
            fresh.url(),
            "SELECT string_agg(label || ':' || mood || ':' || weight, ',' ORDER BY id) FROM master.kinds"
        ),
        "a:calm:1,b:calm:2,it's:calm:3",
    );
    assert_eq!(psql_on(fresh.url(), "SELECT last_value FROM app.tickets"), "2");
}

/// The scale: the benchmark generator's 1,000 migrate files, applied, then
/// squashed (the command proves the pair equal on two scratch databases before
/// writing); the old database stays clean by status and drift, a fresh one equals it.
#[test]
fn a_thousand_generated_files_squash_with_the_proof_and_a_fresh_database_equals_the_old() {
    let p = generated(1000);
    let schemas = ["auth", "master", "app"];
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["seed", "up"]).assert().success();
    let last = migrate_names(&p).last().unwrap().split('_').take(2).collect::<Vec<_>>().join("_");
    squash(&p, &last);
    assert_eq!(migrate_names(&p).len(), 2, "create_schemas and the pair: {:?}", migrate_names(&p));
    let stdout = p.run(&["migrate", "status"]).code(0).stdout;
    assert!(stdout.contains("0 with problems"), "{stdout}");
    p.run(&["drift"]).code(0);
    let fresh = TestDb::new();
    p.strata_on(fresh.url()).args(["migrate", "up"]).assert().success();
    p.strata_on(fresh.url()).args(["seed", "up"]).assert().success();
    same(&picture(fresh.url(), &schemas), &picture(&p.url, &schemas));
}

#[test]
fn what_cannot_be_proven_equal_is_refused_with_exit_3_and_nothing_written() {
    // A project whose one file is `up`: squashing it to that file fails with `code`,
    // naming each of `named`, and leaves the files as they were.
    let refused = |name: &str, up: &str, down: &str, named: &[&str]| {
        let p = Project::new();
        p.write("migrate", name, up, down);
        let before = files(&p);
        let stderr = p.run(&["squash", "--to", "20251124_000001"]).code(3).stderr;
        assert_contains(&stderr, named);
        assert_eq!(files(&p), before);
        p
    };
    // An aggregate: the snapshot does not compare aggregates.
    refused(
        "20251124_000001_agg",
        "CREATE TABLE IF NOT EXISTS app.t (id int);\n\
         CREATE OR REPLACE AGGREGATE app.total (int) (sfunc = int4pl, stype = int);\n",
        "DROP AGGREGATE IF EXISTS app.total (int);\nDROP TABLE IF EXISTS app.t;\n",
        &["aggregate app.total(integer)", "nothing written"],
    );
    // A table in a schema the files do not create (public): the pair leaves it out,
    // and the comparison names it.
    let p = refused(
        "20251124_000001_stray",
        "CREATE TABLE IF NOT EXISTS app.t (id int);\nCREATE TABLE IF NOT EXISTS public.stray (id int);\n",
        "DROP TABLE IF EXISTS public.stray;\nDROP TABLE IF EXISTS app.t;\n",
        &["- table public.stray"],
    );

    // Not a migrate version: exit 2.
    let before = files(&p);
    p.run(&["squash", "--to", "20251124_000009"]).code(2);
    assert_eq!(files(&p), before);
}

#[test]
fn a_database_that_applied_only_some_originals_is_refused_after_the_squash() {
    let p = Project::new();
    for k in 1..=3 {
        p.write(
            "migrate",
            &format!("20251124_00000{k}_t{k}"),
            &format!("CREATE TABLE IF NOT EXISTS app.t{k} (id int PRIMARY KEY);\n"),
            &format!("DROP TABLE IF EXISTS app.t{k};\n"),
        );
    }
    p.strata().args(["migrate", "up", "--to", "20251124_000002"]).assert().success();
    squash(&p, "20251124_000003");
    // Its rows 1 and 2 have no file, and nothing covers them: the squashed file
    // would run on a database that has part of what it creates.
    let stderr = p.run(&["migrate", "up"]).code(3).stderr;
    assert!(stderr.contains("20251124_000001_t1 is applied but its files are missing"), "{stderr}");
}
