//! 旧版 Excel (.xls, BIFF8), as training platforms and older office PCs still write it: read with
//! calamine, the well-kept reader. Only the CLI and the page's second module (fetched when an .xls
//! arrives) carry it, so the page's first load does not grow.
//!
//! calamine parses every sheet when it opens a file and turns each one's cells into a dense grid
//! spanning its first to its last cell, and it indexes records on trust. So before it sees a byte,
//! [`prepare`] reads the compound file itself ([`super::cfb`]), walks the BIFF records exactly as
//! calamine will, refuses what would make calamine allocate out of proportion to the file or index
//! past a record, blanks out the records we do not use (defined names, dimensions, formula text,
//! and merged cells, which it reads itself with checked lengths), and hands calamine a freshly written container around the checked stream.

use std::collections::HashMap;
use std::io::Cursor;
use std::ops::Range as Span;

use calamine::{Data, Reader, Xls};
use chrono::{Days, NaiveDate};

use super::cfb::{self, Why};
use super::grid::{MAX_MERGES, Merge, MergeError};
use super::{Grid, ImportError};
use std::sync::Arc;

/// Cells calamine may lay out densely, summed over sheets (each sheet's value grid and its formula
/// grid): 16 per byte of input plus 65,536. A real sheet costs at least 6 bytes per cell (MULRK)
/// and usually 10 to 20, so even a sparse real export stays far below it (2,000 rows × 12 columns
/// is 24,000 cells in a file of some 300 KB, against a budget of about 4.9 million), while a file
/// of a few KB that names A1 and IV65536 asks for 16.7 million. calamine keeps each grid and a copy
/// of it at 24 to 32 bytes a cell, so the budget holds its memory to about a kilobyte per input
/// byte plus a few MB.
const CELLS_PER_BYTE: u64 = 16;
const CELLS_BASE: u64 = 65_536;
/// More sheets than this is not a workbook anyone exports.
const MAX_SHEETS: usize = 1024;
/// Records, CONTINUE records included: far past a full 65,536-row sheet of 40 columns.
const MAX_RECORDS: usize = 4_000_000;
/// CONTINUE records after one record: calamine takes each from the front of a list, so their
/// number bounds its work per record (a 130 MB shared-string table needs 16,000).
const MAX_CONTINUES: usize = 16_384;
/// The type given to records we blank out: one calamine ignores everywhere.
const IGNORED: u16 = 0x0000;
/// What `read` says when calamine panicked after all (the pre-scan should make it unreachable).
pub(super) const PANICKED: &str = "读取器内部错误";

/// Every sheet, in workbook order, as rows of text with the sheet's own row numbers, merged
/// ranges filled with their top-left value.
pub(super) fn read(bytes: &[u8]) -> Result<Grid, ImportError> {
    let (file, merges) = prepare(bytes)?;
    // calamine is not ours: should a malformed file still get past `prepare`, it must be an
    // error, never a crash of the checker. (Rust's default hook still prints the panic message to
    // stderr first; the hook is global, so it is left alone.)
    match std::panic::catch_unwind(|| read_sheets(&file, &merges)) {
        Ok(result) => result,
        Err(_) => Err(unreadable(PANICKED)),
    }
}

fn unreadable(why: &str) -> ImportError {
    ImportError::Xlsx(format!("旧版 Excel（.xls）文件无法读取（{why}）；请在 Excel 中另存为 .xlsx 或 CSV 后再试"))
}

fn too_large(rows: u64, cols: u64) -> ImportError {
    ImportError::Xlsx(format!(
        "旧版 Excel（.xls）文件的表格范围过大（{rows}行×{cols}列），无法安全读取；请在 Excel 中另存为 .xlsx 或 CSV 后再试"
    ))
}

/// The sheets calamine read, in the order the workbook names them (`sheet_names`; its
/// `worksheets` go by name), with the merged ranges `prepare` found for each, in the same order.
fn read_sheets(file: &[u8], merges: &[Arc<[Merge]>]) -> Result<Grid, ImportError> {
    let mut book = Xls::new(Cursor::new(file)).map_err(|e| unreadable(&short(&e.to_string())))?;
    let mut grid = Grid::default();
    let mut cells = Vec::new();
    for (k, name) in book.sheet_names().into_iter().enumerate().take(super::sheets::MAX_SHEETS) {
        let Ok(range) = book.worksheet_range(&name) else { continue };
        let name: String = name.chars().take(31).collect();
        grid.begin_sheet(&name);
        let first_row = grid.len();
        let Some((top, left)) = range.start() else { continue };
        for (i, row) in range.rows().enumerate() {
            cells.clear();
            cells.extend(std::iter::repeat_n(0, left as usize));
            for d in row {
                let text = cell(d);
                cells.push(grid.add(&text));
            }
            let number = top.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)).saturating_add(1);
            // Blank rows are dropped by the grid itself.
            grid.push_row(number, &cells).map_err(|_| unreadable("单元格过多"))?;
        }
        if let Some(m) = merges.get(k) {
            grid.fill_merges(first_row, m).map_err(|e| ImportError::Xlsx(e.message()))?;
        }
    }
    Ok(grid)
}

/// The file rewritten for calamine: its checked, defused `Workbook` stream in a new container.
/// With it, each sheet's merged ranges (MERGEDCELLS, read here with checked lengths: calamine
/// indexes them on trust), in the order of the workbook's sheet entries.
fn prepare(bytes: &[u8]) -> Result<(Vec<u8>, SheetMerges), ImportError> {
    let mut stream = cfb::workbook_stream(bytes).map_err(unreadable)?;
    let budget = CELLS_PER_BYTE.saturating_mul(bytes.len() as u64).saturating_add(CELLS_BASE);
    let (end, merges) = check_stream(&mut stream, budget)?;
    stream.truncate(end);
    // Zero records (type 0, length 0) up to the size that needs no mini stream.
    let padded = stream.len().max(cfb::MINI_CUTOFF);
    stream.resize(padded + (padded - stream.len()) % 4, 0);
    Ok((cfb::single_stream(&stream), merges))
}

/// Each sheet entry's merged ranges (a sheet named twice shares one list).
type SheetMerges = Vec<Arc<[Merge]>>;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// One record as calamine's record iterator yields it: a record and the CONTINUE records after it.
/// Kept small (16 bytes, records are at least 4): the list is at most four times the stream.
struct Head {
    at: u32,
    typ: u16,
    len: u16,
    /// Indices into [`Records::conts`].
    conts: (u32, u32),
}

impl Head {
    fn at(&self) -> usize {
        self.at as usize
    }

    fn data(&self) -> Span<usize> {
        self.at() + 4..self.at() + 4 + usize::from(self.len)
    }
}

/// The records of a BIFF stream, framed as calamine frames them; `broken` is where framing fails
/// (calamine returns an error on reaching it).
struct Records {
    heads: Vec<Head>,
    /// Each CONTINUE record's data: where it starts and how long it is.
    conts: Vec<(u32, u16)>,
    broken: Option<usize>,
}

fn records(s: &[u8]) -> Result<Records, ImportError> {
    let mut out = Records { heads: Vec::new(), conts: Vec::new(), broken: None };
    let header = |at: usize| Some((u16_at(s, at)?, usize::from(u16_at(s, at + 2)?)));
    let mut pos = 0;
    'records: while pos < s.len() {
        if out.heads.len() + out.conts.len() >= MAX_RECORDS {
            return Err(unreadable("记录过多"));
        }
        let Some((typ, len)) = header(pos).filter(|(_, len)| s.len() - pos >= len + 4) else {
            out.broken = Some(pos);
            break;
        };
        let at = u32::try_from(pos).map_err(|_| unreadable("工作簿流过长"))?;
        pos += 4 + len;
        let first = out.conts.len();
        while s.len() - pos > 4 {
            let Some((0x003C, len)) = header(pos) else { break };
            if s.len() - pos < len + 4 {
                out.broken = Some(at as usize);
                break 'records;
            }
            if out.conts.len() - first >= MAX_CONTINUES {
                return Err(unreadable("续接记录过多"));
            }
            let data = u32::try_from(pos + 4).map_err(|_| unreadable("工作簿流过长"))?;
            out.conts.push((data, u16::try_from(len).unwrap_or(u16::MAX)));
            pos += 4 + len;
        }
        let conts = (first as u32, out.conts.len() as u32);
        out.heads.push(Head { at, typ, len: u16::try_from(len).unwrap_or(u16::MAX), conts });
    }
    Ok(out)
}

/// Checks the stream as calamine will read it and defuses what we do not use; returns where the
/// readable stream ends, and each sheet entry's merged ranges.
fn check_stream(s: &mut [u8], budget: u64) -> Result<(usize, SheetMerges), ImportError> {
    let recs = records(s)?;
    let reaches_break = |why: Why| if recs.broken.is_some() { Err(unreadable(why)) } else { Ok(()) };

    // The workbook globals: up to the first EOF.
    let mut sheets = Vec::new();
    let mut globals_end = false;
    for h in &recs.heads {
        let data = s.get(h.data()).unwrap_or_default();
        let need = |n: usize, why: Why| if data.len() < n { Err(unreadable(why)) } else { Ok(()) };
        match h.typ {
            0x000A => {
                globals_end = true;
                break;
            }
            // FilePass, CodePage, DateMode, BOF: a u16 read unchecked.
            0x002F | 0x0042 | 0x0022 | 0x0809 => need(2, "记录过短")?,
            // BoundSheet8: the sheet's offset, state and type read unchecked.
            0x0085 => {
                need(6, "工作表记录过短")?;
                sheets.push(u32_at(data, 0).map_or(usize::MAX, |p| p as usize));
                if sheets.len() > MAX_SHEETS {
                    return Err(unreadable("工作表过多"));
                }
            }
            0x00FC => {
                let conts: Vec<&[u8]> = (recs.conts.get(h.conts.0 as usize..h.conts.1 as usize).unwrap_or_default())
                    .iter()
                    .filter_map(|&(at, len)| s.get(at as usize..at as usize + usize::from(len)))
                    .collect();
                check_sst(data, &conts).map_err(unreadable)?;
            }
            _ => {}
        }
    }
    if !globals_end {
        reaches_break("工作簿记录被截断")?;
    }

    // Each sheet from its BOF, as calamine walks it; the same sheet named twice is allocated twice.
    let bofs: HashMap<usize, usize> =
        recs.heads.iter().enumerate().filter(|(_, h)| h.typ == 0x0809).map(|(i, h)| (h.at(), i)).collect();
    let mut areas: HashMap<usize, (Area, Arc<[Merge]>)> = HashMap::new();
    let mut merges = Vec::with_capacity(sheets.len());
    let mut merged = 0usize;
    let mut walked = 0usize;
    let mut total = 0u64;
    let mut largest = Area::default();
    for pos in sheets {
        let first = *bofs.get(&pos).ok_or_else(|| unreadable("工作表位置无效"))?;
        let area = match areas.get(&pos) {
            Some((a, m)) => {
                merges.push(m.clone());
                *a
            }
            None => {
                let (area, steps, ended, sheet_merges) = walk_sheet(s, &recs.heads[first..])?;
                merged += sheet_merges.len();
                if merged > MAX_MERGES {
                    return Err(ImportError::Xlsx(MergeError::TooMany.message()));
                }
                let sheet_merges: Arc<[Merge]> = sheet_merges.into();
                merges.push(sheet_merges.clone());
                if !ended {
                    reaches_break("工作表记录被截断")?;
                }
                walked += steps;
                if walked > 2 * recs.heads.len() + 64 {
                    return Err(unreadable("工作表相互重叠"));
                }
                areas.insert(pos, (area, sheet_merges));
                area
            }
        };
        total = total.saturating_add(area.cells());
        if area.cells() > largest.cells() {
            largest = area;
        }
        if total > budget {
            return Err(too_large(largest.rows, largest.cols));
        }
    }

    // Records whose contents we never use, and whose parsers index on trust, become ignored ones.
    for h in &recs.heads {
        if matches!(h.typ, 0x0200 | 0x00E5 | 0x0018 | 0x0017)
            && let Some(t) = s.get_mut(h.at()..h.at() + 2)
        {
            t.copy_from_slice(&IGNORED.to_le_bytes());
        }
    }
    Ok((recs.broken.unwrap_or(s.len()), merges))
}

/// What one sheet makes calamine allocate: the bounding boxes of its values and of its formulas.
#[derive(Clone, Copy, Default)]
struct Area {
    rows: u64,
    cols: u64,
    formula_cells: u64,
}

impl Area {
    fn cells(&self) -> u64 {
        self.rows.saturating_mul(self.cols).saturating_add(self.formula_cells)
    }
}

#[derive(Default)]
struct Bbox(Option<(u16, u16, u16, u16)>);

impl Bbox {
    fn add(&mut self, row: u16, col: u16) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn size(&self) -> (u64, u64) {
        self.0.map_or((0, 0), |(r0, r1, c0, c1)| (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1))
    }
}

/// One sheet's records from its BOF to its EOF, as calamine's sheet loop reads them: the cells it
/// makes, checked where calamine indexes unchecked. Returns the area, the records walked and
/// whether an EOF ended the sheet, and its merged ranges (MERGEDCELLS: a count, then that many
/// ranges of first row, last row, first column, last column, 0-based; those past the record's
/// length are not read).
fn walk_sheet(s: &mut [u8], heads: &[Head]) -> Result<(Area, usize, bool, Vec<Merge>), ImportError> {
    let mut merges = Vec::new();
    let mut values = Bbox::default();
    let mut formulas = Bbox::default();
    let mut fmla_pos = (0u16, 0u16);
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut steps = 0;
    let mut ended = false;
    for h in heads {
        steps += 1;
        if depth > 0 {
            match h.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let data = s.get(h.data()).unwrap_or_default();
        let len = data.len();
        let at = |i: usize| u16_at(data, i).unwrap_or(0);
        match h.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => {
                ended = true;
                break;
            }
            // Number, Label, RString, BoolErr, Rk, LabelSst: calamine checks these lengths itself
            // (and fails the file below them); at or above them the record is a cell.
            0x0203 if len >= 14 => values.add(at(0), at(2)),
            0x0204 | 0x00D6 if len >= 6 => values.add(at(0), at(2)),
            0x0205 if len >= 8 => values.add(at(0), at(2)),
            0x027E if len >= 10 => values.add(at(0), at(2)),
            0x00FD if len >= 10 => values.add(at(0), at(2)),
            // String: the value of the formula before it.
            0x0207 => values.add(fmla_pos.0, fmla_pos.1),
            // MulRk: calamine computes last − first + 1 in u16 before checking the length.
            0x00BD if len >= 6 => {
                let (first, last) = (at(2), at(len - 2));
                if last < first || last - first == u16::MAX {
                    return Err(unreadable("MULRK 记录无效"));
                }
                if len == 6 + 6 * (usize::from(last - first) + 1) {
                    values.add(at(0), first);
                    values.add(at(0), last);
                }
            }
            0x00E5 if len >= 2 => {
                let count = usize::from(at(0)).min((len - 2) / 8);
                if merges.len() + count > MAX_MERGES {
                    return Err(ImportError::Xlsx(MergeError::TooMany.message()));
                }
                merges.extend((0..count).map(|i| {
                    let r = 2 + 8 * i;
                    Merge {
                        rows: (u32::from(at(r)) + 1, u32::from(at(r + 2)) + 1),
                        cols: (u32::from(at(r + 4)), u32::from(at(r + 6))),
                    }
                }));
            }
            // Formula: calamine parses the formula text from byte 20 on, reading its length
            // unchecked; we never show formulas, so the text is emptied (cce = 0).
            0x0006 if len >= 20 => {
                if len < 22 {
                    return Err(unreadable("公式记录过短"));
                }
                fmla_pos = (at(0), at(2));
                values.add(at(0), at(2));
                formulas.add(at(0), at(2));
                if let Some(cce) = s.get_mut(h.at() + 24..h.at() + 26) {
                    cce.fill(0);
                }
            }
            _ => {}
        }
    }
    let (rows, cols) = values.size();
    let (frows, fcols) = formulas.size();
    Ok((Area { rows, cols, formula_cells: frows.saturating_mul(fcols) }, steps, ended, merges))
}

/// The shared-string table, walked as calamine's `parse_sst` walks it, failing where that would
/// index past the data.
fn check_sst(data: &[u8], conts: &[&[u8]]) -> Result<(), Why> {
    struct Cur<'a, 'b> {
        data: &'a [u8],
        conts: std::slice::Iter<'b, &'a [u8]>,
    }
    impl Cur<'_, '_> {
        fn next_cont(&mut self) -> bool {
            self.conts.next().map(|c| self.data = c).is_some()
        }
        fn advance(&mut self, n: usize) -> Result<(), Why> {
            self.data = self.data.get(n..).ok_or("共享字符串表无效")?;
            Ok(())
        }
        fn skip(&mut self, mut n: usize) -> Result<(), Why> {
            while n > 0 {
                if self.data.is_empty() && !self.next_cont() {
                    return Err("共享字符串表被截断");
                }
                let l = n.min(self.data.len());
                self.advance(l)?;
                n -= l;
            }
            Ok(())
        }
    }
    let mut r = Cur { data: data.get(8..).ok_or("共享字符串表过短")?, conts: conts.iter() };
    while !r.data.is_empty() || r.next_cont() {
        if r.data.is_empty() {
            continue;
        }
        let (Some(cch), Some(&flags)) = (u16_at(r.data, 0), r.data.get(2)) else {
            return Err("共享字符串表无效");
        };
        r.advance(3)?;
        let mut runs = 0;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(r.data, 0).ok_or("共享字符串表无效")?);
            r.advance(2)?;
        }
        let mut ext = 0;
        if flags & 0x4 != 0 {
            // calamine reads an i32 and casts it: a negative one is a huge skip (an error there).
            let v = u32_at(r.data, 0).ok_or("共享字符串表无效")?;
            ext = i32::from_le_bytes(v.to_le_bytes()) as usize;
            r.advance(4)?;
        }
        let mut left = usize::from(cch);
        let mut wide = flags & 0x1 != 0;
        while left > 0 {
            let l = if wide { (r.data.len() / 2).min(left) } else { r.data.len().min(left) };
            r.advance(if wide { 2 * l } else { l })?;
            left -= l;
            if left > 0 {
                if !r.next_cont() {
                    return Err("共享字符串表被截断");
                }
                wide = r.data.first().ok_or("共享字符串表无效")? & 0x1 != 0;
                r.advance(1)?;
            }
        }
        r.skip(runs * 4)?;
        r.skip(ext)?;
    }
    Ok(())
}

/// A message from calamine, cut short (it may quote bytes of the file).
fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

/// One cell as the text a person sees: numbers without a trailing `.0`, dates as 2020-04-01.
fn cell(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map_or_else(|| number(dt.as_f64()), |d| d.to_string()),
    }
}

fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Excel's day count (1900 system, with its phantom 1900-02-29) to a date.
fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial.floor() as u64))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    /// Row `i` of a grid: its number and its cells as text.
    fn cells_of(grid: &Grid, i: usize) -> (u32, Vec<String>) {
        let (number, row) = grid.row(i).unwrap();
        (number, (0..row.len()).map(|c| row.get(c).to_owned()).collect())
    }

    #[test]
    fn cells_read_as_people_see_them() {
        assert_eq!(cell(&Data::Float(24.0)), "24");
        assert_eq!(cell(&Data::Float(4.5)), "4.5");
        assert_eq!(cell(&Data::Int(6)), "6");
        assert_eq!(cell(&Data::Empty), "");
        assert_eq!(serial_date(43_916.0), NaiveDate::from_ymd_opt(2020, 3, 26));
        assert_eq!(serial_date(f64::NAN), None);
    }

    const UNIT: &[u8] = include_bytes!("../../../tests/fixtures/unit-xlwt.xls");
    const LIBREOFFICE: &[u8] = include_bytes!("../../../tests/fixtures/personal-libreoffice.xls");

    fn all_sheets(file: &[u8]) -> Vec<(String, calamine::Range<Data>)> {
        Xls::new(Cursor::new(file)).map(|mut b| b.worksheets()).unwrap()
    }

    #[test]
    fn real_files_read_exactly_as_before() {
        for file in [UNIT, LIBREOFFICE] {
            // Before: calamine on the file as it came; after: on the checked, rewritten file.
            let before = format!("{:?}", read_sheets(file, &[]).unwrap());
            let after = format!("{:?}", read(file).unwrap());
            assert_eq!(before, after);
            assert!(after.len() > 200, "{after}");
            assert_eq!(all_sheets(file), all_sheets(&prepare(file).unwrap().0));
        }
    }

    #[test]
    fn corner_cells_are_refused_before_calamine() {
        for (file, sheets) in [
            (&include_bytes!("../../../tests/fixtures/xls/corner-1.xls")[..], 1),
            (&include_bytes!("../../../tests/fixtures/xls/corner-20.xls")[..], 20),
        ] {
            let Err(ImportError::Xlsx(m)) = prepare(file) else { panic!("{sheets} sheets read") };
            assert!(m.contains("表格范围过大（65536行×256列）"), "{m}");
        }
    }

    #[test]
    fn known_panics_are_refused_up_front() {
        for file in [
            &include_bytes!("../../../tests/fixtures/xls/mut_180.xls")[..],
            include_bytes!("../../../tests/fixtures/xls/mut_214.xls"),
        ] {
            let Err(ImportError::Xlsx(m)) = prepare(file) else { panic!("read") };
            assert!(m.contains(".xls") && !m.contains(PANICKED), "{m}");
        }
    }

    #[test]
    fn malformed_records_are_refused() {
        let mut sst = vec![0u8; 8];
        sst.extend([1, 0, 0x08]); // one string, rich, and no room for its run count
        assert!(check_sst(&sst, &[]).is_err());
        let mut sst = vec![0u8; 8];
        sst.extend([4, 0, 0, b'a', b'b']); // four characters, the rest in an empty CONTINUE
        assert!(check_sst(&sst, &[&[]]).is_err());
        sst.truncate(8);
        sst.extend([2, 0, 0, b'a', b'b']);
        assert_eq!(check_sst(&sst, &[]), Ok(()));
    }

    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend(typ.to_le_bytes());
        out.extend(u16::try_from(data.len()).unwrap().to_le_bytes());
        out.extend(data);
    }

    /// A BIFF8 workbook of our own: one sheet entry per name, each pointing at the same sheet.
    fn workbook(names: &[&str], cells: &[(u16, u16, i32)]) -> Vec<u8> {
        workbook_with(names, cells, &[])
    }

    /// [`workbook`], with these records after the sheet's cells.
    fn workbook_with(names: &[&str], cells: &[(u16, u16, i32)], extra: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let bof = |dt: u16| [&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat();
        let mut globals = Vec::new();
        record(&mut globals, 0x0809, &bof(0x0005));
        let entries = names.iter().map(|n| 4 + 8 + n.len()).sum::<usize>();
        let sheet_at = u32::try_from(globals.len() + entries + 4).unwrap();
        for name in names {
            let data = [&sheet_at.to_le_bytes()[..], &[0, 0, u8::try_from(name.len()).unwrap(), 0], name.as_bytes()];
            record(&mut globals, 0x0085, &data.concat());
        }
        record(&mut globals, 0x000A, &[]);
        assert_eq!(globals.len(), sheet_at as usize);
        record(&mut globals, 0x0809, &bof(0x0010));
        for (row, col, v) in cells {
            let rk = (v << 2) | 2;
            let data = [&row.to_le_bytes()[..], &col.to_le_bytes(), &[0, 0], &rk.to_le_bytes()];
            record(&mut globals, 0x027E, &data.concat());
        }
        for (typ, data) in extra {
            record(&mut globals, *typ, data);
        }
        record(&mut globals, 0x000A, &[]);
        globals.resize(globals.len().max(cfb::MINI_CUTOFF), 0);
        cfb::single_stream(&globals)
    }

    #[test]
    fn a_sparse_two_thousand_row_export_reads() {
        // 2,000 rows × 12 columns with only the first and last column filled: the sparsest a real
        // export gets, and still far inside the budget.
        let cells: Vec<(u16, u16, i32)> = (0..2000u16).flat_map(|r| [(r, 0, i32::from(r)), (r, 11, 7)]).collect();
        let grid = read(&workbook(&["Sheet1"], &cells)).unwrap();
        assert_eq!(grid.len(), 2000);
        assert_eq!(cells_of(&grid, 1999).1, ["1999", "", "", "", "", "", "", "", "", "", "", "7"]);
    }

    #[test]
    fn one_sheet_named_many_times_counts_many_times() {
        let cells = [(0, 0, 1), (255, 255, 2)]; // 65,536 cells a sheet: one fits the budget, 40 do not
        assert!(read(&workbook(&["a"], &cells)).is_ok());
        let names: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let Err(ImportError::Xlsx(m)) = read(&workbook(&names, &cells)) else { panic!("read") };
        assert!(m.contains("（256行×256列）"), "{m}");
    }

    /// MERGEDCELLS: a count, then (first row, last row, first column, last column) each.
    fn merged_cells(ranges: &[(u16, u16, u16, u16)], count: u16) -> (u16, Vec<u8>) {
        let mut data = count.to_le_bytes().to_vec();
        for (r0, r1, c0, c1) in ranges {
            for v in [r0, r1, c0, c1] {
                data.extend(v.to_le_bytes());
            }
        }
        (0x00E5, data)
    }

    #[test]
    fn merged_cells_are_read_with_checked_lengths_and_bounded() {
        // Column 0 of rows 0–2 (sheet rows 1–3) merged: rows 2 and 3 take row 1's value. The
        // record claims more ranges than it holds: only those it holds are read.
        let cells = [(0, 0, 7), (0, 1, 1), (1, 1, 2), (2, 1, 3)];
        let grid = read(&workbook_with(&["a"], &cells, &[merged_cells(&[(0, 2, 0, 0)], 50)])).unwrap();
        let rows: Vec<_> = (0..grid.len()).map(|i| cells_of(&grid, i)).collect();
        let want = |n: u32, b: &str| (n, vec!["7".to_owned(), b.to_owned()]);
        assert_eq!(rows, [want(1, "1"), want(2, "2"), want(3, "3")]);
        // A thousand ranges over the whole sheet cost what its 3 × 2 used cells do: read.
        let whole = vec![(0, 65_535, 0, 255); 1000];
        let grid = read(&workbook_with(&["a"], &cells, &[merged_cells(&whole, 1000)])).unwrap();
        assert_eq!(cells_of(&grid, 2), (3, vec!["7".to_owned(), "7".to_owned()]));
        // Thirty thousand (in thirty records) would write past the used range + 65,536: refused.
        let records: Vec<_> = (0..30).map(|_| merged_cells(&whole, 1000)).collect();
        let Err(ImportError::Xlsx(m)) = read(&workbook_with(&["a"], &cells, &records)) else { panic!("read") };
        assert!(m.contains("合并单元格"), "{m}");
    }

    #[test]
    fn a_stream_past_the_header_difat_reads() {
        // Past 109 FAT sectors (7.1 MB) the written container needs DIFAT sectors: calamine reads
        // them, and the zero records that pad the stream are ignored.
        let file = workbook(&["a"], &[(2, 1, 5)]);
        let mut stream = cfb::workbook_stream(&file).unwrap();
        stream.resize(512 * 128 * 112, 0);
        let grid = read(&cfb::single_stream(&stream)).unwrap();
        assert_eq!(grid.len(), 1);
        assert_eq!(cells_of(&grid, 0), (3, vec!["".to_owned(), "5".to_owned()]));
    }

    #[test]
    fn a_sheet_cut_off_mid_record_is_an_error() {
        let file = workbook(&["a"], &[(0, 0, 1), (1, 0, 2)]);
        let mut stream = cfb::workbook_stream(&file).unwrap();
        let end = stream.iter().rposition(|b| *b != 0).unwrap();
        // Drop the sheet's EOF and cut the last RK record short.
        stream.truncate(end - 5);
        stream.resize(cfb::MINI_CUTOFF, 0xFF);
        let Err(ImportError::Xlsx(m)) = read(&cfb::single_stream(&stream)) else { panic!("read") };
        assert!(m.contains("工作表记录被截断"), "{m}");
    }

    #[test]
    fn a_sheet_entry_must_point_at_a_bof() {
        let mut file = workbook(&["a"], &[(0, 0, 1)]);
        // The stream starts at sector 0, just past the 512-byte header; the offset of the sheet
        // is the first field of the BoundSheet8 record after the 20-byte BOF.
        file[512 + 20 + 4] += 1;
        let Err(ImportError::Xlsx(m)) = read(&file) else { panic!("read") };
        assert!(m.contains("工作表位置无效"), "{m}");
    }

    #[test]
    fn garbage_after_the_signature_is_an_error() {
        let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        bytes.extend(std::iter::repeat_n(0x41, 600));
        assert!(matches!(read(&bytes), Err(ImportError::Xlsx(m)) if m.contains(".xls")));
    }
}
