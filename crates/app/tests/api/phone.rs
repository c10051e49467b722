//! Phone verification: codes, expiry, attempt limit, resend throttle.

use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use serde_json::json;
use strata_app::AppConfig;

use crate::support::{TestApp, TestResponse};

const PHONE: &str = "+49301234567";

/// `POST /api/auth/phone/start` for `phone`, as the session `cookie`.
async fn start(app: &TestApp, phone: &str, cookie: &str) -> TestResponse {
    app.post("/api/auth/phone/start", json!({"phone": phone}), Some(cookie)).await
}

/// `POST /api/auth/phone/verify` of `code` for [`PHONE`], as the session `cookie`.
async fn verify(app: &TestApp, code: &str, cookie: &str) -> TestResponse {
    app.post("/api/auth/phone/verify", json!({"phone": PHONE, "code": code}), Some(cookie)).await
}

/// Alice logged in and a code sent to [`PHONE`]: her session cookie and the code.
async fn code_sent_to_alice(app: &TestApp) -> (String, String) {
    let cookie = app.login_demo("alice@example.com").await;
    let started = start(app, PHONE, &cookie).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    (cookie, app.sender.last_code(PHONE).unwrap())
}

/// Six digits that are not `code`.
fn a_wrong_code(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

/// No resend wait, so a test may start several verifications.
fn no_throttle() -> AppConfig {
    AppConfig { phone_resend_interval: Duration::ZERO, ..Default::default() }
}

#[tokio::test]
async fn the_right_code_verifies_the_number() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    let started = start(&app, "+49 (30) 123-4567", &cookie).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    assert_eq!(started.json["phone"], PHONE);
    assert_eq!(started.json["maxAttempts"], 5);
    assert!(started.json["expiresAt"].is_string());

    let code = app.sender.last_code(PHONE).expect("a code was sent");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT code_hash FROM auth.phone_verifications").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored.len(), 32);
    assert_ne!(stored, code.as_bytes(), "the code is stored hashed");

    let verified = verify(&app, &code, &cookie).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.json);
    assert_eq!(verified.json["phone"], PHONE);
    assert!(verified.json["phoneVerifiedAt"].is_string());
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.json["phone"], PHONE);

    // A used code does not verify twice.
    let again = verify(&app, &code, &cookie).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_code_past_the_attempt_limit_locks_the_verification() {
    let app = TestApp::new().await;
    let (cookie, code) = code_sent_to_alice(&app).await;
    let wrong = a_wrong_code(&code);
    for left in (1..5).rev() {
        let response = verify(&app, wrong, &cookie).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.issues(), ["code:invalid_code"]);
        assert_eq!(response.json["issues"][0]["message"], format!("Wrong code: {left} attempt(s) left"));
    }
    let fifth = verify(&app, wrong, &cookie).await;
    fifth.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // Past the limit even the right code is refused.
    let right = verify(&app, &code, &cookie).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.json["phone"], serde_json::Value::Null);
    let attempts: i32 =
        sqlx::query_scalar("SELECT attempts FROM auth.phone_verifications").fetch_one(&app.pool).await.unwrap();
    assert_eq!(attempts, 5);
}

#[tokio::test]
async fn a_new_code_replaces_a_locked_one() {
    let app = TestApp::with_config(no_throttle()).await;
    let (cookie, old) = code_sent_to_alice(&app).await;
    let wrong = a_wrong_code(&old);
    for _ in 0..5 {
        verify(&app, wrong, &cookie).await;
    }
    start(&app, PHONE, &cookie).await;
    let new = app.sender.last_code(PHONE).unwrap();
    let response = verify(&app, &new, &cookie).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.json);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = TestApp::new().await;
    let (cookie, code) = code_sent_to_alice(&app).await;
    app.execute("UPDATE auth.phone_verifications SET expires_at = now() - interval '1 second'").await;
    let response = verify(&app, &code, &cookie).await;
    response.assert_error(StatusCode::GONE, "verification_expired");
}

#[tokio::test]
async fn resending_too_soon_is_throttled() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    assert_eq!(start(&app, PHONE, &cookie).await.status, StatusCode::ACCEPTED);
    let response = start(&app, "+14155550100", &cookie).await;
    response.assert_error(StatusCode::TOO_MANY_REQUESTS, "resend_too_soon");
    let retry: u64 = response.headers.get(RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(app.sender.count(), 1);
    // Once the interval has passed, a new code may be sent.
    app.execute("UPDATE auth.phone_verifications SET created_at = now() - interval '61 seconds'").await;
    assert_eq!(start(&app, PHONE, &cookie).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn only_the_newest_code_for_the_number_counts() {
    let app = TestApp::with_config(no_throttle()).await;
    let (cookie, first) = code_sent_to_alice(&app).await;
    // Make the second row certainly newer than the first.
    app.execute("UPDATE auth.phone_verifications SET created_at = created_at - interval '1 minute'").await;
    start(&app, PHONE, &cookie).await;
    let second = app.sender.last_code(PHONE).unwrap();
    if first != second {
        let response = verify(&app, &first, &cookie).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = verify(&app, &second, &cookie).await;
    assert_eq!(response.status, StatusCode::OK);
}

#[tokio::test]
async fn phone_endpoints_need_a_session_and_valid_input() {
    let app = TestApp::new().await;
    assert_eq!(app.post("/api/auth/phone/start", json!({"phone": PHONE}), None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post("/api/auth/phone/verify", json!({"phone": PHONE, "code": "123456"}), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let cookie = app.login_demo("alice@example.com").await;
    let response = start(&app, "0301234567", &cookie).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.issues(), ["phone:invalid_string"]);
    let response =
        app.post("/api/auth/phone/verify", json!({"phone": "+1", "code": "12a456", "x": 1}), Some(&cookie)).await;
    assert_eq!(response.issues(), ["phone:invalid_string", "code:invalid_string", "x:unrecognized_keys"]);
    let response = verify(&app, "123456", &cookie).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND, "no verification was started");
    assert_eq!(app.sender.count(), 0);
}

// Regression: a number verified by another account answered 409 at once, every time,
// so registered numbers could be enumerated.
#[tokio::test]
async fn a_number_of_another_account_is_answered_like_a_free_one() {
    let app = TestApp::new().await;
    let alice = app.login_demo("alice@example.com").await;
    start(&app, PHONE, &alice).await;
    let code = app.sender.last_code(PHONE).unwrap();
    assert_eq!(verify(&app, &code, &alice).await.status, StatusCode::OK);
    // Long enough ago for the per-number limit to have forgotten alice's code.
    app.execute("UPDATE auth.phone_verifications SET created_at = now() - interval '1 day'").await;

    let bob = app.login_demo("bob@example.com").await;
    let taken = start(&app, PHONE, &bob).await;
    let carol = app.login_demo("carol@example.com").await;
    let free = start(&app, "+14155550100", &carol).await;
    for response in [&taken, &free] {
        assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.json);
    }
    let keys = |r: &crate::support::TestResponse| {
        let mut keys: Vec<String> = r.json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&taken), keys(&free));
    assert_eq!(taken.json["resendAfterSeconds"], free.json["resendAfterSeconds"]);
    // The same cooldown follows both.
    for (cookie, phone) in [(&bob, "+4930999999"), (&carol, "+4930888888")] {
        let again = start(&app, phone, cookie).await;
        again.assert_error(StatusCode::TOO_MANY_REQUESTS, "resend_too_soon");
        let retry: u64 = again.headers.get(RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!((55..=60).contains(&retry), "{retry}");
    }
    // Only the holder of the phone can get further, and then learns it is taken.
    let code = app.sender.last_code(PHONE).unwrap();
    let response = verify(&app, &code, &bob).await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.issues(), ["phone:already_exists"]);
}

#[tokio::test]
async fn codes_to_one_number_are_limited_whoever_asks() {
    let config = AppConfig { phone_codes_per_number: 3, ..no_throttle() };
    let app = TestApp::with_config(config).await;
    let mut cookies = Vec::new();
    for user in ["alice@example.com", "bob@example.com", "carol@example.com"] {
        cookies.push(app.login_demo(user).await);
    }
    for cookie in &cookies {
        let response = start(&app, PHONE, cookie).await;
        assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.json);
    }
    let response = start(&app, PHONE, &cookies[0]).await;
    response.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_codes_for_number");
    let retry: u64 = response.headers.get(RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&retry), "{retry}");
    assert_eq!(app.sender.count(), 3);
    // Other numbers are not affected.
    let response = start(&app, "+14155550100", &cookies[0]).await;
    assert_eq!(response.status, StatusCode::ACCEPTED);
    // Once the oldest code leaves the window, one more may be sent.
    sqlx::query(
        "UPDATE auth.phone_verifications SET created_at = now() - interval '61 minutes' \
         WHERE id = (SELECT id FROM auth.phone_verifications WHERE phone = $1 ORDER BY created_at LIMIT 1)",
    )
    .bind(PHONE)
    .execute(&app.pool)
    .await
    .unwrap();
    let response = start(&app, PHONE, &cookies[1]).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.json);
}
