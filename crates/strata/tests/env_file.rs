//! `.env` sets only the variables strata reads (the database URL's `url_env`
//! names), never others: a `.env` in a cloned repository must not choose the
//! PostgreSQL programs strata runs, nor reach its child processes (issue 10, item 11).

use std::os::unix::fs::PermissionsExt;

use predicates::str::contains;

mod common;
use common::{Project, strata_in};

/// A folder of fake PostgreSQL programs that leave `marker` when run.
fn fake_binaries(dir: &std::path::Path, marker: &std::path::Path) -> std::path::PathBuf {
    let bin = dir.join("evil-bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["postgres", "pg_ctl", "initdb", "pg_dump", "psql"] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\necho 'postgres (PostgreSQL) 15.0'\n", marker.display()),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn dotenv_pg_bin_does_not_choose_the_programs_strata_runs() {
    let p = Project::new();
    let marker = p.path().join("ran");
    let bin = fake_binaries(p.path(), &marker);
    // DATABASE_URL is read from .env (the command reaches the test database); PG_BIN is not.
    std::fs::write(
        p.path().join(".env"),
        format!("DATABASE_URL={}\nPG_BIN={}\nPGTZ=Pacific/Kiritimati\n", p.url, bin.display()),
    )
    .unwrap();
    let strata = || {
        let mut cmd = strata_in(p.path());
        cmd.env_remove("PG_BIN").env_remove("PGTZ");
        cmd
    };
    strata().args(["migrate", "up"]).assert().success();
    p.psql("CREATE TABLE app.t (at timestamptz); INSERT INTO app.t VALUES ('2026-01-01 00:00:00+00')");
    // `db status` asks the server binaries for their version; `db dump` runs pg_dump.
    strata().args(["db", "status"]).assert().success();
    let dump = p.path().join("app.sql");
    strata().args(["db", "dump", "--schema", "app", "-o"]).arg(&dump).assert().success();
    assert!(!marker.exists(), "a program from .env's PG_BIN ran: {}", std::fs::read_to_string(&marker).unwrap());
    // pg_dump did not get .env's PGTZ either: it would write the row at UTC+14.
    let text = std::fs::read_to_string(&dump).unwrap();
    assert!(text.contains("2026-01-01") && !text.contains("+14"), "{text}");
}

#[test]
fn dotenv_url_env_names_are_read() {
    let p = Project::new();
    p.toml("[database]\nurl_env = \"MY_DB\"\n[lint]\non_migrate = \"off\"\n");
    std::fs::write(p.path().join(".env"), format!("MY_DB={}\n", p.url)).unwrap();
    strata_in(p.path())
        .env_remove("MY_DB")
        .args(["migrate", "up"])
        .assert()
        .success()
        .stdout(contains("Applied 1 migration"));
}
