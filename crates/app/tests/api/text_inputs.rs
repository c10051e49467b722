//! Text PostgreSQL cannot store: a NUL character (U+0000) in any text a request gives.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse};

const ALICE_SEED_ITEM: &str = "40000000-0000-4000-8000-000000000003";

/// The message of the issue at `path`.
fn message<'a>(response: &'a TestResponse, path: &str) -> &'a str {
    let issues = response.json["issues"].as_array().unwrap_or_else(|| panic!("no issues in {}", response.json));
    let issue = issues.iter().find(|i| i["path"] == json!([path])).unwrap_or_else(|| panic!("no issue on {path}"));
    issue["message"].as_str().unwrap()
}

fn assert_nul_issues(response: &TestResponse, expected: &[&str]) {
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.json);
    assert_eq!(response.json["error"], "validation_failed");
    assert_eq!(response.issues(), expected);
    for issue in expected {
        let (path, code) = issue.split_once(':').unwrap();
        if code == "invalid_string" {
            assert!(message(response, path).contains("NUL"), "{path}: {}", message(response, path));
        }
    }
}

// Regression: PostgreSQL refuses a NUL in text ("invalid byte sequence for encoding UTF8: 0x00"), which answered 500.
#[tokio::test]
async fn a_nul_character_in_any_text_input_is_a_422_issue_on_its_field() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let nul = "a\u{0}b";
    let before: Value = app.get("/api/items?limit=100", None).await.json;

    // Reported together with the body's other issues, not instead of them.
    let body = json!({"name": nul, "description": nul, "priceCents": -1});
    let response = app.post("/api/items", body, Some(&cookie)).await;
    assert_nul_issues(&response, &["name:invalid_string", "description:invalid_string", "priceCents:too_small"]);

    let uri = format!("/api/items/{ALICE_SEED_ITEM}");
    let response = app.patch(&uri, json!({"name": nul, "description": nul}), Some(&cookie)).await;
    assert_nul_issues(&response, &["name:invalid_string", "description:invalid_string"]);

    let body = json!({"email": "dana\u{0}@example.com", "password": "long enough\u{0}", "displayName": nul});
    let response = app.post("/api/auth/register", body, None).await;
    assert_nul_issues(&response, &["email:invalid_string", "password:invalid_string", "displayName:invalid_string"]);

    let body = json!({"email": "alice@example.com\u{0}", "password": "strata-demo\u{0}"});
    let response = app.post("/api/auth/login", body, None).await;
    assert_nul_issues(&response, &["email:invalid_string", "password:invalid_string"]);

    let response = app.post("/api/auth/phone/start", json!({"phone": "+4930123456\u{0}"}), Some(&cookie)).await;
    assert_nul_issues(&response, &["phone:invalid_string"]);
    let body = json!({"phone": "+4930123456\u{0}", "code": "123456\u{0}"});
    let response = app.post("/api/auth/phone/verify", body, Some(&cookie)).await;
    assert_nul_issues(&response, &["phone:invalid_string", "code:invalid_string"]);

    // The query string too, percent-encoded or not.
    let response = app.get("/api/items?q=a%00b&limit=0", None).await;
    assert_nul_issues(&response, &["q:invalid_string", "limit:too_small"]);

    assert_eq!(app.get("/api/items?limit=100", None).await.json, before, "nothing was written");
    assert_eq!(app.sender.count(), 0);
}
