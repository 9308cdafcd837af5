//! The policy the page embeds, read from its JSON by hand instead of through serde: the module
//! then carries no JSON parser but this one (serde_json's, with its number tables, error positions
//! and float printing for messages, was ≈25 KB gzip of the first load), and no serde `Deserializer`
//! either (its derived visitors, one copy per type of the policy, were ≈35 KB of code, ≈10 KB gzip).
//! The policy is written by `jxjy build` from a policy file that passed validation, so this reads
//! the JSON the site writes; any other JSON is still read as serde_json reads it into a [`Policy`]
//! (the same fields, types, numbers and dates) or refused.

use jxjy_core::policy::{Makeup, Minimums, Period, Review, UnitDeadlines, parse_date};
use jxjy_core::{Hours, NaiveDate, Policy, PolicyError};

/// Parses and validates the policy, as [`Policy::from_json`] does.
pub fn policy_from_json(text: &str) -> Result<Policy, PolicyError> {
    let mut de = Json { s: text.as_bytes(), i: 0 };
    let policy = de.policy().and_then(|p| de.end().map(|()| p)).map_err(|e| unreadable(text, &de, &e))?;
    policy.validate()?;
    Ok(policy)
}

/// Parses and validates every year's policy: a JSON array of policies, as the site embeds them.
/// (`check_years` reads them: only in the modules built with feature `years`.)
#[cfg_attr(not(feature = "years"), allow(dead_code))]
pub fn policies_from_json(text: &str) -> Result<Vec<Policy>, PolicyError> {
    let mut de = Json { s: text.as_bytes(), i: 0 };
    let mut policies = Vec::new();
    de.array(&mut |de| de.policy().map(|p| policies.push(p)))
        .and_then(|()| de.end())
        .map_err(|e| unreadable(text, &de, &e))?;
    for p in &policies {
        p.validate()?;
    }
    Ok(policies)
}

fn unreadable(text: &str, de: &Json<'_>, e: &Error) -> PolicyError {
    PolicyError {
        key: String::new(),
        message: format!("政策数据无法解析：{}", e.0),
        line: Some(text.as_bytes()[..de.i.min(text.len())].iter().filter(|&&c| c == b'\n').count() + 1),
    }
}

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A field met a second time (serde's derive refuses it too).
fn set<T>(slot: &mut Option<T>, key: &str, value: T) -> Result<(), Error> {
    if slot.replace(value).is_some() { Err(Error(format!("字段“{key}”重复"))) } else { Ok(()) }
}

/// A field that must be there.
fn need<T>(slot: Option<T>, key: &str) -> Result<T, Error> {
    slot.ok_or_else(|| Error(format!("缺少字段“{key}”")))
}

/// A field that is no field of the policy (`deny_unknown_fields`).
fn unknown(key: &str) -> Result<(), Error> {
    Err(Error(format!("未知字段“{key}”")))
}

fn wrong_type(expected: &str) -> Error {
    Error(format!("类型不对，应为 {expected}"))
}

struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn err<T>(&self, what: &str) -> Result<T, Error> {
        Err(Error(format!("第 {} 字节：{what}", self.i + 1)))
    }

    fn skip_space(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Result<(), Error> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            self.err(&format!("应为“{}”", c as char))
        }
    }

    fn keyword(&mut self, word: &str) -> Result<(), Error> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(())
        } else {
            self.err("无法识别的值")
        }
    }

    fn end(&mut self) -> Result<(), Error> {
        if self.peek().is_some() { self.err("值之后还有内容") } else { Ok(()) }
    }

    fn string(&mut self) -> Result<String, Error> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&c) = self.s.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str and the run stops only at ASCII bytes: always whole characters.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| Error("不是 UTF-8".into()))?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.s.get(self.i).copied();
                    self.i += 1;
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => return self.err("无效的转义"),
                    }
                }
                _ => return self.err("字符串未结束或含控制字符"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.s.get(self.i..self.i + 4).and_then(|h| std::str::from_utf8(h).ok());
        let n =
            digits.and_then(|h| u32::from_str_radix(h, 16).ok().filter(|_| h.bytes().all(|c| c.is_ascii_hexdigit())));
        self.i += 4;
        n.map_or_else(|| self.err("无效的 \\u 转义"), Ok)
    }

    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !self.s[self.i.min(self.s.len())..].starts_with(b"\\u") {
                return self.err("缺少低位代理");
            }
            self.i += 2;
            let low = self.hex4()?;
            if !(0xdc00..0xe000).contains(&low) {
                return self.err("无效的低位代理");
            }
            0x10000 + ((first - 0xd800) << 10) + (low - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).map_or_else(|| self.err("无效的字符"), Ok)
    }

    /// A number as JSON writes it: integers as such, anything with a fraction or exponent as f64.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.i;
        let negative = self.s.get(self.i) == Some(&b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let int_digits = self.i - int_start;
        if int_digits == 0 || (int_digits > 1 && self.s[int_start] == b'0') {
            return self.err("无效的数字");
        }
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') {
            float = true;
            self.i += 1;
            let frac = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == frac {
                return self.err("无效的数字");
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let exp = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == exp {
                return self.err("无效的数字");
            }
        }
        // ASCII digits and signs only: always valid UTF-8.
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        if !float {
            if negative {
                if let Ok(n) = text.parse::<i64>() {
                    return Ok(Number::I(n));
                }
            } else if let Ok(n) = text.parse::<u64>() {
                return Ok(Number::U(n));
            }
        }
        // jxjy_core's parse: the same double as `str::parse`, without core's float tables.
        match jxjy_core::float::parse_f64(text) {
            Some(f) if f.is_finite() => Ok(Number::F(f)),
            _ => self.err("数字超出范围"),
        }
    }

    /// The next value's first token (an object's or array's opening bracket is consumed).
    fn token(&mut self) -> Result<Token, Error> {
        Ok(match self.peek() {
            Some(c @ (b'{' | b'[')) => {
                self.i += 1;
                if c == b'{' { Token::Object } else { Token::Array }
            }
            Some(b'"') => Token::String(self.string()?),
            Some(b't') => self.keyword("true").map(|()| Token::Bool)?,
            Some(b'f') => self.keyword("false").map(|()| Token::Bool)?,
            Some(b'n') => self.keyword("null").map(|()| Token::Null)?,
            Some(b'-' | b'0'..=b'9') => Token::Number(self.number()?),
            Some(_) => return self.err("无法识别的值"),
            None => return self.err("数据不完整"),
        })
    }
}

enum Number {
    U(u64),
    I(i64),
    F(f64),
}

enum Token {
    Object,
    Array,
    String(String),
    Bool,
    Null,
    Number(Number),
}

/// The policy's types, each read as its serde derive reads it.
impl Json<'_> {
    /// `{ "key": value, … }`, each member's value read by `member`, which is told the key.
    fn object(&mut self, member: &mut dyn FnMut(&mut Self, &str) -> Result<(), Error>) -> Result<(), Error> {
        match self.token()? {
            Token::Object => {}
            _ => return Err(wrong_type("对象")),
        }
        let mut first = true;
        while self.more(b'}', &mut first)? {
            let key = self.key()?;
            self.eat(b':')?;
            member(self, &key)?;
        }
        self.eat(b'}')
    }

    /// `[ value, … ]`, each element read by `element`.
    fn array(&mut self, element: &mut dyn FnMut(&mut Self) -> Result<(), Error>) -> Result<(), Error> {
        match self.token()? {
            Token::Array => {}
            _ => return Err(wrong_type("数组")),
        }
        let mut first = true;
        while self.more(b']', &mut first)? {
            element(self)?;
        }
        self.eat(b']')
    }

    /// Whether another member or element follows (consuming the comma before it).
    fn more(&mut self, close: u8, first: &mut bool) -> Result<bool, Error> {
        if self.peek() == Some(close) {
            return Ok(false);
        }
        if !std::mem::take(first) {
            self.eat(b',')?;
        }
        Ok(true)
    }

    fn key(&mut self) -> Result<String, Error> {
        if self.peek() != Some(b'"') {
            return self.err("键应为字符串");
        }
        self.string()
    }

    fn text(&mut self) -> Result<String, Error> {
        match self.token()? {
            Token::String(s) => Ok(s),
            _ => Err(wrong_type("字符串")),
        }
    }

    /// `null` or a string (`Option<String>`).
    fn optional_text(&mut self) -> Result<Option<String>, Error> {
        if self.peek() == Some(b'n') {
            self.keyword("null")?;
            Ok(None)
        } else {
            self.text().map(Some)
        }
    }

    fn year(&mut self) -> Result<i32, Error> {
        let year = match self.token()? {
            Token::Number(Number::U(n)) => i32::try_from(n).ok(),
            Token::Number(Number::I(n)) => i32::try_from(n).ok(),
            _ => return Err(wrong_type("i32")),
        };
        year.ok_or_else(|| Error("取值不对，应为 i32".into()))
    }

    /// A date as `de_date` in jxjy_core::policy reads it: a string, or a one-entry map holding it.
    fn date(&mut self) -> Result<NaiveDate, Error> {
        let text = match self.token()? {
            Token::String(s) => s,
            Token::Object => {
                let mut first = true;
                if !self.more(b'}', &mut first)? {
                    return Err(Error("日期为空".into()));
                }
                self.key()?;
                self.eat(b':')?;
                let text = self.text()?;
                self.eat(b'}')?;
                text
            }
            _ => return Err(wrong_type("a date such as 2020-12-10")),
        };
        parse_date(&text).ok_or_else(|| Error(format!("“{text}”不是日期，应写作 2020-12-10")))
    }

    /// Hours as `Hours`' `Deserialize` reads them: the number, written out as serde_json writes
    /// it, read as an exact decimal.
    fn hours(&mut self) -> Result<Hours, Error> {
        let number = match self.token()? {
            Token::Number(Number::U(n)) => serde_json::Number::from(n),
            Token::Number(Number::I(n)) => serde_json::Number::from(n),
            Token::Number(Number::F(f)) => {
                serde_json::Number::from_f64(f).ok_or_else(|| wrong_type("a JSON number"))?
            }
            _ => return Err(wrong_type("a JSON number")),
        };
        let text = number.to_string();
        Hours::parse_decimal(&text).map_err(|e| Error(e.message(&text)))
    }

    fn period(&mut self) -> Result<Period, Error> {
        let (mut start, mut end) = (None, None);
        self.object(&mut |de, key| match key {
            "start" => set(&mut start, key, de.date()?),
            "end" => set(&mut end, key, de.date()?),
            _ => unknown(key),
        })?;
        Ok(Period { start: need(start, "start")?, end: need(end, "end")? })
    }

    fn minimums(&mut self) -> Result<Minimums, Error> {
        let (mut compulsory, mut public, mut professional, mut total) = (None, None, None, None);
        self.object(&mut |de, key| match key {
            "public_compulsory" => set(&mut compulsory, key, de.hours()?),
            "public" => set(&mut public, key, de.hours()?),
            "professional" => set(&mut professional, key, de.hours()?),
            "total" => set(&mut total, key, de.hours()?),
            _ => unknown(key),
        })?;
        Ok(Minimums {
            public_compulsory: need(compulsory, "public_compulsory")?,
            public: need(public, "public")?,
            professional: need(professional, "professional")?,
            total: need(total, "total")?,
        })
    }

    fn review(&mut self) -> Result<Review, Error> {
        let mut deadline = None;
        self.object(&mut |de, key| match key {
            "deadline" => set(&mut deadline, key, de.date()?),
            _ => unknown(key),
        })?;
        Ok(Review { deadline: need(deadline, "deadline")? })
    }

    fn makeup(&mut self) -> Result<Makeup, Error> {
        let (mut study_start, mut study_end, mut registration, mut windows) = (None, None, None, None);
        self.object(&mut |de, key| match key {
            "study_start" => set(&mut study_start, key, de.date()?),
            "study_end" => set(&mut study_end, key, de.date()?),
            "registration_deadline" => set(&mut registration, key, de.date()?),
            "windows" => {
                let mut list = Vec::new();
                de.array(&mut |de| de.period().map(|p| list.push(p)))?;
                set(&mut windows, key, list)
            }
            _ => unknown(key),
        })?;
        Ok(Makeup {
            study_start: need(study_start, "study_start")?,
            study_end: need(study_end, "study_end")?,
            registration_deadline: need(registration, "registration_deadline")?,
            windows: need(windows, "windows")?,
        })
    }

    fn units(&mut self) -> Result<UnitDeadlines, Error> {
        let (mut plan_filing, mut key_talent_report) = (None, None);
        self.object(&mut |de, key| match key {
            "plan_filing" => set(&mut plan_filing, key, de.date()?),
            "key_talent_report" => set(&mut key_talent_report, key, de.date()?),
            _ => unknown(key),
        })?;
        Ok(UnitDeadlines {
            plan_filing: need(plan_filing, "plan_filing")?,
            key_talent_report: need(key_talent_report, "key_talent_report")?,
        })
    }

    fn policy(&mut self) -> Result<Policy, Error> {
        let (mut year, mut source, mut title, mut issuer) = (None, None, None, None);
        let (mut signed, mut published, mut platform, mut platform_url) = (None, None, None, None);
        let (mut source_url, mut minimums, mut review, mut freeze, mut makeup, mut units) =
            (None, None, None, None, None, None);
        self.object(&mut |de, key| match key {
            "year" => set(&mut year, key, de.year()?),
            "source" => set(&mut source, key, de.text()?),
            "title" => set(&mut title, key, de.text()?),
            "issuer" => set(&mut issuer, key, de.text()?),
            "signed" => set(&mut signed, key, de.date()?),
            "published" => set(&mut published, key, de.date()?),
            "platform" => set(&mut platform, key, de.text()?),
            "platform_url" => set(&mut platform_url, key, de.text()?),
            "source_url" => set(&mut source_url, key, de.optional_text()?),
            "minimums" => set(&mut minimums, key, de.minimums()?),
            "review" => set(&mut review, key, de.review()?),
            "freeze" => set(&mut freeze, key, de.period()?),
            "makeup" => set(&mut makeup, key, de.makeup()?),
            "units" => set(&mut units, key, de.units()?),
            _ => unknown(key),
        })?;
        Ok(Policy {
            year: need(year, "year")?,
            source: need(source, "source")?,
            title: need(title, "title")?,
            issuer: need(issuer, "issuer")?,
            signed: need(signed, "signed")?,
            published: need(published, "published")?,
            platform: need(platform, "platform")?,
            platform_url: need(platform_url, "platform_url")?,
            source_url: source_url.flatten(),
            minimums: need(minimums, "minimums")?,
            review: need(review, "review")?,
            freeze: need(freeze, "freeze")?,
            makeup: need(makeup, "makeup")?,
            units: need(units, "units")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY_TOML: &str = include_str!("../../content/2020/policy.toml");

    /// The policy as `jxjy build` embeds it.
    fn site_json() -> String {
        serde_json::to_string(&Policy::from_toml(POLICY_TOML).unwrap()).unwrap()
    }

    #[test]
    fn reads_the_policy_the_site_embeds_as_serde_json_does() {
        let json = site_json();
        assert_eq!(policy_from_json(&json).unwrap(), Policy::from_json(&json).unwrap());
        // Pretty-printed, with escapes and fractional hours.
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["title"] = "“通知”\n\t\\ \u{1F600} é / \u{7}".into();
        v["minimums"]["professional"] = serde_json::json!(45.5);
        v["minimums"]["total"] = serde_json::json!(9e1);
        let pretty = serde_json::to_string_pretty(&v).unwrap().replace('é', "\\u00e9").replace('😀', "\\ud83d\\ude00");
        assert_eq!(policy_from_json(&pretty).unwrap(), Policy::from_json(&pretty).unwrap());
        assert_eq!(policy_from_json(&pretty).unwrap().title, "“通知”\n\t\\ 😀 é / \u{7}");
        let signed = Policy::from_json(&json).unwrap().signed;
        // What else serde reads into a policy: null for an absent link, a date as a one-entry map
        // (how toml hands one over), hours with a fraction or an exponent, keys with escapes.
        for other in [
            json.replacen("\"year\":2020", "\"source_url\":null,\"year\":2020", 1),
            json.replacen(&format!("\"signed\":\"{signed}\""), &format!("\"signed\":{{\"$d\":\"{signed}\"}}"), 1),
            json.replacen("\"minimums\":{", "\"minimums\":{\"t\\u006ftal\":90.0,", 1).replacen(",\"total\":90", "", 1),
            json.replacen("\"minimums\":{", "\"minimums\":{\"total\":0.9e2,", 1).replacen(",\"total\":90", "", 1),
        ] {
            assert_ne!(other, json);
            assert_eq!(policy_from_json(&other).unwrap(), Policy::from_json(&other).unwrap(), "{other}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let json = site_json();
        let year = json.find("2020").unwrap();
        let bad = [
            json.replacen("\"year\":2020", "\"year\":2020,\"extra\":1", 1),
            json.replacen("\"year\":2020", "\"year\":\"2020\"", 1),
            json.replacen("\"year\":2020", "\"year\":02020", 1),
            json.replacen("\"year\":2020,", "", 1),
            json.replacen("2020-12-10", "2020-13-10", 1),
            json.replacen("\"source_url\"", "\"source_url\" ", 1).replacen(':', "::", 1),
            json[..json.len() - 1].to_owned(),
            json.clone() + "x",
            json.replacen(',', ",,", 1),
            json[..year].to_owned() + "2020.5" + &json[year + 4..],
            json.replacen("\"minimums\":{", "\"minimums\":{\"total\":1e999,", 1),
            json.replacen("\"title\":\"", "\"title\":\"\\x", 1),
            json.replacen("\"title\":\"", "\"title\":\"\\ud800", 1),
            json.replacen("\"title\":\"", "\"title\":\"\n", 1),
            json.replacen("\"year\":2020", "\"year\":2020,\"year\":2020", 1),
            json.replacen("\"year\":2020", "\"year\":3000000000", 1),
            json.replacen("\"year\":2020", "\"year\":true", 1),
            json.replacen("\"deadline\":", "\"extra\":1,\"deadline\":", 1),
            json.replacen("\"minimums\":{", "\"minimums\":{\"total\":\"90\",", 1),
            json.replacen("\"minimums\":{", "\"minimums\":{\"total\":-90,", 1),
            json.replacen("\"minimums\":{", "\"minimums\":{\"total\":4.55555,", 1),
            json.replacen("\"windows\":[", "\"windows\":[{},", 1),
            json.replacen("\"signed\":\"2020-", "\"signed\":{\"a\":\"2020-", 1),
        ];
        for text in &bad {
            assert!(Policy::from_json(text).is_err(), "serde_json reads {text}");
            let e = policy_from_json(text).unwrap_err();
            assert!(e.to_string().starts_with("政策数据无法解析：") || !e.key.is_empty(), "{text}: {e}");
        }
        assert!(policy_from_json("").is_err() && policy_from_json("null").is_err() && policy_from_json("[]").is_err());
    }

    #[test]
    fn reads_every_years_policy_as_the_site_embeds_them() {
        let policy = Policy::from_toml(POLICY_TOML).unwrap();
        // The fictional 2021 policy of the test fixtures.
        let later = Policy::from_toml(include_str!("../../tests/fixtures/policies/2021/policy.toml")).unwrap();
        let json = serde_json::to_string(&[&policy, &later]).unwrap();
        assert_eq!(policies_from_json(&json).unwrap(), [policy.clone(), later]);
        // A policy that does not hold together is refused, as Policy::from_json refuses it.
        let mut wrong = policy.clone();
        wrong.year = 2021;
        let json = serde_json::to_string(&[&policy, &wrong]).unwrap();
        assert_eq!(policies_from_json(&json).unwrap_err().key, "review.deadline");
        assert!(policies_from_json("[]").unwrap().is_empty());
        assert!(policies_from_json(&format!("[{}]x", site_json())).is_err());
        assert!(policies_from_json(&site_json()).is_err(), "one policy is not a list");
    }
}
