//! `jxjy serve`: build, serve the output on localhost, rebuild when content or templates
//! change, and reload open pages. A content error is shown in the browser and the terminal,
//! and the server keeps running.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use super::escape;
use super::generate::{Base, decode_percent};
use super::output::write_atomically;

const RELOAD_JS: &str = r#"(function(){var v=null;function poll(){fetch(document.querySelector('script[data-jxjy-reload]').getAttribute('data-version-url'),{cache:"no-store"}).then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){}).then(function(){setTimeout(poll,700)})}poll()})();"#;

#[derive(Debug, Default)]
struct State {
    version: u64,
    /// The findings of a failed build, shown instead of pages until the content is fixed.
    error: Option<String>,
}

/// Options of `jxjy serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub content: PathBuf,
    pub out: PathBuf,
    pub port: u16,
    pub base_path: String,
}

fn rebuild(opts: &ServeOptions, state: &Mutex<State>) {
    let started = std::time::Instant::now();
    let outcome = super::run(&opts.content, Some(&opts.base_path));
    // Serving on localhost replaces the base URL with a path, so the sitemap note does not apply.
    for f in outcome.findings.iter().filter(|f| !f.message.contains("sitemap.xml")) {
        eprintln!("{f}");
    }
    let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
    st.version += 1;
    if outcome.has_errors() {
        let list: Vec<String> = outcome.findings.iter().filter(|f| f.is_error()).map(ToString::to_string).collect();
        st.error = Some(list.join("\n"));
        eprintln!("构建失败：修改内容后会自动重试（浏览器中也会显示错误）");
        return;
    }
    match write_atomically(&opts.out, &outcome.files) {
        Ok(()) => {
            st.error = None;
            eprintln!("已构建 {} 个页面，用时 {} ms", outcome.html_pages(), started.elapsed().as_millis());
        }
        Err(e) => st.error = Some(format!("{e:#}")),
    }
}

/// Paths, sizes and modification times of everything under `dir`.
fn fingerprint(dir: &Path, acc: &mut Vec<(PathBuf, u64, Option<SystemTime>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if let Ok(meta) = e.metadata() {
            if meta.is_dir() {
                fingerprint(&path, acc);
            } else {
                acc.push((path, meta.len(), meta.modified().ok()));
            }
        }
    }
}

pub fn serve(opts: ServeOptions) -> Result<()> {
    super::output::refuse_to_replace_content(&opts.out, &opts.content)?;
    let state = Arc::new(Mutex::new(State::default()));
    rebuild(&opts, &state);
    let listener = (opts.port..opts.port.saturating_add(20))
        .find_map(|p| TcpListener::bind(("127.0.0.1", p)).ok())
        .with_context(|| format!("端口 {} 起的 20 个端口都被占用", opts.port))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "jxjy serve: http://{addr}{}  （修改 {} 会自动重新构建；Ctrl-C 退出）",
        opts.base_path,
        opts.content.display()
    );

    let (w_opts, w_state) = (opts.clone(), Arc::clone(&state));
    std::thread::spawn(move || {
        let mut last = Vec::new();
        fingerprint(&w_opts.content, &mut last);
        last.sort();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let mut now = Vec::new();
            fingerprint(&w_opts.content, &mut now);
            now.sort();
            if now != last {
                last = now;
                eprintln!("内容有变化，重新构建…");
                rebuild(&w_opts, &w_state);
            }
        }
    });

    for stream in listener.incoming().flatten() {
        let (opts, state) = (opts.clone(), Arc::clone(&state));
        std::thread::spawn(move || {
            let _ = handle(stream, &opts, &state);
        });
    }
    Ok(())
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn reload_tag(base: &str) -> String {
    let base = escape(base);
    format!(
        r#"<script data-jxjy-reload data-version-url="{base}__jxjy/version" src="{base}__jxjy/reload.js"></script>"#
    )
}

fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8], head_only: bool) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn handle(mut stream: TcpStream, opts: &ServeOptions, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"only GET", false);
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let base = opts.base_path.as_str();
    let Some(rel) = path.strip_prefix(base).or_else(|| (path.to_owned() + "/" == base).then_some("")) else {
        let base = escape(base);
        let body = format!("站点在 {base} 下：<a href=\"{base}\">{base}</a>");
        return respond(&mut stream, "404 Not Found", "text/html; charset=utf-8", body.as_bytes(), head_only);
    };
    let (version, error) = {
        let st = state.lock().unwrap_or_else(|p| p.into_inner());
        (st.version, st.error.clone())
    };
    match rel {
        "__jxjy/version" => {
            return respond(&mut stream, "200 OK", "text/plain", version.to_string().as_bytes(), head_only);
        }
        "__jxjy/reload.js" => return respond(&mut stream, "200 OK", mime("x.js"), RELOAD_JS.as_bytes(), head_only),
        _ => {}
    }
    let rel = decode_percent(rel);
    if rel.split('/').any(|s| s == "..") {
        return respond(&mut stream, "400 Bad Request", "text/plain", b"bad path", head_only);
    }
    let mut file = opts.out.join(&rel);
    if rel.is_empty() || rel.ends_with('/') {
        file = file.join("index.html");
    } else if file.is_dir() {
        let location = format!("{base}{rel}/");
        write!(
            stream,
            "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    let is_html = file.extension().is_none_or(|e| e == "html");
    if let (Some(err), true) = (&error, is_html) {
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>构建错误</title><body><h1>构建错误</h1><p>修正以下问题并保存后，页面会自动刷新：</p><pre>{}</pre>{}</body></html>",
            escape(err),
            reload_tag(base)
        );
        return respond(
            &mut stream,
            "500 Internal Server Error",
            "text/html; charset=utf-8",
            body.as_bytes(),
            head_only,
        );
    }
    let (status, file) = if file.is_file() { ("200 OK", file) } else { ("404 Not Found", opts.out.join("404.html")) };
    let mut body = std::fs::read(&file).unwrap_or_default();
    let name = file.to_string_lossy().into_owned();
    if name.ends_with(".html") {
        let html = String::from_utf8_lossy(&body).replace("</body>", &format!("{}</body>", reload_tag(base)));
        body = html.into_bytes();
    }
    respond(&mut stream, status, mime(&name), &body, head_only)
}

impl ServeOptions {
    /// Serve under the path of `base_url` (a full URL's host is ignored: this is localhost).
    pub fn new(content: PathBuf, out: PathBuf, port: u16, base_url: Option<&str>) -> ServeOptions {
        let base_path = base_url.map_or_else(|| "/".to_owned(), |b| Base::parse(b).path);
        ServeOptions { content, out, port, base_path }
    }
}
