//! `/api/categories` and `/api/locations`.

use crate::support::TestApp;

#[tokio::test]
async fn categories_come_in_tree_order() {
    let app = TestApp::new().await;
    let categories = app.get_list("/api/categories", "categories").await;
    assert_eq!(categories.len(), 11);
    let slugs: Vec<&str> = categories.iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "electronics",
            "phones",
            "laptops",
            "audio",
            "home-garden",
            "furniture",
            "kitchen",
            "sports",
            "bicycles",
            "camping",
            "books"
        ]
    );
    assert_eq!(categories[0]["parentId"], serde_json::Value::Null);
    assert_eq!(categories[1]["parentId"], categories[0]["id"]);
    assert_eq!(categories[1]["sortOrder"], 10);
    assert_eq!(categories[0]["name"], "Electronics");
}

#[tokio::test]
async fn locations_come_country_region_city() {
    let app = TestApp::new().await;
    let locations = app.get_list("/api/locations", "locations").await;
    assert_eq!(locations.len(), 15);
    let first: Vec<(&str, &str)> =
        locations.iter().take(5).map(|l| (l["kind"].as_str().unwrap(), l["name"].as_str().unwrap())).collect();
    assert_eq!(
        first,
        [
            ("country", "France"),
            ("region", "Île-de-France"),
            ("city", "Paris"),
            ("country", "Germany"),
            ("region", "Bavaria")
        ]
    );
    assert_eq!(locations[0]["code"], "FR");
    assert_eq!(locations[2]["code"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_location_hierarchy_is_enforced_by_the_database() {
    let app = TestApp::new().await;
    // A city directly inside a country skips the region level.
    let err = sqlx::query(
        "INSERT INTO master.locations (parent_id, kind, name) VALUES ('30000000-0000-4000-8000-000000000001', 'city', 'Hamburg')",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("a city cannot be inside a country"), "{err}");
}
