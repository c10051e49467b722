//! Running `strata studio`, `strata serve` and `strata dev` as real processes, and
//! talking to them over TCP as a browser would: a tiny HTTP/1.1 client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A server process, killed when dropped.
pub struct Server {
    pub child: Child,
    /// The `listening` events it printed (`--json`), by service.
    pub urls: Vec<(String, String)>,
    /// Its other stdout lines and stderr, for messages.
    pub output: mpsc::Receiver<String>,
    /// What it printed until it listened.
    pub startup: Vec<String>,
}

impl Server {
    /// Starts `strata --json <args>` in `dir` with `env`, and waits (up to
    /// `wait`) until it has printed `services` listening events.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)], services: usize, wait: Duration) -> Server {
        let mut cmd = super::strata_std(dir);
        cmd.arg("--json").args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("strata starts");
        let (tx, rx) = mpsc::channel::<String>();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx2.send(format!("stderr: {line}"));
            }
        });
        let mut urls = Vec::new();
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + wait;
        while urls.len() < services {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                        && event["event"] == "listening"
                    {
                        urls.push((
                            event["service"].as_str().unwrap().to_owned(),
                            event["url"].as_str().unwrap().to_owned(),
                        ));
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("strata {args:?} did not start listening:\n{}", seen.join("\n"));
                }
            }
        }
        Server { child, urls, output: rx, startup: seen }
    }

    pub fn url(&self, service: &str) -> &str {
        &self.urls.iter().find(|(s, _)| s == service).unwrap_or_else(|| panic!("no {service} in {:?}", self.urls)).1
    }

    /// Everything printed so far.
    pub fn printed(&self) -> String {
        self.startup.iter().cloned().chain(self.output.try_iter()).collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The body with HTML's entities decoded.
    pub fn text(&self) -> String {
        self.body
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }
}

/// `host:port` and path of `http://host:port/path`.
pub fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), "/".to_owned()),
    }
}

/// A JSON POST on a new connection.
pub fn post_json(url: &str, json: &str) -> Reply {
    request_with(
        "POST",
        url,
        &[("Content-Type", "application/json"), ("Content-Length", &json.len().to_string())],
        Some(json),
    )
}

/// One request on a new connection (`Connection: close`), read whole; a body is a form.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let length = body.map(|b| b.len().to_string());
    let mut all = headers.to_vec();
    if let Some(length) = &length {
        all.push(("Content-Type", "application/x-www-form-urlencoded"));
        all.push(("Content-Length", length));
    }
    request_with(method, url, &all, body)
}

fn request_with(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let (authority, path) = split_url(url);
    send(&authority, method, &path, headers, body, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// One request to `authority` (`host:port`) on a new connection (`Connection: close`),
/// read whole, each step within `timeout`. Whatever goes wrong on the way (connecting,
/// a timeout, an answer that is not a whole HTTP response) is an error, for tests that
/// count failures.
pub fn send(
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    timeout: Duration,
) -> std::io::Result<Reply> {
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("no address for {authority}")))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw).ok_or_else(|| std::io::Error::other(format!("unparsable response {:?}", String::from_utf8_lossy(&raw))))
}

/// A whole response: its head, and its body (chunks joined).
fn parse(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(rest.get(..size)?);
            rest = rest.get(size + 2..)?;
        }
        body = decoded;
    }
    Some(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// A browser signed in to a studio: its cookie and CSRF token.
pub struct Browser {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    /// Opens the printed launch address.
    pub fn open(launch: &str) -> Browser {
        let reply = request("GET", launch, &[], None);
        assert_eq!(reply.status, 303, "the launch address signs in: {}", reply.body);
        let cookie = reply.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
        let (authority, _) = split_url(launch);
        let mut browser = Browser { base: format!("http://{authority}"), cookie, csrf: String::new() };
        let console = browser.get("/console");
        let at = console.body.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        browser.csrf = console.body[at..at + console.body[at..].find('"').unwrap()].to_owned();
        browser
    }

    pub fn get(&self, path: &str) -> Reply {
        request("GET", &format!("{}{path}", self.base), &[("Cookie", &self.cookie)], None)
    }

    /// Runs `sql` in the console (`commit` ticks the box).
    pub fn console(&self, sql: &str, commit: bool) -> Reply {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("csrf", &self.csrf).append_pair("sql", sql).append_pair("action", "run");
        if commit {
            form.append_pair("commit", "1");
        }
        let body = form.finish();
        request("POST", &format!("{}/console", self.base), &[("Cookie", &self.cookie)], Some(&body))
    }
}
