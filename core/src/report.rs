//! 检查报告: the result of checking one file against one policy — the `jxjy check --format json`
//! object and what the self-check page shows.

use std::sync::Arc;

use chrono::NaiveDate;
use std::fmt::Write as _;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::columns::How;
use crate::hours::Hours;
use crate::import::Format;

/// Everything learnt from one file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Which policy judged the records.
    pub policy: PolicyRef,
    /// The day deadlines were judged against.
    pub today: NaiveDate,
    /// The format the records were read from.
    pub format: Format,
    /// The header row's number.
    pub header_row: u32,
    /// How each source column was read, in file order: label → field code (or `ignored`).
    pub columns: ColumnMap,
    /// Every source column with what it was read as, how (header, cells, unused) and why.
    pub column_details: Vec<ColumnDetail>,
    /// What every verdict of this file rests on (no exam column, a column read by its cells,
    /// unreadable rows…): shown beside the verdict, not below it.
    pub assumptions: Vec<Assumption>,
    /// One entry per person, in order of first appearance; a single `""` person when the file
    /// has no name/ID column.
    pub people: Vec<PersonReport>,
    /// Deadlines that still matter on `today`.
    pub deadlines: Vec<Deadline>,
    /// File-level warnings.
    pub warnings: Vec<Warning>,
    /// Cells that could not be read.
    pub errors: Vec<RowError>,
    /// How every data row was accounted for.
    pub rows: RowCounts,
    /// Readable rows by the year they belong to (所属年度, else the completion date's year),
    /// ascending: which years this file speaks of (see [`crate::years`]).
    pub rows_by_year: Vec<(i32, usize)>,
    /// Every data row with its outcome (明细), when asked for ([`crate::CheckOptions::ledger`]);
    /// at most `ledger_cap` entries, with `ledger_truncated` set past it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<LedgerEntry>,
    /// Whether the ledger stopped at its cap (the counts in `rows` still cover every row).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ledger_truncated: bool,
    /// A workbook of several sheets: each sheet, whether it was read and why not. When more than
    /// one was read, every row reference (`row`) carries its `sheet`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<crate::import::SheetNote>,
}

/// What became of one data row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 计入: the hours count, in `category`.
    Counted,
    /// 未计入: read, but `reason` says why not.
    Excluded,
    /// 待定: waiting for an exam result or for the study to be finished.
    Pending,
    /// 有错误: a cell could not be read (see `errors`).
    Error,
    /// 跳过: a total row or a repeated header.
    Skipped,
}

impl Outcome {
    /// Every outcome, in ledger-filter order.
    pub const ALL: [Outcome; 5] =
        [Outcome::Counted, Outcome::Excluded, Outcome::Pending, Outcome::Error, Outcome::Skipped];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Counted => "counted",
            Outcome::Excluded => "excluded",
            Outcome::Pending => "pending",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
        }
    }

    /// A short Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Counted => "计入",
            Outcome::Excluded => "未计入",
            Outcome::Pending => "待定",
            Outcome::Error => "有错误",
            Outcome::Skipped => "跳过",
        }
    }
}

/// The requirement a counted row's hours went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counted {
    PublicCompulsory,
    PublicElective,
    Professional,
}

impl Counted {
    /// Every requirement a row can count toward.
    pub const ALL: [Counted; 3] = [Counted::PublicCompulsory, Counted::PublicElective, Counted::Professional];

    pub fn code(self) -> &'static str {
        match self {
            Counted::PublicCompulsory => "public_compulsory",
            Counted::PublicElective => "public_elective",
            Counted::Professional => "professional",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Counted::PublicCompulsory => "公需必修",
            Counted::PublicElective => "公需选修",
            Counted::Professional => "专业科目",
        }
    }
}

/// One data row of the ledger (明细).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub row: u32,
    /// The row's sheet, when several sheets were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Arc<str>>,
    /// Index into `people` (absent for a row whose person could not be read, and for skipped rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<u32>,
    pub outcome: Outcome,
    /// For a counted row: where its hours went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<Counted>,
    /// For an excluded or pending row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    /// The course as written (shared with the other rows that spell it so).
    pub course: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

impl Report {
    /// Says, first among the file's warnings, what the file really was when its name says
    /// otherwise — "文件名为 .xls，实际是网页表格（HTML），已按网页表格读取" — in the core's words
    /// ([`crate::import::format_note`]): the core reads bytes, not names, and the CLI (the path)
    /// and the page (`file.name`) pass the name here.
    pub fn note_file_name(&mut self, file_name: &str) {
        if let Some(note) = crate::import::format_note(self.format, file_name) {
            let code = WarningCode::FormatNotAsNamed;
            self.warnings.insert(0, Warning { row: None, sheet: None, code, message: note.into() });
        }
    }

    /// One line per person, for unit administrators' spreadsheets: UTF-8 with a BOM so Excel
    /// reads it, the ID beside the name, and what the verdict rests on. The CLI's `--format csv`
    /// and the page's export are this same text.
    pub fn people_csv(&self) -> String {
        let mut o = String::new();
        let _ = self.write_people_csv(&mut o);
        o
    }

    /// [`Self::people_csv`], written as it goes.
    pub fn write_people_csv(&self, o: &mut dyn std::fmt::Write) -> std::fmt::Result {
        o.write_str(
            "\u{feff}人员,身份证号/工号,是否达标,还需学时,公需必修,公需合计,专业科目,全年合计,差必修,差公需,差专业,差合计,未计入行数,待定行数,前提\r\n",
        )?;
        for p in &self.people {
            let premise: Vec<&str> =
                self.assumptions.iter().chain(&p.assumptions).map(|a| a.message.as_str()).collect();
            write!(
                o,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
                csv_field(&p.person),
                csv_field(p.id.as_deref().unwrap_or("")),
                if p.compliant { "是" } else { "否" },
                p.needed,
                p.hours.public_compulsory,
                p.hours.public,
                p.hours.professional,
                p.hours.total,
                p.shortfall.public_compulsory,
                p.shortfall.public,
                p.shortfall.professional,
                p.shortfall.total,
                p.excluded_rows(),
                p.pending_rows(),
                csv_field(&premise.join("；"))
            )?;
        }
        Ok(())
    }
}

impl LedgerEntry {
    /// An entry with only its row, person, outcome and course.
    pub fn new(row: u32, person: Option<usize>, outcome: Outcome, course: Arc<str>) -> LedgerEntry {
        let person = person.and_then(|p| u32::try_from(p).ok());
        LedgerEntry { row, sheet: None, person, outcome, counted: None, reason: None, hours: None, course, date: None }
    }
}

/// One row of the ledger as it is written out (see [`crate::check::Checked::for_each_ledger_row`]):
/// the entry, the message of its reason, and the errors listed for the row.
#[derive(Debug, Clone, Copy)]
pub struct LedgerRow<'r> {
    pub entry: &'r LedgerEntry,
    /// Why an excluded or pending row did not count.
    pub message: Option<&'r Message>,
    /// The row's unreadable cells (listed for the first rows with errors only, as in `errors`).
    pub errors: &'r [RowError],
}

impl Report {
    /// The first line of the ledger as CSV for Excel (UTF-8 with BOM); then one
    /// [`Self::write_ledger_line`] per data row. `jxjy check --format ledger` prints this.
    pub const LEDGER_CSV_HEADER: &'static str =
        "\u{feff}行号,人员,身份证号/工号,课程名称,学时,完成日期,结果,计入,原因,说明\r\n";

    /// The ledger CSV's first line for this report: with several sheets read, a 工作表 column
    /// first (each line then starts with its row's sheet).
    pub fn ledger_csv_header(&self) -> &'static str {
        if self.sheets.iter().filter(|s| s.read).nth(1).is_some() {
            "\u{feff}工作表,行号,人员,身份证号/工号,课程名称,学时,完成日期,结果,计入,原因,说明\r\n"
        } else {
            Self::LEDGER_CSV_HEADER
        }
    }

    /// One data row of the ledger CSV: its outcome and why.
    pub fn write_ledger_line(&self, o: &mut dyn std::fmt::Write, row: LedgerRow<'_>) -> std::fmt::Result {
        let e = row.entry;
        let person = e.person.and_then(|i| self.people.get(i as usize));
        let mut why = String::new();
        for err in row.errors {
            if !why.is_empty() {
                why.push('；');
            }
            write!(why, "「{}」{}", err.column, err.message)?;
        }
        if let Some(m) = row.message {
            write!(why, "{m}")?;
        }
        if e.outcome == Outcome::Skipped {
            why.push_str("合计行或重复的表头");
        }
        if let Some(sheet) = &e.sheet {
            write!(o, "{},", csv_field(sheet))?;
        }
        write!(
            o,
            "{},{},{},{},{},{},{},{},{},{}\r\n",
            e.row,
            csv_field(person.map_or("", |p| p.person.as_str())),
            csv_field(person.and_then(|p| p.id.as_deref()).unwrap_or("")),
            csv_field(&e.course),
            e.hours.map(|h| h.to_string()).unwrap_or_default(),
            e.date.map(|d| d.to_string()).unwrap_or_default(),
            e.outcome.label(),
            e.counted.map_or("", Counted::label),
            e.reason.map_or("", Reason::label),
            csv_field(&why)
        )
    }
}

/// Quotes a CSV field when needed, and defuses a leading `=`, `+`, `-` or `@` so a spreadsheet
/// does not run it as a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The Chinese names the page shows for the codes of a report (field, reason, deadline, how a
/// column was read), as a JSON object of objects, so the page never retypes them. Written by
/// hand rather than through `serde_json::Value`: that would add its map code to the wasm module.
pub fn labels() -> String {
    use crate::columns::Field;
    fn object<'a>(o: &mut String, name: &str, pairs: impl Iterator<Item = (&'a str, &'a str)>) {
        o.push('"');
        o.push_str(name);
        o.push_str("\":{");
        for (i, (code, label)) in pairs.enumerate() {
            if i > 0 {
                o.push(',');
            }
            // Codes and labels are our own constants: no character needs escaping.
            o.push('"');
            o.push_str(code);
            o.push_str("\":\"");
            o.push_str(label);
            o.push('"');
        }
        o.push('}');
    }
    let mut o = String::from("{");
    object(
        &mut o,
        "fields",
        Field::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .chain(crate::check::summary_labels())
            .chain([("ignored", "未使用")]),
    );
    o.push(',');
    object(&mut o, "reasons", Reason::ALL.iter().map(|r| (r.code(), r.label())));
    o.push(',');
    object(&mut o, "deadlines", DeadlineCode::ALL.iter().map(|d| (d.code(), d.label())));
    o.push(',');
    object(&mut o, "how", [("header", "按列名"), ("values", "按内容识别"), ("unused", "未使用")].into_iter());
    o.push(',');
    object(&mut o, "outcomes", Outcome::ALL.iter().map(|x| (x.code(), x.label())));
    o.push(',');
    object(&mut o, "counted", Counted::ALL.iter().map(|x| (x.code(), x.label())));
    o.push(',');
    object(&mut o, "assumptions", AssumptionCode::ALL.iter().map(|x| (x.code(), x.label())));
    o.push(',');
    object(&mut o, "warnings", WarningCode::ALL.iter().map(|x| (x.code(), x.label())));
    o.push('}');
    o
}

/// The policy a report was made against.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    pub year: i32,
    pub source: String,
}

/// Source columns in file order, serialised as a JSON object.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(pub Vec<(String, &'static str)>);

impl Serialize for ColumnMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (label, field) in &self.0 {
            m.serialize_entry(label, field)?;
        }
        m.end()
    }
}

/// One source column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnDetail {
    /// The header as written.
    pub column: String,
    /// The field code (`ignored` when unused).
    pub field: &'static str,
    /// The field's Chinese name (未使用 when unused).
    pub read_as: &'static str,
    pub how: How,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Data rows whose value in this column came from a merged range (合并单元格).
    #[serde(skip_serializing_if = "is_zero")]
    pub merged_rows: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Assumption codes (前提).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssumptionCode {
    /// No exam column: every row taken as passed.
    ExamAssumedPassed,
    /// No filing column, or blank filing cells: taken as filed.
    FilingAssumed,
    /// A column was recognised by its cells, not its header.
    ColumnByValues,
    /// Some rows could not be read and did not count.
    RowsUnreadable,
    /// Public hours of unknown nature counted as elective.
    NatureAssumedElective,
    /// Counted rows with a blank 学习状态, taken as finished.
    StatusAssumedFinished,
    /// Counted rows without a completion date.
    DateMissing,
    /// One ID written with several names: counted as one person.
    NameMismatch,
    /// The ID column cannot tell people apart (masked, scientific notation, not IDs).
    IdUnusable,
    /// The file is one row per person of hours per category (年度完成情况): judged from the
    /// sums, no row rule applied.
    SummaryTotals,
    /// The file's own 是否达标 says otherwise than the verdict.
    StatedVerdictDiffers,
    /// Sheets of the workbook with records under another header were not read.
    SheetsNotRead,
    /// Several sheets read without a person column: taken as one person's records.
    SheetsOnePerson,
    /// Hours from a merged range counted on every row it covers.
    MergedHours,
}

impl AssumptionCode {
    /// Every assumption code.
    pub const ALL: [AssumptionCode; 14] = [
        AssumptionCode::ExamAssumedPassed,
        AssumptionCode::FilingAssumed,
        AssumptionCode::ColumnByValues,
        AssumptionCode::RowsUnreadable,
        AssumptionCode::NatureAssumedElective,
        AssumptionCode::StatusAssumedFinished,
        AssumptionCode::DateMissing,
        AssumptionCode::NameMismatch,
        AssumptionCode::IdUnusable,
        AssumptionCode::SummaryTotals,
        AssumptionCode::StatedVerdictDiffers,
        AssumptionCode::SheetsNotRead,
        AssumptionCode::SheetsOnePerson,
        AssumptionCode::MergedHours,
    ];

    /// The stable code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            AssumptionCode::ExamAssumedPassed => "exam_assumed_passed",
            AssumptionCode::FilingAssumed => "filing_assumed",
            AssumptionCode::ColumnByValues => "column_by_values",
            AssumptionCode::RowsUnreadable => "rows_unreadable",
            AssumptionCode::NatureAssumedElective => "nature_assumed_elective",
            AssumptionCode::StatusAssumedFinished => "status_assumed_finished",
            AssumptionCode::DateMissing => "date_missing",
            AssumptionCode::NameMismatch => "name_mismatch",
            AssumptionCode::IdUnusable => "id_unusable",
            AssumptionCode::SummaryTotals => "summary_totals",
            AssumptionCode::StatedVerdictDiffers => "stated_verdict_differs",
            AssumptionCode::SheetsNotRead => "sheets_not_read",
            AssumptionCode::SheetsOnePerson => "sheets_one_person",
            AssumptionCode::MergedHours => "merged_hours",
        }
    }

    /// A short Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            AssumptionCode::ExamAssumedPassed => "按考核合格计算",
            AssumptionCode::FilingAssumed => "按已备案计算",
            AssumptionCode::ColumnByValues => "列按内容识别",
            AssumptionCode::RowsUnreadable => "有无法读取的行",
            AssumptionCode::NatureAssumedElective => "按选修计算",
            AssumptionCode::StatusAssumedFinished => "按已完成计算",
            AssumptionCode::DateMissing => "缺少完成日期",
            AssumptionCode::NameMismatch => "同一证件号有不同姓名",
            AssumptionCode::IdUnusable => "证件号无法区分人员",
            AssumptionCode::SummaryTotals => "按学时汇总判断",
            AssumptionCode::StatedVerdictDiffers => "与文件自填的是否达标不符",
            AssumptionCode::SheetsNotRead => "有工作表未读取",
            AssumptionCode::SheetsOnePerson => "多个工作表按一人计算",
            AssumptionCode::MergedHours => "合并单元格的学时逐行计入",
        }
    }
}

/// One thing a verdict rests on, in a short Chinese phrase.
#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    pub code: AssumptionCode,
    pub message: String,
}

/// Counts that account for every data row below the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Non-blank rows below the header.
    pub data: usize,
    /// Rows whose hours count.
    pub counted: usize,
    /// Rows read but not counted (see `excluded`).
    pub excluded: usize,
    /// Rows waiting for an exam result.
    pub pending: usize,
    /// Rows with at least one unreadable cell.
    pub errors: usize,
    /// Total rows and repeated headers, skipped with a warning.
    pub skipped: usize,
}

/// Hours by requirement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// 公需必修.
    pub public_compulsory: Hours,
    /// 公需选修 (including public hours of unknown nature).
    pub public_elective: Hours,
    /// 公需 in all.
    pub public: Hours,
    /// 专业.
    pub professional: Hours,
    /// 合计.
    pub total: Hours,
}

/// A requirement vector: minimums, or what is still missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub public_compulsory: Hours,
    pub public: Hours,
    pub professional: Hours,
    pub total: Hours,
}

/// The verdict for one person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonReport {
    /// 姓名; 姓名（masked ID） when two people share the name; the masked 身份证号 (or the 工号)
    /// when there is no name; `""` for a file without a person column.
    pub person: String,
    /// The 身份证号 or 工号 as written, when the file has one (people are told apart by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hours that count.
    pub hours: Tally,
    /// The policy's minimums.
    pub required: Requirement,
    /// What is missing per requirement (差额).
    pub shortfall: Requirement,
    /// The fewest extra hours that make this person compliant.
    pub needed: Hours,
    /// Whether every minimum is met.
    pub compliant: bool,
    /// What this person's verdict rests on besides the file's `assumptions`.
    pub assumptions: Vec<Assumption>,
    /// How many rows counted.
    pub counted: usize,
    /// Rows that were read but do not count.
    pub excluded: Vec<Exclusion>,
    /// Rows waiting for an exam result.
    pub pending: Vec<Exclusion>,
    /// Row warnings.
    pub warnings: Vec<Warning>,
    /// How many entries `excluded`, `pending` and `warnings` stand for when those lists were cut
    /// to their first ones ([`PersonReport::cap_lists`]: the page's, so that a million repeated rows do not
    /// become a million table rows); absent when they are whole, as in the CLI's reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_of: Option<ListedOf>,
}

/// The rows behind a person's cut `excluded`, `pending` and `warnings` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListedOf {
    pub excluded: usize,
    pub pending: usize,
    pub warnings: usize,
}

impl PersonReport {
    /// Keeps the first `cap` entries of `excluded`, `pending` and `warnings` (a row warning each);
    /// when any had more, their full numbers go in `listed_of`. The verdict, the hours and the
    /// counts are unchanged.
    pub fn cap_lists(&mut self, cap: usize) {
        if self.excluded.len() > cap || self.pending.len() > cap || self.warnings.len() > cap {
            let warnings = self.listed_of.map_or(self.warnings.len(), |l| l.warnings);
            self.listed_of = Some(ListedOf { excluded: self.excluded_rows(), pending: self.pending_rows(), warnings });
            for list in [&mut self.excluded, &mut self.pending] {
                list.truncate(cap);
                list.shrink_to_fit();
            }
            self.warnings.truncate(cap);
            self.warnings.shrink_to_fit();
        }
    }

    /// How many of this person's rows did not count, listed or not.
    pub fn excluded_rows(&self) -> usize {
        self.listed_of.map_or(self.excluded.len(), |l| l.excluded)
    }

    /// How many of this person's rows wait for an exam result, listed or not.
    pub fn pending_rows(&self) -> usize {
        self.listed_of.map_or(self.pending.len(), |l| l.pending)
    }
}

/// Why a row does not count (不计入原因), in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A training period that starts in one year and ends in another (本站理解: counted for neither).
    SpansYears,
    OutsideYear,
    CompletedOutsideYear,
    MakeupForEarlierYear,
    MakeupOutsideWindow,
    FreezePeriod,
    NotCompleted,
    ExamNotPassed,
    ExamPending,
    NotFiled,
    Duplicate,
}

impl Reason {
    /// Every reason, in the order they are checked.
    pub const ALL: [Reason; 11] = [
        Reason::SpansYears,
        Reason::OutsideYear,
        Reason::CompletedOutsideYear,
        Reason::MakeupForEarlierYear,
        Reason::MakeupOutsideWindow,
        Reason::FreezePeriod,
        Reason::NotCompleted,
        Reason::ExamNotPassed,
        Reason::ExamPending,
        Reason::NotFiled,
        Reason::Duplicate,
    ];

    /// A short Chinese name, for lists and tables.
    pub fn label(self) -> &'static str {
        match self {
            Reason::SpansYears => "培训时间跨年度",
            Reason::OutsideYear => "不属于本年度",
            Reason::CompletedOutsideYear => "完成日期不在本年度",
            Reason::NotCompleted => "学习未完成",
            Reason::MakeupForEarlierYear => "往年补学",
            Reason::MakeupOutsideWindow => "补学不在补学期间",
            Reason::FreezePeriod => "年终结转期",
            Reason::ExamNotPassed => "考核不合格",
            Reason::ExamPending => "待考核",
            Reason::NotFiled => "未备案",
            Reason::Duplicate => "重复记录",
        }
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::SpansYears => "spans_years",
            Reason::OutsideYear => "outside_year",
            Reason::CompletedOutsideYear => "completed_outside_year",
            Reason::NotCompleted => "not_completed",
            Reason::MakeupForEarlierYear => "makeup_for_earlier_year",
            Reason::MakeupOutsideWindow => "makeup_outside_window",
            Reason::FreezePeriod => "freeze_period",
            Reason::ExamNotPassed => "exam_not_passed",
            Reason::ExamPending => "exam_pending",
            Reason::NotFiled => "not_filed",
            Reason::Duplicate => "duplicate",
        }
    }
}

/// A row that did not count.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub row: u32,
    /// The row's sheet, when several sheets were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Arc<str>>,
    pub reason: Reason,
    pub hours: Hours,
    /// The course name as written (shared between the rows that spell it the same way).
    pub course: Arc<str>,
    /// The reason in plain Chinese (shared between rows with the same reason, so cheap to clone).
    pub message: Message,
}

/// Why a row did not count, in plain Chinese. Most messages are shared by every row they fit; a
/// duplicate's names the row it repeats, so it is written out only when shown: a file of a
/// million repeated rows holds no million messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A message shared by the rows it fits.
    Shared(Arc<str>),
    /// 与第N行是……重复记录: the row this one repeats.
    DuplicateOf(u32),
    /// The same, the row it repeats on a sheet (several sheets read): 与“4月”第N行….
    DuplicateIn(Arc<str>, u32),
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Shared(m) => f.write_str(m),
            Message::DuplicateOf(row) => {
                write!(f, "与第{row}行是同一人、同一课程、同一日期、同一学时的重复记录，只计一次。")
            }
            Message::DuplicateIn(sheet, row) => {
                write!(f, "与“{sheet}”第{row}行是同一人、同一课程、同一日期、同一学时的重复记录，只计一次。")
            }
        }
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Shared(m) => s.serialize_str(m),
            Message::DuplicateOf(_) | Message::DuplicateIn(..) => s.collect_str(self),
        }
    }
}

impl From<Arc<str>> for Message {
    fn from(m: Arc<str>) -> Message {
        Message::Shared(m)
    }
}

impl From<String> for Message {
    fn from(m: String) -> Message {
        Message::Shared(m.into())
    }
}

/// Warning codes (提示).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    NatureUnknown,
    FilingUnknown,
    ExamColumnMissing,
    TotalRowSkipped,
    HeaderRepeated,
    FutureDate,
    MakeupNeedsApproval,
    NameMismatch,
    /// A summary's 合计学时 is not the sum of its categories.
    SummaryTotalDiffers,
    /// The file's name says one format, its bytes another (a web page saved as .xls): see
    /// [`crate::import::format_note`]. Added by [`Report::note_file_name`], as the front ends
    /// know the name.
    FormatNotAsNamed,
}

impl WarningCode {
    /// Every warning code.
    pub const ALL: [WarningCode; 10] = [
        WarningCode::NatureUnknown,
        WarningCode::FilingUnknown,
        WarningCode::ExamColumnMissing,
        WarningCode::TotalRowSkipped,
        WarningCode::HeaderRepeated,
        WarningCode::FutureDate,
        WarningCode::MakeupNeedsApproval,
        WarningCode::NameMismatch,
        WarningCode::SummaryTotalDiffers,
        WarningCode::FormatNotAsNamed,
    ];

    /// The stable code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            WarningCode::NatureUnknown => "nature_unknown",
            WarningCode::FilingUnknown => "filing_unknown",
            WarningCode::ExamColumnMissing => "exam_column_missing",
            WarningCode::TotalRowSkipped => "total_row_skipped",
            WarningCode::HeaderRepeated => "header_repeated",
            WarningCode::FutureDate => "future_date",
            WarningCode::MakeupNeedsApproval => "makeup_needs_approval",
            WarningCode::NameMismatch => "name_mismatch",
            WarningCode::SummaryTotalDiffers => "summary_total_differs",
            WarningCode::FormatNotAsNamed => "format_not_as_named",
        }
    }

    /// A short Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            WarningCode::NatureUnknown => "未注明必修或选修",
            WarningCode::FilingUnknown => "未填写是否备案",
            WarningCode::ExamColumnMissing => "没有考核结果列",
            WarningCode::TotalRowSkipped => "合计或小计行已跳过",
            WarningCode::HeaderRepeated => "重复的表头",
            WarningCode::FutureDate => "完成日期晚于今天",
            WarningCode::MakeupNeedsApproval => "补学须事先获批",
            WarningCode::NameMismatch => "姓名不一致",
            WarningCode::SummaryTotalDiffers => "合计学时与各类之和不同",
            WarningCode::FormatNotAsNamed => "文件类型与扩展名不符",
        }
    }
}

/// A warning, for one row or for the whole file.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// The row's sheet, when several sheets were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Arc<str>>,
    pub code: WarningCode,
    /// Shared between rows with the same warning, so a warning on every row costs no allocation.
    pub message: Arc<str>,
}

/// An unreadable cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: u32,
    /// The row's sheet, when several sheets were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Arc<str>>,
    /// The column's header as written.
    pub column: String,
    pub message: String,
}

/// Deadline codes (时间节点).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineCode {
    AnnualReview,
    Freeze,
    MakeupApplication,
    MakeupStudyEnd,
    PlanFiling,
    KeyTalentReport,
}

impl DeadlineCode {
    /// Every deadline code.
    pub const ALL: [DeadlineCode; 6] = [
        DeadlineCode::AnnualReview,
        DeadlineCode::Freeze,
        DeadlineCode::MakeupApplication,
        DeadlineCode::MakeupStudyEnd,
        DeadlineCode::PlanFiling,
        DeadlineCode::KeyTalentReport,
    ];

    /// The stable code (as serialised).
    pub fn code(self) -> &'static str {
        match self {
            DeadlineCode::AnnualReview => "annual_review",
            DeadlineCode::Freeze => "freeze",
            DeadlineCode::MakeupApplication => "makeup_application",
            DeadlineCode::MakeupStudyEnd => "makeup_study_end",
            DeadlineCode::PlanFiling => "plan_filing",
            DeadlineCode::KeyTalentReport => "key_talent_report",
        }
    }

    /// A short Chinese name, for lists and calendars.
    pub fn label(self) -> &'static str {
        match self {
            DeadlineCode::AnnualReview => "年度审核截止",
            DeadlineCode::Freeze => "数据年终结转期",
            DeadlineCode::MakeupApplication => "补学补审申请",
            DeadlineCode::MakeupStudyEnd => "补学期间",
            DeadlineCode::PlanFiling => "培训计划申报截止",
            DeadlineCode::KeyTalentReport => "骨干人才培训情况报送",
        }
    }
}

/// A deadline that still matters.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// The last day (for a period, its last day).
    pub date: NaiveDate,
    /// For a period, its first day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    pub code: DeadlineCode,
    /// Days from today to `date` (0 on the day itself).
    pub days_left: i64,
    /// For a period that has not begun: days from today to `start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_in: Option<i64>,
    /// Whether today falls inside the period (for a single day: is that day).
    pub active: bool,
    /// Who acts: 本人, 各单位, 县（市、区）人社局…
    pub who: String,
    /// What to do, in plain Chinese.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_what_serde_writes() {
        for c in DeadlineCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        for r in Reason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        for a in AssumptionCode::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.code());
        }
        for w in WarningCode::ALL {
            assert_eq!(serde_json::to_value(w).unwrap(), w.code());
        }
        // ALL is in check order (the derived Ord is the declaration order).
        assert!(Reason::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn labels_cover_every_code() {
        let l: serde_json::Value = serde_json::from_str(&labels()).unwrap();
        assert_eq!(l["reasons"]["not_completed"], "学习未完成");
        assert_eq!(l["fields"]["status"], "学习状态");
        assert_eq!(l["fields"]["ignored"], "未使用");
        assert_eq!(l["deadlines"].as_object().unwrap().len(), DeadlineCode::ALL.len());
        assert_eq!(l["reasons"]["spans_years"], "培训时间跨年度");
        assert_eq!(l["assumptions"]["summary_totals"], "按学时汇总判断");
        assert_eq!(l["assumptions"].as_object().unwrap().len(), AssumptionCode::ALL.len());
        assert_eq!(l["warnings"].as_object().unwrap().len(), WarningCode::ALL.len());
        assert_eq!(l["fields"]["sum_professional"], "专业科目学时（汇总）");
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("张三"), "张三");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
