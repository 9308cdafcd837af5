//! The built-in templates (embedded in the binary) and their overrides from
//! `content/templates/`, with the filters content may use.

use std::collections::HashMap;

use chrono::NaiveDate;
use tera::{Tera, Value};

use jxjy_core::text::{cn_date, cn_month_day};

/// Templates compiled into the binary.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("faq.html", include_str!("../../templates/faq.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("check.html", include_str!("../../templates/check.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
];

fn date_filter(f: fn(NaiveDate) -> String) -> impl tera::Filter {
    move |v: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
        let s =
            v.as_str().ok_or_else(|| tera::Error::msg(format!("日期过滤器需要 2020-12-10 形式的日期，得到 {v}")))?;
        let d: NaiveDate = s.parse().map_err(|_| tera::Error::msg(format!("“{s}”不是日期")))?;
        Ok(Value::String(f(d)))
    }
}

/// Registers the filters content and templates may use: `cn_date` (2020年12月10日) and
/// `cn_month_day` (12月10日).
pub fn register_filters(t: &mut Tera) {
    // XML text escaping without tera's HTML-style `&#x2F;` for slashes (URLs in sitemap.xml).
    t.register_filter("xml", |v: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
        let s = v.as_str().unwrap_or_default();
        Ok(Value::String(super::escape(s)))
    });
    t.register_filter("cn_date", date_filter(cn_date));
    t.register_filter("cn_month_day", date_filter(cn_month_day));
}

/// The template set: built-ins, then overrides (same name wins).
pub fn load(overrides: &[(String, String)]) -> tera::Result<Tera> {
    let mut t = Tera::default();
    t.autoescape_on(vec![".html", ".xml"]);
    let mut all: Vec<(&str, &str)> = BUILT_IN.to_vec();
    for (name, text) in overrides {
        all.retain(|(n, _)| n != name);
        all.push((name, text));
    }
    t.add_raw_templates(all)?;
    register_filters(&mut t);
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
    fn parse_error_lines() {
        let mut t = Tera::default();
        let e = t.add_raw_template("x", "a\nb\n{{ oops").unwrap_err();
        assert_eq!(error_line(&error_text(&e)), Some(3));
    }
}
