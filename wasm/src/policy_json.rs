//! The policy the page embeds, read from its JSON by a small serde `Deserializer` instead of
//! serde_json's: the module then carries no JSON parser but this one (serde_json's, with its
//! number tables, error positions and float printing for messages, was ≈25 KB gzip of the first
//! load). The policy is written by `jxjy build` from a policy file that passed validation, so
//! this reads the JSON the site writes; any other JSON is still read correctly or refused.

use jxjy_core::{Policy, PolicyError};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Parses and validates the policy, as [`Policy::from_json`] does.
pub fn policy_from_json(text: &str) -> Result<Policy, PolicyError> {
    let mut de = Json { s: text.as_bytes(), i: 0 };
    let policy = Policy::deserialize(&mut de).and_then(|p| de.end().map(|()| p)).map_err(|e| PolicyError {
        key: String::new(),
        message: format!("政策数据无法解析：{}", e.0),
        line: Some(text.as_bytes()[..de.i.min(text.len())].iter().filter(|&&c| c == b'\n').count() + 1),
    })?;
    policy.validate()?;
    Ok(policy)
}

/// Parses and validates every year's policy: a JSON array of policies, as the site embeds them.
pub fn policies_from_json(text: &str) -> Result<Vec<Policy>, PolicyError> {
    let mut de = Json { s: text.as_bytes(), i: 0 };
    let policies = Vec::<Policy>::deserialize(&mut de).and_then(|p| de.end().map(|()| p)).map_err(|e| PolicyError {
        key: String::new(),
        message: format!("政策数据无法解析：{}", e.0),
        line: Some(text.as_bytes()[..de.i.min(text.len())].iter().filter(|&&c| c == b'\n').count() + 1),
    })?;
    for p in &policies {
        p.validate()?;
    }
    Ok(policies)
}

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
    // Said without the value: serde's own wording prints a float with core's float printer.
    fn invalid_type(_: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error(format!("类型不对，应为 {exp}"))
    }
    fn invalid_value(_: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error(format!("取值不对，应为 {exp}"))
    }
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

    /// The next value's first token, read without knowing who asked (kept out of the generic
    /// `deserialize_any`, which is copied once per type the policy holds).
    #[inline(never)]
    fn token(&mut self) -> Result<Token, Error> {
        Ok(match self.peek() {
            Some(c @ (b'{' | b'[')) => {
                self.i += 1;
                if c == b'{' { Token::Object } else { Token::Array }
            }
            Some(b'"') => Token::String(self.string()?),
            Some(b't') => self.keyword("true").map(|()| Token::Bool(true))?,
            Some(b'f') => self.keyword("false").map(|()| Token::Bool(false))?,
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
    Bool(bool),
    Null,
    Number(Number),
}

impl<'de> de::Deserializer<'de> for &mut Json<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Object => {
                let value = v.visit_map(Items { de: &mut *self, first: true })?;
                self.eat(b'}')?;
                Ok(value)
            }
            Token::Array => {
                let value = v.visit_seq(Items { de: &mut *self, first: true })?;
                self.eat(b']')?;
                Ok(value)
            }
            Token::String(s) => v.visit_string(s),
            Token::Bool(b) => v.visit_bool(b),
            Token::Null => v.visit_unit(),
            Token::Number(Number::U(n)) => v.visit_u64(n),
            Token::Number(Number::I(n)) => v.visit_i64(n),
            Token::Number(Number::F(f)) => v.visit_f64(f),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.peek() == Some(b'n') {
            self.keyword("null")?;
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    // Each of these calls only the one visit method its type reads, rather than going through
    // deserialize_any: the derived visitors' other methods (a struct read from an array, …) are
    // then never instantiated, which halves the policy's share of the module.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Object => {
                let value = v.visit_map(Items { de: &mut *self, first: true })?;
                self.eat(b'}')?;
                Ok(value)
            }
            _ => Err(wrong_type(&v)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Array => {
                let value = v.visit_seq(Items { de: &mut *self, first: true })?;
                self.eat(b']')?;
                Ok(value)
            }
            _ => Err(wrong_type(&v)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::String(s) => v.visit_string(s),
            _ => Err(wrong_type(&v)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Number(Number::U(n)) => v.visit_u64(n),
            Token::Number(Number::I(n)) => v.visit_i64(n),
            _ => Err(wrong_type(&v)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct enum ignored_any
    }
}

/// A value of the wrong kind for `expected` (serde's own wording would print the value found,
/// and a float with core's float printer).
#[inline(never)]
fn wrong_type(expected: &dyn de::Expected) -> Error {
    Error(format!("类型不对，应为 {expected}"))
}

/// The members of an object or the elements of an array, comma-separated.
struct Items<'a, 'b> {
    de: &'a mut Json<'b>,
    first: bool,
}

impl Items<'_, '_> {
    /// Whether another item follows (consuming the comma before it).
    #[inline(never)]
    fn more(&mut self, close: u8) -> Result<bool, Error> {
        if self.de.peek() == Some(close) {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            self.de.eat(b',')?;
        }
        Ok(true)
    }
}

impl<'de> MapAccess<'de> for Items<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        if self.de.peek() != Some(b'"') {
            return self.de.err("键应为字符串");
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.de.eat(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

impl<'de> SeqAccess<'de> for Items<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
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
