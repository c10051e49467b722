//! Password guessing: failed logins limited per account and per client, registrations
//! per client, and a bounded password hashing queue.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use crate::support::{PASSWORD, TestApp, TestResponse, post_request, send_to};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use serde_json::{Value, json};
use strata_app::config::RateLimit;
use strata_app::{AppConfig, DEMO_PASSWORD};
use tokio::task::JoinSet;

fn ip(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
}

fn retry_after(response: &TestResponse) -> u64 {
    let header = response.headers.get(RETRY_AFTER).unwrap_or_else(|| panic!("no Retry-After: {}", response.json));
    header.to_str().unwrap().parse().unwrap()
}

/// Sends `count` JSON `POST uri` at once, the `n`th with the body and the client address
/// that `request(n)` gives; [`answers`] waits for them.
fn post_at_once(
    app: &TestApp,
    uri: &'static str,
    count: u32,
    request: impl Fn(u32) -> (Value, Option<IpAddr>),
) -> JoinSet<TestResponse> {
    let mut requests = JoinSet::new();
    for n in 0..count {
        let (router, (body, from)) = (app.router.clone(), request(n));
        requests.spawn(async move { send_to(&router, post_request(uri, &body, from)).await });
    }
    requests
}

/// The answers to `requests`, in the order they came.
async fn answers(mut requests: JoinSet<TestResponse>) -> Vec<TestResponse> {
    let mut answers = Vec::new();
    while let Some(response) = requests.join_next().await {
        answers.push(response.unwrap());
    }
    answers
}

async fn timed_login(app: &TestApp, from: IpAddr, email: &str, password: &str) -> (TestResponse, Duration) {
    let started = Instant::now();
    let response = app.post_from(from, "/api/auth/login", json!({"email": email, "password": password})).await;
    (response, started.elapsed())
}

// Regression: 700 wrong passwords for one account were all hashed (no 429), and a
// correct login of another user waited behind them (1.9-2.5 s).
#[tokio::test]
async fn a_password_flood_on_one_account_is_refused_and_other_logins_stay_fast() {
    let app = TestApp::new().await;
    let limit = AppConfig::default().login_account_limit.burst as usize;
    let (_, alone) = timed_login(&app, ip(1), "bob@example.com", DEMO_PASSWORD).await;

    // 700 wrong passwords for alice at once, each from its own address (so only the
    // per-account limit can stop them), and bob's login in the middle of them.
    let flood = post_at_once(&app, "/api/auth/login", 700, |n| {
        (json!({"email": "alice@example.com", "password": format!("guess {n}")}), Some(ip(1000 + n)))
    });
    let (bob, during) = timed_login(&app, ip(2), "bob@example.com", DEMO_PASSWORD).await;
    let mut refused = 0;
    let mut wrong = 0;
    for response in answers(flood).await {
        match response.status {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                assert_eq!(response.json["error"], "too_many_login_attempts");
                assert!(response.json["message"].is_string(), "{}", response.json);
                assert!((1..=60).contains(&retry_after(&response)), "{:?}", response.headers);
            }
            other => panic!("{other}: {}", response.json),
        }
    }
    // Only the first `limit` guesses were checked at all.
    assert_eq!((wrong, refused), (limit, 700 - limit));
    assert_eq!(bob.status, StatusCode::OK, "{}", bob.json);
    // Before, bob's hash queued behind up to 700 others. Now at most behind the `limit`
    // guesses that were checked, even were they hashed one at a time: how many run at
    // once depends on the cores other tests leave free, so that is the bound.
    let hashes = u32::try_from(limit + 2).unwrap();
    assert!(
        during < alone * hashes + Duration::from_secs(1),
        "bob's login took {during:?} during the flood, {alone:?} alone"
    );

    // The account stays locked for a while, also for the right password, from anywhere.
    let (locked, _) = timed_login(&app, ip(3), "alice@example.com", DEMO_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&locked) >= 1);
}

#[tokio::test]
async fn failed_logins_are_limited_per_client_across_accounts() {
    let config = AppConfig { login_client_limit: RateLimit::new(5, Duration::from_secs(60)), ..Default::default() };
    let app = TestApp::with_config(config).await;
    // Unknown emails count alike: a refusal tells nothing about which accounts exist.
    for n in 0..5 {
        let (response, _) = timed_login(&app, ip(1), &format!("nobody{n}@example.com"), "not the password").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{}", response.json);
    }
    let (response, _) = timed_login(&app, ip(1), "alice@example.com", "not the password").await;
    response.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_login_attempts");
    assert!((1..=60).contains(&retry_after(&response)));
    // Another client is not affected, and alice's account was not charged.
    let (response, _) = timed_login(&app, ip(2), "alice@example.com", DEMO_PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.json);
}

#[tokio::test]
async fn a_successful_login_clears_the_accounts_failures() {
    let config = AppConfig { login_account_limit: RateLimit::new(3, Duration::from_secs(60)), ..Default::default() };
    let app = TestApp::with_config(config).await;
    for round in 0..2 {
        for _ in 0..2 {
            let (response, _) = timed_login(&app, ip(1), "alice@example.com", "typo").await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        let (response, _) = timed_login(&app, ip(1), "alice@example.com", DEMO_PASSWORD).await;
        assert_eq!(response.status, StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn registrations_are_limited_per_client() {
    let config = AppConfig { register_client_limit: RateLimit::new(2, Duration::from_secs(60)), ..Default::default() };
    let app = TestApp::with_config(config).await;
    let register = |email: &str| json!({"email": email, "password": PASSWORD});
    for n in 0..2 {
        let response = app.post_from(ip(1), "/api/auth/register", register(&format!("u{n}@example.com"))).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
    }
    let response = app.post_from(ip(1), "/api/auth/register", register("u2@example.com")).await;
    response.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_registrations");
    assert!((1..=60).contains(&retry_after(&response)));
    let response = app.post_from(ip(2), "/api/auth/register", register("u2@example.com")).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
}

// Regression: the hashing queue was unbounded, so every login waited behind a flood.
#[tokio::test]
async fn a_full_hashing_queue_answers_503_at_once() {
    let config = AppConfig { password_hash_workers: 1, password_hash_queue: 0, ..Default::default() };
    let app = TestApp::with_config(config).await;
    let registrations = post_at_once(&app, "/api/auth/register", 20, |n| {
        (json!({"email": format!("new{n}@example.com"), "password": PASSWORD}), None)
    });
    let answered = tokio::time::timeout(Duration::from_secs(60), answers(registrations))
        .await
        .expect("every registration is answered, none waits without bound");
    let (mut created, mut busy) = (0, 0);
    for response in answered {
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert_eq!(response.json["error"], "server_busy");
                assert_eq!(retry_after(&response), 1);
            }
            other => panic!("{other}: {}", response.json),
        }
    }
    assert!(created >= 1 && busy >= 1, "{created} created, {busy} busy");
    // A registration refused as busy was not written.
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM auth.\"user\" WHERE email LIKE 'new%'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, created);
}

/// A raw HTTP/1.1 `POST path` with a JSON body.
fn raw_post(path: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn serve_gives_the_router_each_clients_address() {
    // Without the peer's address the per-client limit could not apply.
    let app = TestApp::new().await;
    let config = AppConfig { login_client_limit: RateLimit::new(1, Duration::from_secs(60)), ..Default::default() };
    let served = app.serve(config).await;
    let wrong = r#"{"email":"alice@example.com","password":"not the password"}"#;
    let first = served.raw_request(&raw_post("/api/auth/login", wrong)).await;
    assert!(first.starts_with("HTTP/1.1 401"), "{first}");
    let second = served.raw_request(&raw_post("/api/auth/login", &wrong.replace("alice", "bob"))).await;
    assert!(second.starts_with("HTTP/1.1 429"), "{second}");
    assert!(second.to_ascii_lowercase().contains("\r\nretry-after: "), "{second}");
    served.stop().await;
}
