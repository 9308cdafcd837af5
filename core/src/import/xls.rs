//! 旧版 Excel (.xls, BIFF8), as training platforms and older office PCs still write it: read with
//! calamine, the well-kept reader. Only the CLI and the page's second module (fetched when an .xls
//! arrives) carry it, so the page's first load does not grow.

use std::io::Cursor;

use calamine::{Data, Reader, Xls};
use chrono::{Days, NaiveDate};

use super::{Grid, ImportError};

/// The first sheet that has any data, as rows of text with the sheet's own row numbers.
pub(super) fn read(bytes: &[u8]) -> Result<Grid, ImportError> {
    // calamine is not ours: a malformed file must be an error, never a crash of the checker.
    match std::panic::catch_unwind(|| read_sheets(bytes)) {
        Ok(result) => result,
        Err(_) => Err(unreadable("文件结构损坏")),
    }
}

fn unreadable(why: &str) -> ImportError {
    ImportError::Xlsx(format!("旧版 Excel（.xls）文件无法读取（{why}）；请在 Excel 中另存为 .xlsx 或 CSV 后再试"))
}

fn read_sheets(bytes: &[u8]) -> Result<Grid, ImportError> {
    let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| unreadable(&short(&e.to_string())))?;
    for (_, range) in book.worksheets() {
        let Some((top, left)) = range.start() else { continue };
        let mut grid = Grid::default();
        let mut cells = Vec::new();
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
        if !grid.is_empty() {
            return Ok(grid);
        }
    }
    Ok(Grid::default())
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
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_people_see_them() {
        assert_eq!(cell(&Data::Float(24.0)), "24");
        assert_eq!(cell(&Data::Float(4.5)), "4.5");
        assert_eq!(cell(&Data::Int(6)), "6");
        assert_eq!(cell(&Data::Empty), "");
        assert_eq!(serial_date(43_916.0), NaiveDate::from_ymd_opt(2020, 3, 26));
        assert_eq!(serial_date(f64::NAN), None);
    }

    #[test]
    fn garbage_after_the_signature_is_an_error() {
        let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        bytes.extend(std::iter::repeat_n(0x41, 600));
        assert!(matches!(read(&bytes), Err(ImportError::Xlsx(m)) if m.contains(".xls")));
    }
}
