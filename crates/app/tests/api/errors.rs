//! The error shape for what is not a field's fault: malformed and oversized bodies,
//! unknown routes, a failing or unreachable database.

use axum::http::{Method, StatusCode};
use serde_json::json;
use strata_app::AppConfig;

use crate::support::{TestApp, send_to};

#[tokio::test]
async fn malformed_json_is_400_in_the_issue_shape() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let response = app
        .send(Method::POST, "/api/items", Some("application/json"), b"{\"name\": \"x\",}".to_vec(), Some(&cookie))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json["error"], "malformed_json");
    assert_eq!(response.issues(), [":invalid_json"]);
    let message = response.json["issues"][0]["message"].as_str().unwrap();
    assert!(message.contains("line 1 column"), "{message}");
    let response = app.send(Method::POST, "/api/auth/login", Some("application/json"), Vec::new(), None).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::new().await;
    for content_type in [None, Some("text/plain")] {
        let response = app.send(Method::POST, "/api/auth/login", content_type, b"{}".to_vec(), None).await;
        assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(response.json["error"], "unsupported_media_type");
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_json() {
    let config = AppConfig { max_body_bytes: 1024, ..Default::default() };
    let app = TestApp::with_config(config).await;
    let cookie = app.login_demo("alice@example.com").await;
    let body = json!({"name": "x", "description": "d".repeat(2000)});
    let response = app.post("/api/items", body, Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.json["error"], "payload_too_large");
    // In process the body has no Content-Length: the limit applies while reading.
    // tests/api/serve.rs sends one with a Content-Length over a real socket.
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::new().await;
    let response = app.get("/api/nothing-here", None).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json["error"], "not_found");
    let response = app.send(Method::PUT, "/api/items", None, Vec::new(), None).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.json["error"], "method_not_allowed");
}

#[tokio::test]
async fn an_unexpected_database_error_is_a_generic_500() {
    let app = TestApp::new().await;
    sqlx::query("ALTER TABLE master.categories RENAME TO categories_gone").execute(&app.pool).await.unwrap();
    let response = app.get("/api/categories", None).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.json, json!({"error": "internal_error", "message": "Something went wrong on our side"}));
}

#[tokio::test]
async fn an_unreachable_database_is_503_json() {
    // Nothing listens on port 1; the pool gives up after its acquire timeout.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    let router = strata_app::router(pool, AppConfig::default());
    for uri in ["/api/items", "/api/categories"] {
        let request = axum::http::Request::get(uri).body(axum::body::Body::empty()).unwrap();
        let response = send_to(&router, request).await;
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert_eq!(response.json["error"], "database_unavailable");
    }
    // Requests that need no database still work.
    let request = axum::http::Request::get("/api/openapi.json").body(axum::body::Body::empty()).unwrap();
    assert_eq!(send_to(&router, request).await.status, StatusCode::OK);
}
