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

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::columns::{Columns, FIELD_COUNT, Field, find_header};
use crate::deadlines;
use crate::fxhash::FxBuildHasher;
use crate::hours::Hours;
use crate::import::{ImportError, Row, Table};
use crate::policy::Policy;
use crate::report::{
    ColumnMap, Exclusion, PersonReport, PolicyRef, Report, Requirement, RowCounts, RowError, Tally, Warning,
    WarningCode,
};
use crate::text::trim_cell;

use read::{Fields, LEAD_COLUMNS, is_total_row};
use rules::FixedMessages;

/// Checks every row of `table` against `policy` as of `today`.
pub fn check_table(table: &Table<'_>, policy: &Policy, today: NaiveDate) -> Result<Report, ImportError> {
    let Some(columns) = find_header(table) else {
        let mut any = false;
        table.for_each_row(&mut |_, cells| {
            any = !cells.is_blank();
            if any { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        });
        return Err(if any { ImportError::NoHeader } else { ImportError::Empty });
    };
    let mut checker = Checker::new(table, &columns, policy, today);
    let mut past_header = false;
    table.for_each_row(&mut |number, cells| {
        if past_header {
            checker.row(number, cells);
        } else if number == columns.header_row {
            past_header = true;
        }
        ControlFlow::Continue(())
    });
    Ok(checker.finish(table, &columns))
}

#[derive(Default)]
struct Person {
    /// (course id, date, hours) of every row of this person counted so far, with its row number.
    /// Per person, so the map stays small and in cache.
    seen: HashMap<(u32, Option<NaiveDate>, Hours), u32, FxBuildHasher>,
    display: String,
    tally: Tally,
    counted: usize,
    excluded: Vec<Exclusion>,
    pending: Vec<Exclusion>,
    warnings: Vec<Warning>,
}

struct Checker<'a> {
    columns: &'a Columns,
    policy: &'a Policy,
    today: NaiveDate,
    person_column: Option<(Field, usize)>,
    /// The fields the file has, with their column.
    present: Vec<(Field, usize)>,
    /// For each of the first columns, the field it holds (so its cell is not read twice).
    lead_fields: [Option<Field>; LEAD_COLUMNS],
    /// Whether cells may hold U+FFFD from undecodable bytes.
    lossy: bool,
    /// The person of the previous row and their slot.
    last_person: Option<(String, usize)>,
    /// Messages that do not depend on the row, made once.
    fixed_messages: FixedMessages,
    people: Vec<Person>,
    person_index: HashMap<String, usize, FxBuildHasher>,
    /// Every course name as written, to the id of its key: a file repeats the same few hundred
    /// names, so a row costs one lookup and no allocation (its exclusion shares the name).
    spellings: HashMap<Arc<str>, u32, FxBuildHasher>,
    /// Course keys (see [`crate::text::course_key`]) to their id.
    keys: HashMap<String, u32, FxBuildHasher>,
    warnings: Vec<Warning>,
    errors: Vec<RowError>,
    counts: RowCounts,
    error_rows: HashSet<u32, FxBuildHasher>,
}

impl<'a> Checker<'a> {
    fn new(table: &Table<'_>, columns: &'a Columns, policy: &'a Policy, today: NaiveDate) -> Checker<'a> {
        let person_column = columns.person();
        let mut warnings = Vec::new();
        if columns.get(Field::Exam).is_none() {
            warnings.push(Warning {
                row: None,
                code: WarningCode::ExamColumnMissing,
                message: "文件中没有考核结果列，按平台已登记的学时（已考核合格）计算。".into(),
            });
        }
        if columns.get(Field::Filing).is_none() {
            warnings.push(Warning {
                row: None,
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
            present: columns.present(),
            last_person: None,
            lossy: table.may_have_replacements(),
            lead_fields: std::array::from_fn(|i| Field::ALL.into_iter().find(|&f| columns.get(f) == Some(i))),
            fixed_messages: FixedMessages::new(policy, today),
            people,
            person_index: HashMap::default(),
            spellings: HashMap::default(),
            keys: HashMap::default(),
            warnings,
            errors: Vec::new(),
            counts: RowCounts::default(),
            error_rows: HashSet::default(),
        }
    }

    fn error(&mut self, row: u32, f: Field, message: String) {
        self.error_rows.insert(row);
        self.errors.push(RowError { row, column: self.columns.label(f).to_owned(), message });
    }

    fn row(&mut self, number: u32, cells: Row<'_>) {
        if cells.is_blank() {
            return;
        }
        self.counts.data += 1;
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
            self.warnings.push(Warning {
                row: Some(number),
                code: WarningCode::TotalRowSkipped,
                message: format!("第{number}行是合计行，已跳过（合计由本工具重新计算）。").into(),
            });
            return;
        }
        let Some(record) = self.read(number, &fields) else {
            // Error rows are counted from `error_rows` at the end; anything else was a repeated header.
            if !self.error_rows.contains(&number) {
                self.counts.skipped += 1;
            }
            return;
        };
        self.judge(number, &record);
    }

    fn finish(self, table: &Table<'_>, columns: &Columns) -> Report {
        let m = self.policy.minimums;
        let required = Requirement {
            public_compulsory: m.public_compulsory,
            public: m.public,
            professional: m.professional,
            total: m.total,
        };
        let people = self
            .people
            .into_iter()
            .map(|p| {
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
                PersonReport {
                    person: p.display,
                    hours,
                    required,
                    shortfall,
                    needed,
                    compliant: needed == Hours::ZERO,
                    counted: p.counted,
                    excluded: p.excluded,
                    pending: p.pending,
                    warnings: p.warnings,
                }
            })
            .collect();
        let mut errors = self.errors;
        errors.sort_by_key(|e| e.row);
        let mut counts = self.counts;
        counts.errors = self.error_rows.len();
        Report {
            policy: PolicyRef { year: self.policy.year, source: self.policy.source.clone() },
            today: self.today,
            format: table.format(),
            header_row: columns.header_row,
            columns: ColumnMap(
                columns.labels.iter().map(|(_, label, f)| (label.clone(), f.map_or("ignored", Field::code))).collect(),
            ),
            people,
            deadlines: deadlines::upcoming(self.policy, self.today),
            warnings: self.warnings,
            errors,
            rows: counts,
        }
    }
}

/// `410105199001011234` → `4101**********1234`.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        let keep = chars.len().min(2);
        let stars = "*".repeat(chars.len() - keep);
        return format!("{stars}{}", chars[chars.len() - keep..].iter().collect::<String>());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}
