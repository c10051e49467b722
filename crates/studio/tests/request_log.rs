//! The studio logs one line per request it answers (tower-http's at info, the
//! filter `strata studio` / `strata dev` use by default), with the method, the
//! path and the status, and without the query string: it carries the launch
//! token and the values typed into filters.
//!
//! A test binary of its own: the subscriber is the process's global one, which
//! tracing's per-callsite caches cannot miss as they can a thread's scoped one
//! while other tests run beside it.

// Shared with the HTTP tests, which use the parts this file does not.
#[allow(dead_code)]
#[path = "http/harness.rs"]
mod harness;

use harness::Studio;
use strata_testing::CapturedLog;

#[tokio::test]
async fn each_request_is_one_line_without_its_query() {
    let captured = CapturedLog::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("warn,tower_http::trace=info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");

    // Signing in is two requests: the launch address (with its token) and the console.
    let studio = Studio::seeded(false).await;
    studio.get("/s/app/items?fc=name&fo=contains&fv=needle-in-the-query").await.assert_ok();
    let refused = studio.raw_get("/", &[("host", "evil.example")]).await;
    assert_eq!(refused.status.as_u16(), 403);

    let lines: Vec<String> =
        captured.lines().into_iter().filter(|l| l.contains("finished processing request")).collect();
    let all = lines.join("\n");
    assert_eq!(lines.len(), 4, "one line per request:\n{all}");
    assert!(lines[0].contains("method=GET path=/ ") && lines[0].contains("status=303"), "{all}");
    assert!(lines[1].contains("path=/console ") && lines[1].contains("status=200"), "{all}");
    assert!(lines[2].contains("path=/s/app/items ") && lines[2].contains("status=200"), "{all}");
    assert!(lines[3].contains("path=/ ") && lines[3].contains("status=403"), "{all}");
    assert!(!all.contains(&studio.config.token), "the launch token is logged:\n{all}");
    assert!(!all.contains("needle-in-the-query"), "a filter value is logged:\n{all}");
}
