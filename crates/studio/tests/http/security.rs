//! Every security rule of the studio, over HTTP.

use axum::http::StatusCode;

use crate::harness::{HOST, Studio};

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let s = Studio::seeded(false).await;
    let cookie = s.cookie.clone();
    for host in ["evil.example", "evil.example:4983", "127.0.0.1.nip.io:4983", ""] {
        let r = s.raw_get("/", &[("host", host), ("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{host}");
        r.assert_contains("is not a name this studio answers to");
    }
    // Even with the right token: DNS rebinding must not get a session.
    let r = s.raw_get(&format!("/?token={}", s.config.token), &[("host", "evil.example")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("set-cookie").is_empty());
    for host in ["localhost:4983", "127.0.0.1:4983", "[::1]:4983"] {
        assert_eq!(s.raw_get("/", &[("host", host), ("cookie", &cookie)]).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn extra_host_names_are_allowed_when_configured() {
    let s = Studio::seeded(false).await;
    let studio = s.reconfigured(|c| c.allowed_hosts = vec!["studio.lan".into()]).await;
    let cookie = studio.cookie.clone();
    studio.raw_get("/", &[("host", "studio.lan:4983"), ("cookie", &cookie)]).await.assert_ok();
    assert_eq!(studio.raw_get("/", &[("host", "other.lan"), ("cookie", &cookie)]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_the_token_nothing_is_shown() {
    let s = Studio::seeded(false).await;
    for path in ["/", "/s/app/items", "/console", "/erd", "/erd.svg", "/migrations", "/s/app/items/export?format=csv"] {
        let r = s.raw_get(path, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(!r.body.contains("app.items") || path.contains("items"), "{path}");
    }
    let wrong = s.raw_get("/?token=0000", &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header("set-cookie").is_empty());
    let forged = s.raw_get("/", &[("cookie", "strata_studio=forged")]).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_launch_token_becomes_an_httponly_samesite_strict_cookie() {
    let mut s = Studio::seeded(false).await;
    // A new router, whose one-time token nobody has used yet.
    s.app = strata_studio::router(s.pool.clone(), s.config.clone());
    let r = s.raw_get(&format!("/s/app/items?token={}&sort=name", s.config.token), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The token leaves the address bar; the rest of the query stays.
    assert_eq!(r.header("location"), "/s/app/items?sort=name");
    let cookie = r.header("set-cookie");
    assert!(cookie.starts_with("strata_studio="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let value = cookie.split(';').next().unwrap();
    assert!(!value.contains(&s.config.token), "the cookie is not the token");
    s.raw_get("/", &[("cookie", value)]).await.assert_ok();
}

#[tokio::test]
async fn a_post_without_the_csrf_token_fails() {
    let s = Studio::seeded(false).await;
    let cookie = s.cookie.clone();
    let r = s.raw_post("/console", &[("sql", "SELECT 1")], &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("no CSRF token");
    let r = s.raw_post("/console", &[("csrf", "guess"), ("sql", "SELECT 1")], &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token does not work either.
    let other = Studio::on(strata_testing::TestDb::new(), false).await;
    let r = s.raw_post("/console", &[("csrf", &other.csrf), ("sql", "SELECT 1")], &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for path in ["/console/export", "/s/app/items/edit", "/s/app/items/delete", "/s/app/items/insert"] {
        let r = s.raw_post(path, &[("sql", "SELECT 1")], &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // With the token it runs.
    s.console("SELECT 1", &[]).await.assert_ok();
}

#[tokio::test]
async fn a_cross_site_post_fails_even_with_the_token() {
    let s = Studio::seeded(false).await;
    let (cookie, csrf) = (s.cookie.clone(), s.csrf.clone());
    let fields = [("csrf", csrf.as_str()), ("sql", "SELECT 1")];
    let r = s.raw_post("/console", &fields, &[("cookie", &cookie), ("origin", "http://evil.example")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s.raw_post("/console", &fields, &[("cookie", &cookie), ("sec-fetch-site", "cross-site")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let same = format!("http://{HOST}");
    let r = s
        .raw_post("/console", &fields, &[("cookie", &cookie), ("origin", &same), ("sec-fetch-site", "same-origin")])
        .await;
    r.assert_ok();
}

#[tokio::test]
async fn no_sql_runs_on_a_get() {
    let s = Studio::seeded(false).await;
    // The console page ignores SQL in its query string; running needs POST.
    let r = s.get("/console?sql=SELECT%20pg_sleep(0)%20AS%20marker_column&action=run").await;
    r.assert_ok();
    assert!(!r.body.contains("marker_column"));
    let r = s.get("/console/export?sql=SELECT%201&format=csv").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // Filters are values, never SQL: an injection attempt is just a value.
    let r = s.get("/s/app/items?fc=name&fo=eq&fv=x%27%3B%20DROP%20TABLE%20app.items%3B%20--").await;
    r.assert_ok().assert_contains("No rows");
    let r = s.get("/s/app/items?sort=name%22%3B%20DROP%20TABLE%20app.items%3B%20--").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.scalar("SELECT to_regclass('app.items')::text").await, "app.items");
}

#[tokio::test]
async fn a_write_in_the_console_without_write_mode_fails() {
    let s = Studio::seeded(false).await;
    let before = s.scalar("SELECT count(*)::text FROM app.items").await;
    let r = s.console("DELETE FROM app.items", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("cannot execute DELETE in a read-only transaction").assert_contains("25006");
    // Stepping out of the transaction does not work: one statement per run.
    let r = s.console("COMMIT; DELETE FROM app.items", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("cannot insert multiple commands into a prepared statement");
    let r = s.console("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", &[]).await;
    r.assert_ok();
    let r = s.console("CREATE TABLE app.sneaky (id int)", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Asking to commit is refused outright without --write.
    let r = s.console("DELETE FROM app.items", &[("commit", "1")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Functions that write are stopped by the database too.
    let r = s.console("SELECT nextval(pg_get_serial_sequence('public.migration_history', 'id'))", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(s.scalar("SELECT count(*)::text FROM app.items").await, before);
    assert_eq!(s.scalar("SELECT coalesce(to_regclass('app.sneaky')::text, 'none')").await, "none");
}

#[tokio::test]
async fn edits_are_refused_without_write_mode() {
    let s = Studio::seeded(false).await;
    let id = s.scalar("SELECT id::text FROM app.items LIMIT 1").await;
    let row = s.get(&format!("/s/app/items/row?c=id&v={id}")).await;
    row.assert_ok();
    assert!(!row.body.contains("Edit row"));
    assert_eq!(s.get(&format!("/s/app/items/edit?c=id&v={id}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get("/s/app/items/insert").await.status, StatusCode::FORBIDDEN);
    let r = s.post("/s/app/items/delete", &[("c", "id"), ("v", &id), ("action", "apply")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s
        .post("/s/app/items/edit", &[("c", "id"), ("v", &id), ("val.5", "x"), ("seen.5", "y"), ("action", "apply")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(s.scalar(&format!("SELECT count(*)::text FROM app.items WHERE id = '{id}'")).await, "1");
}

#[tokio::test]
async fn every_page_has_a_strict_content_security_policy() {
    let s = Studio::seeded(false).await;
    let id = s.scalar("SELECT id::text FROM app.items LIMIT 1").await;
    for path in [
        "/",
        "/s/app/items",
        &format!("/s/app/items/row?c=id&v={id}"),
        "/s/app/items/structure",
        "/console",
        "/migrations",
        "/erd",
        "/nope",
    ] {
        let r = s.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert_eq!(r.header("referrer-policy"), "same-origin");
        assert_eq!(r.header("x-frame-options"), "DENY");
        // No inline script or style anywhere.
        assert!(!r.body.contains("<script>") && !r.body.contains("style=") && !r.body.contains("<style"), "{path}");
    }
    // Refusals carry the headers too.
    assert!(
        s.raw_get("/", &[("host", "evil.example")]).await.header("content-security-policy").contains("default-src")
    );
}

#[tokio::test]
async fn data_and_names_are_escaped_and_quoted() {
    let s = Studio::seeded_with(true, r#"CREATE SCHEMA "Odd <Schema>"; CREATE TABLE "Odd <Schema>"."we""ird <table>" ("the id" int PRIMARY KEY, "<b>col</b>" text);
        INSERT INTO "Odd <Schema>"."we""ird <table>" VALUES (1, '<script>alert(1)</script>'), (2, 'plain')"#).await;
    let home = s.get("/").await;
    home.assert_ok().assert_contains("Odd &lt;Schema&gt;");
    assert!(!home.body.contains("<Schema>"));
    let base = "/s/Odd%20%3CSchema%3E/we%22ird%20%3Ctable%3E";
    assert!(home.body.contains(base), "link to the odd table");
    let page = s.get(base).await;
    page.assert_ok().assert_contains("&lt;script&gt;alert(1)&lt;/script&gt;").assert_contains("&lt;b&gt;col&lt;/b&gt;");
    assert!(!page.body.contains("<script>alert"));
    s.get(&format!("{base}?fc=%3Cb%3Ecol%3C%2Fb%3E&fo=contains&fv=plain&sort=the%20id&dir=desc"))
        .await
        .assert_ok()
        .assert_contains("plain");
    s.get(&format!("{base}/row?c=the%20id&v=1")).await.assert_ok().assert_contains("&lt;script&gt;");
    s.get(&format!("{base}/structure"))
        .await
        .assert_ok()
        .assert_text("CREATE TABLE \"Odd <Schema>\".\"we\"\"ird <table>\"");
    let csv = s.get(&format!("{base}/export?format=csv")).await;
    csv.assert_ok().assert_contains("the id,<b>col</b>\r\n1,<script>alert(1)</script>\r\n");
    s.get("/erd").await.assert_ok().assert_contains("we&quot;ird &lt;table&gt;");
    // An edit through the odd names.
    let r = s
        .post(
            &format!("{base}/edit"),
            &[("c", "the id"), ("v", "2"), ("val.2", "changed"), ("seen.2", "plain"), ("action", "apply")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        s.scalar(r#"SELECT "<b>col</b>" FROM "Odd <Schema>"."we""ird <table>" WHERE "the id" = 2"#).await,
        "changed"
    );
}
