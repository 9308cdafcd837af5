//! What the policy office edits: `content/site.toml` and one `content/<year>/` folder per policy
//! year (policy.toml and markdown pages with `+++` TOML front matter), plus optional template
//! overrides in `content/templates/`. Every year folder present is loaded: a new year is a new
//! folder.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use jxjy_core::Policy;
use serde::{Deserialize, Serialize};

use super::diagnostics::Finding;

/// `content/site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    /// A full URL (`https://host/jxjy/`) or a path (`/jxjy/`).
    pub base_url: String,
    /// The year on the home page and at the plain addresses (`/notice/`); when left out, the
    /// newest year folder. Every year folder is published either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default)]
    pub publisher: String,
    /// The home page's `<meta name="description">` (what search engines show under the title).
    #[serde(default)]
    pub description: String,
    /// The self-check page's `<meta name="description">`.
    #[serde(default)]
    pub check_description: String,
}

/// A page's front matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Order in the navigation (lower first).
    #[serde(default)]
    pub weight: i64,
    /// Template to render with (default `page.html`).
    #[serde(default)]
    pub template: Option<String>,
    /// A short label for the navigation bar (default: the title).
    #[serde(default)]
    pub nav: Option<String>,
}

/// A markdown page as loaded: its front matter, not its body. The body is read from the file
/// again when the page is made ([`Source::read_body`]), so a year of 10,000 pages is never held
/// in memory whole (their bodies were over half of a build's peak memory).
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the year folder, with `/` separators, e.g. `faq.md`.
    pub rel: String,
    /// The file as shown in messages, e.g. `content/2020/faq.md`.
    pub shown: String,
    /// The file, as opened.
    pub path: PathBuf,
    pub front: FrontMatter,
    /// The front matter as written: the file read again for its body must still hold it.
    pub front_text: String,
    /// Lines before the body (front matter and its fences).
    pub body_line: usize,
}

impl Source {
    /// The page's URL path relative to the site root, e.g. `faq/` (directory style).
    pub fn url_path(&self) -> String {
        let stem = self.rel.strip_suffix(".md").unwrap_or(&self.rel);
        match stem {
            "index" | "_index" => String::new(),
            s => format!("{}/", s.strip_suffix("/index").unwrap_or(s)),
        }
    }

    /// The page's body (the markdown below its front matter), read from its file into `file`.
    /// An error when the file cannot be read now, or no longer holds the front matter loaded
    /// (it was changed during the build).
    pub fn read_body<'f>(&self, file: &'f mut Vec<u8>) -> Result<&'f str, Finding> {
        let text = read_text(&self.path, file)
            .map_err(|e| Finding::error(&self.shown, 0, format!("无法读取（{e}）；页面须为 UTF-8 文本")))?;
        match split_front_matter(text) {
            Some((front, body, _)) if front == self.front_text => Ok(body),
            _ => Err(Finding::error(&self.shown, 0, "页面在构建过程中被改动：请再构建一次".to_owned())),
        }
    }
}

/// The text of the file at `path`, read into `buf`. UTF-8 is checked by simdutf8, several times
/// faster than `read_to_string` on Chinese text (a page is read twice: for its front matter when
/// the content is loaded, for its body when it is made); the error is the one `read_to_string`
/// gives.
fn read_text<'b>(path: &Path, buf: &'b mut Vec<u8>) -> std::io::Result<&'b str> {
    buf.clear();
    std::fs::File::open(path)?.read_to_end(buf)?;
    simdutf8::basic::from_utf8(buf)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}

/// One policy year: `content/<year>/`.
#[derive(Debug, Clone)]
pub struct Year {
    pub year: i32,
    pub policy: Policy,
    /// Its policy.toml as shown in messages.
    pub policy_file: String,
    /// Its pages, in navigation order.
    pub pages: Vec<Source>,
    /// Whether the year folder holds a symbolic link to a page or a folder: then a change to one
    /// file can reach a page by another path.
    pub has_links: bool,
}

/// Everything loaded from a content folder.
#[derive(Debug, Clone)]
pub struct Content {
    pub settings: Settings,
    /// The settings file as shown in messages.
    pub settings_file: String,
    /// Every year folder, oldest first.
    pub years: Vec<Year>,
    /// The index in `years` of the year on the home page.
    pub current: usize,
    /// (name, text) of templates overriding the built-in ones.
    pub templates: Vec<(String, String)>,
    /// The folder of those templates as shown in messages (`content/templates`).
    pub templates_dir: String,
}

/// A file as shown in messages: the path as the user can open it from where they ran jxjy
/// (the content folder they named, joined with the file's place in it).
/// Written with the platform's separator (`content\2020\faq.md` on Windows), whichever the
/// user typed, so that it can be pasted back into their shell or file manager.
pub fn shown(path: &Path) -> String {
    path.display().to_string().replace(['/', '\\'], std::path::MAIN_SEPARATOR_STR)
}

/// The line of a toml error inside `text`, from its byte span.
fn toml_line(text: &str, e: &toml::de::Error) -> usize {
    e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1)
}

fn toml_message(e: &toml::de::Error) -> String {
    e.message().to_owned()
}

/// Splits `+++` front matter from the body.
pub fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n"))?;
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..at];
            let body = &rest[at + line.len()..];
            let body_line = front.matches('\n').count() + 2;
            return Some((front, body, body_line));
        }
        at += line.len();
    }
    None
}

/// Reads a content folder. Every problem becomes a finding with file:line; loading goes on
/// where it can so that one run reports everything.
pub fn load(root: &Path, findings: &mut Vec<Finding>) -> Option<Content> {
    let inside = Inside::new(root);
    let settings_path = root.join("site.toml");
    let settings_shown = shown(&settings_path);
    if !inside.check(&settings_path, findings) {
        return None;
    }
    let settings = read_settings(&settings_path, findings)?;
    let mut folders = year_folders(&inside, root, findings);
    if let Some(y) = settings.year
        && !folders.contains(&y)
    {
        // Named in site.toml but missing: reported where the policy should be.
        folders.push(y);
        folders.sort_unstable();
    }
    if folders.is_empty() {
        findings.push(Finding::error(
            &settings_shown,
            0,
            "内容目录中没有年度文件夹：每个年度一个文件夹（如 2020/），内有 policy.toml 和页面".to_owned(),
        ));
        return None;
    }
    let years: Vec<Option<Year>> = folders.iter().map(|&y| load_year(&inside, root, y, findings)).collect();
    let current_year = settings.year.unwrap_or(folders[folders.len() - 1]);
    let templates_dir = root.join("templates");
    let templates = read_templates(&inside, &templates_dir, findings);
    let templates_dir = shown(&templates_dir);
    let years: Vec<Year> = years.into_iter().collect::<Option<_>>()?;
    let current = years.iter().position(|y| y.year == current_year)?;
    Some(Content { settings_file: settings_shown, settings, years, current, templates, templates_dir })
}

/// `site.toml`: the site's title, base URL and the rest of [`Settings`].
fn read_settings(path: &Path, findings: &mut Vec<Finding>) -> Option<Settings> {
    let shown = shown(path);
    match std::fs::read_to_string(path) {
        Ok(text) => match toml::from_str(&text) {
            Ok(s) => Some(s),
            Err(e) => {
                findings.push(Finding::error(
                    &shown,
                    toml_line(&text, &e),
                    format!("站点设置有误：{}", toml_message(&e)),
                ));
                None
            }
        },
        Err(e) => {
            findings.push(Finding::error(
                &shown,
                0,
                format!("无法读取站点设置（{e}）：内容目录需要 site.toml，包含 title、base_url"),
            ));
            None
        }
    }
}

/// The template overrides in `dir` (`content/templates/`): (file name, text).
fn read_templates(inside: &Inside, dir: &Path, findings: &mut Vec<Finding>) -> Vec<(String, String)> {
    let mut templates = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let path = e.path();
            if !inside.check(&path, findings) {
                continue;
            }
            if let (Some(name), Ok(text)) = (path.file_name().and_then(|n| n.to_str()), std::fs::read_to_string(&path))
            {
                templates.push((name.to_owned(), text));
            }
        }
    }
    templates
}

impl Content {
    /// The year on the home page and at the plain addresses.
    pub fn current(&self) -> &Year {
        &self.years[self.current]
    }
}

/// The year folders of `root` (names of four digits), by year.
fn year_folders(inside: &Inside, root: &Path, findings: &mut Vec<Finding>) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut years: Vec<i32> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let year = name.parse().ok().filter(|_| name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()))?;
            (e.path().is_dir() && inside.check(&e.path(), findings)).then_some(year)
        })
        .collect();
    years.sort_unstable();
    years
}

/// `root/<year>/`: its policy and pages. Problems become findings; `None` when the policy
/// cannot be used.
fn load_year(inside: &Inside, root: &Path, year: i32, findings: &mut Vec<Finding>) -> Option<Year> {
    let year_dir = root.join(year.to_string());
    let policy_path = year_dir.join("policy.toml");
    let policy_shown = shown(&policy_path);
    if !inside.check(&year_dir, findings) || !inside.check(&policy_path, findings) {
        return None;
    }
    let policy = read_policy(&policy_path, year, findings);
    let (pages, has_links) = load_pages(inside, &year_dir, findings);
    Some(Year { year, policy: policy?, policy_file: policy_shown, pages, has_links })
}

/// `<year>/policy.toml`, if it is valid and of `year` (else findings naming the key and line).
fn read_policy(path: &Path, year: i32, findings: &mut Vec<Finding>) -> Option<Policy> {
    let shown = shown(path);
    let policy = match std::fs::read_to_string(path) {
        Ok(text) => match Policy::from_toml(&text) {
            Ok(p) => Some(p),
            Err(e) => {
                let line = e.line.unwrap_or_else(|| if e.key.is_empty() { 0 } else { find_key_line(&text, &e.key) });
                findings.push(Finding::error(&shown, line, e.to_string()));
                None
            }
        },
        Err(e) => {
            findings.push(Finding::error(
                &shown,
                0,
                format!("无法读取政策文件（{e}）：每个年度文件夹都要有 policy.toml"),
            ));
            None
        }
    };
    if let Some(p) = &policy
        && p.year != year
    {
        findings.push(Finding::error(&shown, 1, format!("政策年度 {} 与所在的年度文件夹 {year} 不一致", p.year)));
    }
    if let Some(p) = policy.as_ref().filter(|p| p.source_url.is_none()) {
        findings.push(Finding::warning(
            &shown,
            0,
            format!(
                "没有 source_url：通知页的公文信息栏不显示原文链接；请填写{}网站上《{}》的网址，如 source_url = \"https://…\"",
                p.issuer, p.source
            ),
        ));
    }
    policy.filter(|p| p.year == year)
}

/// The markdown pages under `year_dir`, in navigation order, and whether the folder holds a
/// symbolic link (to a page or a folder).
fn load_pages(inside: &Inside, year_dir: &Path, findings: &mut Vec<Finding>) -> (Vec<Source>, bool) {
    let mut files = Vec::new();
    let mut linked = false;
    collect_md(inside, year_dir, &mut files, &mut linked, findings);
    files.sort();
    let mut pages: Vec<Source> = files.iter().filter_map(|path| read_page(year_dir, path, findings)).collect();
    navigation_order(&mut pages);
    (pages, linked)
}

/// Sorts a year's pages as the navigation lists them: by weight, then by path.
pub fn navigation_order(pages: &mut [Source]) {
    pages.sort_by(|a, b| (a.front.weight, &a.rel).cmp(&(b.front.weight, &b.rel)));
}

/// One markdown page of the year folder `year_dir`: its path, front matter and body. `None`, with
/// a finding, when its name cannot be an address, it cannot be read, or its front matter is
/// missing or wrong.
pub fn read_page(year_dir: &Path, path: &Path, findings: &mut Vec<Finding>) -> Option<Source> {
    let shown = shown(path);
    let rel = path.strip_prefix(year_dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
    if let Some(why) = bad_page_path(&rel) {
        findings.push(Finding::error(&shown, 0, format!("页面文件名“{rel}”不能用作网址：{why}")));
        return None;
    }
    let mut file = Vec::new();
    let text = match read_text(path, &mut file) {
        Ok(t) => t,
        Err(e) => {
            findings.push(Finding::error(&shown, 0, format!("无法读取（{e}）；页面须为 UTF-8 文本")));
            return None;
        }
    };
    let Some((front, _, body_line)) = split_front_matter(text) else {
        findings.push(Finding::error(
            &shown,
            1,
            "缺少页首信息：文件须以 +++ 开始，写明 title = \"…\"，再以 +++ 结束".to_owned(),
        ));
        return None;
    };
    match toml::from_str::<FrontMatter>(front) {
        Ok(front) if front.title.trim().is_empty() => {
            findings.push(Finding::error(&shown, 2, "页首信息的 title 为空".to_owned()));
            None
        }
        Ok(parsed) => {
            Some(Source { rel, shown, path: path.to_owned(), front: parsed, front_text: front.to_owned(), body_line })
        }
        Err(e) => {
            findings.push(Finding::error(
                &shown,
                toml_line(front, &e) + 1,
                format!(
                    "页首信息有误：{}（可写的键：title = \"标题\"、description = \"一句话说明\"、weight = 整数、nav = \"导航短名\"、template = \"模板文件名\"）",
                    toml_message(&e)
                ),
            ));
            None
        }
    }
}

/// Why a page's path (relative to the year folder) cannot name its output folder, if it can't.
/// The output path is built from it (`guide/intro.md` → `guide/intro/index.html`), so every part
/// must be a plain name: no empty part (`.md`, `a//b.md`), no `.` or `..` (`...md` would write
/// into the folder above `--out`), and none of the characters that break a relative link or
/// an HTML attribute (`"` `<` `>` `#` `?` `%` `:` `\`, control characters).
pub fn bad_page_path(rel: &str) -> Option<String> {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    for part in stem.split('/') {
        match part {
            "" => return Some("文件名（或其所在文件夹名）为空".to_owned()),
            "." | ".." => return Some(format!("“{part}”不是普通的名称")),
            _ => {}
        }
        if let Some(c) = part.chars().find(|c| c.is_control() || "\"<>#?%:\\".contains(*c)) {
            return Some(format!("含有不能用于网址的字符“{}”", c.escape_default()));
        }
    }
    None
}

/// The content folder, resolved, to tell where a symbolic link leads.
struct Inside {
    root: PathBuf,
}

impl Inside {
    fn new(root: &Path) -> Inside {
        Inside { root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()) }
    }

    /// Whether `path` (through any symbolic link on its way) stays inside the content folder;
    /// an error naming it when it does not. A path that does not resolve (missing) is left to
    /// whoever reads it to report.
    fn check(&self, path: &Path, findings: &mut Vec<Finding>) -> bool {
        match std::fs::canonicalize(path) {
            Ok(target) if !target.starts_with(&self.root) => {
                findings.push(Finding::error(
                    &shown(path),
                    0,
                    format!(
                        "符号链接指向内容目录之外（{}）：内容目录之外的文件不会被读取或发布；请把文件复制到内容目录中",
                        target.display()
                    ),
                ));
                false
            }
            _ => true,
        }
    }
}

/// The markdown files under `dir`. Symbolic links are never followed out of the content folder
/// (a link to a page or folder outside it is an error naming the link, so nothing from elsewhere
/// on the machine is published, and the page the office expected is not silently missing). A
/// link to a folder inside it is not followed either, with a warning: it would only publish the
/// same pages again under a second address, and two links like `a -> .` and `b -> .` would make
/// the walk endless. A link to a markdown file inside the content folder is read as that page.
fn collect_md(inside: &Inside, dir: &Path, out: &mut Vec<PathBuf>, linked: &mut bool, findings: &mut Vec<Finding>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        let is_md = path.extension().is_some_and(|x| x == "md");
        if kind.is_symlink() {
            *linked = true;
            let target_is_dir = path.is_dir();
            if (is_md || target_is_dir) && !inside.check(&path, findings) {
                continue;
            }
            if target_is_dir {
                findings.push(Finding::warning(
                    &shown(&path),
                    0,
                    "不跟随指向文件夹的符号链接：其中的页面不发布（请改为真实文件夹）".to_owned(),
                ));
            } else if is_md {
                out.push(path);
            }
        } else if kind.is_dir() {
            collect_md(inside, &path, out, linked, findings);
        } else if is_md {
            out.push(path);
        }
    }
}

/// The line where a dotted key (`makeup.windows[1].end`, `minimums.public`, `year`) is set.
pub fn find_key_line(text: &str, key: &str) -> usize {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let (table, index) = match table.split_once('[') {
        Some((t, rest)) => (t, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (table, None),
    };
    let mut current = String::new();
    let mut seen: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            current = name.trim().to_owned();
            if current == table {
                seen = Some(seen.map_or(0, |n| n + 1));
            }
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = name.trim().to_owned();
            continue;
        }
        let sets_leaf = t.strip_prefix(leaf).is_some_and(|r| r.trim_start().starts_with('='));
        if sets_leaf && current == table && (index.is_none() || seen == index) {
            return i + 1;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split() {
        let (f, b, line) = split_front_matter("+++\ntitle = \"x\"\nweight = 1\n+++\n正文\n").unwrap();
        assert_eq!(f, "title = \"x\"\nweight = 1\n");
        assert_eq!(b, "正文\n");
        assert_eq!(line, 4);
        assert!(split_front_matter("# no front matter").is_none());
        assert!(split_front_matter("+++\ntitle = \"x\"\n").is_none());
    }

    #[test]
    fn url_paths() {
        let s = |rel: &str| Source {
            rel: rel.to_owned(),
            shown: String::new(),
            path: PathBuf::new(),
            front: FrontMatter { title: "t".into(), description: String::new(), weight: 0, template: None, nav: None },
            front_text: String::new(),
            body_line: 0,
        };
        assert_eq!(s("faq.md").url_path(), "faq/");
        assert_eq!(s("guide/intro.md").url_path(), "guide/intro/");
        assert_eq!(s("guide/index.md").url_path(), "guide/");
        assert_eq!(s("index.md").url_path(), "");
    }

    #[test]
    fn a_page_body_is_read_when_asked_and_must_be_the_loaded_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faq.md");
        std::fs::write(&path, "+++\ntitle = \"问答\"\n+++\n正文\n").unwrap();
        let page = read_page(dir.path(), &path, &mut Vec::new()).unwrap();
        assert_eq!((page.front.title.as_str(), page.body_line), ("问答", 3));
        assert_eq!(page.read_body(&mut Vec::new()).unwrap(), "正文\n");
        std::fs::write(&path, "+++\ntitle = \"问答\"\n+++\n新的正文\n").unwrap();
        assert_eq!(page.read_body(&mut Vec::new()).unwrap(), "新的正文\n");
        // Front matter changed since loading: the build would mix two versions of the page.
        std::fs::write(&path, "+++\ntitle = \"改了\"\n+++\n正文\n").unwrap();
        assert!(page.read_body(&mut Vec::new()).unwrap_err().message.contains("改动"));
        std::fs::remove_file(&path).unwrap();
        assert!(page.read_body(&mut Vec::new()).unwrap_err().message.contains("无法读取"));
    }

    #[test]
    fn text_that_is_not_utf8_fails_as_read_to_string_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.md");
        std::fs::write(&path, b"+++\ntitle = \"\xd6\xd0\"\n+++\n").unwrap();
        let ours = read_text(&path, &mut Vec::new()).unwrap_err();
        let std = std::fs::read_to_string(&path).unwrap_err();
        assert_eq!((ours.kind(), ours.to_string()), (std.kind(), std.to_string()));
    }

    #[test]
    fn page_paths_are_plain_names() {
        for ok in ["faq.md", "guide/intro.md", "常见问题.md", "a b.md", ".hidden.md"] {
            assert_eq!(bad_page_path(ok), None, "{ok}");
        }
        for bad in
            ["...md", ".md", "..md", "a/../b.md", "a//b.md", "/abs.md", "a:b.md", "a\"b.md", "x#y.md", "c:\\x.md"]
        {
            assert!(bad_page_path(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn key_lines() {
        let text = "year = 1\n[freeze]\nend = 0\n[[makeup.windows]]\nstart = 1\nend = 2\n[[makeup.windows]]\nstart = 3\nend = 4\n";
        assert_eq!(find_key_line(text, "makeup.windows[1].end"), 9);
        assert_eq!(find_key_line(text, "makeup.windows[0].start"), 5);
        assert_eq!(find_key_line(text, "freeze.end"), 3);
        assert_eq!(find_key_line(text, "year"), 1);
    }
}
