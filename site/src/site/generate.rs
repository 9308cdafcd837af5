//! The generator: content in, output files out, in memory. Nothing touches the output folder
//! here, so a build with any error changes nothing (see `output.rs` for the atomic write).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use jxjy_core::Policy;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use super::assets;
use super::content::{Content, Source, Year};
use super::diagnostics::Finding;
use super::markdown::{self, Heading, Link, Rendered};
use super::tables;
use super::templates;

/// Where the site lives: always a path (`/jxjy/`), and a full URL when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub path: String,
    pub url: Option<String>,
}

impl Base {
    /// Reads `/jxjy/`, `jxjy`, `https://host/jxjy/` or `https://host`.
    pub fn parse(s: &str) -> Base {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")) {
            let scheme_len = s.len() - rest.len();
            let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
            let path = normalise_path(path);
            let url = format!("{}{host}{path}", &s[..scheme_len]);
            return Base { path, url: Some(url) };
        }
        Base { path: normalise_path(s), url: None }
    }
}

fn normalise_path(p: &str) -> String {
    let inner = p.trim().trim_matches('/');
    if inner.is_empty() { "/".to_owned() } else { format!("/{inner}/") }
}

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct NavItem {
    url: String,
    title: String,
    short: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    content: &'a str,
    toc: &'a [Heading],
    url: &'a str,
}

#[derive(Debug, Serialize)]
struct DeadlineView {
    date: String,
    start: Option<String>,
    code: &'static str,
    label: &'static str,
    who: String,
    message: String,
}

/// A rendered page before templating, with what the link checker needs.
#[derive(Clone)]
struct PageOut {
    index: usize,
    rendered: Rendered,
    chart: Option<String>,
}

/// `../` repeated for a page at `url` (`faq/` → `../`, `` → ``).
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// Resolves `rel` (a path relative to `from_dir`, both `/`-separated, no leading slash) and
/// normalises `.`/`..`. `None` when it climbs above the root.
fn join(from_dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = from_dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The page a relative `.md` link from a page in `from_dir` points to.
fn md_target(by_rel: &HashMap<String, usize>, from_dir: &str, path: &str) -> Option<usize> {
    by_rel.get(join(from_dir, path)?.as_str()).copied()
}

fn is_external(dest: &str) -> bool {
    dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("data:")
        || dest.starts_with("//")
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Where a year's pages are written: under `<year>/` (every year: the address that stays), or
/// at the site root (the current year only: `/notice/`, the addresses of a one-year site).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Year,
    Plain,
}

/// The URL prefix of `year`'s pages in `place`: `2020/` or nothing.
fn prefix(year: i32, place: Place) -> String {
    match place {
        Place::Year => format!("{year}/"),
        Place::Plain => String::new(),
    }
}

/// One year in the year bar: its counterpart of the page shown.
#[derive(Debug, Serialize)]
struct YearLink {
    year: i32,
    /// From the site root: `2021/faq/`.
    url: String,
}

/// What a year's pages say about their year: which it is, the others, the comparison.
#[derive(Debug, Serialize)]
struct YearBar {
    year: i32,
    /// The year on the home page.
    current_year: i32,
    /// The other years, newest first.
    others: Vec<YearLink>,
    /// `2021/changes/`, for every year after the first.
    changes: Option<String>,
    /// The year compared with.
    previous: Option<i32>,
}

/// One year on the archive page (历年通知).
#[derive(Debug, Serialize)]
struct ArchiveEntry {
    year: i32,
    current: bool,
    source: String,
    title: String,
    issuer: String,
    published: String,
    /// The year's pages in the navigation, their URLs from the site root (`2020/notice/`).
    pages: Vec<NavItem>,
    changes: Option<String>,
    previous: Option<i32>,
}

/// Every URL of the site that is not one year's own page: home, self-check, archive, every
/// year's pages at `<year>/…` and the comparisons. A page links to these as if its year's pages
/// were at the site root (`../check/`, `../2021/notice/`).
fn site_urls(content: &Content) -> HashSet<String> {
    let mut urls: HashSet<String> = ["", "check/", "archive/"].into_iter().map(str::to_owned).collect();
    for (i, y) in content.years.iter().enumerate() {
        urls.insert(format!("{}/", y.year));
        urls.extend(y.pages.iter().map(|p| format!("{}/{}", y.year, p.url_path())));
        if i > 0 {
            urls.insert(changes_url(y.year));
        }
    }
    urls
}

fn changes_url(year: i32) -> String {
    format!("{year}/changes/")
}

/// The year bar of a page of `content.years[yi]` whose source is `rel` (`None`: the comparison
/// page). Another year links to its page of the same name, else to its first page in the
/// navigation, else to the archive.
fn year_bar(content: &Content, yi: usize, rel: Option<&str>) -> YearBar {
    let year = &content.years[yi];
    let others = content
        .years
        .iter()
        .rev()
        .filter(|y| y.year != year.year)
        .map(|y| YearLink { year: y.year, url: counterpart(y, rel) })
        .collect();
    let previous = yi.checked_sub(1).map(|p| content.years[p].year);
    YearBar {
        year: year.year,
        current_year: content.current().year,
        others,
        changes: previous.map(|_| changes_url(year.year)),
        previous,
    }
}

/// The URL (from the site root) of `year`'s page named `rel`, else of its first page in the
/// navigation, else of the archive.
fn counterpart(year: &Year, rel: Option<&str>) -> String {
    let page = rel
        .and_then(|r| year.pages.iter().find(|p| p.rel == r))
        .or_else(|| year.pages.iter().find(|p| p.front.weight > 0))
        .or_else(|| year.pages.first());
    page.map_or_else(|| "archive/".to_owned(), |p| format!("{}/{}", year.year, p.url_path()))
}

/// The navigation of `year`'s pages written in `place`.
fn nav_items(year: &Year, place: Place) -> Vec<NavItem> {
    let pre = prefix(year.year, place);
    year.pages
        .iter()
        .filter(|p| p.front.weight > 0)
        .map(|p| NavItem {
            url: format!("{pre}{}", p.url_path()),
            title: p.front.title.clone(),
            short: p.front.nav.clone().unwrap_or_else(|| p.front.title.clone()),
            description: p.front.description.clone(),
        })
        .collect()
}

/// The canonical address of a page at `path` (from the site root): the full URL when known,
/// else relative to the page (`root`).
fn canonical(base: &Base, root: &str, path: &str) -> String {
    match &base.url {
        Some(url) => format!("{url}{path}"),
        None => format!("{root}{path}"),
    }
}

/// A page's title with its year, unless the title names it already (the notice's does).
fn titled(title: &str, year: i32) -> String {
    if title.contains(&format!("{year}年")) { title.to_owned() } else { format!("{title}（{year}年度）") }
}

/// Where generated files go as they are made: collected in memory (`site::run`) or staged on
/// disk beside the output (`output::Stager`), so that a build never holds the whole site.
pub type Sink<'a> = &'a (dyn Fn(OutFile) + Sync);

/// Builds every file of the site into `sink`. Findings (errors and warnings) are appended to
/// `findings`; the caller must not publish when any is an error.
pub fn generate(content: &Content, base: &Base, findings: &mut Vec<Finding>, sink: Sink<'_>) {
    generate_kept(content, base, findings, sink);
}

/// [`generate`], keeping what it takes to make a page again after an edit of its body
/// ([`Kept::remake_page`]); `None` when the build stopped before the pages (a template fault).
pub fn generate_kept(content: &Content, base: &Base, findings: &mut Vec<Finding>, sink: Sink<'_>) -> Option<Kept> {
    // Every path made, for the check that no two files share one.
    let made: std::sync::Mutex<HashMap<String, usize>> = std::sync::Mutex::default();
    let sink = |f: OutFile| {
        *made.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(f.path.clone()).or_default() += 1;
        sink(f);
    };
    let before = findings.len();
    let kept = generate_into(content, base, findings, &sink);
    let counts = made.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let clashes = findings.len();
    duplicate_paths(content, counts, findings);
    let mut kept = kept?;
    kept.one_file_per_path = findings.len() == clashes;
    // The findings after the years' pages: the site's own pages, then the path clashes.
    let pages: usize = kept.years.iter().map(YearKept::findings_len).sum();
    kept.tail = findings[before + pages..].to_vec();
    Some(kept)
}

/// What a build keeps to make one page again after an edit of its body (`jxjy serve`): the
/// templates, each year's contexts and notice clauses, and for every page what the link checks
/// read (its headings and links) and what was found in it, so that the findings of the whole
/// site can be put together again in the order a full build gives them.
pub struct Kept {
    tera: Tera,
    urls: HashSet<String>,
    years: Vec<YearKept>,
    /// The findings that follow the years' pages: the home, self-check, archive, comparison and
    /// year pages, sitemap, and two files on one path.
    tail: Vec<Finding>,
    /// No two files of the build share a path (so a page's files are its own).
    one_file_per_path: bool,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept").field("years", &self.years.len()).finish_non_exhaustive()
    }
}

/// One year's part of [`Kept`].
struct YearKept {
    contexts: Vec<(Place, Context)>,
    clauses: HashMap<String, String>,
    notice_url: Option<String>,
    /// Per page, in the year's order: its headings and links.
    outs: Vec<PageOut>,
    /// Per page: what rendering it found.
    found: Vec<Vec<Finding>>,
    /// Per page: what checking its links found.
    links: Vec<Vec<Finding>>,
    /// Per page: the pages whose anchors it links to.
    anchor_targets: Vec<Vec<usize>>,
    lookup: YearLookup,
    /// Per page: another year's numbers written in it ([`super::years::stale_numbers`]).
    stale: Vec<Vec<Finding>>,
}

impl YearKept {
    fn findings_len(&self) -> usize {
        [&self.found, &self.links, &self.stale].into_iter().flatten().map(Vec::len).sum()
    }

    /// In the order [`generate`] finds them: each page's, the links', each page's stale numbers.
    fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.found.iter().flatten().chain(self.links.iter().flatten()).chain(self.stale.iter().flatten())
    }
}

impl Kept {
    /// Whether page `page` of `content.years[yi]` can be made again alone after an edit: its body
    /// is all that changed (checked by the caller), and nothing else is made from its body. The
    /// notice is not: every page's citations link to its clauses.
    pub fn can_remake(&self, content: &Content, yi: usize, page: usize) -> bool {
        self.one_file_per_path
            && self.years.len() == content.years.len()
            && content.years.get(yi).and_then(|y| y.pages.get(page)).is_some_and(|p| p.rel != "notice.md")
    }

    /// Makes page `page` of `content.years[yi]` again (its new body already in `content`), every
    /// file of it into `sink`, and checks again its links and those of the pages that link to its
    /// anchors. Only for a page [`can_remake`](Kept::can_remake) allows.
    pub fn remake_page(&mut self, content: &Content, base: &Base, yi: usize, page: usize, sink: Sink<'_>) {
        let Kept { tera, urls, years, .. } = self;
        let year = &content.years[yi];
        let kept = &mut years[yi];
        let w = Writer { content, tera, base, sink };
        let ctxs = kept.lookup.contexts(year, &kept.contexts);
        let mut scratch = template_contexts(&kept.contexts);
        let notice = Notice { url: kept.notice_url.as_deref(), clauses: &kept.clauses };
        let made = make_page(&w, yi, page, &ctxs, &mut scratch, &notice, &others_policies(content, yi));
        kept.outs[page] = made.out;
        kept.found[page] = made.found;
        kept.stale[page] = made.stale;
        for i in 0..kept.outs.len() {
            if i == page || kept.anchor_targets[i].contains(&page) {
                (kept.links[i], kept.anchor_targets[i]) = check_links(year, &kept.outs, i, &kept.lookup, urls);
            }
        }
    }

    /// What the build found in its pages and the rest, in the order a full build finds them
    /// (before sorting).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.years.iter().flat_map(YearKept::findings).chain(&self.tail)
    }
}

/// The paths page `page` of `content.years[yi]` is written at: under its year, and for the
/// current year's pages in the navigation (and its notice) at the plain address too.
pub fn page_paths(content: &Content, yi: usize, page: &Source) -> Vec<String> {
    let year = &content.years[yi];
    let mut paths = vec![format!("{}{}index.html", prefix(year.year, Place::Year), page.url_path())];
    if yi == content.current && at_plain(page) {
        paths.push(format!("{}{}index.html", prefix(year.year, Place::Plain), page.url_path()));
    }
    paths
}

/// Two files with one path would silently drop one of them (`check.md` and the self-check page,
/// `guide.md` and `guide/index.md`, `index.md` and the home page, `2021/changes.md` and the
/// comparison).
fn duplicate_paths(content: &Content, counts: HashMap<String, usize>, findings: &mut Vec<Finding>) {
    let mut sources: HashMap<String, Vec<&str>> = HashMap::new();
    for (yi, year) in content.years.iter().enumerate() {
        let places: &[Place] = if yi == content.current { &[Place::Year, Place::Plain] } else { &[Place::Year] };
        for &place in places {
            for p in year.pages.iter().filter(|p| place == Place::Year || at_plain(p)) {
                sources
                    .entry(format!("{}{}index.html", prefix(year.year, place), p.url_path()))
                    .or_default()
                    .push(&p.shown);
            }
        }
    }
    let mut clashes: Vec<(String, usize)> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
    clashes.sort();
    for (path, n) in clashes {
        let url = format!("/{}", path.trim_end_matches("index.html"));
        let pages = sources.get(&path).map(Vec::as_slice).unwrap_or_default();
        if pages.is_empty() {
            findings.push(Finding::error("jxjy", 0, format!("生成了两个 {path}")));
        }
        for page in pages {
            let generated = (n > pages.len()).then_some("自动生成的页面");
            let with: Vec<&str> = pages.iter().filter(|p| *p != page).copied().chain(generated).collect();
            findings.push(Finding::error(page, 0, format!("页面的网址 {url} 与{}相同：请改文件名", with.join("、"))));
        }
    }
}

fn generate_into(content: &Content, base: &Base, findings: &mut Vec<Finding>, sink: Sink<'_>) -> Option<Kept> {
    let tera = load_templates(content, findings)?;
    let site = site_value(content, base, findings)?;
    let urls = site_urls(content);
    let w = Writer { content, tera: &tera, base, sink };
    let mut years = Vec::with_capacity(content.years.len());
    for yi in 0..content.years.len() {
        years.push(make_year(&w, yi, &site, &urls, findings)?);
    }
    let current = years.get(content.current)?;
    let shared = current.contexts.iter().find(|(place, _)| *place == Place::Plain).map(|(_, c)| c.clone())?;
    write_front_pages(&w, shared, &urls, findings);
    for yi in 1..content.years.len() {
        write_changes_page(&w, yi, &site, findings);
    }
    let entries = archive_entries(content);
    for yi in 0..content.years.len() {
        write_year_page(&w, yi, &site, &entries, findings);
    }
    for f in assets::files() {
        sink(f);
    }
    Some(Kept { tera, urls, years, tail: Vec::new(), one_file_per_path: false })
}

/// The template set, after the checks that would make every page fail the same way (reported
/// once, at the template's lines); `None` when there is a fault.
fn load_templates(content: &Content, findings: &mut Vec<Finding>) -> Option<Tera> {
    let before = findings.len();
    let file = |name: &str| format!("{}{}{name}", content.templates_dir, std::path::MAIN_SEPARATOR);
    for (name, text) in &content.templates {
        for (line, message) in templates::forbidden_calls(text) {
            findings.push(Finding::error(&file(name), line, format!("模板有误：{message}")));
        }
    }
    for (name, line, message) in templates::reference_loops(&content.templates) {
        findings.push(Finding::error(&file(&name), line, format!("模板有误：{message}")));
    }
    if findings.len() > before {
        return None;
    }
    match templates::load(&content.templates) {
        Ok(t) => Some(t),
        Err(e) => {
            let text = templates::error_text(&e);
            findings.push(Finding::error(
                "content/templates",
                templates::error_line(&text).unwrap_or(0),
                format!("模板有误：{text}"),
            ));
            None
        }
    }
}

/// `site` as templates see it: site.toml's settings, the base path and the current year.
fn site_value(content: &Content, base: &Base, findings: &mut Vec<Finding>) -> Option<serde_json::Value> {
    let mut site = match serde_json::to_value(&content.settings) {
        Ok(v) => v,
        Err(e) => {
            findings.push(Finding::error("site.toml", 0, e.to_string()));
            return None;
        }
    };
    site["base_path"] = base.path.clone().into();
    site["year"] = content.current().year.into();
    Some(site)
}

/// Every page of `content.years[yi]`, in each place it is written, and the numbers of other
/// years found in them; what the year keeps for an edit.
fn make_year(
    w: &Writer<'_>,
    yi: usize,
    site: &serde_json::Value,
    urls: &HashSet<String>,
    findings: &mut Vec<Finding>,
) -> Option<YearKept> {
    let content = w.content;
    let year = &content.years[yi];
    let places: &[Place] = if yi == content.current { &[Place::Year, Place::Plain] } else { &[Place::Year] };
    let mut contexts = Vec::with_capacity(places.len());
    for &place in places {
        contexts.push((place, year_context(site, year, place, findings)?));
    }
    let kept = render_year(w, yi, contexts, urls, findings);
    findings.extend(kept.stale.iter().flatten().cloned());
    Some(kept)
}

/// The policies of every year but `content.years[yi]`.
fn others_policies(content: &Content, yi: usize) -> Vec<&Policy> {
    content.years.iter().enumerate().filter(|&(i, _)| i != yi).map(|(_, y)| &y.policy).collect()
}

/// `name` rendered with `ctx` to `path`; a fault is reported against the template.
fn write_template(w: &Writer<'_>, name: &str, path: String, ctx: &Context, findings: &mut Vec<Finding>) {
    match w.tera.render(name, ctx) {
        Ok(s) => (w.sink)(OutFile { path, bytes: s.into_bytes() }),
        Err(e) => findings.push(Finding::error(&format!("templates/{name}"), 0, templates::error_text(&e))),
    }
}

/// The site's own pages, made from the current year's `shared` context: the home page, the
/// self-check, the archive, the 404 page and the sitemap.
fn write_front_pages(w: &Writer<'_>, mut shared: Context, urls: &HashSet<String>, findings: &mut Vec<Finding>) {
    let Writer { content, base, .. } = *w;
    add_base_names(&mut shared);
    let mut special = |name: &str, path: &str, root: &str, current: &str, title: &str, extra: &dyn Fn(&mut Context)| {
        let mut ctx = shared.clone();
        insert_root(&mut ctx, root);
        ctx.insert("current", current);
        ctx.insert("page_title", title);
        ctx.insert("description", "");
        extra(&mut ctx);
        write_template(w, name, path.to_owned(), &ctx, findings);
    };
    let deadlines = deadline_views(&content.current().policy);
    special("index.html", "index.html", "", "", &content.settings.title, &|ctx| {
        ctx.insert("deadlines", &deadlines);
        ctx.insert("description", &content.settings.description);
    });
    let policy_wire = content.current().policy.to_wire();
    // Only a site of several years judges a file year by year.
    let all_policies: Vec<Policy> = content.years.iter().map(|y| y.policy.clone()).collect();
    let policies_wire = if all_policies.len() > 1 { Policy::several_to_wire(&all_policies) } else { String::new() };
    special("check.html", "check/index.html", "../", "check/", "学时自查", &|ctx| {
        ctx.insert("policy_wire", &policy_wire);
        ctx.insert("policies_wire", &policies_wire);
        ctx.insert("checker", &assets::checker_available());
        ctx.insert("description", &content.settings.check_description);
    });
    let archive = archive_entries(content);
    let archive_description = format!(
        "{}历年专业技术人员继续教育通知：{}",
        content.settings.title,
        content
            .years
            .iter()
            .rev()
            .map(|y| format!("{}年度（{}）", y.year, y.policy.source))
            .collect::<Vec<_>>()
            .join("、")
    );
    special("archive.html", "archive/index.html", "../", "archive/", "历年通知", &|ctx| {
        ctx.insert("archive", &archive);
        ctx.insert("description", &archive_description);
    });
    // The 404 page is served at any depth, so it links from the site's base path.
    special("404.html", "404.html", &base.path, "404", "页面不存在", &|_| {});
    match &base.url {
        Some(url) => {
            // Canonical addresses only: each year's pages at <year>/…, not their plain copies.
            let mut paths: Vec<&String> = urls.iter().collect();
            paths.sort_by_key(|p| (p.matches('/').count(), p.as_str()));
            let urls: Vec<String> = paths.into_iter().map(|p| format!("{url}{p}")).collect();
            special("sitemap.xml", "sitemap.xml", "", "", "", &|ctx| ctx.insert("urls", &urls));
        }
        None => findings.push(Finding::warning(
            &content.settings_file,
            0,
            format!("base_url“{}”只有路径，没有完整网址：不生成 sitemap.xml（在 site.toml 或 --base-url 中写完整网址，如 https://example.gov.cn{}）", base.path, base.path),
        )),
    }
}

/// The comparison of `content.years[yi]` with the year before it (`2021/changes/`).
fn write_changes_page(w: &Writer<'_>, yi: usize, site: &serde_json::Value, findings: &mut Vec<Finding>) {
    let Writer { content, base, .. } = *w;
    let year = &content.years[yi];
    let Some(mut ctx) = year_context(site, year, Place::Year, findings) else { return };
    add_base_names(&mut ctx);
    let previous = &content.years[yi - 1];
    let url = changes_url(year.year);
    let root = root_prefix(&url);
    insert_root(&mut ctx, &root);
    ctx.insert("current", &url);
    ctx.insert("page_title", &format!("{}年度与{}年度相比", year.year, previous.year));
    ctx.insert(
        "description",
        &format!("{}年度继续教育政策与{}年度相比有哪些变化：学时要求、时间节点和通知信息。", year.year, previous.year),
    );
    ctx.insert("changes", &jxjy_core::policy_diff::diff(&previous.policy, &year.policy));
    ctx.insert("previous", &previous.policy);
    ctx.insert("previous_url", &counterpart(previous, Some("notice.md")));
    ctx.insert("year_bar", &year_bar(content, yi, None));
    ctx.insert("canonical", &canonical(base, &root, &url));
    write_template(w, "changes.html", format!("{url}index.html"), &ctx, findings);
}

/// A year's own front page (`2020/`): its notice and pages, and its comparison, so that the
/// year's address itself leads somewhere.
fn write_year_page(
    w: &Writer<'_>,
    yi: usize,
    site: &serde_json::Value,
    entries: &[ArchiveEntry],
    findings: &mut Vec<Finding>,
) {
    let Writer { content, base, .. } = *w;
    let year = &content.years[yi];
    let Some(mut ctx) = year_context(site, year, Place::Year, findings) else { return };
    add_base_names(&mut ctx);
    let url = format!("{}/", year.year);
    let root = root_prefix(&url);
    insert_root(&mut ctx, &root);
    ctx.insert("current", &url);
    ctx.insert("page_title", &format!("{}年度继续教育", year.year));
    ctx.insert(
        "description",
        &format!(
            "{}年度专业技术人员继续教育：{}《{}》及学时要求、常见问题。",
            year.year, year.policy.source, year.policy.title
        ),
    );
    ctx.insert("archive", &entries.iter().filter(|e| e.year == year.year).collect::<Vec<_>>());
    ctx.insert("single", &true);
    ctx.insert("year_bar", &year_bar(content, yi, None));
    ctx.insert("canonical", &canonical(base, &root, &url));
    write_template(w, "archive.html", format!("{url}index.html"), &ctx, findings);
}

/// What every page of `year` written in `place` shares: the site, its policy, its navigation.
fn year_context(site: &serde_json::Value, year: &Year, place: Place, findings: &mut Vec<Finding>) -> Option<Context> {
    let policy = match serde_json::to_value(&year.policy) {
        Ok(v) => v,
        Err(e) => {
            findings.push(Finding::error(&year.policy_file, 0, e.to_string()));
            return None;
        }
    };
    let mut shared = Context::new();
    shared.insert("site", site);
    shared.insert("policy", &policy);
    shared.insert("nav", &nav_items(year, place));
    shared.insert("year_url", &prefix(year.year, place));
    Some(shared)
}

/// Sets `root`, the way back to the site root from the page written (`../../`), and for the
/// built-in templates `root_attr`: the same escaped for an HTML attribute once, written
/// `{{ root_attr | safe }}` (no filter call) where base.html would otherwise call
/// `{{ root | attr }}`, a filter and a copy, ten times a page.
fn insert_root(ctx: &mut Context, root: &str) {
    ctx.insert("root", root);
    ctx.insert("root_attr", &super::escape(root));
}

/// Adds to `ctx`, a year's shared context, flat names for what base.html writes on every page:
/// tera looks a dotted name (`policy.source`) up by copying each of its parts twice, a flat one
/// (`policy_source`) by one map lookup. For the templates only: page bodies keep to the
/// documented names.
fn add_base_names(ctx: &mut Context) {
    let field = |object: &str, key: &str| ctx.get(object).and_then(|o| o.get(key)).cloned().unwrap_or_default();
    let names = [
        ("site_title", field("site", "title")),
        ("site_publisher", field("site", "publisher")),
        ("policy_year", field("policy", "year")),
        ("policy_title", field("policy", "title")),
        ("policy_issuer", field("policy", "issuer")),
        ("policy_source", field("policy", "source")),
        ("policy_platform", field("policy", "platform")),
    ];
    for (name, value) in names {
        ctx.insert(name, &value);
    }
}

/// Copies of a year's shared contexts for its templates ([`add_base_names`]).
fn template_contexts(contexts: &[(Place, Context)]) -> Vec<(Place, Context)> {
    let mut copies = contexts.to_vec();
    for (_, ctx) in &mut copies {
        add_base_names(ctx);
    }
    copies
}

fn archive_entries(content: &Content) -> Vec<ArchiveEntry> {
    content
        .years
        .iter()
        .enumerate()
        .rev()
        .map(|(i, y)| ArchiveEntry {
            year: y.year,
            current: i == content.current,
            source: y.policy.source.clone(),
            title: y.policy.title.clone(),
            issuer: y.policy.issuer.clone(),
            published: y.policy.published.to_string(),
            pages: nav_items(y, Place::Year),
            changes: (i > 0).then(|| changes_url(y.year)),
            previous: i.checked_sub(1).map(|p| content.years[p].year),
        })
        .collect()
}

/// Renders the pages of `content.years[yi]` into each of its places (`contexts`: the year's own
/// first) and hands each file to `sink` as soon as it is made: a page's markdown, citations and
/// template run in one go, and only its headings and links are kept (for the link checks), so a
/// year of 10,000 pages is never held in memory. Faults are reported once. Returns what the year
/// keeps for an edit.
fn render_year(
    w: &Writer<'_>,
    yi: usize,
    contexts: Vec<(Place, Context)>,
    site_urls: &HashSet<String>,
    findings: &mut Vec<Finding>,
) -> YearKept {
    let year = &w.content.years[yi];
    let lookup = YearLookup::of(year);
    let ctxs = lookup.contexts(year, &contexts);

    // The notice first: the other pages' citations (依据：《通知》四（一）) link to its clauses.
    let notice = year.pages.iter().position(|p| p.rel == "notice.md");
    let clauses: HashMap<String, String> = match (notice, ctxs.first()) {
        // A notice that cannot be read has no clauses; making it reports why.
        (Some(i), Some(ctx)) => match year.pages[i].read_body(&mut Vec::new()) {
            Ok(body) => render_page(i, &year.pages[i], body, ctx).0.rendered.clauses,
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    }
    .into_iter()
    .map(|c| (c.label, c.id))
    .collect();
    let notice_url = notice.map(|i| year.pages[i].url_path());
    let notice = Notice { url: notice_url.as_deref(), clauses: &clauses };
    let others = others_policies(w.content, yi);

    // Every page in parallel: markdown → citations → template, in each place, → sink. Each
    // rayon job copies the shared contexts once and each page sets only its own keys in the copy:
    // copying the site and the policy for every page was a sixth of the build's CPU time.
    let (outs, (found, stale)): (Vec<PageOut>, (Vec<_>, Vec<_>)) = (0..year.pages.len())
        .into_par_iter()
        .map_init(
            || template_contexts(&contexts),
            |scratch, i| {
                let made = make_page(w, yi, i, &ctxs, scratch, &notice, &others);
                (made.out, (made.found, made.stale))
            },
        )
        .unzip();
    findings.extend(found.iter().flatten().cloned());
    let (links, anchor_targets): (Vec<Vec<Finding>>, Vec<Vec<usize>>) =
        (0..outs.len()).into_par_iter().map(|i| check_links(year, &outs, i, &lookup, site_urls)).unzip();
    findings.extend(links.iter().flatten().cloned());
    drop(ctxs);
    YearKept { contexts, clauses, notice_url, outs, found, links, anchor_targets, lookup, stale }
}

/// A year's pages looked up by source path and by URL, for links between them (kept: an edit of
/// a page's body changes none of them).
struct YearLookup {
    by_rel: HashMap<String, usize>,
    /// The year's page URLs (`faq/`).
    own: HashSet<String>,
    /// Those of them also written at the plain addresses ([`at_plain`]).
    plain: HashSet<String>,
}

impl YearLookup {
    fn of(year: &Year) -> YearLookup {
        YearLookup {
            by_rel: year.pages.iter().enumerate().map(|(i, p)| (p.rel.clone(), i)).collect(),
            own: year.pages.iter().map(Source::url_path).collect(),
            plain: year.pages.iter().filter(|p| at_plain(p)).map(Source::url_path).collect(),
        }
    }

    /// The page contexts of `year` in each of `contexts`' places.
    fn contexts<'b>(&'b self, year: &'b Year, contexts: &'b [(Place, Context)]) -> Vec<PageContext<'b>> {
        contexts
            .iter()
            .map(|(place, shared)| PageContext {
                year,
                place: *place,
                by_rel: &self.by_rel,
                own: &self.own,
                plain: &self.plain,
                shared,
            })
            .collect()
    }
}

/// Page `i` of `content.years[yi]` in every place it is written (`ctxs`/`contexts`: the year's
/// own first): markdown, citations of the notice's clauses, template, → sink. Markdown is
/// rendered once: a page is rendered again for another place only when it links out of its year
/// or to a page without a plain copy, the one thing that differs there; only [`at_plain`] pages
/// go to the plain place. The body is read from the page's file here, and dropped when the page is
/// made. Returns its headings and links (what the link checks need), what was found, and the
/// numbers of `other_years` written in it.
fn make_page(
    w: &Writer<'_>,
    yi: usize,
    i: usize,
    ctxs: &[PageContext<'_>],
    contexts: &mut [(Place, Context)],
    notice: &Notice<'_>,
    other_years: &[&Policy],
) -> MadePage {
    let year = &w.content.years[yi];
    let page = &year.pages[i];
    let unmade = |found| MadePage {
        out: PageOut { index: i, rendered: Rendered::default(), chart: None },
        found,
        stale: Vec::new(),
    };
    let ([first_ctx, other_ctxs @ ..], [(first_place, first), others @ ..]) = (ctxs, contexts) else {
        return unmade(Vec::new());
    };
    let mut file = Vec::new();
    let body = match page.read_body(&mut file) {
        Ok(body) => body,
        Err(f) => return unmade(vec![f]),
    };
    let (mut out, mut found, leaves) = render_page(i, page, body, first_ctx);
    if let Some(url) = notice.url {
        cite(page, body, url, notice.clauses, &mut out, &mut found);
    }
    if let Err(f) = write_page(w, yi, *first_place, first, &out) {
        found.push(f);
    }
    for ((place, ctx), other_ctx) in others.iter_mut().zip(other_ctxs).filter(|_| at_plain(page)) {
        let result = if leaves {
            let (mut again, _, _) = render_page(i, page, body, other_ctx);
            if let Some(url) = notice.url {
                cite(page, body, url, notice.clauses, &mut again, &mut Vec::new());
            }
            write_page(w, yi, *place, ctx, &again)
        } else {
            write_page(w, yi, *place, ctx, &out)
        };
        found.extend(result.err());
    }
    let stale = super::years::stale_numbers(page, body, &year.policy, other_years);
    // Only what the link checks need is kept: headings and links.
    out.rendered = Rendered { headings: out.rendered.headings, links: out.rendered.links, ..Rendered::default() };
    out.chart = None;
    MadePage { out, found, stale }
}

/// The year's notice as the other pages cite it: its place within the year and its clauses
/// (label → anchor id).
struct Notice<'a> {
    url: Option<&'a str>,
    clauses: &'a HashMap<String, String>,
}

/// What [`make_page`] keeps of a page: its headings and links, what making it found, and the
/// other years' numbers written in it.
struct MadePage {
    out: PageOut,
    found: Vec<Finding>,
    stale: Vec<Finding>,
}

/// What writing any page needs: the content, the templates, the site's base, where files go.
struct Writer<'a> {
    content: &'a Content,
    tera: &'a Tera,
    base: &'a Base,
    sink: Sink<'a>,
}

/// One page of `content.years[yi]` through its template, in `place`, to the sink. `ctx` is the
/// year's shared context in `place`; the page's own keys are set in it, replacing the last page's.
fn write_page(w: &Writer<'_>, yi: usize, place: Place, ctx: &mut Context, o: &PageOut) -> Result<(), Finding> {
    let Writer { content, tera, base, sink } = *w;
    let year = &content.years[yi];
    let page = &year.pages[o.index];
    let url = format!("{}{}", prefix(year.year, place), page.url_path());
    let root = root_prefix(&url);
    insert_root(ctx, &root);
    ctx.insert("current", &url);
    ctx.insert("page_title", &titled(&page.front.title, year.year));
    ctx.insert("description", &page.front.description);
    ctx.insert(
        "page",
        &PageView {
            title: &page.front.title,
            description: &page.front.description,
            content: &o.rendered.html,
            toc: &o.rendered.headings,
            url: &url,
        },
    );
    ctx.insert("toc_items", &templates::toc_items(&o.rendered.headings));
    ctx.insert("year_bar", &year_bar(content, yi, Some(&page.rel)));
    ctx.insert("canonical", &canonical(base, &root, &format!("{}/{}", year.year, page.url_path())));
    match &o.chart {
        Some(c) => ctx.insert("quota_chart", c),
        None => drop(ctx.remove("quota_chart")),
    }
    let template = page.front.template.as_deref().unwrap_or("page.html");
    // Rendered straight into bytes: `render` would check the whole page is UTF-8 once more to
    // return a String (an eighth of the build's own CPU time on 10,000 pages).
    let mut bytes = Vec::with_capacity(o.rendered.html.len() + 8 * 1024);
    match tera.render_to(template, ctx, &mut bytes) {
        Ok(()) => {
            sink(OutFile { path: format!("{url}index.html"), bytes });
            Ok(())
        }
        Err(e) => {
            Err(Finding::error(&page.shown, 0, format!("套用模板 {template} 失败：{}", templates::error_text(&e))))
        }
    }
}

/// Whether a page of the current year is also written at its plain address (`faq/` besides
/// `2020/faq/`): the pages in the navigation and the notice, the site's front door. The rest of
/// the year lives only at `<year>/…`, so a year of 10,000 pages is not written twice; the plain
/// copies link to them there.
fn at_plain(page: &Source) -> bool {
    page.front.weight > 0 || page.rel == "notice.md"
}

/// What rendering one page of a year needs besides the page.
struct PageContext<'a> {
    year: &'a Year,
    place: Place,
    by_rel: &'a HashMap<String, usize>,
    /// The year's page URLs (`faq/`).
    own: &'a HashSet<String>,
    /// Those of them also written at the plain addresses ([`at_plain`]).
    plain: &'a HashSet<String>,
    shared: &'a Context,
}

/// `path` (relative, as written on the page at `url`) resolved from the site root, with a
/// trailing `/` kept for a folder (`../check/` from `faq/` → `check/`); `None` above the root.
fn resolve(url: &str, path: &str) -> Option<String> {
    let joined = join(url.trim_end_matches('/'), path)?;
    let joined = joined.strip_suffix("index.html").unwrap_or(&joined).trim_end_matches('/').to_owned();
    let dir = path.ends_with('/') || path.ends_with("index.html") || path == "." || path == "..";
    Some(if dir && !joined.is_empty() { format!("{joined}/") } else { joined })
}

/// One page's markdown in `ctx.place`, its findings, and whether it links out of its year or to
/// a page of its year that has no plain copy (then its html differs between places).
fn render_page(index: usize, page: &Source, body: &str, ctx: &PageContext<'_>) -> (PageOut, Vec<Finding>, bool) {
    let mut findings = Vec::new();
    // Fast path: most pages have no template tags and skip tera altogether.
    let body: std::borrow::Cow<'_, str> = if body.contains("{{") || body.contains("{%") {
        match render_body(page, body, ctx.shared) {
            Ok(b) => b.into(),
            Err(f) => {
                findings.push(f);
                body.into()
            }
        }
    } else {
        body.into()
    };
    let url = page.url_path();
    let root = root_prefix(&url);
    let from_dir = dir_of(&page.rel);
    // Links are written as if the year's pages were at the site root. Under `<year>/` a link
    // that leaves them (the self-check, the archive, another year, an asset) needs one more `../`.
    let out_root = root_prefix(&format!("{}{url}", prefix(ctx.year.year, ctx.place)));
    let leaves = std::cell::Cell::new(false);
    let rewrite = |dest: &str| -> Option<String> {
        if is_external(dest) || dest.starts_with('#') {
            return None;
        }
        let (path, frag) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
        let frag = frag.map(|f| format!("#{f}")).unwrap_or_default();
        if path.ends_with(".md") {
            let t = ctx.year.pages[md_target(ctx.by_rel, from_dir, path)?].url_path();
            if ctx.plain.contains(&t) {
                return Some(format!("{root}{t}{frag}"));
            }
            // Not at the plain addresses: the plain copy links to it under its year.
            leaves.set(true);
            let year = if ctx.place == Place::Plain { format!("{}/", ctx.year.year) } else { String::new() };
            return Some(format!("{root}{year}{t}{frag}"));
        }
        if path.is_empty() {
            return None;
        }
        let target = resolve(&url, path)?;
        let own = ctx.own.contains(&target) || ctx.own.contains(&format!("{target}/"));
        let plain = ctx.plain.contains(&target) || ctx.plain.contains(&format!("{target}/"));
        leaves.set(leaves.get() || !own || !plain);
        match ctx.place {
            Place::Year => (!own).then(|| format!("{out_root}{target}{frag}")),
            Place::Plain => (own && !plain).then(|| format!("{out_root}{}/{target}{frag}", ctx.year.year)),
        }
    };
    let rendered = markdown::render(&body, page.body_line, &rewrite);
    for a in &rendered.acting_html {
        findings.push(Finding::warning(
            &page.shown,
            a.line,
            format!(
                "原始 HTML（{}）可能运行脚本、嵌入其他内容或跳转：已按文字显示，不起作用；请删除，或改用 Markdown 写法",
                a.what
            ),
        ));
    }
    let mut chart = None;
    if let Some(q) = tables::quota(&rendered.tables, &page.shown, &mut findings) {
        let line = rendered.tables.first().map_or(0, |t| t.line);
        tables::check_total(&q, &page.shown, line, &mut findings);
        chart = Some(tables::chart_svg(&q));
    }
    tables::duplicate_rows(&rendered.tables, &page.shown, &mut findings);
    (PageOut { index, rendered, chart }, findings, leaves.get())
}

/// Renders template tags in a page body (FAQ numbers and dates from the policy).
fn render_body(page: &Source, body: &str, shared: &Context) -> Result<String, Finding> {
    let mut t = Tera::default();
    templates::register_filters(&mut t);
    templates::forbid_outside_access(&mut t);
    let fail = |e: tera::Error| {
        let text = templates::error_text(&e);
        let line = templates::error_line(&text)
            .map(|l| l + page.body_line)
            .or_else(|| {
                // "Variable `policy.x` not found": point at the line that uses it.
                let var = text.split('`').nth(1)?;
                body.lines().position(|l| l.contains(var)).map(|i| i + page.body_line + 1)
            })
            .unwrap_or(0);
        let hint = text
            .split('`')
            .nth(1)
            .filter(|_| text.contains("not found in context"))
            .and_then(|var| closest_name(var, &shared.clone().into_json()))
            .map(|near| format!("。是否想写 {{{{ {near} }}}}？"))
            .unwrap_or_default();
        Finding::error(&page.shown, line, format!("页面中的模板标记有误：{text}{hint}"))
    };
    // A page body is the only template in its set: an include, extends or import can only name
    // the page itself (which tera would follow until the stack overflows) or nothing.
    if let Some(templates::Reference { line, keyword, .. }) = templates::references(body).first() {
        return Err(Finding::error(
            &page.shown,
            line + page.body_line,
            format!(
                "页面中的模板标记有误：页面中不能用 {{% {keyword} %}}（只能写 {{{{ policy.… }}}} 这样的数据和 if / for）"
            ),
        ));
    }
    t.add_raw_template(&page.rel, body).map_err(fail)?;
    t.render(&page.rel, shared).map_err(fail)
}

/// The dotted name in `ctx` closest to `wanted` (a misspelt `policy.minimum.total` finds
/// `policy.minimums.total`), if any is close.
fn closest_name(wanted: &str, ctx: &serde_json::Value) -> Option<String> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&name, v, out);
                    out.push(name);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            _ => {}
        }
    }
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    let mut names = Vec::new();
    walk("", ctx, &mut names);
    names.into_iter().map(|n| (distance(wanted, &n), n)).filter(|(d, _)| *d <= 3).min().map(|(_, n)| n)
}

/// Checks the links of page `i` of a year (`outs`: every page's headings and links): `.md`
/// links and anchors within the year, built URLs (resolved as if the year's pages were at the
/// site root) among the year's pages, `site_urls` and the assets. Returns what it found and the
/// pages whose anchors it links to.
fn check_links(
    year: &Year,
    outs: &[PageOut],
    i: usize,
    lookup: &YearLookup,
    site_urls: &HashSet<String>,
) -> (Vec<Finding>, Vec<usize>) {
    let mut findings = Vec::new();
    let mut anchor_targets = Vec::new();
    let o = &outs[i];
    let page = &year.pages[o.index];
    for Link { dest, line } in &o.rendered.links {
        if is_external(dest) {
            continue;
        }
        let (path, frag) = dest.split_once('#').map_or((dest.as_str(), None), |(p, f)| (p, Some(f)));
        let target = if path.is_empty() {
            Some(o.index)
        } else if path.ends_with(".md") {
            match md_target(&lookup.by_rel, dir_of(&page.rel), path) {
                Some(i) => Some(i),
                None => {
                    findings.push(Finding::error(&page.shown, *line, format!("链接“{dest}”指向的页面不存在")));
                    continue;
                }
            }
        } else {
            // A link to a built URL, relative to this page's URL.
            let resolved = join(page.url_path().trim_end_matches('/'), path).map(|p| {
                let p = p.trim_end_matches("index.html").to_owned();
                if p.is_empty() || p.ends_with('/') { p } else { format!("{p}/") }
            });
            if !resolved.is_some_and(|r| lookup.own.contains(&r) || site_urls.contains(&r) || assets::is_asset(&r)) {
                findings.push(Finding::error(&page.shown, *line, format!("链接“{dest}”指向的页面不存在")));
            }
            None
        };
        if let (Some(t), Some(frag)) = (target, frag) {
            if !anchor_targets.contains(&t) {
                anchor_targets.push(t);
            }
            let wanted = decode_percent(frag);
            if !outs[t].rendered.headings.iter().any(|h| h.id == wanted) {
                let shown = &year.pages[t].shown;
                findings.push(Finding::error(
                    &page.shown,
                    *line,
                    format!("链接“{dest}”的锚点 #{wanted} 在 {shown} 中不存在"),
                ));
            }
        }
    }
    (findings, anchor_targets)
}

/// What a page cites the notice as: `依据：《通知》` opening a paragraph.
const CITATION: &str = "<p>依据：《通知》";

/// Turns the clause labels of the page's `依据：《通知》四（一）、五（二）` paragraphs (`body`: its markdown) into links to
/// the notice page's anchors (`clauses`: label → id, from `notice.md`'s numbered headings and
/// clause paragraphs; `notice_url`: the notice within the year). A label the notice has no
/// anchor for stays text, with a warning on the line that cites it.
fn cite(
    page: &Source,
    body: &str,
    notice_url: &str,
    clauses: &HashMap<String, String>,
    o: &mut PageOut,
    findings: &mut Vec<Finding>,
) {
    if page.rel == "notice.md" || !o.rendered.html.contains(CITATION) {
        return;
    }
    let target = format!("{}{notice_url}", root_prefix(&page.url_path()));
    let mut missing = Vec::new();
    o.rendered.html = cite_links(&o.rendered.html, &target, clauses, &mut missing);
    for label in missing {
        let line = body
            .lines()
            .position(|l| l.contains("依据：《通知》") && l.contains(&label))
            .map_or(0, |i| i + page.body_line + 1);
        findings.push(Finding::warning(
            &page.shown,
            line,
            format!("依据中的“《通知》{label}”在通知页找不到对应的标题或条款：未加链接，请核对条款编号"),
        ));
    }
}

/// `html` with the clause labels after each [`CITATION`] linked to `target#id`; labels without
/// an id are pushed onto `missing`.
fn cite_links(html: &str, target: &str, clauses: &HashMap<String, String>, missing: &mut Vec<String>) -> String {
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find(CITATION) {
        let start = at + CITATION.len();
        out.push_str(&rest[..start]);
        let mut text = &rest[start..];
        loop {
            let n_end = text.find(|c: char| !numeral(c)).unwrap_or(text.len());
            if n_end == 0 {
                break;
            }
            let mut end = n_end;
            if let Some(inner) = text[n_end..].strip_prefix('（') {
                let m = inner.find(|c: char| !numeral(c)).unwrap_or(inner.len());
                if m > 0 && inner[m..].starts_with('）') {
                    end = n_end + '（'.len_utf8() + m + '）'.len_utf8();
                }
            }
            let label = &text[..end];
            match clauses.get(label) {
                Some(id) => {
                    let _ = write!(out, "<a href=\"{target}#{id}\">{label}</a>");
                }
                None => {
                    out.push_str(label);
                    missing.push(label.to_owned());
                }
            }
            text = &text[end..];
            match text.strip_prefix('、') {
                Some(after) if after.starts_with(numeral) => {
                    out.push('、');
                    text = after;
                }
                _ => break,
            }
        }
        rest = text;
    }
    out.push_str(rest);
    out
}

/// `%E5%9B%9B` → `四`; malformed escapes are kept as written.
pub fn decode_percent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn deadline_views(policy: &Policy) -> Vec<DeadlineView> {
    let jan1 = chrono::NaiveDate::from_ymd_opt(policy.year, 1, 1).unwrap_or_default();
    jxjy_core::deadlines::upcoming(policy, jan1)
        .into_iter()
        .map(|d| DeadlineView {
            date: d.date.to_string(),
            start: d.start.map(|s| s.to_string()),
            code: d.code.code(),
            label: d.code.label(),
            who: d.who,
            message: d.message,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(Base::parse("/"), Base { path: "/".into(), url: None });
        assert_eq!(Base::parse("jxjy"), Base { path: "/jxjy/".into(), url: None });
        assert_eq!(Base::parse("/jxjy/"), Base { path: "/jxjy/".into(), url: None });
        assert_eq!(
            Base::parse("https://example.org"),
            Base { path: "/".into(), url: Some("https://example.org/".into()) }
        );
        assert_eq!(
            Base::parse("https://example.org/jxjy"),
            Base { path: "/jxjy/".into(), url: Some("https://example.org/jxjy/".into()) }
        );
    }

    #[test]
    fn joins_and_prefixes() {
        assert_eq!(join("", "faq.md").as_deref(), Some("faq.md"));
        assert_eq!(join("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join("", "../x.md"), None);
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("faq/"), "../");
        assert_eq!(root_prefix("a/b/"), "../../");
    }

    #[test]
    fn suggests_the_closest_name() {
        let ctx = serde_json::json!({"policy": {"minimums": {"total": 90, "public": 30}, "year": 2020}});
        assert_eq!(closest_name("policy.minimum.total", &ctx).as_deref(), Some("policy.minimums.total"));
        assert_eq!(closest_name("policy.yaer", &ctx).as_deref(), Some("policy.year"));
        assert_eq!(closest_name("something.else.entirely", &ctx), None);
    }

    #[test]
    fn citations_link_the_clauses_the_notice_has() {
        let clauses: HashMap<String, String> =
            [("四", "四学时登记"), ("四（一）", "四一"), ("五（二）", "二巩固电子证书转换成果")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
        let mut missing = Vec::new();
        let html = "<p>依据：《通知》四（一）、五（二）（自查按这些条款核对）</p>\n<p>依据：《通知》四、六（三）及附件</p>\n<p>依据：别的</p>";
        let got = cite_links(html, "../notice/", &clauses, &mut missing);
        assert_eq!(
            got,
            "<p>依据：《通知》<a href=\"../notice/#四一\">四（一）</a>、<a href=\"../notice/#二巩固电子证书转换成果\">五（二）</a>（自查按这些条款核对）</p>\n\
             <p>依据：《通知》<a href=\"../notice/#四学时登记\">四</a>、六（三）及附件</p>\n<p>依据：别的</p>"
        );
        assert_eq!(missing, ["六（三）"]);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode_percent("%E5%9B%9B"), "四");
        assert_eq!(decode_percent("a%2"), "a%2");
        assert_eq!(decode_percent("%四"), "%四");
    }
}
