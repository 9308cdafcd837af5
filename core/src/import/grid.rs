//! Rows of cells held in memory (a workbook's sheet, a JSON array): every distinct string once,
//! in one text, and each cell an index into it. A string that many cells hold — a workbook's
//! shared string, the empty cell — costs four bytes per cell, never a copy.

use std::collections::HashMap;

use super::{MAX_CELLS, Row};
use crate::fxhash::FxBuildHasher;

/// Rows of cells in memory.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The strings, back to back.
    text: String,
    /// Each string's range of `text`; string 0 is "".
    strings: Vec<(u32, u32)>,
    /// Every row's cells (string indices), row after row.
    cells: Vec<u32>,
    /// Each row's number and its range of `cells`.
    rows: Vec<(u32, u32, u32)>,
    /// Short strings already stored (numbers, 是/否, 专业…), by their bytes: stored once.
    short: HashMap<(u64, u8), u32, FxBuildHasher>,
    /// The keys of `short` in the order they were added (their strings' order), to forget the
    /// newest in [`Grid::truncate`] without going through them all.
    short_order: Vec<(u64, u8)>,
    /// A workbook's sheets in order: each one's name and its first row's index in `rows`
    /// (empty: the rows are one table without a name).
    sheets: Vec<(String, usize)>,
    /// The rows [`Grid::len`] and [`Grid::row`] show (`None`: all), to look at one sheet alone.
    window: Option<(usize, usize)>,
    /// Cells that hold the value of a merged range without being its top-left cell: the row's
    /// index and the first and last column so filled, in row order.
    merged: Vec<(u32, u16, u16)>,
}

/// One merged range of a sheet (合并单元格): its first and last row (the sheet's row numbers)
/// and its first and last column (0-based), as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub rows: (u32, u32),
    pub cols: (u32, u32),
}

/// Merged ranges a sheet may name; past it the workbook is refused.
pub const MAX_MERGES: usize = 1 << 20;

/// Why merged ranges could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeError {
    /// More than [`MAX_MERGES`] ranges, or ranges overlapping so much that filling them would
    /// write more cells than the sheet's used range holds (Excel never writes overlapping ones).
    TooMany,
    /// Filling them would pass [`MAX_CELLS`].
    TooManyCells,
}

impl MergeError {
    /// In Chinese, for the reader's error.
    pub fn message(self) -> String {
        match self {
            MergeError::TooMany => format!(
                "合并单元格过多或相互重叠（合并区域最多 {MAX_MERGES} 个，且填入的单元格不超过表格已用区域），无法读取；请取消合并后再试"
            ),
            MergeError::TooManyCells => {
                format!("填入合并单元格后超过 {MAX_CELLS} 个单元格，无法读取；请删除多余的行列或拆分后再试")
            }
        }
    }
}

/// Strings up to this many bytes are stored once however often they occur.
const SHORT: usize = 8;
/// How many distinct short strings are remembered (past it they are stored as they come).
const SHORT_KEPT: usize = 1 << 16;

/// A grid would pass [`MAX_CELLS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyCells;

impl Default for Grid {
    fn default() -> Grid {
        Grid {
            text: String::new(),
            strings: vec![(0, 0)],
            cells: Vec::new(),
            rows: Vec::new(),
            short: HashMap::default(),
            short_order: Vec::new(),
            sheets: Vec::new(),
            window: None,
            merged: Vec::new(),
        }
    }
}

impl Grid {
    /// Stores `s` and returns its index (0 for the empty string, which is never stored).
    pub fn add(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let key = (s.len() <= SHORT).then(|| {
            let mut word = [0u8; SHORT];
            word[..s.len()].copy_from_slice(s.as_bytes());
            (u64::from_le_bytes(word), s.len() as u8)
        });
        if let Some(&i) = key.as_ref().and_then(|k| self.short.get(k)) {
            return i;
        }
        let start = offset(self.text.len());
        self.text.push_str(s);
        self.strings.push((start, offset(self.text.len())));
        let i = offset(self.strings.len() - 1);
        if let Some(k) = key.filter(|_| self.short.len() < SHORT_KEPT) {
            self.short.insert(k, i);
            self.short_order.push(k);
        }
        i
    }

    /// Appends a row of string indices (from [`Self::add`]); the empty cells at its end are
    /// dropped, and a row of none is not kept (a blank row is skipped by every reader anyway).
    pub fn push_row(&mut self, number: u32, cells: &[u32]) -> Result<(), TooManyCells> {
        let range = self.store(cells)?;
        if range.0 < range.1 {
            self.rows.push((number, range.0, range.1));
        }
        Ok(())
    }

    /// Puts a row before all others (JSON's header, known only at the end).
    pub fn insert_first_row(&mut self, number: u32, cells: &[u32]) -> Result<(), TooManyCells> {
        let range = self.store(cells)?;
        if range.0 < range.1 {
            self.rows.insert(0, (number, range.0, range.1));
        }
        Ok(())
    }

    /// Gives row `i` these cells instead.
    pub fn replace_row(&mut self, i: usize, cells: &[u32]) -> Result<(), TooManyCells> {
        let range = self.store(cells)?;
        if let Some(row) = self.rows.get_mut(i) {
            (row.1, row.2) = range;
        }
        Ok(())
    }

    fn store(&mut self, cells: &[u32]) -> Result<(u32, u32), TooManyCells> {
        let width = cells.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
        if self.cells.len() + width > MAX_CELLS {
            return Err(TooManyCells);
        }
        let start = offset(self.cells.len());
        self.cells.extend_from_slice(&cells[..width]);
        Ok((start, offset(self.cells.len())))
    }

    /// How many rows there are (in the window, when one is set).
    pub fn len(&self) -> usize {
        self.window.map_or(self.rows.len(), |(a, b)| b - a)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many strings are stored (to go back to with [`Self::truncate`]).
    pub fn strings(&self) -> usize {
        self.strings.len()
    }

    /// Drops every row, and the strings stored after the first `strings`.
    pub fn truncate(&mut self, strings: usize) {
        self.rows.clear();
        self.cells.clear();
        self.sheets.clear();
        self.merged.clear();
        self.window = None;
        let strings = strings.max(1);
        while let Some(k) = self.short_order.last() {
            if self.short.get(k).is_some_and(|&i| (i as usize) < strings) {
                break;
            }
            self.short.remove(k);
            self.short_order.pop();
        }
        if let Some(&(_, end)) = self.strings.get(strings - 1) {
            self.strings.truncate(strings);
            self.text.truncate(end as usize);
        }
    }

    /// Row `i`'s number and cells.
    pub fn row(&self, i: usize) -> Option<(u32, Row<'_>)> {
        let i = i + self.window.map_or(0, |w| w.0);
        let &(number, start, end) = self.rows.get(i)?;
        let cells = self.cells.get(start as usize..end as usize)?;
        Some((number, Row::pooled(&self.text, &self.strings, cells)))
    }

    /// Whether any cell holds more than blanks.
    pub fn has_text(&self) -> bool {
        self.cells.iter().any(|&c| !self.string(c).trim().is_empty())
    }

    /// The string with index `i`.
    pub fn string(&self, i: u32) -> &str {
        string(&self.text, &self.strings, i)
    }
}

/// Sheets and merged ranges.
impl Grid {
    /// Starts a sheet: the rows pushed from now on are its rows.
    pub fn begin_sheet(&mut self, name: &str) {
        self.sheets.push((name.to_owned(), self.rows.len()));
    }

    /// How many sheets the rows came from (0: a table without sheets).
    pub fn sheet_count(&self) -> usize {
        self.sheets.len()
    }

    /// Sheet `k`'s name and its rows' indices.
    pub fn sheet(&self, k: usize) -> Option<(&str, std::ops::Range<usize>)> {
        let (name, first) = self.sheets.get(k)?;
        let end = self.sheets.get(k + 1).map_or(self.rows.len(), |s| s.1);
        Some((name.as_str(), *first..end))
    }

    /// Shows only rows `rows` through [`Self::len`] and [`Self::row`] (`None`: all of them).
    pub fn set_window(&mut self, rows: Option<std::ops::Range<usize>>) {
        self.window =
            rows.map(|r| (r.start.min(self.rows.len()), r.end.min(self.rows.len()).max(r.start.min(self.rows.len()))));
    }

    /// The sheets are now these: each one's name and first row's index.
    pub fn set_sheets(&mut self, sheets: Vec<(String, usize)>) {
        self.sheets = sheets;
    }

    /// Keeps only the rows `keep` gives a number for (their new numbers), in order, with what
    /// merged ranges filled in them; the sheets are to be set anew ([`Self::set_sheets`]).
    pub fn keep_rows(&mut self, mut keep: impl FnMut(usize, u32) -> Option<u32>) {
        let mut new_index = vec![u32::MAX; self.rows.len()];
        let mut kept = 0usize;
        for (i, new) in new_index.iter_mut().enumerate() {
            let (old, start, end) = self.rows[i];
            if let Some(number) = keep(i, old) {
                self.rows[kept] = (number, start, end);
                *new = offset(kept);
                kept += 1;
            }
        }
        self.rows.truncate(kept);
        self.merged.retain_mut(|m| match new_index.get(m.0 as usize) {
            Some(&n) if n != u32::MAX => {
                m.0 = n;
                true
            }
            _ => false,
        });
        self.sheets.clear();
        self.window = None;
    }

    /// Gives every cell of the merged ranges `merges` of the sheet whose rows start at index
    /// `first_row` the value of the range's top-left cell, as Excel shows it.
    ///
    /// Bounded by the sheet's used range: only rows the sheet has (a row holding nothing but
    /// part of a range stays blank) and columns up to the widest row are filled, so a range
    /// like A1:XFD1048576 costs what the sheet already holds; the cells written over all ranges
    /// are at most the used range's cells + 65,536 ([`MergeError::TooMany`] past it: only
    /// overlapping ranges, which Excel never writes, get there).
    pub fn fill_merges(&mut self, first_row: usize, merges: &[Merge]) -> Result<(), MergeError> {
        if merges.is_empty() || first_row >= self.rows.len() {
            return Ok(());
        }
        if merges.len() > MAX_MERGES {
            return Err(MergeError::TooMany);
        }
        let rows = first_row..self.rows.len();
        // Looked up by number: a sheet whose rows do not ascend (no writer does that) is left unfilled.
        if !self.rows[rows.clone()].windows(2).all(|w| w[0].0 < w[1].0) {
            return Ok(());
        }
        let width = self.rows[rows.clone()].iter().map(|r| (r.2 - r.1) as usize).max().unwrap_or(0);
        let width = width.min(MAX_COLUMNS_FILLED);
        // Each range with its top-left value, clamped to the used columns; by first row.
        let mut ranges: Vec<(u32, u32, u16, u16, u32)> = Vec::new();
        for m in merges {
            let (r0, r1) = (m.rows.0.min(m.rows.1), m.rows.0.max(m.rows.1));
            let (c0, c1) = (m.cols.0.min(m.cols.1) as usize, m.cols.0.max(m.cols.1) as usize);
            if c0 >= width || (r0 == r1 && c0 == c1) {
                continue;
            }
            let c1 = c1.min(width - 1);
            let Ok(top) = self.rows[rows.clone()].binary_search_by_key(&r0, |r| r.0) else { continue };
            let (_, start, end) = self.rows[first_row + top];
            let value = self.cells.get(start as usize..end as usize).and_then(|c| c.get(c0)).copied().unwrap_or(0);
            if value != 0 {
                ranges.push((r0, r1, c0 as u16, c1 as u16, value));
            }
        }
        if ranges.is_empty() {
            return Ok(());
        }
        ranges.sort_unstable_by_key(|r| r.0);
        let budget = rows.len().saturating_mul(width).saturating_add(65_536);
        let mut work = 0usize;
        let mut next = 0;
        let mut active: Vec<(u32, u32, u16, u16, u32)> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        for i in rows {
            let number = self.rows[i].0;
            while let Some(&r) = ranges.get(next).filter(|r| r.0 <= number) {
                if r.1 >= number {
                    active.push(r);
                }
                next += 1;
            }
            work = work.saturating_add(active.len());
            active.retain(|r| r.1 >= number);
            if active.is_empty() {
                continue;
            }
            let (_, start, end) = self.rows[i];
            scratch.clear();
            scratch.extend_from_slice(self.cells.get(start as usize..end as usize).unwrap_or_default());
            for &(r0, _, c0, c1, value) in &active {
                // The top-left cell keeps its own value; the rest of the top row takes it too.
                let from = if r0 == number { c0 + 1 } else { c0 };
                if from > c1 {
                    continue;
                }
                if scratch.len() <= usize::from(c1) {
                    scratch.resize(usize::from(c1) + 1, 0);
                }
                scratch[usize::from(from)..=usize::from(c1)].fill(value);
                work = work.saturating_add(usize::from(c1 - from) + 1);
                self.merged.push((offset(i), from, c1));
            }
            if work > budget {
                return Err(MergeError::TooMany);
            }
            self.set_row(i, &scratch).map_err(|_| MergeError::TooManyCells)?;
        }
        Ok(())
    }

    /// Row `i` with these cells: written in place when they fit, else stored anew.
    fn set_row(&mut self, i: usize, cells: &[u32]) -> Result<(), TooManyCells> {
        let Some(&(_, start, end)) = self.rows.get(i) else { return Ok(()) };
        let width = cells.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
        if width <= (end - start) as usize {
            if let Some(old) = self.cells.get_mut(start as usize..end as usize) {
                old[..width].copy_from_slice(&cells[..width]);
                old[width..].fill(0);
            }
            return Ok(());
        }
        self.replace_row(i, cells)
    }

    /// Notes that the cells `from..=to` of the last row pushed hold a merged range's value (an
    /// HTML table's `rowspan`, filled as the table is read), as [`Self::fill_merges`] notes them.
    pub fn note_merged_in_last_row(&mut self, from: u16, to: u16) {
        if let Some(last) = self.rows.len().checked_sub(1) {
            self.merged.push((offset(last), from, to));
        }
    }

    /// For each column, how many rows numbered above `after` (the header) hold a value given by
    /// a merged range (not its own top-left cell).
    pub fn merged_rows(&self, after: u32, columns: usize) -> Vec<usize> {
        let mut counts = vec![0usize; columns];
        let mut last = vec![u32::MAX; columns];
        for &(row, from, to) in &self.merged {
            if self.rows.get(row as usize).is_none_or(|r| r.0 <= after) {
                continue;
            }
            for c in usize::from(from)..=usize::from(to).min(columns.saturating_sub(1)) {
                if last[c] != row {
                    last[c] = row;
                    counts[c] += 1;
                }
            }
        }
        counts
    }
}

/// Columns a merged range fills: those a row reads, and the one past them that makes a row too wide.
const MAX_COLUMNS_FILLED: usize = super::MAX_COLUMNS + 1;

/// The string with index `i` of a grid's `text` and `strings`.
#[inline]
pub(super) fn string<'t>(text: &'t str, strings: &[(u32, u32)], i: u32) -> &'t str {
    strings.get(i as usize).and_then(|&(a, b)| text.get(a as usize..b as usize)).unwrap_or("")
}

/// Offsets stay far below 4 GiB (the input is at most 200 MB, a workbook inflates to at most 160 MB).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_stored_once_and_rows_keep_their_numbers() {
        let mut g = Grid::default();
        let a = g.add("课程");
        let empty = g.add("");
        g.push_row(3, &[a, empty, a, 0, 0]).unwrap();
        g.push_row(5, &[]).unwrap();
        g.push_row(6, &[0, 0]).unwrap();
        let (n, r) = g.row(0).unwrap();
        assert_eq!((n, r.len(), r.get(0), r.get(1), r.get(2), r.get(9)), (3, 3, "课程", "", "课程", ""));
        // Blank rows are not kept; short strings are stored once.
        assert!(g.row(1).is_none());
        assert_eq!(g.add("课程"), a);
        assert_ne!(g.add("课程名称一二三"), g.add("课程名称一二四"));
        let before = g.strings();
        g.add("x");
        g.truncate(before);
        assert_eq!((g.len(), g.strings()), (0, before));
        // The short string forgotten with it is stored again, not found at its old index.
        let x = g.add("x");
        assert_eq!((g.string(x), g.string(a)), ("x", "课程"));
    }

    fn cells(g: &Grid, i: usize) -> (u32, Vec<String>) {
        let (n, r) = g.row(i).unwrap();
        (n, (0..r.len()).map(|c| r.get(c).to_owned()).collect())
    }

    #[test]
    fn merged_ranges_fill_the_rows_the_sheet_has_within_its_widest_row() {
        let mut g = Grid::default();
        g.begin_sheet("表");
        let (t, a, b, x) = (g.add("标题"), g.add("公需"), g.add("专业"), g.add("x"));
        g.push_row(1, &[t]).unwrap();
        g.push_row(3, &[x, a, x]).unwrap();
        g.push_row(4, &[x, 0, x]).unwrap();
        // Row 5 is blank but for the range: not made up.
        g.push_row(6, &[x]).unwrap();
        g.push_row(7, &[x, b, x]).unwrap();
        let m = |r0, r1, c0, c1| Merge { rows: (r0, r1), cols: (c0, c1) };
        // The title across every column, 公需 down rows 3–6 (written bottom-up), 专业 down to the
        // sheet's last row and far right, and a range whose top-left cell is empty.
        g.fill_merges(0, &[m(1, 1, 0, 16_383), m(6, 3, 1, 1), m(7, 1_048_576, 1, 16_383), m(4, 4, 1, 2)]).unwrap();
        let text = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(cells(&g, 0), (1, text(&["标题", "标题", "标题"])));
        assert_eq!(cells(&g, 1), (3, text(&["x", "公需", "x"])));
        assert_eq!(cells(&g, 2), (4, text(&["x", "公需", "x"])));
        assert_eq!(cells(&g, 3), (6, text(&["x", "公需"])));
        assert_eq!(cells(&g, 4), (7, text(&["x", "专业", "专业"])));
        assert_eq!(g.len(), 5);
        // Below header row 1: column 1 took 公需 on rows 4 and 6, column 2 专业 on row 7.
        assert_eq!(g.merged_rows(1, 3), [0, 2, 1]);
        assert_eq!(g.merged_rows(4, 3), [0, 1, 1]);
    }

    #[test]
    fn overlapping_ranges_past_the_used_range_are_refused() {
        let mut g = Grid::default();
        let v = g.add("v");
        for r in 1..=100 {
            g.push_row(r, &[v, v]).unwrap();
        }
        let whole = Merge { rows: (1, 1_048_576), cols: (0, 16_383) };
        assert_eq!(g.fill_merges(0, &[whole; 10]), Ok(()));
        assert_eq!(g.fill_merges(0, &[whole; 1000]), Err(MergeError::TooMany));
    }
}
