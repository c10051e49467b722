//! The studio under `--role strata_readonly` (the README's recommendation): the
//! reference migrations let that role read `auth.user` without `password_hash` and
//! nothing of `auth.session`, so every page must select only readable columns.

use axum::http::StatusCode;
use sqlx::postgres::PgPoolOptions;
use strata_studio::StudioConfig;
use strata_testing::TestDb;

use crate::harness::{Studio, hrefs, migrations_dir};

const ALICE: &str = "10000000-0000-4000-8000-000000000001";
const HASH_PREFIX: &str = "$argon2id$";

/// A seeded studio whose pooled connections run `SET ROLE strata_readonly`, as the
/// CLI's `--role` does; `setup` runs first as the (superuser) test owner.
async fn as_readonly(setup: &str) -> Studio {
    let db = TestDb::new();
    let mut conn = db.connect().await;
    strata_migrate::up_all(&mut conn, &migrations_dir()).await.expect("migrations apply");
    if !setup.is_empty() {
        sqlx::raw_sql(setup).execute(&mut conn).await.unwrap_or_else(|e| panic!("{setup}: {e}"));
    }
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET ROLE strata_readonly").execute(conn).await?;
                Ok(())
            })
        })
        .connect(db.url())
        .await
        .expect("pool as strata_readonly");
    let mut config = StudioConfig::new(false);
    config.migrations_dir = Some(migrations_dir());
    // A superuser login under SET ROLE: no boundary for the console (tested in
    // console_login.rs); these tests are about the pages.
    config.unsafe_console = true;
    Studio::login(db, pool, config).await
}

#[tokio::test]
async fn auth_user_page_no_longer_selects_password_hash_under_readonly() {
    // The page selected every column, so strata_readonly got "permission denied" (42501).
    let s = as_readonly("").await;
    let page = s.get("/s/auth/user").await;
    page.assert_ok()
        .assert_contains("alice@example.com")
        .assert_contains("not readable by role strata_readonly: password_hash")
        .assert_contains("keyset paging by id");
    assert!(!page.body.contains(HASH_PREFIX), "a password hash leaked:\n{}", page.body);
    assert!(!page.body.contains(">password_hash<"), "the hidden column has a grid header");
    // Paging by key still works from a cursor.
    let next = s.get("/s/auth/user?limit=1").await;
    let href = hrefs(&next.body).into_iter().find(|h| h.contains("after=")).expect("a next link");
    s.get(&href).await.assert_ok().assert_contains("bob@example.com");
}

#[tokio::test]
async fn auth_user_row_page_no_longer_selects_password_hash_under_readonly() {
    // The row page read every column and counted auth.session rows the role cannot read.
    let s = as_readonly("").await;
    let row = s.get(&format!("/s/auth/user/row?c=id&v={ALICE}")).await;
    row.assert_ok()
        .assert_contains("alice@example.com")
        .assert_contains("not readable by role strata_readonly: password_hash")
        .assert_contains("auth.session.user_id</a> — not readable by role strata_readonly");
    assert!(!row.body.contains(HASH_PREFIX), "a password hash leaked:\n{}", row.body);
}

#[tokio::test]
async fn auth_user_exports_no_longer_select_password_hash_under_readonly() {
    // Exports listed every column, so they failed before the first row.
    let s = as_readonly("").await;
    let csv = s.get("/s/auth/user/export?format=csv&sort=email").await;
    csv.assert_ok();
    let header = csv.body.lines().next().unwrap();
    assert!(header.starts_with("id,email,display_name"), "{header}");
    assert!(!csv.body.contains("password_hash") && !csv.body.contains(HASH_PREFIX), "{}", csv.body);
    assert!(csv.body.contains("alice@example.com"));
    let json = s.get("/s/auth/user/export?format=json").await;
    json.assert_ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.body).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.get("password_hash").is_none() && r.get("email").is_some()));
}

#[tokio::test]
async fn unreadable_auth_session_answers_not_readable_instead_of_an_error() {
    // A table the role may not read at all ended in a 500 "permission denied".
    let s = as_readonly("").await;
    let page = s.get("/s/auth/session").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    page.assert_contains("auth.session is not readable by role strata_readonly");
    let export = s.get("/s/auth/session/export?format=csv").await;
    assert_eq!(export.status, StatusCode::FORBIDDEN, "{}", export.body);
    export.assert_contains("not readable by role strata_readonly");
    // The tree still lists it, marked; the catalog pages still work.
    let home = s.get("/").await;
    home.assert_ok().assert_contains("href=\"/s/auth/session\"").assert_contains("not readable");
    s.get("/s/auth/session/structure").await.assert_ok().assert_contains("token_hash");
    s.get("/s/auth/user/structure").await.assert_ok().assert_contains("password_hash");
    s.get("/erd").await.assert_ok();
    s.get("/erd.svg").await.assert_ok().assert_contains("password_hash");
}

#[tokio::test]
async fn item_owner_link_into_auth_user_works_under_readonly() {
    // Following app.items.user_id opened auth.user's row page, which selected password_hash.
    let s = as_readonly("").await;
    let items = s.get("/s/app/items").await;
    items.assert_ok();
    let owner = hrefs(&items.body).into_iter().find(|h| h.starts_with("/s/auth/user/row?")).expect("an owner link");
    let row = s.get(&owner).await;
    row.assert_ok().assert_contains("@example.com");
    assert!(!row.body.contains(HASH_PREFIX));
}

#[tokio::test]
async fn hidden_primary_key_falls_back_to_offset_paging_with_a_note() {
    // Keyset paging by an unreadable key would fail; paging by offset still reads every row.
    let s = as_readonly(
        "CREATE TABLE app.codes (code text PRIMARY KEY, label text);
         INSERT INTO app.codes VALUES ('a', 'first'), ('b', 'second');
         REVOKE SELECT ON app.codes FROM strata_readonly;
         GRANT SELECT (label) ON app.codes TO strata_readonly;",
    )
    .await;
    let page = s.get("/s/app/codes?limit=1").await;
    page.assert_ok()
        .assert_contains("first")
        .assert_contains("not readable by role strata_readonly: code")
        .assert_contains("the primary key is not readable by role strata_readonly");
    let next = hrefs(&page.body).into_iter().find(|h| h.contains("offset=1")).expect("a next link");
    s.get(&next).await.assert_ok().assert_contains("second");
    let csv = s.get("/s/app/codes/export?format=csv").await;
    csv.assert_ok();
    assert_eq!(csv.body, "label\r\nfirst\r\nsecond\r\n");
}
