//! `/api/items`: listing, filters, pagination, and owner-only writes.

use std::collections::HashSet;

use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use strata_app::AppConfig;
use strata_app::domain::ItemQuery;

use crate::support::{ALICE_ID, BOB_ID, TestApp};

const PHONES: &str = "20000000-0000-4000-8000-000000000011";
const ELECTRONICS: &str = "20000000-0000-4000-8000-000000000001";
const GERMANY: &str = "30000000-0000-4000-8000-000000000001";
const MUNICH: &str = "30000000-0000-4000-8000-000000000121";
const FIRST_SEED_ITEM: &str = "40000000-0000-4000-8000-000000000001";
/// Bob's seeded item, as the API addresses it.
const BOB_ITEM: &str = "/api/items/40000000-0000-4000-8000-000000000004";
const MISSING: &str = "00000000-0000-4000-8000-00000000dead";

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_list_joins_each_item_with_its_owner_newest_first() {
    let app = TestApp::new().await;
    let response = app.get("/api/items", None).await;
    assert_eq!(response.status, StatusCode::OK);
    let items = response.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    let first = &items[0];
    assert_eq!(first["id"], FIRST_SEED_ITEM);
    assert_eq!(first["owner"], json!({"id": BOB_ID, "displayName": "Bob Demo"}));
    let keys: HashSet<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    let expected: HashSet<&str> = [
        "id",
        "name",
        "description",
        "priceCents",
        "categoryId",
        "locationId",
        "isActive",
        "createdAt",
        "updatedAt",
        "owner",
    ]
    .into();
    assert_eq!(keys, expected);
    let created: Vec<&str> = items.iter().map(|i| i["createdAt"].as_str().unwrap()).collect();
    let mut sorted = created.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);
    assert!(response.json["nextCursor"].is_string());
}

#[tokio::test]
async fn keyset_pages_cover_every_item_once_and_stay_stable_under_inserts() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/items?limit=25&cursor={c}"),
            None => "/api/items?limit=25".to_owned(),
        };
        let page = app.get(&uri, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        seen.extend(ids(&page.json));
        pages += 1;
        if pages == 1 {
            // A new item appears at the front; the following pages must not shift.
            let created = app.post("/api/items", json!({"name": "new while paging"}), Some(&cookie)).await;
            assert_eq!(created.status, StatusCode::CREATED);
        }
        match page.json["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 60);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 60, "no item twice");
}

#[tokio::test]
async fn ties_on_created_at_are_broken_by_id() {
    let app = TestApp::new().await;
    app.execute("UPDATE app.items SET created_at = timestamptz '2025-01-01 00:00:00+00'").await;
    let mut seen = HashSet::new();
    let mut uri = "/api/items?limit=7".to_owned();
    loop {
        let page = app.get(&uri, None).await;
        for id in ids(&page.json) {
            assert!(seen.insert(id), "duplicate across pages");
        }
        match page.json["nextCursor"].as_str() {
            Some(next) => uri = format!("/api/items?limit=7&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 60);
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let app = TestApp::new().await;
    let count = |uri: String| {
        let app = &app;
        async move { app.get_list(&format!("{uri}&limit=100"), "items").await }
    };
    let inactive = count("/api/items?active=false".into()).await;
    assert_eq!(inactive.len(), 8);
    assert!(inactive.iter().all(|i| i["isActive"] == false));
    assert_eq!(count("/api/items?active=true".into()).await.len(), 52);

    let phones = count(format!("/api/items?category={PHONES}")).await;
    assert!(!phones.is_empty() && phones.iter().all(|i| i["categoryId"] == PHONES));
    // A parent category includes its subcategories (phones, laptops, audio).
    let electronics = count(format!("/api/items?category={ELECTRONICS}")).await;
    assert!(electronics.len() > phones.len());

    let munich = count(format!("/api/items?location={MUNICH}")).await;
    assert!(!munich.is_empty() && munich.iter().all(|i| i["locationId"] == MUNICH));
    // A country includes its regions' cities (Berlin, Munich, Nuremberg).
    let germany = count(format!("/api/items?location={GERMANY}")).await;
    assert!(germany.len() > munich.len());

    let alices = count(format!("/api/items?owner={ALICE_ID}")).await;
    assert_eq!(alices.len(), 20);
    assert!(alices.iter().all(|i| i["owner"]["id"] == ALICE_ID));

    let kettles = count("/api/items?q=KETTLE".into()).await;
    assert!(!kettles.is_empty() && kettles.iter().all(|i| i["name"].as_str().unwrap().contains("kettle")));

    let combined = count(format!("/api/items?owner={ALICE_ID}&active=true&location={GERMANY}")).await;
    assert!(combined.iter().all(|i| i["owner"]["id"] == ALICE_ID && i["isActive"] == true));
}

#[tokio::test]
async fn search_text_is_matched_literally() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    app.post("/api/items", json!({"name": "100% cotton_shirt"}), Some(&cookie)).await;
    let percent = app.get("/api/items?q=100%25", None).await;
    assert_eq!(ids(&percent.json).len(), 1);
    // `_` is not a wildcard: "cotton shirt" does not match "cotton_shirt".
    let underscore = app.get("/api/items?q=cotton%20shirt", None).await;
    assert_eq!(ids(&underscore.json).len(), 0);
    let quote = app.get("/api/items?q=%27%3B%20DROP%20TABLE%20app.items%3B--", None).await;
    assert_eq!(quote.status, StatusCode::OK);
    assert_eq!(app.get("/api/items", None).await.json["items"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn bad_query_parameters_are_all_reported() {
    let app = TestApp::new().await;
    let response = app.get("/api/items?active=maybe&category=12&limit=0&cursor=xyz&sort=name", None).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.issues(),
        [
            "active:invalid_type",
            "category:invalid_string",
            "limit:too_small",
            "cursor:invalid_string",
            "sort:unrecognized_keys"
        ]
    );
    let response = app.get("/api/items?limit=101", None).await;
    assert_eq!(response.issues(), ["limit:too_big"]);
    let response = app.get(&format!("/api/items?q={}", "a".repeat(201)), None).await;
    assert_eq!(response.issues(), ["q:too_big"]);
}

#[tokio::test]
async fn the_maximum_page_size_is_configurable() {
    let config = strata_app::AppConfig { max_page_size: 10, default_page_size: 5, ..Default::default() };
    let app = TestApp::with_config(config).await;
    assert_eq!(ids(&app.get("/api/items", None).await.json).len(), 5);
    assert_eq!(ids(&app.get("/api/items?limit=10", None).await.json).len(), 10);
    assert_eq!(app.get("/api/items?limit=11", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn create_returns_the_item_with_its_owner() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let body = json!({
        "name": "Lamp", "description": "Brass", "priceCents": 4500,
        "categoryId": "20000000-0000-4000-8000-000000000021", "locationId": MUNICH, "isActive": false
    });
    let response = app.post("/api/items", body, Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    let item = &response.json;
    let id = item["id"].as_str().unwrap();
    assert_eq!(response.headers.get(LOCATION).unwrap(), &format!("/api/items/{id}"));
    assert_eq!(item["name"], "Lamp");
    assert_eq!(item["description"], "Brass");
    assert_eq!(item["priceCents"], 4500);
    assert_eq!(item["locationId"], MUNICH);
    assert_eq!(item["isActive"], false);
    assert_eq!(item["owner"], json!({"id": ALICE_ID, "displayName": "Alice Demo"}));
    assert_eq!(item["createdAt"], item["updatedAt"]);
    let fetched = app.get(&format!("/api/items/{id}"), None).await;
    assert_eq!(fetched.json, response.json);
}

#[tokio::test]
async fn create_with_only_a_name_defaults_the_rest() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let response = app.post("/api/items", json!({"name": "Just a name", "description": null}), Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::CREATED);
    let item = &response.json;
    assert_eq!(
        (item["isActive"].clone(), item["description"].clone(), item["priceCents"].clone()),
        (json!(true), Value::Null, Value::Null)
    );
    assert_eq!((item["categoryId"].clone(), item["locationId"].clone()), (Value::Null, Value::Null));
}

#[tokio::test]
async fn create_reports_every_rule_at_once_and_writes_nothing() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM app.items").fetch_one(&app.pool).await.unwrap();
    let body = json!({
        "name": "   ", "description": "d".repeat(5001), "priceCents": -1,
        "categoryId": "not-a-uuid", "locationId": 7, "isActive": "yes", "owner": ALICE_ID
    });
    let response = app.post("/api/items", body, Some(&cookie)).await;
    response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        response.issues(),
        [
            "name:too_small",
            "description:too_big",
            "priceCents:too_small",
            "categoryId:invalid_string",
            "locationId:invalid_type",
            "isActive:invalid_type",
            "owner:unrecognized_keys",
        ]
    );
    let cases = [
        (json!({}), "name:invalid_type"),
        (json!({"name": null}), "name:invalid_type"),
        (json!({"name": 12}), "name:invalid_type"),
        (json!({"name": "x".repeat(256)}), "name:too_big"),
        (json!({"name": "x", "priceCents": 1.5}), "priceCents:invalid_type"),
        (json!({"name": "x", "priceCents": 9_007_199_254_740_992_i64}), "priceCents:too_big"),
        (json!({"name": "x", "priceCents": "12"}), "priceCents:invalid_type"),
    ];
    for (body, issue) in cases {
        let response = app.post("/api/items", body.clone(), Some(&cookie)).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(response.issues(), [issue], "{body}");
    }
    let not_object = app.post("/api/items", json!(["name"]), Some(&cookie)).await;
    assert_eq!(not_object.issues(), [":invalid_type"]);
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM app.items").fetch_one(&app.pool).await.unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_largest_valid_values_are_accepted() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let body =
        json!({"name": "é".repeat(255), "description": "d".repeat(5000), "priceCents": 9_007_199_254_740_991_i64});
    let response = app.post("/api/items", body, Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    assert_eq!(response.json["priceCents"], 9_007_199_254_740_991_i64);
}

/// Creates an item as alice, and changes bob's first seeded item as bob, with each
/// body of `cases`: each must be refused with 422 and exactly its issues.
async fn assert_reference_issues(app: &TestApp, cases: &[(Method, Value, &[&str])]) {
    let alice = app.login_demo("alice@example.com").await;
    let bob = app.login_demo("bob@example.com").await;
    let bobs_item = format!("/api/items/{FIRST_SEED_ITEM}");
    for (method, body, issues) in cases {
        let (uri, cookie) = if *method == Method::POST { ("/api/items", &alice) } else { (bobs_item.as_str(), &bob) };
        let response = app.json(method.clone(), uri, body.clone(), Some(cookie)).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {body}: {}", response.json);
        assert_eq!(response.issues(), *issues, "{method} {body}");
    }
}

#[tokio::test]
async fn a_missing_category_or_location_is_a_validation_issue() {
    let app = TestApp::new().await;
    assert_reference_issues(
        &app,
        &[
            (Method::POST, json!({"name": "x", "categoryId": MISSING}), &["categoryId:invalid_reference"]),
            (Method::POST, json!({"name": "x", "locationId": MISSING}), &["locationId:invalid_reference"]),
            (Method::PATCH, json!({"categoryId": MISSING}), &["categoryId:invalid_reference"]),
        ],
    )
    .await;
}

// Regression: with both a missing category and a missing location, only the first
// was reported.
#[tokio::test]
async fn a_missing_category_and_location_are_both_reported() {
    let app = TestApp::new().await;
    let both = ["categoryId:invalid_reference", "locationId:invalid_reference"];
    assert_reference_issues(
        &app,
        &[
            (Method::POST, json!({"name": "x", "categoryId": MISSING, "locationId": MISSING}), &both),
            (Method::PATCH, json!({"categoryId": MISSING, "locationId": MISSING}), &both),
            // A valid one beside a missing one: only the missing one is reported.
            (Method::PATCH, json!({"categoryId": PHONES, "locationId": MISSING}), &["locationId:invalid_reference"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn sql_metacharacters_are_stored_verbatim() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let name = "Robert'); DROP TABLE app.items;-- \"quoted\" \\ back $1 %s";
    let description = "'; DELETE FROM auth.\"user\" WHERE ''=''; -- \u{0}? no: \u{1F600} emoji";
    let description = description.replace('\u{0}', "");
    let response = app.post("/api/items", json!({"name": name, "description": description}), Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    assert_eq!(response.json["name"], name);
    let id = response.json["id"].as_str().unwrap();
    let stored: (String, String) = sqlx::query_as("SELECT name, description FROM app.items WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, (name.to_owned(), description.clone()));
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.\"user\"").fetch_one(&app.pool).await.unwrap();
    assert_eq!(users, 3);
}

#[tokio::test]
async fn writes_need_a_session() {
    let app = TestApp::new().await;
    let uri = format!("/api/items/{FIRST_SEED_ITEM}");
    assert_eq!(app.post("/api/items", json!({"name": "x"}), None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.patch(&uri, json!({"name": "x"}), None).await.status, StatusCode::UNAUTHORIZED);
    let response = app.request(Method::DELETE, &uri, None).await;
    response.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn create_checks_the_session_in_its_own_statement_and_before_the_body() {
    // POST /api/items looks the session up in the statement that inserts. An unknown or
    // expired session is 401 and inserts nothing, and 401 comes before any error of the
    // body, as when the session was read first; with a live session, the body's error.
    let app = TestApp::new().await;
    let bob = app.login_demo("bob@example.com").await;
    sqlx::query("UPDATE auth.session SET expires_at = now() - interval '1 second' WHERE user_id = $1::uuid")
        .bind(BOB_ID)
        .execute(&app.pool)
        .await
        .unwrap();
    let unknown = format!("strata_session={}", "0123456789abcdef".repeat(4));
    let items = || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM app.items").fetch_one(&app.pool).await };
    let before = items().await.unwrap();
    for cookie in [unknown.as_str(), bob.as_str()] {
        for body in [br#"{"name": "x"}"#.as_slice(), br#"{"name": ""}"#, b"{not json"] {
            let response =
                app.send(Method::POST, "/api/items", Some("application/json"), body.to_vec(), Some(cookie)).await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{cookie} {}", String::from_utf8_lossy(body));
            assert_eq!(response.json["error"], "unauthenticated");
        }
    }
    assert_eq!(items().await.unwrap(), before, "nothing inserted without a live session");
    let alice = app.login_demo("alice@example.com").await;
    let response = app.post("/api/items", json!({"name": ""}), Some(&alice)).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.json);
    let response =
        app.send(Method::POST, "/api/items", Some("application/json"), b"{not json".to_vec(), Some(&alice)).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST, "{}", response.json);
    let response = app.post("/api/items", json!({"name": "mine"}), Some(&alice)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    assert_eq!(response.json["owner"]["id"], ALICE_ID);
    assert_eq!(items().await.unwrap(), before + 1);
}

#[tokio::test]
async fn only_the_owner_changes_or_deletes_an_item() {
    let app = TestApp::new().await;
    let alice = app.login_demo("alice@example.com").await;
    let before = app.get(BOB_ITEM, None).await.json;
    let response = app.patch(BOB_ITEM, json!({"name": "mine now"}), Some(&alice)).await;
    response.assert_error(StatusCode::FORBIDDEN, "forbidden");
    // Even an empty change is refused to someone else.
    assert_eq!(app.patch(BOB_ITEM, json!({}), Some(&alice)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.request(Method::DELETE, BOB_ITEM, Some(&alice)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(BOB_ITEM, None).await.json, before, "nothing changed");
}

#[tokio::test]
async fn the_owner_patches_any_subset_and_null_clears() {
    let app = TestApp::new().await;
    let bob = app.login_demo("bob@example.com").await;
    let before = app.get(BOB_ITEM, None).await.json;
    let response =
        app.patch(BOB_ITEM, json!({"priceCents": 999, "description": null, "locationId": null}), Some(&bob)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.json);
    let after = &response.json;
    assert_eq!(after["priceCents"], 999);
    assert_eq!(after["description"], Value::Null);
    assert_eq!(after["locationId"], Value::Null);
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["categoryId"], before["categoryId"]);
    assert_eq!(after["createdAt"], before["createdAt"]);
    assert_ne!(after["updatedAt"], before["updatedAt"], "the trigger moves updated_at");

    let unchanged = app.patch(BOB_ITEM, json!({}), Some(&bob)).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(&unchanged.json, after);

    let invalid =
        app.patch(BOB_ITEM, json!({"name": null, "isActive": null, "priceCents": -5, "extra": 1}), Some(&bob)).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invalid.issues(),
        ["name:invalid_type", "priceCents:too_small", "isActive:invalid_type", "extra:unrecognized_keys"]
    );
}

#[tokio::test]
async fn the_trigger_keeps_created_at_even_when_sql_changes_it() {
    let app = TestApp::new().await;
    let (created, updated): (String, String) = sqlx::query_as(
        "UPDATE app.items SET created_at = now(), name = 'x' WHERE id = $1::uuid RETURNING created_at::text, updated_at::text",
    )
    .bind(FIRST_SEED_ITEM)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(created.starts_with("2025-11-24"), "{created}");
    assert_ne!(created, updated);
}

#[tokio::test]
async fn the_owner_deletes() {
    let app = TestApp::new().await;
    let bob = app.login_demo("bob@example.com").await;
    let response = app.request(Method::DELETE, BOB_ITEM, Some(&bob)).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(BOB_ITEM, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.request(Method::DELETE, BOB_ITEM, Some(&bob)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_and_malformed_ids() {
    let app = TestApp::new().await;
    let bob = app.login_demo("bob@example.com").await;
    let missing = format!("/api/items/{MISSING}");
    let response = app.get(&missing, None).await;
    response.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.patch(&missing, json!({"name": "x"}), Some(&bob)).await.status, StatusCode::NOT_FOUND);
    let response = app.get("/api/items/not-a-uuid", None).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.issues(), ["id:invalid_string"]);
}

#[tokio::test]
async fn deleting_a_user_deletes_their_items() {
    let app = TestApp::new().await;
    sqlx::query("DELETE FROM auth.\"user\" WHERE id = $1::uuid").bind(ALICE_ID).execute(&app.pool).await.unwrap();
    let page = app.get(&format!("/api/items?owner={ALICE_ID}"), None).await;
    assert_eq!(ids(&page.json).len(), 0);
    assert_eq!(app.get("/api/items?limit=100", None).await.json["items"].as_array().unwrap().len(), 40);
}

// Regression: with the page size bound (`LIMIT $1`) PostgreSQL planned the list again on every request.
#[tokio::test]
async fn the_item_list_is_planned_once_per_connection_not_per_request() {
    let app = TestApp::new().await;
    // Enough rows that a generic plan guessing an unknown limit (10% of the table) loses
    // to a custom plan that knows it: with the 60 seeded items the guess happens to win.
    sqlx::query(
        "INSERT INTO app.items (user_id, name) SELECT $1::uuid, 'bulk ' || n FROM generate_series(1, 5000) AS n",
    )
    .bind(ALICE_ID)
    .execute(&app.pool)
    .await
    .unwrap();
    app.execute("ANALYZE app.items").await;
    // One connection: every execution below reuses one session's prepared statements.
    let pool = strata_app::db::Db::new(PgPoolOptions::new().max_connections(1).connect(app.db.url()).await.unwrap());
    let limits = AppConfig::default().page_limits();
    let plans = |raw: &'static str| {
        let pool = pool.clone();
        async move {
            let query = ItemQuery::parse(raw, limits).unwrap();
            for _ in 0..10 {
                strata_app::db::items::list(&pool, &query).await.unwrap();
            }
            let (custom, generic): (i64, i64) = sqlx::query_as(
                "SELECT custom_plans, generic_plans FROM pg_prepared_statements \
                 WHERE starts_with(statement, 'SELECT i.id') ORDER BY prepare_time DESC LIMIT 1",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            (custom, generic)
        }
    };
    // The first page has no parameter left: one plan, reused.
    assert_eq!(plans("").await, (0, 10));
    assert_eq!(plans("limit=5").await, (0, 10));
    // With a filter PostgreSQL tries five custom plans, then keeps the generic one.
    assert_eq!(plans(concat!("owner=", "10000000-0000-4000-8000-000000000002")).await, (5, 5));
}

// Regression: a path segment that is not UTF-8 once percent-decoded was axum's plain-text 400.
#[tokio::test]
async fn an_id_that_is_not_utf8_is_an_issue_on_id() {
    let app = TestApp::new().await;
    let bob = app.login_demo("bob@example.com").await;
    for method in [Method::GET, Method::DELETE] {
        let response = app.request(method, "/api/items/%FF", Some(&bob)).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.issues(), ["id:invalid_string"]);
    }
    let response = app.patch("/api/items/%FF", json!({"name": "x"}), Some(&bob)).await;
    assert_eq!(response.issues(), ["id:invalid_string"]);
}
