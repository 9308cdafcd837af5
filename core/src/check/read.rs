//! 读取: the trimmed cells of one row into a [`Record`], with an error (row, column, Chinese
//! message) for each cell that cannot be read.

use chrono::{Datelike, NaiveDate};

use super::Checker;
use crate::columns::{FIELD_COUNT, Field, classify};
use crate::hours::Hours;
use crate::import::{MAX_COLUMNS, MAX_LISTED_ERROR_ROWS, MAX_PEOPLE, Row};
use crate::report::{RowError, Warning, WarningCode};
use crate::text::match_key;
use crate::values::{self, Exam, Filing, Kind, Nature, Status};

/// A row read into its parts.
pub(super) struct Record<'r> {
    /// What tells people apart: the 身份证号/工号, else the 姓名 ("" when the file has no person column).
    pub(super) person: &'r str,
    /// 姓名 ("" when there is no name column).
    pub(super) name: &'r str,
    pub(super) course: &'r str,
    pub(super) kind: Kind,
    pub(super) nature: Option<Nature>,
    pub(super) hours: Hours,
    /// The completion date: the end of the training period when a range is written.
    pub(super) date: Option<NaiveDate>,
    /// The start of the training period (the completion date when a single date is written).
    pub(super) start: Option<NaiveDate>,
    pub(super) year: i32,
    pub(super) exam: Exam,
    pub(super) status: Status,
    pub(super) filing: Filing,
}

/// The trimmed cells of one row, by field.
pub(super) struct Fields<'r>(pub(super) [&'r str; FIELD_COUNT]);

impl<'r> Fields<'r> {
    pub(super) fn get(&self, f: Field) -> &'r str {
        self.0[f as usize]
    }
}

/// Whether decoding left a U+FFFD (EF BF BD) in `s`; `memchr` first, the exact test only on a hit.
fn has_replacement(s: &str) -> bool {
    s.as_bytes().contains(&0xEF) && s.contains('\u{fffd}')
}

/// The error for a cell where decoding left U+FFFD.
const UNDECODABLE: &str = "含有无法识别的字符（文件编码可能有误，请另存为 UTF-8 或 GBK 的 CSV）";

/// How many leading columns may hold a 合计/总计 marker.
pub(super) const LEAD_COLUMNS: usize = 4;

/// Cells (trimmed) that say the row is a sum, not a course: 合计, 总计, 小计, and a subtotal that
/// names a category (公需科目小计, 专业科目小计, 必修课小计, 公需合计…).
pub(super) fn is_total_row<'c>(mut leading: impl Iterator<Item = &'c str>) -> bool {
    leading.any(|c| {
        // Total rows start with 合/总/小, end with 计 (…小计, …合计) or say total/sum: a cheap
        // test rules out almost every cell.
        let maybe = c.len() <= 36
            && (c.starts_with(['合', '总', '小'])
                || c.ends_with('计')
                || c.eq_ignore_ascii_case("total")
                || c.eq_ignore_ascii_case("sum"));
        maybe && is_total_key(&match_key(c))
    })
}

fn is_total_key(key: &str) -> bool {
    if matches!(key, "合计" | "总计" | "小计" | "总计学时" | "合计学时" | "total" | "sum") {
        return true;
    }
    // A subtotal of one category: what comes before 小计/合计 is a category or a nature.
    let Some(what) = ["学时小计", "学时合计", "小计", "合计"].iter().find_map(|s| key.strip_suffix(s))
    else {
        return false;
    };
    !what.is_empty() && SUBTOTAL_OF.contains(&what)
}

/// What a subtotal row names (after [`match_key`]).
const SUBTOTAL_OF: &[&str] = &[
    "公需科目",
    "公需",
    "公需课",
    "公需课程",
    "专业科目",
    "专业",
    "专业课",
    "专业课程",
    "必修",
    "必修课",
    "选修",
    "选修课",
    "公需必修",
    "公需选修",
    "公需科目必修",
    "公需科目选修",
    "公需科目必修课",
    "公需科目选修课",
    "公需课必修",
    "公需课选修",
];

/// What keeps the per-row lists bounded: the errors of the first [`MAX_LISTED_ERROR_ROWS`] rows
/// are listed, later ones only counted; the same for the warnings whose message is made for one
/// row (合计 rows, repeated headers, a name that differs under one ID).
#[derive(Debug, Default)]
pub(super) struct Limits {
    /// Rows with at least one error.
    pub(super) error_rows: usize,
    /// Whether the row being read already has an error (rows may share a number in a workbook).
    row_has_error: bool,
    /// The first row whose errors were not listed.
    first_unlisted_error: Option<u32>,
    /// Warnings made for one row, listed or not, by code (see [`COUNTED`]).
    row_warnings: [usize; COUNTED.len()],
}

/// The warnings whose message is made for one row, so they are listed for the first rows only.
const COUNTED: [WarningCode; 3] =
    [WarningCode::TotalRowSkipped, WarningCode::HeaderRepeated, WarningCode::NameMismatch];

impl Limits {
    /// Called as each row starts; returns the error rows so far.
    pub(super) fn start_row(&mut self) -> usize {
        self.row_has_error = false;
        self.error_rows
    }

    /// The summary that ends a cut error list.
    pub(super) fn unlisted_errors(&self, sheets: &crate::import::Sheets) -> Option<RowError> {
        let row = self.first_unlisted_error?;
        let more = self.error_rows - MAX_LISTED_ERROR_ROWS;
        Some(RowError {
            row,
            sheet: None,
            column: String::new(),
            message: format!(
                "从{}起另有 {more} 行无法读取，未逐一列出（只列出前 {MAX_LISTED_ERROR_ROWS} 行的错误；共 {} 行）",
                sheets.at(row),
                self.error_rows
            ),
        })
    }

    /// Counts a warning made for one row; whether it is listed.
    pub(super) fn listed(&mut self, code: WarningCode) -> bool {
        let Some(i) = COUNTED.iter().position(|&c| c == code) else { return true };
        self.row_warnings[i] += 1;
        self.row_warnings[i] <= MAX_LISTED_ERROR_ROWS
    }

    /// The file-level summaries of the warnings that were counted but not listed.
    pub(super) fn unlisted_warnings(&self) -> impl Iterator<Item = Warning> + '_ {
        COUNTED.iter().zip(self.row_warnings).filter_map(|(&code, n)| {
            let more = n.checked_sub(MAX_LISTED_ERROR_ROWS).filter(|&m| m > 0)?;
            let message = match code {
                WarningCode::TotalRowSkipped => format!("另有 {more} 行合计或小计行已跳过，未逐一列出。"),
                WarningCode::HeaderRepeated => format!("另有 {more} 行重复的表头已跳过，未逐一列出。"),
                _ => format!("另有 {more} 行的姓名与同一证件号前面的姓名不同，按同一人计算，未逐一列出，请核对。"),
            };
            Some(Warning { row: None, sheet: None, code, message: message.into() })
        })
    }
}

impl Checker<'_> {
    /// Records an error in column `f` of row `row`: listed for the first rows with errors, counted for all.
    pub(super) fn error(&mut self, row: u32, f: Field, message: String) {
        let columns = self.columns;
        self.error_with(row, || columns.label(f).to_owned(), message);
    }

    fn error_in(&mut self, row: u32, column: &str, message: String) {
        self.error_with(row, || column.to_owned(), message);
    }

    /// The column's name is looked up only for an error that is listed.
    fn error_with(&mut self, row: u32, column: impl FnOnce() -> String, message: String) {
        let l = &mut self.limits;
        if !l.row_has_error {
            l.row_has_error = true;
            l.error_rows += 1;
            if l.error_rows == MAX_LISTED_ERROR_ROWS + 1 {
                l.first_unlisted_error = Some(row);
            }
        }
        // A streamed ledger lists every error row's errors: they are written and dropped per row.
        if l.error_rows <= MAX_LISTED_ERROR_ROWS || matches!(self.ledger, super::Ledger::Streamed) {
            self.errors.push(RowError { row, sheet: None, column: column(), message });
        }
    }

    /// A file-level warning about one row, listed for the first rows only.
    pub(super) fn row_warning(&mut self, row: u32, code: WarningCode, message: impl FnOnce() -> String) {
        if self.limits.listed(code) {
            self.warnings.push(Warning { row: Some(row), sheet: None, code, message: message().into() });
        }
    }

    /// A row with text past the last column read ([`MAX_COLUMNS`]) is an error: what it says there is unknown.
    pub(super) fn too_wide(&mut self, number: u32, cells: Row<'_>) -> bool {
        if cells.len() <= MAX_COLUMNS {
            return false;
        }
        let rest = (MAX_COLUMNS..cells.len()).map(|i| cells.get(i));
        if rest.clone().all(|c| c.bytes().all(|b| b.is_ascii_whitespace() || matches!(b, b',' | b'\t' | b';'))) {
            return false;
        }
        let column = format!("第{}列起", MAX_COLUMNS + 1);
        self.error_in(
            number,
            &column,
            format!("这一行超过 {MAX_COLUMNS} 列，第 {MAX_COLUMNS} 列以后的内容无法读取；学时记录通常只有十几列，请删除多余的列后再检查"),
        );
        true
    }

    /// Reads the cells of one row; records an error for each cell that cannot be read.
    pub(super) fn read<'r>(&mut self, number: u32, fields: &Fields<'r>) -> Option<Record<'r>> {
        // Hours: the recognised hours when the file has them and the cell is filled in.
        let recognised = fields.get(Field::RecognisedHours);
        let (hours_field, hours_cell) = if !recognised.is_empty() || self.columns.get(Field::Hours).is_none() {
            (Field::RecognisedHours, recognised)
        } else {
            (Field::Hours, fields.get(Field::Hours))
        };
        let hours = Hours::parse_cell(hours_cell);
        if hours.is_err() && classify(hours_cell).is_some_and(|f| matches!(f, Field::Hours | Field::RecognisedHours)) {
            // The header again (two sheets pasted one under the other).
            let at = self.sheets.at(number);
            self.row_warning(number, WarningCode::HeaderRepeated, || format!("{at}是重复的表头，已跳过。"));
            return None;
        }
        let mut ok = true;
        let person = match self.person_column {
            Some((f, _)) => {
                let p = fields.get(f);
                if p.is_empty() {
                    let label = self.columns.label(f);
                    self.error(number, f, format!("{label}为空：文件有{label}列时，每行都要填写，否则无法区分人员"));
                    ok = false;
                } else if self.lossy && has_replacement(p) {
                    self.error(number, f, UNDECODABLE.to_owned());
                    ok = false;
                } else if self.people.len() >= MAX_PEOPLE && !self.person_index.contains_key(p) {
                    self.error(
                        number,
                        f,
                        format!(
                            "文件中的人员超过 {MAX_PEOPLE} 人，此后新出现的人员未核查；请按单位或部门拆分文件后分批检查"
                        ),
                    );
                    ok = false;
                }
                p
            }
            None => "",
        };
        let course = fields.get(Field::Course);
        if self.lossy && has_replacement(course) {
            self.error(number, Field::Course, UNDECODABLE.to_owned());
            ok = false;
        }
        let hours = match hours {
            Ok(h) => Some(h),
            Err(e) => {
                self.error(number, hours_field, e.message(hours_cell));
                None
            }
        };
        let category = if self.columns.get(Field::Category).is_some() {
            values::category(fields.get(Field::Category)).map_err(|m| self.error(number, Field::Category, m)).ok()
        } else {
            // No category column: a merged course name such as "公需科目：知识产权" may still say it.
            values::category(course)
                .map_err(|_| {
                    self.error(number, Field::Course, "文件没有科目类型列，无法判断公需科目或专业科目".to_owned());
                })
                .ok()
        };
        let nature = if self.columns.get(Field::Nature).is_some() {
            values::nature(fields.get(Field::Nature)).map_err(|m| self.error(number, Field::Nature, m)).ok()
        } else {
            Some(None)
        };
        let period = values::period(fields.get(Field::Date)).map_err(|m| self.error(number, Field::Date, m)).ok();
        let year = values::year(fields.get(Field::Year)).map_err(|m| self.error(number, Field::Year, m)).ok();
        let exam = values::exam(fields.get(Field::Exam)).map_err(|m| self.error(number, Field::Exam, m)).ok();
        let filing = values::filing(fields.get(Field::Filing)).map_err(|m| self.error(number, Field::Filing, m)).ok();
        let status = values::status(fields.get(Field::Status)).map_err(|m| self.error(number, Field::Status, m)).ok();
        let (
            Some(hours),
            Some((kind, merged_nature)),
            Some(nature),
            Some(period),
            Some(year),
            Some(exam),
            Some(filing),
            Some(status),
            true,
        ) = (hours, category, nature, period, year, exam, filing, status, ok)
        else {
            return None;
        };
        let (start, date) = (period.map(|p| p.0), period.map(|p| p.1));
        let Some(year) = year.or(date.map(|d| d.year())) else {
            let f = if self.columns.get(Field::Date).is_some() { Field::Date } else { Field::Year };
            self.error(number, f, "缺少完成日期，无法确定学时所属年度".to_owned());
            return None;
        };
        // No exam column: the platform registers passed hours only (the verdict says so).
        let mut exam = if self.columns.get(Field::Exam).is_some() { exam } else { Exam::Passed };
        let mut status = status;
        // A remark that plainly says 不合格 or 未完成 overrides what the row would otherwise be.
        match values::remark(fields.get(Field::Remark)) {
            values::Remark::Failed => exam = Exam::Failed,
            values::Remark::Unfinished => status = Status::Unfinished,
            values::Remark::Nothing => {}
        }
        let name = fields.get(Field::Name);
        Some(Record {
            person,
            name,
            course,
            kind,
            nature: nature.or(merged_nature),
            hours,
            date,
            start,
            year,
            exam,
            status,
            filing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_total_row;

    #[test]
    fn subtotal_rows_are_total_rows() {
        for c in [
            "合计",
            "小计",
            "总计",
            "公需科目小计",
            "专业科目小计",
            "公需科目（必修）小计",
            "必修课小计",
            "公需合计",
            "专业科目学时小计",
            "Total",
        ] {
            assert!(is_total_row([c].into_iter()), "{c}");
        }
        // Courses and other cells that merely contain the words are not.
        for c in ["会计实务", "统计学基础", "小计算器的使用", "公需科目", "审计", "设计", "项目合计划"]
        {
            assert!(!is_total_row([c].into_iter()), "{c}");
        }
    }
}
