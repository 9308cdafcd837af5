//! `.xlsx` workbooks: every sheet, read as rows of text cells into one grid (its shared strings
//! stored once for all of them), merged ranges filled with their top-left value; which sheets
//! hold the records is decided after (`super::sheets`).
//!
//! Numbers are kept as the text Excel stored (`4.5`, `43916` for a date); the value parsers decide
//! what a number means from the column it sits in, so no styles need to be read.

use std::collections::HashMap;

use super::grid::{MAX_MERGES, Merge, MergeError};
use super::xml::{Scanner, Token, attr};
use super::zip::Archive;
use super::{Grid, ImportError, MAX_CELLS, MAX_COLUMNS};

/// Reads every sheet. The shared strings are stored once in the grid, and every cell that uses
/// one holds its index: a long string in many cells is not copied. [`MAX_CELLS`] holds for the
/// sheets together.
pub fn read(bytes: &[u8]) -> Result<Grid, ImportError> {
    let mut zip = Archive::open(bytes)?;
    let mut grid = Grid::default();
    let shared = match zip.find("xl/sharedStrings.xml").cloned() {
        Some(e) => shared_strings(&text_of(zip.read(&e)?), &mut grid),
        None => Vec::new(),
    };
    let sheets = sheet_paths(&mut zip)?;
    if sheets.is_empty() {
        return Err(ImportError::Xlsx("工作簿中没有工作表".to_owned()));
    }
    for (name, path) in sheets.into_iter().take(super::sheets::MAX_SHEETS) {
        let Some(entry) = zip.find(&path).cloned() else {
            continue;
        };
        grid.begin_sheet(&name);
        sheet(&text_of(zip.read(&entry)?), &shared, &mut grid)?;
    }
    if grid.has_text() { Ok(grid) } else { Err(ImportError::Empty) }
}

fn text_of(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Worksheet names and part names in workbook order; falls back to every `xl/worksheets/*.xml`
/// by name (named by their file).
fn sheet_paths(zip: &mut Archive<'_>) -> Result<Vec<(String, String)>, ImportError> {
    let mut paths = Vec::new();
    if let (Some(wb), Some(rels)) =
        (zip.find("xl/workbook.xml").cloned(), zip.find("xl/_rels/workbook.xml.rels").cloned())
    {
        let rels = text_of(zip.read(&rels)?);
        let mut targets = HashMap::new();
        for t in Scanner::new(&rels) {
            if let Token::Start { name: "Relationship", attrs, .. } = t
                && let (Some(id), Some(target)) = (attr(attrs, "Id"), attr(attrs, "Target"))
            {
                targets.entry(id.into_owned()).or_insert_with(|| target.into_owned());
            }
        }
        let wb = text_of(zip.read(&wb)?);
        for t in Scanner::new(&wb) {
            if let Token::Start { name: "sheet", attrs, .. } = t {
                let Some(id) = attr(attrs, "id") else {
                    continue;
                };
                if let Some(target) = targets.get(&*id) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_owned(),
                        None => format!("xl/{}", target.trim_start_matches("./")),
                    };
                    let name: String = attr(attrs, "name").unwrap_or_default().chars().take(MAX_NAME_CHARS).collect();
                    paths.push((name, path));
                }
            }
        }
    }
    if paths.is_empty() {
        let mut names: Vec<String> = zip
            .entries
            .iter()
            .map(|e| e.name.clone())
            .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml") && !n[14..].contains('/'))
            .collect();
        names.sort_by_key(|n| (n.len(), n.clone()));
        paths = names.into_iter().map(|n| (n[14..n.len() - 4].to_owned(), n)).collect();
    }
    Ok(paths)
}

/// A sheet's name is at most 31 characters in Excel; a longer one is cut.
const MAX_NAME_CHARS: usize = 31;

/// `"B3:B6"` → rows 3–6, column 1; a single cell or an unreadable reference is `None`.
fn merge_of(reference: &str) -> Option<Merge> {
    let (a, b) = reference.split_once(':')?;
    let cell = |r: &str| -> Option<(u32, u32)> {
        let col = column_of(r)?;
        let row = r.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse::<u32>().ok()?;
        Some((row, u32::try_from(col).ok()?))
    };
    let ((r0, c0), (r1, c1)) = (cell(a.trim())?, cell(b.trim())?);
    Some(Merge { rows: (r0, r1), cols: (c0, c1) })
}

/// The shared string table, stored in `grid`: each `<si>` is the concatenation of its `<t>` runs
/// (phonetic runs skipped). Returns each string's index in the grid.
fn shared_strings(xml: &str, grid: &mut Grid) -> Vec<u32> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    for t in Scanner::new(xml) {
        match t {
            Token::Start { name: "si", empty, .. } => {
                current.clear();
                if empty {
                    out.push(0);
                }
            }
            Token::End { name: "si" } => {
                out.push(grid.add(&current));
                current.clear();
            }
            Token::Start { name: "t", empty: false, .. } => in_t = true,
            Token::End { name: "t" } => in_t = false,
            Token::Start { name: "rPh", empty: false, .. } => in_phonetic = true,
            Token::End { name: "rPh" } => in_phonetic = false,
            Token::Text(s) if in_t && !in_phonetic => current.push_str(&s),
            _ => {}
        }
    }
    out
}

/// `"BC12"` → column index 54 (0-based).
fn column_of(reference: &str) -> Option<usize> {
    let mut col: usize = 0;
    let mut any = false;
    for b in reference.bytes().take_while(u8::is_ascii_alphabetic) {
        any = true;
        col = col.checked_mul(26)?.checked_add(usize::from(b.to_ascii_uppercase() - b'A' + 1))?;
        if col > 16_384 {
            return None;
        }
    }
    any.then(|| col - 1)
}

/// Tidies a stored number: `0.30000000000000004` → `0.3`. Integers and short decimals pass untouched.
fn tidy_number(v: &str) -> String {
    match v.split_once('.') {
        Some((_, frac)) if frac.len() > 6 && !frac.contains(['e', 'E']) => match v.parse::<f64>() {
            Ok(f) => {
                let s = format!("{f:.6}");
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            Err(_) => v.to_owned(),
        },
        _ => v.to_owned(),
    }
}

fn too_many_cells() -> ImportError {
    ImportError::Xlsx(format!("工作表超过 {MAX_CELLS} 个单元格，无法读取；请删除多余的行列或拆分后再试"))
}

/// Reads a worksheet into `grid`. Cells without a value are not stored; a row is only as wide as
/// its last value, and a value past [`MAX_COLUMNS`] is kept in one extra column (the checker then
/// says the row is too wide).
fn sheet(xml: &str, shared: &[u32], grid: &mut Grid) -> Result<(), ImportError> {
    let first_row = grid.len();
    let mut merges: Vec<Merge> = Vec::new();
    let mut cells: Vec<u32> = Vec::new();
    let mut row: Option<u32> = None;
    let mut next_row_number: u32 = 1;
    // The cell being read: its column, its type, and the text gathered from <v> or <is><t>.
    let mut cell: Option<(usize, String, String)> = None;
    let mut next_col = 0usize;
    let mut in_value = false;
    let end_row = |row: &mut Option<u32>, cells: &mut Vec<u32>, grid: &mut Grid| {
        let pushed = match row.take() {
            Some(number) if !cells.is_empty() => grid.push_row(number, cells).map_err(|_| too_many_cells()),
            _ => Ok(()),
        };
        cells.clear();
        pushed
    };
    for t in Scanner::new(xml) {
        match t {
            Token::Start { name: "row", attrs, empty } => {
                end_row(&mut row, &mut cells, grid)?;
                let number = attr(attrs, "r").and_then(|r| r.parse::<u32>().ok()).unwrap_or(next_row_number);
                next_row_number = number.saturating_add(1);
                next_col = 0;
                if !empty {
                    row = Some(number);
                }
            }
            Token::End { name: "row" } => end_row(&mut row, &mut cells, grid)?,
            Token::Start { name: "c", attrs, empty } => {
                let col = attr(attrs, "r").and_then(|r| column_of(&r)).unwrap_or(next_col);
                next_col = col.saturating_add(1);
                let kind = attr(attrs, "t").map(|t| t.into_owned()).unwrap_or_default();
                if !empty {
                    cell = Some((col, kind, String::new()));
                }
            }
            Token::Start { name: "mergeCell", attrs, .. } => {
                if merges.len() >= MAX_MERGES {
                    return Err(ImportError::Xlsx(MergeError::TooMany.message()));
                }
                merges.extend(attr(attrs, "ref").and_then(|r| merge_of(&r)));
            }
            Token::Start { name: "v" | "t", empty: false, .. } if cell.is_some() => in_value = true,
            Token::End { name: "v" | "t" } => in_value = false,
            Token::Text(s) if in_value => {
                if let Some((_, _, text)) = cell.as_mut() {
                    text.push_str(&s);
                }
            }
            Token::End { name: "c" } => {
                let (Some((col, kind, raw)), true) = (cell.take(), row.is_some()) else {
                    continue;
                };
                let value = match kind.as_str() {
                    "s" => raw.trim().parse::<usize>().ok().and_then(|i| shared.get(i)).copied().unwrap_or(0),
                    "b" => grid.add(if raw.trim() == "1" { "TRUE" } else { "FALSE" }),
                    "e" => 0,
                    "str" | "inlineStr" => grid.add(&raw),
                    _ => grid.add(&tidy_number(raw.trim())),
                };
                let col = col.min(MAX_COLUMNS);
                if value == 0 || (col == MAX_COLUMNS && cells.get(col).is_some_and(|&c| c != 0)) {
                    continue;
                }
                if cells.len() <= col {
                    cells.resize(col + 1, 0);
                }
                cells[col] = value;
            }
            _ => {}
        }
    }
    end_row(&mut row, &mut cells, grid)?;
    grid.fill_merges(first_row, &merges).map_err(|e| ImportError::Xlsx(e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("Z9"), Some(25));
        assert_eq!(column_of("AA3"), Some(26));
        assert_eq!(column_of("BC12"), Some(54));
        assert_eq!(column_of("12"), None);
        assert_eq!(column_of("ZZZZZZZZZZZZZZZZ1"), None);
    }

    #[test]
    fn numbers_are_tidied() {
        assert_eq!(tidy_number("0.30000000000000004"), "0.3");
        assert_eq!(tidy_number("4.5"), "4.5");
        assert_eq!(tidy_number("43916"), "43916");
        assert_eq!(tidy_number("4.4999999999999991"), "4.5");
    }

    #[test]
    fn reads_shared_inline_and_sparse_cells() {
        let mut g = Grid::default();
        let shared = shared_strings(
            r#"<sst><si><t>课程名称</t></si><si><r><t>公需</t></r><r><t>科目</t></r><rPh><t>こう</t></rPh></si><si/></sst>"#,
            &mut g,
        );
        assert_eq!(shared.iter().map(|&i| g.string(i)).collect::<Vec<_>>(), ["课程名称", "公需科目", ""]);
        let xml = r#"<worksheet><sheetData>
            <row r="3"><c r="A3" t="s"><v>0</v></c><c r="C3" t="inlineStr"><is><t>学时</t></is></c></row>
            <row r="5"><c r="B5" t="s"><v>1</v></c><c r="C5"><v>4.5</v></c><c r="D5" t="b"><v>1</v></c><c r="E5" t="e"><v>#N/A</v></c></row>
        </sheetData></worksheet>"#;
        sheet(xml, &shared, &mut g).unwrap();
        let cells = |i: usize| {
            let (n, r) = g.row(i).unwrap();
            (n, (0..r.len()).map(|c| r.get(c).to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(g.len(), 2);
        assert_eq!(cells(0), (3, vec!["课程名称".to_owned(), String::new(), "学时".to_owned()]));
        assert_eq!(cells(1), (5, ["", "公需科目", "4.5", "TRUE"].map(str::to_owned).to_vec()));
    }
}
