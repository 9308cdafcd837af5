//! Judging a summary's people from their sums (feature `summaries`: the CLI and the page's second
//! module; the first module finds a summary's header and hands the file to the second).

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::NaiveDate;

use super::super::read::{LEAD_COLUMNS, is_total_row};
use super::{Layout, Sum};
use crate::CheckOptions;
use crate::columns::{Field, How};
use crate::deadlines;
use crate::fxhash::FxBuildHasher;
use crate::hours::Hours;
use crate::import::{ImportError, MAX_LISTED_ERROR_ROWS, MAX_PEOPLE, Table};
use crate::policy::Policy;
use crate::report::{
    Assumption, AssumptionCode, ColumnDetail, ColumnMap, Exclusion, LedgerEntry, Outcome, PersonReport, PolicyRef,
    Reason, Report, Requirement, RowCounts, RowError, Tally, Warning, WarningCode,
};
use crate::text::{match_key, trim_cell};
use crate::values;

impl Layout {
    fn sum(&self, s: Sum) -> Option<usize> {
        self.labels.iter().position(|l| l.1 == Some(s))
    }
    fn field(&self, f: Field) -> Option<usize> {
        self.labels.iter().position(|l| l.1.is_none() && l.2 == Some(f))
    }
}

/// `是`/`达标`/`合格` → true, `否`/`未达标`/`不合格` → false; anything else says nothing.
fn stated(cell: &str) -> Option<bool> {
    let key = match_key(cell);
    match &*key {
        "是" | "达标" | "已达标" | "合格" | "完成" | "已完成" | "√" | "✓" | "yes" | "y" => Some(true),
        "否" | "未达标" | "不达标" | "不合格" | "未完成" | "×" | "✗" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Hours of a summary cell: blank or 0 is none.
fn sum_hours(cell: &str) -> Result<Hours, String> {
    if cell.is_empty() || (cell.bytes().all(|b| b == b'0' || b == b'.') && cell.starts_with('0')) {
        return Ok(Hours::ZERO);
    }
    Hours::parse_cell(cell).map_err(|e| e.message(cell))
}

/// One person's row, read.
struct Sums {
    tally: Tally,
    /// The file's 合计学时, when it has one.
    total: Option<Hours>,
    stated: Option<bool>,
}

/// Judges each person of a summary file from its sums.
pub(in crate::check) fn check(
    table: &Table<'_>,
    layout: &Layout,
    policy: &Policy,
    today: NaiveDate,
    options: CheckOptions,
) -> Result<Report, ImportError> {
    let col = |s| layout.sum(s);
    let has_public = [Sum::PublicCompulsory, Sum::PublicElective, Sum::Public].iter().any(|&s| col(s).is_some());
    let found = || layout.labels.iter().map(|l| l.0.clone()).collect::<Vec<_>>();
    if !has_public {
        return Err(ImportError::MissingColumn {
            missing: "公需科目学时（汇总表）".to_owned(), found: found()
        });
    }
    if col(Sum::Professional).is_none() {
        return Err(ImportError::MissingColumn {
            missing: "专业科目学时（汇总表）".to_owned(), found: found()
        });
    }
    let person_col = layout.field(Field::IdNumber).or(layout.field(Field::StaffNo)).or(layout.field(Field::Name));
    let Some(person_col) = person_col else {
        return Err(ImportError::MissingColumn {
            missing: "姓名或身份证号（汇总表每行一人）".to_owned(),
            found: found(),
        });
    };
    let name_col = layout.field(Field::Name);
    let year_col = layout.field(Field::Year);
    let by_id = Some(person_col) != name_col;
    let m = policy.minimums;
    let required = Requirement {
        public_compulsory: m.public_compulsory,
        public: m.public,
        professional: m.professional,
        total: m.total,
    };
    let mut counts = RowCounts::default();
    let mut people: Vec<PersonReport> = Vec::new();
    let mut index: HashMap<String, (usize, u32), FxBuildHasher> = HashMap::default();
    let mut errors: Vec<RowError> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut ledger = Vec::new();
    let mut rows_by_year: Vec<(i32, usize)> = Vec::new();
    let course: Arc<str> = Arc::from("（学时汇总）");
    let label = |i: usize| layout.labels.get(i).map_or(String::new(), |l| l.0.clone());
    table.for_each_data_row(layout.header_row, &mut |number, cells| {
        if cells.is_blank() {
            return ControlFlow::Continue(());
        }
        counts.data += 1;
        let cell = |i: Option<usize>| i.map_or("", |i| trim_cell(cells.get(i)));
        let mut note = |outcome, person: Option<usize>, hours| {
            if options.ledger {
                let mut e = LedgerEntry::new(number, person, outcome, course.clone());
                e.hours = hours;
                ledger.push(e);
            }
        };
        if is_total_row((0..cells.len().min(LEAD_COLUMNS)).map(|i| trim_cell(cells.get(i)))) {
            counts.skipped += 1;
            warnings.push(Warning {
                sheet: None,
                row: Some(number),
                code: WarningCode::TotalRowSkipped,
                message: format!("第{number}行是合计或小计行，已跳过（合计由本工具重新计算）。").into(),
            });
            note(Outcome::Skipped, None, None);
            return ControlFlow::Continue(());
        }
        let mut row_errors: Vec<(String, String)> = Vec::new();
        let person = cell(Some(person_col));
        if person.is_empty() {
            row_errors.push((label(person_col), format!("{}为空：汇总表每行是一个人，请填写", label(person_col))));
        }
        let mut read = |s: Sum| -> Option<Hours> {
            let i = col(s)?;
            match sum_hours(cell(Some(i))) {
                Ok(h) => Some(h),
                Err(e) => {
                    row_errors.push((label(i), e));
                    None
                }
            }
        };
        let (comp, elec, public, pro, total) = (
            read(Sum::PublicCompulsory),
            read(Sum::PublicElective),
            read(Sum::Public),
            read(Sum::Professional),
            read(Sum::Total),
        );
        let year = match values::year(cell(year_col)) {
            Ok(y) => y,
            Err(e) => {
                row_errors.push((year_col.map(label).unwrap_or_default(), e));
                None
            }
        };
        let comp = comp.unwrap_or(Hours::ZERO);
        let public = public.unwrap_or(comp + elec.unwrap_or(Hours::ZERO));
        if comp > public {
            row_errors.push((
                col(Sum::Public).map(label).unwrap_or_default(),
                format!("公需学时 {public} 少于其中的必修学时 {comp}，请核对"),
            ));
        }
        if !row_errors.is_empty() {
            counts.errors += 1;
            if counts.errors <= MAX_LISTED_ERROR_ROWS {
                errors.extend(row_errors.into_iter().map(|(column, message)| RowError {
                    sheet: None,
                    row: number,
                    column,
                    message,
                }));
            }
            note(Outcome::Error, None, None);
            return ControlFlow::Continue(());
        }
        let key = crate::text::id_key(person).into_owned();
        if let Some(&(_, first)) = index.get(&key) {
            counts.errors += 1;
            errors.push(RowError {
                sheet: None,
                row: number,
                column: label(person_col),
                message: format!("与第{first}行是同一人：汇总表每人只应有一行，这一行未计入，请核对"),
            });
            note(Outcome::Error, None, None);
            return ControlFlow::Continue(());
        }
        if people.len() >= MAX_PEOPLE {
            counts.errors += 1;
            note(Outcome::Error, None, None);
            return ControlFlow::Continue(());
        }
        let tally = Tally {
            public_compulsory: comp,
            public_elective: comp.shortfall_to(public),
            public,
            professional: pro.unwrap_or(Hours::ZERO),
            total: public + pro.unwrap_or(Hours::ZERO),
        };
        let sums = Sums { tally, total, stated: stated(cell(layout.sum(Sum::Stated))) };
        let slot = people.len();
        index.insert(key, (slot, number));
        let name = cell(name_col);
        let mut p = judge(&sums, required, number);
        p.person = if name.is_empty() { crate::check::mask_id(person) } else { crate::text::cut(name).into_owned() };
        p.id = by_id.then(|| crate::text::cut(person).into_owned());
        let year = year.unwrap_or(policy.year);
        match rows_by_year.iter_mut().find(|(y, _)| *y == year) {
            Some((_, n)) => *n += 1,
            None => rows_by_year.push((year, 1)),
        }
        if year != policy.year {
            // Another year's sums: listed, not counted for this year.
            p.excluded.push(Exclusion {
                sheet: None,
                row: number,
                reason: Reason::OutsideYear,
                hours: tally.total,
                course: course.clone(),
                message: format!("这一行是{year}年度的学时汇总，不计入{}年度。", policy.year).into(),
            });
            p = PersonReport { hours: Tally::default(), ..p };
            p = rejudge(p, required);
            counts.excluded += 1;
            note(Outcome::Excluded, Some(slot), Some(tally.total));
        } else {
            p.counted = 1;
            counts.counted += 1;
            note(Outcome::Counted, Some(slot), Some(tally.total));
        }
        people.push(p);
        ControlFlow::Continue(())
    });
    if people.is_empty() {
        return Err(ImportError::NoPerson {
            why: "这是每人一行的学时汇总表，但没有一行能读出人员和各类学时".to_owned(),
            errors: errors.iter().take(3).map(|e| format!("第{}行「{}」{}", e.row, e.column, e.message)).collect(),
        });
    }
    let mut assumptions = vec![Assumption {
        code: AssumptionCode::SummaryTotals,
        message: "文件是每人一行的学时汇总，不是逐条课程记录：按各类学时的合计判断，考核、备案、重复、完成日期等逐条规则无法核对".to_owned(),
    }];
    if col(Sum::PublicCompulsory).is_none() {
        assumptions.push(Assumption {
            code: AssumptionCode::NatureAssumedElective,
            message: "文件没有公需必修学时列，公需学时按选修计算（必修是否达到无法确认）".to_owned(),
        });
    }
    if counts.errors > 0 {
        assumptions.push(Assumption {
            code: AssumptionCode::RowsUnreadable,
            message: format!("有 {} 行无法读取，未计入；改正后结果可能不同", counts.errors),
        });
    }
    crate::order::sort_by_key(&mut rows_by_year, |&(y, n)| (i64::from(y), n as i64));
    let details: Vec<ColumnDetail> = layout
        .labels
        .iter()
        .map(|(label, sum, field)| {
            let used =
                |f: Field| Some(f) == *field && [Some(person_col), name_col, year_col].contains(&layout.field(f));
            let (code, read_as, how) = match (sum, field) {
                (Some(s), _) => (s.code(), s.label(), How::Header),
                (None, Some(f)) if used(*f) => (f.code(), f.label(), How::Header),
                _ => ("ignored", "未使用", How::Unused),
            };
            ColumnDetail { column: label.clone(), field: code, read_as, how, note: None, merged_rows: 0 }
        })
        .collect();
    let mut report = Report {
        policy: PolicyRef { year: policy.year, source: policy.source.clone() },
        today,
        format: table.format(),
        header_row: layout.header_row,
        columns: ColumnMap(details.iter().map(|d| (d.column.clone(), d.field)).collect()),
        column_details: details,
        assumptions,
        people,
        deadlines: deadlines::upcoming(policy, today),
        warnings,
        errors,
        rows: counts,
        rows_by_year,
        ledger,
        ledger_truncated: false,
        sheets: Vec::new(),
    };
    // With several sheets read, every row as its sheet numbers it.
    crate::check::sheets::place_rows(&mut report, &table.sheets().cloned().unwrap_or_default());
    Ok(report)
}

/// The verdict from one person's sums, and what it rests on.
fn judge(s: &Sums, required: Requirement, row: u32) -> PersonReport {
    let p = PersonReport {
        person: String::new(),
        id: None,
        hours: s.tally,
        required,
        shortfall: Requirement::default(),
        needed: Hours::ZERO,
        compliant: false,
        assumptions: Vec::new(),
        counted: 0,
        excluded: Vec::new(),
        pending: Vec::new(),
        warnings: Vec::new(),
        listed_of: None,
    };
    let mut p = rejudge(p, required);
    if let Some(total) = s.total
        && total != s.tally.total
    {
        p.warnings.push(Warning {
            sheet: None,
            row: Some(row),
            code: WarningCode::SummaryTotalDiffers,
            message: format!(
                "第{row}行的合计学时 {total} 与各类学时之和 {} 不同，按各类学时之和计算，请核对。",
                s.tally.total
            )
            .into(),
        });
    }
    if let Some(stated) = s.stated
        && stated != p.compliant
    {
        let ours =
            if p.compliant { "已达标".to_owned() } else { format!("未达标（还需 {} 学时）", p.needed) };
        p.assumptions.push(Assumption {
            code: AssumptionCode::StatedVerdictDiffers,
            message: format!(
                "文件的“是否达标”写的是“{}”，按各类学时核算为{ours}，与文件不符，请核对",
                if stated { "是" } else { "否" }
            ),
        });
    }
    p
}

/// Shortfall, needed and compliant from `p.hours`.
fn rejudge(mut p: PersonReport, m: Requirement) -> PersonReport {
    let h = p.hours;
    let shortfall = Requirement {
        public_compulsory: h.public_compulsory.shortfall_to(m.public_compulsory),
        public: h.public.shortfall_to(m.public),
        professional: h.professional.shortfall_to(m.professional),
        total: h.total.shortfall_to(m.total),
    };
    p.needed = shortfall.total.max(shortfall.public_compulsory.max(shortfall.public) + shortfall.professional);
    p.shortfall = shortfall;
    p.compliant = p.needed == Hours::ZERO;
    p
}
