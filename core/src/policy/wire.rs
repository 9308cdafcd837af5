//! The policy as the site hands it to the page's module: one `key<TAB>value` line per field, as
//! `jxjy build` writes it into the self-check page and the module reads it back.
//!
//! ```text
//! year→2020
//! source→郑人社办〔2020〕106号
//! minimums.public→30
//! makeup.window→2020-03-26→2020-05-31
//! ```
//! (→ is a tab.)
//!
//! Why not JSON: the module would need a JSON parser for it (serde_json's, or the hand-written one
//! it had, ≈12 KB of the first load's module); these lines need a split and the readers of dates
//! and hours the checker has anyway. The keys are the policy file's, so a wrong policy says which
//! field. The rules a policy must meet (`Policy::validate`) are checked where it is written; the
//! page's modules, built without TOML, do not repeat them (see `from_wire`).
//!
//! - every field once, in any order; `source_url` may be left out; one `makeup.window` line per
//!   window (start and end), in order;
//! - text with `\`, a control character (tab, newline…), `<`, `>`, `&`, U+2028 or U+2029 is written
//!   with that character as `\uXXXX`, so a value never breaks a line and the text can sit in a
//!   `<script>` element as it is;
//! - several policies (a site of several years) are separated by an empty line.

use chrono::NaiveDate;

use super::{Makeup, Minimums, Period, Policy, PolicyError, Review, UnitDeadlines, parse_date};
use crate::hours::Hours;

impl Policy {
    /// The policy as wire lines (see the module's documentation).
    pub fn to_wire(&self) -> String {
        // Destructured, so that a new field of the policy does not compile until it is written.
        let Policy {
            year,
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
        } = self;
        let mut w = String::new();
        let mut line = |key: &str, value: &str| {
            w.push_str(key);
            w.push('\t');
            w.push_str(value);
            w.push('\n');
        };
        let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        line("year", &year.to_string());
        line("source", &escape(source));
        line("title", &escape(title));
        line("issuer", &escape(issuer));
        line("signed", &date(signed));
        line("published", &date(published));
        line("platform", &escape(platform));
        line("platform_url", &escape(platform_url));
        if let Some(url) = source_url {
            line("source_url", &escape(url));
        }
        line("minimums.public_compulsory", &public_compulsory.to_string());
        line("minimums.public", &public.to_string());
        line("minimums.professional", &professional.to_string());
        line("minimums.total", &total.to_string());
        line("review.deadline", &date(deadline));
        line("freeze.start", &date(&freeze.start));
        line("freeze.end", &date(&freeze.end));
        line("makeup.study_start", &date(study_start));
        line("makeup.study_end", &date(study_end));
        line("makeup.registration_deadline", &date(registration_deadline));
        for p in windows {
            line("makeup.window", &format!("{}\t{}", date(&p.start), date(&p.end)));
        }
        line("units.plan_filing", &date(plan_filing));
        line("units.key_talent_report", &date(key_talent_report));
        w
    }

    /// Several policies as wire lines, separated by an empty line.
    pub fn several_to_wire(policies: &[Policy]) -> String {
        policies.iter().map(Policy::to_wire).collect::<Vec<_>>().join("\n")
    }

    /// Reads a policy written by [`Policy::to_wire`]; validated as well in a build with TOML.
    pub fn from_wire(text: &str) -> Result<Policy, PolicyError> {
        let mut lines = Lines::new(text)?;
        let policy = Policy {
            year: lines.one("year")?.parse().map_err(|_| wrong("year", "应为年份"))?,
            source: lines.text("source")?,
            title: lines.text("title")?,
            issuer: lines.text("issuer")?,
            signed: lines.date("signed")?,
            published: lines.date("published")?,
            platform: lines.text("platform")?,
            platform_url: lines.text("platform_url")?,
            source_url: match lines.all("source_url").as_slice() {
                [] => None,
                [url] => Some(unescape(url).ok_or_else(|| wrong("source_url", "转义无效"))?),
                _ => return Err(wrong("source_url", "重复")),
            },
            minimums: Minimums {
                public_compulsory: lines.hours("minimums.public_compulsory")?,
                public: lines.hours("minimums.public")?,
                professional: lines.hours("minimums.professional")?,
                total: lines.hours("minimums.total")?,
            },
            review: Review { deadline: lines.date("review.deadline")? },
            freeze: Period { start: lines.date("freeze.start")?, end: lines.date("freeze.end")? },
            makeup: Makeup {
                study_start: lines.date("makeup.study_start")?,
                study_end: lines.date("makeup.study_end")?,
                registration_deadline: lines.date("makeup.registration_deadline")?,
                windows: lines
                    .all("makeup.window")
                    .into_iter()
                    .map(|w| {
                        let (start, end) =
                            w.split_once('\t').ok_or_else(|| wrong("makeup.window", "应为开始和结束两个日期"))?;
                        let day = |d: &str| parse_date(d).ok_or_else(|| wrong("makeup.window", "应写作 2020-12-10"));
                        Ok(Period { start: day(start)?, end: day(end)? })
                    })
                    .collect::<Result<_, PolicyError>>()?,
            },
            units: UnitDeadlines {
                plan_filing: lines.date("units.plan_filing")?,
                key_talent_report: lines.date("units.key_talent_report")?,
            },
        };
        if let Some((key, _, _)) = lines.0.iter().find(|l| !l.2) {
            return Err(wrong(key, "未知字段"));
        }
        // The rules a policy must meet are checked where it is written: `jxjy build` reads it
        // from TOML (`from_toml` validates) before writing these lines into the page. The page's
        // modules, which have no TOML and read only what the build wrote, do not check them again
        // (≈1 KB gzip of the first load); a build with TOML (the CLI, the tests) does.
        #[cfg(feature = "toml")]
        policy.validate()?;
        Ok(policy)
    }

    /// Reads and validates policies written by [`Policy::several_to_wire`]; none from empty text.
    pub fn several_from_wire(text: &str) -> Result<Vec<Policy>, PolicyError> {
        text.split("\n\n").filter(|p| !p.trim().is_empty()).map(Policy::from_wire).collect()
    }
}

fn wrong(key: &str, message: &str) -> PolicyError {
    PolicyError { key: key.to_owned(), message: message.to_owned(), line: None }
}

/// A policy's lines: key, the rest of the line, and whether a field took it.
struct Lines<'a>(Vec<(&'a str, &'a str, bool)>);

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Result<Self, PolicyError> {
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            let Some((key, value)) = line.split_once('\t') else {
                return Err(PolicyError {
                    key: String::new(),
                    message: "政策数据无法解析".to_owned(),
                    line: Some(i + 1),
                });
            };
            lines.push((key, value, false));
        }
        Ok(Lines(lines))
    }

    /// The values of every line of `key`, taken.
    fn all(&mut self, key: &str) -> Vec<&'a str> {
        let mut values = Vec::new();
        for line in self.0.iter_mut().filter(|l| l.0 == key) {
            line.2 = true;
            values.push(line.1);
        }
        values
    }

    /// The value of the one line of `key`.
    fn one(&mut self, key: &str) -> Result<&'a str, PolicyError> {
        match self.all(key).as_slice() {
            [value] => Ok(value),
            [] => Err(wrong(key, "缺少此字段")),
            _ => Err(wrong(key, "重复")),
        }
    }

    fn text(&mut self, key: &str) -> Result<String, PolicyError> {
        unescape(self.one(key)?).ok_or_else(|| wrong(key, "转义无效"))
    }

    fn date(&mut self, key: &str) -> Result<NaiveDate, PolicyError> {
        parse_date(self.one(key)?).ok_or_else(|| wrong(key, "应写作 2020-12-10"))
    }

    fn hours(&mut self, key: &str) -> Result<Hours, PolicyError> {
        Hours::parse_cell(self.one(key)?).map_err(|_| wrong(key, "应为学时数"))
    }
}

/// Whether a character of text is written `\uXXXX`.
fn escaped(c: char) -> bool {
    c == '\\' || c.is_control() || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}')
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if escaped(c) {
            // Every such character is in the Basic Multilingual Plane: four digits.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 2..at + 6).filter(|_| rest[at + 1..].starts_with('u'))?;
        let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).filter(|&c| escaped(c))?;
        out.push(c);
        rest = &rest[at + 6..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::from_toml(include_str!("../../../content/2020/policy.toml")).unwrap()
    }

    #[test]
    fn a_policy_reads_back_as_written() {
        let p = policy();
        let wire = p.to_wire();
        assert!(wire.starts_with("year\t2020\nsource\t郑人社办〔2020〕106号\n"), "{wire}");
        assert_eq!(Policy::from_wire(&wire).unwrap(), p);
        // Text that would break a line or a <script>, and characters outside the BMP.
        let mut odd = p.clone();
        odd.title = "“通知”\n\t\\ </script><!-- & \u{2028}\u{2029} 😀 é \u{7}\\u0041".to_owned();
        odd.source_url = Some("https://rsj.zhengzhou.gov.cn/?a=1&b=<2>".to_owned());
        let wire = odd.to_wire();
        assert!(!wire.contains(['<', '>', '&', '\u{2028}', '\u{2029}']), "{wire}");
        assert_eq!(wire.lines().count(), p.to_wire().lines().count() + 1, "one line a field: {wire}");
        assert_eq!(Policy::from_wire(&wire).unwrap(), odd);
        // In any order.
        let written = p.to_wire();
        let mut lines: Vec<&str> = written.lines().collect();
        lines.reverse();
        let windows: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("makeup.window")).collect();
        assert!(windows.len() > 1);
        lines.retain(|l| !l.starts_with("makeup.window"));
        lines.extend(windows.iter().rev());
        assert_eq!(Policy::from_wire(&lines.join("\n")).unwrap(), p);
    }

    #[test]
    fn several_policies_read_back_in_order() {
        let a = policy();
        let mut b = a.clone();
        b.title = "另一年度的通知".to_owned();
        let wire = Policy::several_to_wire(&[a.clone(), b.clone()]);
        assert_eq!(Policy::several_from_wire(&wire).unwrap(), [a, b]);
        assert!(Policy::several_from_wire("").unwrap().is_empty());
    }

    #[test]
    fn a_wrong_policy_names_its_field() {
        let wire = policy().to_wire();
        let without =
            |key: &str| wire.lines().filter(|l| !l.starts_with(&format!("{key}\t"))).collect::<Vec<_>>().join("\n");
        for (text, key, message) in [
            (without("review.deadline"), "review.deadline", "缺少此字段"),
            (format!("{wire}year\t2021\n"), "year", "重复"),
            (format!("{wire}colour\tred\n"), "colour", "未知字段"),
            (wire.replace("minimums.total\t90", "minimums.total\t九十"), "minimums.total", "应为学时数"),
            (
                wire.replace("review.deadline\t2020-12", "review.deadline\t2020-13"),
                "review.deadline",
                "应写作 2020-12-10",
            ),
            (wire.replace("issuer\t", "issuer\t\\x"), "issuer", "转义无效"),
            (wire.replace("issuer\t", "issuer\t\\u0041"), "issuer", "转义无效"),
            (wire.replace("issuer\t", "issuer\t\\u00"), "issuer", "转义无效"),
        ] {
            let e = Policy::from_wire(&text).unwrap_err();
            assert_eq!((e.key.as_str(), e.message.as_str()), (key, message), "{text}");
        }
        // A line without a tab, and (in this build, with TOML) a policy that parses but fails
        // validation.
        assert_eq!(Policy::from_wire("year 2020").unwrap_err().line, Some(1));
        let e = Policy::from_wire(&wire.replace("minimums.total\t90", "minimums.total\t1")).unwrap_err();
        assert!(e.key.starts_with("minimums"), "{e}");
        for text in ["", "\n", "year\t2020"] {
            assert!(Policy::from_wire(text).is_err(), "{text:?}");
        }
    }
}
