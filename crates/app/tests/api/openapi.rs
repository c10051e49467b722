//! The OpenAPI document: served, complete, and in agreement with the body parsers.

use axum::http::StatusCode;
use serde_json::{Value, json};
use strata_app::domain::{
    FromInput, Input, IssueCode, ItemChanges, Login, NewItem, PhoneCheck, PhoneStart, Registration,
};

use crate::support::TestApp;

#[tokio::test]
async fn the_document_is_served_and_lists_every_endpoint() {
    let app = TestApp::new().await;
    let response = app.get("/api/openapi.json", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "application/json");
    let doc = &response.json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("/api/auth/register", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/auth/me", "get"),
        ("/api/auth/phone/start", "post"),
        ("/api/auth/phone/verify", "post"),
        ("/api/categories", "get"),
        ("/api/locations", "get"),
        ("/api/items", "get"),
        ("/api/items", "post"),
        ("/api/items/{id}", "get"),
        ("/api/items/{id}", "patch"),
        ("/api/items/{id}", "delete"),
        ("/api/openapi.json", "get"),
    ];
    for (path, method) in expected {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["session_cookie"]["in"], "cookie");
    assert_eq!(*doc, serde_json::to_value(strata_app::openapi()).unwrap());
}

/// Every property of the documented body is a key the parser reads, and the
/// documented required keys are exactly those the parser requires.
fn agrees<T: FromInput + std::fmt::Debug>(doc: &Value, schema: &str) {
    let schema = &doc["components"]["schemas"][schema];
    let properties: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut documented_required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().map(|v| v.as_str().unwrap()).collect()).unwrap_or_default();
    documented_required.sort_unstable();

    let mut all_wrong = serde_json::Map::new();
    for property in &properties {
        all_wrong.insert((*property).to_owned(), json!([]));
    }
    let issues = Input::parse::<T>(Value::Object(all_wrong)).unwrap_err();
    for issue in issues.as_slice() {
        assert_ne!(issue.code, IssueCode::UnrecognizedKeys, "{schema}: the parser does not read {:?}", issue.path);
    }
    assert_eq!(issues.as_slice().len(), properties.len(), "every documented property is read");

    let missing = Input::parse::<T>(json!({})).err().map(|i| i.as_slice().to_vec()).unwrap_or_default();
    let mut parser_required: Vec<String> = missing.iter().map(|i| i.path[0].to_string()).collect();
    parser_required.sort_unstable();
    assert_eq!(parser_required, documented_required, "required keys of {schema}");
}

#[test]
fn request_schemas_agree_with_the_parsers() {
    let doc = serde_json::to_value(strata_app::openapi()).unwrap();
    agrees::<Registration>(&doc, "RegisterRequest");
    agrees::<Login>(&doc, "LoginRequest");
    agrees::<NewItem>(&doc, "CreateItemRequest");
    agrees::<ItemChanges>(&doc, "UpdateItemRequest");
    agrees::<PhoneStart>(&doc, "PhoneStartRequest");
    agrees::<PhoneCheck>(&doc, "PhoneVerifyRequest");
}
