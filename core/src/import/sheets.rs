//! 工作表: which sheets of a workbook hold the records.
//!
//! A sheet holds records when a row among its first rows is a header by meaning
//! ([`crate::columns::find_header`]) and at least one row follows it. Sheets named as
//! instructions (填表说明, 示例…) are passed over unless no other sheet holds records; empty
//! sheets and sheets without such a header are not read. When several sheets hold records under
//! the same header (one sheet per person, per month), all of them are read, one after another:
//! the rows of the first keep their numbers, each later one's rows below its own header follow,
//! their row numbers carrying the sheet ([`Sheets::at`]), so every row reference names its sheet.
//! Sheets with records under another header are not read, and the verdict says so.

use std::fmt;
#[cfg(any(feature = "xlsx", feature = "xls"))]
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

#[cfg(any(feature = "xlsx", feature = "xls"))]
use super::{Format, Grid, Table};
#[cfg(any(feature = "xlsx", feature = "xls"))]
use crate::columns::{Field, find_header};

/// Whether this build reads workbooks at all: without a workbook reader (the page's first module)
/// there are never sheets or merged cells, and the code for them is left out.
pub const WORKBOOKS: bool = cfg!(any(feature = "xlsx", feature = "xls"));

/// Sheets read from one workbook, at most (later ones are listed as not read).
pub const MAX_SHEETS: usize = 1024;
/// In a read of several sheets, a row's number is `(sheet << ROW_BITS) | row`: 21 bits hold
/// Excel's 1,048,576 rows, and 11 the sheet ([`MAX_SHEETS`] < 2,048).
const ROW_BITS: u32 = 21;
const ROW_MASK: u32 = (1 << ROW_BITS) - 1;

/// The sheets of a workbook with more than one: which were read and why the others were not.
#[derive(Debug, Clone, Default)]
pub struct Sheets {
    /// The sheets read, in order (row numbers carry the position in this list when it has more
    /// than one).
    pub read: Vec<Arc<str>>,
    /// Every sheet, in workbook order.
    pub notes: Vec<SheetNote>,
    /// Sheets with records under another header, not read.
    pub other_header: Vec<String>,
}

/// One sheet of a workbook and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetNote {
    /// The sheet's name.
    pub name: String,
    /// Whether its rows were read.
    pub read: bool,
    /// Its header row, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u32>,
    /// In Chinese: what it held, and why it was not read.
    pub note: String,
}

/// Where a row is: its sheet (when several were read) and the sheet's own row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAt {
    pub sheet: Option<Arc<str>>,
    pub row: u32,
}

impl fmt::Display for RowAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "{}", row_label(Some(sheet), self.row)),
            None => write!(f, "第{}行", self.row),
        }
    }
}

/// How a row is named to people: 第5行, or “3月”第5行 when several sheets were read. The page
/// (report.js `rowLabel`) writes it the same way.
pub fn row_label(sheet: Option<&str>, row: u32) -> String {
    match sheet {
        Some(s) => format!("“{s}”第{row}行"),
        None => format!("第{row}行"),
    }
}

impl Sheets {
    /// Whether the row numbers carry a sheet.
    pub fn several(&self) -> bool {
        WORKBOOKS && self.read.len() > 1
    }

    /// The row numbered `key` in the table: its sheet and the sheet's own number.
    pub fn at(&self, key: u32) -> RowAt {
        if !self.several() {
            return RowAt { sheet: None, row: key };
        }
        let sheet = self.read.get((key >> ROW_BITS) as usize).cloned();
        RowAt { sheet, row: key & ROW_MASK }
    }

    /// The key of row `row` of read sheet `sheet` (for tests and the ledger's order).
    pub fn key(sheet: usize, row: u32) -> u32 {
        ((sheet as u32) << ROW_BITS) | row.min(ROW_MASK)
    }

    /// The position of a read sheet by name (0 when not found or only one was read).
    pub fn position(&self, name: Option<&str>) -> usize {
        name.and_then(|n| self.read.iter().position(|s| &**s == n)).unwrap_or(0)
    }
}

#[cfg(any(feature = "xlsx", feature = "xls"))]
/// What one sheet looked like.
struct Look {
    rows: Range<usize>,
    header: Option<(u32, Vec<(Field, usize)>)>,
    /// Rows below the header.
    records: usize,
    instructions: bool,
}

#[cfg(any(feature = "xlsx", feature = "xls"))]
/// Whether a sheet's name says it holds instructions or an example, not records.
fn instruction_name(name: &str) -> bool {
    const WORDS: &[&str] =
        &["说明", "须知", "示例", "样例", "范例", "填表", "帮助", "readme", "instruction", "help", "example", "sample"];
    let lower = name.to_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

#[cfg(any(feature = "xlsx", feature = "xls"))]
/// The workbook `grid` (its sheets) as the table to check: see the module's comment.
pub(super) fn select(grid: Grid, format: Format) -> Table<'static> {
    let count = grid.sheet_count();
    if count <= 1 {
        return Table::Grid { grid, format, sheets: Box::default() };
    }
    let mut grid = grid;
    let mut looks = Vec::with_capacity(count);
    for k in 0..count {
        let Some((name, rows)) = grid.sheet(k) else { break };
        let instructions = instruction_name(name);
        grid.set_window(Some(rows.clone()));
        let table = Table::Grid { grid, format, sheets: Box::default() };
        let header = find_header(&table);
        grid = match table {
            Table::Grid { grid, .. } => grid,
            other => return other,
        };
        let records = match &header {
            Some(h) => (0..grid.len()).filter(|&i| grid.row(i).is_some_and(|(n, _)| n > h.header_row)).count(),
            None => 0,
        };
        grid.set_window(None);
        looks.push(Look { rows, header: header.map(|h| (h.header_row, h.present())), records, instructions });
    }
    let holds = |l: &Look| l.header.is_some() && l.records > 0;
    let first = looks
        .iter()
        .position(|l| holds(l) && !l.instructions)
        .or_else(|| looks.iter().position(holds))
        // No sheet with such a header (a per-person summary, or no records at all): the first
        // sheet with anything on it that is not an instruction sheet, else the first at all.
        .or_else(|| looks.iter().position(|l| !l.rows.is_empty() && !l.instructions))
        .or_else(|| looks.iter().position(|l| !l.rows.is_empty()));
    let Some(first) = first else {
        return Table::Grid { grid, format, sheets: Box::default() };
    };
    let by_header = looks[first].header.clone().filter(|_| holds(&looks[first]));
    // The sheets read: the first, and every later one (not an instruction sheet, unless the
    // first is one) holding records under the same header.
    let chosen: Vec<usize> = (0..looks.len())
        .filter(|&k| {
            k == first
                || (k > first
                    && holds(&looks[k])
                    && (!looks[k].instructions || looks[first].instructions)
                    && by_header.as_ref().is_some_and(|(_, sig)| looks[k].header.as_ref().is_some_and(|h| &h.1 == sig)))
        })
        .take(MAX_SHEETS)
        .collect();
    let name_of = |grid: &Grid, k: usize| grid.sheet(k).map_or(String::new(), |(n, _)| n.to_owned());
    let first_name = name_of(&grid, first);
    let mut sheets = Sheets::default();
    for (k, l) in looks.iter().enumerate() {
        let name = name_of(&grid, k);
        let read = chosen.contains(&k);
        let header_row = l.header.as_ref().map(|h| h.0);
        let note = if read {
            match (header_row, by_header.is_some()) {
                (Some(h), true) => format!("已读取（表头在第{h}行，{} 行）", l.records),
                _ => "已读取（未找到学时记录的表头）".to_owned(),
            }
        } else if l.rows.is_empty() {
            "空白，未读取".to_owned()
        } else if holds(l) && l.instructions {
            "是填表说明或示例，未读取".to_owned()
        } else if holds(l) && chosen.len() >= MAX_SHEETS {
            format!("超过 {MAX_SHEETS} 个工作表，未读取")
        } else if holds(l) {
            sheets.other_header.push(name.clone());
            format!("有学时记录，但表头与“{first_name}”不同，未读取")
        } else if l.header.is_some() {
            "只有表头，没有记录，未读取".to_owned()
        } else if l.instructions {
            "是填表说明，未读取".to_owned()
        } else {
            "没有学时记录的表头（课程名称、科目类型、学时等），未读取".to_owned()
        };
        sheets.notes.push(SheetNote { name, read, header_row, note });
    }
    sheets.read = chosen.iter().map(|&k| Arc::from(name_of(&grid, k))).collect();
    // The rows kept: all of the first sheet read, the rows below the header of each later one.
    let several = chosen.len() > 1;
    let mut starts = Vec::with_capacity(chosen.len());
    let mut kept = 0usize;
    let mut position = vec![None; looks.len()];
    for (p, &k) in chosen.iter().enumerate() {
        position[k] = Some(p);
    }
    let mut sheet_of_row = looks.iter().enumerate().flat_map(|(k, l)| l.rows.clone().map(move |_| k));
    grid.keep_rows(|_, number| {
        let k = sheet_of_row.next()?;
        let p = position.get(k).copied().flatten()?;
        if p > 0 && looks[k].header.as_ref().is_none_or(|h| number <= h.0) {
            return None;
        }
        if starts.len() == p {
            starts.push(kept);
        }
        kept += 1;
        Some(if several { Sheets::key(p, number) } else { number })
    });
    let names: Vec<(String, usize)> = sheets.read.iter().map(|n| n.to_string()).zip(starts).collect();
    grid.set_sheets(names);
    Table::Grid { grid, format, sheets: Box::new(sheets) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_named_with_their_sheet_when_several_were_read() {
        let one = Sheets { read: vec![Arc::from("记录")], ..Sheets::default() };
        assert_eq!(one.at(5).to_string(), "第5行");
        let two = Sheets { read: vec![Arc::from("1月"), Arc::from("2月")], ..Sheets::default() };
        assert_eq!(two.at(Sheets::key(0, 5)).to_string(), "“1月”第5行");
        assert_eq!(two.at(Sheets::key(1, 1_048_576)), RowAt { sheet: Some(Arc::from("2月")), row: 1_048_576 });
        assert_eq!(two.position(Some("2月")), 1);
    }

    #[test]
    #[cfg(any(feature = "xlsx", feature = "xls"))]
    fn instruction_sheets_are_told_by_name() {
        assert!(instruction_name("填表说明"));
        assert!(instruction_name("README"));
        assert!(!instruction_name("2020年学时"));
        assert!(!instruction_name("Sheet1"));
    }
}
