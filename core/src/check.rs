//! 学时核查: reads each data row into a record and judges it against the policy.
//!
//! One pass over the rows after the header. Each row ends in exactly one of: counted, excluded
//! (with the first reason that applies), pending, error, or skipped (a total row) — so the
//! counts in [`RowCounts`] always add up to the data rows.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::fxhash::FxBuildHasher;
use std::ops::ControlFlow;

use chrono::{Datelike, NaiveDate};

use crate::columns::{Columns, FIELD_COUNT, Field, classify, find_header};
use crate::deadlines;
use crate::hours::Hours;
use crate::import::{ImportError, Row, Table};
use crate::policy::Policy;
use crate::report::{
    ColumnMap, Exclusion, PersonReport, PolicyRef, Reason, Report, Requirement, RowCounts, RowError, Tally, Warning,
    WarningCode,
};
use crate::text::{cn_date, cn_month_day, course_key, is_plain, match_key, trim_cell};
use crate::values::{self, Exam, Filing, Kind, Nature};

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

/// A row read into its parts.
struct Record<'r> {
    person: &'r str,
    course: &'r str,
    kind: Kind,
    nature: Option<Nature>,
    hours: Hours,
    date: Option<NaiveDate>,
    year: i32,
    exam: Exam,
    filing: Filing,
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
    /// Course keys (see [`course_key`]) to their id.
    keys: HashMap<String, u32, FxBuildHasher>,
    warnings: Vec<Warning>,
    errors: Vec<RowError>,
    counts: RowCounts,
    error_rows: HashSet<u32, FxBuildHasher>,
}

/// The messages that are the same for every row, formatted once per check.
struct FixedMessages {
    freeze: Arc<str>,
    exam_not_passed: Arc<str>,
    exam_pending: Arc<str>,
    not_filed: Arc<str>,
    future_date: Arc<str>,
    nature_unknown: Arc<str>,
    filing_unknown: Arc<str>,
    makeup_needs_approval: Arc<str>,
}

impl FixedMessages {
    fn new(p: &Policy, today: NaiveDate) -> FixedMessages {
        FixedMessages {
            freeze: format!(
                "完成于数据年终结转期（{}至{}），届时不再办理学时审核，无法计入{}年度。通知未说明下一年度是否认可这条记录，请咨询单位继续教育管理员。",
                cn_month_day(p.freeze.start),
                cn_month_day(p.freeze.end),
                p.year
            )
            .into(),
            exam_not_passed: "考核不合格：经考试合格后方可登记学时。重新参加并通过考核后才能计入。".into(),
            exam_pending: format!(
                "考核结果未填写：合格后方可登记学时，请在{}前完成考核并登记。",
                cn_month_day(p.review.deadline)
            )
            .into(),
            not_filed: "培训计划或学习平台未在市人社局专业技术人员处备案，其学时不予认可。".into(),
            future_date: format!("完成日期晚于今天（{}），请核对。", cn_date(today)).into(),
            nature_unknown: "公需科目未注明必修或选修，按选修课计算。".into(),
            filing_unknown: "未填写是否备案，暂按已备案计算；未在市人社局备案的培训，其学时不予认可。".into(),
            makeup_needs_approval: "补学须事先获批：由县（市、区）人社局、市直部门或市级继续教育基地汇总提交补学补审申请，个人不能直接申请，请联系单位继续教育电子证书管理员。".into(),
        }
    }
}

/// The trimmed cells of one row, by field.
struct Fields<'r>([&'r str; FIELD_COUNT]);

impl<'r> Fields<'r> {
    fn get(&self, f: Field) -> &'r str {
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
const LEAD_COLUMNS: usize = 4;

/// Cells (trimmed) that say the row is a sum, not a course.
fn is_total_row<'c>(mut leading: impl Iterator<Item = &'c str>) -> bool {
    leading.any(|c| {
        // Total rows start with 合/总/小 or say total/sum: a cheap test rules out almost every cell.
        let maybe = c.len() <= 24
            && (c.starts_with(['合', '总', '小']) || c.eq_ignore_ascii_case("total") || c.eq_ignore_ascii_case("sum"));
        maybe && matches!(&*match_key(c), "合计" | "总计" | "小计" | "总计学时" | "合计学时" | "total" | "sum")
    })
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

    /// Reads the cells of one row; records an error for each cell that cannot be read.
    fn read<'r>(&mut self, number: u32, fields: &Fields<'r>) -> Option<Record<'r>> {
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
                    self.error(number, f, format!("{}为空：文件有人员列时，每行都要填写", self.columns.label(f)));
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
        let (
            Some(hours),
            Some((kind, merged_nature)),
            Some(nature),
            Some(date),
            Some(year),
            Some(exam),
            Some(filing),
            true,
        ) = (hours, category, nature, date, year, exam, filing, ok)
        else {
            return None;
        };
        let Some(year) = year.or(date.map(|d| d.year())) else {
            let f = if self.columns.get(Field::Date).is_some() { Field::Date } else { Field::Year };
            self.error(number, f, "缺少完成日期，无法确定学时所属年度".to_owned());
            return None;
        };
        let exam = if self.columns.get(Field::Exam).is_some() { exam } else { Exam::Passed };
        Some(Record { person, course, kind, nature: nature.or(merged_nature), hours, date, year, exam, filing })
    }

    /// The id under which `name` counts as the same course as another.
    fn course_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.spellings.get(name) {
            return id;
        }
        // A new spelling is normalised once (a name already in normal form is its own key).
        let key = if is_plain(name) { name.to_owned() } else { course_key(name) };
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let id = *self.keys.entry(key).or_insert(next);
        self.spellings.insert(name.into(), id);
        id
    }

    /// `name` shared with the other rows that spell it so (after [`Self::course_id`]).
    fn course_name(&self, name: &str) -> Arc<str> {
        self.spellings.get_key_value(name).map_or_else(|| name.into(), |(spelling, _)| spelling.clone())
    }

    fn person_slot(&mut self, person: &str) -> usize {
        let Some((field, _)) = self.person_column else {
            return 0;
        };
        // Exports list a person's rows together: most rows are the same person as the last.
        if let Some((last, slot)) = &self.last_person {
            if last == person {
                return *slot;
            }
        }
        let slot = self.lookup_person(field, person);
        match &mut self.last_person {
            Some((last, s)) => {
                last.clear();
                last.push_str(person);
                *s = slot;
            }
            None => self.last_person = Some((person.to_owned(), slot)),
        }
        slot
    }

    fn lookup_person(&mut self, field: Field, person: &str) -> usize {
        if let Some(&i) = self.person_index.get(person) {
            return i;
        }
        let display = if field == Field::IdNumber { mask_id(person) } else { person.to_owned() };
        // Some room up front; 64 was slower than 16 (2,000 people: 6 MB of maps to fault in and free).
        let seen = HashMap::with_capacity_and_hasher(16, FxBuildHasher);
        self.people.push(Person { display, seen, warnings: Vec::with_capacity(16), ..Person::default() });
        self.person_index.insert(person.to_owned(), self.people.len() - 1);
        self.people.len() - 1
    }

    /// The first reason, in the policy's order, why this record does not count.
    fn reason(&self, r: &Record<'_>) -> Option<Reason> {
        let p = self.policy;
        if r.year != p.year {
            let completed_in_policy_year = r.date.is_some_and(|d| d.year() == p.year);
            if r.year < p.year && completed_in_policy_year {
                let in_study = r.date.is_some_and(|d| p.makeup.study().contains(d));
                return Some(if in_study { Reason::MakeupForEarlierYear } else { Reason::MakeupOutsideWindow });
            }
            return Some(Reason::OutsideYear);
        }
        if r.date.is_some_and(|d| p.freeze.contains(d)) {
            return Some(Reason::FreezePeriod);
        }
        match r.exam {
            Exam::Failed => return Some(Reason::ExamNotPassed),
            Exam::Pending => return Some(Reason::ExamPending),
            Exam::Passed => {}
        }
        if r.filing == Filing::NotFiled {
            return Some(Reason::NotFiled);
        }
        None
    }

    fn message(&self, reason: Reason, r: &Record<'_>, duplicate_of: u32) -> Arc<str> {
        let p = self.policy;
        let y = p.year;
        let date = || r.date.map(cn_date).unwrap_or_default();
        match reason {
            Reason::OutsideYear => format!("该记录属于{}年度，不计入{y}年度。", r.year).into(),
            Reason::MakeupForEarlierYear => format!(
                "这是{}年度的补学记录（{}完成），不计入{y}年度。补学须经所在单位汇总申请并获批准后才能登记；事业单位人员次年补学完成的学时，不计算为{}年度年度考核的继续教育完成情况。",
                r.year,
                date(),
                r.year
            )
            .into(),
            Reason::MakeupOutsideWindow => format!(
                "这是{}年度的补学记录，但完成日期{}不在补学期间（{}至{}），不能作为补学登记，也不计入{y}年度。",
                r.year,
                date(),
                cn_month_day(p.makeup.study_start),
                cn_month_day(p.makeup.study_end)
            )
            .into(),
            Reason::FreezePeriod => self.fixed_messages.freeze.clone(),
            Reason::ExamNotPassed => self.fixed_messages.exam_not_passed.clone(),
            Reason::ExamPending => self.fixed_messages.exam_pending.clone(),
            Reason::NotFiled => self.fixed_messages.not_filed.clone(),
            Reason::Duplicate => {
                format!("与第{duplicate_of}行是同一人、同一课程、同一日期、同一学时的重复记录，只计一次。").into()
            }
        }
    }

    fn judge(&mut self, number: u32, r: &Record<'_>) {
        let slot = self.person_slot(r.person);
        let mut reason = self.reason(r);
        let mut duplicate_of = 0;
        let mut key = None;
        let course_id = self.course_id(r.course);
        if reason.is_none() {
            let k = (course_id, r.date, r.hours);
            if let Some(&first) = self.people[slot].seen.get(&k) {
                reason = Some(Reason::Duplicate);
                duplicate_of = first;
            } else {
                key = Some(k);
            }
        }
        // Row warnings, in a fixed order; their messages are the same for every row.
        let future = r.date.is_some_and(|d| d > self.today);
        let makeup = reason == Some(Reason::MakeupForEarlierYear);
        let (mut filing_unknown, mut nature_unknown) = (false, false);
        match reason {
            Some(reason) => {
                let entry = Exclusion {
                    row: number,
                    reason,
                    hours: r.hours,
                    course: self.course_name(r.course),
                    message: self.message(reason, r, duplicate_of),
                };
                let person = &mut self.people[slot];
                if reason == Reason::ExamPending {
                    self.counts.pending += 1;
                    person.pending.push(entry);
                } else {
                    self.counts.excluded += 1;
                    person.excluded.push(entry);
                }
            }
            None => {
                let person = &mut self.people[slot];
                if let Some(k) = key {
                    person.seen.insert(k, number);
                }
                filing_unknown = self.columns.get(Field::Filing).is_some() && r.filing == Filing::Unknown;
                let t = &mut person.tally;
                match (r.kind, r.nature) {
                    (Kind::Professional, _) => t.professional += r.hours,
                    (Kind::Public, Some(Nature::Compulsory)) => t.public_compulsory += r.hours,
                    (Kind::Public, n) => {
                        t.public_elective += r.hours;
                        nature_unknown = n.is_none();
                    }
                }
                self.counts.counted += 1;
                person.counted += 1;
            }
        }
        let m = &self.fixed_messages;
        let warnings = [
            (future, WarningCode::FutureDate, &m.future_date),
            (makeup, WarningCode::MakeupNeedsApproval, &m.makeup_needs_approval),
            (filing_unknown, WarningCode::FilingUnknown, &m.filing_unknown),
            (nature_unknown, WarningCode::NatureUnknown, &m.nature_unknown),
        ];
        let person = &mut self.people[slot];
        for (_, code, message) in warnings.into_iter().filter(|w| w.0) {
            person.warnings.push(Warning { row: Some(number), code, message: message.clone() });
        }
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
