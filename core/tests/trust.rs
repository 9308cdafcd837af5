//! Issue 8: no confident wrong verdict. One test per rule or recognition case of design.md
//! (completion status, completion date vs 所属年度, person identity, missing columns, columns
//! read by their cells), each shaped like a file real people have.

mod common;
use common::*;
use jxjy_core::ImportError;
use jxjy_core::columns::How;
use jxjy_core::report::{AssumptionCode, Reason, WarningCode};

fn assumption_codes(r: &jxjy_core::Report) -> Vec<AssumptionCode> {
    r.assumptions.iter().map(|a| a.code).collect()
}

fn column(r: &jxjy_core::Report, label: &str) -> (String, How) {
    let c = r.column_details.iter().find(|c| c.column == label).unwrap_or_else(|| panic!("no column {label}"));
    (c.field.to_owned(), c.how)
}

#[test]
fn a_platform_table_with_a_status_column_counts_only_finished_rows() {
    // 培训名称 / 类别 / 获得学时 / 学习时间 / 状态, as copied from a training platform: the rows
    // 学习中 and 未完成 are pending, never counted (was: 专业 70/60 and 已达到; truth 52/60).
    let r = check(
        "培训名称\t类别\t获得学时\t学习时间\t状态\n\
         政治理论\t公需必修\t24\t2020-03-02\t已完成\n\
         创新能力\t公需选修\t6\t2020-03-09\t已完成\n\
         新技术一\t专业科目\t20\t2020-04-01\t已完成\n\
         新技术二\t专业科目\t20\t2020-05-01\t已完成\n\
         新技术三\t专业科目\t12\t2020-06-01\t已完成\n\
         新技术四\t专业科目\t10\t2020-07-01\t学习中\n\
         新技术五\t专业科目\t8\t2020-08-01\t未完成\n",
    );
    assert_eq!(column(&r, "状态"), ("status".into(), How::Header));
    let p = only(&r);
    assert_eq!(p.hours.professional, h("52"));
    assert!(!p.compliant);
    assert_eq!(p.needed, h("8"));
    assert_eq!(reasons(p), vec![(7, Reason::NotCompleted), (8, Reason::NotCompleted)]);
    assert_eq!(p.pending.len(), 2);
    assert_eq!(r.rows.pending, 2);
    assert!(p.pending[0].message.to_string().contains("尚未完成"));
    // No exam column: the verdict rests on "已完成 = passed", and says so.
    assert!(assumption_codes(&r).contains(&AssumptionCode::ExamAssumedPassed));
    assert!(r.assumptions[0].message.contains("已完成的课程按考核合格计算"), "{:?}", r.assumptions);
}

#[test]
fn status_words_and_percentages() {
    let r = check(
        "课程名称,科目类型,学时,完成日期,学习进度\n\
         甲,专业科目,10,2020-04-01,100%\n\
         乙,专业科目,10,2020-04-02,80%\n\
         丙,专业科目,10,2020-04-03,９９．５％\n\
         丁,专业科目,10,2020-04-04,已学完\n\
         戊,专业科目,10,2020-04-05,未开始\n\
         己,专业科目,10,2020-04-06,\n\
         庚,专业科目,10,2020-04-07,看过了\n",
    );
    let p = only(&r);
    assert_eq!(reasons(p), vec![(3, Reason::NotCompleted), (4, Reason::NotCompleted), (6, Reason::NotCompleted)]);
    // 100%, 已学完 and a blank cell (not stated) count; an unknown word is an error with its column.
    assert_eq!(p.hours.professional, h("30"));
    assert_eq!((r.errors[0].row, r.errors[0].column.as_str()), (8, "学习进度"));
    assert!(r.errors[0].message.contains("看过了"));
}

#[test]
fn not_completed_comes_after_freeze_and_before_exam() {
    let r = check(
        "课程名称,科目类型,学时,完成日期,考核结果,学习状态\n\
         甲,专业科目,10,2020-12-15,不合格,学习中\n\
         乙,专业科目,10,2020-06-01,不合格,学习中\n\
         丙,专业科目,10,2020-06-02,不合格,已完成\n",
    );
    assert_eq!(
        reasons(only(&r)),
        vec![(2, Reason::FreezePeriod), (3, Reason::NotCompleted), (4, Reason::ExamNotPassed)]
    );
    assert!(!assumption_codes(&r).contains(&AssumptionCode::ExamAssumedPassed));
}

#[test]
fn a_record_of_the_year_completed_outside_it_does_not_count() {
    // 所属年度 2020, completed 2021-01-05 and 2019-06-01: both excluded; the 2020-12-15 row is
    // the freeze period, as before.
    let r = check(
        "课程名称,科目类型,学时,完成日期,所属年度\n\
         甲,专业科目,10,2021-01-05,2020\n\
         乙,专业科目,10,2019-06-01,2020\n\
         丙,专业科目,10,2020-12-15,2020\n\
         丁,专业科目,10,2020-06-01,2020\n",
    );
    let p = only(&r);
    assert_eq!(
        reasons(p),
        vec![(2, Reason::CompletedOutsideYear), (3, Reason::CompletedOutsideYear), (4, Reason::FreezePeriod)]
    );
    assert_eq!(p.hours.professional, h("10"));
    let after = p.excluded[0].message.to_string();
    assert!(after.contains("2021年1月5日") && after.contains("补学补审") && after.contains("事业单位"), "{after}");
    assert!(p.excluded[1].message.to_string().contains("早于2020年1月1日"));
}

#[test]
fn outside_year_still_comes_first() {
    // 所属年度 2019 completed in 2021: not this year's at all.
    let r = check("课程名称,科目类型,学时,完成日期,所属年度\n甲,专业科目,10,2021-01-05,2019\n");
    assert_eq!(reasons(only(&r)), vec![(2, Reason::OutsideYear)]);
}

#[test]
fn two_people_with_one_name_and_different_ids_are_two_people() {
    let r = check(
        "姓名,身份证号,课程名称,科目类型,学时,完成日期\n\
         张伟,410105199001013417,专业一,专业科目,60,2020-04-01\n\
         张伟,410105198502024411,专业一,专业科目,60,2020-04-01\n\
         李娜,410105199203035528,专业一,专业科目,60,2020-04-01\n",
    );
    assert_eq!(r.people.len(), 3);
    let labels: Vec<&str> = r.people.iter().map(|p| p.person.as_str()).collect();
    assert_eq!(labels, ["张伟（4101**********3417）", "张伟（4101**********4411）", "李娜"]);
    assert_eq!(r.people[0].id.as_deref(), Some("410105199001013417"));
    assert_eq!(r.people[2].id.as_deref(), Some("410105199203035528"));
    // The second 张伟's course is not a duplicate of the first's.
    for p in &r.people {
        assert_eq!(p.hours.professional, h("60"), "{}", p.person);
        assert!(p.excluded.is_empty());
    }
}

#[test]
fn one_id_with_two_names_is_one_person_with_a_warning() {
    let r = check(
        "工号,姓名,课程名称,科目类型,学时,完成日期\n\
         E01,张伟,专业一,专业科目,30,2020-04-01\n\
         E01,张玮,专业二,专业科目,30,2020-05-01\n",
    );
    let p = only(&r);
    assert_eq!(p.person, "张伟");
    assert_eq!(p.id.as_deref(), Some("E01"));
    assert_eq!(p.hours.professional, h("60"));
    assert_eq!(row_warnings(p), vec![(3, WarningCode::NameMismatch)]);
    assert!(p.warnings[0].message.contains("张玮"));
}

#[test]
fn an_id_only_file_shows_the_masked_id_and_a_blank_id_is_an_error() {
    let r = check(
        "身份证号,课程名称,科目类型,学时,完成日期\n\
         410105199001013417,专业一,专业科目,30,2020-04-01\n\
         ,专业二,专业科目,30,2020-05-01\n",
    );
    let p = only(&r);
    assert_eq!(p.person, "4101**********3417");
    assert_eq!(p.id.as_deref(), Some("410105199001013417"));
    assert_eq!((r.errors[0].row, r.errors[0].column.as_str()), (3, "身份证号"));
    assert_eq!(r.rows.errors, 1);
    assert!(assumption_codes(&r).contains(&AssumptionCode::RowsUnreadable));
}

#[test]
fn a_name_only_file_has_no_ids() {
    let r = check("姓名,课程名称,科目类型,学时,完成日期\n张伟,专业一,专业科目,30,2020-04-01\n");
    assert_eq!(only(&r).person, "张伟");
    assert_eq!(only(&r).id, None);
}

#[test]
fn no_category_column_means_no_verdict() {
    // Was: a red "至少还需 90 学时" for a file whose rows could not be judged at all.
    let err = jxjy_core::check(
        "课程名称,学时,完成日期\n知识产权,6,2020-04-01\n机械设计,20,2020-05-01\n".as_bytes(),
        &policy(),
        day("2020-11-01"),
    )
    .unwrap_err();
    let ImportError::MissingColumn { missing, found } = &err else { panic!("{err:?}") };
    assert!(missing.contains("科目类型"));
    assert_eq!(found, &["课程名称", "学时", "完成日期"]);
    assert!(err.to_string().contains("文件中找到的列：课程名称、学时、完成日期"), "{err}");
}

#[test]
fn course_names_that_say_the_category_still_give_a_verdict() {
    let r = check("课程名称,学时,完成日期\n公需科目：知识产权,6,2020-04-01\n专业科目：机械设计,20,2020-05-01\n");
    assert_eq!(only(&r).hours.professional, h("20"));
    assert_eq!(only(&r).hours.public, h("6"));
}

#[test]
fn an_english_export_with_a_type_column_of_compulsory_and_elective() {
    // `type` (compulsory/elective) was read as unused, so 24 compulsory hours counted as elective.
    let json = r#"[
      {"course": "Ethics", "category": "public", "type": "compulsory", "hours": 24, "date": "2020-03-01"},
      {"course": "Innovation", "category": "public", "type": "elective", "hours": 6, "date": "2020-04-01"},
      {"course": "CNC", "category": "professional", "type": "", "hours": 60, "date": "2020-05-01"}
    ]"#;
    let r = check(json);
    assert_eq!(column(&r, "type"), ("nature".into(), How::Values));
    assert_eq!(column(&r, "category"), ("category".into(), How::Header));
    let p = only(&r);
    assert_eq!(p.hours.public_compulsory, h("24"));
    assert_eq!(p.hours.public_elective, h("6"));
    assert!(p.compliant);
    // The verdict says the column was guessed.
    let guess = r.assumptions.iter().find(|a| a.code == AssumptionCode::ColumnByValues).unwrap();
    assert!(guess.message.contains("type") && guess.message.contains("课程性质"), "{}", guess.message);
}

#[test]
fn the_type_column_first_and_the_category_column_second() {
    let r = check(
        "course,type,category,hours,date\n\
         Ethics,compulsory,public,24,2020-03-01\n\
         CNC,,professional,60,2020-05-01\n\
         Innovation,elective,public,6,2020-04-01\n",
    );
    assert_eq!(column(&r, "type"), ("nature".into(), How::Values));
    assert_eq!(column(&r, "category"), ("category".into(), How::Header));
    assert!(only(&r).compliant);
}

#[test]
fn a_remarks_column_of_exam_results_is_read_as_the_exam_column() {
    let r = check(
        "课程名称,科目类型,学时,完成日期,备注\n\
         甲,专业科目,30,2020-04-01,合格\n\
         乙,专业科目,30,2020-04-02,不合格\n\
         丙,专业科目,30,2020-04-03,\n\
         丁,公需科目,30,2020-04-04,合格\n",
    );
    assert_eq!(column(&r, "备注"), ("exam".into(), How::Values));
    let p = only(&r);
    // A column of 合格/不合格 is the exam column, however it is headed: a blank cell is pending
    // (design.md), not passed.
    assert_eq!(reasons(p), vec![(3, Reason::ExamNotPassed), (4, Reason::ExamPending)]);
    assert_eq!(p.hours.professional, h("30"));
    let guess = r.assumptions.iter().find(|a| a.code == AssumptionCode::ColumnByValues).unwrap();
    assert_eq!(guess.message, "“备注”列按内容识别为考核结果");
}

#[test]
fn a_status_header_over_exam_words_is_the_exam_column() {
    let r = check(
        "课程名称,科目类型,学时,完成日期,状态\n甲,专业科目,30,2020-04-01,合格\n乙,专业科目,30,2020-04-02,不合格\n",
    );
    assert_eq!(column(&r, "状态"), ("exam".into(), How::Values));
    assert_eq!(reasons(only(&r)), vec![(3, Reason::ExamNotPassed)]);
}

#[test]
fn a_generic_column_whose_cells_are_not_what_its_header_says_is_unused() {
    // 类型 reads as the category by its name, but holds 线上/面授: the real category is 科目.
    let r = check(
        "课程名称,类型,科目,学时,完成日期\n\
         甲,线上,专业科目,30,2020-04-01\n\
         乙,面授,专业科目,30,2020-04-02\n\
         丙,线上,公需科目,30,2020-04-03\n",
    );
    let (field, how) = column(&r, "类型");
    assert_eq!((field.as_str(), how), ("ignored", How::Unused));
    assert!(
        r.column_details.iter().any(|c| c.column == "类型" && c.note.as_deref().is_some_and(|n| n.contains("线上")))
    );
    assert_eq!(column(&r, "科目"), ("category".into(), How::Header));
    assert_eq!(only(&r).hours.professional, h("60"));
    assert!(r.errors.is_empty());
}

#[test]
fn a_bare_compulsory_elective_category_column_stays_the_category() {
    let r = check("课程名称,类别,学时,完成日期\n甲,必修,24,2020-04-01\n乙,选修,6,2020-04-02\n");
    assert_eq!(column(&r, "类别"), ("category".into(), How::Header));
    assert_eq!(only(&r).hours.public_compulsory, h("24"));
}

#[test]
fn every_column_is_listed_with_why_it_is_unused() {
    let r = check("序号,课程名称,科目类型,学时,学时,完成日期,单位\n1,甲,专业科目,30,30,2020-04-01,某医院\n");
    let notes: Vec<(&str, &str, Option<&str>)> =
        r.column_details.iter().map(|c| (c.column.as_str(), c.field, c.note.as_deref())).collect();
    assert_eq!(notes.len(), 7);
    assert_eq!(notes[4].1, "ignored");
    assert!(notes[4].2.unwrap().contains("只使用第一列"));
    assert_eq!(notes[6].1, "ignored");
    assert!(notes[6].2.unwrap().contains("不参与计算"));
}

#[test]
fn the_verdict_names_what_it_assumes() {
    let r = check("课程名称,科目类型,学时,完成日期\n甲,公需科目,30,2020-04-01\n乙,专业科目,60,2020-04-01\n");
    assert_eq!(assumption_codes(&r), [AssumptionCode::ExamAssumedPassed, AssumptionCode::FilingAssumed]);
    assert!(r.assumptions[0].message.contains("按全部考核合格计算"));
    let p = only(&r);
    assert_eq!(p.assumptions.len(), 1);
    assert_eq!(p.assumptions[0].code, AssumptionCode::NatureAssumedElective);
    assert!(p.assumptions[0].message.starts_with("30 学时公需课"));
    // With every column there, nothing is assumed.
    let r =
        check("课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案\n甲,公需科目,必修,30,2020-04-01,合格,是\n");
    assert!(r.assumptions.is_empty());
    assert!(only(&r).assumptions.is_empty());
}

#[test]
fn the_ledger_lists_every_row_with_its_outcome() {
    let csv = "课程名称,科目类型,课程性质,学时,完成日期,考核结果\n\
               思想,公需科目,必修,24,2020-04-01,合格\n\
               专业一,专业科目,,20,2020-05-01,不合格\n\
               专业二,专业科目,,10,2020-06-01,\n\
               坏行,专业科目,,四,2020-06-02,合格\n\
               合计,,,54,,\n\
               热点,公需科目,选修,6,2020-07-01,合格\n";
    let options = jxjy_core::CheckOptions { ledger: true, ledger_cap: None };
    let r = jxjy_core::check_with(csv.as_bytes(), &policy(), day("2020-11-01"), options).unwrap();
    let got: Vec<(u32, &str, Option<&str>, Option<Reason>)> =
        r.ledger.iter().map(|e| (e.row, e.outcome.code(), e.counted.map(|c| c.code()), e.reason)).collect();
    assert_eq!(
        got,
        [
            (2, "counted", Some("public_compulsory"), None),
            (3, "excluded", None, Some(Reason::ExamNotPassed)),
            (4, "pending", None, Some(Reason::ExamPending)),
            (5, "error", None, None),
            (6, "skipped", None, None),
            (7, "counted", Some("public_elective"), None),
        ]
    );
    assert_eq!(&*r.ledger[1].course, "专业一");
    assert_eq!(r.ledger[0].person, Some(0));
    assert!(!r.ledger_truncated);
    // The ledger CSV, written row by row as `jxjy check --format ledger` writes it.
    let table = jxjy_core::read(csv.as_bytes()).unwrap();
    let policy2020 = policy();
    let checked = jxjy_core::check::Checked::new(&table, &policy2020, day("2020-11-01")).unwrap();
    let mut text = String::from(jxjy_core::Report::LEDGER_CSV_HEADER);
    checked.for_each_ledger_row(&mut |row| checked.report.write_ledger_line(&mut text, row).unwrap());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\u{feff}行号,人员,身份证号/工号,课程名称,学时,完成日期,结果,计入,原因,说明");
    assert_eq!(lines[1], "2,,,思想,24,2020-04-01,计入,公需必修,,");
    assert!(lines[2].starts_with("3,,,专业一,20,2020-05-01,未计入,,考核不合格,考核不合格："), "{}", lines[2]);
    assert!(lines[4].starts_with("5,,,坏行,,2020-06-02,有错误,,,「学时」"), "{}", lines[4]);
    // Without the option the report carries no ledger; with a cap it stops and says so.
    assert!(check(csv).ledger.is_empty());
    let capped = jxjy_core::CheckOptions { ledger: true, ledger_cap: Some(2) };
    let r = jxjy_core::check_with(csv.as_bytes(), &policy(), day("2020-11-01"), capped).unwrap();
    assert_eq!((r.ledger.len(), r.ledger_truncated, r.rows.data), (2, true, 6));
}

#[test]
fn one_person_sees_their_own_deadlines_first() {
    let csv = "课程名称,科目类型,学时,完成日期\n甲,专业科目,10,2020-04-01\n";
    let r = check_on(csv, "2020-03-01");
    let who: Vec<bool> = r.deadlines.iter().map(|d| d.who.contains("本人")).collect();
    assert!(
        who.windows(2).all(|w| w[0] >= w[1]),
        "{:?}",
        r.deadlines.iter().map(|d| (&d.who, d.date)).collect::<Vec<_>>()
    );
    assert!(who.contains(&false), "unit deadlines are still listed");
    // A unit's file keeps date order.
    let unit = check_on(
        "姓名,课程名称,科目类型,学时,完成日期\n张三,甲,专业科目,10,2020-04-01\n李四,甲,专业科目,10,2020-04-01\n",
        "2020-03-01",
    );
    assert!(unit.deadlines.windows(2).all(|w| w[0].date <= w[1].date));
}

// Found by an adversarial review of the rules above: each was a false 已达到, an unstated
// assumption, or a person split or merged wrongly.

#[test]
fn ids_that_cannot_tell_people_apart_fall_back_to_names_and_say_so() {
    // Excel rewrote the 身份证号 as 4.10105E+17: every row has the "same" ID.
    let sci = "姓名,身份证号,课程名称,科目类型,课程性质,学时,完成日期,考核结果\n\
               张伟,4.10105E+17,知识产权,公需科目,必修,24,2020-05-01,合格\n\
               张伟,4.10105E+17,科技前沿,公需科目,选修,6,2020-05-02,合格\n\
               李娜,4.10105E+17,临床新技术,专业科目,,60,2020-06-01,合格\n";
    let masked = sci.replace("4.10105E+17", "410105********1234");
    for text in [sci.to_owned(), masked] {
        let r = check(&text);
        let people: Vec<(&str, bool)> = r.people.iter().map(|p| (p.person.as_str(), p.compliant)).collect();
        assert_eq!(people, [("张伟", false), ("李娜", false)], "{text}");
        let a = r.assumptions.iter().find(|a| a.code == AssumptionCode::IdUnusable).expect("said beside the verdict");
        assert!(a.message.contains("按姓名区分人员"), "{}", a.message);
    }
}

#[test]
fn an_id_written_with_spaces_or_full_width_digits_is_the_same_person() {
    let r = check(
        "姓名,身份证号,课程名称,科目类型,学时,完成日期\n\
         张伟,41010519900101123x,甲,公需必修,24,2020-04-01\n\
         张伟,410105 19900101123X,乙,公需选修,6,2020-04-02\n\
         张伟,４１０１０５１９９００１０１１２３Ｘ,丙,专业科目,60,2020-04-03\n",
    );
    let p = only(&r);
    assert!(p.compliant);
    assert_eq!(p.id.as_deref(), Some("41010519900101123x"), "the ID as first written");
}

#[test]
fn a_serial_number_column_is_not_who_someone_is() {
    for head in ["编号", "ID"] {
        let r = check(&format!(
            "{head},姓名,课程名称,科目类型,学时,完成日期\n1,张伟,甲,公需必修,24,2020-04-01\n2,张伟,乙,公需选修,6,2020-04-02\n3,张伟,丙,专业科目,60,2020-04-03\n"
        ));
        assert!(only(&r).compliant, "{head}");
    }
}

#[test]
fn one_id_with_two_names_is_said_beside_the_verdict() {
    let r = check(
        "工号,姓名,课程名称,科目类型,学时,完成日期\nE01,张伟,甲,公需必修,24,2020-04-01\nE01,李娜,乙,专业科目,60,2020-04-02\n",
    );
    let a: Vec<&str> = only(&r)
        .assumptions
        .iter()
        .filter(|a| a.code == AssumptionCode::NameMismatch)
        .map(|a| a.message.as_str())
        .collect();
    assert_eq!(a, ["同一证件号下还写有姓名“李娜”，已按同一人计算，请核对"]);
}

#[test]
fn a_result_column_of_scores_is_the_exam_column() {
    let r = check(
        "Name,Course,Type,Category,Nature,Hours,Date,Result\n\
         Zhang,IP law,Online,Public,Compulsory,24,2020-05-01,85\n\
         Zhang,Frontier,Online,Public,Elective,6,2020-05-02,90\n\
         Zhang,Clinical,Face-to-face,Professional,,60,2020-06-01,45\n",
    );
    assert_eq!(column(&r, "Result"), ("exam".into(), How::Header));
    let p = only(&r);
    assert_eq!(reasons(p), vec![(4, Reason::ExamNotPassed)]);
    assert!(!p.compliant);
}

#[test]
fn a_remark_that_says_failed_or_unfinished_anywhere_keeps_that_row_out() {
    let r = check(
        "课程名称,科目类型,课程性质,学时,完成日期,备注\n\
         甲,公需科目,必修,24,2020-04-01,\n\
         乙,公需科目,选修,6,2020-04-02,线上\n\
         丙,专业科目,,30,2020-04-03,不合格\n\
         丁,专业科目,,30,2020-04-04,面授\n\
         戊,专业科目,,30,2020-04-05,面授\n",
    );
    assert_eq!(column(&r, "备注"), ("remark".into(), How::Values));
    assert_eq!(reasons(only(&r)), vec![(4, Reason::ExamNotPassed)]);
    assert!(only(&r).compliant, "60 professional hours remain");
    assert!(r.assumptions.iter().any(|a| a.message == "“备注”列中写明不合格、未完成的行已不计入，其余行照常"));
    // Past the rows looked at to recognise columns, too.
    let mut late = String::from("课程名称,科目类型,课程性质,学时,完成日期,备注\n");
    for i in 0..200 {
        late.push_str(&format!("小课{i},专业科目,,0.1,2020-03-01,\n"));
    }
    late.push_str("必修课,公需科目,必修,24,2020-04-01,\n选修课,公需科目,选修,6,2020-04-02,\n");
    late.push_str("大课,专业科目,,60,2020-05-01,未完成\n");
    let r = check(&late);
    let p = only(&r);
    assert_eq!(reasons(p), vec![(204, Reason::NotCompleted)]);
    assert!(!p.compliant);
}

#[test]
fn blank_status_cells_and_missing_dates_are_said_beside_the_verdict() {
    let r = check(
        "课程名称,科目类型,课程性质,学时,完成日期,所属年度,学习状态\n\
         甲,公需科目,必修,24,,2020,\n乙,公需科目,选修,6,,2020,\n丙,专业科目,,60,,2020,\n",
    );
    let p = only(&r);
    assert!(p.compliant);
    let codes: Vec<AssumptionCode> = p.assumptions.iter().map(|a| a.code).collect();
    assert!(codes.contains(&AssumptionCode::StatusAssumedFinished), "{codes:?}");
    assert!(codes.contains(&AssumptionCode::DateMissing), "{codes:?}");
}

#[test]
fn audit_states_yes_no_and_unrelated_states() {
    // 待审核: not registered yet, so not counted.
    let r = check(
        "课程名称,科目类型,学时,完成日期,状态\n甲,专业科目,60,2020-04-01,已审核\n乙,专业科目,30,2020-04-02,待审核\n",
    );
    assert_eq!(reasons(only(&r)), vec![(3, Reason::NotCompleted)]);
    // 是否完成 of 是/否.
    let r =
        check("课程名称,科目类型,学时,完成日期,是否完成\n甲,专业科目,60,2020-04-01,是\n乙,专业科目,30,2020-04-02,否\n");
    assert_eq!(reasons(only(&r)), vec![(3, Reason::NotCompleted)]);
    assert!(r.errors.is_empty());
    // 人员状态 (在职) says nothing about the study: not read as the status.
    let r = check(
        "课程名称,科目类型,学时,完成日期,人员状态\n甲,专业科目,60,2020-04-01,在职\n乙,专业科目,30,2020-04-02,在职\n",
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(only(&r).hours.professional, h("90"));
}
