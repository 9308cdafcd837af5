//! `jxjy build` / `lint` on the real content and on fixture sites with known faults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn jxjy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jxjy")).args(args).current_dir(root()).output().unwrap()
}

fn build(content: &Path, out: &Path, base: &str) -> Output {
    jxjy(&["build", "--content", content.to_str().unwrap(), "--out", out.to_str().unwrap(), "--base-url", base])
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Internal links of an HTML file (href/src values that are relative).
fn links(html: &str) -> Vec<String> {
    let mut v = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let link = part.split('"').next().unwrap_or("");
            if !link.contains("://") && !link.starts_with("data:") && !link.starts_with('#') && !link.is_empty() {
                v.push(link.replace("&#x2F;", "/"));
            }
        }
    }
    v
}

/// `link` (relative, as written in the page at `page`) as a file of the built site.
fn resolve(page: &Path, link: &str) -> PathBuf {
    let target = link.split('#').next().unwrap();
    let mut t = page.parent().unwrap().join(target);
    if target.ends_with('/') || target.is_empty() {
        t = t.join("index.html");
    }
    t.components().fold(PathBuf::new(), |mut acc, c| {
        match c {
            std::path::Component::ParentDir => {
                assert!(acc.pop(), "{}: {link} climbs above the site root", page.display());
            }
            std::path::Component::CurDir => {}
            c => acc.push(c),
        }
        acc
    })
}

/// Every relative link of every page (but 404.html, which links from the base path) resolves
/// to a built file.
fn assert_links_resolve(files: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in files {
        if path.extension().is_some_and(|e| e == "html") && path != Path::new("404.html") {
            let html = String::from_utf8(bytes.clone()).unwrap();
            for link in links(&html) {
                let norm = resolve(path, &link);
                assert!(files.contains_key(&norm), "{}: broken link {link} ({})", path.display(), norm.display());
            }
        }
    }
}

#[test]
fn the_real_content_builds_with_every_page_and_working_links() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let res = build(&root().join("content"), &out, "https://jxjy.example.com/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let files = snapshot(&out);
    for page in [
        "index.html",
        "notice/index.html",
        "quota/index.html",
        "faq/index.html",
        "check/index.html",
        "404.html",
        "sitemap.xml",
    ] {
        assert!(files.contains_key(Path::new(page)), "{page} missing");
    }
    assert_links_resolve(&files);
    let notice = read(&out, "notice/index.html");
    assert!(notice.contains("郑人社办〔2020〕106号"));
    assert!(notice.contains("lang=\"zh-CN\""));
    // CJK soft breaks add no space, and mends are kept as comments.
    assert!(notice.contains("郑东新区"), "extraction fault not mended");
    let visible: String = notice
        .split("<!--")
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.split_once("-->").map_or("", |(_, rest)| rest) })
        .collect();
    assert!(!visible.contains(" and "), "English 'and' left in the notice text");
    assert!(notice.contains("<!--"), "the mends are recorded as comments");
    let quota = read(&out, "quota/index.html");
    assert!(quota.contains("<svg"), "quota chart missing");
    assert_eq!(quota.matches("class=\"bar\"").count(), 16, "one bar per region");
    // Scrolling tables are named regions that take the keyboard focus.
    assert_eq!(quota.matches("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"").count(), 2);
    assert!(quota.contains("aria-label=\"2020年郑州市专业技术人员知识更新工程项目培训任务计划\"><table>"), "{quota}");
    // The source's repeated roster is explained and folded, not shown as if it were the site's own table.
    let roster = quota.find("<details class=\"source-table\">").expect("roster folded in <details>");
    assert!(quota[roster..].contains("20 行内容相同") && quota[roster..].contains("<td>20</td>"), "{quota}");
    assert!(quota[..roster].contains("这是原文自身的表格"), "no note before the roster");
    let faq = read(&out, "faq/index.html");
    assert!(!faq.contains("{{"), "unrendered template tags in the FAQ");
    assert!(faq.contains("12月10日"), "FAQ dates come from policy.toml");
    assert!(faq.matches("<h2 id=").count() >= 20, "at least 20 questions");
    let check = read(&out, "check/index.html");
    assert!(check.contains("<script type=\"text/plain\" id=\"policy\">"), "{check}");
    assert!(!check.contains("id=\"policies\""), "one year: no list of policies: {check}");
    assert!(check.contains("Content-Security-Policy"));
    // Each year's pages at /<year>/… as well as at the plain addresses; the address with the year
    // is canonical, so the sitemap lists it and not the plain copy.
    for page in ["2020/notice/index.html", "2020/quota/index.html", "2020/faq/index.html", "archive/index.html"] {
        assert!(files.contains_key(Path::new(page)), "{page} missing");
    }
    assert!(faq.contains("<link rel=\"canonical\" href=\"https://jxjy.example.com/2020/faq/\">"), "{faq}");
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://jxjy.example.com/2020/faq/</loc>"), "{sitemap}");
    assert!(!sitemap.contains("<loc>https://jxjy.example.com/faq/</loc>"), "{sitemap}");
    // Nothing is fetched from another host.
    for (path, bytes) in &files {
        if path.extension().is_some_and(|e| e == "html" || e == "css") {
            let text = String::from_utf8_lossy(bytes);
            for bad in ["src=\"http", "href=\"//", "@import", "fonts.googleapis", "cdn."] {
                assert!(!text.contains(bad), "{} refers to another host ({bad})", path.display());
            }
        }
    }
}

#[test]
fn sub_path_builds_link_relatively_and_the_404_page_uses_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let res = build(&root().join("content"), &out, "/jxjy/");
    assert_eq!(res.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(stderr.contains("不生成 sitemap.xml"), "a path-only base warns about the sitemap: {stderr}");
    assert!(!out.join("sitemap.xml").exists());
    let faq = read(&out, "faq/index.html");
    assert!(faq.contains("href=\"../assets/style.css\""));
    assert!(!faq.contains("href=\"/"), "root-absolute link in a page");
    let not_found = read(&out, "404.html");
    assert!(not_found.contains("href=\"/jxjy/assets/style.css\""), "{not_found}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    assert_eq!(build(&root().join("content"), &out, "/").status.code(), Some(0));
    let before = snapshot(&out);
    let res = build(&root().join("tests/fixtures/sites/faulty"), &out, "/");
    assert_eq!(res.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&res.stderr).contains("保持原样"));
    assert_eq!(snapshot(&out), before, "output changed after a failed build");
    let siblings: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(siblings, [std::ffi::OsString::from("public")], "staging folders left behind");
}

#[test]
fn lint_finds_the_known_faults_with_file_and_line() {
    let res = jxjy(&["lint", "--content", "tests/fixtures/sites/faulty"]);
    assert_eq!(res.status.code(), Some(1));
    let text = String::from_utf8(res.stderr).unwrap();
    for want in [
        "faulty/2020/links.md:8: 错误: 链接“missing.md”指向的页面不存在",
        "faulty/2020/links.md:8: 错误: 链接“#不存在”的锚点 #不存在",
        "faulty/2020/links.md:10: 错误: 链接“quota.md#没有这个标题”的锚点",
        "faulty/2020/links.md:12: 错误: 链接“../nowhere/”指向的页面不存在",
        "faulty/2020/nofront.md:1: 错误: 缺少页首信息",
        "faulty/2020/quota.md:12: 错误: 培训任务表的总计为 250，但各行之和为 300",
        "faulty/2020/template.md:7: 错误: 页面中的模板标记有误",
        "是否想写 {{ policy.minimums.total }}？",
        "faulty/2020/quota.md:17: 警告: 表格（第 14 行起）有重复的行",
        "faulty/site.toml: 警告: base_url“/t/”只有路径",
        "jxjy lint: 7 个错误",
    ] {
        assert!(text.contains(want), "missing finding: {want}\n--- got:\n{text}");
    }
    // The good links are not reported.
    assert!(!text.contains("quota.md#总表"), "{text}");
    assert!(!text.contains("../check/"), "{text}");
}

#[test]
fn lint_names_a_policy_date_outside_its_year() {
    let res = jxjy(&["lint", "--content", "tests/fixtures/sites/bad-policy"]);
    assert_eq!(res.status.code(), Some(1));
    let text = String::from_utf8(res.stderr).unwrap();
    assert!(
        text.contains("bad-policy/2020/policy.toml:23: 错误: review.deadline：日期 2021-01-10 不在 2020 年度内"),
        "{text}"
    );
}

#[test]
fn the_shipped_content_lints_clean_of_errors_and_flags_the_roster() {
    let res = jxjy(&["lint"]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "content/2020/quota.md:48: 警告: 表格（第 45 行起）有重复的行：第 48、49、50、51、52 等 19 行与第 47 行"
        ),
        "{text}"
    );
    assert!(!text.contains("错误:"), "{text}");
    // The notice's own web address is not known here: the policy office is told where to give it.
    assert!(
        text.contains("content/2020/policy.toml: 警告: 没有 source_url：通知页的公文信息栏不显示原文链接"),
        "{text}"
    );
}

#[test]
fn templates_can_be_overridden_from_content() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join("content"), &content);
    std::fs::create_dir_all(content.join("templates")).unwrap();
    std::fs::write(content.join("templates/404.html"), "<!doctype html><p>自定义 404 {{ site.title }}</p>").unwrap();
    let out = dir.path().join("public");
    assert_eq!(build(&content, &out, "/").status.code(), Some(0));
    assert_eq!(read(&out, "404.html"), "<!doctype html><p>自定义 404 郑州市专业技术人员继续教育</p>");
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

/// A tiny HTTP GET against the dev server: (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default())
}

fn wait_for_version_change(addr: &str, from: &str) -> String {
    for _ in 0..100 {
        let (_, v) = get(addr, "/__jxjy/version");
        if v != from {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no rebuild within 10 s");
}

#[test]
fn serve_rebuilds_on_change_and_shows_content_errors_in_the_browser() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join("content"), &content);
    let mut child = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args([
            "serve",
            "--content",
            content.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
            "--port",
            "0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve exited").unwrap();
        if let Some(rest) = line.strip_prefix("jxjy serve: http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let result = std::panic::catch_unwind(|| {
        let (status, home) = get(&addr, "/");
        assert_eq!(status, 200);
        assert!(home.contains("data-jxjy-reload"), "live-reload script injected");
        let (_, v1) = get(&addr, "/__jxjy/version");

        let faq = content.join("2020/faq.md");
        let mut text = std::fs::read_to_string(&faq).unwrap();
        text.push_str("\n## 新增的测试问题？\n\n新增的回答。\n");
        std::fs::write(&faq, &text).unwrap();
        let v2 = wait_for_version_change(&addr, &v1);
        assert!(get(&addr, "/faq/").1.contains("新增的测试问题"));

        std::fs::write(content.join("2020/broken.md"), "没有页首信息\n").unwrap();
        let v3 = wait_for_version_change(&addr, &v2);
        let (status, page) = get(&addr, "/faq/");
        assert_eq!(status, 500);
        assert!(page.contains("缺少页首信息"), "{page}");

        std::fs::remove_file(content.join("2020/broken.md")).unwrap();
        wait_for_version_change(&addr, &v3);
        assert_eq!(get(&addr, "/faq/").0, 200);
        assert_eq!(get(&addr, "/no/such/").0, 404);
        assert_eq!(get(&addr, "/../etc/passwd").0, 400);
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// A copy of the real content in a fresh folder, to add faults to: (tempdir, content folder).
fn content_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join("content"), &content);
    (dir, content)
}

#[test]
fn a_page_name_that_would_climb_out_of_the_output_is_a_content_error() {
    for name in ["...md", "..md"] {
        let (dir, content) = content_copy();
        std::fs::write(content.join("2020").join(name), "+++\ntitle = \"越界\"\n+++\n正文\n").unwrap();
        let out = dir.path().join("public");
        let res = build(&content, &out, "/");
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(&format!("2020/{name}: 错误: 页面文件名")), "{name}: {stderr}");
        assert!(!dir.path().join("index.html").exists(), "{name}: index.html written beside --out");
        assert!(!out.exists(), "{name}: a failed build wrote the output");
        let siblings: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(siblings, [std::ffi::OsString::from("content")], "{name}");
    }
}

#[test]
fn two_pages_or_a_page_and_a_built_file_with_one_url_is_an_error() {
    let (dir, content) = content_copy();
    // In the navigation, so also at the plain address /check/.
    std::fs::write(content.join("2020/check.md"), "+++\ntitle = \"撞名\"\nweight = 9\n+++\n正文\n").unwrap();
    let res = build(&content, &dir.path().join("public"), "/");
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2020/check.md: 错误: 页面的网址 /check/ 与自动生成的页面相同"), "{stderr}");
}

/// `jxjy lint` on `content`, killed (and the test failed) if it has not finished after a minute:
/// the assertions are on what it reports; the limit only turns a hang into a failure.
#[cfg(unix)]
fn lint_bounded(content: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args(["lint", "--content", content.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), reader.join().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("lint did not finish: {}", reader.join().unwrap());
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_content_are_errors_and_folder_links_are_not_followed() {
    use std::os::unix::fs::symlink;
    let (dir, content) = content_copy();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("secret.md"), "+++\ntitle = \"机密\"\n+++\n内容目录之外的文件\n").unwrap();
    let year = content.join("2020");
    symlink(&elsewhere, year.join("outside")).unwrap();
    symlink(elsewhere.join("secret.md"), year.join("leak.md")).unwrap();
    // Two links to the folder they are in: following them never ends.
    symlink(".", year.join("a")).unwrap();
    symlink(".", year.join("b")).unwrap();
    // A link to a page inside content is fine.
    symlink("faq.md", year.join("faq-link.md")).unwrap();

    let (code, text) = lint_bounded(&content);
    assert_eq!(code, Some(1), "{text}");
    for want in [
        "2020/outside: 错误: 符号链接指向内容目录之外",
        "2020/leak.md: 错误: 符号链接指向内容目录之外",
        "2020/a: 警告: 不跟随指向文件夹的符号链接",
        "2020/b: 警告: 不跟随指向文件夹的符号链接",
    ] {
        assert!(text.contains(want), "missing: {want}\n{text}");
    }
    assert!(!text.contains("faq-link.md: 错误"), "{text}");

    let out = dir.path().join("public");
    assert_eq!(build(&content, &out, "/").status.code(), Some(1));
    assert!(!out.exists());

    // Without the links out of content the build goes through, publishes the linked page,
    // and nothing from outside.
    std::fs::remove_file(year.join("outside")).unwrap();
    std::fs::remove_file(year.join("leak.md")).unwrap();
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    assert!(out.join("faq-link/index.html").exists());
    for (path, bytes) in snapshot(&out) {
        assert!(!String::from_utf8_lossy(&bytes).contains("内容目录之外的文件"), "{}", path.display());
        assert!(!path.starts_with("a") && !path.starts_with("b"), "{}", path.display());
    }
}

#[test]
fn get_env_is_an_error_in_pages_and_templates_and_publishes_nothing_of_the_environment() {
    let secret = "jxjy-secret-of-the-build-machine";
    // Pages.
    let (dir, content) = content_copy();
    std::fs::write(
        content.join("2020/env.md"),
        "+++\ntitle = \"环境\"\n+++\n\n第一行。\n\n主目录 {{ get_env(name=\"JXJY_TEST_SECRET\", default=\"无\") }}\n",
    )
    .unwrap();
    let out = dir.path().join("public");
    let res = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args(["build", "--content", content.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("JXJY_TEST_SECRET", secret)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2020/env.md:7: 错误: 页面中的模板标记有误"), "{stderr}");
    assert!(stderr.contains("get_env"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    assert!(!out.exists());

    // Template overrides.
    let (dir, content) = content_copy();
    std::fs::create_dir_all(content.join("templates")).unwrap();
    std::fs::write(content.join("templates/404.html"), "<p>404</p>\n<p>{{ get_env(name=\"JXJY_TEST_SECRET\") }}</p>\n")
        .unwrap();
    let out = dir.path().join("public");
    let res = Command::new(env!("CARGO_BIN_EXE_jxjy"))
        .args(["build", "--content", content.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("JXJY_TEST_SECRET", secret)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("templates/404.html:2: 错误: 模板有误"), "{stderr}");
    assert!(stderr.contains("get_env"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn text_from_content_is_escaped_for_where_it_lands() {
    let (dir, content) = content_copy();
    let hostile = "</script><script>alert(1)</script><!-- & \u{2028}\u{2029}";
    let policy_path = content.join("2020/policy.toml");
    let policy = std::fs::read_to_string(&policy_path).unwrap();
    let toml_str = serde_json::to_string(hostile).unwrap();
    let policy = policy
        .replace("source = \"郑人社办〔2020〕106号\"", &format!("source = {toml_str}"))
        .replace("title = \"郑州市人力资源和社会保障局关于", &format!("title = {}", &toml_str[..toml_str.len() - 1]));
    assert!(policy.contains(&format!("source = {toml_str}\n")), "{policy}");
    std::fs::write(&policy_path, policy).unwrap();
    // A page whose name has characters that need escaping in an attribute.
    std::fs::write(content.join("2020/q&a'.md"), "+++\ntitle = \"问答\"\nweight = 9\n+++\n正文\n").unwrap();
    let out = dir.path().join("public");
    let res = build(&content, &out, "/x\"y/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));

    // The policy's wire lines stay inside their <script> and read back as written.
    let check = read(&out, "check/index.html");
    let start = "<script type=\"text/plain\" id=\"policy\">";
    let wire = check.split_once(start).unwrap().1.split_once("</script>").unwrap().0;
    for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!wire.contains(bad), "{bad:?} in the embedded policy: {wire}");
    }
    assert!(wire.contains("\\u003c/script\\u003e"), "{wire}");
    let policy = jxjy_core::policy::Policy::from_wire(wire.trim()).unwrap();
    assert_eq!(policy.source, hostile);
    assert!(policy.title.starts_with(hostile));
    assert_eq!(check.matches("<script").count(), 3, "the policy, prefs.js and check.js: {check}");
    assert!(!check.contains("<script>alert"), "{check}");

    // Attribute values: the page URL in the navigation, the base path on the 404 page.
    let home = read(&out, "index.html");
    assert!(home.contains("href=\"q&amp;a&#39;/\""), "{home}");
    let not_found = read(&out, "404.html");
    assert!(not_found.contains("href=\"/x&quot;y/assets/style.css\""), "{not_found}");
    assert!(!not_found.contains("/x\"y/"), "{not_found}");
}

#[test]
fn raw_html_that_can_act_is_warned_about_and_shown_as_text() {
    let (dir, content) = content_copy();
    std::fs::write(
        content.join("2020/raw.md"),
        "+++\ntitle = \"原始 HTML\"\n+++\n\n\
         正常的 <kbd>Ctrl</kbd> 和 <!-- 注释里的 <script> 不算 -->。\n\n\
         <meta http-equiv=\"refresh\" content=\"0; url=https://example.org/\">\n\n\
         <script>alert(1)</script>\n\n\
         <iframe src=\"https://example.org/\"></iframe>\n\n\
         文字 <img src=\"x.png\" onerror=\"alert(1)\"> 文字\n\n\
         <a href=\" java&#115;cript:alert(1)\">点</a>\n\n\
         <object data=\"x.swf\"></object>\n\n\
         <embed src=\"x.swf\">\n\n\
         <div\n  class=\"x\"\n  onclick=\"alert(1)\">多行的标签</div>\n",
    )
    .unwrap();
    let res = jxjy(&["lint", "--content", content.to_str().unwrap()]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(0), "warnings only: {text}");
    for (line, what) in [
        (7, "<meta http-equiv>"),
        (9, "<script>"),
        (11, "<iframe>"),
        (13, "onerror="),
        (15, "javascript:"),
        (17, "<object>"),
        (19, "<embed>"),
        (21, "onclick="),
    ] {
        let want = format!("2020/raw.md:{line}: 警告: 原始 HTML（{what}）");
        assert!(text.contains(&want), "missing: {want}\n{text}");
    }
    assert!(!text.contains("2020/raw.md:5:"), "a harmless tag or a comment is not reported: {text}");
    assert_eq!(text.matches("2020/raw.md:").count(), 8, "{text}");

    let out = dir.path().join("public");
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let page = read(&out, "2020/raw/index.html");
    let body = page.split_once("<div class=\"content\">").unwrap().1;
    for bad in ["<meta", "<script>alert", "<iframe", "<img", "<a href=\" java", "<object", "<embed", "<div\n"] {
        assert!(!body.contains(bad), "{bad} left in the page: {body}");
    }
    assert!(body.contains("&lt;meta http-equiv=\"refresh\""), "shown as text: {body}");
    assert!(body.contains("<kbd>Ctrl</kbd>"), "harmless HTML is kept: {body}");
    assert!(body.contains("<!-- 注释里的 <script> 不算 -->"), "comments are kept: {body}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_build_removes_what_killed_builds_left_beside_the_output_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    // A process that has ended: its PID names leftovers of a killed build.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    // A process still running: a build in progress owns folders with its PID.
    let mut running = Command::new("sleep").arg("600").spawn().unwrap();
    let alive = running.id();
    let result = std::panic::catch_unwind(|| {
        let names = [
            format!(".public.new-{dead}"),
            format!(".public.old-{dead}"),
            format!(".public.new-{alive}"),
            format!(".other.new-{dead}"),
            ".public.new-x".to_owned(),
        ];
        for n in &names {
            std::fs::create_dir_all(dir.path().join(n).join("faq")).unwrap();
            std::fs::write(dir.path().join(n).join("faq/index.html"), "half").unwrap();
        }
        let res = build(&root().join("content"), &out, "/");
        assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            format!(".public.new-{alive}"),
            format!(".other.new-{dead}"),
            ".public.new-x".to_owned(),
            "public".to_owned(),
        ];
        want.sort();
        assert_eq!(left, want);
    });
    let _ = running.kill();
    let _ = running.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn a_template_that_includes_itself_is_an_error_not_a_crash() {
    let lint = |content: &Path| {
        let res = jxjy(&["lint", "--content", content.to_str().unwrap()]);
        (res.status.code(), String::from_utf8_lossy(&res.stderr).into_owned())
    };
    let (_dir, content) = content_copy();
    std::fs::write(content.join("2020/self.md"), "+++\ntitle = \"自身\"\n+++\n正文\n{% include \"self.md\" %}\n")
        .unwrap();
    let (code, text) = lint(&content);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("2020/self.md:5: 错误: 页面中的模板标记有误"), "{text}");

    let (_dir, content) = content_copy();
    std::fs::create_dir_all(content.join("templates")).unwrap();
    std::fs::write(
        content.join("templates/faq.html"),
        "{% extends \"base.html\" %}\n{% block main %}{% include \"faq.html\" %}{% endblock main %}\n",
    )
    .unwrap();
    let (code, text) = lint(&content);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("templates/faq.html:2: 错误: 模板有误"), "{text}");
}

#[test]
fn an_output_folder_that_holds_the_content_is_refused() {
    let (dir, content) = content_copy();
    let before = snapshot(&content);
    for out in [dir.path().to_path_buf(), content.clone()] {
        let res = build(&content, &out, "/");
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("包含内容目录"), "{stderr}");
        assert_eq!(snapshot(&content), before, "the content changed");
    }
}

/// The values of `attr="…"` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!("{attr}=\"");
    html.split(key.as_str()).skip(1).map(|p| p.split('"').next().unwrap_or("")).collect()
}

/// What lies between `start` (inclusive) and the next `end` after it.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("{start} missing"));
    let len = html[at..].find(end).unwrap_or_else(|| panic!("{end} missing after {start}"));
    &html[at..at + len]
}

#[test]
fn the_document_pages_read_as_the_official_notice_with_linked_questions_and_clauses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let res = build(&root().join("content"), &out, "/jxjy/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));

    // The notice: a header strip with the issuer, the document number and the dates; the title once.
    let notice = read(&out, "notice/index.html");
    let strip = section(&notice, "<dl class=\"doc-meta\"", "</dl>");
    for (term, value) in
        [("发文机关", "郑州市人力资源和社会保障局"), ("文号", "郑人社办〔2020〕106号"), ("发布日期", "2020年3月26日")]
    {
        assert!(strip.contains(&format!("<dt>{term}</dt><dd>{value}</dd>")), "{term} missing from {strip}");
    }
    let main = section(&notice, "<main", "</main>");
    assert_eq!(main.matches("关于做好2020年度专业技术人员继续教育工作的通知").count(), 1, "title not shown once");
    assert!(main.contains("<h1 id=\"doc-title\">郑州市人力资源和社会保障局关于做好"), "title is not the h1");
    // One bracket style for clause numbers: full-width （一）, in headings and clause paragraphs.
    let shown: String =
        main.split("<!--").enumerate().map(|(i, p)| if i == 0 { p } else { p.split_once("-->").unwrap().1 }).collect();
    assert!(!shown.contains("(一)") && !shown.contains("(二)"), "half-width clause numbers left");
    assert!(main.contains("<h3 id=\"一公需科目\">（一）公需科目。</h3>"), "{main}");
    let notice_ids: std::collections::HashSet<&str> = attr_values(&notice, "id").into_iter().collect();
    assert!(
        notice_ids.contains("四一") && notice_ids.contains("四二"),
        "clause paragraphs 四（一）（二） have no anchors"
    );

    // The FAQ: a linked list of every question, each link to a question that exists.
    let faq = read(&out, "faq/index.html");
    let toc = section(&faq, "<nav class=\"faq-toc\"", "</nav>");
    let list = section(&faq, "<div class=\"content faq-list\">", "</article>");
    let question_ids: Vec<&str> = list.split("<h2 id=\"").skip(1).map(|p| p.split('"').next().unwrap()).collect();
    assert!(question_ids.len() >= 20, "{} questions", question_ids.len());
    let toc_links: Vec<&str> = attr_values(toc, "href").into_iter().map(|h| h.trim_start_matches('#')).collect();
    assert_eq!(toc_links, question_ids, "the question list does not link every question in order");

    // Citations of the notice link to anchors that exist on the notice page; none is left as text.
    let citations: Vec<&str> = faq.split("<p>依据：《通知》").skip(1).collect();
    assert!(citations.len() >= 25, "{} citations", citations.len());
    for c in &citations {
        assert!(c.starts_with("<a href=\"../notice/#"), "citation not linked: {}", &c[..c.len().min(80)]);
    }
    let cited: Vec<&str> =
        attr_values(&faq, "href").into_iter().filter_map(|h| h.strip_prefix("../notice/#")).collect();
    assert!(cited.len() >= 30, "{} clause links", cited.len());
    for id in &cited {
        assert!(notice_ids.contains(id), "citation links to #{id}, which the notice page does not have");
    }
    assert!(cited.contains(&"四一") && cited.contains(&"二巩固电子证书转换成果"), "{cited:?}");

    // Home: the key deadline is marked; past deadlines are not greyed out by opacity (the last
    // opacity any linked stylesheet gives `.deadline.past` is 1, or there is none).
    let home = read(&out, "index.html");
    assert!(home.contains("<li class=\"deadline key\" data-date=\"2020-12-10\""), "annual review not marked key");
    assert!(home.contains("<strong>2020年12月10日前</strong>"), "the 12月10日 review date is not prominent");
    let mut past_opacity = None;
    for css in attr_values(&home, "href").into_iter().filter(|h| h.ends_with(".css")) {
        let text = read(&out, css);
        for rule in text.split('}') {
            if let Some((selector, body)) = rule.split_once('{')
                && selector.contains(".deadline.past")
                && let Some(v) = body.split("opacity:").nth(1)
            {
                past_opacity = Some(v.split(';').next().unwrap().trim().to_owned());
            }
        }
    }
    assert!(past_opacity.as_deref().is_none_or(|v| v == "1"), "past deadlines greyed: opacity {past_opacity:?}");
    assert!(!home.contains("opacity"), "inline opacity on the home page");

    // Every page has a meta description (Lighthouse SEO), the home and self-check pages from site.toml.
    for page in ["index.html", "check/index.html", "notice/index.html", "faq/index.html", "quota/index.html"] {
        let html = read(&out, page);
        let d = attr_values(&html, "name=\"description\" content").first().copied().unwrap_or("");
        assert!(d.chars().count() >= 20, "{page}: meta description missing or empty");
    }
    assert!(
        home.contains("<meta name=\"description\" content=\"郑州市专业技术人员继续教育："),
        "home description not from site.toml"
    );
}

#[test]
fn the_notice_strip_links_to_the_source_when_policy_toml_gives_it() {
    let (_dir, content) = content_copy();
    let policy = content.join("2020/policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    let url = "https://rsj.example.gov.cn/tzgg/106.html";
    std::fs::write(&policy, text.replacen("platform_url", &format!("source_url = \"{url}\"\nplatform_url"), 1))
        .unwrap();
    let out = content.parent().unwrap().join("public");
    let res = build(&content, &out, "/");
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("source_url"), "{stderr}");
    let notice = read(&out, "notice/index.html");
    let strip = section(&notice, "<dl class=\"doc-meta\"", "</dl>");
    assert!(strip.contains(&format!("<dt>来源</dt><dd><a href=\"{url}\"")), "{strip}");
}

#[cfg(unix)]
#[test]
fn a_citation_of_a_clause_the_notice_lacks_stays_text_and_lint_warns() {
    let (_dir, content) = content_copy();
    let faq = content.join("2020/faq.md");
    let text = std::fs::read_to_string(&faq).unwrap();
    let text = text.replacen("依据：《通知》一\n", "依据：《通知》一、九（九）\n", 1);
    std::fs::write(&faq, &text).unwrap();
    let line = text.lines().position(|l| l.contains("九（九）")).unwrap() + 1;
    let (code, stderr) = lint_bounded(&content);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("2020/faq.md:{line}: 警告: 依据中的“《通知》九（九）”在通知页找不到对应的标题或条款")),
        "{stderr}"
    );
    let out = content.parent().unwrap().join("public");
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0));
    let faq = read(&out, "faq/index.html");
    assert!(faq.contains("<p>依据：《通知》<a href=\"../notice/#一范围对象\">一</a>、九（九）</p>"), "{faq}");
}

const TWO_YEARS: &str = "tests/fixtures/sites/two-years";

/// The text of `html` without tags (and without the HTML comments).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn two_years_build_each_at_its_own_address_with_the_newest_at_the_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let res = build(&root().join(TWO_YEARS), &out, "https://jxjy.example.com/jxjy/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    let files = snapshot(&out);
    for page in [
        "index.html",
        "notice/index.html",
        "quota/index.html",
        "faq/index.html",
        "check/index.html",
        "archive/index.html",
        "2020/notice/index.html",
        "2020/quota/index.html",
        "2020/faq/index.html",
        "2021/notice/index.html",
        "2021/quota/index.html",
        "2021/faq/index.html",
        "2021/changes/index.html",
        "2020/index.html",
        "2021/index.html",
    ] {
        assert!(files.contains_key(Path::new(page)), "{page} missing");
    }
    // A year's own address leads to its pages.
    let y2020 = read(&out, "2020/index.html");
    assert!(y2020.contains("<h1>2020年度继续教育</h1>"), "{y2020}");
    assert!(y2020.contains("href=\"../2020/notice/\"") && y2020.contains("郑人社办〔2020〕106号"), "{y2020}");
    assert!(!y2020.contains("<h2>2021年度"), "only its own year: {y2020}");
    assert!(read(&out, "sitemap.xml").contains("https://jxjy.example.com/jxjy/2020/</loc>"));
    // The first year has nothing to be compared with.
    assert!(!files.contains_key(Path::new("2020/changes/index.html")));
    assert_links_resolve(&files);

    // No `year` in site.toml: the newest year is current, at the plain addresses, canonically at
    // its year's address; the plain page is the same page.
    let plain = read(&out, "notice/index.html");
    let y2021 = read(&out, "2021/notice/index.html");
    assert!(plain.contains("虚构测试政策（非真实文件）2021"), "{plain}");
    let canonical = "<link rel=\"canonical\" href=\"https://jxjy.example.com/jxjy/2021/notice/\">";
    assert!(plain.contains(canonical) && y2021.contains(canonical), "{plain}");
    // The plain page is the same page: the same text, its links to the same pages (within the
    // year, the copy at the same kind of address; out of it, the same file).
    let (a, b) = (section(&plain, "<article", "</article>"), section(&y2021, "<article", "</article>"));
    assert_eq!(text_of(a), text_of(b));
    let targets = |html: &str, at: &str| -> Vec<PathBuf> {
        attr_values(html, "href")
            .into_iter()
            .filter(|h| !h.contains("://"))
            .map(|h| resolve(Path::new(at), h))
            .collect()
    };
    let in_year: Vec<PathBuf> = targets(b, "2021/notice/index.html")
        .into_iter()
        .map(|p| p.strip_prefix("2021").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    assert_eq!(targets(a, "notice/index.html"), in_year);
    assert!(targets(a, "notice/index.html").contains(&PathBuf::from("check/index.html")));
    let home = read(&out, "index.html");
    assert!(home.contains("<h1>2021年度专业技术人员继续教育</h1>"), "{home}");

    // Each year's pages say which year they are, and link to the other year's page of the same name.
    let old_faq = read(&out, "2020/faq/index.html");
    let bar = section(&old_faq, "<nav class=\"year-bar", "</nav>");
    assert!(text_of(bar).contains("本页为2020年度（郑人社办〔2020〕106号），不是当前年度；当前为2021年度"), "{bar}");
    assert!(bar.contains("<a href=\"../../2021/faq/\">2021年度</a>"), "{bar}");
    assert!(bar.contains("<a href=\"../../archive/\">历年通知</a>"), "{bar}");
    assert!(old_faq.contains("<title>常见问题（2020年度） - "), "{old_faq}");
    assert!(old_faq.contains("公需科目不少于 30 学时"), "2020's own policy renders 2020's pages");
    let new_faq = read(&out, "2021/faq/index.html");
    let bar = section(&new_faq, "<nav class=\"year-bar", "</nav>");
    assert!(bar.contains("<a href=\"../../2020/faq/\">2020年度</a>"), "{bar}");
    assert!(bar.contains("<a href=\"../../2021/changes/\">与2020年度相比</a>"), "{bar}");
    assert!(new_faq.contains("公需科目不少于 34 学时"), "2021's own policy renders 2021's pages");
    // The fictional year says so on every one of its pages.
    for page in ["2021/notice/index.html", "2021/quota/index.html", "2021/faq/index.html"] {
        assert!(read(&out, page).contains("虚构"), "{page} does not say it is fictional");
    }
    // A page's link out of its year (the self-check, another year) climbs out of <year>/; within
    // the year it stays there.
    let old_notice = read(&out, "2020/notice/index.html");
    let content = section(&old_notice, "<div class=\"content\">", "</article>");
    let hrefs = attr_values(content, "href");
    for want in ["../../check/", "../../2021/notice/", "../faq/"] {
        assert!(hrefs.contains(&want), "{want} not in {hrefs:?}");
    }
    // Navigation reaches the archive from every page.
    for page in ["index.html", "faq/index.html", "2020/faq/index.html", "check/index.html"] {
        let html = read(&out, page);
        let nav = section(&html, "<nav class=\"nav\"", "</nav>");
        assert!(nav.contains("archive/\">历年通知</a>"), "{page}: {nav}");
    }

    // The archive: newest first, each year's 文号 and its pages, and the comparison.
    let archive = read(&out, "archive/index.html");
    let list = section(&archive, "<ul class=\"archive-years\">", "</article>");
    let years: Vec<&str> = attr_values(list, "id");
    assert_eq!(years, ["y2021", "y2020"]);
    let y21 = section(list, "id=\"y2021\"", "id=\"y2020\"");
    assert!(text_of(y21).contains("2021年度（当前年度）"), "{y21}");
    assert!(y21.contains("（虚构测试政策（非真实文件）2021）"), "{y21}");
    assert_eq!(
        attr_values(y21, "href"),
        ["../2021/notice/", "../2021/quota/", "../2021/faq/", "../2021/changes/"],
        "{y21}"
    );
    let y20 = section(list, "id=\"y2020\"", "</ul>");
    assert!(y20.contains("（郑人社办〔2020〕106号），2020年3月26日发布"), "{y20}");
    assert_eq!(attr_values(y20, "href"), ["../2020/notice/", "../2020/quota/", "../2020/faq/"], "{y20}");
    for href in attr_values(list, "href") {
        let file = resolve(Path::new("archive/index.html"), href);
        assert!(files.contains_key(&file), "{href} → {} not built", file.display());
    }

    // The comparison: each changed minimum old → new, and nothing that did not change.
    let changes = read(&out, "2021/changes/index.html");
    let rows: Vec<String> = section(&changes, "<tbody>", "</tbody>")
        .split("<tr ")
        .skip(1)
        .map(|r| text_of(&format!("<tr {r}")).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(rows.contains(&"公需科目学时要求minimums.public30 学时34 学时增加 4 学时".to_owned()), "{rows:#?}");
    assert!(rows.contains(&"专业科目学时要求minimums.professional60 学时56 学时减少 4 学时".to_owned()), "{rows:#?}");
    assert_eq!(rows.len(), 5, "three notice details and two minimums: {rows:#?}");
    assert!(!changes.contains("data-key=\"minimums.total\"") && !changes.contains("data-key=\"review.deadline\""));

    // The sitemap: every year's pages at their own address, the archive and the comparison.
    let sitemap = read(&out, "sitemap.xml");
    for path in ["", "archive/", "check/", "2020/notice/", "2020/faq/", "2021/notice/", "2021/quota/", "2021/changes/"]
    {
        assert!(sitemap.contains(&format!("<loc>https://jxjy.example.com/jxjy/{path}</loc>")), "{path}: {sitemap}");
    }
    assert!(!sitemap.contains("<loc>https://jxjy.example.com/jxjy/notice/</loc>"), "{sitemap}");

    // The self-check page: the current policy as before, and every year's in order.
    let check = read(&out, "check/index.html");
    let wire = |id: &str| -> &str {
        let start = format!("<script type=\"text/plain\" id=\"{id}\">");
        check.split_once(&start).unwrap().1.split_once("</script>").unwrap().0.trim()
    };
    use jxjy_core::policy::Policy;
    let current = Policy::from_wire(wire("policy")).unwrap();
    assert_eq!(current.year, 2021);
    let all = Policy::several_from_wire(wire("policies")).unwrap();
    let years: Vec<i32> = all.iter().map(|p| p.year).collect();
    assert_eq!(years, [2020, 2021]);
    assert_eq!(all[0].minimums.public, jxjy_core::hours::Hours::whole(30));
    assert_eq!(all[1].minimums.public, jxjy_core::hours::Hours::whole(34));
    assert_eq!(all[1], current);
}

#[test]
fn a_site_toml_that_names_a_year_keeps_it_on_the_home_page() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join(TWO_YEARS), &content);
    let settings = std::fs::read_to_string(content.join("site.toml")).unwrap();
    std::fs::write(content.join("site.toml"), format!("{settings}year = 2020\n")).unwrap();
    let out = dir.path().join("public");
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    assert!(read(&out, "notice/index.html").contains("郑人社办〔2020〕106号"));
    assert!(read(&out, "index.html").contains("<h1>2020年度专业技术人员继续教育</h1>"));
    // The later year is still published at its own address, and says it is not the current one.
    let y2021 = read(&out, "2021/notice/index.html");
    assert!(text_of(&y2021).contains("本页为2021年度（虚构测试政策（非真实文件）2021），不是当前年度；当前为2020年度"));
    // A path-only base: the canonical link is relative.
    assert!(y2021.contains("<link rel=\"canonical\" href=\"../../2021/notice/\">"), "{y2021}");
    assert!(read(&out, "faq/index.html").contains("<link rel=\"canonical\" href=\"../2020/faq/\">"));
    assert_links_resolve(&snapshot(&out));
}

#[test]
fn lint_checks_every_year_and_warns_about_another_years_number_on_a_page() {
    let res = jxjy(&["lint", "--content", TWO_YEARS]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(0), "{text}");
    let faq = std::fs::read_to_string(root().join(TWO_YEARS).join("2021/faq.md")).unwrap();
    let line = faq.lines().position(|l| l.starts_with("公需科目不少于 30 学时")).unwrap() + 1;
    let want = format!(
        "two-years/2021/faq.md:{line}: 警告: “30 学时”是2020年度政策的公需科目学时要求（minimums.public，30 学时），不是本页所属的2021年度政策中的数：本年度的公需科目学时要求为 34 学时；若写的是本年度的要求，请改为 {{{{ policy.minimums.public }}}}"
    );
    assert!(text.contains(&want), "missing: {want}\n{text}");
    // Only that line: 90 学时 is both years' total, 2020's pages write 2020's own numbers, and the
    // comment above the line is not published.
    assert_eq!(text.matches("年度政策的").count(), 1, "{text}");
    // Both years are checked: a broken link in the older year is an error.
    let (dir, content) = {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        copy_dir(&root().join(TWO_YEARS), &content);
        (dir, content)
    };
    let quota = content.join("2020/quota.md");
    std::fs::write(&quota, std::fs::read_to_string(&quota).unwrap() + "\n[不存在](nowhere.md)\n").unwrap();
    let res = jxjy(&["lint", "--content", content.to_str().unwrap()]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(1), "{text}");
    assert!(text.contains("2020/quota.md:10: 错误: 链接“nowhere.md”指向的页面不存在"), "{text}");
    drop(dir);
}

#[test]
fn a_year_folder_must_hold_the_policy_of_its_own_year() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join(TWO_YEARS), &content);
    // 2022 without a policy; 2021's policy moved into 2019.
    std::fs::create_dir_all(content.join("2022")).unwrap();
    std::fs::create_dir_all(content.join("2019")).unwrap();
    std::fs::copy(content.join("2021/policy.toml"), content.join("2019/policy.toml")).unwrap();
    let res = jxjy(&["lint", "--content", content.to_str().unwrap()]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(1), "{text}");
    assert!(text.contains("2022/policy.toml: 错误: 无法读取政策文件"), "{text}");
    assert!(text.contains("2019/policy.toml:1: 错误: 政策年度 2021 与所在的年度文件夹 2019 不一致"), "{text}");
}

#[test]
fn jxjy_diff_prints_one_line_per_change_in_chinese() {
    let want = "文号（source）：“郑人社办〔2020〕106号” → “虚构测试政策（非真实文件）2021”\n\
                通知标题（title）：“郑州市人力资源和社会保障局关于做好2020年度专业技术人员继续教育工作的通知” → “虚构的2021年度继续教育通知（仅供测试，不是真实政策）”\n\
                发文机关（issuer）：“郑州市人力资源和社会保障局” → “虚构的测试机关”\n\
                公需科目学时要求（minimums.public）：30 学时 → 34 学时（增加 4 学时）\n\
                专业科目学时要求（minimums.professional）：60 学时 → 56 学时（减少 4 学时）\n";
    let by_year = jxjy(&["diff", "2020", "2021", "--content", TWO_YEARS]);
    assert_eq!(by_year.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_year.stderr));
    assert_eq!(String::from_utf8(by_year.stdout).unwrap(), want);
    let by_path = jxjy(&["diff", "content/2020/policy.toml", "tests/fixtures/policies/2021/policy.toml"]);
    assert_eq!(by_path.status.code(), Some(0));
    assert_eq!(String::from_utf8(by_path.stdout).unwrap(), want);
    let same = jxjy(&["diff", "2020", "2020"]);
    assert_eq!((same.status.code(), String::from_utf8(same.stdout).unwrap().as_str()), (Some(0), "无变化\n"));
    let missing = jxjy(&["diff", "2020", "1999"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("无法读取政策文件 content/1999/policy.toml"));
}

#[test]
fn the_fictional_year_is_a_test_fixture_and_never_shipped_content() {
    // The fixture site's 2021 is the fictional policy, and its 2020 the real one, word for word.
    let fixture = |p: &str| std::fs::read_to_string(root().join(TWO_YEARS).join(p)).unwrap();
    let file = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    assert_eq!(fixture("2021/policy.toml"), file("tests/fixtures/policies/2021/policy.toml"));
    assert_eq!(fixture("2020/policy.toml"), file("content/2020/policy.toml"));
    // Nothing published from content/ is fictional.
    for e in std::fs::read_dir(root().join("content")).unwrap().flatten() {
        let policy = e.path().join("policy.toml");
        if policy.exists() {
            let text = std::fs::read_to_string(&policy).unwrap();
            assert!(!text.contains("虚构") && !text.contains("FICTIONAL"), "{} is the test policy", policy.display());
        }
    }
}

#[test]
fn a_page_on_the_address_of_a_generated_page_is_an_error_in_every_year() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&root().join(TWO_YEARS), &content);
    // In the navigation: the current year's are then also at the plain addresses.
    for page in ["2021/changes.md", "2021/archive.md", "2020/archive.md"] {
        std::fs::write(content.join(page), "+++\ntitle = \"撞名\"\nweight = 9\n+++\n正文\n").unwrap();
    }
    let res = jxjy(&["lint", "--content", content.to_str().unwrap()]);
    let text = String::from_utf8(res.stderr).unwrap();
    assert_eq!(res.status.code(), Some(1), "{text}");
    assert!(text.contains("2021/changes.md: 错误: 页面的网址 /2021/changes/ 与自动生成的页面相同"), "{text}");
    // The current year's pages in the navigation are also at the plain addresses, where the archive is.
    assert!(text.contains("2021/archive.md: 错误: 页面的网址 /archive/ 与自动生成的页面相同"), "{text}");
    // An earlier year's page is only at /2020/archive/: no clash.
    assert!(!text.contains("2020/archive.md: 错误"), "{text}");
}

/// A content copy with `extra` more pages, titled `title` (the title is on every page).
fn site_of(dir: &Path, name: &str, title: &str, extra: usize) -> PathBuf {
    let content = dir.join(name);
    copy_dir(&root().join("content"), &content);
    let settings = std::fs::read_to_string(content.join("site.toml")).unwrap();
    let settings = settings.replace("title = \"郑州市专业技术人员继续教育\"", &format!("title = \"{title}\""));
    assert!(settings.contains(title));
    std::fs::write(content.join("site.toml"), settings).unwrap();
    std::fs::create_dir_all(content.join("2020/more")).unwrap();
    for i in 0..extra {
        let page = format!("+++\ntitle = \"第{i}页\"\n+++\n\n{}\n", "继续教育学时登记与审核说明。".repeat(200));
        std::fs::write(content.join(format!("2020/more/p{i}.md")), page).unwrap();
    }
    content
}

#[test]
fn an_unchanged_rebuild_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let content = site_of(dir.path(), "content", "甲站", 20);
    assert_eq!(build(&content, &out, "/").status.code(), Some(0));
    let times = |out: &Path| -> BTreeMap<PathBuf, std::time::SystemTime> {
        snapshot(out)
            .into_keys()
            .map(|p| (p.clone(), std::fs::metadata(out.join(&p)).unwrap().modified().unwrap()))
            .collect()
    };
    let before = times(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&res.stderr).contains("写入 0，"), "{}", String::from_utf8_lossy(&res.stderr));
    assert_eq!(times(&out), before, "an unchanged rebuild rewrote files");
    // One page edited: that page is written, and the pages that list or link it; not the rest.
    std::fs::write(content.join("2020/more/p3.md"), "+++\ntitle = \"第3页\"\n+++\n\n改过的一页。\n").unwrap();
    let res = build(&content, &out, "/");
    let after = times(&out);
    let rewritten: Vec<_> = after.iter().filter(|(p, t)| before.get(*p) != Some(t)).map(|(p, _)| p.clone()).collect();
    assert!(rewritten.contains(&PathBuf::from("2020/more/p3/index.html")), "{rewritten:?}");
    assert!(rewritten.len() < before.len() / 2, "{}: {rewritten:?}", String::from_utf8_lossy(&res.stderr));
}

/// A build killed at any moment leaves every output file whole: the old bytes or the new ones.
#[test]
fn a_killed_build_leaves_each_file_old_or_new_never_torn() {
    let dir = tempfile::tempdir().unwrap();
    let old_site = site_of(dir.path(), "old", "旧标题站点", 1000);
    let new_site = site_of(dir.path(), "new", "新标题站点", 1000);
    let (old_out, new_out) = (dir.path().join("old-out"), dir.path().join("new-out"));
    assert_eq!(build(&old_site, &old_out, "/").status.code(), Some(0));
    let started = std::time::Instant::now();
    assert_eq!(build(&new_site, &new_out, "/").status.code(), Some(0));
    let whole = started.elapsed();
    let (old, new) = (snapshot(&old_out), snapshot(&new_out));
    assert_eq!(old.keys().collect::<Vec<_>>(), new.keys().collect::<Vec<_>>());
    assert!(old.iter().filter(|(p, b)| new[*p] != **b).count() > 1000, "the two sites should differ on every page");

    let out = dir.path().join("public");
    assert_eq!(build(&old_site, &out, "/").status.code(), Some(0));
    let mut saw_a_mix = false;
    for step in 1..=8u32 {
        let site = if step % 2 == 1 { &new_site } else { &old_site };
        let mut child = Command::new(env!("CARGO_BIN_EXE_jxjy"))
            .args(["build", "--content", site.to_str().unwrap(), "--out", out.to_str().unwrap(), "--base-url", "/"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill points spread over the length of a whole build (the last ones may come after it ended).
        std::thread::sleep(whole * step / 7);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            old.keys().collect::<Vec<_>>(),
            "kill {step}: files missing or extra"
        );
        for (path, bytes) in &now {
            assert!(
                *bytes == old[path] || *bytes == new[path],
                "kill {step}: {} is neither the old nor the new file",
                path.display()
            );
        }
        saw_a_mix |= now.iter().any(|(p, b)| *b == old[p]) && now.iter().any(|(p, b)| *b == new[p]);
    }
    // Whatever the kills left, the next build finishes the job and clears what they left beside it.
    assert_eq!(build(&new_site, &out, "/").status.code(), Some(0));
    assert_eq!(snapshot(&out), new);
    let mut left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    left.sort();
    assert_eq!(left, ["new", "new-out", "old", "old-out", "public"].map(std::ffi::OsString::from));
    eprintln!("a build killed part way left old and new files side by side: {saw_a_mix}");
}

/// The current year's pages in the navigation (and its notice) are also at the plain addresses;
/// the rest of the year only under `<year>/`, so a large year is not written twice. The plain
/// copies link there.
#[test]
fn only_the_front_pages_of_the_current_year_are_copied_to_the_plain_addresses() {
    let (dir, content) = content_copy();
    std::fs::write(
        content.join("2020/guide.md"),
        "+++\ntitle = \"办事指南\"\n+++\n\n## 材料\n\n见[常见问题](faq.md)。\n",
    )
    .unwrap();
    let faq = std::fs::read_to_string(content.join("2020/faq.md")).unwrap();
    std::fs::write(content.join("2020/faq.md"), format!("{faq}\n另见[办事指南](guide.md#材料)。\n")).unwrap();
    let out = dir.path().join("public");
    let res = build(&content, &out, "/");
    assert_eq!(res.status.code(), Some(0), "{}", String::from_utf8_lossy(&res.stderr));
    assert!(out.join("2020/guide/index.html").exists());
    assert!(!out.join("guide").exists(), "a page outside the navigation was copied to the plain address");
    for p in ["faq", "notice", "quota"] {
        assert!(out.join(p).join("index.html").exists() && out.join("2020").join(p).join("index.html").exists(), "{p}");
    }
    assert!(read(&out, "faq/index.html").contains("href=\"../2020/guide/#%E6%9D%90%E6%96%99\""));
    assert!(read(&out, "2020/faq/index.html").contains("href=\"../guide/#%E6%9D%90%E6%96%99\""));
    assert!(read(&out, "2020/guide/index.html").contains("href=\"../faq/\""));
    // Every internal link of every page resolves to a built file.
    for (path, bytes) in snapshot(&out).into_iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "html")) {
        let html = String::from_utf8(bytes).unwrap();
        let from = out.join(&path).parent().unwrap().to_path_buf();
        for link in links(&html) {
            let plain = link.split(['#', '?']).next().unwrap();
            let plain = generate_decode(plain);
            if plain.is_empty() {
                continue;
            }
            // The 404 page links from the site's base path (it is served at any depth).
            let target = match plain.strip_prefix('/') {
                Some(rooted) => out.join(rooted),
                None => from.join(&plain),
            };
            let target = if plain.ends_with('/') { target.join("index.html") } else { target };
            assert!(target.exists(), "{}: {link} does not resolve", path.display());
        }
    }
}

fn generate_decode(s: &str) -> String {
    jxjy_site::site::generate::decode_percent(s)
}
