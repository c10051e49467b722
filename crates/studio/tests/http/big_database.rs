//! The home page and the tree on 500 tables across 10 schemas: schemas start
//! collapsed, and a filter by table name keeps only the matches.

use strata_testing::TestDb;

use crate::erd_schema;
use crate::harness::Studio;

const SCHEMAS: [&str; 10] = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"];

async fn big() -> Studio {
    let s = Studio::on(TestDb::new(), false).await;
    s.exec(&erd_schema::sql(&SCHEMAS, 500, 5, false)).await;
    s
}

#[tokio::test]
async fn with_500_tables_the_home_page_starts_collapsed_and_filters_by_name() {
    let s = big().await;
    let home = s.get("/").await;
    home.assert_ok().assert_contains("500 tables and views");
    for schema in SCHEMAS {
        home.assert_contains(&format!("<details class=\"schema-card\" data-schema=\"{schema}\">"));
    }
    // The tree: every schema collapsed, with the filter box on top.
    home.assert_contains(r#"<form class="tree-filter" method="get" action="/" role="search">"#);
    assert!(!home.body.contains("<details class=\"schema\" data-schema=\"s3\" open"));

    // s3_t150 .. s3_t159 and nothing else hold "t15".
    let found = s.get("/?q=T15").await;
    found.assert_ok().assert_contains("<strong>10</strong> match <code>T15</code>");
    found.assert_contains("<details class=\"schema-card\" data-schema=\"s3\" open>");
    assert_eq!(found.body.matches("href=\"/s/s3/s3_t15").count(), 10 + 10, "home and tree");
    assert!(!found.body.contains("<details class=\"schema-card\" data-schema=\"s4\""));
    assert!(found.body.contains(r#"value="T15""#));
}
