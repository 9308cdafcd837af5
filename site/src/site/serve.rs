//! `jxjy serve`: build, serve the build on localhost from memory, rebuild when content or
//! templates change, and reload open pages. A content error is shown in the browser and the
//! terminal, and the server keeps running.
//!
//! The HTTP stack is hyper 1 (HTTP/1.1 only) on a current-thread tokio runtime, with axum for
//! responses and server-sent events, as mdBook serves its previews. Not tiny_http: its accept
//! thread stops on an accept error (EMFILE ends the server) and it spawns a thread per connection,
//! both of which this server must survive; hyper is the most used and maintained Rust HTTP
//! implementation and lets a request be bounded (8 KB of request line and headers, 5 s to send
//! them). Not tower-http: its file server reads the disk and we serve from memory, and nothing
//! else in it is needed. axum has no default features (no JSON, form, query or tracing code; its
//! router is not used); tokio has `rt`, `net`, `time`, `sync` (axum's `tokio` feature, needed for
//! the SSE keep-alive, adds `macros`). Cost, measured on the release `jxjy` (lto,
//! codegen-units 1) on x86_64 Linux: 5.55 MB before, 6.24 MB after (+0.69 MB; stripped 4.98 →
//! 5.57 MB; gzip -9 of the stripped binary 2.11 → 2.38 MB), notify included.
//!
//! What the server does not trust: the request target (only plain path parts are looked up, in a
//! map of the build's files: there is no file system path to climb out of), the Host header
//! (DNS rebinding: only the bound address and its localhost names are answered), the size and
//! pace of a request (8 KB, 5 s for the head, 30 s for a stalled write, no request bodies), and
//! the number of connections (a semaphore sized from the descriptor limit, so a flood of idle
//! connections waits in the kernel's queue and never takes the descriptors a rebuild needs).
//! No error of accepting a connection stops the server: it is logged and accepting goes on.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use notify::Watcher;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::diagnostics::Finding;
use super::escape;
use super::generate::Base;
use super::output;
use super::preview::{Preview, Update};

/// The longest a client may take to send a request's line and headers (also an idle connection).
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a write may wait for a client that does not read.
const WRITE_STALL: Duration = Duration::from_secs(30);
/// Request line and headers together (hyper's smallest read buffer).
const MAX_HEAD: usize = 8192;
/// Quiet time after a change before rebuilding: one save often touches a file several times.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Quiet time once every file written has been closed (where the watcher tells: inotify): the
/// save is complete, and an edit of one page is made again in a few milliseconds.
const SETTLED: Duration = Duration::from_millis(10);
/// The reserved folder under the base path for the server's own endpoints.
const RESERVED: &str = "__jxjy";

/// Opens an event stream that reloads the page on a rebuild. The stream is closed while the tab is
/// hidden (each open stream holds one of the browser's six connections to this server) and opened
/// again when it shows; the page's build version goes along, so a rebuild missed meanwhile reloads.
const RELOAD_JS: &str = r#"(function(){var s=document.currentScript,u=s.getAttribute("data-url")+"?v="+encodeURIComponent(s.getAttribute("data-version")),es=null,t=null;function close(){clearTimeout(t);if(es){es.close();es=null}}function open(){if(es||document.hidden)return;es=new EventSource(u);es.addEventListener("reload",function(){location.reload()});es.onerror=function(){close();t=setTimeout(open,1000)}}document.addEventListener("visibilitychange",function(){document.hidden?close():open()});addEventListener("pagehide",close);addEventListener("pageshow",open);open()})();"#;

/// Options of `jxjy serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub content: PathBuf,
    pub out: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub base_path: String,
}

impl ServeOptions {
    /// Serve under the path of `base_url` (a full URL's host is ignored: this is localhost).
    pub fn new(content: PathBuf, out: PathBuf, port: u16, base_url: Option<&str>) -> ServeOptions {
        let base_path = base_url.map_or_else(|| "/".to_owned(), |b| Base::parse(b).path);
        ServeOptions { content, out, bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port, base_path }
    }
}

/// What is served: the files of the latest build without errors, and the errors of the latest
/// build if it had any. Replaced whole on each rebuild, so a request sees one build or the next.
#[derive(Debug)]
struct Snapshot {
    version: u64,
    files: Arc<HashMap<String, Bytes>>,
    error: Option<String>,
}

/// Everything a connection needs.
#[derive(Debug)]
struct Shared {
    site: watch::Receiver<Arc<Snapshot>>,
    base: String,
    base_parts: Vec<String>,
    hosts: Vec<String>,
    streams: Arc<Semaphore>,
}

fn reload_tag(base: &str, version: u64) -> String {
    let base = escape(base);
    format!(
        r#"<script data-jxjy-reload data-version="{version}" data-url="{base}{RESERVED}/reload" src="{base}{RESERVED}/reload.js"></script>"#
    )
}

/// `html` with the reload script before its last `</body>`, or at its end.
fn with_reload(html: &[u8], tag: &str) -> Bytes {
    let text = String::from_utf8_lossy(html);
    let mut out = String::with_capacity(text.len() + tag.len());
    match text.rfind("</body>") {
        Some(i) => {
            out.push_str(&text[..i]);
            out.push_str(tag);
            out.push_str(&text[i..]);
        }
        None => {
            out.push_str(&text);
            out.push_str(tag);
        }
    }
    Bytes::from(out)
}

/// A file of the build as served: a page with the reload script of the build being served (added
/// here, not in the build, so that a page made again alone and the pages around it name one build).
fn served(path: &str, bytes: &Bytes, base: &str, version: u64) -> Bytes {
    if path.ends_with(".html") { with_reload(bytes, &reload_tag(base, version)) } else { bytes.clone() }
}

/// Whether a failed build failed for want of file descriptors (EMFILE, ENFILE): the machine's
/// state, not the content's, so it is retried rather than shown as a content error.
fn out_of_descriptors(findings: &[Finding]) -> bool {
    cfg!(unix)
        && findings
            .iter()
            .filter(|f| f.is_error())
            .any(|f| f.message.contains("(os error 24)") || f.message.contains("(os error 23)"))
}

/// What has yet to be written to `--out` (it is written only after a build without errors).
#[derive(Debug)]
enum Unwritten {
    Nothing,
    /// These paths of the build (a path the build no longer has is removed).
    Paths(std::collections::BTreeSet<String>),
    Everything,
}

/// The build being served and what the output folder lacks of it.
struct Builder {
    opts: ServeOptions,
    /// `None` before the first build and after one that ran out of descriptors.
    preview: Option<Preview>,
    unwritten: Unwritten,
}

impl Builder {
    fn new(opts: ServeOptions) -> Builder {
        Builder { opts, preview: None, unwritten: Unwritten::Nothing }
    }

    /// Follows a change (`changed`: the files the watcher named; `None`: unknown, or the first
    /// build) and publishes the result. `false`: the build could not open its files and should be
    /// retried; what is served is unchanged.
    fn rebuild(&mut self, changed: Option<&[PathBuf]>, site: &watch::Sender<Arc<Snapshot>>) -> bool {
        let started = std::time::Instant::now();
        let (preview, update) = match self.preview.take() {
            Some(mut preview) => {
                let update = preview.update(changed);
                (preview, update)
            }
            None => (Preview::build(&self.opts.content, Some(&self.opts.base_path)), Update::Site),
        };
        if update == Update::Site && out_of_descriptors(preview.findings()) {
            return false;
        }
        let preview = self.preview.insert(preview);
        if let Update::Pages(paths) = &update {
            if paths.is_empty() {
                // Only files the build never reads changed: nothing to publish.
                return true;
            }
            if let Unwritten::Paths(unwritten) = &mut self.unwritten {
                unwritten.extend(paths.iter().cloned());
            } else if let Unwritten::Nothing = self.unwritten {
                self.unwritten = Unwritten::Paths(paths.iter().cloned().collect());
            }
        } else {
            self.unwritten = Unwritten::Everything;
        }
        let previous = Arc::clone(&site.borrow());
        let version = previous.version + 1;
        if preview.has_errors() {
            let list: Vec<String> =
                preview.findings().iter().filter(|f| f.is_error()).map(ToString::to_string).collect();
            let files = Arc::clone(&previous.files);
            site.send_replace(Arc::new(Snapshot { version, files, error: Some(list.join("\n")) }));
            print_findings(preview.findings());
            eprintln!("构建失败：修改内容后会自动重试（浏览器中也会显示错误）");
            return true;
        }
        // Published first: the open pages reload while the terminal and the disk catch up.
        site.send_replace(Arc::new(Snapshot { version, files: Arc::clone(preview.files()), error: None }));
        let took = started.elapsed().as_millis();
        print_findings(preview.findings());
        match &update {
            Update::Site => eprintln!("已构建 {} 个页面，用时 {took} ms", preview.html_pages()),
            Update::Pages(paths) => eprintln!("已重新生成 {} 个文件，用时 {took} ms", paths.len()),
        }
        // The copy on disk is for looking at; pages are served from memory whether or not it is written.
        let files = preview.files();
        let written = match std::mem::replace(&mut self.unwritten, Unwritten::Nothing) {
            Unwritten::Nothing => Ok(()),
            Unwritten::Paths(paths) => {
                let gone: Vec<&str> = paths.iter().filter(|p| !files.contains_key(*p)).map(String::as_str).collect();
                let made = paths.iter().filter_map(|p| files.get(p).map(|b| (p.as_str(), b.as_ref())));
                output::write_some(&self.opts.out, made, &gone).map(drop)
            }
            Unwritten::Everything => {
                output::write_site(&self.opts.out, files.iter().map(|(p, b)| (p.as_str(), b.as_ref()))).map(drop)
            }
        };
        if let Err(e) = written {
            self.unwritten = Unwritten::Everything;
            eprintln!("jxjy serve: 未能写入 {}（页面照常从内存提供）：{e:#}", self.opts.out.display());
        }
        true
    }
}

/// The findings as the terminal shows them. Serving on localhost replaces the base URL with a
/// path, so the sitemap note does not apply.
fn print_findings(findings: &[Finding]) {
    for f in findings.iter().filter(|f| !f.message.contains("sitemap.xml")) {
        eprintln!("{f}");
    }
}

/// Whether a watcher event can change the build: not a read of a file (the build's own reads),
/// not a change under the output folder.
fn relevant(event: &notify::Result<notify::Event>, out: Option<&Path>) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode};
    let Ok(event) = event else { return true };
    if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)) {
        return false;
    }
    !(out.is_some_and(|out| !event.paths.is_empty() && event.paths.iter().all(|p| p.starts_with(out))))
}

/// The operating system's watcher on `dir`, else polling it.
fn start_watcher(dir: &Path, events: mpsc::Sender<notify::Result<notify::Event>>) -> Option<Box<dyn Watcher + Send>> {
    let recommended = notify::recommended_watcher(events.clone()).and_then(|mut w| {
        w.watch(dir, notify::RecursiveMode::Recursive)?;
        Ok(w)
    });
    let err = match recommended {
        Ok(w) => return Some(Box::new(w)),
        Err(e) => e,
    };
    eprintln!("jxjy serve: 无法监视 {}（{err}），改为每 500 ms 检查一次", dir.display());
    let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
    match notify::PollWatcher::new(events, config).and_then(|mut w| {
        w.watch(dir, notify::RecursiveMode::Recursive)?;
        Ok(w)
    }) {
        Ok(w) => Some(Box::new(w)),
        Err(e) => {
            eprintln!("jxjy serve: 也无法轮询 {}（{e}）：修改后不会自动重新构建", dir.display());
            None
        }
    }
}

/// The content folder's watcher and its events.
struct Watching {
    _watcher: Box<dyn Watcher + Send>,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
}

/// Starts watching before the first build, so that no change made during it is missed.
fn watch_content(opts: &ServeOptions) -> Option<Watching> {
    let dir = std::fs::canonicalize(&opts.content).unwrap_or_else(|_| opts.content.clone());
    let (tx, events) = mpsc::channel();
    let watcher = start_watcher(&dir, tx)?;
    Some(Watching { _watcher: watcher, events })
}

/// What one burst of watcher events changed: the files named (`None`: a change the watcher could
/// not name, such as an overflow of its queue) and which of them are still being written.
#[derive(Debug)]
struct Burst {
    paths: Option<Vec<PathBuf>>,
    /// Files written and not yet closed (a write without its close-after-write).
    open: Vec<PathBuf>,
}

impl Burst {
    fn new() -> Burst {
        Burst { paths: Some(Vec::new()), open: Vec::new() }
    }

    fn add(&mut self, event: &notify::Result<notify::Event>) {
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
        let Ok(event) = event else {
            self.paths = None;
            return;
        };
        if event.paths.is_empty() || event.need_rescan() {
            self.paths = None;
        }
        if let Some(paths) = &mut self.paths {
            for p in &event.paths {
                if !paths.contains(p) {
                    paths.push(p.clone());
                }
            }
        }
        match event.kind {
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) | EventKind::Create(CreateKind::File) => {
                for p in &event.paths {
                    if !self.open.contains(p) {
                        self.open.push(p.clone());
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) | EventKind::Remove(_) => {
                self.open.retain(|p| !event.paths.contains(p));
            }
            _ => {}
        }
    }
}

/// Follows each burst of changes under the content folder, for as long as the process runs; a
/// build that ran out of descriptors is tried again a second later (whole).
fn rebuild_on_change(mut builder: Builder, watching: Watching, site: watch::Sender<Arc<Snapshot>>) {
    // Changes under the output folder (if it is inside the content) are the builds' own.
    let out = std::fs::canonicalize(&builder.opts.out).ok();
    let mut retry = false;
    loop {
        let event = if retry {
            watching.events.recv_timeout(Duration::from_secs(1))
        } else {
            watching.events.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
        };
        let burst = match event {
            Ok(event) if !relevant(&event, out.as_deref()) => continue,
            Ok(event) => {
                let mut burst = Burst::new();
                burst.add(&event);
                // Quiet for DEBOUNCE, or for SETTLED once every file written has been closed.
                loop {
                    let wait = if burst.open.is_empty() { SETTLED } else { DEBOUNCE };
                    match watching.events.recv_timeout(wait) {
                        Ok(event) if relevant(&event, out.as_deref()) => burst.add(&event),
                        Ok(_) => {}
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                eprintln!("内容有变化，重新构建…");
                Some(burst)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let changed = burst.and_then(|b| b.paths);
        let failed = !builder.rebuild(if retry { None } else { changed.as_deref() }, &site);
        if failed && !retry {
            eprintln!("jxjy serve: 打开的文件太多，构建未完成；每秒重试（页面保持上一次的构建）");
        }
        retry = failed;
    }
}

/// Descriptors this process may open (the soft limit), where the system says.
fn descriptor_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Connections served at once: at most half the descriptors (the rest are for rebuilds, the
/// watcher and the standard streams), at most 256. Unknown limit: as for 256 descriptors.
fn connection_limit() -> usize {
    (descriptor_limit().unwrap_or(256) / 2).clamp(8, 256)
}

/// Names a browser may send in `Host` for this address.
fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut names = vec![match addr.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }];
    if addr.ip().is_loopback() {
        for name in ["localhost", "127.0.0.1", "[::1]"] {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    let mut hosts: Vec<String> = names.iter().map(|n| format!("{n}:{port}")).collect();
    if port == 80 {
        hosts.extend(names);
    }
    hosts
}

async fn bind(opts: &ServeOptions) -> Result<TcpListener> {
    if opts.bind.is_unspecified() {
        bail!("--bind {} 会在所有网络接口上提供站点，无法核对 Host；请给出一个具体地址", opts.bind);
    }
    let mut last = None;
    for port in opts.port..=opts.port.saturating_add(19) {
        let socket = if opts.bind.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(SocketAddr::new(opts.bind, port)).and_then(|()| socket.listen(1024)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    let last = last.map(|e| e.to_string()).unwrap_or_default();
    bail!("{} 上端口 {} 起的 20 个端口都无法使用（{last}）", opts.bind, opts.port)
}

pub fn serve(opts: ServeOptions) -> Result<()> {
    super::output::refuse_to_replace_content(&opts.out, &opts.content)?;
    let (site, site_rx) =
        watch::channel(Arc::new(Snapshot { version: 0, files: Arc::new(HashMap::new()), error: None }));
    let watching = watch_content(&opts);
    let mut builder = Builder::new(opts.clone());
    let mut first = builder.rebuild(None, &site);
    for _ in 0..20 {
        if first {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        first = builder.rebuild(None, &site);
    }
    if !first {
        bail!("打开的文件太多，无法构建；请关闭一些程序或提高 ulimit -n 后重试");
    }
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build().context("无法启动服务器")?;
    runtime.block_on(async move {
        let listener = bind(&opts).await?;
        let addr = listener.local_addr()?;
        eprintln!(
            "jxjy serve: http://{addr}{}  （修改 {} 会自动重新构建；Ctrl-C 退出）",
            opts.base_path,
            opts.content.display()
        );
        if let Some(watching) = watching
            && let Err(e) = std::thread::Builder::new().name("jxjy-watch".into()).spawn(move || {
                rebuild_on_change(builder, watching, site);
            })
        {
            eprintln!("jxjy serve: 无法启动监视线程（{e}）：修改后不会自动重新构建");
        }
        let connections = connection_limit();
        let shared = Arc::new(Shared {
            site: site_rx,
            base_parts: parts_of_base(&opts.base_path),
            base: opts.base_path.clone(),
            hosts: allowed_hosts(addr),
            streams: Arc::new(Semaphore::new((connections / 4).max(2))),
        });
        accept_loop(listener, shared, Arc::new(Semaphore::new(connections))).await;
        Ok(())
    })
}

/// Accepts connections for ever, at most as many at once as `limit` has permits; the others wait
/// in the listen queue. A failed accept (no descriptor left, a connection reset before it was
/// taken) is logged and accepting goes on.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, limit: Arc<Semaphore>) {
    let mut last_logged: Option<tokio::time::Instant> = None;
    loop {
        let Ok(permit) = Arc::clone(&limit).acquire_owned().await else { return };
        let stream = loop {
            match listener.accept().await {
                Ok((stream, _)) => break stream,
                Err(e) => {
                    if last_logged.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
                        eprintln!("jxjy serve: 接受连接失败（{e}），继续等待连接");
                        last_logged = Some(tokio::time::Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let response = handle(&req, &shared);
                async move { Ok::<_, Infallible>(response) }
            });
            let io = hyper_util::rt::TokioIo::new(WriteStall::new(stream));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD)
                .max_headers(64)
                .serve_connection(io, service)
                .await;
        });
    }
}

/// A TCP stream whose writes fail once they have waited [`WRITE_STALL`] for a client that does
/// not read, so a stalled client cannot hold a connection for ever.
struct WriteStall {
    io: TcpStream,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WriteStall {
    fn new(io: TcpStream) -> WriteStall {
        WriteStall { io, timer: None }
    }

    fn after<T>(&mut self, cx: &mut TaskContext<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.timer = None;
            return poll;
        }
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for WriteStall {
    fn poll_read(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteStall {
    fn poll_write(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write(cx, buf);
        this.after(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.after(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_flush(cx);
        this.after(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_shutdown(cx);
        this.after(cx, poll)
    }
}

/// One path part, percent-decoded, if it is a plain name: not empty, `.` or `..`, no `/` or `\`
/// (also not encoded), no NUL or other control character, valid UTF-8 and valid escapes.
fn plain_part(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let part = String::from_utf8(out).ok()?;
    let plain = !part.is_empty()
        && part != "."
        && part != ".."
        && !part.contains(['/', '\\'])
        && !part.chars().any(char::is_control);
    plain.then_some(part)
}

/// The parts of a request path and whether it ends with `/`; `None` unless every part is plain.
fn parts_of(path: &str) -> Option<(Vec<String>, bool)> {
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some((Vec::new(), true));
    }
    let (rest, folder) = rest.strip_suffix('/').map_or((rest, false), |r| (r, true));
    let parts = rest.split('/').map(plain_part).collect::<Option<Vec<_>>>()?;
    Some((parts, folder))
}

fn parts_of_base(base: &str) -> Vec<String> {
    base.split('/').filter(|p| !p.is_empty()).map(|p| plain_part(p).unwrap_or_else(|| p.to_owned())).collect()
}

/// `/a/b/` from plain parts, each percent-encoded but for unreserved characters: what goes into a
/// Location header, never a byte of the request.
fn folder_url(parts: &[String]) -> String {
    let mut url = String::from("/");
    for part in parts {
        for b in part.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                url.push(char::from(b));
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
        url.push('/');
    }
    url
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    reply(status, "text/plain; charset=utf-8", text)
}

/// Whether the request names this server: its one `Host` (and the authority of an absolute
/// target, if any) is one of `hosts`.
fn host_allowed<B>(req: &Request<B>, hosts: &[String]) -> bool {
    let mut values = req.headers().get_all(header::HOST).iter();
    let (Some(host), None) = (values.next(), values.next()) else { return false };
    let known = |h: &str| hosts.iter().any(|a| a.eq_ignore_ascii_case(h));
    host.to_str().is_ok_and(known) && req.uri().authority().is_none_or(|a| known(a.as_str()))
}

fn handle<B>(req: &Request<B>, shared: &Shared) -> Response {
    if !host_allowed(req, &shared.hosts) {
        return plain(StatusCode::FORBIDDEN, "Host 不是本服务器的地址");
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "只接受 GET 和 HEAD");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req.headers().get(header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0");
    if has_body {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "不接受请求正文");
    }
    let Some((parts, folder)) = parts_of(req.uri().path()) else {
        return plain(StatusCode::BAD_REQUEST, "路径只能由普通的名字组成");
    };
    let Some(rel) = parts.strip_prefix(shared.base_parts.as_slice()) else {
        let base = escape(&shared.base);
        let body = format!("站点在 {base} 下：<a href=\"{base}\">{base}</a>");
        return reply(StatusCode::NOT_FOUND, "text/html; charset=utf-8", body);
    };
    let site = Arc::clone(&shared.site.borrow());
    if !folder && rel.is_empty() {
        return redirect(&shared.base_parts);
    }
    if rel.first().is_some_and(|p| p == RESERVED) && !folder {
        match &rel[1..] {
            [name] if name == "reload.js" => return reply(StatusCode::OK, mime("x.js"), RELOAD_JS),
            [name] if name == "version" => return reply(StatusCode::OK, mime("x.txt"), site.version.to_string()),
            [name] if name == "reload" => return reload_stream(req, shared, site.version),
            _ => {}
        }
    }
    let joined = rel.join("/");
    let key = match (folder, rel.is_empty()) {
        (_, true) => "index.html".to_owned(),
        (true, false) => format!("{joined}/index.html"),
        (false, false) => joined,
    };
    let is_page = key.ends_with(".html") || !key.rsplit('/').next().unwrap_or("").contains('.');
    if let (Some(err), true) = (&site.error, is_page) {
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>构建错误</title><body><h1>构建错误</h1><p>修正以下问题并保存后，页面会自动刷新：</p><pre>{}</pre>{}</body></html>",
            escape(err),
            reload_tag(&shared.base, site.version)
        );
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", body);
    }
    if let Some(bytes) = site.files.get(&key) {
        return reply(StatusCode::OK, mime(&key), served(&key, bytes, &shared.base, site.version));
    }
    if !folder && site.files.contains_key(&format!("{key}/index.html")) {
        let mut target = shared.base_parts.clone();
        target.extend_from_slice(rel);
        return redirect(&target);
    }
    match site.files.get("404.html") {
        Some(page) => reply(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            served("404.html", page, &shared.base, site.version),
        ),
        None => plain(StatusCode::NOT_FOUND, "没有这个页面"),
    }
}

fn redirect(parts: &[String]) -> Response {
    let mut r = plain(StatusCode::MOVED_PERMANENTLY, "");
    match HeaderValue::from_str(&folder_url(parts)) {
        Ok(location) => {
            r.headers_mut().insert(header::LOCATION, location);
            r
        }
        Err(_) => plain(StatusCode::BAD_REQUEST, "路径只能由普通的名字组成"),
    }
}

/// Server-sent events: `reload` once the build is newer than the page's (`?v=`), then on each
/// rebuild. At most a quarter of the connections are streams; past that, 503 (the page retries).
fn reload_stream<B>(req: &Request<B>, shared: &Shared, current: u64) -> Response {
    let Ok(permit) = Arc::clone(&shared.streams).try_acquire_owned() else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "打开的页面太多");
    };
    let page = req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("v=")));
    let mut rx = shared.site.clone();
    rx.mark_unchanged();
    let first = page.is_some_and(|v| v != current.to_string()).then_some(current);
    let events = futures_util::stream::unfold((rx, first, permit), |(mut rx, first, permit)| async move {
        let version = match first {
            Some(v) => v,
            None => {
                rx.changed().await.ok()?;
                rx.borrow_and_update().version
            }
        };
        let event = Event::default().event("reload").data(version.to_string());
        Some((Ok::<_, Infallible>(event), (rx, None, permit)))
    });
    let mut r = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_parts_are_looked_up() {
        assert_eq!(parts_of("/"), Some((vec![], true)));
        assert_eq!(parts_of("/faq/"), Some((vec!["faq".to_owned()], true)));
        assert_eq!(parts_of("/a/%E4%B8%AD.html"), Some((vec!["a".to_owned(), "中.html".to_owned()], false)));
        for bad in [
            "//etc/passwd",
            "/%2fetc/passwd",
            "/%2Fetc/passwd",
            "/..%2f..%2fetc/passwd",
            "/%2ftmp",
            "/../etc/passwd",
            "/a/./b",
            "/a//b",
            "/a/%2e%2e/b",
            "/a%5cb",
            "/a\\b",
            "/a%00b",
            "/a%0d%0aSet-Cookie:x",
            "/%ff",
            "/%zz",
            "/%2",
            "",
            "*",
            "//",
        ] {
            assert_eq!(parts_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_folder_url_is_built_from_plain_parts_only() {
        let parts = ["jxjy".to_owned(), "中 文".to_owned()];
        assert_eq!(folder_url(&parts), "/jxjy/%E4%B8%AD%20%E6%96%87/");
        assert_eq!(folder_url(&[]), "/");
    }

    #[test]
    fn hosts_are_the_bound_address_and_its_loopback_names() {
        let hosts = allowed_hosts("127.0.0.1:8000".parse().unwrap());
        assert_eq!(hosts, ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]);
        let hosts = allowed_hosts("127.0.0.2:8000".parse().unwrap());
        assert_eq!(hosts, ["127.0.0.2:8000", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"]);
        let hosts = allowed_hosts("[::1]:8000".parse().unwrap());
        assert_eq!(hosts, ["[::1]:8000", "localhost:8000", "127.0.0.1:8000"]);
        let hosts = allowed_hosts("192.168.1.5:80".parse().unwrap());
        assert_eq!(hosts, ["192.168.1.5:80", "192.168.1.5"]);
        let req = |host: &str| Request::builder().uri("/").header(header::HOST, host).body(()).unwrap();
        let local = allowed_hosts("127.0.0.1:8000".parse().unwrap());
        assert!(host_allowed(&req("LOCALHOST:8000"), &local));
        assert!(!host_allowed(&req("evil.example:8000"), &local));
        assert!(!host_allowed(&req("127.0.0.1:8001"), &local));
        assert!(!host_allowed(&Request::builder().uri("/").body(()).unwrap(), &local));
        let absolute = Request::builder().uri("http://evil.example/").header(header::HOST, "localhost:8000");
        assert!(!host_allowed(&absolute.body(()).unwrap(), &local));
    }

    #[test]
    fn only_a_build_short_of_descriptors_is_retried() {
        let short = Finding::error("content/site.toml", 0, "无法读取（Too many open files (os error 24)）".into());
        let broken = Finding::error("content/2020/faq.md", 3, "缺少页首信息".into());
        let note = Finding::warning("content/x.md", 1, "(os error 24)".into());
        assert_eq!(out_of_descriptors(&[broken.clone(), short]), cfg!(unix));
        assert!(!out_of_descriptors(&[broken, note]));
    }

    #[test]
    fn a_burst_names_its_files_and_knows_when_each_write_was_closed() {
        use notify::event::{AccessKind, AccessMode, DataChange, EventKind, ModifyKind, RenameMode};
        let event = |kind, path: &str| Ok(notify::Event::new(kind).add_path(PathBuf::from(path)));
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let mut burst = Burst::new();
        burst.add(&event(modify, "/c/2020/faq.md"));
        burst.add(&event(modify, "/c/2020/faq.md"));
        assert_eq!(burst.open, [PathBuf::from("/c/2020/faq.md")]);
        burst.add(&event(closed, "/c/2020/faq.md"));
        burst.add(&event(EventKind::Modify(ModifyKind::Name(RenameMode::To)), "/c/2020/quota.md"));
        assert!(burst.open.is_empty());
        assert_eq!(burst.paths, Some(vec![PathBuf::from("/c/2020/faq.md"), PathBuf::from("/c/2020/quota.md")]));
        // A change the watcher cannot name: every file may have changed.
        burst.add(&Ok(notify::Event::new(EventKind::Any)));
        assert_eq!(burst.paths, None);
        let mut burst = Burst::new();
        burst.add(&Err(notify::Error::generic("queue overflow")));
        assert_eq!(burst.paths, None);
    }

    #[test]
    fn the_reload_script_goes_before_the_last_body_end() {
        assert_eq!(with_reload(b"<p>x</body></body>", "<s>"), "<p>x</body><s></body>");
        assert_eq!(with_reload(b"<p>x", "<s>"), "<p>x<s>");
    }
}
