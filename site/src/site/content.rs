//! What the policy office edits: `content/site.toml` and `content/<year>/` (policy.toml and
//! markdown pages with `+++` TOML front matter), plus optional template overrides in
//! `content/templates/`.

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
    /// The policy year presented.
    pub year: i32,
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A markdown page as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the year folder, with `/` separators, e.g. `faq.md`.
    pub rel: String,
    /// The file as shown in messages, e.g. `content/2020/faq.md`.
    pub shown: String,
    pub front: FrontMatter,
    pub body: String,
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
}

/// Everything loaded from a content folder.
#[derive(Debug, Clone)]
pub struct Content {
    pub settings: Settings,
    /// The settings file as shown in messages.
    pub settings_file: String,
    pub policy: Policy,
    pub pages: Vec<Source>,
    /// (name, text) of templates overriding the built-in ones.
    pub templates: Vec<(String, String)>,
    /// The folder of those templates as shown in messages (`content/templates`).
    pub templates_dir: String,
}

/// A file as shown in messages: the path as the user can open it from where they ran jxjy
/// (the content folder they named, joined with the file's place in it).
fn shown(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
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
    let settings: Settings = match std::fs::read_to_string(&settings_path) {
        Ok(text) => match toml::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                findings.push(Finding::error(
                    &settings_shown,
                    toml_line(&text, &e),
                    format!("站点设置有误：{}", toml_message(&e)),
                ));
                return None;
            }
        },
        Err(e) => {
            findings.push(Finding::error(
                &settings_shown,
                0,
                format!("无法读取站点设置（{e}）：内容目录需要 site.toml，包含 title、base_url、year"),
            ));
            return None;
        }
    };
    let year_dir = root.join(settings.year.to_string());
    let policy_path = year_dir.join("policy.toml");
    let policy_shown = shown(&policy_path);
    if !inside.check(&year_dir, findings) || !inside.check(&policy_path, findings) {
        return None;
    }
    let policy = match std::fs::read_to_string(&policy_path) {
        Ok(text) => match Policy::from_toml(&text) {
            Ok(p) => Some(p),
            Err(e) => {
                let line = e.line.unwrap_or_else(|| if e.key.is_empty() { 0 } else { find_key_line(&text, &e.key) });
                findings.push(Finding::error(&policy_shown, line, e.to_string()));
                None
            }
        },
        Err(e) => {
            findings.push(Finding::error(&policy_shown, 0, format!("无法读取政策文件（{e}）")));
            None
        }
    };
    if let Some(p) = &policy
        && p.year != settings.year
    {
        findings.push(Finding::error(
            &policy_shown,
            1,
            format!("政策年度 {} 与站点设置的年度 {} 不一致", p.year, settings.year),
        ));
    }
    if let Some(p) = policy.as_ref().filter(|p| p.source_url.is_none()) {
        findings.push(Finding::warning(
            &policy_shown,
            0,
            format!(
                "没有 source_url：通知页的公文信息栏不显示原文链接；请填写{}网站上《{}》的网址，如 source_url = \"https://…\"",
                p.issuer, p.source
            ),
        ));
    }
    let mut pages = Vec::new();
    let mut files = Vec::new();
    collect_md(&inside, &year_dir, &mut files, findings);
    files.sort();
    for path in files {
        let shown = shown(&path);
        let rel = path.strip_prefix(&year_dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Some(why) = bad_page_path(&rel) {
            findings.push(Finding::error(&shown, 0, format!("页面文件名“{rel}”不能用作网址：{why}")));
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                findings.push(Finding::error(&shown, 0, format!("无法读取（{e}）；页面须为 UTF-8 文本")));
                continue;
            }
        };
        let Some((front, body, body_line)) = split_front_matter(&text) else {
            findings.push(Finding::error(
                &shown,
                1,
                "缺少页首信息：文件须以 +++ 开始，写明 title = \"…\"，再以 +++ 结束".to_owned(),
            ));
            continue;
        };
        match toml::from_str::<FrontMatter>(front) {
            Ok(front) if front.title.trim().is_empty() => {
                findings.push(Finding::error(&shown, 2, "页首信息的 title 为空".to_owned()));
            }
            Ok(front) => pages.push(Source { rel, shown, front, body: body.to_owned(), body_line }),
            Err(e) => findings.push(Finding::error(
                &shown,
                toml_line(front, &e) + 1,
                format!(
                    "页首信息有误：{}（可写的键：title = \"标题\"、description = \"一句话说明\"、weight = 整数、nav = \"导航短名\"、template = \"模板文件名\"）",
                    toml_message(&e)
                ),
            )),
        }
    }
    pages.sort_by(|a, b| (a.front.weight, &a.rel).cmp(&(b.front.weight, &b.rel)));
    let mut templates = Vec::new();
    let templates_dir = root.join("templates");
    if let Ok(dir) = std::fs::read_dir(&templates_dir) {
        for e in dir.flatten() {
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
    let templates_dir = shown(&templates_dir);
    Some(Content { settings_file: settings_shown, settings, policy: policy?, pages, templates, templates_dir })
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
fn collect_md(inside: &Inside, dir: &Path, out: &mut Vec<PathBuf>, findings: &mut Vec<Finding>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        let is_md = path.extension().is_some_and(|x| x == "md");
        if kind.is_symlink() {
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
            collect_md(inside, &path, out, findings);
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
            front: FrontMatter { title: "t".into(), description: String::new(), weight: 0, template: None, nav: None },
            body: String::new(),
            body_line: 0,
        };
        assert_eq!(s("faq.md").url_path(), "faq/");
        assert_eq!(s("guide/intro.md").url_path(), "guide/intro/");
        assert_eq!(s("guide/index.md").url_path(), "guide/");
        assert_eq!(s("index.md").url_path(), "");
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
