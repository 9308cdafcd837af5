//! Property tests for the checker: no input makes it panic, every data row is accounted for
//! exactly once, hours are exact decimals, and CSV records split exactly as the `csv` crate
//! splits them.
//!
//! The accounting property generates record files whose every row has a known fate (counted,
//! excluded for a known reason, pending, an error, skipped or blank) and compares the report with
//! an independent oracle written from the rules in the design, not from the code.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Days};
use std::ops::ControlFlow;

use jxjy_core::import::Table;
use jxjy_core::report::Outcome;
use jxjy_core::report::Report;
use jxjy_core::{Hours, NaiveDate, Policy};
use proptest::prelude::*;
use proptest::sample::{Index, select};

fn policy() -> Policy {
    Policy::from_toml(include_str!("../../content/2020/policy.toml")).expect("shipped policy")
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn today() -> NaiveDate {
    ymd(2020, 11, 1)
}

/// The accounting every `Ok` report must satisfy, whatever the input.
fn assert_accounts(report: &Report) -> Result<(), TestCaseError> {
    let r = report.rows;
    prop_assert_eq!(
        r.counted + r.excluded + r.pending + r.errors + r.skipped,
        r.data,
        "row counts do not add up: {:?}",
        r
    );
    let counted: usize = report.people.iter().map(|p| p.counted).sum();
    let excluded: usize = report.people.iter().map(|p| p.excluded.len()).sum();
    let pending: usize = report.people.iter().map(|p| p.pending.len()).sum();
    prop_assert_eq!((counted, excluded, pending), (r.counted, r.excluded, r.pending));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 1. No panic.

/// Pieces a record file is made of, and some that confuse it.
const TOKENS: &[&str] = &[
    "课程名称",
    "科目类型",
    "课程性质",
    "学时",
    "认定学时",
    "完成日期",
    "考核结果",
    "是否备案",
    "姓名",
    "工号",
    "身份证号",
    "所属年度",
    "补学年度",
    "序号",
    "合计",
    "公需",
    "公需科目",
    "公需必修",
    "专业",
    "专业科目",
    "必修",
    "选修",
    "合格",
    "不合格",
    "待考",
    "是",
    "否",
    "未备案",
    "2020-05-01",
    "2020/12/15",
    "2019年3月26日",
    "20200230",
    "43952",
    "2020",
    "2019",
    "4.5",
    "４",
    "０．５",
    "学时",
    "24",
    "0",
    "-3",
    "1,000",
    "99999999999999999999",
    "0.00001",
    "张三",
    "410105199001011234",
    "[",
    "{",
    "]",
    "}",
    ":",
    "\"课程名称\":",
    "\u{feff}",
    "\u{3000}",
    "PK\u{3}\u{4}",
    ",",
    ",",
    ",",
    "\t",
    "\t",
    ";",
    "\n",
    "\n",
    "\r",
    "\r\n",
    "\"",
    " ",
];

fn token_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => select(TOKENS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..200).prop_map(|v| v.concat())
}

// ---------------------------------------------------------------------------------------------
// 2. Accounting, against an oracle.

const PEOPLE: &[&str] = &["张三", "李四", "王五", "赵六"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    Professional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nature {
    Compulsory,
    Elective,
}

/// Category cells with what they mean: (text, kind, nature merged into the cell).
const CATEGORIES: &[(&str, Kind, Option<Nature>)] = &[
    ("公需", Kind::Public, None),
    ("公需科目", Kind::Public, None),
    ("公需必修", Kind::Public, Some(Nature::Compulsory)),
    ("公需科目（选修）", Kind::Public, Some(Nature::Elective)),
    ("必修", Kind::Public, Some(Nature::Compulsory)),
    ("专业", Kind::Professional, None),
    ("专业科目", Kind::Professional, None),
];

/// Nature cells: blank, 必修, 选修.
const NATURES: &[(&str, Option<Nature>)] =
    &[("", None), ("必修", Some(Nature::Compulsory)), ("选修", Some(Nature::Elective))];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExamV {
    Passed,
    Failed,
    Pending,
}

const PASSED: &[&str] = &["合格", "通过", "85", "√", "考核合格"];
const FAILED: &[&str] = &["不合格", "未通过", "50", "×"];
const PENDING: &[&str] = &["", "待考"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FilingV {
    Filed,
    Unknown,
    NotFiled,
}

const FILED: &[&str] = &["是", "已备案"];
const NOT_FILED: &[&str] = &["否", "未备案"];

/// One study record with a known meaning.
#[derive(Debug, Clone)]
struct Rec {
    person: usize,
    category: usize,
    nature: usize,
    /// Ten-thousandths of an hour.
    hours: i64,
    hours_fmt: usize,
    date: NaiveDate,
    date_fmt: usize,
    /// What the 所属年度 cell says (blank: None), with its spelling.
    year: (Option<i32>, usize),
    exam: (ExamV, usize),
    filing: (FilingV, usize),
}

/// A cell that cannot be read.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Hours(usize),
    Date(usize),
    /// No date and no year: the record's year is unknown.
    NoDate,
    Category(usize),
    Nature(usize),
    Person,
    Year(usize),
    Exam,
    Filing,
}

const BAD_HOURS: &[&str] = &["abc", "0", "-3", "", "四", "0.00001", "10001"];
const BAD_DATES: &[&str] = &["2020-02-30", "2020-13-01", "昨天", "2020-5"];
const BAD_CATEGORIES: &[&str] = &["其他", "", "abc"];
const BAD_NATURES: &[&str] = &["必修选修", "随便"];
const BAD_YEARS: &[&str] = &["20", "明年", "1800"];

#[derive(Debug, Clone)]
enum RowGen {
    /// A record.
    Rec(Rec),
    /// The same person, course, date and hours as an earlier record (written differently),
    /// with its own exam result and filing; `Rec` stands alone when there is no earlier record.
    Copy(Rec, Index, usize),
    /// A record with unreadable cells.
    Bad(Rec, Vec<Fault>),
    /// A blank line, in one of several shapes.
    Blank(usize),
    /// A 合计 row.
    Total(usize),
    /// The header again.
    Header,
}

/// Columns in the header (the order is shuffled per file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Course,
    Category,
    Nature,
    Hours,
    Date,
    Exam,
    Filing,
    Year,
}

const ALL_COLS: [Col; 9] =
    [Col::Name, Col::Course, Col::Category, Col::Nature, Col::Hours, Col::Date, Col::Exam, Col::Filing, Col::Year];

fn label(c: Col) -> &'static str {
    match c {
        Col::Name => "姓名",
        Col::Course => "课程名称",
        Col::Category => "科目类型",
        Col::Nature => "课程性质",
        Col::Hours => "学时",
        Col::Date => "完成日期",
        Col::Exam => "考核结果",
        Col::Filing => "是否备案",
        Col::Year => "所属年度",
    }
}

#[derive(Debug, Clone)]
struct FileGen {
    rows: Vec<RowGen>,
    tab: bool,
    crlf: bool,
    title: usize,
    /// Optional columns present: name, nature, exam, filing, year.
    optional: [bool; 5],
    order: Vec<usize>,
}

impl FileGen {
    fn columns(&self) -> Vec<Col> {
        self.order
            .iter()
            .map(|&i| ALL_COLS[i])
            .filter(|c| match c {
                Col::Name => self.optional[0],
                Col::Nature => self.optional[1],
                Col::Exam => self.optional[2],
                Col::Filing => self.optional[3],
                Col::Year => self.optional[4],
                _ => true,
            })
            .collect()
    }
}

fn hours_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => (1i64..=60).prop_map(|h| h * 10_000),
        1 => (1i64..=20).prop_map(|h| h * 5_000),
        2 => 1i64..=400_000,
    ]
}

fn date_strategy() -> impl Strategy<Value = NaiveDate> {
    // 2020-01-01 + n days: up to Dec 10 (reviewable), Dec 11–31 (freeze), or another year.
    let day = |base: NaiveDate, n: u64| base.checked_add_days(Days::new(n)).expect("in range");
    prop_oneof![
        8 => (0u64..345).prop_map(move |n| day(ymd(2020, 1, 1), n)),
        1 => (0u64..21).prop_map(move |n| day(ymd(2020, 12, 11), n)),
        1 => (0u64..365).prop_map(move |n| day(ymd(2019, 1, 1), n)),
        1 => (0u64..180).prop_map(move |n| day(ymd(2021, 1, 1), n)),
    ]
}

fn rec_strategy() -> impl Strategy<Value = Rec> {
    let year = prop_oneof![
        6 => Just(None),
        3 => Just(Some(2020)),
        1 => Just(Some(2019)),
        1 => Just(Some(2021)),
    ];
    let exam = prop_oneof![
        7 => (0..PASSED.len()).prop_map(|i| (ExamV::Passed, i)),
        1 => (0..FAILED.len()).prop_map(|i| (ExamV::Failed, i)),
        1 => (0..PENDING.len()).prop_map(|i| (ExamV::Pending, i)),
    ];
    let filing = prop_oneof![
        6 => (0..FILED.len()).prop_map(|i| (FilingV::Filed, i)),
        2 => Just((FilingV::Unknown, 0)),
        1 => (0..NOT_FILED.len()).prop_map(|i| (FilingV::NotFiled, i)),
    ];
    (
        0..PEOPLE.len(),
        0..CATEGORIES.len(),
        0..NATURES.len(),
        hours_strategy(),
        0..6usize,
        date_strategy(),
        0..6usize,
        (year, 0..3usize),
        exam,
        filing,
    )
        .prop_map(|(person, category, nature, hours, hours_fmt, date, date_fmt, year, exam, filing)| {
            // A nature column never contradicts a nature merged into the category.
            let nature = match (CATEGORIES[category].2, NATURES[nature].1) {
                (Some(merged), Some(n)) if merged != n => 0,
                _ => nature,
            };
            Rec { person, category, nature, hours, hours_fmt, date, date_fmt, year, exam, filing }
        })
}

fn fault_strategy() -> impl Strategy<Value = Fault> {
    prop_oneof![
        (0..BAD_HOURS.len()).prop_map(Fault::Hours),
        (0..BAD_DATES.len()).prop_map(Fault::Date),
        Just(Fault::NoDate),
        (0..BAD_CATEGORIES.len()).prop_map(Fault::Category),
        (0..BAD_NATURES.len()).prop_map(Fault::Nature),
        Just(Fault::Person),
        (0..BAD_YEARS.len()).prop_map(Fault::Year),
        Just(Fault::Exam),
        Just(Fault::Filing),
    ]
}

fn row_strategy() -> impl Strategy<Value = RowGen> {
    prop_oneof![
        10 => rec_strategy().prop_map(RowGen::Rec),
        3 => (rec_strategy(), any::<Index>(), 0..4usize)
            .prop_map(|(r, i, v)| RowGen::Copy(r, i, v)),
        3 => (rec_strategy(), prop::collection::vec(fault_strategy(), 1..3))
            .prop_map(|(r, f)| RowGen::Bad(r, f)),
        2 => (0..3usize).prop_map(RowGen::Blank),
        1 => (0..2usize).prop_map(RowGen::Total),
        1 => Just(RowGen::Header),
    ]
}

fn file_strategy() -> impl Strategy<Value = FileGen> {
    (
        prop::collection::vec(row_strategy(), 0..40),
        any::<bool>(),
        any::<bool>(),
        0..3usize,
        any::<[bool; 5]>(),
        Just((0..ALL_COLS.len()).collect::<Vec<_>>()).prop_shuffle(),
    )
        .prop_map(|(rows, tab, crlf, title, optional, order)| FileGen { rows, tab, crlf, title, optional, order })
}

/// `4.5`, `24`, `0.0125`: the canonical decimal for ten-thousandths.
fn decimal(raw: i64) -> String {
    let (whole, frac) = (raw / 10_000, raw % 10_000);
    if frac == 0 { whole.to_string() } else { format!("{whole}.{}", format!("{frac:04}").trim_end_matches('0')) }
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn hours_cell(raw: i64, fmt: usize) -> String {
    let canon = decimal(raw);
    match fmt {
        0 => canon,
        1 => format!("{canon}学时"),
        2 => full_width(&canon),
        3 => format!(" {canon} "),
        4 => format!("{}.{:04}", raw / 10_000, raw % 10_000),
        _ => format!("{canon}h"),
    }
}

fn date_cell(d: NaiveDate, fmt: usize) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match fmt {
        0 => format!("{y}-{m:02}-{day:02}"),
        1 => format!("{y}/{m}/{day}"),
        2 => format!("{y}年{m}月{day}日"),
        3 => format!("{y}{m:02}{day:02}"),
        4 => format!("{y}.{m}.{day}"),
        _ => format!("{y}-{m:02}-{day:02} 09:30:00"),
    }
}

fn year_cell(year: Option<i32>, fmt: usize) -> String {
    match (year, fmt) {
        (None, _) => String::new(),
        (Some(y), 0) => y.to_string(),
        (Some(y), 1) => format!("{y}年"),
        (Some(y), _) => format!("{y}年度"),
    }
}

fn course_cell(id: usize, variant: usize) -> String {
    match variant {
        0 => format!("课程{id}"),
        1 => format!("课程 {id}"),
        2 => format!("课程{}", full_width(&id.to_string())),
        _ => format!(" 课程{id}\u{3000}"),
    }
}

/// What the oracle expects of one person.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Expect {
    counted: usize,
    /// Ten-thousandths: public compulsory, public elective, professional.
    tally: [i64; 3],
    /// (row, reason code, hours).
    excluded: Vec<(u32, &'static str, i64)>,
    pending: Vec<u32>,
}

#[derive(Debug, Default)]
struct Oracle {
    data: usize,
    counted: usize,
    excluded: usize,
    pending: usize,
    errors: BTreeMap<u32, ()>,
    skipped: usize,
    people: BTreeMap<String, Expect>,
    /// Canonical strings of every counted record's hours (summed with `Hours` in the test).
    counted_hours: Vec<String>,
}

/// The reason a readable record does not count, from the design's rules, in its order.
fn reason(rec: &Rec, cols: &[Col]) -> Option<&'static str> {
    let has = |c| cols.contains(&c);
    let year = if has(Col::Year) { rec.year.0 } else { None }.unwrap_or(rec.date.year());
    if year != 2020 {
        if year < 2020 && rec.date.year() == 2020 {
            return Some(if (ymd(2020, 3, 26)..=ymd(2020, 11, 20)).contains(&rec.date) {
                "makeup_for_earlier_year"
            } else {
                "makeup_outside_window"
            });
        }
        return Some("outside_year");
    }
    if rec.date.year() != 2020 {
        return Some("completed_outside_year");
    }
    if (ymd(2020, 12, 11)..=ymd(2020, 12, 31)).contains(&rec.date) {
        return Some("freeze_period");
    }
    if has(Col::Exam) {
        match rec.exam.0 {
            ExamV::Failed => return Some("exam_not_passed"),
            ExamV::Pending => return Some("exam_pending"),
            ExamV::Passed => {}
        }
    }
    if has(Col::Filing) && rec.filing.0 == FilingV::NotFiled {
        return Some("not_filed");
    }
    None
}

/// Renders the file and works out, independently of the checker, what must become of each row.
fn render(file: &FileGen) -> (String, Oracle) {
    let cols = file.columns();
    let has = |c| cols.contains(&c);
    let delim = if file.tab { "\t" } else { "," };
    let eol = if file.crlf { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = Vec::new();
    match file.title {
        1 => lines.push("2020年度专业技术人员继续教育学时明细".to_owned()),
        2 => {
            lines.push(String::new());
            lines.push(format!("郑州市2020年度学时登记表{delim}{delim}"));
        }
        _ => {}
    }
    let header: Vec<&str> = cols.iter().map(|&c| label(c)).collect();
    lines.push(header.join(delim));

    let mut o = Oracle::default();
    // Records seen so far: (person, course id, date, hours, category, nature, year) for copies.
    let mut records: Vec<(Rec, usize)> = Vec::new();
    let mut counted_keys: HashSet<(usize, usize, NaiveDate, i64)> = HashSet::new();
    let mut next_course = 0usize;
    let person_of = |rec: &Rec| {
        if has(Col::Name) { PEOPLE[rec.person].to_owned() } else { String::new() }
    };
    if !has(Col::Name) {
        o.people.insert(String::new(), Expect::default());
    }

    for row in &file.rows {
        let line = u32::try_from(lines.len() + 1).expect("few lines");
        let (rec, course, name_variant, faults): (Rec, usize, usize, &[Fault]) = match row {
            RowGen::Blank(shape) => {
                lines.push(match shape {
                    0 => String::new(),
                    1 => delim.repeat(cols.len() - 1),
                    _ => vec![" "; cols.len()].join(delim),
                });
                continue;
            }
            RowGen::Total(word) => {
                let cells: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| {
                        if i == 0 {
                            ["合计", "总计"][*word].to_owned()
                        } else if c == Col::Hours {
                            "100".to_owned()
                        } else {
                            String::new()
                        }
                    })
                    .collect();
                lines.push(cells.join(delim));
                o.data += 1;
                o.skipped += 1;
                continue;
            }
            RowGen::Header => {
                lines.push(header.join(delim));
                o.data += 1;
                o.skipped += 1;
                continue;
            }
            RowGen::Rec(rec) => {
                next_course += 1;
                (rec.clone(), next_course, 0, &[])
            }
            RowGen::Bad(rec, faults) => {
                next_course += 1;
                (rec.clone(), next_course, 0, faults.as_slice())
            }
            RowGen::Copy(rec, of, variant) => {
                if records.is_empty() {
                    next_course += 1;
                    (rec.clone(), next_course, 0, &[])
                } else {
                    let (earlier, course) = &records[of.index(records.len())];
                    let copy = Rec {
                        person: earlier.person,
                        category: earlier.category,
                        nature: earlier.nature,
                        hours: earlier.hours,
                        date: earlier.date,
                        year: (earlier.year.0, rec.year.1),
                        ..rec.clone()
                    };
                    (copy, *course, *variant, &[])
                }
            }
        };
        let cell = |c: Col| -> String {
            match c {
                Col::Name => PEOPLE[rec.person].to_owned(),
                Col::Course => course_cell(course, name_variant),
                Col::Category => CATEGORIES[rec.category].0.to_owned(),
                Col::Nature => NATURES[rec.nature].0.to_owned(),
                Col::Hours => hours_cell(rec.hours, rec.hours_fmt),
                Col::Date => date_cell(rec.date, rec.date_fmt),
                Col::Exam => match rec.exam {
                    (ExamV::Passed, i) => PASSED[i],
                    (ExamV::Failed, i) => FAILED[i],
                    (ExamV::Pending, i) => PENDING[i],
                }
                .to_owned(),
                Col::Filing => match rec.filing {
                    (FilingV::Filed, i) => FILED[i],
                    (FilingV::Unknown, _) => "",
                    (FilingV::NotFiled, i) => NOT_FILED[i],
                }
                .to_owned(),
                Col::Year => year_cell(rec.year.0, rec.year.1),
            }
        };
        let mut cells: Vec<(Col, String)> = cols.iter().map(|&c| (c, cell(c))).collect();
        let mut set = |col: Col, value: &str| -> bool {
            match cells.iter_mut().find(|(c, _)| *c == col) {
                Some((_, v)) => {
                    *v = value.to_owned();
                    true
                }
                None => false,
            }
        };
        let mut error = false;
        for fault in faults {
            error |= match *fault {
                Fault::Hours(i) => set(Col::Hours, BAD_HOURS[i]),
                Fault::Date(i) => set(Col::Date, BAD_DATES[i]),
                Fault::NoDate => {
                    set(Col::Year, "");
                    set(Col::Date, "")
                }
                Fault::Category(i) => set(Col::Category, BAD_CATEGORIES[i]),
                Fault::Nature(i) => set(Col::Nature, BAD_NATURES[i]),
                Fault::Person => set(Col::Name, ""),
                Fault::Year(i) => set(Col::Year, BAD_YEARS[i]),
                Fault::Exam => set(Col::Exam, "也许"),
                Fault::Filing => set(Col::Filing, "不知道"),
            };
        }
        lines.push(cells.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(delim));
        o.data += 1;
        if error {
            o.errors.insert(line, ());
            continue;
        }
        records.push((rec.clone(), course));
        let person = person_of(&rec);
        let slot = if has(Col::Name) { rec.person } else { 0 };
        let p = o.people.entry(person).or_default();
        let why = reason(&rec, &cols)
            .or_else(|| (!counted_keys.insert((slot, course, rec.date, rec.hours))).then_some("duplicate"));
        match why {
            Some("exam_pending") => {
                o.pending += 1;
                p.pending.push(line);
            }
            Some(code) => {
                o.excluded += 1;
                p.excluded.push((line, code, rec.hours));
            }
            None => {
                o.counted += 1;
                p.counted += 1;
                o.counted_hours.push(decimal(rec.hours));
                let (_, kind, merged) = CATEGORIES[rec.category];
                let nature = if has(Col::Nature) { NATURES[rec.nature].1.or(merged) } else { merged };
                let slot = match (kind, nature) {
                    (Kind::Professional, _) => 2,
                    (Kind::Public, Some(Nature::Compulsory)) => 0,
                    (Kind::Public, _) => 1,
                };
                p.tally[slot] += rec.hours;
            }
        }
    }
    let mut text = lines.join(eol);
    text.push_str(eol);
    (text, o)
}

// ---------------------------------------------------------------------------------------------
// 3. Hours.

/// A positive decimal with at most four places, as (ten-thousandths, places written).
fn decimal_strategy() -> impl Strategy<Value = (i64, usize)> {
    (1i64..=100_000_000, 0usize..=4).prop_map(|(raw, places)| {
        let unit = 10_i64.pow(4 - places as u32);
        let raw = (raw - raw % unit).max(unit);
        (raw, places)
    })
}

fn written(raw: i64, places: usize) -> String {
    let whole = raw / 10_000;
    if places == 0 {
        return whole.to_string();
    }
    let frac = format!("{:04}", raw % 10_000);
    format!("{whole}.{}", &frac[..places])
}

// ---------------------------------------------------------------------------------------------
// 4. Splitting CSV/TSV records, against the `csv` crate.

/// Text made of what is special to a CSV reader, and a little that is not.
fn delimited_text() -> impl Strategy<Value = String> {
    let pieces =
        select(vec!["a", "学时", ",", ",", "\t", ";", "\"", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\u{feff}", "1"]);
    prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat())
}

/// The records as the `csv` crate reads them, each with the line it starts on: 1 plus the line
/// ends (`\n`, and `\r` not before `\n`) before its first byte.
fn csv_crate_records(text: &str, delimiter: u8) -> Vec<(u32, Vec<String>)> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).expect("reading from memory") {
        let mut start = record.position().expect("a position").byte() as usize;
        // The reader drops a BOM at the very start before the first record.
        if start == 0 && text.starts_with('\u{feff}') {
            start = 3;
        }
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let before = &bytes[..start];
        let ends = before
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        let fields = record.iter().map(|f| String::from_utf8(f.to_vec()).expect("UTF-8 fields")).collect();
        out.push((1 + ends as u32, fields));
    }
    out
}

fn our_records(text: &str, delimiter: u8) -> Vec<(u32, Vec<String>)> {
    let table = Table::Delimited { text: text.into(), delimiter, lossy: false };
    let mut out = Vec::new();
    table.for_each_row(&mut |line, row| {
        out.push((line, (0..row.len()).map(|i| row.get(i).to_owned()).collect()));
        ControlFlow::Continue(())
    });
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(report) = jxjy_core::check(&bytes, &policy(), today()) {
            assert_accounts(&report)?;
        }
    }

    #[test]
    fn record_like_text_never_panics(text in token_text(), header in any::<bool>()) {
        let text = if header {
            format!("课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案,姓名,所属年度\n{text}")
        } else {
            text
        };
        if let Ok(report) = jxjy_core::check(text.as_bytes(), &policy(), today()) {
            assert_accounts(&report)?;
        }
        // The same text as Excel writes "Unicode text": UTF-16LE with a BOM.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        if let Ok(report) = jxjy_core::check(&utf16, &policy(), today()) {
            assert_accounts(&report)?;
        }
    }

    #[test]
    fn every_row_is_accounted_for(file in file_strategy()) {
        let (text, want) = render(&file);
        let report = jxjy_core::check(text.as_bytes(), &policy(), today());
        let report = match report {
            Ok(r) => r,
            // No person to judge (every data row unreadable) is an error, never an empty report.
            Err(jxjy_core::ImportError::NoPerson { .. }) => {
                prop_assert!(want.people.is_empty(), "NoPerson while the oracle has people\n{}", text);
                prop_assert!(want.data > 0 && want.errors.len() + want.skipped == want.data, "NoPerson with rows that read\n{}", text);
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("not read: {e}\n{text}"))),
        };
        let r = report.rows;
        // The invariant itself.
        assert_accounts(&report)?;
        prop_assert_eq!(r.data, want.data, "data rows\n{}", text);
        // Each fate, against the oracle.
        prop_assert_eq!(
            (r.counted, r.excluded, r.pending, r.errors, r.skipped),
            (want.counted, want.excluded, want.pending, want.errors.len(), want.skipped),
            "(counted, excluded, pending, errors, skipped)\n{}",
            text
        );
        let error_rows: BTreeMap<u32, ()> = report.errors.iter().map(|e| (e.row, ())).collect();
        prop_assert_eq!(&error_rows, &want.errors, "error rows\n{}", text);
        // Hours, summed exactly.
        let total: Hours = report.people.iter().map(|p| p.hours.total).sum();
        let expected: Hours = want
            .counted_hours
            .iter()
            .map(|s| Hours::parse_cell(s).expect("canonical hours"))
            .sum();
        let raw: i64 = want
            .counted_hours
            .iter()
            .map(|s| Hours::parse_cell(s).expect("canonical hours").raw())
            .sum();
        prop_assert_eq!(total, expected, "total hours\n{}", text);
        prop_assert_eq!(total.raw(), raw);
        // Per person.
        let got: BTreeMap<String, Expect> = report
            .people
            .iter()
            .map(|p| {
                (
                    p.person.clone(),
                    Expect {
                        counted: p.counted,
                        tally: [
                            p.hours.public_compulsory.raw(),
                            p.hours.public_elective.raw(),
                            p.hours.professional.raw(),
                        ],
                        excluded: p
                            .excluded
                            .iter()
                            .map(|e| (e.row, e.reason.code(), e.hours.raw()))
                            .collect(),
                        pending: p.pending.iter().map(|e| e.row).collect(),
                    },
                )
            })
            .collect();
        prop_assert_eq!(got.len(), report.people.len(), "people are distinct");
        prop_assert_eq!(&got, &want.people, "per person\n{}", text);
        for p in &report.people {
            prop_assert_eq!(p.hours.public, p.hours.public_compulsory + p.hours.public_elective);
            prop_assert_eq!(p.hours.total, p.hours.public + p.hours.professional);
        }
        // The ledger (明细) lists every data row once, with the fate the report counted for it.
        let options = jxjy_core::CheckOptions { ledger: true, ledger_cap: None };
        let with_ledger = jxjy_core::check_with(text.as_bytes(), &policy(), today(), options)
            .map_err(|e| TestCaseError::fail(format!("not read with a ledger: {e}")))?;
        let ledger = &with_ledger.ledger;
        prop_assert_eq!(ledger.len(), r.data, "one entry per data row\n{}", text);
        prop_assert!(ledger.windows(2).all(|w| w[0].row < w[1].row), "rows in order, once each");
        let fate = |o: Outcome| ledger.iter().filter(|e| e.outcome == o).count();
        prop_assert_eq!(
            (fate(Outcome::Counted), fate(Outcome::Excluded), fate(Outcome::Pending), fate(Outcome::Error), fate(Outcome::Skipped)),
            (r.counted, r.excluded, r.pending, r.errors, r.skipped)
        );
        for (i, p) in report.people.iter().enumerate() {
            let mine: Hours = ledger
                .iter()
                .filter(|e| e.outcome == Outcome::Counted && e.person == Some(i as u32))
                .filter_map(|e| e.hours)
                .sum();
            prop_assert_eq!(mine, p.hours.total, "ledger hours of {}", p.person);
        }
        let excluded: Vec<u32> = ledger.iter().filter(|e| e.outcome == Outcome::Excluded).map(|e| e.row).collect();
        let mut want_excluded: Vec<u32> = report.people.iter().flat_map(|p| p.excluded.iter().map(|x| x.row)).collect();
        want_excluded.sort_unstable();
        prop_assert_eq!(excluded, want_excluded);
        // The same file saved as UTF-16LE with a BOM reads the same.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let again = jxjy_core::check(&utf16, &policy(), today())
            .map_err(|e| TestCaseError::fail(format!("UTF-16 not read: {e}")))?;
        prop_assert_eq!(again.rows, report.rows, "UTF-16\n{}", text);
        prop_assert_eq!(&again.errors, &report.errors);
    }

    #[test]
    fn records_split_as_the_csv_crate_splits_them(text in delimited_text(), delimiter in select(vec![b',', b'\t', b';'])) {
        prop_assert_eq!(our_records(&text, delimiter), csv_crate_records(&text, delimiter), "{:?}", text);
    }

    #[test]
    fn hours_round_trip_through_display((raw, places) in decimal_strategy()) {
        let text = written(raw, places);
        let h = Hours::parse_cell(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
        prop_assert_eq!(h.raw(), raw, "{}", text);
        prop_assert_eq!(h.to_string(), decimal(raw));
        prop_assert_eq!(Hours::parse_cell(&h.to_string()), Ok(h));
        prop_assert_eq!(Hours::parse_cell(&full_width(&text)), Ok(h));
        prop_assert_eq!(Hours::parse_cell(&format!(" {text} 学时")), Ok(h));
    }

    #[test]
    fn hours_sum_exactly(values in prop::collection::vec(decimal_strategy(), 0..100)) {
        let parsed: Vec<Hours> = values
            .iter()
            .map(|&(raw, places)| Hours::parse_cell(&written(raw, places)).expect("valid"))
            .collect();
        let sum: Hours = parsed.iter().copied().sum();
        let exact: i64 = values.iter().map(|&(raw, _)| raw).sum();
        prop_assert_eq!(sum.raw(), exact);
        prop_assert_eq!(sum.to_string(), decimal(exact));
        let mut acc = Hours::ZERO;
        for h in parsed.iter().rev() {
            acc += *h;
        }
        prop_assert_eq!(acc, sum);
    }
}
