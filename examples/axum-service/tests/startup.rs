//! The example service, built and started against a fresh database: it
//! migrates at startup, serves from the new table, and a restart applies nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use strata_testing::TestDb;

/// The running service; killed when dropped, also when the test fails.
struct Service {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Service {
    fn start(db: &TestDb) -> Service {
        let mut child = Command::new(env!("CARGO_BIN_EXE_axum-service"))
            .env("DATABASE_URL", db.url())
            .env("LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Service { child, lines }
    }

    fn next_line(&self) -> String {
        self.lines.recv_timeout(Duration::from_secs(60)).expect("the service printed nothing for 60 s")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn migrates_at_startup_and_serves() {
    let db = TestDb::new();
    let service = Service::start(&db);
    assert_eq!(service.next_line(), "migrations: 2 applied at startup");
    let listening = service.next_line();
    let addr = listening.strip_prefix("listening on http://").unwrap_or_else(|| panic!("{listening}"));
    let response = get(addr, "/notes");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("\r\n\r\n[]"), "{response}");
    drop(service);

    let again = Service::start(&db);
    assert_eq!(again.next_line(), "migrations: 0 applied at startup");
}
