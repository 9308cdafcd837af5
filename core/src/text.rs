//! Small text helpers shared by import and rules: full-width folding and key normalisation.

use std::borrow::Cow;

/// The most characters of a cell that a message, a label or a listed course name quotes: a cell
/// longer than this (a 256 KB shared string, say) is cut and ends with "…", so no copy of user
/// text made per row, per error or per line of output is longer than this.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `cell` trimmed, for a message: cut to [`MAX_QUOTED_CHARS`] characters when longer, with "…" and
/// a note naming the limit and the cell's size. Borrows when short.
pub fn quoted(cell: &str) -> Cow<'_, str> {
    let cell = cell.trim();
    match cut(cell) {
        Cow::Owned(short) => {
            Cow::Owned(format!("{short}（单元格共 {} 字节，只引用前 {MAX_QUOTED_CHARS} 字）", cell.len()))
        }
        whole => whole,
    }
}

/// `s` cut to [`MAX_QUOTED_CHARS`] characters with "…" when longer. Borrows when short.
pub fn cut(cell: &str) -> Cow<'_, str> {
    // Bytes first: a cell of at most MAX_QUOTED_CHARS bytes has at most that many characters.
    if cell.len() <= MAX_QUOTED_CHARS {
        return Cow::Borrowed(cell);
    }
    match cell.char_indices().nth(MAX_QUOTED_CHARS) {
        None => Cow::Borrowed(cell),
        Some((at, _)) => Cow::Owned(format!("{}…", &cell[..at])),
    }
}

/// Folds full-width ASCII forms (`４．５`, `ＡＢＣ`, `（`) to half-width and the ideographic space to a
/// space. Borrows when there is nothing to fold, which is the common case.
pub fn fold_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(is_foldable) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(fold_char).collect())
}

/// True when `s` has nothing [`course_key`] would change: only ASCII other than spaces and
/// capitals, and characters from U+4000–U+9FFF (the bulk of CJK ideographs, lead byte E4–E9).
/// A byte scan, for the hot path; anything else takes the careful path.
pub fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c.is_ascii_whitespace() || c.is_ascii_uppercase() {
                return false;
            }
            i += 1;
        } else if (0xE4..=0xE9).contains(&c) {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

fn is_foldable(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The key under which two course names are the same course: trimmed, full-width folded,
/// every inner space removed, ASCII letters lower-cased.
pub fn course_key(name: &str) -> String {
    if is_plain(name) {
        return name.to_owned();
    }
    let mut key = String::with_capacity(name.len());
    key.extend(name.chars().map(fold_char).filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()));
    key
}

fn is_decoration(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')'
                | '['
                | ']'
                | '【'
                | '】'
                | '《'
                | '》'
                | ':'
                | '*'
                | '_'
                | '-'
                | '.'
                | '/'
                | '、'
                | '\u{feff}'
                | '"'
                | '\''
        )
}

/// A header or value reduced for matching: folded, lower-cased, without spaces, brackets and
/// the punctuation people sprinkle around labels (`*学时（小时）：` → `学时小时`). Borrows
/// when there is nothing to change, which is the common case.
pub fn match_key(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_decoration(c) || is_foldable(c) || c.is_ascii_uppercase()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(fold_width(s).chars().filter(|&c| !is_decoration(c)).map(|c| c.to_ascii_lowercase()).collect())
}

/// The key under which two IDs (身份证号, 工号) are the same person's: full-width folded, every
/// space removed, letters upper-cased (`410105 19900101123x` = `410105199001011234X`… of the same
/// writing). Borrows in the common case of plain digits and capitals.
pub fn id_key(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(fold_width(s).chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect())
}

/// Why an ID cell cannot tell people apart, if it cannot: masked (`4101********1234`) or
/// rewritten by Excel in scientific notation (`4.10105E+17`).
pub fn id_unusable(s: &str) -> bool {
    let k = id_key(s);
    k.contains('*')
        || (k.contains('E') && k.contains('.') && k.bytes().all(|b| b.is_ascii_digit() || b"E+-.".contains(&b)))
}

/// Whether an ID cell is a 身份证号 as issued: 15 digits, or 17 digits and a digit or X.
pub fn is_id_number(s: &str) -> bool {
    let k = id_key(s);
    let b = k.as_bytes();
    (b.len() == 15 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X'))
}

/// Trims spaces of every width (and a stray BOM) from both ends.
#[inline(always)]
pub fn trim_cell(s: &str) -> &str {
    // Most cells need nothing trimmed: the lead bytes of the two end characters rule that out
    // without decoding anything. A lead byte that some space shares (a full-width bracket, 、)
    // gets a closer look at its bytes before the general trim.
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return s };
    // Where the last character starts: most non-ASCII text is three-byte CJK.
    let n = b.len();
    let last_at = match last {
        0..0x80 => n - 1,
        _ if n >= 3 && b[n - 3] >= 0xE0 => n - 3,
        _ if n >= 2 && b[n - 2] >= 0xC0 => n - 2,
        _ => n.saturating_sub(4),
    };
    if !may_start_space(first) && !may_start_space(b[last_at]) {
        return s;
    }
    if !starts_with_space(b) && !starts_with_space(&b[last_at..]) {
        return s;
    }
    s.trim_matches(is_space)
}

/// Whether a character starting with UTF-8 lead byte `b` can be a space or BOM: ASCII spaces,
/// and the lead bytes of U+0085/U+00A0 (C2), U+1680 (E1), U+2000–U+205F (E2), U+3000 (E3), U+FEFF (EF).
#[inline]
fn may_start_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF)
}

/// Whether the character at the start of `b` (UTF-8, starting at a character boundary) is one
/// [`is_space`] accepts, judged on its bytes.
#[inline]
fn starts_with_space(b: &[u8]) -> bool {
    match b {
        [c, ..] if *c < 0x80 => matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '),
        // Lead bytes E4–E9 (most CJK ideographs) fall through at the first comparison.
        [0xC2, 0x85 | 0xA0, ..]
        | [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..]
        | [0xEF, 0xBB, 0xBF, ..] => true,
        _ => false,
    }
}

/// `char::is_whitespace` or a BOM, with the common non-space characters decided without a
/// table lookup.
fn is_space(c: char) -> bool {
    match c {
        '\u{0}'..='\u{7f}' => c.is_ascii_whitespace() || c == '\u{b}',
        '\u{85}'
        | '\u{a0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200a}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202f}'
        | '\u{205f}'
        | '\u{3000}'
        | '\u{feff}' => true,
        _ => false,
    }
}

/// `2020-12-10` → `12月10日`.
pub fn cn_month_day(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}月{}日", d.month(), d.day())
}

/// `2020-12-10` → `2020年12月10日`.
pub fn cn_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_quoted_cut_short() {
        assert_eq!(quoted("  知识产权 "), "知识产权");
        let long = "课".repeat(MAX_QUOTED_CHARS + 1);
        let c = cut(&long);
        assert_eq!(c.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(c.ends_with('…') && c.starts_with('课'));
        let q = quoted(&long);
        assert!(q.starts_with(&*c), "{q}");
        assert!(q.ends_with("（单元格共 603 字节，只引用前 200 字）"), "{q}");
        let exact = "课".repeat(MAX_QUOTED_CHARS);
        assert_eq!(quoted(&exact), exact.as_str());
    }

    #[test]
    fn folds_full_width() {
        assert_eq!(fold_width("４．５学时"), "4.5学时");
        assert_eq!(fold_width("公需科目（必修）"), "公需科目(必修)");
        assert_eq!(fold_width("a\u{3000}b"), "a b");
        assert!(matches!(fold_width("plain"), Cow::Borrowed(_)));
        assert!(matches!(fold_width("公需"), Cow::Borrowed(_)));
    }

    #[test]
    fn course_keys_ignore_spacing_and_width() {
        assert_eq!(course_key(" 知识产权 专题 "), course_key("知识产权专题"));
        assert_eq!(course_key("ＡＩ 前沿\u{3000}讲座"), course_key("ai前沿讲座"));
        assert_ne!(course_key("知识产权一"), course_key("知识产权二"));
    }

    #[test]
    fn chinese_dates() {
        let d = chrono::NaiveDate::from_ymd_opt(2020, 3, 6).unwrap();
        assert_eq!(cn_month_day(d), "3月6日");
        assert_eq!(cn_date(d), "2020年3月6日");
    }

    #[test]
    fn plain_text_fast_path_agrees_with_the_careful_path() {
        for s in ["知识产权", "ai前沿", "AI前沿", "知识 产权", "ＡＩ", "公需（必修）", "é", "a\u{3000}b", ""]
        {
            let careful: String =
                fold_width(s).chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
            assert_eq!(course_key(s), careful, "{s}");
        }
    }

    #[test]
    fn trimming_agrees_with_the_standard_library() {
        for s in [
            "",
            " ",
            "a",
            " 学时 ",
            "\u{3000}公需\u{3000}",
            "\u{feff}课程",
            "x\u{a0}",
            "\t4.5\r",
            "\u{b}a\u{c}",
            "中",
            "讲座（上）",
            "（下）\u{3000}",
            "\u{2028}x\u{85}",
            "\u{1680}Ｘ",
            "é\u{feff}",
        ] {
            assert_eq!(trim_cell(s), s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'), "{s:?}");
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_space(c), c.is_whitespace() || c == '\u{feff}', "{:x}", c as u32);
            assert_eq!(starts_with_space(c.encode_utf8(&mut [0; 4]).as_bytes()), is_space(c), "{:x}", c as u32);
            // Every character at either end, after characters of each width.
            for cell in [format!("x{c}"), format!("é{c}"), format!("中{c}"), format!("{c}😀"), c.to_string()] {
                let std = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
                assert_eq!(trim_cell(&cell), std, "{:x}", c as u32);
            }
        }
    }

    #[test]
    fn match_keys_drop_decoration() {
        assert_eq!(match_key("*学时（小时）："), "学时小时");
        assert_eq!(match_key("Course Name"), "coursename");
        assert_eq!(match_key("\u{feff}课程名称"), "课程名称");
    }
}
