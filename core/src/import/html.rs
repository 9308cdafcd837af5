#![cfg_attr(not(feature = "html"), allow(dead_code))]
//! 网页表格: the "导出Excel" of many government and training platforms is an HTML `<table>` saved
//! with a .xls name. A small tag scanner, not an HTML parser: only `table`, `tr`, `td`/`th`, `br`
//! and the `meta` charset matter; comments, `<script>` and `<style>` are passed over, entities
//! are decoded, and whitespace is collapsed as a browser shows it (`<br>` is a space in the cell, as a line
//! break would be in one line of a report).
//!
//! Spans are read as merged cells are: a `rowspan` gives its cell's value to every row it
//! covers (the string index is reused, never copied), a `colspan` leaves the cells it covers
//! empty (so a title row spanning the table stays one cell, not a header). A span past
//! [`MAX_ROWSPAN`] rows or [`super::MAX_COLUMNS`] columns is refused with an error that names the
//! limit; a row's cells stop at `MAX_COLUMNS`; a span never adds rows of its own
//! (as in a browser, it stops at its table's last row); every table's cells count towards
//! [`MAX_CELLS`], past which the file is refused. Memory stays within the grid's: a row costs at
//! most `MAX_COLUMNS` × 4 bytes, all rows together at most `MAX_CELLS` × 4 bytes.
//!
//! Several tables: each is read, and the first whose first rows hold a header by meaning is kept
//! (else the largest, which then gives the usual "未找到表头"). Row numbers count every `<tr>` of
//! the document, as Excel numbers them when it opens such a file.

use super::{Encoding, Grid, ImportError, MAX_CELLS, MAX_COLUMNS};

/// The most rows one `rowspan` covers; a larger one is read as this many.
pub const MAX_ROWSPAN: usize = 10_000;

/// Whether `bytes` look like an HTML page or a bare `<table>` (after a BOM and whitespace): what
/// the worker's `startsLikeHtml` tests too (and sends such a file to the second module).
pub fn sniff(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let b = &b[start..];
    if b.first() != Some(&b'<') {
        return false;
    }
    let head = &b[..b.len().min(4096)];
    ["<html", "<table", "<!doctype html", "<head", "<meta", "<body"].iter().any(|tag| find_ci(head, tag).is_some())
}

/// The encoding of an HTML file's bytes: a BOM; else the `<meta>` charset when it names GBK,
/// GB2312, GB18030 or UTF-8 (short GBK text such as "学时" is valid UTF-8, so the meta tag comes
/// before the usual detection); else the usual detection. The page's modules carry no GBK tables:
/// the worker decodes what this names GB18030 with the browser's `TextDecoder` and hands the core
/// UTF-8, which their `gb18030` reads as UTF-8 (as for a GBK CSV).
pub fn encoding(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(b"\xEF\xBB\xBF") || bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return super::detect(bytes);
    }
    match meta_charset(&bytes[..bytes.len().min(64 << 10)]) {
        Some(c) if ["gbk", "gb2312", "gb18030", "x-gbk", "cp936", "gb_2312-80"].contains(&c.as_str()) => {
            Encoding::Gb18030
        }
        Some(c) if c == "utf-8" || c == "utf8" => {
            if simdutf8::basic::from_utf8(bytes).is_ok() {
                Encoding::Utf8
            } else {
                Encoding::Utf8Lossy
            }
        }
        _ => super::detect(bytes),
    }
}

/// The `charset=` of the first `<meta>` that has one, lowercased.
fn meta_charset(head: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(at) = find_ci(&head[from..], "<meta") {
        let tag_start = from + at;
        let end = head[tag_start..].iter().position(|&c| c == b'>').map_or(head.len(), |e| tag_start + e);
        let tag = &head[tag_start..end];
        if let Some(c) = find_ci(tag, "charset=") {
            let value = &tag[c + 8..];
            let value = value.strip_prefix(b"\"").or_else(|| value.strip_prefix(b"'")).unwrap_or(value);
            let len = value
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'))
                .unwrap_or(value.len());
            return Some(String::from_utf8_lossy(&value[..len]).to_ascii_lowercase());
        }
        from = end;
    }
    None
}

/// Where `needle` (lowercase ASCII) first occurs in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if n.is_empty() || hay.len() < n.len() {
        return None;
    }
    (0..=hay.len() - n.len()).find(|&i| hay[i..i + n.len()].iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// A `colspan` past [`MAX_COLUMNS`] or a `rowspan` past [`MAX_ROWSPAN`]: no table someone
/// exported has one, and honouring it would fill the grid with copies.
fn span_too_large(tr_number: u32, tag: &Tag) -> ImportError {
    let (attr, value, limit) = if tag.colspan > MAX_COLUMNS {
        ("colspan", tag.colspan, format!("{MAX_COLUMNS} 列"))
    } else {
        ("rowspan", tag.rowspan, format!("{MAX_ROWSPAN} 行"))
    };
    let value = if value == usize::MAX { "极大值".to_owned() } else { value.to_string() };
    ImportError::NotATable(format!(
        "网页表格第 {tr_number} 行的单元格合并范围 {attr}={value} 超过上限 {limit}，无法读取；请检查导出的文件"
    ))
}

fn too_many_cells() -> ImportError {
    ImportError::NotATable(format!("网页表格太大：超过 {MAX_CELLS} 个单元格，请拆分文件后分批检查"))
}

/// One table being read.
struct TableState {
    /// The grid's first row of this table.
    first_row: usize,
    /// Per column: rows still covered by a rowspan above, and the value they get.
    pending: Vec<(u32, u32)>,
    /// The current row: its number, cells, the first column not yet placed, and the columns
    /// a rowspan above filled.
    row: Option<Row>,
    /// The open cell: its text, colspan and rowspan.
    cell: Option<(String, usize, usize)>,
}

/// A row being read.
struct Row {
    number: u32,
    cells: Vec<u32>,
    col: usize,
    spanned: Vec<u16>,
}

/// The rows of the tables of `text`, the table that holds records chosen by `is_header`
/// (called with each table's rows, as a grid, and the grid row range).
pub fn read(
    text: &str,
    mut holds_records: impl FnMut(&Grid, std::ops::Range<usize>) -> bool,
) -> Result<Grid, ImportError> {
    let mut grid = Grid::default();
    let mut tables: Vec<std::ops::Range<usize>> = Vec::new();
    let mut table: Option<TableState> = None;
    let mut depth = 0usize;
    let mut tr_number = 0u32;
    let mut cells_total = 0usize;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(lt) = memchr::memchr(b'<', &b[i..]).map(|k| i + k) else {
            push_text(&mut table, &text[i..]);
            break;
        };
        if lt > i {
            push_text(&mut table, &text[i..lt]);
        }
        let rest = &b[lt..];
        if rest.starts_with(b"<!--") {
            i = memchr::memmem::find(&rest[4..], b"-->").map_or(b.len(), |k| lt + 4 + k + 3);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            push_text(&mut table, "<");
            i = lt + 1;
            continue;
        };
        i = lt + tag.len;
        match (tag.name.as_str(), tag.end) {
            ("script" | "style" | "textarea" | "title", false) => {
                let close = format!("</{}", tag.name);
                i = find_ci(&b[i..], &close).map_or(b.len(), |k| i + k);
            }
            ("table", false) => {
                depth += 1;
                if depth == 1 {
                    table = Some(TableState { first_row: grid.len(), pending: Vec::new(), row: None, cell: None });
                }
            }
            ("table", true) if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(mut t) = table.take()
                {
                    end_row(&mut t, &mut grid, &mut cells_total)?;
                    tables.push(t.first_row..grid.len());
                }
            }
            ("tr", false) if depth == 1 => {
                if let Some(t) = table.as_mut() {
                    end_row(t, &mut grid, &mut cells_total)?;
                    tr_number = tr_number.saturating_add(1);
                    start_row(t, tr_number);
                }
            }
            ("tr", true) if depth == 1 => {
                if let Some(t) = table.as_mut() {
                    end_row(t, &mut grid, &mut cells_total)?;
                }
            }
            ("td" | "th", false) if depth == 1 => {
                if let Some(t) = table.as_mut() {
                    end_cell(t, &mut grid);
                    if t.row.is_none() {
                        tr_number = tr_number.saturating_add(1);
                        start_row(t, tr_number);
                    }
                    if tag.colspan > MAX_COLUMNS || tag.rowspan > MAX_ROWSPAN {
                        return Err(span_too_large(tr_number, &tag));
                    }
                    t.cell = Some((String::new(), tag.colspan, tag.rowspan));
                }
            }
            ("td" | "th", true) if depth == 1 => {
                if let Some(t) = table.as_mut() {
                    end_cell(t, &mut grid);
                }
            }
            ("br", _) => {
                if let Some((text, _, _)) = table.as_mut().and_then(|t| t.cell.as_mut()) {
                    push_collapsed(text, " ");
                }
            }
            _ => {}
        }
    }
    if let Some(mut t) = table.take() {
        end_row(&mut t, &mut grid, &mut cells_total)?;
        tables.push(t.first_row..grid.len());
    }
    // The first table with a header by meaning; else the one with the most rows.
    let chosen = tables
        .iter()
        .find(|r| holds_records(&grid, (*r).clone()))
        .or_else(|| tables.iter().max_by_key(|r| r.len()))
        .cloned()
        .unwrap_or(0..0);
    grid.keep_rows(|i, number| chosen.contains(&i).then_some(number));
    Ok(grid)
}

fn start_row(t: &mut TableState, number: u32) {
    let mut cells = Vec::with_capacity(t.pending.len());
    let mut spanned = Vec::new();
    for (c, p) in t.pending.iter_mut().enumerate() {
        if p.0 > 0 {
            cells.push(p.1);
            p.0 -= 1;
            if p.1 != 0 {
                spanned.push(u16::try_from(c).unwrap_or(u16::MAX));
            }
        } else {
            // Not covered: u32::MAX marks a free column until a cell takes it.
            cells.push(u32::MAX);
        }
    }
    t.row = Some(Row { number, cells, col: 0, spanned });
}

fn push_text(table: &mut Option<TableState>, s: &str) {
    let Some((text, _, _)) = table.as_mut().and_then(|t| t.cell.as_mut()) else { return };
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        push_collapsed(text, &rest[..amp]);
        let after = &rest[amp + 1..];
        match entity(after) {
            Some((c, len)) => {
                push_collapsed(text, c.encode_utf8(&mut [0; 4]));
                rest = &after[len..];
            }
            None => {
                push_collapsed(text, "&");
                rest = after;
            }
        }
    }
    push_collapsed(text, rest);
}

/// Appends `s` with runs of whitespace as one space (none at the start of a line).
fn push_collapsed(text: &mut String, s: &str) {
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{a0}') {
            if !(text.is_empty() || text.ends_with(' ') || text.ends_with('\n')) {
                text.push(' ');
            }
        } else {
            text.push(c);
        }
    }
}

/// The character of the entity `after` starts with (the text after `&`), and its length with the `;`.
fn entity(after: &str) -> Option<(char, usize)> {
    let semi = after.as_bytes().iter().take(12).position(|&c| c == b';')?;
    let name = &after[..semi];
    let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(num, 16).ok()?)?
    } else if let Some(num) = name.strip_prefix('#') {
        char::from_u32(num.parse().ok()?)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" | "ensp" | "emsp" => ' ',
            "middot" => '·',
            "ldquo" => '“',
            "rdquo" => '”',
            "mdash" => '—',
            "times" => '×',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

fn end_cell(t: &mut TableState, grid: &mut Grid) {
    let Some((text, colspan, rowspan)) = t.cell.take() else { return };
    let Some(Row { cells, col, .. }) = t.row.as_mut() else { return };
    let value = grid.add(text.trim_matches(|c: char| c == ' ' || c == '\n'));
    // The first free column at or after `col`.
    while *col < cells.len() && cells[*col] != u32::MAX {
        *col += 1;
    }
    if *col >= MAX_COLUMNS {
        return;
    }
    let span = colspan.clamp(1, MAX_COLUMNS - *col);
    if cells.len() < *col + span {
        cells.resize(*col + span, u32::MAX);
    }
    for k in 0..span {
        let v = if k == 0 { value } else { 0 };
        cells[*col + k] = v;
        if rowspan > 1 {
            if t.pending.len() <= *col + k {
                t.pending.resize(*col + k + 1, (0, 0));
            }
            t.pending[*col + k] = (u32::try_from(rowspan - 1).unwrap_or(0), v);
        }
    }
    *col += span;
}

fn end_row(t: &mut TableState, grid: &mut Grid, total: &mut usize) -> Result<(), ImportError> {
    end_cell(t, grid);
    let Some(Row { number, mut cells, spanned, .. }) = t.row.take() else { return Ok(()) };
    for c in &mut cells {
        if *c == u32::MAX {
            *c = 0;
        }
    }
    *total += cells.len();
    if *total > MAX_CELLS {
        return Err(too_many_cells());
    }
    grid.push_row(number, &cells).map_err(|_| too_many_cells())?;
    // A rowspan's value in the rows below its own: noted as a merged range's, for the column list,
    // a run of neighbouring columns as one range (rowspans that push each row's cells rightwards
    // fill a triangle: one note per cell was 8 bytes × rows² / 2).
    let mut i = 0;
    while let Some(&from) = spanned.get(i) {
        let mut to = from;
        while spanned.get(i + 1).is_some_and(|&c| Some(c) == to.checked_add(1)) {
            to += 1;
            i += 1;
        }
        grid.note_merged_in_last_row(from, to);
        i += 1;
    }
    Ok(())
}

/// A start or end tag: its lowercase name, whether it ends an element, its spans, and its length.
struct Tag {
    name: String,
    end: bool,
    colspan: usize,
    rowspan: usize,
    len: usize,
}

/// Reads the tag at the start of `b` (which starts with `<`); `None` when `<` starts no tag.
fn parse_tag(b: &[u8]) -> Option<Tag> {
    let mut i = 1;
    let end = b.get(1) == Some(&b'/');
    if end {
        i += 1;
    }
    let name_start = i;
    if b.get(1).is_some_and(|&c| c == b'!' || c == b'?') {
        let len = memchr::memchr(b'>', b).map_or(b.len(), |k| k + 1);
        return Some(Tag { name: String::new(), end: false, colspan: 1, rowspan: 1, len });
    }
    if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':' || *c == b'-') {
        i += 1;
    }
    let name = String::from_utf8_lossy(&b[name_start..i]).to_ascii_lowercase();
    let (mut colspan, mut rowspan) = (1, 1);
    // Attributes, up to the `>` that is outside quotes.
    loop {
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace() || *c == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => break,
            Some(b'>') => {
                i += 1;
                break;
            }
            _ => {}
        }
        let attr_start = i;
        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/')) {
            i += 1;
        }
        let attr = &b[attr_start..i];
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value: &[u8] = b"";
        if b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let v_start = i + 1;
                    let v_end = memchr::memchr(q, &b[v_start..]).map_or(b.len(), |k| v_start + k);
                    value = &b[v_start..v_end];
                    i = (v_end + 1).min(b.len());
                }
                _ => {
                    let v_start = i;
                    while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>') {
                        i += 1;
                    }
                    value = &b[v_start..i];
                }
            }
        }
        if attr.len() == 7 && attr.eq_ignore_ascii_case(b"colspan") {
            colspan = span(value);
        } else if attr.len() == 7 && attr.eq_ignore_ascii_case(b"rowspan") {
            rowspan = span(value);
        }
        if i == attr_start {
            i += 1;
        }
    }
    Some(Tag { name, end, colspan, rowspan, len: i.min(b.len()) })
}

/// A span attribute's value: its leading digits, at least 1 (saturating: the caller refuses one
/// past its limit).
fn span(value: &[u8]) -> usize {
    let digits = value.iter().skip_while(|c| c.is_ascii_whitespace()).take_while(|c| c.is_ascii_digit());
    digits.fold(0usize, |n, &c| n.saturating_mul(10).saturating_add(usize::from(c - b'0'))).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(html: &str) -> Vec<(u32, Vec<String>)> {
        let g = read(html, |_, _| false).unwrap();
        (0..g.len())
            .filter_map(|i| g.row(i))
            .map(|(n, r)| (n, (0..r.len()).map(|c| r.get(c).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn spans_entities_and_breaks() {
        let html = "<html><body><table border=1>\
            <tr><td colspan=\"3\">2020年度 学时登记表</td></tr>\
            <tr><th>科目类型</th><th>课程<br/>名称</th><th>学时</th></tr>\
            <tr><td rowspan=2>公需科目</td><td>A&amp;B &lt;1&gt;&#20013;&#x56FD;</td><td>3</td></tr>\
            <tr><td>  C\n  D </td><td>4</td>\
            <tr><td>专业科目<td>E<td>5</table></body></html>";
        assert_eq!(
            rows(html),
            [
                (1, vec!["2020年度 学时登记表".to_owned()]),
                (2, vec!["科目类型".into(), "课程 名称".into(), "学时".into()]),
                (3, vec!["公需科目".into(), "A&B <1>中国".into(), "3".into()]),
                (4, vec!["公需科目".into(), "C D".into(), "4".into()]),
                (5, vec!["专业科目".into(), "E".into(), "5".into()]),
            ]
        );
    }

    #[test]
    fn the_table_that_holds_records_is_kept() {
        let html = "<table><tr><td>说明</td></tr></table><!-- <table><tr><td>x</td></tr></table> -->\
            <table><tr><td>学时</td></tr><tr><td>2</td></tr></table>";
        let g = read(html, |g, r| g.row(r.start).is_some_and(|(_, row)| row.get(0) == "学时")).unwrap();
        assert_eq!((g.len(), g.row(0).map(|(n, _)| n)), (2, Some(2)));
    }

    #[test]
    fn sniffing_and_charset() {
        assert!(sniff(b"\xEF\xBB\xBF  <HTML><table>"));
        assert!(sniff(b"<table><tr><td>1</td></tr></table>"));
        assert!(!sniff(b"a\tb\n<table>"));
        assert!(!sniff(b"<x>"));
        let gbk = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head>\xd1\xa7\xca\xb1";
        assert_eq!(encoding(gbk), Encoding::Gb18030);
        assert_eq!(meta_charset(b"<meta charset='GBK'>").as_deref(), Some("gbk"));
        assert_eq!(encoding("<meta charset=utf-8>学时".as_bytes()), Encoding::Utf8);
    }

    #[test]
    fn hostile_spans_stay_bounded_and_do_not_panic() {
        let mut html = String::from("<table>");
        for _ in 0..200 {
            html.push_str("<tr><td rowspan=10000 colspan=1000>x</td><td colspan=1000 rowspan=0>y");
        }
        let g = read(&html, |_, _| false).unwrap();
        assert_eq!(g.len(), 200);
        assert!((0..g.len()).filter_map(|i| g.row(i)).all(|(_, r)| r.len() <= MAX_COLUMNS));
        for (html, limit) in [
            ("<table><tr><td rowspan=10001>x", "rowspan=10001 超过上限 10000 行"),
            (
                "<table><tr><td>a<tr><td colspan=99999999999999999999999>x",
                "第 2 行的单元格合并范围 colspan=极大值 超过上限 1024 列",
            ),
        ] {
            match read(html, |_, _| false) {
                Err(ImportError::NotATable(m)) => assert!(m.contains(limit), "{m}"),
                other => panic!("{html}: {:?}", other.map(|g| g.len())),
            }
        }
        for junk in [
            "<",
            "<table",
            "<table><tr><td colspan=",
            "<td>&#xFFFFFFFF;&",
            "<table><td>a</td></tr></tr>",
            "</table></td><br>",
        ] {
            let _ = read(junk, |_, _| true);
        }
    }
}
