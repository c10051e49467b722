//! Exports of tables and queries, as CSV and JSON.

use axum::http::StatusCode;

use crate::harness::{Reply, Studio};

/// `GET path`, which must answer 200 with `content_type`.
async fn export(s: &Studio, path: &str, content_type: &str) -> Reply {
    let r = s.get(path).await;
    r.assert_ok();
    assert_eq!(r.header("content-type"), content_type);
    r
}

#[tokio::test]
async fn a_table_exports_as_csv_with_its_filters_and_order() {
    let s = Studio::seeded_with(false, "CREATE TABLE app.t (id int PRIMARY KEY, name text, note text); INSERT INTO app.t VALUES (1, 'a,b', NULL), (2, 'say \"hi\"', ''), (3, 'skip', 'x')").await;
    let r = export(&s, "/s/app/t/export?format=csv&fc=name&fo=ne&fv=skip&sort=id&dir=desc", "text/csv; charset=utf-8")
        .await;
    assert!(r.header("content-disposition").contains("filename=\"app.t.csv\""));
    assert_eq!(r.body, "id,name,note\r\n2,\"say \"\"hi\"\"\",\"\"\r\n1,\"a,b\",\r\n");
}

#[tokio::test]
async fn a_large_table_streams_every_row() {
    let s = Studio::seeded_with(false, "CREATE TABLE app.many (id int PRIMARY KEY, v numeric, ok boolean, doc jsonb); INSERT INTO app.many SELECT g, g / 4.0, g % 2 = 0, jsonb_build_object('g', g) FROM generate_series(1, 25000) g").await;
    let r = export(&s, "/s/app/many/export?format=json", "application/json").await;
    assert!(r.header("content-length").is_empty(), "streamed, not buffered");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(rows.len(), 25000);
    assert_eq!(rows[1], serde_json::json!({"id": 2, "v": 0.5, "ok": true, "doc": {"g": 2}}));
    let csv = s.get("/s/app/many/export?format=csv").await;
    assert_eq!(csv.body.lines().count(), 25001);
}

#[tokio::test]
async fn a_query_exports_through_post() {
    let s = Studio::seeded(false).await;
    let r = s
        .post(
            "/console/export",
            &[("sql", "SELECT g AS n, 'x' || g AS s FROM generate_series(1, 3) g"), ("format", "json")],
        )
        .await;
    r.assert_ok();
    assert!(r.header("content-disposition").contains("query.json"));
    let rows: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(rows, serde_json::json!([{"n": 1, "s": "x1"}, {"n": 2, "s": "x2"}, {"n": 3, "s": "x3"}]));
    let r = s.post("/console/export", &[("sql", "SELECT 1 AS one WHERE false"), ("format", "csv")]).await;
    assert_eq!(r.body, "one\r\n");
    let r = s.post("/console/export", &[("sql", "DELETE FROM app.items RETURNING id"), ("format", "csv")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("only a query");
    let r = s.post("/console/export", &[("sql", "SELECT 1"), ("format", "xls")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
