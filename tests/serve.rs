//! `jxjy serve` against requests a browser would not send: paths that leave the site, a foreign
//! Host, an endless request line, a flood of idle connections; and the live-reload stream.
//! Every request goes to 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: these tests assert what happens, never how fast.
const PATIENCE: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// `jxjy serve` on a copy of the real content, on a port the system picks; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    content: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// With `fd_limit`, the server runs with at most that many open descriptors (`ulimit -n`).
    fn start(fd_limit: Option<u32>) -> Server {
        Server::start_with(fd_limit, &[])
    }

    fn start_with(fd_limit: Option<u32>, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        copy_dir(&root().join("content"), &content);
        let out = dir.path().join("out");
        let mut args = vec!["serve", "--content", content.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(["--port", "0"]);
        args.extend(extra);
        let mut command = match fd_limit {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_jxjy"));
                c.args(args);
                c
            }
            None => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_jxjy"));
                c.args(args);
                c
            }
        };
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("serve exited before it listened");
            };
            if let Some(rest) = line.strip_prefix("jxjy serve: http://") {
                break rest.split('/').next().unwrap().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr, content, _dir: dir }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s
    }

    /// Sends `head` (request line and headers, without the blank line) and reads the whole answer.
    fn raw(&self, head: &str) -> Response {
        self.send(head, "")
    }

    /// Sends `head`, then `body`, and reads the whole answer.
    fn send(&self, head: &str, body: &str) -> Response {
        let mut s = self.connect();
        write!(s, "{head}\r\nConnection: close\r\n\r\n{body}").unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        Response::parse(&buf)
    }

    fn get(&self, path: &str) -> Response {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: {}", self.addr))
    }

    fn version(&self) -> u64 {
        self.get("/__jxjy/version").body.trim().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    /// Header lines as sent, split at CRLF.
    headers: Vec<String>,
    body: String,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
        Response { status, headers: lines.map(str::to_owned).collect(), body: body.to_owned() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (n, v) = h.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

#[test]
fn paths_that_leave_the_site_are_refused_and_redirects_come_from_the_checked_path() {
    let server = Server::start(None);
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_else(|_| "root:".into());
    let first_line = passwd.lines().next().unwrap_or("root:");
    for path in [
        "//etc/passwd",
        "/%2fetc/passwd",
        "/%2Fetc/passwd",
        "/..%2f..%2fetc/passwd",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/%2ftmp",
        "/%2ftmp/",
        "//tmp",
        "/faq%00",
        "/faq%0d%0aSet-Cookie:%20a=1",
        "/notice/%0d%0aLocation:%20//evil.example",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 400, "{path}: {r:?}");
        assert!(!r.body.contains(first_line), "{path}: the file was returned");
        assert!(r.header("location").is_none(), "{path}: {r:?}");
        assert!(r.header("set-cookie").is_none(), "{path}: {r:?}");
    }
    // A folder named without its slash is redirected to the same, checked path.
    for (path, location) in [("/faq", "/faq/"), ("/faq?x=%0d%0a", "/faq/")] {
        let r = server.get(path);
        assert_eq!((r.status, r.header("location")), (301, Some(location)), "{path}: {r:?}");
    }
    for r in [server.get("/faq/"), server.get("/"), server.get("/faq/index.html")] {
        assert_eq!(r.status, 200, "{r:?}");
    }
    assert_eq!(server.get("/no/such/page/").status, 404);
}

#[test]
fn under_a_sub_path_redirects_stay_under_it_and_nothing_outside_is_served() {
    let server = Server::start_with(None, &["--base-url", "/jxjy/"]);
    for (path, location) in [("/jxjy", "/jxjy/"), ("/jxjy/faq", "/jxjy/faq/")] {
        let r = server.get(path);
        assert_eq!((r.status, r.header("location")), (301, Some(location)), "{path}: {r:?}");
    }
    assert_eq!(server.get("/jxjy/faq/").status, 200);
    assert!(server.get("/jxjy/faq/").body.contains("data-url=\"/jxjy/__jxjy/reload\""));
    for path in ["/jxjy//etc/passwd", "/jxjy/%2f", "/jxjy/%2ftmp", "//jxjy/faq/", "/jxjy/..%2f"] {
        let r = server.get(path);
        assert_eq!(r.status, 400, "{path}: {r:?}");
        assert!(r.header("location").is_none(), "{path}: {r:?}");
    }
    let r = server.get("/faq/");
    assert_eq!(r.status, 404, "outside the base: {r:?}");
}

#[test]
fn only_get_and_head_without_a_body_are_answered() {
    let server = Server::start(None);
    let host = format!("Host: {}", server.addr);
    let r = server.raw(&format!("POST / HTTP/1.1\r\n{host}\r\nContent-Length: 0"));
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")), "{r:?}");
    let r = server.send(&format!("GET / HTTP/1.1\r\n{host}\r\nContent-Length: 5"), "hello");
    assert_eq!(r.status, 413, "{r:?}");
    let r = server.send(&format!("GET / HTTP/1.1\r\n{host}\r\nTransfer-Encoding: chunked"), "0\r\n\r\n");
    assert_eq!(r.status, 413, "{r:?}");
    let r = server.raw(&format!("HEAD / HTTP/1.1\r\n{host}"));
    assert_eq!((r.status, r.body.as_str()), (200, ""), "{r:?}");
}

#[test]
fn a_request_for_another_host_is_refused() {
    let server = Server::start(None);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    for host in ["evil.example", &format!("evil.example:{port}"), &format!("127.0.0.2:{port}"), "127.0.0.1:1"] {
        let r = server.raw(&format!("GET / HTTP/1.1\r\nHost: {host}"));
        assert_eq!(r.status, 403, "{host}: {r:?}");
        assert!(!r.body.contains("<html"), "{host}: a page was served");
    }
    let r = server.raw(&format!("GET http://evil.example/ HTTP/1.1\r\nHost: localhost:{port}"));
    assert_eq!(r.status, 403, "absolute target: {r:?}");
    assert_eq!(server.raw("GET / HTTP/1.0").status, 403, "no Host");
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(server.raw(&format!("GET / HTTP/1.1\r\nHost: {host}")).status, 200, "{host}");
    }
}

#[test]
fn an_endless_request_line_is_refused_before_it_ends_and_the_server_answers_afterwards() {
    let server = Server::start(None);
    let mut s = server.connect();
    let mut writer = s.try_clone().unwrap();
    // 1 MB of request line that never ends: a server that waits for the newline never answers,
    // since this client sends none and keeps the connection open.
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(b"GET /");
        let chunk = vec![b'a'; 16 * 1024];
        for _ in 0..64 {
            if writer.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let mut answer = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !answer.is_empty() => break,
            Err(e) => panic!("no answer to an endless request line: {e}"),
        }
    }
    let _ = sender.join();
    let r = Response::parse(&answer);
    assert!(matches!(r.status, 400 | 414 | 431), "{r:?}");
    assert_eq!(server.get("/").status, 200);
}

#[cfg(target_os = "linux")]
#[test]
fn a_flood_of_idle_connections_neither_stops_the_site_nor_breaks_a_rebuild() {
    // 256 descriptors: 300 connections held open would take them all if each were accepted.
    let server = Server::start(Some(256));
    let addr: std::net::SocketAddr = server.addr.parse().unwrap();
    let before = server.version();
    let flood: Vec<TcpStream> =
        (0..300).filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(10)).ok()).collect();
    // More than the server takes at once with 256 descriptors (half of them).
    assert!(flood.len() > 128, "only {} connections opened", flood.len());

    // A change while the flood holds the server: the rebuild needs descriptors of its own.
    let faq = server.content.join("2020/faq.md");
    let mut text = std::fs::read_to_string(&faq).unwrap();
    text.push_str("\n## 洪水期间新增的问题？\n\n回答。\n");
    std::fs::write(&faq, &text).unwrap();

    let started = Instant::now();
    let page = loop {
        let r = server.get("/faq/");
        assert!(!r.body.contains("构建错误"), "an error page during the flood: {}", r.body);
        assert_eq!(r.status, 200, "{r:?}");
        if r.body.contains("洪水期间新增的问题") {
            break r;
        }
        assert!(started.elapsed() < PATIENCE, "the change was never built");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(page.body.contains("data-jxjy-reload"));
    assert!(server.version() > before);
    drop(flood);
}

/// Reads the event stream until `event: reload` with its data, or panics after [`PATIENCE`].
fn next_reload(stream: &mut TcpStream, seen: &mut String) -> u64 {
    let mut buf = [0; 1024];
    loop {
        if let Some(i) = seen.find("event: reload\ndata: ") {
            let rest = &seen[i + "event: reload\ndata: ".len()..];
            if let Some(end) = rest.find('\n') {
                let version = rest[..end].trim().parse().unwrap();
                *seen = rest[end..].to_owned();
                return version;
            }
        }
        let n = stream.read(&mut buf).expect("no reload event");
        assert!(n > 0, "the event stream ended: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[test]
fn a_content_edit_sends_a_reload_event() {
    let server = Server::start(None);
    let version = server.version();
    let mut stream = server.connect();
    write!(stream, "GET /__jxjy/reload?v={version} HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).unwrap();
    let mut seen = String::new();
    let mut buf = [0; 1024];
    while !seen.contains("\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "{seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let head = Response::parse(seen.as_bytes());
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(head.header("content-type"), Some("text/event-stream"));

    let faq = server.content.join("2020/faq.md");
    let mut text = std::fs::read_to_string(&faq).unwrap();
    text.push_str("\n## 触发重新加载的问题？\n\n回答。\n");
    std::fs::write(&faq, &text).unwrap();
    let rebuilt = next_reload(&mut stream, &mut seen);
    assert!(rebuilt > version, "{rebuilt} after {version}");
    assert!(server.get("/faq/").body.contains("触发重新加载的问题"));

    // A page from an older build is told to reload as soon as it connects.
    let mut late = server.connect();
    write!(late, "GET /__jxjy/reload?v={version} HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).unwrap();
    assert_eq!(next_reload(&mut late, &mut String::new()), server.version());
}
