//! The diagram on a generated schema of 40 tables across three schemas: edges
//! routed around the boxes they do not connect, the same SVG for the same schema,
//! the schema filter and the neighbourhood of one table.

use strata_testing::TestDb;

use crate::erd_schema;
use crate::harness::Studio;

const SCHEMAS: [&str; 3] = ["sales", "stock", "people"];
const TABLES: usize = 40;
const SEED: u64 = 17;

async fn generated(reverse: bool) -> Studio {
    let db = TestDb::new();
    let studio = Studio::on(db, false).await;
    studio.exec(&erd_schema::sql(&SCHEMAS, TABLES, SEED, reverse)).await;
    studio
}

// Issue 17: on a real 36-table schema, 25 of 35 edges crossed boxes they do not connect.
#[tokio::test]
async fn at_most_a_tenth_of_the_edges_pass_through_a_box_they_do_not_connect() {
    let s = generated(false).await;
    let keys: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'").fetch_one(&s.pool).await.unwrap();
    assert!(keys >= 40, "the generator made {keys} keys");
    let svg = s.get("/erd.svg").await;
    svg.assert_ok();
    let boxes = erd_schema::boxes(&svg.body);
    assert_eq!(boxes.len(), TABLES);
    let (bad, edges) = erd_schema::edges_through_boxes(&svg.body);
    assert_eq!(edges as i64, keys);
    println!("{bad} of {edges} edges pass through a box they do not connect");
    assert!(bad * 10 <= edges, "{bad} of {edges} edges pass through a box they do not connect");
    // No two boxes overlap.
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
            assert!(apart, "{} and {} overlap", a.table, b.table);
        }
    }
}

// Issue 17's real case was one schema of 36 tables: one group, many layers.
#[tokio::test]
async fn in_one_schema_of_36_tables_no_edge_passes_through_a_box() {
    let s = Studio::on(TestDb::new(), false).await;
    s.exec(&erd_schema::sql(&["shop"], 36, 3, false)).await;
    let svg = s.get("/erd.svg?schema=shop").await;
    svg.assert_ok();
    assert_eq!(erd_schema::boxes(&svg.body).len(), 36);
    let (bad, edges) = erd_schema::edges_through_boxes(&svg.body);
    println!("one schema: {bad} of {edges} edges pass through a box they do not connect");
    assert!(edges >= 35 && bad == 0, "{bad} of {edges}");
}

#[tokio::test]
async fn the_same_schema_gives_the_same_svg_to_the_byte() {
    let (forward, backward) = (generated(false).await, generated(true).await);
    let a = forward.get("/erd.svg").await;
    a.assert_ok();
    assert_eq!(a.body, forward.get("/erd.svg").await.body, "two requests");
    let b = backward.get("/erd.svg").await;
    // Tables created in the opposite order: other OIDs, the same drawing.
    assert_eq!(erd_schema::boxes(&b.body).len(), TABLES);
    assert!(a.body == b.body, "the drawings differ");
}

#[tokio::test]
async fn the_schema_filter_draws_only_the_schemas_asked_for() {
    let s = generated(false).await;
    let page = s.get("/erd?schema=sales&schema=stock").await;
    page.assert_ok()
        .assert_contains("<g class=\"schema\" data-schema=\"sales\"")
        .assert_contains("<g class=\"schema\" data-schema=\"stock\"")
        .assert_contains(r#"<input type="checkbox" name="schema" value="sales" checked>"#)
        .assert_contains(r#"<input type="checkbox" name="schema" value="people">"#)
        .assert_contains(r#"href="/erd.svg?schema=sales&amp;schema=stock""#)
        .assert_contains("foreign keys to or from schemas not shown are left out");
    assert!(!page.body.contains("<g class=\"schema\" data-schema=\"people\""));
    let svg = s.get("/erd.svg?schema=people").await;
    let boxes = erd_schema::boxes(&svg.body);
    assert!(!boxes.is_empty() && boxes.iter().all(|b| b.table.starts_with("people.")));
    for e in erd_schema::edges(&svg.body) {
        assert!(e.from.starts_with("people.") && e.to.starts_with("people."), "{e:?}");
    }
    let missing = s.get("/erd?schema=nope").await;
    assert_eq!(missing.status, 404);
    missing.assert_contains("there is no schema nope");
}

#[tokio::test]
async fn the_neighbourhood_of_a_table_is_linked_from_its_page() {
    let s = generated(false).await;
    let (schema, table) = ("sales", "sales_t003");
    let near: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT other::regclass::text FROM (
             SELECT confrelid AS other FROM pg_constraint WHERE contype = 'f' AND conrelid = 'sales.sales_t003'::regclass
             UNION SELECT conrelid FROM pg_constraint WHERE contype = 'f' AND confrelid = 'sales.sales_t003'::regclass
             UNION SELECT 'sales.sales_t003'::regclass) n(other) ORDER BY 1",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    assert!(near.len() >= 3, "{near:?}");
    let href = "/erd?schema=sales&table=sales_t003";
    s.get(&format!("/s/{schema}/{table}"))
        .await
        .assert_ok()
        .assert_contains(&format!("href=\"{}\"", href.replace('&', "&amp;")));
    let page = s.get(href).await;
    page.assert_ok().assert_contains("data-table=\"sales.sales_t003\" data-focus=\"true\"");
    let svg = s.get("/erd.svg?schema=sales&table=sales_t003").await;
    let mut drawn: Vec<String> = erd_schema::boxes(&svg.body).into_iter().map(|b| b.table).collect();
    drawn.sort();
    assert_eq!(drawn, near);
    for e in erd_schema::edges(&svg.body) {
        assert!(e.from == "sales.sales_t003" || e.to == "sales.sales_t003", "{e:?}");
    }
    assert_eq!(s.get("/erd?schema=sales&table=nope").await.status, 404);
    assert_eq!(s.get("/erd?table=sales_t003").await.status, 400);
}
