//! The 2020 rules as design.md states them, one test per rule.

mod common;
use common::*;
use jxjy_core::Hours;
use jxjy_core::report::{Reason, WarningCode};

const HEAD: &str = "课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案\n";

fn with_head(rows: &str) -> String {
    format!("{HEAD}{rows}")
}

#[test]
fn the_design_example_shortfall_and_needed() {
    let r = check(&with_head(
        "思想,公需科目,必修,24,2020-04-01,合格,是\n\
         经济热点,公需科目,选修,8,2020-05-06,合格,是\n\
         机械设计,专业科目,,30,2020-06-01,合格,是\n\
         数控加工,专业科目,,14.5,2020-08-01,合格,是\n",
    ));
    let p = only(&r);
    assert_eq!(p.person, "");
    assert_eq!(p.hours.public_compulsory, h("24"));
    assert_eq!(p.hours.public_elective, h("8"));
    assert_eq!(p.hours.public, h("32"));
    assert_eq!(p.hours.professional, h("44.5"));
    assert_eq!(p.hours.total, h("76.5"));
    assert_eq!(p.shortfall.public_compulsory, Hours::ZERO);
    assert_eq!(p.shortfall.public, Hours::ZERO);
    assert_eq!(p.shortfall.professional, h("15.5"));
    assert_eq!(p.shortfall.total, h("13.5"));
    assert_eq!(p.needed, h("15.5"));
    assert!(!p.compliant);
    assert_eq!(p.required.total, h("90"));
    assert_eq!(p.counted, 4);
}

#[test]
fn compliant_exactly_at_the_minimums() {
    let r = check(&with_head(
        "思想,公需科目,必修,24,2020-04-01,合格,是\n热点,公需科目,选修,6,2020-05-06,合格,是\n专业,专业科目,,60,2020-06-01,合格,是\n",
    ));
    let p = only(&r);
    assert!(p.compliant);
    assert_eq!(p.needed, Hours::ZERO);
    assert_eq!(p.hours.total, h("90"));
}

#[test]
fn extra_professional_never_covers_public() {
    let r = check(&with_head("专业一,专业科目,,100,2020-06-01,合格,是\n"));
    let p = only(&r);
    assert_eq!(p.shortfall.total, Hours::ZERO);
    assert_eq!(p.shortfall.public, h("30"));
    assert_eq!(p.shortfall.public_compulsory, h("24"));
    assert_eq!(p.needed, h("30"));
    assert!(!p.compliant);
}

#[test]
fn elective_never_covers_compulsory() {
    let r = check(&with_head(
        "思想,公需科目,必修,10,2020-04-01,合格,是\n热点,公需科目,选修,30,2020-05-06,合格,是\n专业,专业科目,,60,2020-06-01,合格,是\n",
    ));
    let p = only(&r);
    assert_eq!(p.shortfall.public_compulsory, h("14"));
    assert_eq!(p.shortfall.public, Hours::ZERO);
    assert_eq!(p.shortfall.total, Hours::ZERO);
    assert_eq!(p.needed, h("14"));
}

#[test]
fn needed_takes_the_larger_of_total_and_per_category() {
    // Public 20 of which compulsory 20, professional 50: total short 20, categories short 10 + 10.
    let r = check(&with_head("思想,公需科目,必修,20,2020-04-01,合格,是\n专业,专业科目,,50,2020-06-01,合格,是\n"));
    let p = only(&r);
    assert_eq!(p.shortfall.public_compulsory, h("4"));
    assert_eq!(p.shortfall.public, h("10"));
    assert_eq!(p.shortfall.professional, h("10"));
    assert_eq!(p.shortfall.total, h("20"));
    assert_eq!(p.needed, h("20"));
}

#[test]
fn hours_over_ninety_are_reported_but_not_carried() {
    let r = check(&with_head("思想,公需科目,必修,30,2020-04-01,合格,是\n专业,专业科目,,100,2020-06-01,合格,是\n"));
    let p = only(&r);
    assert_eq!(p.hours.total, h("130"));
    assert!(p.compliant);
    // Nothing in the report carries a surplus into another year.
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.to_string().find("carry").is_none());
}

#[test]
fn unknown_nature_counts_as_elective_with_a_warning() {
    let r = check(&with_head("热点,公需科目,,8,2020-05-06,合格,是\n"));
    let p = only(&r);
    assert_eq!(p.hours.public_elective, h("8"));
    assert_eq!(p.hours.public_compulsory, Hours::ZERO);
    assert_eq!(row_warnings(p), [(2, WarningCode::NatureUnknown)]);
}

#[test]
fn merged_category_and_nature() {
    let r = check("课程名称,类别,学时,完成日期\n思想,公需课（必修）,24,2020-04-01\n热点,公需选修,6,2020-04-01\n");
    let p = only(&r);
    assert_eq!(p.hours.public_compulsory, h("24"));
    assert_eq!(p.hours.public_elective, h("6"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn recognised_hours_win_over_hours() {
    let r =
        check("课程名称,科目类型,学时,认定学时,完成日期\n面授,专业科目,8,6,2020-04-01\n讲座,专业科目,3,,2020-04-02\n");
    let p = only(&r);
    assert_eq!(p.hours.professional, h("9"));
}

#[test]
fn exam_results_decide_what_counts() {
    let r = check(&with_head(
        "甲,专业科目,,6,2020-04-01,不合格,是\n乙,专业科目,,2,2020-04-02,,是\n丙,专业科目,,4,2020-04-03,合格,是\n",
    ));
    let p = only(&r);
    assert_eq!(reasons(p), [(2, Reason::ExamNotPassed), (3, Reason::ExamPending)]);
    assert_eq!(p.excluded.len(), 1);
    assert_eq!(p.pending.len(), 1);
    assert_eq!(p.pending[0].hours, h("2"));
    assert_eq!(p.hours.professional, h("4"));
    assert_eq!(r.rows.pending, 1);
}

#[test]
fn no_exam_column_means_registered_hours_with_one_file_warning() {
    let r =
        check("课程名称,科目类型,学时,完成日期,是否备案\n甲,专业科目,6,2020-04-01,是\n乙,专业科目,2,2020-04-02,是\n");
    let p = only(&r);
    assert_eq!(p.hours.professional, h("8"));
    assert_eq!(file_warnings(&r), [WarningCode::ExamColumnMissing]);
    assert!(p.warnings.is_empty());
}

#[test]
fn filing_rules() {
    let r = check(&with_head(
        "甲,专业科目,,6,2020-04-01,合格,否\n乙,专业科目,,2,2020-04-02,合格,\n丙,专业科目,,1,2020-04-02,合格,未备案\n",
    ));
    let p = only(&r);
    assert_eq!(reasons(p), [(2, Reason::NotFiled), (4, Reason::NotFiled)]);
    assert_eq!(p.hours.professional, h("2"));
    assert_eq!(row_warnings(p), [(3, WarningCode::FilingUnknown)]);
    assert!(file_warnings(&r).is_empty());
}

#[test]
fn no_filing_column_gives_one_file_warning_not_one_per_row() {
    let r = check(
        "课程名称,科目类型,学时,完成日期,考核结果\n甲,专业科目,6,2020-04-01,合格\n乙,专业科目,2,2020-04-02,合格\n",
    );
    let p = only(&r);
    assert_eq!(p.hours.professional, h("8"));
    assert_eq!(file_warnings(&r), [WarningCode::FilingUnknown]);
    assert!(p.warnings.is_empty());
}

#[test]
fn freeze_period_rows_are_excluded() {
    let r = check_on(
        &with_head(
            "甲,专业科目,,6,2020-12-15,合格,是\n乙,专业科目,,2,2020-12-10,合格,是\n丙,专业科目,,1,2020-12-11,合格,是\n",
        ),
        "2020-12-20",
    );
    let p = only(&r);
    assert_eq!(reasons(p), [(2, Reason::FreezePeriod), (4, Reason::FreezePeriod)]);
    assert_eq!(p.hours.professional, h("2"));
    assert!(p.excluded[0].message.to_string().contains("通知未说明"), "{}", p.excluded[0].message);
}

#[test]
fn make_up_records_never_count_for_the_policy_year() {
    let csv = "课程名称,科目类型,学时,完成日期,考核结果,所属年度\n\
               补学甲,专业科目,6,2020-05-01,合格,2019\n\
               补学乙,专业科目,4,2020-12-01,合格,2019年\n\
               补学丙,专业科目,3,2020-03-01,合格,2019\n\
               旧记录,专业科目,2,2019-06-01,合格,2019\n\
               本年,专业科目,1,2020-06-01,合格,2020\n\
               无年度,专业科目,1,2020-06-02,合格,\n\
               跨年,专业科目,5,2021-01-05,合格,\n";
    let r = check(csv);
    let p = only(&r);
    assert_eq!(
        reasons(p),
        [
            (2, Reason::MakeupForEarlierYear),
            (3, Reason::MakeupOutsideWindow),
            (4, Reason::MakeupOutsideWindow),
            (5, Reason::OutsideYear),
            (8, Reason::OutsideYear),
        ]
    );
    assert_eq!(p.hours.professional, h("2"));
    assert!(row_warnings(p).contains(&(2, WarningCode::MakeupNeedsApproval)));
    let makeup = &p.excluded[0];
    assert!(makeup.message.to_string().contains("事业单位"), "{}", makeup.message);
    assert!(makeup.message.to_string().contains("2019年度"), "{}", makeup.message);
}

#[test]
fn one_reason_per_row_in_the_policy_order() {
    let csv = "课程名称,科目类型,学时,完成日期,考核结果,是否备案,所属年度\n\
               旧且不合格,专业科目,6,2019-05-01,不合格,否,\n\
               补学且不合格,专业科目,6,2020-05-01,不合格,否,2019\n\
               结转期且不合格,专业科目,6,2020-12-20,不合格,否,\n\
               不合格且未备案,专业科目,6,2020-05-01,不合格,否,\n\
               待考且未备案,专业科目,6,2020-05-02,,否,\n";
    let r = check_on(csv, "2020-12-25");
    let p = only(&r);
    assert_eq!(
        reasons(p),
        [
            (2, Reason::OutsideYear),
            (3, Reason::MakeupForEarlierYear),
            (4, Reason::FreezePeriod),
            (5, Reason::ExamNotPassed),
            (6, Reason::ExamPending),
        ]
    );
}

#[test]
fn duplicates_count_once_with_normalised_course_names() {
    let csv = with_head(
        "知识产权 专题,公需科目,选修,4,2020-04-01,合格,是\n\
         知识产权专题,公需科目,选修,4,2020-04-01,合格,是\n\
         知识产权专题　,公需科目,选修,４,2020/4/1,合格,是\n\
         知识产权专题,公需科目,选修,4,2020-04-02,合格,是\n\
         知识产权专题,公需科目,选修,2,2020-04-01,合格,是\n",
    );
    let r = check(&csv);
    let p = only(&r);
    assert_eq!(reasons(p), [(3, Reason::Duplicate), (4, Reason::Duplicate)]);
    assert!(p.excluded[0].message.to_string().contains("第2行"));
    assert_eq!(p.hours.public_elective, h("10"));
}

#[test]
fn a_passed_retake_is_not_a_duplicate() {
    let r = check(&with_head(
        "知识产权,公需科目,选修,4,2020-04-01,不合格,是\n知识产权,公需科目,选修,4,2020-04-01,合格,是\n",
    ));
    let p = only(&r);
    assert_eq!(reasons(p), [(2, Reason::ExamNotPassed)]);
    assert_eq!(p.hours.public_elective, h("4"));
}

#[test]
fn unreadable_cells_are_errors_and_good_rows_still_count() {
    let r = check(&with_head(
        "好,专业科目,,6,2020-04-01,合格,是\n\
         无类别,,,6,2020-04-01,合格,是\n\
         零学时,专业科目,,0,2020-04-01,合格,是\n\
         坏日期,专业科目,,2,2020-02-30,合格,是\n\
         负学时,专业科目,,-3,2020-04-01,合格,是\n\
         怪结果,专业科目,,2,2020-04-01,也许,是\n\
         也好,专业科目,,1.5,2020-04-01,合格,是\n",
    ));
    let p = only(&r);
    assert_eq!(p.hours.professional, h("7.5"));
    let errs: Vec<(u32, &str)> = r.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(errs, [(3, "科目类型"), (4, "学时"), (5, "完成日期"), (6, "学时"), (7, "考核结果")]);
    assert!(r.errors[2].message.to_string().contains("不存在"));
    assert_eq!(r.rows.errors, 5);
    assert_eq!(r.rows.counted, 2);
}

#[test]
fn total_rows_are_skipped_with_a_warning() {
    let r = check(&with_head("甲,专业科目,,6,2020-04-01,合格,是\n合计,,,6,,,\n"));
    assert_eq!(only(&r).hours.professional, h("6"));
    assert_eq!(file_warnings(&r), [WarningCode::TotalRowSkipped]);
    assert_eq!(r.warnings[0].row, Some(3));
    assert_eq!(r.rows.skipped, 1);
}

#[test]
fn future_dates_are_flagged() {
    let r = check_on(&with_head("甲,专业科目,,6,2020-11-15,合格,是\n"), "2020-11-01");
    let p = only(&r);
    assert_eq!(row_warnings(p), [(2, WarningCode::FutureDate)]);
    assert_eq!(p.hours.professional, h("6"));
}

#[test]
fn per_person_with_masked_ids() {
    let csv = "身份证号,课程名称,科目类型,学时,完成日期\n\
               410105199001011234,甲,专业科目,60,2020-04-01\n\
               410105199001015678,乙,公需科目,4,2020-04-01\n\
               ,丙,专业科目,1,2020-04-01\n\
               410105199001011234,丁,公需必修,30,2020-05-01\n";
    let r = check(csv);
    assert_eq!(r.people.len(), 2);
    assert_eq!(r.people[0].person, "4101**********1234");
    assert!(r.people[0].compliant);
    assert_eq!(r.people[1].person, "4101**********5678");
    assert_eq!(r.people[1].hours.public_elective, h("4"));
    assert_eq!((r.errors[0].row, r.errors[0].column.as_str()), (4, "身份证号"));
}

#[test]
fn name_is_preferred_over_staff_number_and_duplicates_are_per_person() {
    let csv = "工号,姓名,课程名称,科目类型,学时,完成日期\n\
               001,张三,知识产权,公需选修,4,2020-04-01\n\
               002,李四,知识产权,公需选修,4,2020-04-01\n\
               001,张三,知识产权,公需选修,4,2020-04-01\n";
    let r = check(csv);
    let names: Vec<&str> = r.people.iter().map(|p| p.person.as_str()).collect();
    assert_eq!(names, ["张三", "李四"]);
    assert_eq!(reasons(&r.people[0]), [(4, Reason::Duplicate)]);
    assert!(r.people[1].excluded.is_empty());
}

#[test]
fn rows_are_all_accounted_for() {
    let r = check(&with_head(
        "甲,专业科目,,6,2020-04-01,合格,是\n\n乙,专业科目,,6,2019-04-01,合格,是\n丙,专业科目,,6,2020-04-01,,是\n丁,,,6,2020-04-01,合格,是\n合计,,,24,,,\n",
    ));
    let c = r.rows;
    assert_eq!((c.data, c.counted, c.excluded, c.pending, c.errors, c.skipped), (5, 1, 1, 1, 1, 1));
}

#[test]
fn deadlines_come_with_the_report() {
    let r = check_on(&with_head("甲,专业科目,,6,2020-04-01,合格,是\n"), "2020-11-01");
    let codes: Vec<_> = r.deadlines.iter().map(|d| (d.code, d.days_left)).collect();
    use jxjy_core::report::DeadlineCode::*;
    // One person's file: theirs first (by date), the unit's 骨干人才报送 last.
    assert_eq!(codes, [(MakeupStudyEnd, 19), (AnnualReview, 39), (Freeze, 60), (KeyTalentReport, 29)]);
    assert_eq!(r.today, day("2020-11-01"));
}

#[test]
fn column_map_says_how_each_column_was_read() {
    let r = check("序号,课程名称,学时,科目类型,备注\n1,甲,6,专业科目,x\n");
    let cols: Vec<(&str, &str)> = r.columns.0.iter().map(|(l, f)| (l.as_str(), *f)).collect();
    assert_eq!(
        cols,
        [("序号", "serial"), ("课程名称", "course"), ("学时", "hours"), ("科目类型", "category"), ("备注", "ignored")]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["columns"]["学时"], "hours");
}

#[test]
fn hours_are_exact_json_numbers() {
    let rows: String = (0..30).map(|i| format!("课{i},专业科目,,0.1,2020-04-01,合格,是\n")).collect();
    let r = check(&with_head(&rows));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["people"][0]["hours"]["professional"], serde_json::json!(3));
    assert_eq!(json["people"][0]["shortfall"]["professional"], serde_json::json!(57));
    let r = check(&with_head("a,专业科目,,0.1,2020-04-01,合格,是\nb,专业科目,,0.2,2020-04-01,合格,是\n"));
    assert_eq!(serde_json::to_string(&r.people[0].hours.professional).unwrap(), "0.3");
}
