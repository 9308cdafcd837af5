//! 学时核查: reads each data row into a record and judges it against the policy.
//!
//! One pass over the rows after the header. Each row ends in exactly one of: counted, excluded
//! (with the first reason that applies), pending, error, or skipped (a total row) — so the
//! counts in [`RowCounts`] always add up to the data rows.
//!
//! - `read`: the cells of a row into a `Record`, with an error for each cell that cannot be
//!   read, and the total rows that are skipped;
//! - `rules`: the first reason a record does not count, duplicates, the tally, the messages.

mod read;
mod rules;
mod sheets;
mod spellings;
mod summary;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::CheckOptions;
use crate::columns::{Columns, FIELD_COUNT, Field, How, SAMPLE_ROWS, best_guess_header, find_header};
use crate::deadlines;
use crate::fxhash::FxBuildHasher;
use crate::hours::Hours;
use crate::import::{ImportError, Row, Table};
use crate::policy::Policy;
use crate::report::{
    Assumption, AssumptionCode, ColumnDetail, ColumnMap, Exclusion, LedgerEntry, LedgerRow, Message, Outcome,
    PersonReport, PolicyRef, Report, Requirement, RowCounts, RowError, Tally, Warning, WarningCode,
};
use crate::text::{cut, trim_cell};
use crate::values;

use read::{Fields, LEAD_COLUMNS, is_total_row};
use rules::FixedMessages;

/// Checks every row of `table` against `policy` as of `today`.
pub fn check_table(
    table: &Table<'_>,
    policy: &Policy,
    today: NaiveDate,
    options: CheckOptions,
) -> Result<Report, ImportError> {
    // One row per person with hours per category (年度完成情况): judged from the sums.
    if let Some(layout) = summary::find(table) {
        return summary::check(table, &layout, policy, today, options);
    }
    check_rows(table, policy, today, options).map(|(report, _)| report)
}

/// [`check_table`] of a table of courses, with the columns as the check read them.
fn check_rows(
    table: &Table<'_>,
    policy: &Policy,
    today: NaiveDate,
    options: CheckOptions,
) -> Result<(Report, Columns), ImportError> {
    let Some(mut columns) = find_header(table) else {
        if let Some(guess) = best_guess_header(table) {
            return Err(missing_column("学时", &guess));
        }
        let mut any = false;
        table.for_each_row(&mut |_, cells| {
            any = !cells.is_blank();
            if any { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        });
        return Err(if any { ImportError::NoHeader } else { ImportError::Empty });
    };
    columns.refine_by_samples(table);
    columns.count_merged(table);
    // No verdict without a category: every row would be an error and the person "90 学时 short".
    if columns.get(Field::Category).is_none() && !course_names_carry_category(table, &columns) {
        // The error names the columns as read, a remark column past the sample included.
        columns.find_remarks(table);
        return Err(missing_column("科目类型（公需科目或专业科目）", &columns));
    }
    // An unused column that says 不合格/未完成 on any row is read as a remark
    // (`Columns::find_remarks`). Rather than a pass of its own over every row, the check pass
    // watches those cells; only when one says something is the column looked for and the
    // check run again with it.
    let mut watch = columns.remark_candidates();
    loop {
        if let Some(report) = check_pass(table, &columns, policy, today, options, &watch) {
            return no_person(report).map(|report| (report, columns));
        }
        columns.find_remarks(table);
        watch.clear();
    }
}

/// One pass of the check over the rows below the header; `None`, as soon as it meets one,
/// when a cell of a `watch` column says what a remark says.
fn check_pass(
    table: &Table<'_>,
    columns: &Columns,
    policy: &Policy,
    today: NaiveDate,
    options: CheckOptions,
    watch: &[usize],
) -> Option<Report> {
    let mut checker = Checker::new(table, columns, policy, today);
    if options.ledger {
        checker.ledger = Ledger::Kept(Vec::new());
        checker.ledger_cap = options.ledger_cap.unwrap_or(usize::MAX);
    }
    let mut remark_seen = false;
    table.for_each_data_row(columns.header_row, &mut |number, cells| {
        // The same test as `Columns::find_remarks`.
        if watch.iter().any(|&i| values::remark(cells.get(i).trim()) != values::Remark::Nothing) {
            remark_seen = true;
            return ControlFlow::Break(());
        }
        checker.row(number, cells);
        ControlFlow::Continue(())
    });
    (!remark_seen).then(|| checker.finish(table, columns))
}

/// A table checked against a policy, kept so that its ledger can be written row by row after the
/// report: the rows are judged again, in the same order with the same columns, and each row's
/// outcome handed on as it is made. Nothing per row is kept: a ledger of twenty million rows is
/// written in the memory of one (and the report).
#[derive(Debug)]
pub struct Checked<'t> {
    table: &'t Table<'t>,
    rows: LedgerRows,
    policy: &'t Policy,
    today: NaiveDate,
    /// The report, without a ledger.
    pub report: Report,
}

impl<'t> Checked<'t> {
    /// Checks `table` as [`check_table`] does, without a ledger, keeping what the ledger needs.
    pub fn new(table: &'t Table<'t>, policy: &'t Policy, today: NaiveDate) -> Result<Checked<'t>, ImportError> {
        let (report, rows) = check_for_ledger(table, policy, today)?;
        Ok(Checked { table, rows, policy, today, report })
    }

    /// Calls `f` with every data row's ledger entry, in the order of [`Report::ledger`].
    pub fn for_each_ledger_row(&self, f: &mut dyn FnMut(LedgerRow<'_>)) {
        for_each_ledger_row(self.table, &self.rows, &self.report, self.policy, self.today, f);
    }
}

/// How a checked table's ledger is written again: its rows judged again under the columns the
/// check read, or, for a per-person summary (a row per person, so bounded by people), from the
/// entries the check kept.
#[derive(Debug)]
pub(crate) enum LedgerRows {
    Judged(Box<Columns>),
    Kept(Vec<LedgerEntry>),
}

/// [`check_table`] without a ledger, and what writing the ledger later needs.
pub(crate) fn check_for_ledger(
    table: &Table<'_>,
    policy: &Policy,
    today: NaiveDate,
) -> Result<(Report, LedgerRows), ImportError> {
    if let Some(layout) = summary::find(table) {
        let mut report =
            summary::check(table, &layout, policy, today, CheckOptions { ledger: true, ledger_cap: None })?;
        let kept = std::mem::take(&mut report.ledger);
        return Ok((report, LedgerRows::Kept(kept)));
    }
    let (report, columns) = check_rows(table, policy, today, CheckOptions::default())?;
    Ok((report, LedgerRows::Judged(Box::new(columns))))
}

/// Each data row's ledger entry handed to `f` and dropped (see [`Checked::for_each_ledger_row`]):
/// the rows of `table` judged one by one under the columns a check found, or a summary's kept
/// entries with their messages and errors from `report`.
pub(crate) fn for_each_ledger_row(
    table: &Table<'_>,
    rows: &LedgerRows,
    report: &Report,
    policy: &Policy,
    today: NaiveDate,
    f: &mut dyn FnMut(LedgerRow<'_>),
) {
    let columns = match rows {
        LedgerRows::Judged(columns) => columns,
        LedgerRows::Kept(entries) => {
            for entry in entries {
                let listed = entry
                    .person
                    .and_then(|i| report.people.get(i as usize))
                    .and_then(|p| p.excluded.iter().chain(&p.pending).find(|x| x.row == entry.row).map(|x| &x.message));
                // Errors are listed in row order.
                let from = report.errors.partition_point(|e| e.row < entry.row);
                let to = from + report.errors[from..].partition_point(|e| e.row == entry.row);
                f(LedgerRow { entry, message: listed, errors: &report.errors[from..to] });
            }
            return;
        }
    };
    let mut checker = Checker::new(table, columns, policy, today);
    checker.ledger = Ledger::Streamed;
    table.for_each_data_row(columns.header_row, &mut |number, cells| {
        let errors = checker.errors.len();
        checker.row(number, cells);
        if let Some((mut entry, message)) = checker.noted.take() {
            // With several sheets read, the row as its sheet numbers it (as `sheets::place_rows`).
            let at = table.row_at(entry.row);
            (entry.row, entry.sheet) = (at.row, at.sheet);
            for e in &mut checker.errors[errors..] {
                let at = table.row_at(e.row);
                (e.row, e.sheet) = (at.row, at.sheet);
            }
            f(LedgerRow { entry: &entry, message: message.as_ref(), errors: &checker.errors[errors..] });
        }
        // Only the listed errors of the row being written are needed.
        if checker.errors.len() > errors {
            checker.errors.clear();
        }
        ControlFlow::Continue(())
    });
}

/// The codes and labels of a summary's columns (see `summary`), for [`crate::report::labels`].
pub fn summary_labels() -> impl Iterator<Item = (&'static str, &'static str)> {
    summary::Sum::labels()
}

/// No verdict and no person (every row of a file with a person column unreadable) is no result:
/// an error that says why (exit 1), never an empty report.
fn no_person(report: Report) -> Result<Report, ImportError> {
    if !report.people.is_empty() || report.rows.data == 0 {
        return Ok(report);
    }
    Err(ImportError::NoPerson {
        why: format!("{} 行记录都无法读取，没有可以判断的人员", report.rows.data),
        errors: report.errors.iter().take(3).map(|e| format!("第{}行「{}」{}", e.row, e.column, e.message)).collect(),
    })
}

/// The error for a file without a column a verdict needs, naming the columns that were found.
fn missing_column(missing: &str, columns: &Columns) -> ImportError {
    let found = columns
        .labels
        .iter()
        .map(|c| match c.field {
            Some(f) if f.label() != c.label => format!("{}（{}）", c.label, f.label()),
            Some(_) => c.label.clone(),
            None => format!("{}（未识别）", c.label),
        })
        .collect();
    ImportError::MissingColumn { missing: missing.to_owned(), found }
}

/// Whether most course names say 公需/专业 themselves ("公需科目：知识产权"), so a file without a
/// category column can still be judged (rows whose name does not say it become errors).
fn course_names_carry_category(table: &Table<'_>, columns: &Columns) -> bool {
    let Some(course) = columns.get(Field::Course) else { return false };
    let (mut filled, mut saying) = (0usize, 0usize);
    table.for_each_data_row(columns.header_row, &mut |_, cells| {
        let cell = trim_cell(cells.get(course));
        if !cell.is_empty() {
            filled += 1;
            saying += usize::from(values::category(cell).is_ok());
        }
        if filled >= SAMPLE_ROWS { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    filled > 0 && saying * 2 >= filled
}

#[derive(Default)]
struct Person {
    /// (course id, date, hours) of every row of this person counted so far, with its row number.
    /// Per person, so the map stays small and in cache.
    seen: HashMap<(u32, Option<NaiveDate>, Hours), u32, FxBuildHasher>,
    /// 身份证号 or 工号 as written (empty when people are told apart by name).
    id: String,
    /// 姓名 as first written.
    name: String,
    /// Public hours of unknown nature, counted as elective.
    nature_unknown: Hours,
    /// Counted rows whose 是否备案 cell was blank.
    filing_unknown: u32,
    /// Counted rows whose 学习状态 cell was blank (taken as finished).
    status_unknown: u32,
    /// Counted rows without a completion date (year from 所属年度; freeze period not checkable).
    undated: u32,
    /// Other names written with this person's ID (up to a few).
    other_names: Vec<String>,
    tally: Tally,
    counted: usize,
    excluded: Vec<Exclusion>,
    pending: Vec<Exclusion>,
    warnings: Vec<Warning>,
}

/// What becomes of each row's ledger entry.
enum Ledger {
    /// None is made.
    Off,
    /// Kept in the report (up to `ledger_cap`).
    Kept(Vec<LedgerEntry>),
    /// Handed on as each row is judged (`Checker::noted`).
    Streamed,
}

struct Checker<'a> {
    columns: &'a Columns,
    policy: &'a Policy,
    today: NaiveDate,
    /// The column that tells people apart: 身份证号, else 工号, else 姓名 (None: one person).
    person_column: Option<(Field, usize)>,
    /// Whether people are told apart by an ID, with 姓名 beside it.
    name_beside_id: bool,
    /// An ID cell that showed the ID column cannot tell people apart (see `id_trouble`).
    id_trouble: Option<String>,
    /// The fields the file has, with their column.
    present: Vec<(Field, usize)>,
    /// For each of the first columns, the field it holds (so its cell is not read twice).
    lead_fields: [Option<Field>; LEAD_COLUMNS],
    /// Whether cells may hold U+FFFD from undecodable bytes.
    lossy: bool,
    /// The person cell of the previous row, as written, and their slot.
    last_person: Option<(String, usize)>,
    /// Messages that do not depend on the row, made once.
    fixed_messages: FixedMessages,
    people: Vec<Person>,
    person_index: HashMap<String, usize, FxBuildHasher>,
    /// Every course name as written, with the id of its key: a file repeats the same few
    /// hundred names, so a row costs one lookup and no allocation (its exclusion shares the name).
    spellings: spellings::Spellings,
    warnings: Vec<Warning>,
    errors: Vec<RowError>,
    counts: RowCounts,
    /// Readable rows by the year they belong to (a file speaks of few years: a short list).
    rows_by_year: Vec<(i32, usize)>,
    /// Every row's outcome, when asked for.
    ledger: Ledger,
    /// The row just judged, when the ledger is streamed (see [`Checked::for_each_ledger_row`]).
    noted: Option<(LedgerEntry, Option<Message>)>,
    ledger_cap: usize,
    ledger_truncated: bool,
    /// Bounds on what is kept per row (see `read::Limits`).
    limits: read::Limits,
    /// The sheets read, to name a row's sheet (several) in messages and row references.
    sheets: crate::import::Sheets,
    /// Exclusion messages by (reason, year, date), shared by the rows they fit (years and dates
    /// are bounded, so this is too).
    messages: HashMap<(crate::report::Reason, i32, Option<NaiveDate>), Message, FxBuildHasher>,
}

impl<'a> Checker<'a> {
    fn new(table: &Table<'_>, columns: &'a Columns, policy: &'a Policy, today: NaiveDate) -> Checker<'a> {
        let name = columns.get(Field::Name).map(|i| (Field::Name, i));
        // An ID column that cannot tell people apart (masked, or rewritten by Excel as 4.10105E+17)
        // must not merge different people: with a name column, people are told apart by name.
        let id_trouble = columns.id().and_then(|(f, i)| id_trouble(table, columns, f, i));
        let person_column = match (columns.id(), &id_trouble, name) {
            (Some(_), Some(_), Some(n)) => Some(n),
            (Some(id), _, _) => Some(id),
            (None, _, n) => n,
        };
        let mut warnings = Vec::new();
        if columns.get(Field::Exam).is_none() {
            let message = if columns.get(Field::Status).is_some() {
                "文件中没有考核结果列，已完成的课程按平台已登记的学时（已考核合格）计算。"
            } else {
                "文件中没有考核结果列，按平台已登记的学时（已考核合格）计算。"
            };
            warnings.push(Warning {
                row: None,
                sheet: None,
                code: WarningCode::ExamColumnMissing,
                message: message.into(),
            });
        }
        if columns.get(Field::Filing).is_none() {
            warnings.push(Warning {
                row: None,
                sheet: None,
                code: WarningCode::FilingUnknown,
                message: "文件中没有“是否备案”列，所有记录暂按已备案计算；未在市人社局备案的培训计划或学习平台，其学时不予认可。"
                    .into(),
            });
        }
        let mut people = Vec::new();
        if person_column.is_none() {
            people.push(Person::default());
        }
        Checker {
            columns,
            policy,
            today,
            person_column,
            name_beside_id: person_column.is_some_and(|(f, _)| f != Field::Name) && name.is_some(),
            id_trouble,
            present: columns.present(),
            last_person: None,
            lossy: table.may_have_replacements(),
            lead_fields: std::array::from_fn(|i| Field::ALL.into_iter().find(|&f| columns.get(f) == Some(i))),
            fixed_messages: FixedMessages::new(policy, today),
            people,
            person_index: HashMap::default(),
            spellings: spellings::Spellings::default(),
            warnings,
            errors: Vec::new(),
            counts: RowCounts::default(),
            rows_by_year: Vec::new(),
            ledger: Ledger::Off,
            noted: None,
            ledger_cap: 0,
            ledger_truncated: false,
            limits: read::Limits::default(),
            sheets: table.sheets().cloned().unwrap_or_default(),
            messages: HashMap::default(),
        }
    }

    /// Notes a row's outcome in the ledger (callers build the entry only when one is kept).
    fn note(&mut self, entry: LedgerEntry, message: Option<&Message>) {
        match &mut self.ledger {
            Ledger::Off => {}
            Ledger::Kept(ledger) if ledger.len() < self.ledger_cap => ledger.push(entry),
            Ledger::Kept(_) => self.ledger_truncated = true,
            Ledger::Streamed => self.noted = Some((entry, message.cloned())),
        }
    }

    /// Whether a ledger entry is wanted for each row.
    fn ledger_on(&self) -> bool {
        !matches!(self.ledger, Ledger::Off)
    }

    /// Whether the rows that did not count are kept on their person (not when the rows are
    /// judged again only to write the ledger: the report already has them).
    fn keeps_rows(&self) -> bool {
        !matches!(self.ledger, Ledger::Streamed)
    }

    fn row(&mut self, number: u32, cells: Row<'_>) {
        if cells.is_blank() {
            return;
        }
        self.counts.data += 1;
        let error_rows = self.limits.start_row();
        if self.too_wide(number, cells) {
            return;
        }
        let mut fields = Fields([""; FIELD_COUNT]);
        for &(f, i) in &self.present {
            fields.0[f as usize] = trim_cell(cells.get(i));
        }
        // The first columns, reusing the cells already read.
        let lead = self.lead_fields;
        let leading = (0..cells.len().min(LEAD_COLUMNS))
            .map(|i| lead[i].map_or_else(|| trim_cell(cells.get(i)), |f| fields.get(f)));
        if is_total_row(leading) {
            self.counts.skipped += 1;
            let at = self.sheets.at(number);
            self.row_warning(number, WarningCode::TotalRowSkipped, || {
                format!("{at}是合计或小计行，已跳过（合计由本工具重新计算）。")
            });
            if self.ledger_on() {
                self.note(LedgerEntry::new(number, None, Outcome::Skipped, Arc::from("")), None);
            }
            return;
        }
        // The course's spelling is looked up before the other cells are read: the memory it
        // touches (a slot, the name) is then on its way while they are parsed.
        let spelling = self.spellings.find_or_add(fields.get(Field::Course));
        let Some(record) = self.read(number, &fields) else {
            // Error rows are counted as they come; anything else was a repeated header.
            let error = self.limits.error_rows != error_rows;
            if !error {
                self.counts.skipped += 1;
            }
            if self.ledger_on() {
                let outcome = if error { Outcome::Error } else { Outcome::Skipped };
                // The spelling's shared (and cut) name: no copy of the cell per row.
                let course = self.spellings.shared(spelling, fields.get(Field::Course));
                let mut entry = LedgerEntry::new(number, None, outcome, course);
                entry.hours = Hours::parse_cell(fields.get(Field::Hours)).ok();
                entry.date = crate::values::date(fields.get(Field::Date)).ok().flatten();
                self.note(entry, None);
            }
            return;
        };
        match self.rows_by_year.iter_mut().find(|(y, _)| *y == record.year) {
            Some((_, n)) => *n += 1,
            None => self.rows_by_year.push((record.year, 1)),
        }
        self.judge(number, &record, spelling);
    }

    fn finish(self, table: &Table<'_>, columns: &Columns) -> Report {
        let m = self.policy.minimums;
        let required = Requirement {
            public_compulsory: m.public_compulsory,
            public: m.public,
            professional: m.professional,
            total: m.total,
        };
        let labels = self.person_labels();
        let id_trouble = self.id_trouble.clone();
        let by_id = self.person_column.is_some_and(|(f, _)| f != Field::Name);
        let people: Vec<PersonReport> = self
            .people
            .into_iter()
            .zip(labels)
            .map(|(p, person)| {
                let mut hours = p.tally;
                hours.public = hours.public_compulsory + hours.public_elective;
                hours.total = hours.public + hours.professional;
                let shortfall = Requirement {
                    public_compulsory: hours.public_compulsory.shortfall_to(m.public_compulsory),
                    public: hours.public.shortfall_to(m.public),
                    professional: hours.professional.shortfall_to(m.professional),
                    total: hours.total.shortfall_to(m.total),
                };
                let needed =
                    shortfall.total.max(shortfall.public_compulsory.max(shortfall.public) + shortfall.professional);
                let assumptions = person_assumptions(&p);
                PersonReport {
                    person,
                    id: by_id.then(|| cut(&p.id).into_owned()),
                    hours,
                    required,
                    shortfall,
                    needed,
                    compliant: needed == Hours::ZERO,
                    assumptions,
                    counted: p.counted,
                    excluded: p.excluded,
                    pending: p.pending,
                    warnings: p.warnings,
                    listed_of: None,
                }
            })
            .collect();
        let mut errors = self.errors;
        crate::order::sort_by_key(&mut errors, |e| (i64::from(e.row), 0));
        errors.extend(self.limits.unlisted_errors(&self.sheets));
        let mut warnings = self.warnings;
        warnings.extend(self.limits.unlisted_warnings());
        let mut counts = self.counts;
        counts.errors = self.limits.error_rows;
        let mut deadlines = deadlines::upcoming(self.policy, self.today);
        if people.len() <= 1 {
            // One person's file: the deadlines they act on first; unit-only ones (培训计划申报,
            // 骨干人才报送) after, still in date order among themselves.
            crate::order::sort_by_key(&mut deadlines, |d| (i64::from(!d.who.contains("本人")), 0));
        }
        let mut report = Report {
            policy: PolicyRef { year: self.policy.year, source: self.policy.source.clone() },
            today: self.today,
            format: table.format(),
            header_row: columns.header_row,
            columns: ColumnMap(
                columns.labels.iter().map(|c| (c.label.clone(), c.field.map_or("ignored", Field::code))).collect(),
            ),
            column_details: columns
                .labels
                .iter()
                .map(|c| ColumnDetail {
                    column: c.label.clone(),
                    field: c.field.map_or("ignored", Field::code),
                    read_as: c.field.map_or("未使用", Field::label),
                    how: c.how,
                    note: sheets::merged_note(c),
                    merged_rows: c.merged,
                })
                .collect(),
            assumptions: {
                let mut a = file_assumptions(columns, counts.errors, id_trouble.as_deref());
                a.extend(sheets::premises(&self.sheets, columns));
                a
            },
            people,
            deadlines,
            warnings,
            errors,
            rows: counts,
            rows_by_year: {
                let mut y = self.rows_by_year;
                crate::order::sort_by_key(&mut y, |&(year, rows)| (i64::from(year), rows as i64));
                y
            },
            ledger: match self.ledger {
                Ledger::Kept(ledger) => ledger,
                Ledger::Off | Ledger::Streamed => Vec::new(),
            },
            ledger_truncated: self.ledger_truncated,
            sheets: Vec::new(),
        };
        sheets::place_rows(&mut report, &self.sheets);
        report
    }

    /// What each person is called in the report: 姓名; 姓名 with the masked ID when two people
    /// share it; the masked 身份证号 (or the 工号) when there is no name.
    fn person_labels(&self) -> Vec<String> {
        let Some((field, _)) = self.person_column else {
            return self.people.iter().map(|p| cut(&p.name).into_owned()).collect();
        };
        let mut per_name: HashMap<&str, usize, FxBuildHasher> = HashMap::default();
        for p in &self.people {
            *per_name.entry(p.name.as_str()).or_default() += 1;
        }
        let shown_id = |p: &Person| if field == Field::IdNumber { mask_id(&p.id) } else { cut(&p.id).into_owned() };
        self.people
            .iter()
            .map(|p| match field {
                Field::Name => cut(&p.name).into_owned(),
                _ if p.name.is_empty() => shown_id(p),
                _ if per_name.get(p.name.as_str()).copied().unwrap_or(0) > 1 => {
                    format!("{}（{}）", p.name, shown_id(p))
                }
                _ => p.name.clone(),
            })
            .collect()
    }
}

/// What one person's verdict rests on besides the file's assumptions, in the order shown.
fn person_assumptions(p: &Person) -> Vec<Assumption> {
    let said: [(bool, AssumptionCode, &dyn Fn() -> String); 5] = [
        (p.nature_unknown > Hours::ZERO, AssumptionCode::NatureAssumedElective, &|| {
            format!("{} 学时公需课未注明必修或选修，按选修计算", p.nature_unknown)
        }),
        (p.filing_unknown > 0, AssumptionCode::FilingAssumed, &|| {
            format!("{} 条记录未填写是否备案，按已备案计算", p.filing_unknown)
        }),
        (p.status_unknown > 0, AssumptionCode::StatusAssumedFinished, &|| {
            format!("{} 条记录的学习状态为空，按已完成计算", p.status_unknown)
        }),
        (p.undated > 0, AssumptionCode::DateMissing, &|| {
            format!("{} 条记录没有完成日期，按所属年度计入，无法核对是否在年度内、是否在结转期完成", p.undated)
        }),
        (!p.other_names.is_empty(), AssumptionCode::NameMismatch, &|| {
            format!("同一证件号下还写有姓名“{}”，已按同一人计算，请核对", p.other_names.join("”“"))
        }),
    ];
    said.into_iter().filter(|s| s.0).map(|(_, code, message)| Assumption { code, message: message() }).collect()
}

/// The assumptions every verdict of this file rests on, said beside the verdict.
fn file_assumptions(columns: &Columns, error_rows: usize, id_trouble: Option<&str>) -> Vec<Assumption> {
    let mut a = Vec::new();
    let exam = columns.get(Field::Exam).is_some();
    let status = columns.get(Field::Status).is_some();
    if !exam {
        a.push(Assumption {
            code: AssumptionCode::ExamAssumedPassed,
            message: if status {
                "文件中没有考核结果列，已完成的课程按考核合格计算".to_owned()
            } else {
                "文件中没有考核结果或学习状态列，按全部考核合格计算".to_owned()
            },
        });
    }
    if columns.get(Field::Filing).is_none() {
        a.push(Assumption {
            code: AssumptionCode::FilingAssumed,
            message: "文件中没有是否备案列，按全部已备案计算".to_owned(),
        });
    }
    if let (Some(example), Some((f, _))) = (id_trouble, columns.id()) {
        let by = if columns.get(Field::Name).is_some() {
            "按姓名区分人员，同名的人会被合并"
        } else {
            "可能把不同的人算作一人"
        };
        a.push(Assumption {
            code: AssumptionCode::IdUnusable,
            message: format!(
                "“{}”列的值（如“{example}”）被遮挡或被 Excel 改成了科学计数法，无法区分人员：{by}，请核对",
                columns.label(f)
            ),
        });
    }
    for c in columns.labels.iter().filter(|c| c.how == How::Values) {
        let Some(f) = c.field else { continue };
        a.push(Assumption {
            code: AssumptionCode::ColumnByValues,
            message: if f == Field::Remark {
                format!("“{}”列中写明不合格、未完成的行已不计入，其余行照常", c.label)
            } else {
                format!("“{}”列按内容识别为{}", c.label, f.label())
            },
        });
    }
    if error_rows > 0 {
        a.push(Assumption {
            code: AssumptionCode::RowsUnreadable,
            message: if error_rows > crate::import::MAX_LISTED_ERROR_ROWS {
                format!(
                    "有 {error_rows} 行无法读取，未计入（只列出前 {} 行的错误）；改正后结果可能不同",
                    crate::import::MAX_LISTED_ERROR_ROWS
                )
            } else {
                format!("有 {error_rows} 行无法读取，未计入；改正后结果可能不同")
            },
        });
    }
    a
}

/// The first ID cell (of the sampled rows) that shows the ID column cannot tell people apart:
/// masked or in scientific notation; for 身份证号, also a column where most cells are not IDs (an
/// `ID` column of row numbers 1, 2, 3…).
fn id_trouble(table: &Table<'_>, columns: &Columns, f: Field, col: usize) -> Option<String> {
    let (mut filled, mut ids, mut bad, mut first) = (0usize, 0usize, None, None);
    table.for_each_data_row(columns.header_row, &mut |_, cells| {
        let cell = trim_cell(cells.get(col));
        if cell.is_empty() {
            return ControlFlow::Continue(());
        }
        filled += 1;
        ids += usize::from(crate::text::is_id_number(cell));
        first.get_or_insert_with(|| cell.chars().take(20).collect::<String>());
        if crate::text::id_unusable(cell) {
            bad = Some(cell.chars().take(20).collect());
            return ControlFlow::Break(());
        }
        if filled >= SAMPLE_ROWS { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    bad.or_else(|| (f == Field::IdNumber && filled > 0 && ids * 5 < filled * 4).then_some(first).flatten())
}

/// `410105199001011234` → `4101**********1234`; a short ID (a 工号, up to 8 characters) is shown
/// whole: masking it would make 1001 and 2001 the same label.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return id.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    // As many stars as hidden characters, up to a label's length.
    format!("{head}{}{tail}", "*".repeat((chars.len() - 8).min(crate::text::MAX_QUOTED_CHARS)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::import::read_table;
    use crate::testing::policy_2020;

    /// The check as it ran before the check pass watched for remarks: every unused column
    /// searched for remark words over every row first, then one pass.
    fn with_remarks_found_first(csv: &str) -> Result<Report, ImportError> {
        let table = read_table(csv.as_bytes())?;
        let Some(mut columns) = find_header(&table) else { return Err(ImportError::NoHeader) };
        columns.refine_by_values(&table);
        if columns.get(Field::Category).is_none() && !course_names_carry_category(&table, &columns) {
            return Err(missing_column("科目类型（公需科目或专业科目）", &columns));
        }
        let options = CheckOptions { ledger: true, ledger_cap: None };
        Ok(check_pass(&table, &columns, &policy_2020(), today(), options, &[]).expect("nothing watched"))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 11, 1).expect("a date")
    }

    fn checked(csv: &str) -> Result<Report, ImportError> {
        let table = read_table(csv.as_bytes())?;
        check_table(&table, &policy_2020(), today(), CheckOptions { ledger: true, ledger_cap: None })
    }

    fn json(r: &Result<Report, ImportError>) -> String {
        match r {
            Ok(report) => serde_json::to_string(report).expect("a report serialises"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_leftmost_column_that_says_a_remark_wins_even_when_another_says_one_first() {
        let mut csv = String::from("课程名称,科目类型,学时,完成日期,说明,附注\n");
        for i in 0..250 {
            let (a, b) = match i {
                10 => ("", "不合格"),
                240 => ("未完成", ""),
                _ => ("", "面授"),
            };
            csv.push_str(&format!("课程{i},专业科目,1,2020-04-01,{a},{b}\n"));
        }
        let r = checked(&csv).expect("checked");
        assert_eq!(json(&Ok(r.clone())), json(&with_remarks_found_first(&csv)));
        let remark: Vec<&str> =
            r.column_details.iter().filter(|c| c.field == "remark").map(|c| c.column.as_str()).collect();
        assert_eq!(remark, ["说明"]);
        // Row 242 (the 241st data row) says 未完成 under 说明; row 12's 不合格 under 附注 is not read.
        let p = &r.people[0];
        assert_eq!(p.pending.iter().map(|e| e.row).collect::<Vec<_>>(), [242]);
        assert!(p.excluded.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Watching the unused columns in the check pass gives the report (ledger included) that
        /// searching them first gave: remark words early, late (past the sampled rows), in one
        /// column or several, or nowhere.
        #[test]
        fn watching_for_remarks_agrees_with_searching_first(
            rows in prop::collection::vec((0usize..3, 0usize..12, 0usize..12, 1u32..300), 0..260),
            header in prop::sample::select(vec![
                "课程名称,科目类型,学时,完成日期,说明,附注",
                "课程名称,科目类型,学时,完成日期,考核结果,备注,单位",
                "序号,课程名称,学时,完成日期,其他",
            ]),
        ) {
            const WORDS: [&str; 12] =
                ["", "", "", "面授", "线上", "12", "不合格", "未完成", "学习中", "否", "√", "fail"];
            let width = header.split(',').count();
            let mut csv = format!("{header}\n");
            for (n, (kind, a, b, day)) in rows.into_iter().enumerate() {
                // Each remark word (6.. of WORDS) only from row 50 × (its index − 5) on: some
                // first appear past the rows sampled to recognise columns.
                let word = |w: usize| if w >= 6 && n < 50 * (w - 5) { "面授" } else { WORDS[w] };
                let date = NaiveDate::from_yo_opt(2020, day).expect("a day of 2020");
                let cells: Vec<String> = match width {
                    6 => vec![format!("课{}", n % 7), ["公需科目", "专业科目", "专业"][kind].into(), "2".into(), date.to_string(), word(a).into(), word(b).into()],
                    7 => vec![format!("课{}", n % 7), ["公需科目", "专业科目", "专业"][kind].into(), "2".into(), date.to_string(), ["合格", "", "不合格"][kind].into(), word(a).into(), word(b).into()],
                    _ => vec![n.to_string(), format!("公需科目：课{}", n % 7), "2".into(), date.to_string(), word(a).into()],
                };
                csv.push_str(&cells.join(","));
                csv.push('\n');
            }
            prop_assert_eq!(json(&checked(&csv)), json(&with_remarks_found_first(&csv)));
        }
    }
}
