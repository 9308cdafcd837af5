//! The built-in templates (embedded in the binary) and their overrides from
//! `content/templates/`, with the filters content may use.

use std::collections::HashMap;

use chrono::NaiveDate;
use tera::{Tera, Value};

use jxjy_core::text::{cn_date, cn_month_day};

use super::markdown::Heading;

/// Templates compiled into the binary.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("faq.html", include_str!("../../templates/faq.html")),
    ("notice.html", include_str!("../../templates/notice.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("check.html", include_str!("../../templates/check.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("archive.html", include_str!("../../templates/archive.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
];

/// Escapes `&<>"'` and marks the result safe, so that autoescaping does not escape it again.
struct Escape;

impl tera::Filter for Escape {
    fn filter(&self, v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        let s = match v {
            Value::String(s) => super::escape(s),
            Value::Null => String::new(),
            v => super::escape(&v.to_string()),
        };
        Ok(Value::String(s))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn date_filter(f: fn(NaiveDate) -> String) -> impl tera::Filter {
    move |v: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
        let s =
            v.as_str().ok_or_else(|| tera::Error::msg(format!("日期过滤器需要 2020-12-10 形式的日期，得到 {v}")))?;
        let d: NaiveDate = s.parse().map_err(|_| tera::Error::msg(format!("“{s}”不是日期")))?;
        Ok(Value::String(f(d)))
    }
}

/// Registers the filters content and templates may use: `cn_date` (2020年12月10日),
/// `cn_month_day` (12月10日), and `xml` / `attr` (escaped for XML text or an HTML attribute).
pub fn register_filters(t: &mut Tera) {
    // Escaping without tera's HTML-style `&#x2F;` for slashes: `xml` for URLs in sitemap.xml,
    // `attr` for URLs in HTML attributes (`href="{{ root | attr }}"`).
    t.register_filter("xml", Escape);
    t.register_filter("attr", Escape);
    t.register_filter("cn_date", date_filter(cn_date));
    t.register_filter("cn_month_day", date_filter(cn_month_day));
}

/// tera's functions that reach outside the content: `get_env` reads the build machine's
/// environment (`{{ get_env(name="HOME") }}` would publish it). tera 1.20 has no way to remove
/// a built-in function, so each is replaced by one that fails; without the `builtins` feature
/// tera has no other function that reads the environment, the clock or files (`range` and
/// `throw` are pure), and `include` only reaches templates added to the same set.
pub const FORBIDDEN_FUNCTIONS: &[&str] = &["get_env"];

fn forbidden_message(name: &str) -> String {
    format!("函数 `{name}` 不可用：页面和模板不能读取构建机器的环境变量或文件")
}

/// Replaces the [`FORBIDDEN_FUNCTIONS`] of `t` by functions that fail.
pub fn forbid_outside_access(t: &mut Tera) {
    for name in FORBIDDEN_FUNCTIONS {
        t.register_function(name, move |_: &HashMap<String, Value>| -> tera::Result<Value> {
            Err(tera::Error::msg(forbidden_message(name)))
        });
    }
}

/// Each call of a [`FORBIDDEN_FUNCTIONS`] function in a template's text: (1-based line, message).
/// Rendering fails on them anyway; this names the line, which a tera render error does not.
pub fn forbidden_calls(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for name in FORBIDDEN_FUNCTIONS {
            let called = line.match_indices(name).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + name.len()..].trim_start();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with('(')
            });
            if called {
                found.push((i + 1, forbidden_message(name)));
            }
        }
    }
    found
}

/// An `{% include %}`, `{% extends %}` or `{% import %}` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// 1-based line of the tag.
    pub line: usize,
    pub keyword: &'static str,
    /// The template names quoted in the tag.
    pub names: Vec<String>,
}

/// The references to other templates in a template's text.
pub fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("{%") {
        let tag = text[at + 2..].trim_start_matches('-').trim_start();
        let Some(keyword) = ["include", "extends", "import"].into_iter().find(|k| {
            tag.strip_prefix(k).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        }) else {
            continue;
        };
        let inside = &tag[keyword.len()..tag.find("%}").unwrap_or(tag.len())];
        let mut names = Vec::new();
        let mut rest = inside;
        while let Some(open) = rest.find(['"', '\'', '`']) {
            let q = rest[open..].chars().next().unwrap_or('"');
            let after = &rest[open + 1..];
            let Some(close) = after.find(q) else { break };
            names.push(after[..close].to_owned());
            rest = &after[close + 1..];
        }
        found.push(Reference { line: text[..at].matches('\n').count() + 1, keyword, names });
    }
    found
}

/// Include and extends loops through an override (`page.html` including `page.html`, or
/// `base.html` including a page that extends it), which tera would follow until the stack
/// overflows: (override name, line, message) for each tag on such a loop.
pub fn reference_loops(overrides: &[(String, String)]) -> Vec<(String, usize, String)> {
    let mut all: HashMap<&str, &str> = BUILT_IN.iter().copied().collect();
    for (name, text) in overrides {
        all.insert(name, text);
    }
    let edges: HashMap<&str, Vec<Reference>> = all.iter().map(|(name, text)| (*name, references(text))).collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                for r in edges.get(n.as_str()).into_iter().flatten() {
                    stack.extend(r.names.iter().cloned());
                }
            }
        }
        false
    };
    let mut loops = Vec::new();
    for (name, _) in overrides {
        for Reference { line, keyword, names } in edges.get(name.as_str()).into_iter().flatten() {
            if let Some(target) = names.iter().find(|t| reaches(t, name)) {
                loops.push((name.clone(), *line, format!("{{% {keyword} \"{target}\" %}} 又回到 {name}，会无限循环")));
            }
        }
    }
    loops
}

/// What tera's own autoescape writes (`&<>"'/` as `&amp;` `&lt;` `&gt;` `&quot;` `&#x27;`
/// `&#x2F;`), byte for byte, but copying the runs between them whole instead of pushing each
/// character: every `{{ … }}` and `{% if … %}` on a string escapes it, dozens per page.
fn autoescape(s: &str) -> String {
    super::replace_ascii(s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#x27;"),
        b'/' => Some("&#x2F;"),
        _ => None,
    })
}

/// The table of contents of page.html and notice.html, `{{ toc_items | safe }}`: a link to each
/// `##` heading, as `{% for h in page.toc %}{% if h.level == 2 %}<li><a href="#{{ h.id }}">{{ h.text
/// }}</a></li>{% endif %}{% endfor %}` writes it, without tera looking up three dotted names per
/// heading.
pub fn toc_items(headings: &[Heading]) -> String {
    let mut out = String::new();
    for h in headings.iter().filter(|h| h.level == 2) {
        out.push_str("<li><a href=\"#");
        out.push_str(&autoescape(&h.id));
        out.push_str("\">");
        out.push_str(&autoescape(&h.text));
        out.push_str("</a></li>");
    }
    out
}

/// The template set: built-ins, then overrides (same name wins).
pub fn load(overrides: &[(String, String)]) -> tera::Result<Tera> {
    let mut t = Tera::default();
    t.autoescape_on(vec![".html", ".xml"]);
    t.set_escape_fn(autoescape);
    let mut all: Vec<(&str, &str)> = BUILT_IN.to_vec();
    for (name, text) in overrides {
        all.retain(|(n, _)| n != name);
        all.push((name, text));
    }
    t.add_raw_templates(all)?;
    register_filters(&mut t);
    forbid_outside_access(&mut t);
    Ok(t)
}

/// Every line of a tera error chain, for messages.
pub fn error_text(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join("：")
}

/// The line a tera parse error points at (` --> 12:5`), if any.
pub fn error_line(message: &str) -> Option<usize> {
    let at = message.find("--> ")?;
    message[at + 4..].split(':').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoescape_writes_what_tera_writes() {
        for s in ["", "纯文字", "a/b <c> & \"d\" 'e'", "//<<&&", "学时&#x2F;x/", "尾/"] {
            assert_eq!(autoescape(s), tera::escape_html(s), "{s}");
        }
    }

    #[test]
    fn toc_items_writes_what_the_loop_wrote() {
        let h = |level, id: &str, text: &str| Heading { level, id: id.to_owned(), text: text.to_owned() };
        let toc = [h(1, "t", "题"), h(2, "a/b", "<x> & \"y\" 'z'"), h(3, "c", "三级"), h(2, "第2节", "第2节")];
        let mut t = load(&[]).unwrap();
        t.add_raw_template(
            "toc.html",
            r##"{% for h in toc %}{% if h.level == 2 %}<li><a href="#{{ h.id }}">{{ h.text }}</a></li>{% endif %}{% endfor %}"##,
        )
        .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("toc", &toc);
        assert_eq!(toc_items(&toc), t.render("toc.html", &ctx).unwrap());
    }

    #[test]
    fn filters_render_chinese_dates() {
        let mut t = load(&[]).unwrap();
        t.add_raw_template("x", "{{ d | cn_date }} / {{ d | cn_month_day }}").unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("d", "2020-12-10");
        assert_eq!(t.render("x", &ctx).unwrap(), "2020年12月10日 / 12月10日");
    }

    #[test]
    fn overrides_replace_built_ins() {
        let t = load(&[("404.html".to_owned(), "gone".to_owned())]).unwrap();
        assert_eq!(t.render("404.html", &tera::Context::new()).unwrap(), "gone");
    }

    #[test]
    fn get_env_fails_and_is_found_by_line() {
        let path = std::env::var("PATH").unwrap_or_default();
        let mut t = load(&[]).unwrap();
        t.add_raw_template("x", "[{{ get_env(name=\"PATH\", default=\"d\") }}]").unwrap();
        let e = t.render("x", &tera::Context::new()).unwrap_err();
        let text = error_text(&e);
        assert!(text.contains("`get_env` 不可用"), "{text}");
        assert!(path.is_empty() || !text.contains(&path), "{text}");
        assert_eq!(forbidden_calls("a\n{{ get_env (name='X') }}\nmy_get_env(x) get_env\n").len(), 1);
        assert_eq!(forbidden_calls("a\n{{ get_env (name='X') }}\n")[0].0, 2);
    }

    #[test]
    fn finds_include_loops() {
        let o = |n: &str, t: &str| (n.to_owned(), t.to_owned());
        assert_eq!(
            references("a\n{%- include 'x.html' ignore missing %}{% includes %}")[0],
            Reference { line: 2, keyword: "include", names: vec!["x.html".to_owned()] }
        );
        let loops = reference_loops(&[o("page.html", "{% extends \"base.html\" %}\n{% include \"page.html\" %}")]);
        assert_eq!(loops.len(), 1);
        assert_eq!((loops[0].0.as_str(), loops[0].1), ("page.html", 2));
        // base.html including a template that extends base.html.
        assert_eq!(reference_loops(&[o("base.html", "{% include [\"x\", \"404.html\"] %}")]).len(), 1);
        assert!(reference_loops(&[o("404.html", "{% extends \"base.html\" %}")]).is_empty());
        assert!(reference_loops(&[]).is_empty());
    }

    #[test]
    fn parse_error_lines() {
        let mut t = Tera::default();
        let e = t.add_raw_template("x", "a\nb\n{{ oops").unwrap_err();
        assert_eq!(error_line(&error_text(&e)), Some(3));
    }
}
