//! Bytes to text: UTF-8 (with or without BOM), UTF-16 as Excel writes it, GBK/GB18030 as Excel
//! on a Chinese PC saves CSV.

use std::borrow::Cow;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Gb18030,
    /// UTF-8 with broken sequences (or no GBK decoder compiled in): bad bytes became U+FFFD.
    Utf8Lossy,
}

/// Which encoding `bytes` are in, by the same rule [`decode`] follows. Needs no decoding tables,
/// so the self-check page (whose module has none) asks this and lets the browser's
/// `TextDecoder` do GB18030: one rule for both front ends.
pub fn detect(bytes: &[u8]) -> Encoding {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return if simdutf8::basic::from_utf8(rest).is_ok() { Encoding::Utf8 } else { Encoding::Utf8Lossy };
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return Encoding::Utf16Le;
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Encoding::Utf16Be;
    }
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        return utf16_without_bom(bytes).unwrap_or(Encoding::Utf8);
    }
    if mostly_utf8(bytes) { Encoding::Utf8Lossy } else { Encoding::Gb18030 }
}

impl Encoding {
    /// The WHATWG label (what `TextDecoder` takes).
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Lossy => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Gb18030 => "gb18030",
        }
    }
}

/// Decodes `bytes` by the rule of [`detect`]. Never fails: bytes that fit no encoding become
/// U+FFFD, which the row parser reports as an error in the cell where it landed.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match simdutf8::basic::from_utf8(rest) {
            Ok(s) => (Cow::Borrowed(s), Encoding::Utf8),
            Err(_) => (String::from_utf8_lossy(rest), Encoding::Utf8Lossy),
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (Cow::Owned(utf16(rest, u16::from_le_bytes)), Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (Cow::Owned(utf16(rest, u16::from_be_bytes)), Encoding::Utf16Be);
    }
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return match utf16_without_bom(bytes) {
            Some(Encoding::Utf16Le) => (Cow::Owned(utf16(bytes, u16::from_le_bytes)), Encoding::Utf16Le),
            Some(_) => (Cow::Owned(utf16(bytes, u16::from_be_bytes)), Encoding::Utf16Be),
            None => (Cow::Borrowed(s), Encoding::Utf8),
        };
    }
    if mostly_utf8(bytes) {
        return (String::from_utf8_lossy(bytes), Encoding::Utf8Lossy);
    }
    gb18030(bytes)
}

/// UTF-16 without a BOM shows itself by NULs in every other byte of ASCII text.
fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(512)];
    let odd_nuls = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let even_nuls = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let half = sample.len() / 2;
    if odd_nuls * 3 > half * 2 && even_nuls * 10 < half {
        return Some(Encoding::Utf16Le);
    }
    if even_nuls * 3 > half * 2 && odd_nuls * 10 < half {
        return Some(Encoding::Utf16Be);
    }
    None
}

/// UTF-8 with a few broken sequences (a truncated copy, one bad byte) rather than GBK: GBK
/// text almost never forms valid multi-byte UTF-8, so many valid sequences against few errors
/// means UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid >= 8 && invalid * 4 <= valid
}

#[cfg(feature = "gbk")]
pub(super) fn gb18030(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    let (text, _had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (text, Encoding::Gb18030)
}

#[cfg(not(feature = "gbk"))]
pub(super) fn gb18030(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    (String::from_utf8_lossy(bytes), Encoding::Utf8Lossy)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_follows_the_rule_decode_follows() {
        let mut gbk_rows = "课程名称,科目类型,学时,完成日期\n".as_bytes().to_vec();
        for _ in 0..20 {
            // 知识产权,专业科目 in GBK.
            gbk_rows
                .extend_from_slice(b"\xd6\xaa\xca\xb6\xb2\xfa\xc8\xa8,\xd7\xa8\xd2\xb5\xbf\xc6\xc4\xbf,6,2020-04-01\n");
        }
        let mut broken_utf8 = "课程名称,科目类型,学时,完成日期\n知识产权,专业科目,6,2020-04-01\n".as_bytes().to_vec();
        broken_utf8.push(0xFF);
        let cases: [&[u8]; 7] =
            ["学时,4".as_bytes(), b"\xEF\xBB\xBFa,b", b"\xFF\xFEa\0b\0", b"a\0b\0c\0d\0", &gbk_rows, &broken_utf8, b""];
        for bytes in cases {
            assert_eq!(detect(bytes), decode(bytes).1, "{bytes:?}");
        }
        assert_eq!(detect(&gbk_rows), Encoding::Gb18030);
        assert_eq!(detect(&gbk_rows).label(), "gb18030");
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("学时,4".as_bytes()), (Cow::Borrowed("学时,4"), Encoding::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("学时".as_bytes());
        assert_eq!(decode(&bom).0, "学时");
    }

    #[test]
    fn utf16_as_excel_writes_it() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("课程\t学时\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le), (Cow::Owned("课程\t学时\r\n".to_owned()), Encoding::Utf16Le));
        let mut be = vec![0xFE, 0xFF];
        be.extend("ab".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).0, "ab");
        let bare: Vec<u8> = "name,hours\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&bare), (Cow::Owned("name,hours\n".to_owned()), Encoding::Utf16Le));
    }

    #[cfg(feature = "gbk")]
    #[test]
    fn gbk_as_excel_saves_csv() {
        let (gbk, _, _) = encoding_rs::GBK.encode("课程名称,学时\n知识产权,4\n");
        assert_eq!(decode(&gbk), (Cow::Owned("课程名称,学时\n知识产权,4\n".to_owned()), Encoding::Gb18030));
    }

    #[test]
    fn odd_utf16_and_garbage_do_not_panic() {
        assert_eq!(decode(b"\xFF\xFE\x41").0, "");
        assert!(decode(b"\xFF\xFF\xFF").0.contains('\u{fffd}'));
    }
}
