//! `strata db dump` / `db restore` (issue 10, items 3 and 11): restore runs only
//! what pg_dump writes for the dump's schema, without psql; dump files are private
//! and never overwritten silently; a header is looked for within a bound.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use predicates::str::contains;

mod common;
use common::{Project, unique};

/// The reference schema, migrated and seeded.
fn seeded() -> Project {
    let p = Project::new();
    p.reference(&["migrate", "up"]).assert().success();
    p.reference(&["seed", "up"]).assert().success();
    p
}

/// Dumps `schema` (its data only, or all of it) to a file in the project's folder.
fn dump(p: &Project, schema: &str, data_only: bool) -> PathBuf {
    let file = p.path().join(format!("{schema}{}.sql", if data_only { ".data" } else { "" }));
    let mut args = vec!["db", "dump", "--schema", schema, "-o", file.to_str().unwrap()];
    if data_only {
        args.push("--data-only");
    }
    p.reference(&args).assert().success();
    file
}

/// The reference schema seeded, its schema master dumped (the data only, or all of
/// it): the project, the file and its text.
fn master_dumped(data_only: bool) -> (Project, PathBuf, String) {
    let p = seeded();
    let file = dump(&p, "master", data_only);
    let text = std::fs::read_to_string(&file).unwrap();
    (p, file, text)
}

/// Restores `file`, which must succeed.
fn restore(p: &Project, file: &Path) {
    p.reference(&["db", "restore", file.to_str().unwrap()]).assert().success();
}

/// Writes `text` to the file `name` in the project's folder and restores it (with
/// `more` arguments): refused with exit 3, and stderr names each of `named`.
fn refused(p: &Project, name: &str, text: &str, more: &[&str], named: &[&str]) {
    let file = p.path().join(name);
    std::fs::write(&file, text).unwrap();
    let stderr = common::run(p.reference(&["db", "restore", file.to_str().unwrap()]).args(more)).code(3).stderr;
    common::assert_contains(&stderr, named);
}

/// A file in /tmp that the PostgreSQL server (another OS user) could create too.
fn marker(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("strata-restore-{name}-{:016x}", unique()));
    let _ = std::fs::remove_file(&path);
    path
}

/// What the payloads could change: master's rows, app.items, a large object.
fn state(p: &Project) -> String {
    p.psql(
        "SELECT (SELECT count(*) FROM master.categories) || '/' || (SELECT count(*) FROM master.locations) || '/' \
         || (SELECT md5(string_agg(i::text, ',' ORDER BY i.id)) FROM app.items i) || '/' \
         || (SELECT count(*) FROM pg_largeobject_metadata) || '/' \
         || (SELECT count(*) FROM pg_namespace WHERE nspname = 'pwned') || '/' || (SELECT count(*) FROM pg_class WHERE relname = 'pwned')",
    )
}

/// Each payload of the issue, appended to a real data-only dump of master, is
/// refused with its line, exit 3, and nothing happens: no side effect, no change.
#[test]
fn payloads_appended_to_a_real_dump_are_refused_at_their_line() {
    let (p, file, dump_text) = master_dumped(true);
    let payload_line = dump_text.lines().count() + 1;
    let before = state(&p);
    let server_marker = marker("server");
    let client_marker = marker("client");
    let payloads = [
        (format!("COPY (SELECT current_user) TO PROGRAM 'touch {}';", server_marker.display()), "COPY"),
        ("UPDATE app.items SET name = 'pwned';".to_owned(), "UPDATE is not a statement pg_dump writes"),
        (format!("\\! touch {}", client_marker.display()), "psql meta-command"),
        ("CREATE TABLE app.pwned (id int);".to_owned(), "--data-only"),
        ("CREATE SCHEMA pwned;".to_owned(), "--data-only"),
        ("DO $$ BEGIN UPDATE app.items SET name = 'pwned'; END $$;".to_owned(), "DO is not a statement"),
        (
            format!("DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {}'''; END $$;", server_marker.display()),
            "DO is not a statement",
        ),
        ("SELECT pg_catalog.lo_create(4242);".to_owned(), "a SELECT in a dump only"),
        ("SELECT lo_create(4243);".to_owned(), "a SELECT in a dump only"),
        ("SELECT pg_catalog.set_config('role', 'postgres', false);".to_owned(), "a SELECT in a dump only"),
        ("COPY app.items (id, name) FROM stdin;\n1\tx\n\\.".to_owned(), "COPY of app.items"),
        ("SET ROLE postgres;".to_owned(), "SET ROLE"),
    ];
    for (payload, reason) in &payloads {
        let at = format!("hostile.sql:{payload_line}:");
        refused(&p, "hostile.sql", &format!("{dump_text}{payload}\n"), &[], &[&at, "nothing was restored", reason]);
        assert_eq!(state(&p), before, "{payload} changed something");
    }
    assert!(!server_marker.exists(), "the server ran a program");
    assert!(!client_marker.exists(), "a shell command ran");
    // A payload in the middle is refused the same way: the whole file is checked first.
    let (head, tail) = dump_text.split_at(dump_text.find("COPY master.locations").unwrap());
    let at = format!("middle.sql:{}:1: refused", head.lines().count() + 1);
    refused(&p, "middle.sql", &format!("{head}UPDATE app.items SET name = 'pwned';\n{tail}"), &[], &[&at]);
    assert_eq!(state(&p), before);
    // The untouched dump restores.
    p.psql("TRUNCATE master.categories, master.locations CASCADE");
    restore(&p, &file);
    assert_eq!(p.psql("SELECT count(*) > 0 FROM master.categories"), "t");
}

/// A full dump of one schema may not create or change anything in another.
#[test]
fn full_dump_statements_outside_its_schema_are_refused() {
    let (p, _, dump_text) = master_dumped(false);
    let payload_line = dump_text.lines().count() + 1;
    p.psql("DROP SCHEMA master CASCADE");
    for (payload, reason) in [
        ("CREATE TABLE app.pwned (id int);", "CREATE TABLE of app.pwned"),
        ("CREATE SCHEMA pwned;", "creates only that schema"),
        ("ALTER TABLE ONLY app.items ADD CONSTRAINT pwned CHECK (false);", "ALTER TABLE of app.items"),
        ("GRANT ALL ON TABLE auth.\"user\" TO PUBLIC;", "outside schema master"),
        ("GRANT pg_execute_server_program TO strata_app;", "of a role"),
        ("CREATE FUNCTION pg_catalog.pwned() RETURNS int LANGUAGE sql AS 'SELECT 1';", "pg_catalog.pwned"),
        ("ALTER TABLE master.categories OWNER TO postgres;", "OWNER TO"),
    ] {
        let at = format!("hostile.sql:{payload_line}:");
        refused(&p, "hostile.sql", &format!("{dump_text}{payload}\n"), &[], &[&at, reason]);
        assert_eq!(p.psql("SELECT count(*) FROM pg_namespace WHERE nspname IN ('master', 'pwned')"), "0");
        assert_eq!(p.psql("SELECT count(*) FROM pg_class WHERE relname = 'pwned'"), "0");
    }
}

/// Every schema's dump, full and data-only, passes the check and restores
/// (the kinds pg_dump writes for this project's schemas).
#[test]
fn every_schema_dump_restores() {
    let tables = [
        ("auth", &["auth.\"user\"", "auth.session", "auth.phone_verifications"][..]),
        ("master", &["master.categories", "master.locations"]),
        ("app", &["app.items"]),
    ];
    for (schema, tables) in tables {
        let p = seeded();
        let rows = || {
            tables
                .iter()
                .map(|t| {
                    p.psql(&format!(
                        "SELECT count(*) || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {t} t"
                    ))
                })
                .collect::<Vec<_>>()
        };
        let before = rows();
        let full = dump(&p, schema, false);
        let data = dump(&p, schema, true);
        p.psql(&format!("DROP SCHEMA {schema} CASCADE"));
        restore(&p, &full);
        assert_eq!(rows(), before, "{schema}: full dump");
        // Data only: empty the tables (in one statement, as their keys need) and restore.
        p.psql(&format!("TRUNCATE {} CASCADE", tables.join(", ")));
        assert_ne!(rows(), before);
        restore(&p, &data);
        assert_eq!(rows(), before, "{schema}: data-only dump");
    }
}

/// A failing statement rolls everything back and names the file's line.
#[test]
fn failed_restore_changes_nothing_and_names_the_line() {
    // The rows are still there: the first COPY's duplicate key fails it, at its data line.
    let (p, file, text) = master_dumped(true);
    let first_row = text.lines().position(|l| l.starts_with("COPY master.categories")).unwrap() + 2;
    p.reference(&["db", "restore", file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains(format!("master.data.sql:{first_row}:1: restoring failed, nothing was changed")))
        .stderr(contains("SQLSTATE 23505"));
}

#[test]
fn restore_reads_the_header_within_a_bound() {
    let p = Project::new();
    let started = Instant::now();
    p.strata().args(["db", "restore", "/dev/zero"]).assert().code(2).stderr(contains("/dev/zero:1: not a strata dump"));
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    // A header line that never ends.
    let long = p.path().join("long.sql");
    std::fs::write(&long, format!("-- strata-dump {}", "x".repeat(5 << 20))).unwrap();
    p.strata()
        .args(["db", "restore", long.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("does not end within 4 MiB"));
}

#[test]
fn dump_files_are_private_and_never_overwritten_silently() {
    let p = seeded();
    let file = p.path().join("auth.sql");
    std::fs::write(&file, "precious").unwrap();
    p.reference(&["db", "dump", "--schema", "auth", "-o", file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("exists; pass --force"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    p.reference(&["db", "dump", "--schema", "auth", "-o", file.to_str().unwrap(), "--force"]).assert().success();
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("-- strata-dump "));
    let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    let fresh = p.path().join("fresh.sql");
    p.reference(&["db", "dump", "--schema", "auth", "-o", fresh.to_str().unwrap()]).assert().success();
    assert_eq!(mode(&fresh), 0o600);
    assert!(!p.path().join("fresh.sql.partial").exists());
}

/// What pg_dump writes for many kinds of objects (identity, serial, sequences,
/// enums, composite types, domains, generated columns, partitions, inheritance,
/// functions, procedures, triggers, views reading another schema, materialized
/// views, policies, comments, grants, default privileges) passes the check and
/// restores, full and data-only.
#[test]
fn restore_accepts_what_pg_dump_writes_for_every_kind_of_object() {
    let p = Project::new();
    p.strata().args(["migrate", "up"]).assert().success();
    p.psql(
        "CREATE SCHEMA other; CREATE TABLE other.users (id int PRIMARY KEY, email text);
         INSERT INTO other.users VALUES (1, 'a@example.com');
         COMMENT ON SCHEMA app IS 'the app';
         CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
         CREATE TYPE app.pair AS (a int, b text);
         CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
         CREATE SEQUENCE app.counter START 10;
         CREATE TABLE app.t (
           id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, m app.mood DEFAULT 'ok', p app.posint,
           name text COLLATE \"C\", doubled int GENERATED ALWAYS AS (p * 2) STORED,
           user_id int REFERENCES other.users(id) ON DELETE CASCADE, n int DEFAULT nextval('app.counter'),
           CONSTRAINT t_name_check CHECK (length(name) > 0), CONSTRAINT t_uniq UNIQUE (name) DEFERRABLE INITIALLY DEFERRED);
         COMMENT ON TABLE app.t IS 'a table'; COMMENT ON COLUMN app.t.name IS 'a name';
         COMMENT ON CONSTRAINT t_name_check ON app.t IS 'named';
         CREATE INDEX t_lower ON app.t (lower(name)); CREATE STATISTICS app.t_stats (dependencies) ON m, p FROM app.t;
         CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v jsonb);
         CREATE TABLE app.events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         CREATE TABLE app.parent (id int); CREATE TABLE app.child (extra int) INHERITS (app.parent);
         CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         COMMENT ON FUNCTION app.touch() IS 'touch';
         CREATE PROCEDURE app.proc(a int) LANGUAGE sql AS $$ SELECT a $$;
         CREATE FUNCTION app.atomic(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;
         CREATE TRIGGER t_touch BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.touch();
         ALTER TABLE app.t DISABLE TRIGGER t_touch;
         CREATE VIEW app.v AS SELECT t.id, u.email FROM app.t JOIN other.users u ON u.id = t.user_id;
         CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS c FROM app.t;
         ALTER TABLE app.t ENABLE ROW LEVEL SECURITY; CREATE POLICY t_all ON app.t USING (true);
         GRANT USAGE ON SCHEMA app TO PUBLIC; GRANT SELECT ON ALL TABLES IN SCHEMA app TO PUBLIC;
         GRANT USAGE ON SEQUENCE app.counter TO PUBLIC;
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;
         INSERT INTO app.t (m, p, name, user_id) VALUES ('happy', 3, 'x', 1), ('sad', 4, 'y', NULL);
         INSERT INTO app.cache VALUES ('a', '{\"x\": 1}'); INSERT INTO app.events VALUES (1, '2026-05-05');
         INSERT INTO app.child VALUES (1, 2); SELECT nextval('app.counter'); REFRESH MATERIALIZED VIEW app.mv;",
    );
    let rows = || {
        p.psql(
            "SELECT (SELECT string_agg(t::text, ',' ORDER BY id) FROM app.t t) || (SELECT string_agg(c::text, ',') FROM app.cache c)
             || (SELECT string_agg(e::text, ',') FROM app.events e) || (SELECT string_agg(c::text, ',') FROM app.child c)
             || (SELECT last_value FROM app.counter) || (SELECT c FROM app.mv)",
        )
    };
    let before = rows();
    for data_only in [false, true] {
        let file = p.path().join("app.sql");
        let mut args = vec!["db", "dump", "--schema", "app", "-o", file.to_str().unwrap(), "--force"];
        if data_only {
            args.push("--data-only");
            p.strata().args(&args).assert().success();
            p.psql("TRUNCATE app.t, app.cache, app.events, app.parent; SELECT setval('app.counter', 1)");
        } else {
            p.strata().args(&args).assert().success();
            // The dump really holds each kind this test is about.
            let text = std::fs::read_to_string(&file).unwrap();
            for kind in [
                "CREATE SEQUENCE app.counter",
                "ADD GENERATED ALWAYS AS IDENTITY",
                "ALTER SEQUENCE app.t_s_seq OWNED BY",
                "CREATE TYPE app.mood AS ENUM",
                "CREATE DOMAIN app.posint",
                "CREATE PROCEDURE app.proc",
                "BEGIN ATOMIC",
                "INHERITS (app.parent)",
                "ATTACH PARTITION app.events_2026",
                "ALTER INDEX app.events_pkey ATTACH PARTITION",
                "CREATE STATISTICS app.t_stats",
                "CREATE VIEW app.v",
                "CREATE MATERIALIZED VIEW app.mv",
                "REFRESH MATERIALIZED VIEW app.mv",
                "DISABLE TRIGGER t_touch",
                "ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY t_all",
                "COMMENT ON CONSTRAINT",
                "ALTER DEFAULT PRIVILEGES",
                "GRANT USAGE ON SEQUENCE",
                "SELECT pg_catalog.setval('app.counter'",
            ] {
                assert!(text.contains(kind), "the dump has no {kind}:\n{text}");
            }
            p.psql("DROP SCHEMA app CASCADE");
        }
        p.strata().args(["db", "restore", file.to_str().unwrap()]).assert().success();
        if data_only {
            p.psql("REFRESH MATERIALIZED VIEW app.mv");
        }
        assert_eq!(rows(), before, "data only: {data_only}");
    }
    assert_eq!(p.psql("SELECT count(*) FROM pg_policy WHERE polname = 't_all'"), "1");
    assert_eq!(p.psql("SELECT obj_description('app.t'::regclass)"), "a table");
}

/// The header names the schema a restore may change, and the file writes the
/// header: a system schema or one the project does not have is refused.
#[test]
fn header_naming_a_schema_outside_the_project_is_refused() {
    let (p, _, text) = master_dumped(false);
    for schema in ["pg_catalog", "public", "pg_temp_1"] {
        let forged = text.replacen("\"schema\":\"master\"", &format!("\"schema\":\"{schema}\""), 1)
            + &format!("CREATE FUNCTION {schema}.pwned() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
        refused(
            &p,
            "hostile.sql",
            &forged,
            &["--force"],
            &["hostile.sql:1: refused", "not one of this project's schemas"],
        );
    }
    assert_eq!(p.psql("SELECT count(*) FROM pg_proc WHERE proname = 'pwned'"), "0");
}
