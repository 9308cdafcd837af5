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

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many strings are stored (to go back to with [`Self::truncate`]).
    pub fn strings(&self) -> usize {
        self.strings.len()
    }

    /// Drops every row, and the strings stored after the first `strings`.
    pub fn truncate(&mut self, strings: usize) {
        self.rows.clear();
        self.cells.clear();
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
}
