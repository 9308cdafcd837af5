//! Workbooks: merged cells said on their column, sheets left unread said beside the verdict, and
//! each row reference given its sheet when several sheets were read (`import::sheets`).

use crate::columns::{Column, Columns, Field};
use crate::import::Sheets;
use crate::import::sheets::WORKBOOKS;
use crate::report::{Assumption, AssumptionCode, Report};

/// A column's note, with how many data rows took their value from a merged range.
pub(super) fn merged_note(c: &Column) -> Option<String> {
    if !WORKBOOKS || c.merged == 0 {
        return c.note.clone();
    }
    let merged = format!("{} 行的值来自合并单元格（取合并区域左上角的值）", c.merged);
    Some(match &c.note {
        Some(note) => format!("{note}；{merged}"),
        None => merged,
    })
}

/// What a verdict of a workbook rests on: hours from a merged range counted on every row it
/// covers (when the range held one total for several rows, the hours are too many); sheets with
/// records under another header not read; several sheets read without a person column, taken as
/// one person's.
pub(super) fn premises(sheets: &Sheets, columns: &Columns) -> Vec<Assumption> {
    if !WORKBOOKS {
        return Vec::new();
    }
    let read: Vec<&str> = sheets.read.iter().map(|s| &**s).collect();
    let mut a = Vec::new();
    let hours = [Field::Hours, Field::RecognisedHours].into_iter().filter_map(|f| columns.column(f));
    for c in hours.filter(|c| c.merged > 0) {
        a.push(Assumption {
            code: AssumptionCode::MergedHours,
            message: format!(
                "“{}”列有 {} 行的学时来自合并单元格，已按每行各计该学时；若合并的是几行共用的一个学时，实际应少计",
                c.label, c.merged
            ),
        });
    }
    if !sheets.other_header.is_empty() {
        a.push(Assumption {
            code: AssumptionCode::SheetsNotRead,
            message: format!(
                "只读取了工作表“{}”；工作表“{}”也有学时记录，但表头不同，未计入",
                read.join("”“"),
                sheets.other_header.join("”“")
            ),
        });
    }
    if sheets.several() && !columns.has_person() {
        a.push(Assumption {
            code: AssumptionCode::SheetsOnePerson,
            message: format!("工作表“{}”中没有姓名或证件号列，按同一人的记录合并计算", read.join("”“")),
        });
    }
    a
}

/// The report's row numbers as people see them: with several sheets read, each row's number in
/// the table carries its sheet; it becomes the sheet's own row, with the sheet beside it.
pub(super) fn place_rows(report: &mut Report, sheets: &Sheets) {
    if !WORKBOOKS {
        return;
    }
    report.sheets.clone_from(&sheets.notes);
    if !sheets.several() {
        return;
    }
    let place = |row: &mut u32, sheet: &mut Option<std::sync::Arc<str>>| {
        let at = sheets.at(*row);
        *row = at.row;
        *sheet = at.sheet;
    };
    for p in &mut report.people {
        for x in p.excluded.iter_mut().chain(p.pending.iter_mut()) {
            place(&mut x.row, &mut x.sheet);
        }
        for w in &mut p.warnings {
            if let Some(row) = &mut w.row {
                place(row, &mut w.sheet);
            }
        }
    }
    for w in &mut report.warnings {
        if let Some(row) = &mut w.row {
            place(row, &mut w.sheet);
        }
    }
    for e in &mut report.errors {
        place(&mut e.row, &mut e.sheet);
    }
    for e in &mut report.ledger {
        place(&mut e.row, &mut e.sheet);
    }
}
