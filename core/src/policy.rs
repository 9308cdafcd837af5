//! 政策参数: the numbers and dates of one year's notice, parsed from `content/<year>/policy.toml`.
//!
//! Nothing here is hard-coded: the next year's notice needs a new policy file, not a release.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::hours::Hours;

mod wire;

/// One year's continuing-education policy (一个年度的继续教育政策).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy year (学时周期): a calendar year.
    pub year: i32,
    /// The notice's document number, e.g. 郑人社办〔2020〕106号.
    pub source: String,
    /// The notice's full title.
    pub title: String,
    /// The issuing body.
    pub issuer: String,
    /// Date of signature.
    #[serde(deserialize_with = "de_date")]
    pub signed: NaiveDate,
    /// Date of publication (印发).
    #[serde(deserialize_with = "de_date")]
    pub published: NaiveDate,
    /// Where professionals register their hours.
    pub platform: String,
    /// The platform's address.
    pub platform_url: String,
    /// Where the notice itself is published (原文链接), when known: the notice page links to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Yearly minimum hours (学时要求).
    pub minimums: Minimums,
    /// Annual review (年度审核).
    pub review: Review,
    /// Year-end carry-over period (数据年终结转期).
    pub freeze: Period,
    /// Make-up study and review (补学补审).
    pub makeup: Makeup,
    /// Deadlines for units and bureaus.
    pub units: UnitDeadlines,
}

/// Yearly minimums (每年累计学时要求).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minimums {
    /// 公需科目必修课.
    pub public_compulsory: Hours,
    /// 公需科目 (compulsory and elective together).
    pub public: Hours,
    /// 专业科目.
    pub professional: Hours,
    /// 全年合计.
    pub total: Hours,
}

/// Annual review (年度审核).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Last day to finish the annual review and print the e-certificate.
    #[serde(deserialize_with = "de_date")]
    pub deadline: NaiveDate,
}

/// An inclusive run of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    #[serde(deserialize_with = "de_date")]
    pub start: NaiveDate,
    /// Last day.
    #[serde(deserialize_with = "de_date")]
    pub end: NaiveDate,
}

impl Period {
    /// Whether `day` falls inside the period, both ends included.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
}

/// Make-up study and review (补学补审).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Makeup {
    /// Approved make-up study may start on this day.
    #[serde(deserialize_with = "de_date")]
    pub study_start: NaiveDate,
    /// Approved make-up study must end by this day.
    #[serde(deserialize_with = "de_date")]
    pub study_end: NaiveDate,
    /// Make-up hours must be registered by this day.
    #[serde(deserialize_with = "de_date")]
    pub registration_deadline: NaiveDate,
    /// Application windows (办理时间), when units submit make-up lists.
    pub windows: Vec<Period>,
}

impl Makeup {
    /// The make-up study period as a [`Period`].
    pub fn study(&self) -> Period {
        Period { start: self.study_start, end: self.study_end }
    }
}

/// Deadlines for units, departments and bases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDeadlines {
    /// Training plans filed with the city bureau (申报年度培训计划).
    #[serde(deserialize_with = "de_date")]
    pub plan_filing: NaiveDate,
    /// Report on urgently needed and key talent training (急需紧缺和骨干人才培训情况报送).
    #[serde(deserialize_with = "de_date")]
    pub key_talent_report: NaiveDate,
}

/// Reads a date written either as a string (`"2020-12-10"`, JSON) or as a TOML date (`2020-12-10`).
fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    use serde::de::{self, MapAccess, Visitor};
    struct DateVisitor;
    impl<'de> Visitor<'de> for DateVisitor {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a date such as 2020-12-10")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
            parse_date(v).ok_or_else(|| E::custom(format!("“{v}”不是日期，应写作 2020-12-10")))
        }
        // toml hands a datetime over as a one-entry map holding its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
            let Some((_, text)) = map.next_entry::<String, String>()? else {
                return Err(de::Error::custom("日期为空"));
            };
            self.visit_str(&text)
        }
    }
    d.deserialize_any(DateVisitor)
}

/// A date as the policy writes it. `YYYY-MM-DD` is read by hand; with the TOML reader (a policy file
/// someone wrote) any other form chrono reads is taken too. Without it — the page's module, which
/// reads only the JSON `jxjy build` writes, where dates are always `YYYY-MM-DD` — chrono's format
/// parser (≈10 KB of the module) is left out. The page's own policy reader calls it too.
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let plain = plain_date(v.as_bytes());
    #[cfg(feature = "toml")]
    if plain.is_none() {
        return v.parse().ok();
    }
    plain
}

fn plain_date(b: &[u8]) -> Option<NaiveDate> {
    let number = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)
}

/// A policy file that cannot be used, with the key at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// Dotted key, e.g. `makeup.windows[1].end`; empty for a syntax error.
    pub key: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// The 1-based line of the policy text, when known (syntax and type errors).
    pub line: Option<usize>,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}：{}", self.key, self.message) }
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Parses and validates a policy from TOML text.
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(text).map_err(|e| PolicyError {
            key: String::new(),
            message: format!("政策文件无法解析：{}", e.message()),
            line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// Parses and validates a policy from JSON text (what the site embeds in the self-check page).
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_json::from_str(text).map_err(|e| PolicyError {
            key: String::new(),
            message: format!("政策数据无法解析：{e}"),
            line: Some(e.line()),
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks that the numbers and dates make sense together.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let err = |key: &str, message: String| Err(PolicyError { key: key.to_owned(), message, line: None });
        if !(1949..=9999).contains(&self.year) {
            return err("year", format!("年度 {} 不合理", self.year));
        }
        for (key, url) in [("platform_url", Some(&self.platform_url)), ("source_url", self.source_url.as_ref())] {
            if let Some(url) = url.filter(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
                return err(key, format!("网址“{url}”应以 https:// 或 http:// 开头"));
            }
        }
        let m = &self.minimums;
        for (key, v) in [
            ("minimums.public_compulsory", m.public_compulsory),
            ("minimums.public", m.public),
            ("minimums.professional", m.professional),
            ("minimums.total", m.total),
        ] {
            if v < Hours::ZERO {
                return err(key, format!("学时要求不能为负数（{v}）"));
            }
        }
        if m.public_compulsory > m.public {
            return err(
                "minimums.public_compulsory",
                format!("必修课要求 {} 学时高于公需科目要求 {} 学时", m.public_compulsory, m.public),
            );
        }
        if m.public + m.professional > m.total {
            return err(
                "minimums.total",
                format!("总学时要求 {} 低于公需 {} 与专业 {} 之和", m.total, m.public, m.professional),
            );
        }
        let in_year = |key: &str, d: NaiveDate| {
            if d.year() == self.year { Ok(()) } else { err(key, format!("日期 {d} 不在 {} 年度内", self.year)) }
        };
        let ordered = |key: &str, p: &Period| {
            if p.start <= p.end {
                Ok(())
            } else {
                err(key, format!("结束日期 {} 早于开始日期 {}", p.end, p.start))
            }
        };
        in_year("review.deadline", self.review.deadline)?;
        in_year("freeze.start", self.freeze.start)?;
        in_year("freeze.end", self.freeze.end)?;
        ordered("freeze.end", &self.freeze)?;
        if self.freeze.start <= self.review.deadline {
            return err(
                "freeze.start",
                format!("结转期开始 {} 不晚于年度审核截止 {}", self.freeze.start, self.review.deadline),
            );
        }
        in_year("makeup.study_start", self.makeup.study_start)?;
        in_year("makeup.study_end", self.makeup.study_end)?;
        in_year("makeup.registration_deadline", self.makeup.registration_deadline)?;
        ordered("makeup.study_end", &self.makeup.study())?;
        if self.makeup.registration_deadline < self.makeup.study_end {
            return err("makeup.registration_deadline", "补学登记截止早于补学结束".to_owned());
        }
        if self.makeup.windows.is_empty() {
            return err("makeup.windows", "至少需要一个补学补审办理时间段".to_owned());
        }
        for (i, w) in self.makeup.windows.iter().enumerate() {
            in_year(&format!("makeup.windows[{i}].start"), w.start)?;
            in_year(&format!("makeup.windows[{i}].end"), w.end)?;
            ordered(&format!("makeup.windows[{i}].end"), w)?;
            if i > 0 && self.makeup.windows[i - 1].end >= w.start {
                return err(&format!("makeup.windows[{i}].start"), "办理时间段重叠或未按时间顺序排列".to_owned());
            }
        }
        in_year("units.plan_filing", self.units.plan_filing)?;
        in_year("units.key_talent_report", self.units.key_talent_report)?;
        Ok(())
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    #[test]
    fn dates_are_read_as_chrono_reads_them() {
        let forms =
            ["2020-12-10", "2020-02-30", "2020-1-5", "2020-01-1x", " 2020-12-10", "+2020-12-10", "2020/12/10", ""];
        for v in forms {
            assert_eq!(super::parse_date(v), v.parse().ok(), "{v}");
        }
        assert_eq!(super::plain_date(b"2020-1-5"), None);
    }

    use super::*;

    pub(crate) const ZHENGZHOU_2020: &str = include_str!("../../content/2020/policy.toml");

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reads_the_2020_policy() {
        let p = Policy::from_toml(ZHENGZHOU_2020).unwrap();
        assert_eq!(p.year, 2020);
        assert_eq!(p.source, "郑人社办〔2020〕106号");
        assert_eq!(p.minimums.public_compulsory, Hours::whole(24));
        assert_eq!(p.minimums.public, Hours::whole(30));
        assert_eq!(p.minimums.professional, Hours::whole(60));
        assert_eq!(p.minimums.total, Hours::whole(90));
        assert_eq!(p.review.deadline, date("2020-12-10"));
        assert_eq!(p.freeze, Period { start: date("2020-12-11"), end: date("2020-12-31") });
        assert_eq!(p.makeup.windows.len(), 2);
        assert_eq!(p.makeup.windows[1], Period { start: date("2020-09-01"), end: date("2020-10-31") });
        assert_eq!(p.makeup.study(), Period { start: date("2020-03-26"), end: date("2020-11-20") });
        assert_eq!(p.units.plan_filing, date("2020-04-20"));
        assert_eq!(p.units.key_talent_report, date("2020-11-30"));
    }

    #[test]
    fn json_round_trip_is_the_same_policy() {
        let p = Policy::from_toml(ZHENGZHOU_2020).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(Policy::from_json(&json).unwrap(), p);
    }

    fn broken(from: &str, to: &str) -> PolicyError {
        assert!(ZHENGZHOU_2020.contains(from), "fixture text {from} missing");
        Policy::from_toml(&ZHENGZHOU_2020.replacen(from, to, 1)).unwrap_err()
    }

    #[test]
    fn names_the_key_at_fault() {
        let e = broken("end = 2020-10-31", "end = 2020-08-31");
        assert_eq!(e.key, "makeup.windows[1].end");
        assert!(e.message.contains("早于开始日期"), "{e}");

        let e = broken("public_compulsory = 24", "public_compulsory = 31");
        assert_eq!(e.key, "minimums.public_compulsory");

        let e = broken("deadline = 2020-12-10", "deadline = 2021-12-10");
        assert_eq!(e.key, "review.deadline");
        assert!(e.message.contains("不在 2020 年度内"), "{e}");

        let e = broken("total = 90", "total = 80");
        assert_eq!(e.key, "minimums.total");

        let e = broken("start = 2020-12-11", "start = 2020-12-01");
        assert_eq!(e.key, "freeze.start");

        let e = broken("platform_url = \"", "source_url = \"www.example.gov.cn\"\nplatform_url = \"");
        assert_eq!(e.key, "source_url");
        assert!(e.message.contains("https://"), "{e}");
    }

    #[test]
    fn the_source_url_is_optional_and_kept() {
        assert_eq!(Policy::from_toml(ZHENGZHOU_2020).unwrap().source_url, None);
        let text = ZHENGZHOU_2020.replacen(
            "platform_url",
            "source_url = \"https://rsj.example.gov.cn/106.html\"\nplatform_url",
            1,
        );
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.source_url.as_deref(), Some("https://rsj.example.gov.cn/106.html"));
        assert_eq!(Policy::from_json(&serde_json::to_string(&p).unwrap()).unwrap(), p);
    }

    #[test]
    fn syntax_errors_say_the_line() {
        let e = broken("end = 2020-12-31", "end = 2020-13-45");
        assert_eq!(e.line, Some(28), "{e:?}");
    }

    #[test]
    fn syntax_and_unknown_keys_are_errors() {
        assert!(Policy::from_toml("year = ").is_err());
        let e = Policy::from_toml(&format!("{ZHENGZHOU_2020}\nbogus = 1\n")).unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        let e = broken("professional = 60", "professional = \"sixty\"");
        assert!(e.message.contains("professional") || e.message.contains("sixty"), "{e}");
    }
}
