//! Markdown → HTML, as a pure function that also returns what it found on the way: headings
//! (for ids and anchors), links (for the link checker) and tables (for the quota check and the
//! duplicate-row lint). CJK-aware: a soft line break between two Chinese characters adds no space.
//! Raw HTML that can act (script, frames, plugins, `<meta http-equiv>`, `on*=` handlers,
//! `javascript:` URLs) is written out as text and reported; other raw HTML passes through.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// A heading and the id it got.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link as written, with the 1-based line of the markdown it sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub line: usize,
}

/// A table's text cells, with the line of its header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub line: usize,
    pub header: Vec<String>,
    /// Each body row with the line it is on.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Raw HTML that could act, shown as text instead: what was found (`<script>`, `onclick=`)
/// and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingHtml {
    pub line: usize,
    pub what: String,
}

/// A numbered clause of a document (条款) and the id of the element it starts: `四` (the heading
/// `四、学时登记`), `四（一）` (a heading or a paragraph starting `（一）` under it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub label: String,
    pub id: String,
}

/// The rendered page and the facts gathered.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub clauses: Vec<Clause>,
    pub links: Vec<Link>,
    pub tables: Vec<Table>,
    pub acting_html: Vec<ActingHtml>,
}

/// Elements that run script, embed another document or plugin, or change where links and
/// forms go. (`<meta>` acts only with `http-equiv`: a refresh redirects, and it can set a
/// policy; it is checked apart.)
const ACTING_ELEMENTS: &[&str] =
    &["script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base"];

/// `html` without its comments, ended as a browser ends them: `-->`, `--!>`, and the
/// abrupt `<!-->` / `<!--->`; an unclosed comment runs to the end.
fn strip_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let body = &rest[at + 4..];
        rest = if let Some(after) = body.strip_prefix('>').or_else(|| body.strip_prefix("->")) {
            after
        } else {
            let end = [body.find("-->").map(|i| i + 3), body.find("--!>").map(|i| i + 4)].into_iter().flatten().min();
            end.map_or("", |e| &body[e..])
        };
    }
    out.push_str(rest);
    out
}

/// An attribute value as a browser reads a URL from it: character references decoded (the
/// numeric ones and `&colon;`, `&Tab;`, `&NewLine;`), ASCII whitespace and control characters
/// (which URL parsing drops) removed, lower-cased.
fn url_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let r = &rest[at + 1..];
        let (decoded, used) = if let Some(num) = r.strip_prefix('#') {
            let (digits, radix, prefix) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex.chars().take_while(char::is_ascii_hexdigit).collect::<String>(), 16, 1),
                None => (num.chars().take_while(char::is_ascii_digit).collect::<String>(), 10, 0),
            };
            let c = u32::from_str_radix(&digits, radix).ok().and_then(char::from_u32);
            let mut used = 1 + prefix + digits.len();
            if r[used..].starts_with(';') {
                used += 1;
            }
            (c, used)
        } else {
            let named = [("colon;", ':'), ("tab;", '\t'), ("newline;", '\n')];
            let lower = r.get(..8).unwrap_or(r).to_ascii_lowercase();
            named.iter().find(|(n, _)| lower.starts_with(n)).map_or((None, 0), |(n, c)| (Some(*c), n.len()))
        };
        match decoded {
            Some(c) if used > 0 => {
                out.push(c);
                rest = &r[used..];
            }
            _ => {
                out.push('&');
                rest = r;
            }
        }
    }
    out.push_str(rest);
    out.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect::<String>().to_lowercase()
}

/// What in a piece of raw HTML can act: the first element, attribute or URL found, as shown in
/// the warning (`<script>`, `<meta http-equiv>`, `onload=`, `javascript:`). Comments do not act.
/// Every `<` is tried as a tag start, so a tag hidden in another's junk is still found.
pub fn acting_html(html: &str) -> Option<String> {
    let html = strip_comments(html);
    for (at, _) in html.match_indices('<') {
        let tag = html[at + 1..].strip_prefix('/').unwrap_or(&html[at + 1..]);
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = tag.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>').unwrap_or(tag.len());
        let name = tag[..name_end].to_ascii_lowercase();
        if ACTING_ELEMENTS.contains(&name.as_str()) {
            return Some(format!("<{name}>"));
        }
        // Attributes, up to the `>` that ends the tag (quotes respected).
        let mut rest = &tag[name_end..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let attr_end = rest[1..]
                .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>' || c == '=')
                .map_or(rest.len(), |i| i + 1);
            let attr = rest[..attr_end].to_ascii_lowercase();
            rest = rest[attr_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            let mut value = "";
            if let Some(v) = rest.strip_prefix('=') {
                let v = v.trim_start_matches(|c: char| c.is_ascii_whitespace());
                let (val, after) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let inner = &v[1..];
                        inner.find(q).map_or((inner, ""), |e| (&inner[..e], &inner[e + 1..]))
                    }
                    _ => {
                        let e = v.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(v.len());
                        (&v[..e], &v[e..])
                    }
                };
                value = val;
                rest = after;
            }
            if attr.len() > 2 && attr.starts_with("on") {
                return Some(format!("{attr}="));
            }
            if name == "meta" && attr == "http-equiv" {
                return Some("<meta http-equiv>".to_owned());
            }
            let url = url_text(value);
            for scheme in ["javascript:", "vbscript:"] {
                if url.contains(scheme) {
                    return Some(scheme.to_owned());
                }
            }
        }
    }
    None
}

/// Whether `c` is a character between which and another like it a line break means nothing.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}'   // radicals, kana, CJK symbols and punctuation, unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{3FFFF}'
        | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' | '\u{2014}' | '\u{2026}')
}

/// A heading id that keeps Chinese characters: letters and digits of any script kept, ASCII
/// lower-cased, spaces to `-`, punctuation dropped.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "section".to_owned() } else { out }
}

const NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// `四、学时登记` → `四`: the Chinese numeral that numbers a section, if the text starts with one.
fn section_number(text: &str) -> Option<&str> {
    let (n, _) = text.trim_start().split_once('、')?;
    (!n.is_empty() && n.chars().all(|c| NUMERALS.contains(&c))).then_some(n)
}

/// `（一）加强备案管理` → `一`: the numeral of a sub-clause label (full-width brackets), if any.
fn item_number(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('（')?;
    let (n, _) = rest.split_once('）')?;
    (!n.is_empty() && n.chars().all(|c| NUMERALS.contains(&c))).then_some(n)
}

/// Byte offset → 1-based line.
#[derive(Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        // memchr's vector search: `match_indices('\n')` took 3% of a build's instructions, a
        // search started again for each line.
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// How to rewrite a link destination (e.g. `faq.md#x` → `../faq/#x`).
pub type Rewrite<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A markdown event and the 1-based line it starts on.
type Events<'a> = Vec<(Event<'a>, usize)>;

/// Renders `text`. `line_offset` is added to every reported line (the front matter above the body).
/// Each step below does one job on the page's events, in this order: raw HTML that acts is made
/// text first, so the later steps see what the reader will see.
pub fn render(text: &str, line_offset: usize, rewrite: Rewrite<'_>) -> Rendered {
    let mut events = parse(text, line_offset);
    let acting_html = defuse_html(&mut events);
    let (headings, clauses) = anchor(&mut events);
    join_cjk_lines(&mut events);
    let links = rewrite_links(&mut events, rewrite);
    let (tables, labels) = collect_tables(&events, &headings);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    write_html(&mut html, events, labels);
    Rendered { html, headings, clauses, links, tables, acting_html }
}

/// The events of `text` with their lines.
fn parse(text: &str, line_offset: usize) -> Events<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_FOOTNOTES;
    let lines = Lines::new(text);
    // Sized once for an event per 12 bytes of text: the benchmark's pages have one per 13–16
    // (growing the vector from empty was 3% of a build's instructions), the real quota page one
    // per 8 (one doubling), the notice one per 65.
    let mut events = Vec::with_capacity(text.len() / 12);
    events.extend(
        Parser::new_ext(text, options).into_offset_iter().map(|(e, range)| (e, lines.line(range.start) + line_offset)),
    );
    events
}

/// Raw HTML that could act ([`acting_html`]) turned into text, an HTML block into a paragraph of
/// it; what was found, with its line.
fn defuse_html(events: &mut Events<'_>) -> Vec<ActingHtml> {
    let mut found: Vec<ActingHtml> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let line = events[i].1;
        match &mut events[i].0 {
            Event::Start(Tag::HtmlBlock) => {
                // The block as a whole: a tag may run over several of its lines.
                let end = events[i..].iter().position(|(e, _)| matches!(e, Event::End(TagEnd::HtmlBlock)));
                let end = end.map_or(events.len(), |n| i + n);
                let text: String = events[i + 1..end]
                    .iter()
                    .filter_map(|(e, _)| if let Event::Html(t) = e { Some(t.as_ref()) } else { None })
                    .collect();
                if let Some(what) = acting_html(&text) {
                    found.push(ActingHtml { line, what });
                    events[i].0 = Event::Start(Tag::Paragraph);
                    for (e, _) in &mut events[i + 1..end] {
                        if let Event::Html(t) = e {
                            *e = Event::Text(std::mem::replace(t, CowStr::Borrowed("")));
                        }
                    }
                    if end < events.len() {
                        events[end].0 = Event::End(TagEnd::Paragraph);
                    }
                }
                i = end;
            }
            Event::InlineHtml(t) => {
                if let Some(what) = acting_html(t) {
                    if !found.iter().any(|a| a.line == line && a.what == what) {
                        found.push(ActingHtml { line, what });
                    }
                    events[i].0 = Event::Text(std::mem::replace(t, CowStr::Borrowed("")));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    found
}

/// Ids for the headings (kept Chinese, made unique) and for the numbered clauses: a heading
/// `四、学时登记` is clause `四`; under it a heading or a paragraph starting `（一）` is `四（一）`
/// (the paragraph gets an id of its own). Headings and paragraphs share one set of ids.
fn anchor(events: &mut Events<'_>) -> (Vec<Heading>, Vec<Clause>) {
    let mut headings = Vec::new();
    let mut clauses = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut unique = |base: String| {
        let n = ids.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    };
    // The section (`四`) that sub-clauses below belong to.
    let mut section: Option<String> = None;
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Heading { .. }) => {
                let mut text = String::new();
                for (e, _) in &events[i + 1..] {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                }
                let Event::Start(Tag::Heading { level, id, .. }) = &mut events[i].0 else { unreachable!() };
                let id_text = unique(id.as_ref().map_or_else(|| slug(&text), |s| s.to_string()));
                *id = Some(CowStr::from(id_text.clone()));
                let level = heading_level(*level);
                if level <= 2 {
                    section = section_number(&text).map(str::to_owned);
                    if let Some(n) = &section {
                        clauses.push(Clause { label: n.clone(), id: id_text.clone() });
                    }
                } else if let (Some(sec), Some(n)) = (&section, item_number(&text)) {
                    clauses.push(Clause { label: format!("{sec}（{n}）"), id: id_text.clone() });
                }
                headings.push(Heading { level, id: id_text, text });
            }
            Event::Start(Tag::Paragraph) => {
                let first = events[i + 1..].iter().find_map(|(e, _)| match e {
                    Event::Text(t) => Some(t.as_ref()),
                    Event::End(TagEnd::Paragraph) => Some(""),
                    _ => None,
                });
                if let (Some(sec), Some(n)) = (&section, first.and_then(item_number)) {
                    let label = format!("{sec}（{n}）");
                    let id = unique(slug(&label));
                    events[i].0 = Event::Html(CowStr::from(format!("<p id=\"{id}\">")));
                    clauses.push(Clause { label, id });
                }
            }
            _ => {}
        }
    }
    (headings, clauses)
}

/// A soft line break between two Chinese characters removed: in Chinese it means nothing, where
/// a browser would show a space.
fn join_cjk_lines(events: &mut Events<'_>) {
    for i in 0..events.len() {
        if matches!(events[i].0, Event::SoftBreak)
            && last_char_before(events, i).is_some_and(is_cjk)
            && first_char_after(events, i).is_some_and(is_cjk)
        {
            events[i].0 = Event::Text(CowStr::Borrowed(""));
        }
    }
}

/// Every link and image destination as written, with its line; each rewritten by `rewrite`.
fn rewrite_links(events: &mut Events<'_>, rewrite: Rewrite<'_>) -> Vec<Link> {
    let mut links = Vec::new();
    for (e, line) in events.iter_mut() {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = e {
            links.push(Link { dest: dest_url.to_string(), line: *line });
            if let Some(new) = rewrite(dest_url) {
                *dest_url = CowStr::from(new);
            }
        }
    }
    links
}

/// The tables' text cells, and each table's name for its scrolling region: the heading above the
/// first table under it, else the table's own column names.
fn collect_tables(events: &Events<'_>, headings: &[Heading]) -> (Vec<Table>, Vec<String>) {
    let mut tables = Vec::new();
    let mut labels = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_head = false;
    let mut row_line = 0;
    let mut headings_seen: usize = 0;
    let mut named_after: Option<usize> = None;
    for (e, line) in events {
        match e {
            Event::Start(Tag::Heading { .. }) => headings_seen += 1,
            Event::Start(Tag::Table(_)) => table = Some(Table { line: *line, header: Vec::new(), rows: Vec::new() }),
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    let heading = headings_seen.checked_sub(1).filter(|&h| named_after != Some(h));
                    labels.push(match heading {
                        Some(h) => {
                            named_after = Some(h);
                            headings[h].text.trim().to_owned()
                        }
                        None => format!("表格：{}", t.header.join("、")),
                    });
                    tables.push(t);
                }
            }
            Event::Start(Tag::TableHead) => {
                in_head = true;
                row.clear();
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let Some(t) = table.as_mut() {
                    t.header = std::mem::take(&mut row);
                }
            }
            Event::Start(Tag::TableRow) => {
                row.clear();
                row_line = *line;
            }
            Event::End(TagEnd::TableRow) if !in_head => {
                if let Some(t) = table.as_mut() {
                    t.rows.push((row_line, std::mem::take(&mut row)));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let text = cell.take().unwrap_or_default();
                row.push(if text.trim().len() == text.len() { text } else { text.trim().to_owned() });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(t);
                }
            }
            _ => {}
        }
    }
    (tables, labels)
}

/// The events as HTML into `html`, each table wrapped so that a wide one scrolls on a phone: a
/// region named by `labels` (one per table, in order) that takes the keyboard focus, so that it
/// can be scrolled without a mouse.
fn write_html(html: &mut String, events: Events<'_>, labels: Vec<String>) {
    let mut labels = labels.into_iter();
    let mut events = events.into_iter();
    // The event after the one just given, when one became two.
    let mut next: Option<Event<'_>> = None;
    let wrapped = std::iter::from_fn(|| {
        if let Some(e) = next.take() {
            return Some(e);
        }
        let (e, _) = events.next()?;
        Some(match e {
            Event::Start(Tag::Table(a)) => {
                let label = super::escape(&labels.next().unwrap_or_default());
                next = Some(Event::Start(Tag::Table(a)));
                Event::Html(CowStr::from(format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{label}\">"
                )))
            }
            Event::End(TagEnd::Table) => {
                next = Some(Event::Html(CowStr::Borrowed("</div>\n")));
                Event::End(TagEnd::Table)
            }
            e => e,
        })
    });
    html::push_html(html, wrapped);
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The character an event shows at its `from_end` edge: `None` for markup that shows nothing
/// (look further), a space for anything else that separates text (a hard break, a rule…).
fn edge_char(e: &Event<'_>, from_end: bool) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) if !t.is_empty() => {
            if from_end {
                t.chars().last()
            } else {
                t.chars().next()
            }
        }
        Event::Text(_) | Event::Start(_) | Event::End(_) | Event::Html(_) | Event::InlineHtml(_) => None,
        _ => Some(' '),
    }
}

fn last_char_before(events: &[(Event<'_>, usize)], i: usize) -> Option<char> {
    events[..i].iter().rev().find_map(|(e, _)| edge_char(e, true))
}

fn first_char_after(events: &[(Event<'_>, usize)], i: usize) -> Option<char> {
    events[i + 1..].iter().find_map(|(e, _)| edge_char(e, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Rendered {
        render(text, 0, &|_| None)
    }

    #[test]
    fn soft_breaks_between_chinese_characters_add_no_space() {
        assert_eq!(md("专业技术人员\n继续教育").html, "<p>专业技术人员继续教育</p>\n");
        assert_eq!(md("学时。\n其中").html, "<p>学时。其中</p>\n");
        assert_eq!(md("hello\nworld").html, "<p>hello\nworld</p>\n");
        assert_eq!(md("共 90\n学时").html, "<p>共 90\n学时</p>\n");
        // Across inline markup too.
        assert_eq!(md("**公需**\n科目").html, "<p><strong>公需</strong>科目</p>\n");
        assert_eq!(md("Rust\n学时").html, "<p>Rust\n学时</p>\n");
    }

    #[test]
    fn numbered_clauses_get_anchors() {
        let r = md(
            "## 三、组织方式\n\n### （一）公需科目。\n\n## 四、学时登记\n\n引言。\n\n（一）每年 90 学时。\n\n（二）考试合格。\n\n## 附件\n\n（一）不算。\n",
        );
        let got: Vec<(&str, &str)> = r.clauses.iter().map(|c| (c.label.as_str(), c.id.as_str())).collect();
        assert_eq!(
            got,
            [
                ("三", "三组织方式"),
                ("三（一）", "一公需科目"),
                ("四", "四学时登记"),
                ("四（一）", "四一"),
                ("四（二）", "四二")
            ]
        );
        assert!(r.html.contains("<p id=\"四一\">（一）每年 90 学时。</p>"), "{}", r.html);
        assert!(r.html.contains("<p>（一）不算。</p>"), "{}", r.html);
        assert!(r.html.contains("<p>引言。</p>"), "{}", r.html);
    }

    #[test]
    fn heading_ids_keep_chinese() {
        let r = md("## 四、学时登记\n\n### （一）加强备案管理。\n\n## 四、学时登记\n\n## Q&A 2020\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["四学时登记", "一加强备案管理", "四学时登记-1", "qa-2020"]);
        assert!(r.html.contains("<h2 id=\"四学时登记\">"), "{}", r.html);
    }

    #[test]
    fn tables_are_wrapped_and_collected() {
        let r = md("intro\n\n| 区域 | 人数 |\n|---|---|\n| 中原区 | 260 |\n| 总计 | 260 |\n");
        let open = "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"表格：区域、人数\"><table>";
        assert!(r.html.contains(open), "{}", r.html);
        // The first table under a heading is named by it; a second one by its columns.
        let named = md("## 名单 <1>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n");
        assert!(named.html.contains("aria-label=\"名单 &lt;1&gt;\"><table>"), "{}", named.html);
        assert!(named.html.contains("aria-label=\"表格：c\"><table>"), "{}", named.html);
        assert!(r.html.contains("</table>\n</div>"), "{}", r.html);
        let t = &r.tables[0];
        assert_eq!(t.line, 3);
        assert_eq!(t.header, ["区域", "人数"]);
        assert_eq!(
            t.rows,
            [(5, vec!["中原区".to_owned(), "260".to_owned()]), (6, vec!["总计".to_owned(), "260".to_owned()])]
        );
    }

    #[test]
    fn links_are_collected_with_lines_and_rewritten() {
        let r = render("+x\n\n见[通知](notice.md#四学时登记)和[外部](https://example.org)。\n", 10, &|d| {
            d.strip_suffix(".md").map(|p| format!("../{p}/"))
        });
        assert_eq!(
            r.links,
            [
                Link { dest: "notice.md#四学时登记".into(), line: 13 },
                Link { dest: "https://example.org".into(), line: 13 }
            ]
        );
        assert!(r.html.contains("href=\"https://example.org\""));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("  "), "section");
        assert_eq!(slug("What is 公需?"), "what-is-公需");
        assert_eq!(slug("一、范围对象"), "一范围对象");
    }

    #[test]
    fn finds_raw_html_that_can_act() {
        let acts = |h: &str| acting_html(h);
        assert_eq!(acts("<SCRIPT src=x>").as_deref(), Some("<script>"));
        assert_eq!(acts("</script>").as_deref(), Some("<script>"));
        assert_eq!(acts("<meta HTTP-EQUIV=refresh content=0>").as_deref(), Some("<meta http-equiv>"));
        assert_eq!(acts("<svg/onload=alert(1)>").as_deref(), Some("onload="));
        assert_eq!(acts("<img src=x\n  onerror = 'a()'>").as_deref(), Some("onerror="));
        assert_eq!(acts("<a href=\"JaVa\tScRiPt:x()\">").as_deref(), Some("javascript:"));
        assert_eq!(acts("<a href=\"&#x6A;avascript&colon;x()\">").as_deref(), Some("javascript:"));
        assert_eq!(acts("<a href='&#106&#97vascript:x()'>").as_deref(), Some("javascript:"));
        assert_eq!(acts("<p>x<<iframe>").as_deref(), Some("<iframe>"));
        assert_eq!(acts("<!-- x --!><embed src=x>").as_deref(), Some("<embed>"));
        assert_eq!(acts("<!--><object>").as_deref(), Some("<object>"));
        // Harmless markup, text and comments.
        for ok in [
            "<kbd>Ctrl</kbd>",
            "<div class=\"note\" title=\"on=1\">",
            "<!-- <script>alert(1)</script> -->",
            "<meta charset=utf-8>",
            "<a href=\"https://example.org/?q=onclick\">",
            "a < b > c",
            "<scripts>",
            "<p data-x='a > b' class=y>",
        ] {
            assert_eq!(acts(ok), None, "{ok}");
        }
    }

    #[test]
    fn acting_raw_html_is_shown_as_text() {
        let r =
            md("a\n\n<meta http-equiv=\"refresh\" content=\"0; url=x\">\n\n<kbd>k</kbd> <b onclick=\"x()\">b</b>\n");
        assert_eq!(
            r.acting_html,
            [ActingHtml { line: 3, what: "<meta http-equiv>".into() }, ActingHtml { line: 5, what: "onclick=".into() }]
        );
        assert!(r.html.contains("<p>&lt;meta http-equiv=\"refresh\" content=\"0; url=x\"&gt;\n</p>"), "{}", r.html);
        assert!(r.html.contains("<kbd>k</kbd> &lt;b onclick=\"x()\"&gt;b</b>"), "{}", r.html);
        assert!(md("<div>\n<p>ok</p>\n</div>\n").acting_html.is_empty());
    }

    #[test]
    fn html_in_text_is_escaped() {
        assert_eq!(md("a < b & c").html, "<p>a &lt; b &amp; c</p>\n");
    }
}
