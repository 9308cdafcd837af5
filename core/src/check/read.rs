//! 读取: the trimmed cells of one row into a [`Record`], with an error (row, column, Chinese
//! message) for each cell that cannot be read.

use chrono::{Datelike, NaiveDate};

use super::Checker;
use crate::columns::{FIELD_COUNT, Field, classify};
use crate::hours::Hours;
use crate::report::{Warning, WarningCode};
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
    pub(super) date: Option<NaiveDate>,
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

/// Cells (trimmed) that say the row is a sum, not a course.
pub(super) fn is_total_row<'c>(mut leading: impl Iterator<Item = &'c str>) -> bool {
    leading.any(|c| {
        // Total rows start with 合/总/小 or say total/sum: a cheap test rules out almost every cell.
        let maybe = c.len() <= 24
            && (c.starts_with(['合', '总', '小']) || c.eq_ignore_ascii_case("total") || c.eq_ignore_ascii_case("sum"));
        maybe && matches!(&*match_key(c), "合计" | "总计" | "小计" | "总计学时" | "合计学时" | "total" | "sum")
    })
}

impl Checker<'_> {
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
            self.warnings.push(Warning {
                row: Some(number),
                code: WarningCode::HeaderRepeated,
                message: format!("第{number}行是重复的表头，已跳过。").into(),
            });
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
        let date = values::date(fields.get(Field::Date)).map_err(|m| self.error(number, Field::Date, m)).ok();
        let year = values::year(fields.get(Field::Year)).map_err(|m| self.error(number, Field::Year, m)).ok();
        let exam = values::exam(fields.get(Field::Exam)).map_err(|m| self.error(number, Field::Exam, m)).ok();
        let filing = values::filing(fields.get(Field::Filing)).map_err(|m| self.error(number, Field::Filing, m)).ok();
        let status = values::status(fields.get(Field::Status)).map_err(|m| self.error(number, Field::Status, m)).ok();
        let (
            Some(hours),
            Some((kind, merged_nature)),
            Some(nature),
            Some(date),
            Some(year),
            Some(exam),
            Some(filing),
            Some(status),
            true,
        ) = (hours, category, nature, date, year, exam, filing, status, ok)
        else {
            return None;
        };
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
            year,
            exam,
            status,
            filing,
        })
    }
}
