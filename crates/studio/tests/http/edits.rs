//! Write mode: the generated SQL is shown first, then run on confirmation.

use axum::http::StatusCode;

use crate::harness::{Studio, field_value, hrefs};

#[tokio::test]
async fn an_update_shows_its_sql_then_runs_it() {
    let s = Studio::seeded(true).await;
    let id = s.scalar("SELECT id::text FROM app.items ORDER BY id LIMIT 1").await;
    let name = s.scalar(&format!("SELECT name FROM app.items WHERE id = '{id}'")).await;
    let row = s.get(&format!("/s/app/items/row?c=id&v={id}")).await;
    row.assert_ok().assert_contains("Edit row").assert_contains("Delete row");
    let form = s.get(&format!("/s/app/items/edit?c=id&v={id}")).await;
    form.assert_ok();
    assert_eq!(field_value(&form.body, "val.5").as_deref(), Some(name.as_str()));
    let fields =
        [("c", "id"), ("v", id.as_str()), ("val.5", "Renamed"), ("seen.5", name.as_str()), ("action", "preview")];
    let preview = s.post("/s/app/items/edit", &fields).await;
    preview
        .assert_ok()
        .assert_text("UPDATE \"app\".\"items\" SET \"name\" = $1::text::\"pg_catalog\".\"text\" WHERE \"id\" = $2::text::\"pg_catalog\".\"uuid\" AND \"name\"::text IS NOT DISTINCT FROM $3::text RETURNING \"id\"::text")
        .assert_contains("Renamed");
    assert_eq!(
        s.scalar(&format!("SELECT name FROM app.items WHERE id = '{id}'")).await,
        name,
        "preview writes nothing"
    );
    let mut apply = fields.to_vec();
    apply.pop();
    apply.push(("action", "apply"));
    let done = s.post("/s/app/items/edit", &apply).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), format!("/s/app/items/row?c=id&v={id}"));
    assert_eq!(s.scalar(&format!("SELECT name FROM app.items WHERE id = '{id}'")).await, "Renamed");
    // Applying the same edit again: the row no longer holds what was seen.
    let again = s.post("/s/app/items/edit", &apply).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    again.assert_contains("changed or deleted since you opened it");
    // A value the type rejects is PostgreSQL's error, and nothing is written.
    let bad = s
        .post(
            "/s/app/items/edit",
            &[("c", "id"), ("v", &id), ("val.7", "lots"), ("seennull.7", "1"), ("action", "apply")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains("invalid input syntax for type bigint");
}

#[tokio::test]
async fn insert_and_delete_go_through_a_preview() {
    let s = Studio::seeded_with(
        true,
        "CREATE TABLE app.tags (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL, note text)",
    )
    .await;
    let form = s.get("/s/app/tags/insert").await;
    form.assert_ok().assert_contains("mode.2");
    let fields = [("val.2", "green"), ("mode.2", "value"), ("val.3", ""), ("mode.3", "null"), ("mode.1", "default")];
    let preview = s.post("/s/app/tags/insert", &fields).await;
    preview.assert_ok().assert_text("INSERT INTO \"app\".\"tags\" (\"label\", \"note\") VALUES ($1::text::\"pg_catalog\".\"text\", $2::text::\"pg_catalog\".\"text\") RETURNING \"id\"::text");
    let mut apply = fields.to_vec();
    apply.push(("action", "apply"));
    let done = s.post("/s/app/tags/insert", &apply).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/s/app/tags/row?c=id&v=1");
    let preview = s.post("/s/app/tags/delete", &[("c", "id"), ("v", "1")]).await;
    preview.assert_ok().assert_text("DELETE FROM \"app\".\"tags\" WHERE \"id\" = $1::text::\"pg_catalog\".\"int4\"");
    assert_eq!(s.scalar("SELECT count(*)::text FROM app.tags").await, "1");
    let done = s.post("/s/app/tags/delete", &[("c", "id"), ("v", "1"), ("action", "apply")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(s.scalar("SELECT count(*)::text FROM app.tags").await, "0");
}

#[tokio::test]
async fn tables_without_a_primary_key_and_views_are_not_edited() {
    let s = Studio::seeded_with(
        true,
        "CREATE TABLE app.log (msg text); INSERT INTO app.log VALUES ('a'); CREATE VIEW app.v AS SELECT 1 AS x",
    )
    .await;
    let page = s.get("/s/app/log").await;
    assert!(!page.body.contains("Insert row"));
    let row = hrefs(&page.body).into_iter().find(|h| h.starts_with("/s/app/log/row")).unwrap();
    assert!(!s.get(&row).await.body.contains("Edit row"));
    let r = s.post("/s/app/log/delete", &[("c", "ctid"), ("v", "(0,1)"), ("action", "apply")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("has no primary key");
    assert_eq!(s.get("/s/app/v/insert").await.status, StatusCode::BAD_REQUEST);
    // Only the primary key addresses an edited row.
    let email = s.scalar("SELECT email FROM auth.\"user\" LIMIT 1").await;
    let r = s.post("/s/auth/user/delete", &[("c", "email"), ("v", &email), ("action", "apply")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.scalar("SELECT count(*)::text FROM app.log").await, "1");
}
