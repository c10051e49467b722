//! No password in any output: errors, `--json` events and `db status`, for every
//! way a connection string can carry one (issue 10, item 8).

mod common;

use common::strata_in as strata;

/// Runs `args` (human and `--json`) against `url`, which points at a closed port,
/// and checks the command fails without `secret` (or its decoded form) in stdout or stderr.
fn assert_hidden(url: &str, secrets: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["db", "tables"][..], &["migrate", "status"], &["db", "dump", "--schema", "app"]] {
        for json in [false, true] {
            let mut cmd = strata(dir.path());
            if json {
                cmd.arg("--json");
            }
            let out = cmd.arg("--database-url").arg(url).args(args).output().unwrap();
            assert!(!out.status.success(), "{args:?} on {url} succeeded");
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(!stderr.is_empty() || !stdout.is_empty(), "{args:?}: no error shown");
            for secret in secrets {
                assert!(
                    !stdout.contains(secret) && !stderr.contains(secret),
                    "{secret:?} shown by {args:?} (json: {json}):\nstdout: {stdout}\nstderr: {stderr}"
                );
            }
        }
    }
}

// Port 1 on the loopback refuses at once: the connection fails and is reported.

#[test]
fn password_in_the_user_part_is_not_shown() {
    assert_hidden("postgres://strata:Plain5ecret@127.0.0.1:1/db", &["Plain5ecret"]);
}

#[test]
fn password_with_an_encoded_slash_is_not_shown() {
    assert_hidden("postgres://strata:Enc0ded%2FSecret@127.0.0.1:1/db", &["Enc0ded", "Secret"]);
}

#[test]
fn password_with_a_raw_slash_or_at_is_not_shown() {
    // Unescaped, these make the URL parse differently (and fail); the password must still not show.
    assert_hidden("postgres://strata:Sl4sh/Secret@127.0.0.1:1/db", &["Sl4sh", "Secret"]);
    assert_hidden("postgres://strata:At5ign@Secret@127.0.0.1:1/db", &["At5ign"]);
    assert_hidden("postgres://strata:Qu3stion?Secret@127.0.0.1:1/db", &["Qu3stion", "Secret"]);
}

#[test]
fn password_as_a_query_parameter_is_not_shown() {
    assert_hidden("postgres://strata@127.0.0.1:1/db?password=Qu3rySecret", &["Qu3rySecret"]);
    assert_hidden("postgres://strata@127.0.0.1:1/db?sslmode=disable&password=Qu3ry2Secret", &["Qu3ry2Secret"]);
}

#[test]
fn password_in_a_key_value_string_is_not_shown() {
    assert_hidden("host=127.0.0.1 port=1 user=strata password=K3yvalSecret dbname=db", &["K3yvalSecret"]);
    assert_hidden("host=127.0.0.1 port=1 password='Qu0ted Secret'", &["Qu0ted"]);
}

#[test]
fn password_from_dotenv_is_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "DATABASE_URL=postgres://strata:D0tenvSecret@127.0.0.1:1/db\n").unwrap();
    let out = strata(dir.path()).args(["--json", "db", "tables"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("127.0.0.1:1"), "{all}");
    assert!(!all.contains("D0tenvSecret"), "{all}");
}

/// `strata --json db status` and `db start` print the embedded database's URL
/// without its password; `strata db url` is the one command that prints it.
#[test]
fn embedded_database_password_only_in_db_url() {
    // The shared test cluster is an embedded database: a project whose `.strata` is it.
    strata_testing::server_url();
    let cluster = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/strata-test-cluster");
    if std::env::var_os("STRATA_TEST_DATABASE_URL").is_some() || !cluster.join("postgres").exists() {
        eprintln!("skipped: the tests do not run on the private test cluster");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(cluster.canonicalize().unwrap(), dir.path().join(".strata")).unwrap();
    let url = strata(dir.path()).args(["db", "url"]).output().unwrap();
    assert!(url.status.success(), "{}", String::from_utf8_lossy(&url.stderr));
    let url = String::from_utf8(url.stdout).unwrap();
    let password = url.trim().split_once("://").unwrap().1.split_once('@').unwrap().0.split_once(':').unwrap().1;
    assert!(password.len() >= 16, "{url}");
    for args in [&["--json", "db", "status"][..], &["db", "status"], &["--json", "db", "start"], &["db", "start"]] {
        let out = strata(dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(all.contains("postgres://strata:***@127.0.0.1:"), "{args:?}: {all}");
        assert!(!all.contains(password), "{args:?} shows the password: {all}");
    }
}

/// `db dump` hands the password to pg_dump in PGPASSWORD, decoded, whatever form
/// the URL gives it in: a password with URL delimiters works, and is not shown.
#[test]
fn dump_with_a_password_holding_url_delimiters() {
    let p = common::Project::new();
    p.strata().args(["migrate", "up"]).assert().success();
    let role = format!("strata_pw_{:08x}", std::process::id());
    let password = "p@ss/w:rd?#&%x";
    p.psql(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD '{password}'; GRANT USAGE ON SCHEMA app TO {role}; \
         GRANT SELECT ON public.migration_history TO {role}"
    ));
    let encoded: String = password
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let (authority, rest) = p.url.split_once('@').unwrap();
    let scheme = &authority[..authority.find("://").unwrap() + 3];
    for url in [format!("{scheme}{role}:{encoded}@{rest}"), format!("{scheme}{role}@{rest}?password={encoded}")] {
        let out = strata(p.path())
            .args(["--json", "--database-url", &url, "db", "dump", "--schema", "app"])
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{url}: {stderr}");
        assert!(stdout.starts_with("-- strata-dump "), "{stdout}");
        assert!(!stderr.contains(&encoded) && !stderr.contains(password), "{stderr}");
    }
    p.psql(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
}
