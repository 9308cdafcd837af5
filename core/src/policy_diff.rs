//! 与上一年度相比: every fact of a [`Policy`] (学时要求, dates, windows, the notice's own details)
//! as a list keyed like `policy.toml`, and what changed between two years' lists.
//!
//! The site's "与2020年度相比" page, `jxjy diff 2020 2021` and the lint that finds one year's
//! numbers on another year's pages all read [`facts`], so a field added to the policy model is
//! compared and checked everywhere once it is listed there (and [`facts`] does not compile until
//! it is: the policy is taken apart field by field, without `..`).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::hours::Hours;
use crate::policy::{Makeup, Minimums, Period, Policy, Review, UnitDeadlines};
use crate::text::cn_date;

/// One value of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// 学时.
    Hours(Hours),
    /// A day.
    Date(NaiveDate),
    /// A run of days, both ends included.
    Period(Period),
    /// Text; `None` for an optional field left out.
    Text(Option<String>),
}

/// One fact of a policy: its key in `policy.toml`, what it is called, its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The key as written in `policy.toml`: `minimums.public`, `freeze` (its `start` and `end`),
    /// `makeup.windows[1]`.
    pub key: String,
    /// The Chinese name, e.g. 公需科目学时要求.
    pub label: String,
    pub value: Value,
}

/// Every fact of `policy` but its year, in the order of `policy.toml`.
pub fn facts(policy: &Policy) -> Vec<Fact> {
    let Policy {
        year: _,
        source,
        title,
        issuer,
        signed,
        published,
        platform,
        platform_url,
        source_url,
        minimums: Minimums { public_compulsory, public, professional, total },
        review: Review { deadline },
        freeze,
        makeup: Makeup { study_start, study_end, registration_deadline, windows },
        units: UnitDeadlines { plan_filing, key_talent_report },
    } = policy;
    let fact = |key: &str, label: &str, value: Value| Fact { key: key.to_owned(), label: label.to_owned(), value };
    let text = |s: &String| Value::Text(Some(s.clone()));
    let mut out = vec![
        fact("source", "文号", text(source)),
        fact("title", "通知标题", text(title)),
        fact("issuer", "发文机关", text(issuer)),
        fact("signed", "成文日期", Value::Date(*signed)),
        fact("published", "发布日期", Value::Date(*published)),
        fact("platform", "学时登记平台", text(platform)),
        fact("platform_url", "学时登记平台网址", text(platform_url)),
        fact("source_url", "原文链接", Value::Text(source_url.clone())),
        fact("minimums.public_compulsory", "公需科目必修课学时要求", Value::Hours(*public_compulsory)),
        fact("minimums.public", "公需科目学时要求", Value::Hours(*public)),
        fact("minimums.professional", "专业科目学时要求", Value::Hours(*professional)),
        fact("minimums.total", "全年总学时要求", Value::Hours(*total)),
        fact("review.deadline", "年度审核截止", Value::Date(*deadline)),
        fact("freeze", "数据年终结转期", Value::Period(*freeze)),
        fact("makeup.study_start", "补学开始", Value::Date(*study_start)),
        fact("makeup.study_end", "补学结束", Value::Date(*study_end)),
        fact("makeup.registration_deadline", "补学学时登记截止", Value::Date(*registration_deadline)),
    ];
    for (i, w) in windows.iter().enumerate() {
        out.push(Fact {
            key: format!("makeup.windows[{i}]"),
            label: format!("补学补审办理时间（第{}段）", i + 1),
            value: Value::Period(*w),
        });
    }
    out.push(fact("units.plan_filing", "培训计划申报截止", Value::Date(*plan_filing)));
    out.push(fact("units.key_talent_report", "急需紧缺和骨干人才培训情况报送截止", Value::Date(*key_talent_report)));
    out
}

/// `2020年12月11日至12月31日` (the year once when both ends share it).
pub fn cn_period(p: &Period) -> String {
    let end =
        if p.start.year() == p.end.year() { format!("{}月{}日", p.end.month(), p.end.day()) } else { cn_date(p.end) };
    format!("{}至{end}", cn_date(p.start))
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Hours(h) => write!(f, "{h} 学时"),
            Value::Date(d) => f.write_str(&cn_date(*d)),
            Value::Period(p) => f.write_str(&cn_period(p)),
            Value::Text(Some(s)) => write!(f, "“{s}”"),
            Value::Text(None) => f.write_str("（未填写）"),
        }
    }
}

/// One difference between two years' policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The key in `policy.toml`.
    pub key: String,
    /// The Chinese name.
    pub label: String,
    /// The earlier year's value as shown (`30 学时`, `2020年12月10日`); `None` when only the
    /// later year has it (a make-up window added).
    pub old: Option<String>,
    /// The later year's value as shown; `None` when the later year dropped it.
    pub new: Option<String>,
    /// How it moved: `增加 4 学时`, `推迟 5 天`, `开始提前 3 天，结束推迟 2 天`; empty for text.
    pub note: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）：", self.label, self.key)?;
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => write!(f, "{old} → {new}")?,
            (None, Some(new)) => write!(f, "新增 {new}")?,
            (Some(old), None) => write!(f, "删去（原为 {old}）")?,
            (None, None) => {}
        }
        if !self.note.is_empty() {
            write!(f, "（{}）", self.note)?;
        }
        Ok(())
    }
}

/// What `new` changed against `old`, in the order of `policy.toml`. A date is compared with the
/// same day of the other policy's year (review by Dec 10 both years is no change; Dec 10 → Dec 15
/// is `推迟 5 天`), since every policy's dates lie in its own year. Empty when nothing changed.
pub fn diff(old: &Policy, new: &Policy) -> Vec<Change> {
    let shift = new.year - old.year;
    let old_facts = facts(old);
    let new_facts = facts(new);
    let mut changes = Vec::new();
    for o in &old_facts {
        match new_facts.iter().find(|n| n.key == o.key) {
            Some(n) => {
                if let Some(note) = changed(&o.value, &n.value, shift) {
                    changes.push(Change {
                        key: o.key.clone(),
                        label: o.label.clone(),
                        old: Some(o.value.to_string()),
                        new: Some(n.value.to_string()),
                        note,
                    });
                }
            }
            None => changes.push(Change {
                key: o.key.clone(),
                label: o.label.clone(),
                old: Some(o.value.to_string()),
                new: None,
                note: String::new(),
            }),
        }
    }
    for n in new_facts.iter().filter(|n| !old_facts.iter().any(|o| o.key == n.key)) {
        changes.push(Change {
            key: n.key.clone(),
            label: n.label.clone(),
            old: None,
            new: Some(n.value.to_string()),
            note: String::new(),
        });
    }
    // In the order of policy.toml: the new list, with what only the old one has after its neighbour.
    let mut order: Vec<&str> = new_facts.iter().map(|f| f.key.as_str()).collect();
    for (i, o) in old_facts.iter().enumerate() {
        if !order.contains(&o.key.as_str()) {
            let after = i.checked_sub(1).and_then(|p| order.iter().position(|k| *k == old_facts[p].key));
            order.insert(after.map_or(0, |p| p + 1), &o.key);
        }
    }
    changes.sort_by_key(|c| order.iter().position(|k| *k == c.key));
    changes
}

/// `d` moved by `years` (Feb 29 to a year without one: `None`).
fn shifted(d: NaiveDate, years: i32) -> Option<NaiveDate> {
    d.with_year(d.year() + years)
}

/// How many days `new` lies after `old` moved into its year, as words; `None` when the same day.
fn moved(old: NaiveDate, new: NaiveDate, shift: i32) -> Option<String> {
    let days = (new - shifted(old, shift).unwrap_or(old)).num_days();
    match days {
        0 => None,
        d if d > 0 => Some(format!("推迟 {d} 天")),
        d => Some(format!("提前 {} 天", -d)),
    }
}

/// `Some(note)` when the value changed (the note says by how much; empty for text).
fn changed(old: &Value, new: &Value, shift: i32) -> Option<String> {
    match (old, new) {
        (Value::Hours(a), Value::Hours(b)) => match a.cmp(b) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Less => Some(format!("增加 {} 学时", *b - *a)),
            std::cmp::Ordering::Greater => Some(format!("减少 {} 学时", *a - *b)),
        },
        (Value::Date(a), Value::Date(b)) => moved(*a, *b, shift),
        (Value::Period(a), Value::Period(b)) => {
            let start = moved(a.start, b.start, shift).map(|m| format!("开始{m}"));
            let end = moved(a.end, b.end, shift).map(|m| format!("结束{m}"));
            match (start, end) {
                (None, None) => None,
                (s, e) => Some(s.into_iter().chain(e).collect::<Vec<_>>().join("，")),
            }
        }
        (a, b) if a == b => None,
        _ => Some(String::new()),
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    const Y2020: &str = include_str!("../../content/2020/policy.toml");
    const Y2021: &str = include_str!("../../tests/fixtures/policies/2021/policy.toml");

    fn lines(old: &Policy, new: &Policy) -> Vec<String> {
        diff(old, new).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_fictional_2021_changes_two_minimums_and_the_notice_details() {
        let (a, b) = (Policy::from_toml(Y2020).unwrap(), Policy::from_toml(Y2021).unwrap());
        assert_eq!(
            lines(&a, &b),
            [
                "文号（source）：“郑人社办〔2020〕106号” → “虚构测试政策（非真实文件）2021”",
                "通知标题（title）：“郑州市人力资源和社会保障局关于做好2020年度专业技术人员继续教育工作的通知” → “虚构的2021年度继续教育通知（仅供测试，不是真实政策）”",
                "发文机关（issuer）：“郑州市人力资源和社会保障局” → “虚构的测试机关”",
                "公需科目学时要求（minimums.public）：30 学时 → 34 学时（增加 4 学时）",
                "专业科目学时要求（minimums.professional）：60 学时 → 56 学时（减少 4 学时）",
            ]
        );
        assert!(diff(&a, &a).is_empty());
        assert!(diff(&b, &b).is_empty());
    }

    #[test]
    fn dates_compare_by_day_of_their_year_and_windows_are_added_or_dropped() {
        let a = Policy::from_toml(Y2020).unwrap();
        let text = Y2021
            .replace("deadline = 2021-12-10", "deadline = 2021-12-05")
            .replace("start = 2021-12-11", "start = 2021-12-06")
            .replace(
                "start = 2021-09-01\nend = 2021-10-31",
                "start = 2021-09-01\nend = 2021-10-15\n\n[[makeup.windows]]\nstart = 2021-11-01\nend = 2021-11-10",
            )
            .replace("platform_url", "source_url = \"https://example.org/2021\"\nplatform_url")
            .replace("public = 34", "public = 30.5");
        let b = Policy::from_toml(&text).unwrap();
        let got = lines(&a, &b);
        let want = [
            "原文链接（source_url）：（未填写） → “https://example.org/2021”",
            "公需科目学时要求（minimums.public）：30 学时 → 30.5 学时（增加 0.5 学时）",
            "年度审核截止（review.deadline）：2020年12月10日 → 2021年12月5日（提前 5 天）",
            "数据年终结转期（freeze）：2020年12月11日至12月31日 → 2021年12月6日至12月31日（开始提前 5 天）",
            "补学补审办理时间（第2段）（makeup.windows[1]）：2020年9月1日至10月31日 → 2021年9月1日至10月15日（结束提前 16 天）",
            "补学补审办理时间（第3段）（makeup.windows[2]）：新增 2021年11月1日至11月10日",
        ];
        for w in want {
            assert!(got.iter().any(|g| g == w), "missing {w}\n{got:#?}");
        }
        // In the order of policy.toml: the added window before the unit deadlines (unchanged here).
        let keys: Vec<String> = diff(&a, &b).into_iter().map(|c| c.key).collect();
        let at = |k: &str| keys.iter().position(|x| x == k).unwrap();
        assert!(at("minimums.public") < at("review.deadline") && at("freeze") < at("makeup.windows[2]"), "{keys:?}");
        // The other way round the window is dropped.
        assert!(
            lines(&b, &a).contains(
                &"补学补审办理时间（第3段）（makeup.windows[2]）：删去（原为 2021年11月1日至11月10日）".to_owned()
            ),
            "{:#?}",
            lines(&b, &a)
        );
    }

    #[test]
    fn every_key_of_the_policy_file_is_a_fact() {
        let p = Policy::from_toml(Y2020).unwrap();
        let keys: Vec<String> = facts(&p).into_iter().map(|f| f.key).collect();
        // Each `key = ` line of policy.toml (its table prefixed) is named by some fact.
        let mut table = String::new();
        for line in Y2020.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty()) {
            if let Some(t) = line.strip_prefix("[[").or_else(|| line.strip_prefix('[')) {
                table = t.trim_end_matches(']').to_owned();
                continue;
            }
            let key = line.split('=').next().unwrap().trim();
            let full = if table.is_empty() { key.to_owned() } else { format!("{table}.{key}") };
            if full == "year" {
                continue;
            }
            let covered = keys.iter().any(|k| {
                full == *k
                    || full.strip_prefix(k.as_str()).is_some_and(|r| r.starts_with('.'))
                    || (k.starts_with(&format!("{table}[")))
            });
            assert!(covered, "{full} is not a fact");
        }
    }
}
