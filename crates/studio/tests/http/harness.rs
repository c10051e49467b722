//! A studio on a fresh, migrated and seeded database, and requests to it as a
//! browser would send them (Host header, session cookie, CSRF field).

use std::path::PathBuf;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use strata_studio::StudioConfig;
use strata_testing::TestDb;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:4983";

pub fn migrations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        self
    }

    /// Checks the page's text (entities decoded), for SQL and other text with quotes.
    #[track_caller]
    pub fn assert_text(&self, needle: &str) -> &Self {
        assert!(unescape(&self.body).contains(needle), "{needle:?} not in text:\n{}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(self.body.contains(needle), "{needle:?} not in body:\n{}", self.body);
        self
    }
}

pub struct Studio {
    pub db: TestDb,
    pub pool: sqlx::PgPool,
    pub app: Router,
    pub config: StudioConfig,
    pub cookie: String,
    pub csrf: String,
}

impl Studio {
    /// The reference migrations and seeds applied; read-only unless `write`.
    pub async fn seeded(write: bool) -> Studio {
        let db = TestDb::new();
        let mut conn = db.connect().await;
        strata_migrate::up_all(&mut conn, &migrations_dir()).await.expect("migrations apply");
        Studio::on(db, write).await
    }

    /// As [`Studio::seeded`], then `sql` run (the test's own tables and rows).
    pub async fn seeded_with(write: bool, sql: &str) -> Studio {
        let studio = Studio::seeded(write).await;
        studio.exec(sql).await;
        studio
    }

    /// A studio on `db` as it is.
    pub async fn on(db: TestDb, write: bool) -> Studio {
        let pool = db.pool().await;
        let mut config = StudioConfig::new(write);
        config.migrations_dir = Some(migrations_dir());
        // The test cluster's login is a superuser; the console's refusal of such a
        // login is tested in console_login.rs.
        config.unsafe_console = true;
        Studio::login(db, pool, config).await
    }

    /// The same database behind a studio with another configuration, signed in anew.
    pub async fn reconfigured(self, change: impl FnOnce(&mut StudioConfig)) -> Studio {
        let mut config = self.config.clone();
        change(&mut config);
        Studio::login(self.db, self.pool, config).await
    }

    pub async fn login(db: TestDb, pool: sqlx::PgPool, config: StudioConfig) -> Studio {
        let app = strata_studio::router(pool.clone(), config.clone());
        let mut studio = Studio { db, pool, app, config, cookie: String::new(), csrf: String::new() };
        let launch = studio.raw_get(&format!("/?token={}", studio.config.token), &[]).await;
        assert_eq!(launch.status, StatusCode::SEE_OTHER, "token exchange: {}", launch.body);
        let set_cookie = launch.header("set-cookie").to_owned();
        studio.cookie = set_cookie.split(';').next().unwrap().to_owned();
        let console = studio.get("/console").await;
        studio.csrf = field_value(&console.body, "csrf").expect("csrf field on the console page");
        studio
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 64 << 20).await.expect("body");
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// A GET with only the given headers (plus Host unless given).
    pub async fn raw_get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut b = Request::get(path);
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            b = b.header("host", HOST);
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A GET from the signed-in browser.
    pub async fn get(&self, path: &str) -> Reply {
        let cookie = self.cookie.clone();
        self.raw_get(path, &[("cookie", &cookie)]).await
    }

    /// A form POST from the signed-in browser, with the CSRF field.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.raw_post(path, &all, &[("cookie", &self.cookie)]).await
    }

    /// Runs `sql` in the console from the signed-in browser, with `extra` form
    /// fields (`action`, `commit`).
    pub async fn console(&self, sql: &str, extra: &[(&str, &str)]) -> Reply {
        let mut fields = vec![("sql", sql)];
        fields.extend_from_slice(extra);
        self.post("/console", &fields).await
    }

    /// A form POST with exactly these fields and headers (plus Host).
    pub async fn raw_post(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut b = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            b = b.header("host", HOST);
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Runs SQL directly (set-up), outside the studio.
    pub async fn exec(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn scalar(&self, sql: &str) -> String {
        sqlx::query_scalar::<_, String>(sql).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// The `value` of the first input named `name` in `html`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = tag[v..].find('"')?;
    Some(unescape(&tag[v..v + end]))
}

/// Every `href` in `html`, unescaped.
pub fn hrefs(html: &str) -> Vec<String> {
    html.match_indices("href=\"")
        .filter_map(|(i, _)| {
            let rest = &html[i + 6..];
            rest.find('"').map(|end| unescape(&rest[..end]))
        })
        .collect()
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}
