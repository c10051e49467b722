//! Every page renders what a user came for.

use strata_testing::MigrationDir;

use crate::harness::{Studio, hrefs};

#[tokio::test]
async fn the_home_page_shows_every_schema_with_tables_and_estimates() {
    let s = Studio::seeded_with(false, "ANALYZE").await;
    let home = s.get("/").await;
    home.assert_ok();
    for schema in ["auth", "master", "app", "public"] {
        home.assert_contains(&format!("data-schema=\"{schema}\""));
    }
    for table in [
        "/s/auth/user",
        "/s/auth/session",
        "/s/auth/phone_verifications",
        "/s/master/categories",
        "/s/master/locations",
        "/s/app/items",
        "/s/public/migration_history",
    ] {
        home.assert_contains(&format!("href=\"{table}\""));
    }
    let items: i64 = sqlx::query_scalar("SELECT count(*) FROM app.items").fetch_one(&s.pool).await.unwrap();
    home.assert_contains(&format!("~{items}"));
}

#[tokio::test]
async fn views_are_in_the_tree_and_browsable() {
    let s =
        Studio::seeded_with(false, "CREATE VIEW app.active_items AS SELECT id, name FROM app.items WHERE is_active")
            .await;
    s.get("/").await.assert_contains("href=\"/s/app/active_items\"").assert_contains("data-kind=\"view\"");
    let page = s.get("/s/app/active_items").await;
    page.assert_ok().assert_contains("paged by offset");
    s.get("/s/app/active_items/structure").await.assert_ok().assert_text("CREATE VIEW \"app\".\"active_items\" AS");
}

#[tokio::test]
async fn keyset_paging_walks_every_row_once_in_both_directions() {
    let s = Studio::seeded_with(false, "CREATE TABLE app.numbers (id int PRIMARY KEY, n int, label text); INSERT INTO app.numbers SELECT g, g % 7, 'row ' || g FROM generate_series(1, 125) g").await;
    let mut seen = Vec::new();
    let mut path = "/s/app/numbers?limit=20".to_owned();
    let mut pages = Vec::new();
    loop {
        let page = s.get(&path).await;
        page.assert_ok();
        let ids: Vec<i32> = hrefs(&page.body)
            .iter()
            .filter_map(|h| h.strip_prefix("/s/app/numbers/row?c=id&v="))
            .map(|v| v.parse().unwrap())
            .collect();
        seen.extend(ids);
        pages.push(path.clone());
        match hrefs(&page.body).into_iter().find(|h| h.contains("after=")) {
            Some(next) if page.body.contains("rel=\"next\"") => path = next,
            _ => break,
        }
    }
    assert_eq!(seen, (1..=125).collect::<Vec<_>>());
    assert_eq!(pages.len(), 7);
    // Back from the last page: the previous link shows rows 101..120.
    let last = s.get(pages.last().unwrap()).await;
    let prev = hrefs(&last.body).into_iter().find(|h| h.contains("before=")).expect("a previous link");
    let page = s.get(&prev).await;
    page.assert_ok().assert_contains("v=101\"").assert_contains("v=120\"");
    assert!(!page.body.contains("v=121\""));
}

#[tokio::test]
async fn sorting_by_a_nullable_column_pages_through_nulls() {
    let s = Studio::seeded_with(false, "CREATE TABLE app.prices (id int PRIMARY KEY, price int); INSERT INTO app.prices SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 100 - g END FROM generate_series(1, 30) g").await;
    for dir in ["asc", "desc"] {
        let mut path = format!("/s/app/prices?sort=price&dir={dir}&limit=4");
        let mut ids = Vec::new();
        for _ in 0..20 {
            let page = s.get(&path).await;
            page.assert_ok();
            ids.extend(
                hrefs(&page.body)
                    .iter()
                    .filter_map(|h| h.strip_prefix("/s/app/prices/row?c=id&v="))
                    .map(|v| v.parse::<i32>().unwrap()),
            );
            match hrefs(&page.body).into_iter().find(|h| h.contains("after=")) {
                Some(next) if page.body.contains("rel=\"next\"") => path = next,
                _ => break,
            }
        }
        let mut expected: Vec<(Option<i32>, i32)> =
            (1..=30).map(|g| (if g % 3 == 0 { None } else { Some(100 - g) }, g)).collect();
        // PostgreSQL's defaults: NULLs last ascending, first descending.
        expected.sort_by(|a, b| match (a.0, b.0) {
            (None, None) => a.1.cmp(&b.1),
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => x.cmp(&y).then(a.1.cmp(&b.1)),
        });
        if dir == "desc" {
            expected.reverse();
        }
        assert_eq!(ids, expected.iter().map(|e| e.1).collect::<Vec<_>>(), "{dir}");
    }
}

#[tokio::test]
async fn typed_filters_narrow_rows_and_bad_values_are_postgres_errors() {
    let s = Studio::seeded(false).await;
    let some_user = s.scalar("SELECT user_id::text FROM app.items LIMIT 1").await;
    let expected: i64 = sqlx::query_scalar("SELECT count(*) FROM app.items WHERE user_id = $1::uuid")
        .bind(&some_user)
        .fetch_one(&s.pool)
        .await
        .unwrap();
    let page = s.get(&format!("/s/app/items?fc=user_id&fo=eq&fv={some_user}&limit=1000")).await;
    page.assert_ok();
    assert_eq!(hrefs(&page.body).iter().filter(|h| h.starts_with("/s/app/items/row?")).count() as i64, expected);

    s.get("/s/app/items?fc=price_cents&fo=ge&fv=0").await.assert_ok();
    s.get("/s/app/items?fc=description&fo=null&fv=").await.assert_ok();
    s.get("/s/app/items?fc=name&fo=contains&fv=%25").await.assert_ok();
    let bad = s.get("/s/app/items?fc=price_cents&fo=gt&fv=cheap").await;
    assert_eq!(bad.status, 400);
    bad.assert_contains("invalid input syntax for type bigint").assert_contains("22P02");
    let wrong_op = s.get("/s/app/items?fc=is_active&fo=lt&fv=true").await;
    assert_eq!(wrong_op.status, 400);
    wrong_op.assert_contains("does not apply to column is_active");
    assert_eq!(s.get("/s/app/items?fc=nope&fo=eq&fv=1").await.status, 400);
}

#[tokio::test]
async fn foreign_keys_link_across_schemas_in_both_directions() {
    let s = Studio::seeded(false).await;
    let (item, user): (String, String) =
        sqlx::query_as("SELECT id::text, user_id::text FROM app.items ORDER BY id LIMIT 1")
            .fetch_one(&s.pool)
            .await
            .unwrap();
    // Outgoing: the items grid links the owner to its row in auth.user.
    let items = s.get("/s/app/items?limit=1000").await;
    items.assert_ok().assert_contains(&format!("href=\"/s/auth/user/row?c=id&amp;v={user}\""));
    // The row page of the item links too, and says where.
    let row = s.get(&format!("/s/app/items/row?c=id&v={item}")).await;
    row.assert_ok().assert_contains(&format!("/s/auth/user/row?c=id&amp;v={user}")).assert_contains("→ auth.user");
    // Incoming: the user's row lists the items (another schema) that reference it, with a count.
    let owned: i64 = sqlx::query_scalar("SELECT count(*) FROM app.items WHERE user_id = $1::uuid")
        .bind(&user)
        .fetch_one(&s.pool)
        .await
        .unwrap();
    let user_page = s.get(&format!("/s/auth/user/row?c=id&v={user}")).await;
    user_page
        .assert_ok()
        .assert_contains(&format!("href=\"/s/app/items?fc=user_id&amp;fo=eq&amp;fv={user}\""))
        .assert_contains(&format!("{owned} row"))
        .assert_contains("cross-schema");
    // The table page lists referencing tables too.
    s.get("/s/auth/user").await.assert_contains("Referenced by").assert_contains("href=\"/s/app/items\"");
}

#[tokio::test]
async fn the_row_page_shows_whole_values_and_a_missing_row_is_404() {
    let s = Studio::seeded_with(
        false,
        "CREATE TABLE app.notes (id int PRIMARY KEY, body text); INSERT INTO app.notes VALUES (1, repeat('x', 1000))",
    )
    .await;
    let grid = s.get("/s/app/notes").await;
    grid.assert_ok().assert_contains("cut; open the row");
    assert!(!grid.body.contains(&"x".repeat(301)));
    s.get("/s/app/notes/row?c=id&v=1").await.assert_ok().assert_contains(&"x".repeat(1000));
    assert_eq!(s.get("/s/app/notes/row?c=id&v=2").await.status, 404);
    assert_eq!(s.get("/s/app/notes/row").await.status, 400);
    assert_eq!(s.get("/s/app/nothing").await.status, 404);
}

#[tokio::test]
async fn a_table_without_a_primary_key_pages_by_ctid() {
    let s = Studio::seeded_with(
        false,
        "CREATE TABLE app.log (msg text); INSERT INTO app.log SELECT 'line ' || g FROM generate_series(1, 60) g",
    )
    .await;
    let page = s.get("/s/app/log?limit=25").await;
    page.assert_ok().assert_contains("keyset paging by ctid");
    let next = hrefs(&page.body).into_iter().find(|h| h.contains("after=")).unwrap();
    s.get(&next).await.assert_ok().assert_contains("line 26").assert_contains("line 50");
    let row = hrefs(&page.body).into_iter().find(|h| h.starts_with("/s/app/log/row?c=ctid")).unwrap();
    s.get(&row).await.assert_ok().assert_contains("line 1");
}

#[tokio::test]
async fn the_structure_tab_shows_columns_indexes_constraints_triggers_and_ddl() {
    let s = Studio::seeded(false).await;
    let page = s.get("/s/app/items/structure").await;
    page.assert_ok()
        .assert_contains("price_cents")
        .assert_contains("items_user_id_created_at_id_idx")
        .assert_contains("items_name_check")
        .assert_contains("items_touch_updated_at")
        .assert_text("CREATE TABLE \"app\".\"items\" (")
        .assert_text("REFERENCES auth.\"user\"(id) ON DELETE CASCADE");
}

#[tokio::test]
async fn the_ddl_recreates_the_table() {
    let s = Studio::seeded_with(
        false,
        "COMMENT ON TABLE master.categories IS 'it''s a tree'; COMMENT ON COLUMN master.categories.slug IS 'url part'",
    )
    .await;
    let page = s.get("/s/master/categories/structure").await;
    page.assert_ok();
    let start = page.body.find("CREATE TABLE").unwrap();
    let end = start + page.body[start..].find("</code>").unwrap();
    let ddl = crate::harness::unescape(&page.body[start..end]);
    let other = strata_testing::TestDb::new();
    let pool = other.pool().await;
    // The table's DDL names the functions its triggers call (the category-loop check
    // since 20261201_000001) but does not define them: a stand-in does here.
    let functions = "CREATE FUNCTION master.check_category_parent() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN RETURN NEW; END $$;";
    sqlx::raw_sql(&format!("CREATE SCHEMA master; {functions} {ddl}"))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{ddl}\n{e}"));
    let comment: Option<String> =
        sqlx::query_scalar("SELECT obj_description('master.categories'::regclass, 'pg_class')")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(comment.as_deref(), Some("it's a tree"));
    let indexes: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = 'master'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(indexes, 3);
}

#[tokio::test]
async fn the_migrations_tab_shows_applied_pending_modified_and_lint() {
    let s = Studio::seeded(false).await;
    let page = s.get("/migrations").await;
    page.assert_ok()
        .assert_contains("create_items_table")
        .assert_contains("demo_items")
        .assert_contains("state applied");
    assert!(!page.body.contains("state pending"));

    // A copy of the directory with one applied file edited and one new file.
    let dir = MigrationDir::copy_of(&crate::harness::migrations_dir());
    let edited = dir.path().join("migrate/20251124_000004_create_locations_table.up.sql");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}\n-- edited\n")).unwrap();
    dir.write(
        "migrate",
        "20251124_000099_add_thing",
        "CREATE TABLE thing (id int);\n",
        "DROP TABLE IF EXISTS app.thing;\n",
    );
    let studio = s.reconfigured(|c| c.migrations_dir = Some(dir.path().to_owned())).await;
    let page = studio.get("/migrations").await;
    page.assert_ok()
        .assert_contains("state modified")
        .assert_contains("state pending")
        .assert_contains("add_thing")
        .assert_contains("20251124_000099_add_thing.up.sql:1:14");
}

#[tokio::test]
async fn the_diagram_draws_schemas_as_groups_with_cross_schema_keys() {
    let s = Studio::seeded(false).await;
    let page = s.get("/erd").await;
    page.assert_ok();
    for schema in ["auth", "master", "app"] {
        page.assert_contains(&format!("<g class=\"schema\" data-schema=\"{schema}\""));
    }
    page.assert_contains("data-table=\"app.items\"")
        .assert_contains("class=\"fk cross-schema\"")
        .assert_contains("items_user_id_fkey: app.items(user_id) → auth.user(id)");
    let svg = s.get("/erd.svg").await;
    svg.assert_ok();
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert!(svg.body.starts_with("<?xml"));
    assert_eq!(svg.body.matches("class=\"fk cross-schema\"").count(), 3);
}

#[tokio::test]
async fn unknown_pages_are_404_and_assets_are_served() {
    let s = Studio::seeded(false).await;
    assert_eq!(s.get("/nope").await.status, 404);
    let css = s.raw_get("/assets/studio.css", &[]).await;
    css.assert_ok();
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(s.raw_get("/assets/studio.js", &[]).await.status, 200);
    assert_eq!(s.raw_get("/assets/other.js", &[]).await.status, 404);
}
