//! Workbooks as offices fill them (issue 18): merged cells and sheets, held to the same report as
//! the plain sheet a person would get by filling every cell by hand.

mod common;

use common::{day, policy};
use jxjy_core::Report;
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

const HEADER: [&str; 7] = ["序号", "科目类型", "课程性质", "课程名称", "学时", "完成日期", "考核结果"];
const CATEGORIES: [&str; 2] = ["公需科目", "专业科目"];
const NATURES: [&str; 3] = ["必修", "选修", ""];
const EXAMS: [&str; 3] = ["合格", "不合格", "合格"];

/// One course: its hours (tenths), its day of 2020 and its exam result.
type Course = (u32, u32, usize);
/// A group of courses under one 科目类型, in runs of one 课程性质, and the runs of 考核结果.
type Group = (usize, Vec<(usize, Vec<Course>)>, Vec<usize>);

fn group() -> impl Strategy<Value = Group> {
    let course = (1u32..200, 1u32..366, 0usize..3);
    (
        0usize..2,
        prop::collection::vec((0usize..3, prop::collection::vec(course, 1..4)), 1..3),
        prop::collection::vec(1usize..4, 1..4),
    )
}

fn write(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, text: &str) {
    if !text.is_empty() {
        ws.write_string(r, c, text).unwrap();
    }
}

/// A form with a title across every column, the header on row 3 and the groups below it: with
/// `merged`, each group's 科目类型, each run's 课程性质 and each run of 考核结果 written once and
/// merged down; without, written in every row.
fn form(groups: &[Group], merged: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let plain = Format::new();
    let last = HEADER.len() as u16 - 1;
    if merged {
        ws.merge_range(0, 0, 0, last, "2020年度继续教育学时登记表", &plain).unwrap();
    } else {
        ws.write_string(0, 0, "2020年度继续教育学时登记表").unwrap();
    }
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut r = 3u32;
    let mut n = 1;
    // A range of one cell is not merged: written as is.
    let down = |ws: &mut rust_xlsxwriter::Worksheet, top: u32, bottom: u32, c: u16, text: &str| {
        if merged && bottom > top && !text.is_empty() {
            ws.merge_range(top, c, bottom, c, text, &plain).unwrap();
        } else {
            for row in top..=bottom {
                write(ws, row, c, text);
            }
        }
    };
    for (category, runs, exam_runs) in groups {
        let top = r;
        let mut exams = Vec::new();
        for (nature, courses) in runs {
            let run_top = r;
            for &(tenths, day, exam) in courses {
                ws.write_number(r, 0, f64::from(n)).unwrap();
                ws.write_string(r, 3, format!("课程{}", n % 5)).unwrap();
                ws.write_string(r, 4, format!("{}.{}", tenths / 10, tenths % 10)).unwrap();
                let date = chrono::NaiveDate::from_yo_opt(2020, day).unwrap();
                ws.write_string(r, 5, date.to_string()).unwrap();
                exams.push(exam);
                r += 1;
                n += 1;
            }
            down(ws, run_top, r - 1, 2, NATURES[*nature]);
        }
        down(ws, top, r - 1, 1, CATEGORIES[*category]);
        // 考核结果 in runs of the given lengths, each run taking its first course's result.
        let mut at = top;
        for &len in exam_runs.iter().cycle() {
            if at >= r {
                break;
            }
            let end = (at + len as u32 - 1).min(r - 1);
            down(ws, at, end, 6, EXAMS[exams[(at - top) as usize]]);
            at = end + 1;
        }
    }
    wb.save_to_buffer().unwrap()
}

fn report(bytes: &[u8]) -> Report {
    let options = jxjy_core::CheckOptions { ledger: true, ledger_cap: None };
    jxjy_core::check_with(bytes, &policy(), day("2020-11-01"), options).unwrap()
}

/// The report as JSON, without what only says where values came from.
fn comparable(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    for c in v["column_details"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        c.remove("merged_rows");
        c.remove("note");
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A form whose groups are merged down gives the report (verdicts, every row's outcome,
    /// ledger, errors) of the same form filled by hand; only the column notes say which values
    /// came from merged ranges, and they count those rows exactly.
    #[test]
    fn a_merged_form_reads_as_the_form_filled_by_hand(groups in prop::collection::vec(group(), 1..5)) {
        let merged = report(&form(&groups, true));
        let by_hand = report(&form(&groups, false));
        prop_assert_eq!(comparable(&merged), comparable(&by_hand));
        let rows: usize = groups.iter().map(|g| g.1.iter().map(|run| run.1.len()).sum::<usize>()).sum();
        let merged_category = rows - groups.len();
        let merged_nature: usize =
            groups.iter().flat_map(|g| &g.1).filter(|run| !NATURES[run.0].is_empty()).map(|run| run.1.len() - 1).sum();
        let counts: Vec<usize> = merged.column_details.iter().map(|c| c.merged_rows).collect();
        prop_assert_eq!(counts[1], merged_category);
        prop_assert_eq!(counts[2], merged_nature);
        prop_assert!(by_hand.column_details.iter().all(|c| c.merged_rows == 0));
    }
}

/// The same rows on one sheet, or split over sheets of the same header (one per month): the
/// same verdicts and row outcomes, each row named by its sheet and its row there.
#[test]
fn rows_split_over_sheets_read_as_one_sheet() {
    let rows: Vec<(String, &str, &str, u32, String, &str)> = (0..24)
        .map(|i| {
            let date = chrono::NaiveDate::from_yo_opt(2020, 10 + i * 14).unwrap().to_string();
            let exam = if i % 7 == 3 { "不合格" } else { "合格" };
            (
                format!("课程{}", i % 9),
                CATEGORIES[(i % 3 == 0) as usize],
                NATURES[(i % 2) as usize],
                1 + i % 6,
                date,
                exam,
            )
        })
        .collect();
    let header = ["课程名称", "科目类型", "课程性质", "学时", "完成日期", "考核结果"];
    let book = |split: &[usize]| {
        let mut wb = Workbook::new();
        let mut at = 0;
        for (k, &len) in split.iter().enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(format!("{}月", k + 1)).unwrap();
            for (c, h) in header.iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (i, (course, cat, nature, hours, date, exam)) in rows[at..at + len].iter().enumerate() {
                let r = 1 + i as u32;
                for (c, text) in [course.as_str(), cat, nature, &hours.to_string(), date, exam].iter().enumerate() {
                    write(ws, r, c as u16, text);
                }
            }
            at += len;
        }
        report(&wb.save_to_buffer().unwrap())
    };
    let one = book(&[24]);
    let split = [5, 9, 1, 9];
    let many = book(&split);
    assert!(one.sheets.is_empty());
    assert_eq!(many.sheets.iter().filter(|s| s.read).count(), 4);
    let (a, b) = (&one.people[0], &many.people[0]);
    assert_eq!((a.hours, a.needed, a.compliant), (b.hours, b.needed, b.compliant));
    assert_eq!(one.rows, many.rows);
    // Row k of the one sheet is row k − (rows on earlier sheets) of its month's sheet.
    let place = |row: u32| {
        let mut i = row as usize - 2;
        for (k, &len) in split.iter().enumerate() {
            if i < len {
                return (Some(format!("{}月", k + 1)), i as u32 + 2);
            }
            i -= len;
        }
        unreachable!()
    };
    let of_one: Vec<_> = one.ledger.iter().map(|e| (place(e.row), e.outcome, e.reason)).collect();
    let of_many: Vec<_> =
        many.ledger.iter().map(|e| ((e.sheet.as_deref().map(str::to_owned), e.row), e.outcome, e.reason)).collect();
    assert_eq!(of_one, of_many);
    let excluded = |r: &Report| r.people[0].excluded.iter().map(|x| (x.reason, x.hours)).collect::<Vec<_>>();
    assert_eq!(excluded(&one), excluded(&many));
}

/// 学时 merged down over several rows: each row counts it (the range's value is every cell's, as
/// Excel shows it), and the verdict says so — were it one total for the rows, it counts too much.
#[test]
fn hours_from_a_merged_range_are_a_premise_of_the_verdict() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["课程名称", "科目类型", "学时", "完成日期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, course) in ["培训班：政策解读", "培训班：案例分析", "培训班：考核"].iter().enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *course).unwrap();
        ws.write_string(r, 1, "专业科目").unwrap();
        ws.write_string(r, 3, "2020-06-01").unwrap();
    }
    ws.merge_range(1, 2, 3, 2, "24", &Format::new()).unwrap();
    let r = report(&wb.save_to_buffer().unwrap());
    assert_eq!(r.people[0].hours.professional, jxjy_core::Hours::whole(72));
    let merged = r.assumptions.iter().find(|a| a.code == jxjy_core::report::AssumptionCode::MergedHours).unwrap();
    assert!(merged.message.contains("“学时”列有 2 行"), "{}", merged.message);
}
