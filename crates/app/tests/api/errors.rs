//! The error shape for what is not a field's fault: malformed and oversized bodies,
//! unknown routes, a failing or unreachable database.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;
use strata_app::AppConfig;

use crate::support::{TestApp, router_without_database, send_to};

#[tokio::test]
async fn malformed_json_is_400_in_the_issue_shape() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let response = app
        .send(Method::POST, "/api/items", Some("application/json"), b"{\"name\": \"x\",}".to_vec(), Some(&cookie))
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "malformed_json");
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
        response.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_json() {
    let config = AppConfig { max_body_bytes: 1024, ..Default::default() };
    let app = TestApp::with_config(config).await;
    let cookie = app.login_demo("alice@example.com").await;
    let body = json!({"name": "x", "description": "d".repeat(2000)});
    let response = app.post("/api/items", body, Some(&cookie)).await;
    response.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // In process the body has no Content-Length: the limit applies while reading.
    // tests/api/serve.rs sends one with a Content-Length over a real socket.
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::new().await;
    let response = app.get("/api/nothing-here", None).await;
    response.assert_error(StatusCode::NOT_FOUND, "not_found");
    let response = app.request(Method::PUT, "/api/items", None).await;
    response.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn an_unexpected_database_error_is_a_generic_500() {
    let app = TestApp::new().await;
    app.execute("ALTER TABLE master.categories RENAME TO categories_gone").await;
    let response = app.get("/api/categories", None).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.json, json!({"error": "internal_error", "message": "Something went wrong on our side"}));
}

#[tokio::test]
async fn an_unreachable_database_is_503_json() {
    let router = router_without_database(Duration::from_millis(500));
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
