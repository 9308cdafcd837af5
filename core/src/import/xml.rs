//! A small pull scanner for the machine-written XML inside an `.xlsx`: elements, attributes,
//! text with the predefined and numeric entities. No DTDs and no entity definitions are
//! processed, so there is nothing to expand into a billion laughs.

use std::borrow::Cow;

/// One step through a document.
#[derive(Debug, PartialEq)]
pub enum Token<'a> {
    /// `<name attrs>`; `empty` for `<name/>`. `name` has its namespace prefix removed.
    Start { name: &'a str, attrs: &'a str, empty: bool },
    /// `</name>`.
    End { name: &'a str },
    /// Character data, entities resolved.
    Text(Cow<'a, str>),
}

/// Iterates over the tokens of `xml`. Malformed input ends the iteration early, never panics.
#[derive(Debug)]
pub struct Scanner<'a> {
    rest: &'a str,
}

impl<'a> Scanner<'a> {
    pub fn new(xml: &'a str) -> Scanner<'a> {
        Scanner { rest: xml }
    }
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

impl<'a> Iterator for Scanner<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            if !self.rest.starts_with('<') {
                let end = self.rest.find('<').unwrap_or(self.rest.len());
                let (text, rest) = self.rest.split_at(end);
                self.rest = rest;
                return Some(Token::Text(unescape(text)));
            }
            let r = self.rest;
            if let Some(body) = r.strip_prefix("<![CDATA[") {
                let end = body.find("]]>")?;
                self.rest = &body[end + 3..];
                return Some(Token::Text(Cow::Borrowed(&body[..end])));
            }
            if let Some(body) = r.strip_prefix("<!--") {
                self.rest = &body[body.find("-->")? + 3..];
                continue;
            }
            if r.starts_with("<?") || r.starts_with("<!") {
                self.rest = &r[r.find('>')? + 1..];
                continue;
            }
            let close = find_tag_end(r)?;
            let inner = &r[1..close];
            self.rest = &r[close + 1..];
            if let Some(name) = inner.strip_prefix('/') {
                return Some(Token::End { name: local(name.trim()) });
            }
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
            return Some(Token::Start { name: local(&inner[..name_end]), attrs: &inner[name_end..], empty });
        }
    }
}

/// The index of the `>` closing the tag that starts at 0, skipping `>` inside quoted values.
fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` (prefix ignored) in a tag's raw attribute text.
pub fn attr<'a>(attrs: &'a str, name: &str) -> Option<Cow<'a, str>> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let key = local(rest[..eq].trim());
        let after = rest[eq + 1..].trim_start();
        let q = after.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let end = after[1..].find(q)? + 1;
        if key == name {
            return Some(unescape(&after[1..end]));
        }
        rest = &after[end + 1..];
    }
}

/// Resolves `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;` and `&#xNN;`; leaves anything else as written.
pub fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Only the next 12 bytes are searched for the `;`: a text of `&` without one stays linear.
        let window = &rest.as_bytes()[..rest.len().min(13)];
        let resolved = memchr::memchr(b';', window).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi))
        });
        match resolved {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_elements_attributes_and_text() {
        let xml = r#"<?xml version="1.0"?><x:row r="2"><c r="A2" t='s'><v>3</v></c><c r="B2"/><!-- note --><t>a &amp; b &#x4E2D;&#25991;</t><t><![CDATA[<raw>]]></t></x:row>"#;
        let tokens: Vec<Token<'_>> = Scanner::new(xml).collect();
        assert_eq!(tokens[0], Token::Start { name: "row", attrs: r#" r="2""#, empty: false });
        let Token::Start { attrs, .. } = &tokens[1] else { panic!("{:?}", tokens[1]) };
        assert_eq!(attr(attrs, "t").as_deref(), Some("s"));
        assert_eq!(attr(attrs, "r").as_deref(), Some("A2"));
        assert_eq!(attr(attrs, "s"), None);
        assert_eq!(tokens[3], Token::Text(Cow::Borrowed("3")));
        assert!(matches!(tokens[6], Token::Start { name: "c", empty: true, .. }));
        assert!(tokens.contains(&Token::Text(Cow::Owned("a & b 中文".to_owned()))));
        assert!(tokens.contains(&Token::Text(Cow::Borrowed("<raw>"))));
        assert_eq!(tokens.last(), Some(&Token::End { name: "row" }));
    }

    #[test]
    fn malformed_input_stops_quietly() {
        for xml in ["<a", "<![CDATA[x", "<!-- x", "<a b=\"unterminated>", "&#xFFFFFFFF; &bogus; &", "<?x"] {
            let _ = Scanner::new(xml).count();
        }
        assert_eq!(unescape("&#xFFFFFFFF;&bogus;&"), "&#xFFFFFFFF;&bogus;&");
    }
}
