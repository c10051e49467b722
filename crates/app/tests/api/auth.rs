//! Register, login, logout, me; sessions and their cookie.

use axum::http::header::SET_COOKIE;
use axum::http::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use strata_app::DEMO_PASSWORD;

use crate::support::{ALICE_ID, PASSWORD, TestApp, TestResponse};

/// A logout's answer: no content, and the session cookie cleared.
#[track_caller]
fn assert_logged_out(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let cleared = response.set_cookie();
    assert!(cleared.starts_with("strata_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn register_creates_an_account_and_logs_it_in() {
    let app = TestApp::new().await;
    let body = json!({"email": "  Dana@Example.COM ", "password": PASSWORD, "displayName": " Dana "});
    let response = app.post("/api/auth/register", body, None).await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.json["email"], "dana@example.com");
    assert_eq!(response.json["displayName"], "Dana");
    assert!(response.json.get("passwordHash").is_none(), "{}", response.json);
    let cookie = response.session_cookie();
    let me = app.get("/api/auth/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["id"], response.json["id"]);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM auth.\"user\" WHERE email = 'dana@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "stored {hash}");
}

#[tokio::test]
async fn register_accepts_non_ascii_emails() {
    // Regression: a CHECK (email = lower(email)) refused addresses whose Rust and
    // PostgreSQL lower-casing differ (the dotted capital I), answering 500.
    let app = TestApp::new().await;
    let response = app.register_with("İlse@Bücher.example", PASSWORD).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    let login = app.login("İLSE@bücher.example", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.json);
}

#[tokio::test]
async fn register_without_display_name_uses_the_email_local_part() {
    let app = TestApp::new().await;
    let response = app.register_with("erin@example.com", PASSWORD).await;
    assert_eq!(response.json["displayName"], "erin");
}

#[tokio::test]
async fn register_reports_every_invalid_field_at_once() {
    let app = TestApp::new().await;
    let body = json!({"email": "not-an-email", "password": "short", "displayName": "", "role": "admin"});
    let response = app.post("/api/auth/register", body, None).await;
    response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        response.issues(),
        ["email:invalid_string", "password:too_small", "displayName:too_small", "role:unrecognized_keys"]
    );
    for issue in response.json["issues"].as_array().unwrap() {
        assert!(!issue["message"].as_str().unwrap().is_empty());
    }
    let response = app.post("/api/auth/register", json!({"email": 5, "password": "x".repeat(129)}), None).await;
    assert_eq!(response.issues(), ["email:invalid_type", "password:too_big"]);
    let response = app.post("/api/auth/register", json!({}), None).await;
    assert_eq!(response.issues(), ["email:invalid_type", "password:invalid_type"]);
    assert_eq!(response.json["issues"][0]["message"], "Required");
}

#[tokio::test]
async fn register_with_a_taken_email_is_a_conflict_on_email() {
    let app = TestApp::new().await;
    let response = app.register_with("ALICE@example.com", PASSWORD).await;
    response.assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(response.issues(), ["email:already_exists"]);
}

#[tokio::test]
async fn login_sets_an_http_only_lax_cookie_whose_token_is_stored_hashed() {
    let app = TestApp::new().await;
    let response = app.login("alice@example.com", DEMO_PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json["id"], ALICE_ID);
    assert!(response.json["lastLoginAt"].is_string(), "{}", response.json);
    let set_cookie = response.set_cookie();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");

    let token = response.session_cookie().strip_prefix("strata_session=").unwrap().to_owned();
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM auth.session WHERE user_id = $1::uuid")
        .bind(ALICE_ID)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, vec![Sha256::digest(token.as_bytes()).to_vec()]);
    let plain: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM auth.session WHERE encode(token_hash, 'hex') = $1)")
            .bind(&token)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!plain, "the token itself must not be stored");
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let config = strata_app::AppConfig { secure_cookies: true, ..Default::default() };
    let app = TestApp::with_config(config).await;
    let response = app.login("bob@example.com", DEMO_PASSWORD).await;
    let set_cookie = response.set_cookie();
    assert!(set_cookie.ends_with("; Secure"), "{set_cookie}");
}

#[tokio::test]
async fn login_refuses_wrong_password_and_unknown_email_alike() {
    let app = TestApp::new().await;
    let wrong = app.login("alice@example.com", "not the password").await;
    let unknown = app.login("nobody@example.com", "not the password").await;
    for response in [&wrong, &unknown] {
        response.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(response.headers.get(SET_COOKIE).is_none());
    }
    assert_eq!(wrong.json, unknown.json);
}

#[tokio::test]
async fn login_validates_its_body() {
    let app = TestApp::new().await;
    let response = app.login("alice", "").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.issues(), ["email:invalid_string", "password:too_small"]);
}

#[tokio::test]
async fn me_without_a_session_is_401() {
    let app = TestApp::new().await;
    for cookie in [None, Some("strata_session=nonsense"), Some(&*format!("strata_session={}", "a".repeat(64)))] {
        let response = app.get("/api/auth/me", cookie).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{cookie:?}");
        assert_eq!(response.json["error"], "unauthenticated");
    }
}

#[tokio::test]
async fn logout_revokes_the_session_at_once() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let other = app.login_demo("alice@example.com").await;
    let response = app.request(Method::POST, "/api/auth/logout", Some(&cookie)).await;
    assert_logged_out(&response);
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
    // Only that session ends: another login of the same user stays valid.
    assert_eq!(app.get("/api/auth/me", Some(&other)).await.status, StatusCode::OK);
    let again = app.request(Method::POST, "/api/auth/logout", None).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    app.execute(
        "UPDATE auth.session SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'",
    )
    .await;
    let response = app.get("/api/auth/me", Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    let response = app.post("/api/items", json!({"name": "x"}), Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_expire_after_the_configured_ttl() {
    let config = strata_app::AppConfig { session_ttl: std::time::Duration::from_secs(3600), ..Default::default() };
    let app = TestApp::with_config(config).await;
    let response = app.login("alice@example.com", DEMO_PASSWORD).await;
    assert!(response.set_cookie().contains("Max-Age=3600"));
    let seconds: f64 =
        sqlx::query_scalar("SELECT extract(epoch FROM expires_at - created_at)::float8 FROM auth.session")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!((seconds - 3600.0).abs() < 1.0, "{seconds}");
}

// Regression: a password of eight spaces was accepted.
#[tokio::test]
async fn register_refuses_a_password_of_whitespace_only() {
    let app = TestApp::new().await;
    for blank in [" ".repeat(8), "\t \u{a0}\u{3000}\n    ".to_owned()] {
        let response = app.register_with("dana@example.com", &blank).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.json);
        assert_eq!(response.issues(), ["password:invalid_string"]);
    }
    // Whitespace around other characters is part of the password, at login too.
    let padded = "  long enough password ";
    let response = app.register_with("dana@example.com", padded).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    let trimmed = app.login("dana@example.com", padded.trim()).await;
    assert_eq!(trimmed.status, StatusCode::UNAUTHORIZED);
    let exact = app.login("dana@example.com", padded).await;
    assert_eq!(exact.status, StatusCode::OK);
}

// Regression: there was no way to end every session of an account at once.
#[tokio::test]
async fn logout_all_ends_every_session_of_the_user_only() {
    let app = TestApp::new().await;
    let laptop = app.login_demo("alice@example.com").await;
    let phone = app.login_demo("alice@example.com").await;
    let bob = app.login_demo("bob@example.com").await;
    let response = app.request(Method::POST, "/api/auth/logout-all", Some(&phone)).await;
    assert_logged_out(&response);
    for cookie in [&laptop, &phone] {
        let me = app.get("/api/auth/me", Some(cookie)).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{cookie}");
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.session WHERE user_id = $1::uuid")
        .bind(ALICE_ID)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(app.get("/api/auth/me", Some(&bob)).await.status, StatusCode::OK, "other users keep theirs");
    // It needs a session: without one there is nobody to log out.
    let anonymous = app.request(Method::POST, "/api/auth/logout-all", None).await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}
