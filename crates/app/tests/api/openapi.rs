//! The OpenAPI document: served, complete, and in agreement with the body parsers.

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, COOKIE};
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use strata_app::AppConfig;
use strata_app::domain::{
    FromBody, Input, IssueCode, ItemChanges, ItemQuery, Login, NewItem, PhoneCheck, PhoneStart, Registration,
};

use crate::support::{PASSWORD, TestApp, router_without_database, send_to};

/// An item of alice's (from the seed).
const ALICE_SEED_ITEM: &str = "40000000-0000-4000-8000-000000000003";

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
        ("/api/auth/logout-all", "post"),
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

/// Each body is one declaration (`http/dto`) giving both the schema and the parsing; the
/// issue paths are written beside each field's check, so: every documented property is
/// checked and reported under its own name, and the documented required keys are exactly
/// those the check requires.
fn agrees<T: FromBody + std::fmt::Debug>(doc: &Value, schema: &str) {
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
    let mut reported: Vec<String> = issues.as_slice().iter().map(|i| i.path.join(".")).collect();
    reported.sort_unstable();
    let mut documented: Vec<String> = properties.iter().map(|p| (*p).to_owned()).collect();
    documented.sort_unstable();
    assert_eq!(reported, documented, "every documented property is checked under its own name");

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

/// Every operation of the document: its method, path and description.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, path.clone(), operation.clone()));
        }
    }
    operations
}

/// The statuses an operation documents.
fn documented(operation: &Value) -> Vec<u16> {
    operation["responses"].as_object().unwrap().keys().map(|status| status.parse().unwrap()).collect()
}

// Regression: PATCH /api/items/{id}, login and the phone endpoints answered 400/413/415 that the document did not list.
#[tokio::test]
async fn every_json_body_operation_documents_400_413_415_422() {
    let app = TestApp::with_config(AppConfig { max_body_bytes: 1024, ..Default::default() }).await;
    let cookie = app.login_demo("alice@example.com").await;
    let doc = serde_json::to_value(strata_app::openapi()).unwrap();
    let mut checked = Vec::new();
    for (method, path, operation) in operations(&doc) {
        if operation.get("requestBody").is_none() {
            continue;
        }
        let uri = path.replace("{id}", ALICE_SEED_ITEM);
        let documented = documented(&operation);
        // What the JSON body extractor answers before any handler runs: documented, and
        // actually answered, by every operation that reads a body.
        let bad_bodies: [(u16, &str, &[u8]); 4] = [
            (400, "application/json", b"{\"name\": "),
            (413, "application/json", &[b' '; 2048]),
            (415, "text/plain", b"{}"),
            (422, "application/json", b"[]"),
        ];
        for (status, content_type, body) in bad_bodies {
            assert!(documented.contains(&status), "{method} {path} does not document {status}");
            let response = app.send(method.clone(), &uri, Some(content_type), body.to_vec(), Some(&cookie)).await;
            assert_eq!(response.status.as_u16(), status, "{method} {path}: {}", response.json);
        }
        checked.push(format!("{method} {path}"));
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "PATCH /api/items/{id}",
            "POST /api/auth/login",
            "POST /api/auth/phone/start",
            "POST /api/auth/phone/verify",
            "POST /api/auth/register",
            "POST /api/items",
        ]
    );
}

// Regression: most operations left out a failing database (500, 503) or a missing session (401).
#[test]
fn every_operation_documents_its_session_and_server_errors() {
    let doc = serde_json::to_value(strata_app::openapi()).unwrap();
    for (method, path, operation) in operations(&doc) {
        let documented = documented(&operation);
        // Only the document itself is served without a database. The health check
        // never fails as a request: with the primary down it answers 503 with its
        // own body (what a load balancer reads), which it documents.
        let health = path == "/api/health";
        if health {
            assert!(documented.contains(&503), "{method} {path} does not document 503");
        } else if path != "/api/openapi.json" {
            for status in [500, 503] {
                assert!(documented.contains(&status), "{method} {path} does not document {status}");
            }
        }
        if operation["security"] == json!([{"session_cookie": []}]) {
            assert!(documented.contains(&401), "{method} {path} needs a session but does not document 401");
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            // The health check's 503 is its own report, not an error body.
            if (status.starts_with('4') || status.starts_with('5')) && !(health && status == "503") {
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(schema["$ref"], "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
        }
    }
}

// Regression: most operations answered 503 (and 500) without the document saying so.
#[tokio::test]
async fn with_the_database_down_every_operation_answers_a_documented_status() {
    let router = router_without_database(std::time::Duration::from_millis(200));
    let cookie = format!("strata_session={}", "0".repeat(64));
    let doc = serde_json::to_value(strata_app::openapi()).unwrap();
    for (method, path, operation) in operations(&doc) {
        let body = match path.as_str() {
            "/api/auth/register" => json!({"email": "dana@example.com", "password": PASSWORD}),
            "/api/auth/login" => json!({"email": "alice@example.com", "password": "strata-demo"}),
            "/api/auth/phone/start" => json!({"phone": "+4930123456"}),
            "/api/auth/phone/verify" => json!({"phone": "+4930123456", "code": "123456"}),
            "/api/items" | "/api/items/{id}" => json!({"name": "Lamp"}),
            _ => Value::Null,
        };
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path.replace("{id}", ALICE_SEED_ITEM))
            .header(COOKIE, &cookie);
        let request = if operation.get("requestBody").is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
            request.body(Body::from(body.to_string())).unwrap()
        } else {
            request.body(Body::empty()).unwrap()
        };
        let response = send_to(&router, request).await;
        let status = response.status.as_u16();
        assert!(documented(&operation).contains(&status), "{method} {path} answered {status} undocumented");
        if path != "/api/openapi.json" {
            assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{method} {path}");
        }
    }
}

// Regression: the document said `limit` may be 0, which the parser refuses.
#[test]
fn the_documented_limit_bounds_are_the_parsers() {
    let doc = serde_json::to_value(strata_app::openapi()).unwrap();
    let parameters = doc["paths"]["/api/items"]["get"]["parameters"].as_array().unwrap();
    let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
    let minimum = limit["schema"]["minimum"].as_i64().expect("a documented minimum");
    let limits = AppConfig::default().page_limits();
    assert!(ItemQuery::parse(&format!("limit={minimum}"), limits).is_ok());
    assert!(ItemQuery::parse(&format!("limit={}", minimum - 1), limits).is_err());
}
