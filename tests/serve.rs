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

// In-process: the build `jxjy serve` keeps, after an edit, against a fresh full build.

use std::collections::BTreeMap;

use jxjy_site::site::preview::{Preview, Update};

/// A copy of the two-year fixture (2021 current) with a page outside the navigation that links
/// to an anchor of another page: (tempdir, content folder).
fn two_years() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join("tests/fixtures/sites/two-years"), &content);
    std::fs::create_dir_all(content.join("2021/guide")).unwrap();
    std::fs::write(
        content.join("2021/guide/intro.md"),
        "+++\ntitle = \"入门\"\n+++\n\n## 开始\n\n见[常见问题](../faq.md#问一)和[培训任务](../quota.md)。\n",
    )
    .unwrap();
    let faq = content.join("2021/faq.md");
    let text = std::fs::read_to_string(&faq).unwrap() + "\n## 问一\n\n答一。\n";
    std::fs::write(&faq, text).unwrap();
    (dir, content)
}

/// Rewrites `rel` under `content` with `edit` and tells `preview` (as the watcher names it).
fn edit(preview: &mut Preview, content: &Path, rel: &str, edit: impl Fn(String) -> String) -> Update {
    let path = content.join(rel);
    std::fs::write(&path, edit(std::fs::read_to_string(&path).unwrap_or_default())).unwrap();
    preview.update(Some(&[std::fs::canonicalize(content).unwrap().join(rel)]))
}

/// Every file and finding of `preview` equals those of a full build of the same content.
fn assert_same_as_a_full_build(preview: &Preview, content: &Path) {
    let full = jxjy_site::site::run(content, Some("/"));
    let kept: BTreeMap<&str, &[u8]> = preview.files().iter().map(|(p, b)| (p.as_str(), b.as_ref())).collect();
    let fresh: BTreeMap<&str, &[u8]> = full.files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    assert_eq!(kept.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>());
    for (path, bytes) in &fresh {
        assert!(kept[path] == *bytes, "{path} differs from a full build");
    }
    assert_eq!(preview.findings(), full.findings.as_slice());
}

fn pages(update: &Update) -> Vec<&str> {
    match update {
        Update::Pages(paths) => paths.iter().map(String::as_str).collect(),
        Update::Site => panic!("the whole site was built again"),
    }
}

#[test]
fn an_edit_of_a_page_body_makes_that_page_again_and_the_site_is_as_a_full_build_makes_it() {
    let (_dir, content) = two_years();
    let mut preview = Preview::build(&content, Some("/"));
    assert_same_as_a_full_build(&preview, &content);
    assert!(!preview.has_errors(), "{:#?}", preview.findings());

    // A page of the current year in the navigation: written under 2021/ and at the plain address.
    let update =
        edit(&mut preview, &content, "2021/faq.md", |t| t + "\n## 新问题\n\n新的回答，见[入门](guide/intro.md)。\n");
    assert_eq!(pages(&update), ["2021/faq/index.html", "faq/index.html"]);
    assert!(String::from_utf8_lossy(&preview.files()["faq/index.html"]).contains("新的回答"));
    assert_same_as_a_full_build(&preview, &content);

    // A page outside the navigation, and a page of the older year (with a policy number tag).
    let update = edit(&mut preview, &content, "2021/guide/intro.md", |t| t.replace("## 开始", "## 开始了"));
    assert_eq!(pages(&update), ["2021/guide/intro/index.html"]);
    assert_same_as_a_full_build(&preview, &content);
    let update = edit(&mut preview, &content, "2020/faq.md", |t| t + "\n共 {{ policy.minimums.total }} 学时。\n");
    assert_eq!(pages(&update), ["2020/faq/index.html"]);
    assert_same_as_a_full_build(&preview, &content);

    // Only a file the build never reads (an editor's backup): nothing is made.
    assert_eq!(edit(&mut preview, &content, "2021/faq.md~", |_| "备份".into()), Update::Pages(Vec::new()));
    assert_same_as_a_full_build(&preview, &content);
}

#[test]
fn an_edit_that_breaks_a_page_or_a_link_to_it_is_reported_as_a_full_build_reports_it() {
    let (_dir, content) = two_years();
    let mut preview = Preview::build(&content, Some("/"));
    assert!(!preview.has_errors(), "{:#?}", preview.findings());

    // The heading another page links to is gone: the link on that other page is an error now.
    let update = edit(&mut preview, &content, "2021/faq.md", |t| t.replace("## 问一", "## 问二"));
    assert_eq!(pages(&update), ["2021/faq/index.html", "faq/index.html"]);
    assert!(
        preview.findings().iter().any(|f| f.is_error() && f.file.ends_with("intro.md") && f.message.contains("#问一"))
    );
    assert_same_as_a_full_build(&preview, &content);

    // A template tag the policy does not have, then a link to a page that does not exist.
    edit(&mut preview, &content, "2021/faq.md", |t| t.replace("## 问二", "## 问一") + "\n{{ policy.nope }}\n");
    assert!(preview.findings().iter().any(|f| f.is_error() && f.message.contains("模板标记有误")));
    assert_same_as_a_full_build(&preview, &content);
    edit(&mut preview, &content, "2021/faq.md", |t| t.replace("{{ policy.nope }}", "[没有](nowhere.md)"));
    assert!(preview.findings().iter().any(|f| f.is_error() && f.message.contains("nowhere.md")));
    assert_same_as_a_full_build(&preview, &content);

    // Fixed: no error left.
    let update = edit(&mut preview, &content, "2021/faq.md", |t| t.replace("[没有](nowhere.md)", ""));
    assert!(matches!(update, Update::Pages(_)));
    assert!(!preview.has_errors(), "{:#?}", preview.findings());
    assert_same_as_a_full_build(&preview, &content);
}

#[test]
fn any_change_beyond_a_page_body_builds_the_whole_site() {
    let (_dir, content) = two_years();
    let mut preview = Preview::build(&content, Some("/"));
    let real = std::fs::canonicalize(&content).unwrap();
    let changes: [(&str, &dyn Fn(String) -> String); 6] = [
        // Front matter: the title is in the navigation of every page.
        ("2021/quota.md", &|t| t.replace("title = \"2021年培训任务", "title = \"2021年度培训任务")),
        // The notice: every page's citations link to its clauses.
        ("2021/notice.md", &|t| t + "\n补充一段。\n"),
        // A new page, then the policy and the site settings.
        ("2021/new.md", &|_| "+++\ntitle = \"新页面\"\nweight = 9\n+++\n新页面。\n".into()),
        ("2021/policy.toml", &|t| t + "\n"),
        ("site.toml", &|t| t.replace("测试用站点", "测试用的站点")),
        // A page that now fails to load.
        ("2021/guide/intro.md", &|t| t.replace("+++\ntitle", "title")),
    ];
    for (rel, change) in changes {
        assert_eq!(edit(&mut preview, &content, rel, change), Update::Site, "{rel}");
        assert_same_as_a_full_build(&preview, &content);
    }
    // With a page that fails to load, another page's body edit is still made alone, and the
    // loading error stays reported.
    assert!(preview.findings().iter().any(|f| f.is_error() && f.file.ends_with("intro.md")));
    let update = edit(&mut preview, &content, "2021/quota.md", |t| {
        t + "
又一段。
"
    });
    assert_eq!(pages(&update), ["2021/quota/index.html", "quota/index.html"]);
    assert_same_as_a_full_build(&preview, &content);
    // A page removed; a change the watcher could not name.
    std::fs::remove_file(content.join("2021/new.md")).unwrap();
    assert_eq!(preview.update(Some(&[real.join("2021/new.md")])), Update::Site);
    assert_same_as_a_full_build(&preview, &content);
    assert_eq!(preview.update(None), Update::Site);
    assert_same_as_a_full_build(&preview, &content);
}

/// Waits until the server's build version is past `from`; returns it.
fn wait_past(server: &Server, from: u64) -> u64 {
    let started = Instant::now();
    loop {
        let v = server.version();
        if v > from {
            return v;
        }
        assert!(started.elapsed() < PATIENCE, "no rebuild after version {from}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_error_in_an_edited_page_body_is_shown_in_the_browser_until_it_is_fixed() {
    let server = Server::start(None);
    let faq = server.content.join("2020/faq.md");
    let text = std::fs::read_to_string(&faq).unwrap();
    let v1 = server.version();
    std::fs::write(&faq, format!("{text}\n共 {{{{ policy.no_such_number }}}} 学时。\n")).unwrap();
    let v2 = wait_past(&server, v1);
    let page = server.get("/faq/");
    assert_eq!(page.status, 500, "{page:?}");
    assert!(page.body.contains("模板标记有误") && page.body.contains("no_such_number"), "{}", page.body);
    // Every page shows the error, as after a full build.
    assert_eq!(server.get("/quota/").status, 500);

    std::fs::write(&faq, format!("{text}\n改好了的回答。\n")).unwrap();
    wait_past(&server, v2);
    let page = server.get("/faq/");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("改好了的回答"));
    // The reload script names the build served, on the page made again and on the others (once
    // the save's events are all taken: a save can come as two bursts).
    std::thread::sleep(Duration::from_millis(500));
    let now = server.version();
    for path in ["/faq/", "/quota/"] {
        assert!(server.get(path).body.contains(&format!("data-version=\"{now}\"")), "{path}");
    }
}

#[test]
fn after_a_build_stopped_by_a_template_fault_every_change_builds_the_whole_site() {
    let (_dir, content) = two_years();
    std::fs::create_dir_all(content.join("templates")).unwrap();
    std::fs::write(content.join("templates/page.html"), "{% include \"page.html\" %}").unwrap();
    let mut preview = Preview::build(&content, Some("/"));
    assert!(preview.has_errors());
    assert_same_as_a_full_build(&preview, &content);
    assert_eq!(edit(&mut preview, &content, "2021/faq.md", |t| t + "\n再加一段。\n"), Update::Site);
    assert_same_as_a_full_build(&preview, &content);
}
