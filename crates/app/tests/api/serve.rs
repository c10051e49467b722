//! The router over a real socket, served as its doc says (with each peer's address):
//! requests, the body limit by Content-Length, and the test server's shutdown (the
//! binary's own server, with its limits, is tested in crates/strata/tests).

use tokio::net::TcpStream;

use crate::support::TestApp;

#[tokio::test]
async fn serves_until_shutdown() {
    let app = TestApp::new().await;
    let served = app.serve(strata_app::AppConfig { max_body_bytes: 1024, ..Default::default() }).await;

    let response = served.raw_request("GET /api/categories HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").await;
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("\"slug\":\"electronics\""), "{response}");

    let oversized = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{}",
        " ".repeat(4096)
    );
    let response = served.raw_request(&oversized).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"error\":\"payload_too_large\""), "{response}");

    let addr = served.addr;
    served.stop().await;
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed after shutdown");
}
