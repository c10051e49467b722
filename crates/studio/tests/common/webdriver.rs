//! A small WebDriver client for chromedriver, over the test HTTP client: the few
//! commands the end-to-end test needs (session, navigate, find, click, type, read,
//! screenshot). Chromium runs headless with the flags this closed network needs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::client::request;

/// The WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver and one browser session, both ended on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// Where chromium and chromedriver are, or why the test cannot run.
pub fn locate() -> Result<(PathBuf, PathBuf), String> {
    let find = |names: &[&str]| {
        names.iter().map(PathBuf::from).find(|p| p.is_file()).or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
        })
    };
    let chromium = find(&["/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"])
        .ok_or("chromium is not installed (apt-get install -y chromium chromium-driver)")?;
    let driver = find(&["/usr/bin/chromedriver", "chromedriver"])
        .ok_or("chromedriver is not installed (apt-get install -y chromium-driver)")?;
    Ok((chromium, driver))
}

impl Browser {
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = request("GET", &format!("{base}/status"), &[], None).await
                && r.status == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1400,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let mut browser = Browser { driver, base, session: String::new(), _profile: profile };
        let created = browser.call("POST", "/session", Some(caps)).await;
        browser.session = created["sessionId"].as_str().expect("a session id").to_owned();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let bytes = body.map(|b| b.to_string().into_bytes());
        let r = request(method, &url, &[], bytes.as_deref().map(|b| ("application/json", b)))
            .await
            .expect("webdriver request");
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert!(r.status == 200, "webdriver {method} {path}: {} {}", r.status, r.text());
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", None).await.as_str().unwrap_or_default().to_owned()
    }

    /// Waits up to 5 s for the current URL to contain `part`, and returns it: a click
    /// that submits a form returns before the next page has loaded.
    pub async fn wait_for_url(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let url = self.url().await;
            if url.contains(part) {
                return url;
            }
            assert!(Instant::now() < deadline, "the browser stayed on {url}, expected a URL containing {part:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn title(&self) -> String {
        self.call("GET", "/title", None).await.as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching a CSS selector, waiting up to 5 s for it.
    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let body = json!({"using": "css selector", "value": css}).to_string();
            let r = request("POST", &url, &[], Some(("application/json", body.as_bytes()))).await.unwrap();
            if r.status == 200 {
                let v: Value = serde_json::from_slice(&r.body).unwrap();
                return v["value"][ELEMENT].as_str().unwrap_or_else(|| panic!("find {css:?}: {}", r.text())).to_owned();
            }
            assert!(Instant::now() < deadline, "no element matches {css:?} on {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call("POST", &format!("/element/{el}/click"), Some(json!({}))).await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call("POST", &format!("/element/{el}/clear"), Some(json!({}))).await;
        self.call("POST", &format!("/element/{el}/value"), Some(json!({"text": text}))).await;
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.call("GET", &format!("/element/{el}/text"), None).await.as_str().unwrap_or_default().to_owned()
    }

    pub async fn displayed(&self, css: &str) -> bool {
        let el = self.find(css).await;
        self.call("GET", &format!("/element/{el}/displayed"), None).await.as_bool().unwrap_or(false)
    }

    /// An attribute of the first element matching `css`.
    pub async fn attribute(&self, css: &str, name: &str) -> String {
        let el = self.find(css).await;
        self.call("GET", &format!("/element/{el}/attribute/{name}"), None).await.as_str().unwrap_or_default().to_owned()
    }

    /// Presses the mouse 8 px inside the top-left corner of the element matching
    /// `css`, moves it by (dx, dy) and releases it.
    pub async fn drag(&self, css: &str, dx: i64, dy: i64) {
        let el = self.find(css).await;
        let rect = self.call("GET", &format!("/element/{el}/rect"), None).await;
        let (x, y) = (rect["x"].as_f64().unwrap() as i64 + 8, rect["y"].as_f64().unwrap() as i64 + 8);
        let pointer = json!([
            {"type": "pointerMove", "duration": 0, "origin": "viewport", "x": x, "y": y},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 200, "origin": "viewport", "x": x + dx, "y": y + dy},
            {"type": "pointerUp", "button": 0}
        ]);
        let actions = json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": pointer}]});
        self.call("POST", "/actions", Some(actions)).await;
    }

    /// The browser console's messages so far (CSP violations show up here).
    pub async fn console_log(&self) -> Vec<String> {
        let v = self.call("POST", "/se/log", Some(json!({"type": "browser"}))).await;
        v.as_array()
            .map(|a| a.iter().map(|e| e["message"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default()
    }

    /// Resizes the window (the viewport is what screenshots show).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(json!({"width": width, "height": height}))).await;
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let data = self.call("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session makes chromedriver close chromium; killing chromedriver
        // alone leaves the browser running. Blocking I/O: drop cannot await.
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let mut reply = [0u8; 512];
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read(&mut reply);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
