//! The least-privilege roles of migration `create_roles`: each boundary is proven by
//! trying to cross it, as the role, on a migrated and seeded database.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, PgConnection};
use strata_app::roles::set_role;
use strata_app::{APP_ROLE, OWNER_ROLE, READONLY_ROLE};
use strata_migrate::apply::{self, Options};
use strata_migrate::{DownTarget, MigrationSet, Request, Track, Version};
use strata_testing::TestDb;

use crate::support::{ALICE_ID, PASSWORD, TestApp, migrations_dir, role_pool};

/// A connection to the test's database that runs as `role`.
async fn connect_as(app: &TestApp, role: &str) -> PgConnection {
    let mut conn = app.db.connect().await;
    set_role(&mut conn, role).await.unwrap();
    conn
}

/// Runs each statement of each group and fails, listing every boundary that does not
/// hold, unless PostgreSQL refused each for lack of privilege (SQLSTATE 42501).
async fn assert_denied(conn: &mut PgConnection, who: &str, groups: &[&[&str]]) {
    let mut crossed = Vec::new();
    for sql in groups.iter().copied().flatten() {
        match sqlx::raw_sql(sql).execute(&mut *conn).await {
            Ok(_) => crossed.push(format!("allowed: {sql}")),
            Err(err) => {
                let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
                if code.as_deref() != Some("42501") {
                    crossed.push(format!("{sql}: failed otherwise: {err}"));
                }
            }
        }
    }
    assert!(crossed.is_empty(), "{who} crossed a boundary:\n{}", crossed.join("\n"));
}

/// Creating an object, in each schema and as a new schema: refused for both roles.
const CREATE_ANYTHING: &[&str] = &[
    "CREATE TABLE app.mine (id int)",
    "CREATE TABLE master.mine (id int)",
    "CREATE TABLE auth.mine (id int)",
    "CREATE TABLE public.mine (id int)",
    "CREATE TABLE app.items_copy AS SELECT * FROM app.items",
    "CREATE VIEW app.mine AS SELECT 1 AS one",
    "CREATE FUNCTION app.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE SCHEMA mine",
];

/// Changing or dropping what migrations made: refused for both roles (not the owner).
const CHANGE_THE_SCHEMA: &[&str] = &[
    "ALTER TABLE app.items ADD COLUMN colour text",
    "ALTER TABLE auth.\"user\" DISABLE TRIGGER ALL",
    "DROP TABLE app.items",
    "DROP TABLE auth.session",
    "DROP FUNCTION auth.session_user_id(bytea)",
    "CREATE INDEX mine ON app.items (name)",
    "CREATE TRIGGER mine BEFORE INSERT ON app.items FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at()",
    "COMMENT ON TABLE app.items IS 'mine'",
    "TRUNCATE app.items",
    "DELETE FROM public.migration_history",
];

#[tokio::test]
async fn the_roles_are_plain_group_roles_and_the_owner_owns_every_object() {
    let app = TestApp::new().await;
    let roles: Vec<(String, bool, bool, bool, bool)> = sqlx::query_as(
        "SELECT rolname::text, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles \
         WHERE rolname = ANY($1) ORDER BY rolname",
    )
    .bind([OWNER_ROLE, APP_ROLE, READONLY_ROLE])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, ["strata_app", "strata_owner", "strata_readonly"]);
    for (name, login, superuser, createrole, createdb) in &roles {
        assert!(!login && !superuser && !createrole && !createdb, "{name} must be a plain NOLOGIN group role");
    }

    // Every schema, relation and function of the application belongs to the owner role.
    let owners: Vec<(String, String)> = sqlx::query_as(
        "SELECT 'schema ' || n.nspname, pg_get_userbyid(n.nspowner)::text FROM pg_namespace AS n \
         WHERE n.nspname IN ('auth', 'master', 'app') \
         UNION ALL \
         SELECT 'relation ' || c.oid::regclass::text, pg_get_userbyid(c.relowner)::text \
         FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace \
         WHERE n.nspname IN ('auth', 'master', 'app') \
         UNION ALL \
         SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner)::text \
         FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace \
         WHERE n.nspname IN ('auth', 'master', 'app') ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(owners.len() > 20, "{owners:?}");
    let others: Vec<_> = owners.iter().filter(|(_, owner)| owner != OWNER_ROLE).collect();
    assert!(others.is_empty(), "not owned by {OWNER_ROLE}: {others:?}");
}

#[tokio::test]
async fn the_whole_api_works_as_the_application_role() {
    let app = TestApp::new().await;
    let (user, superuser): (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('is_superuser')")
            .fetch_one(&app.app_pool)
            .await
            .unwrap();
    assert_eq!((user.as_str(), superuser.as_str()), (APP_ROLE, "off"), "the router's pool runs as the app role");

    let (cookie, user_id) = app.register("roles@example.com").await;
    let login = app.login("roles@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.json);
    let cookie2 = login.session_cookie();
    let me = app.get("/api/auth/me", Some(&cookie2)).await;
    assert_eq!((me.status, me.json["id"].as_str()), (StatusCode::OK, Some(user_id.as_str())));

    let body = json!({"name": "Lamp", "priceCents": 1200, "categoryId": "20000000-0000-4000-8000-000000000001"});
    let created = app.post("/api/items", body, Some(&cookie)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let listed = app.get(&format!("/api/items?owner={user_id}"), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.json);
    assert_eq!(listed.json["items"][0]["owner"]["id"], user_id.as_str());
    let patched = app.patch(&format!("/api/items/{id}"), json!({"isActive": false}), Some(&cookie)).await;
    assert_eq!((patched.status, &patched.json["isActive"]), (StatusCode::OK, &json!(false)), "{}", patched.json);
    let not_mine = app.login_demo("alice@example.com").await;
    let refused = app.request(Method::DELETE, &format!("/api/items/{id}"), Some(&not_mine)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let deleted = app.request(Method::DELETE, &format!("/api/items/{id}"), Some(&cookie)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/items/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/categories", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/locations", None).await.status, StatusCode::OK);

    let started = app.post("/api/auth/phone/start", json!({"phone": "+4930555000"}), Some(&cookie)).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let code = app.sender.last_code("+4930555000").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let guessed =
        app.post("/api/auth/phone/verify", json!({"phone": "+4930555000", "code": wrong}), Some(&cookie)).await;
    assert_eq!(guessed.issues(), ["code:invalid_code"]);
    let verified =
        app.post("/api/auth/phone/verify", json!({"phone": "+4930555000", "code": code}), Some(&cookie)).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.json);
    assert_eq!(verified.json["phone"], "+4930555000");

    let out = app.request(Method::POST, "/api/auth/logout", Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/auth/me", Some(&cookie2)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_application_role_cannot_read_secrets_write_master_or_change_the_schema() {
    let app = TestApp::new().await;
    app.login_demo("alice@example.com").await;
    let mut conn = connect_as(&app, APP_ROLE).await;
    let secrets = [
        "SELECT token_hash FROM auth.session",
        "SELECT * FROM auth.session",
        "SELECT code_hash FROM auth.phone_verifications",
        "SELECT * FROM auth.phone_verifications",
        // Not through a filter or RETURNING either: those need the column readable.
        "DELETE FROM auth.session WHERE token_hash = '\\x00'::bytea",
        "SELECT count(*) FROM auth.session WHERE token_hash IS NOT NULL",
        "INSERT INTO auth.session (user_id, token_hash, expires_at) \
         VALUES ('10000000-0000-4000-8000-000000000001', '\\x00', now()) RETURNING token_hash",
        // Sessions, codes and accounts change only the way the API changes them.
        "UPDATE auth.session SET expires_at = now() + interval '1 year'",
        "UPDATE auth.phone_verifications SET attempts = 0",
        "UPDATE auth.phone_verifications SET verified_at = now()",
        "UPDATE auth.\"user\" SET password_hash = 'x'",
        "UPDATE auth.\"user\" SET email = 'x@example.com'",
        "DELETE FROM auth.\"user\"",
        "SELECT * FROM public.migration_history",
    ];
    let master = [
        "INSERT INTO master.categories (slug, name) VALUES ('mine', 'Mine')",
        "UPDATE master.categories SET name = name",
        "DELETE FROM master.locations",
        "TRUNCATE master.categories CASCADE",
    ];
    assert_denied(&mut conn, "the application role", &[&secrets, &master, CREATE_ANYTHING, CHANGE_THE_SCHEMA]).await;

    // What it may do instead: the session functions answer without revealing a hash.
    let unknown: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT auth.session_user_id('\\x00')").fetch_one(&mut conn).await.unwrap();
    assert_eq!(unknown, None);
    let (user_id, email): (uuid::Uuid, String) = sqlx::query_as("SELECT id, email FROM auth.\"user\" WHERE id = $1")
        .bind(ALICE_ID.parse::<uuid::Uuid>().unwrap())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!((user_id.to_string(), email.as_str()), (ALICE_ID.to_owned(), "alice@example.com"));
}

#[tokio::test]
async fn the_read_only_role_reads_and_cannot_write_anywhere() {
    let app = TestApp::new().await;
    let mut conn = connect_as(&app, READONLY_ROLE).await;
    let (categories, locations, items, users): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM master.categories), (SELECT count(*) FROM master.locations), \
                (SELECT count(*) FROM app.items), \
                (SELECT count(*) FROM auth.\"user\" AS u \
                 WHERE u.email IS NOT NULL AND u.display_name IS NOT NULL AND u.created_at IS NOT NULL)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((categories, locations, items, users), (11, 15, 60, 3));
    // Reporting across schemas: items with their owners' public fields.
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT u.display_name) FROM app.items AS i JOIN auth.\"user\" AS u ON u.id = i.user_id",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(owners > 1);

    let writes = [
        "INSERT INTO app.items (user_id, name) VALUES ('10000000-0000-4000-8000-000000000001', 'mine')",
        "UPDATE app.items SET name = 'mine'",
        "DELETE FROM app.items",
        "SELECT id FROM app.items FOR UPDATE",
        "INSERT INTO master.categories (slug, name) VALUES ('mine', 'Mine')",
        "UPDATE master.locations SET name = name",
        "DELETE FROM master.categories",
        "INSERT INTO auth.\"user\" (email, password_hash, display_name) VALUES ('m@example.com', 'x', 'm')",
        "UPDATE auth.\"user\" SET display_name = 'mine'",
        "DELETE FROM auth.\"user\"",
        // Nor through the functions that write for the API.
        "SELECT auth.revoke_session('\\x00')",
        "SELECT * FROM auth.check_phone_code(gen_random_uuid(), '\\x00', 5)",
    ];
    let secrets = [
        "SELECT password_hash FROM auth.\"user\"",
        "SELECT * FROM auth.\"user\"",
        "SELECT id FROM auth.session",
        "SELECT token_hash FROM auth.session",
        "SELECT id FROM auth.phone_verifications",
        "SELECT code_hash FROM auth.phone_verifications",
        "SELECT auth.session_user_id('\\x00')",
        "SELECT * FROM public.migration_history",
    ];
    assert_denied(&mut conn, "the read-only role", &[&writes, &secrets, CREATE_ANYTHING, CHANGE_THE_SCHEMA]).await;
}

#[tokio::test]
async fn definer_functions_are_owned_by_the_owner_pin_search_path_and_serve_only_the_api() {
    let app = TestApp::new().await;
    let functions: Vec<(String, String, Vec<String>, bool, bool, bool)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner)::text, coalesce(p.proconfig, '{}'), \
                has_function_privilege($1, p.oid, 'EXECUTE'), has_function_privilege($2, p.oid, 'EXECUTE'), \
                EXISTS (SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0) \
         FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace \
         WHERE p.prosecdef AND n.nspname IN ('auth', 'master', 'app') ORDER BY 1",
    )
    .bind(APP_ROLE)
    .bind(READONLY_ROLE)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let names: Vec<&str> = functions.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        ["auth.check_phone_code(uuid,bytea,integer)", "auth.revoke_session(bytea)", "auth.session_user_id(bytea)"]
    );
    for (name, owner, config, app_may, readonly_may, public_may) in &functions {
        assert_eq!(owner, OWNER_ROLE, "{name} runs with its owner's rights: never a superuser's");
        assert_eq!(config, &["search_path=\"\""], "{name} must not resolve names through the caller's search_path");
        assert!(*app_may && !readonly_may && !public_may, "{name}: EXECUTE for {APP_ROLE} only");
    }
}

#[tokio::test]
async fn the_session_functions_see_only_live_sessions() {
    let app = TestApp::new().await;
    let live = [1u8; 32];
    let expired = [2u8; 32];
    sqlx::query(
        "INSERT INTO auth.session (user_id, token_hash, expires_at) VALUES \
         ($1, $2, now() + interval '1 hour'), ($1, $3, now() - interval '1 second')",
    )
    .bind(ALICE_ID.parse::<uuid::Uuid>().unwrap())
    .bind(&live[..])
    .bind(&expired[..])
    .execute(&app.pool)
    .await
    .unwrap();
    let mut conn = connect_as(&app, APP_ROLE).await;
    let user = |hash: [u8; 32]| {
        sqlx::query_scalar::<_, Option<uuid::Uuid>>("SELECT auth.session_user_id($1)").bind(hash.to_vec())
    };
    assert_eq!(user(live).fetch_one(&mut conn).await.unwrap().map(|u| u.to_string()).as_deref(), Some(ALICE_ID));
    assert_eq!(user(expired).fetch_one(&mut conn).await.unwrap(), None);
    let revoke = |hash: [u8; 32]| sqlx::query_scalar::<_, bool>("SELECT auth.revoke_session($1)").bind(hash.to_vec());
    assert!(revoke(live).fetch_one(&mut conn).await.unwrap());
    assert!(!revoke(live).fetch_one(&mut conn).await.unwrap(), "revoked already");
    assert_eq!(user(live).fetch_one(&mut conn).await.unwrap(), None);
}

#[tokio::test]
async fn tables_created_by_later_migrations_get_the_same_grants() {
    let app = TestApp::new().await;
    // As the role that ran the migrations (the test superuser), and as the owner role,
    // which is how migrations run in a deployment.
    let mut admin = app.db.connect().await;
    sqlx::raw_sql(
        "CREATE TABLE app.later (id bigserial PRIMARY KEY, note text); \
         CREATE TABLE master.later (id int PRIMARY KEY); \
         CREATE TABLE auth.later (id int PRIMARY KEY); \
         SET ROLE strata_owner; \
         CREATE TABLE app.later_owned (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text); \
         CREATE TABLE master.later_owned (id int PRIMARY KEY); \
         RESET ROLE",
    )
    .execute(&mut admin)
    .await
    .unwrap();

    let rights: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT t.name, r.role, concat_ws(',', \
                    CASE WHEN has_table_privilege(r.role, t.name, 'SELECT') THEN 'SELECT' END, \
                    CASE WHEN has_table_privilege(r.role, t.name, 'INSERT') THEN 'INSERT' END, \
                    CASE WHEN has_table_privilege(r.role, t.name, 'UPDATE') THEN 'UPDATE' END, \
                    CASE WHEN has_table_privilege(r.role, t.name, 'DELETE') THEN 'DELETE' END, \
                    CASE WHEN has_table_privilege(r.role, t.name, 'TRUNCATE') THEN 'TRUNCATE' END) \
         FROM unnest(ARRAY['app.later', 'app.later_owned', 'master.later', 'master.later_owned', 'auth.later']) AS t(name) \
         CROSS JOIN unnest($1::text[]) AS r(role) ORDER BY 1, 2",
    )
    .bind([APP_ROLE, READONLY_ROLE])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let rights: BTreeMap<String, String> = rights.into_iter().map(|(t, r, p)| (format!("{t} {r}"), p)).collect();
    let expected: BTreeMap<String, String> = [
        ("app.later strata_app", "SELECT,INSERT,UPDATE,DELETE"),
        ("app.later strata_readonly", "SELECT"),
        ("app.later_owned strata_app", "SELECT,INSERT,UPDATE,DELETE"),
        ("app.later_owned strata_readonly", "SELECT"),
        // No defaults in auth: every right there is granted by hand.
        ("auth.later strata_app", ""),
        ("auth.later strata_readonly", ""),
        ("master.later strata_app", "SELECT"),
        ("master.later strata_readonly", "SELECT"),
        ("master.later_owned strata_app", "SELECT"),
        ("master.later_owned strata_readonly", "SELECT"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(rights, expected);

    // And they work: the app writes through the serial's sequence, reporting reads.
    let mut as_app = connect_as(&app, APP_ROLE).await;
    sqlx::raw_sql("INSERT INTO app.later (note) VALUES ('a'); INSERT INTO app.later_owned (note) VALUES ('b')")
        .execute(&mut as_app)
        .await
        .unwrap();
    let mut as_readonly = connect_as(&app, READONLY_ROLE).await;
    let notes: Vec<String> =
        sqlx::query_scalar("SELECT note FROM app.later UNION ALL SELECT note FROM app.later_owned ORDER BY 1")
            .fetch_all(&mut as_readonly)
            .await
            .unwrap();
    assert_eq!(notes, ["a", "b"]);
}

#[tokio::test]
async fn the_owner_role_can_change_the_schema_but_not_roles() {
    let app = TestApp::new().await;
    let mut conn = connect_as(&app, OWNER_ROLE).await;
    // What later migrations do, without a superuser.
    sqlx::raw_sql(
        "ALTER TABLE app.items ADD COLUMN IF NOT EXISTS colour text; \
         CREATE INDEX IF NOT EXISTS items_colour_idx ON app.items (colour); \
         ALTER TABLE auth.\"user\" ADD COLUMN IF NOT EXISTS locale text; \
         CREATE TABLE IF NOT EXISTS master.colours (name text PRIMARY KEY); \
         ALTER TABLE app.items DROP COLUMN colour; \
         ALTER TABLE auth.\"user\" DROP COLUMN locale; \
         DROP TABLE master.colours",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert_denied(
        &mut conn,
        "the owner role",
        &[&[
            "CREATE ROLE mine",
            "GRANT strata_app TO strata_owner",
            "CREATE SCHEMA mine",
            "ALTER ROLE strata_app LOGIN",
        ]],
    )
    .await;
}

/// Applies or rolls back `request` on one track of `db`.
async fn run(db: &TestDb, track: Track, request: Request) {
    let set = MigrationSet::load(&migrations_dir()).unwrap();
    let mut conn = db.connect().await;
    apply::run(&mut conn, &set, track, &request, &Options::default(), &mut ()).await.unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn rolling_the_roles_back_leaves_no_grant_or_owner_behind() {
    let app = TestApp::new().await;
    run(&app.db, Track::Seed, Request::Down(DownTarget::All)).await;
    let before_roles = Version::parse("20251124_000007").unwrap();
    run(&app.db, Track::Migrate, Request::Down(DownTarget::To(before_roles))).await;

    // Nothing in this database refers to the roles any more (they may still exist,
    // kept by other databases of the cluster).
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' ' || d.deptype::text \
         FROM pg_shdepend AS d JOIN pg_roles AS r ON r.oid = d.refobjid \
         WHERE d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND d.refclassid = 'pg_authid'::regclass AND r.rolname = ANY($1)",
    )
    .bind([OWNER_ROLE, APP_ROLE, READONLY_ROLE])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, Vec::<String>::new());
    let default_acls: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_default_acl").fetch_one(&app.pool).await.unwrap();
    assert_eq!(default_acls, 0);
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT pg_get_userbyid(c.relowner)::text FROM pg_class AS c \
         JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname IN ('auth', 'master', 'app')",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let me: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&app.pool).await.unwrap();
    assert_eq!(owners, [me]);

    // Up again: the API works as the application role once more.
    run(&app.db, Track::Migrate, Request::Up { to: None, allow_out_of_order: false }).await;
    run(&app.db, Track::Seed, Request::Up { to: None, allow_out_of_order: false }).await;
    let pool = role_pool(&app.db, APP_ROLE).await;
    let router = strata_app::router(pool, strata_app::AppConfig::default());
    let login = crate::support::send_to(
        &router,
        axum::http::Request::post("/api/auth/login")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"email": "alice@example.com", "password": strata_app::DEMO_PASSWORD}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.json);
}

#[tokio::test]
async fn databases_of_one_cluster_migrate_and_roll_back_the_roles_concurrently() {
    // Roles are shared by the cluster: ups and downs racing in several databases must
    // neither fail nor drop a role another database still uses.
    async fn round(db: &TestDb) {
        let up = || Request::Up { to: None, allow_out_of_order: false };
        run(db, Track::Migrate, up()).await;
        run(db, Track::Migrate, Request::Down(DownTarget::All)).await;
        run(db, Track::Migrate, up()).await;
    }
    let dbs: [TestDb; 4] = std::array::from_fn(|_| TestDb::new());
    tokio::join!(round(&dbs[0]), round(&dbs[1]), round(&dbs[2]), round(&dbs[3]));
    for db in &dbs {
        let pool = role_pool(db, APP_ROLE).await;
        let categories: i64 =
            sqlx::query_scalar("SELECT count(*) FROM master.categories").fetch_one(&pool).await.unwrap();
        assert_eq!(categories, 0, "migrated, and readable by the app role, in {}", db.name());
        pool.close().await;
    }
}
