//! `serve` over a real socket: requests, the body limit by Content-Length, and a
//! graceful shutdown.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::TestApp;

async fn raw_request(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn serves_until_shutdown() {
    let app = TestApp::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = strata_app::AppConfig { max_body_bytes: 1024, ..Default::default() };
    let server = tokio::spawn(strata_app::serve(listener, app.app_pool.clone(), config, async {
        let _ = stopped.await;
    }));

    let response = raw_request(addr, "GET /api/categories HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").await;
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("\"slug\":\"electronics\""), "{response}");

    let oversized = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{}",
        " ".repeat(4096)
    );
    let response = raw_request(addr, &oversized).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"error\":\"payload_too_large\""), "{response}");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed after shutdown");
}
