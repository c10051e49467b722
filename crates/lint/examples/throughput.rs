//! Lint throughput on a generated migration set.
//!
//! `cargo run --release -p strata-lint --example throughput -- [FILES]` writes FILES
//! (default 10,000) migration files — realistic DDL, a PL/pgSQL trigger function,
//! seeds with ON CONFLICT — into a temporary folder, then times the scan (reading
//! the files) and the lint (parsing and every rule) separately and prints files
//! per second.

use std::fmt::Write as _;
use std::time::Instant;

fn up(n: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"-- Table {n}: generated for the throughput benchmark.
CREATE TABLE IF NOT EXISTS app.table_{n} (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL,
    name        text        NOT NULL,
    price_cents bigint,
    tags        text[]      NOT NULL DEFAULT '{{}}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT table_{n}_pkey PRIMARY KEY (id),
    CONSTRAINT table_{n}_user_fkey FOREIGN KEY (user_id) REFERENCES auth."user" (id) ON DELETE CASCADE,
    CONSTRAINT table_{n}_name_check CHECK (char_length(name) BETWEEN 1 AND 255)
);
CREATE INDEX IF NOT EXISTS table_{n}_user_idx ON app.table_{n} (user_id, created_at DESC);
COMMENT ON TABLE app.table_{n} IS 'generated';

CREATE OR REPLACE FUNCTION app.table_{n}_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_count bigint;
BEGIN
    SELECT count(*) INTO v_count FROM app.table_{n} WHERE user_id = NEW.user_id;
    IF v_count > 1000 THEN
        RAISE EXCEPTION 'too many rows for %', NEW.user_id;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS table_{n}_touch ON app.table_{n};
CREATE TRIGGER table_{n}_touch BEFORE UPDATE ON app.table_{n}
    FOR EACH ROW EXECUTE FUNCTION app.table_{n}_touch();

INSERT INTO master.categories (id, name)
VALUES ('00000000-0000-0000-0000-{n:012}', 'category {n}')
ON CONFLICT (id) DO NOTHING;
"#
    );
    s
}

fn down(n: usize) -> String {
    format!("DROP TABLE IF EXISTS app.table_{n};\nDROP FUNCTION IF EXISTS app.table_{n}_touch();\n")
}

fn main() {
    let files: usize = std::env::args().nth(1).map_or(10_000, |a| a.parse().expect("a number of files"));
    let dir = tempfile::tempdir().expect("temporary folder");
    let migrate = dir.path().join("migrate");
    std::fs::create_dir_all(&migrate).unwrap();
    std::fs::write(
        migrate.join("20250101_000000_create_schemas.up.sql"),
        "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS master;\nCREATE SCHEMA IF NOT EXISTS app;\n",
    )
    .unwrap();
    std::fs::write(migrate.join("20250101_000000_create_schemas.down.sql"), "DROP SCHEMA IF EXISTS app CASCADE;\n")
        .unwrap();
    let mut bytes = 0;
    for n in 1..files / 2 {
        let name = format!("20250101_{n:06}_table_{n}");
        let (u, d) = (up(n), down(n));
        bytes += u.len() + d.len();
        std::fs::write(migrate.join(format!("{name}.up.sql")), u).unwrap();
        std::fs::write(migrate.join(format!("{name}.down.sql")), d).unwrap();
    }

    let started = Instant::now();
    let scan = strata_migrate::source::scan(dir.path());
    let scanned = started.elapsed();
    let started = Instant::now();
    let report = strata_lint::lint_set(&scan, &strata_lint::Config::default());
    let linted = started.elapsed();

    let n = report.files_checked;
    assert_eq!(report.findings.len(), 0, "{}", strata_lint::render(&report, strata_lint::Format::Text, false));
    println!(
        "{n} files ({:.1} MB) on {} threads: scan {:.2} s, lint {:.2} s -> {:.0} files/s linting, {:.0} files/s scan + lint",
        bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |p| p.get()),
        scanned.as_secs_f64(),
        linted.as_secs_f64(),
        n as f64 / linted.as_secs_f64(),
        n as f64 / (scanned + linted).as_secs_f64(),
    );
}
