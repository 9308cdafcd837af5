//! One year's numbers on another year's page: a page under `content/<year>/` that writes out an
//! hour count or a date that another year's policy.toml holds and its own does not (a page copied
//! from last year and not brought up to date). Only literals are read: `{{ policy.… }}` always
//! gives the page's own year, and text inside template tags and HTML comments is not published
//! as written.

use chrono::{Datelike, NaiveDate};
use jxjy_core::policy_diff::{Value, facts};
use jxjy_core::text::{cn_date, fold_width};
use jxjy_core::{Hours, Policy};

use super::content::Source;
use super::diagnostics::Finding;

/// A number or date written in a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    /// `30 学时`, `4.5学时`.
    Hours(Hours),
    /// `2020年12月10日`, `2020-12-10` (with its year) or `12月10日` (without).
    Date { year: Option<i32>, month: u32, day: u32 },
}

/// The hour counts and dates of a policy, each with its key (`review.deadline`,
/// `freeze.start`) and name.
struct Known {
    year: i32,
    hours: Vec<(String, String, Hours)>,
    dates: Vec<(String, String, NaiveDate)>,
}

impl Known {
    fn of(policy: &Policy) -> Known {
        let mut known = Known { year: policy.year, hours: Vec::new(), dates: Vec::new() };
        for f in facts(policy) {
            match f.value {
                Value::Hours(h) => known.hours.push((f.key, f.label, h)),
                Value::Date(d) => known.dates.push((f.key, f.label, d)),
                Value::Period(p) => {
                    known.dates.push((format!("{}.start", f.key), format!("{}开始", f.label), p.start));
                    known.dates.push((format!("{}.end", f.key), format!("{}结束", f.label), p.end));
                }
                Value::Text(_) => {}
            }
        }
        known
    }

    /// The fact of this policy that `lit` is, if any: (key, name, value as shown).
    fn holds(&self, lit: Literal) -> Option<(&str, &str, String)> {
        match lit {
            Literal::Hours(h) => self
                .hours
                .iter()
                .find(|(_, _, v)| *v == h)
                .map(|(k, l, v)| (k.as_str(), l.as_str(), format!("{v} 学时"))),
            Literal::Date { year, month, day } => self
                .dates
                .iter()
                .find(|(_, _, d)| d.month() == month && d.day() == day && year.is_none_or(|y| y == d.year()))
                .map(|(k, l, d)| (k.as_str(), l.as_str(), cn_date(*d))),
        }
    }

    /// The value of `key` in this policy, as shown.
    fn value_of(&self, key: &str) -> Option<String> {
        self.hours
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, h)| format!("{h} 学时"))
            .or_else(|| self.dates.iter().find(|(k, _, _)| k == key).map(|(_, _, d)| cn_date(*d)))
    }
}

/// Warnings for the literals on `page` (its `body`, of `own`'s year) that belong to one of `others` and not
/// to `own`. A date written with another year (`2020年12月10日` on a 2021 page) is checked
/// whole; one without a year, or with the page's own year, by its month and day.
pub fn stale_numbers(page: &Source, body: &str, own: &Policy, others: &[&Policy]) -> Vec<Finding> {
    if others.is_empty() {
        return Vec::new();
    }
    let mine = Known::of(own);
    let theirs: Vec<Known> = others.iter().rev().map(|p| Known::of(p)).collect();
    let mut findings = Vec::new();
    let mut in_comment = false;
    for (i, line) in body.lines().enumerate() {
        let text = published_text(line, &mut in_comment);
        let mut seen = Vec::new();
        for (lit, written) in literals(&text) {
            if seen.contains(&lit) {
                continue;
            }
            seen.push(lit);
            // A date with the page's own year is the page's own date when its day is.
            let as_own = match lit {
                Literal::Date { year: Some(y), month, day } if y == own.year => {
                    Literal::Date { year: None, month, day }
                }
                l => l,
            };
            if mine.holds(as_own).is_some() {
                continue;
            }
            let Some((other, (key, label, value))) = theirs.iter().find_map(|k| Some((k, k.holds(as_own)?))) else {
                continue;
            };
            let template = match lit {
                Literal::Hours(_) => format!("{{{{ policy.{key} }}}}"),
                Literal::Date { year: Some(_), .. } => format!("{{{{ policy.{key} | cn_date }}}}"),
                Literal::Date { year: None, .. } => format!("{{{{ policy.{key} | cn_month_day }}}}"),
            };
            let now = mine.value_of(key).map(|v| format!("本年度的{label}为 {v}；")).unwrap_or_default();
            findings.push(Finding::warning(
                &page.shown,
                i + page.body_line + 1,
                format!(
                    "“{written}”是{}年度政策的{label}（{key}，{value}），不是本页所属的{}年度政策中的数：{now}若写的是本年度的要求，请改为 {template}",
                    other.year, own.year
                ),
            ));
        }
    }
    findings
}

/// `line` without template tags (`{{ … }}`, `{% … %}`, `{# … #}`) and HTML comments, which
/// may run on from an earlier line (`in_comment`).
fn published_text(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(at) => {
                    rest = &rest[at + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        }
        let next = ["<!--", "{{", "{%", "{#"].into_iter().filter_map(|m| rest.find(m).map(|at| (at, m))).min();
        let Some((at, open)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        out.push(' ');
        if open == "<!--" {
            rest = &rest[at + 4..];
            *in_comment = true;
            continue;
        }
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        match rest[at + 2..].find(close) {
            Some(end) => rest = &rest[at + 2 + end + 2..],
            None => return out,
        }
    }
}

/// The hour counts and dates written in `text` (full-width digits too), each with its spelling.
fn literals(text: &str) -> Vec<(Literal, String)> {
    let c: Vec<char> = fold_width(text).chars().collect();
    let digits = |at: usize| {
        let end = (at..c.len()).find(|&k| !c[k].is_ascii_digit()).unwrap_or(c.len());
        let n: Option<u32> = (end > at && end - at <= 4).then(|| c[at..end].iter().collect::<String>().parse().ok())?;
        Some((n?, end))
    };
    // `12月10日` at `at`: (month, day, end).
    let month_day = |at: usize| {
        let (m, k) = digits(at)?;
        if c.get(k) != Some(&'月') {
            return None;
        }
        let (d, k) = digits(k + 1)?;
        (c.get(k) == Some(&'日') && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d, k + 1))
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let starts = c[i].is_ascii_digit() && (i == 0 || !(c[i - 1].is_ascii_digit() || c[i - 1] == '.'));
        let Some((n, j)) = starts.then(|| digits(i)).flatten() else {
            i += 1;
            continue;
        };
        let written = |end: usize| c[i..end].iter().collect::<String>();
        // 2020年12月10日
        if c.get(j) == Some(&'年')
            && let Some((month, day, end)) = month_day(j + 1)
        {
            found.push((Literal::Date { year: Some(n as i32), month, day }, written(end)));
            i = end;
            continue;
        }
        // 2020-12-10
        if j - i == 4
            && c.get(j) == Some(&'-')
            && let Some(d) = c.get(i..(i + 10).min(c.len())).map(|s| s.iter().collect::<String>())
            && let Ok(date) = d.parse::<NaiveDate>()
        {
            found.push((Literal::Date { year: Some(date.year()), month: date.month(), day: date.day() }, d));
            i += 10;
            continue;
        }
        // 12月10日
        if let Some((month, day, end)) = month_day(i) {
            found.push((Literal::Date { year: None, month, day }, written(end)));
            i = end;
            continue;
        }
        // 30 学时, 4.5学时
        let mut k = j;
        if c.get(k) == Some(&'.') && c.get(k + 1).is_some_and(char::is_ascii_digit) {
            k = (k + 1..c.len()).find(|&x| !c[x].is_ascii_digit()).unwrap_or(c.len());
        }
        let number: String = c[i..k].iter().collect();
        let mut u = k;
        while c.get(u).is_some_and(|ch| *ch == ' ') {
            u += 1;
        }
        if c.get(u) == Some(&'学')
            && c.get(u + 1) == Some(&'时')
            && let Ok(h) = Hours::parse_decimal(&number)
        {
            found.push((Literal::Hours(h), written(u + 2)));
        }
        i = k.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::content::FrontMatter;

    const Y2020: &str = include_str!("../../../content/2020/policy.toml");
    const Y2021: &str = include_str!("../../../tests/fixtures/policies/2021/policy.toml");

    fn page() -> Source {
        Source {
            rel: "faq.md".into(),
            shown: "content/2021/faq.md".into(),
            path: "content/2021/faq.md".into(),
            front: FrontMatter { title: "t".into(), description: String::new(), weight: 0, template: None, nav: None },
            front_text: "title = \"t\"\n".into(),
            body_line: 4,
        }
    }

    #[test]
    fn finds_hours_and_dates_with_their_spelling() {
        let got: Vec<String> =
            literals("公需不少于30学时，专业 ６０ 学时；4.5 学时。2020年12月10日、12月11日至12月31日，2021-03-26。")
                .into_iter()
                .map(|(_, w)| w)
                .collect();
        assert_eq!(got, ["30学时", "60 学时", "4.5 学时", "2020年12月10日", "12月11日", "12月31日", "2021-03-26"]);
        assert!(literals("第1302号，共90人，2020年度，13月1日，5学分").is_empty());
    }

    #[test]
    fn a_2021_page_citing_2020_only_numbers_is_warned_about_and_shared_ones_are_not() {
        let (y2020, y2021) = (Policy::from_toml(Y2020).unwrap(), Policy::from_toml(Y2021).unwrap());
        let body = "全年不少于 90 学时。\n公需科目不少于 30 学时。\n<!-- 旧稿：专业 60 学时\n仍是注释 60 学时 -->\n专业科目 {{ policy.minimums.professional }} 学时，公需 34 学时。\n12月10日前完成审核。\n";
        let found = stale_numbers(&page(), body, &y2021, &[&y2020]);
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "content/2021/faq.md:6: 警告: “30 学时”是2020年度政策的公需科目学时要求（minimums.public，30 学时），不是本页所属的2021年度政策中的数：本年度的公需科目学时要求为 34 学时；若写的是本年度的要求，请改为 {{ policy.minimums.public }}"
            ],
        );
        // The other way round, 2021's own 34 and 56 are stale on a 2020 page.
        let back = stale_numbers(&page(), "公需 34 学时，专业 56 学时，必修 24 学时。", &y2020, &[&y2021]);
        assert_eq!(back.len(), 2, "{back:?}");
        assert!(stale_numbers(&page(), body, &y2021, &[]).is_empty());
    }

    #[test]
    fn a_date_of_another_year_is_warned_about_by_day_or_whole() {
        let y2020 = Policy::from_toml(Y2020).unwrap();
        let moved = Policy::from_toml(&Y2021.replace("2021-12-10", "2021-12-05")).unwrap();
        let body = "12月10日前审核。\n2021年12月10日前审核。\n12月5日前审核。\n回顾：2020年3月26日印发。\n";
        let found = stale_numbers(&page(), body, &moved, &[&y2020]);
        let lines: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(lines[0].0, 5);
        assert!(
            lines[0].1.starts_with("“12月10日”是2020年度政策的年度审核截止（review.deadline，2020年12月10日）"),
            "{lines:#?}"
        );
        assert!(lines[0].1.contains("本年度的年度审核截止为 2021年12月5日"), "{lines:#?}");
        assert!(lines[0].1.ends_with("{{ policy.review.deadline | cn_month_day }}"), "{lines:#?}");
        assert_eq!(lines[1].0, 6);
        assert!(lines[1].1.starts_with("“2021年12月10日”是2020年度政策的年度审核截止"), "{lines:#?}");
        assert!(lines[1].1.ends_with("{{ policy.review.deadline | cn_date }}"), "{lines:#?}");
        // 2020-03-26 is 2020's publication day, and this 2021 policy's is 2021-03-26: another year's date, written whole.
        assert_eq!(lines[2].0, 8);
        assert!(lines[2].1.contains("published"), "{lines:#?}");
    }
}
