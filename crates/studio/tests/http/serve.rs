//! The real server over TCP: the printed address signs a browser in, and shutdown
//! stops it.

use std::time::Duration;

use strata_studio::{StudioConfig, launch_url, serve};

use crate::client::request;
use crate::harness::migrations_dir;

#[tokio::test]
async fn the_printed_address_signs_in_and_shutdown_stops_the_server() {
    let db = strata_testing::TestDb::new();
    strata_migrate::up_all(&mut db.connect().await, &migrations_dir()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = StudioConfig::new(false);
    let url = launch_url(addr, &config);
    assert_eq!(url, format!("http://127.0.0.1:{}/?token={}", addr.port(), config.token));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, db.pool().await, config, async {
        let _ = stopped.await;
    }));

    let launch = request("GET", &url, &[], None).await.unwrap();
    assert_eq!(launch.status, 303);
    let cookie = launch.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
    let home = request("GET", &format!("http://{addr}/"), &[("Cookie", &cookie)], None).await.unwrap();
    assert_eq!(home.status, 200);
    assert!(home.text().contains("data-schema=\"app\""));
    // A streamed export arrives whole over the wire (chunked).
    let csv = request("GET", &format!("http://{addr}/s/app/items/export?format=csv"), &[("Cookie", &cookie)], None)
        .await
        .unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.text().starts_with("id,user_id,category_id,location_id,name,"));
    // Same server, a foreign Host: refused.
    let foreign = request("GET", &format!("http://{addr}/"), &[("Host", "evil.example"), ("Cookie", &cookie)], None)
        .await
        .unwrap();
    assert_eq!(foreign.status, 403);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server).await.expect("stops").unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn a_non_loopback_listener_is_refused_without_configuration() {
    let db = strata_testing::TestDb::new();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let err = serve(listener, db.pool().await, StudioConfig::new(false), async {}).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("not a loopback address"), "{err}");
}
