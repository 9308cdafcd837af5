//! Resources proportional to the input (issue 9): every adversarial shape seen in review, with
//! peak memory measured by a counting global allocator and asserted against the bound stated
//! in `jxjy_core::import` (peak ≤ MEMORY_FACTOR × bytes read + MEMORY_ALLOWANCE).
//!
//! Time is not measured: the shapes that were quadratic are run at sizes that did not finish
//! (or took minutes) before, so a regression shows as a hung test, not a flaky number.
//! Sizes are smaller in debug builds (`cargo test --workspace`), full in release.

mod common;
#[path = "common/zip.rs"]
mod zip;

use std::fmt::Write as _;
use std::sync::Mutex;

use common::{day, policy};
use jxjy_core::import::{MAX_COLUMNS, MAX_INPUT_BYTES, MAX_PEOPLE, MEMORY_ALLOWANCE, MEMORY_FACTOR};
use jxjy_core::report::WarningCode;
use jxjy_core::{ImportError, Report};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// The allocator's counters are global: one measurement at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `check` on `bytes` and returns its result with the peak bytes allocated meanwhile
/// (the report that is returned included, the input itself not).
/// Holds the allocator for one test: take it before making the input (other tests would count).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn measured(bytes: &[u8]) -> (Result<Report, ImportError>, usize) {
    let policy = policy();
    let today = day("2020-11-01");
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let out = jxjy_core::check(bytes, &policy, today);
    let peak = ALLOC.peak_usage().saturating_sub(base);
    (out, peak)
}

/// Asserts the stated bound; `read` is the bytes the core reads (the input, or for a workbook
/// what its parts inflate to).
fn assert_bounded(shape: &str, read: usize, peak: usize) {
    let bound = MEMORY_FACTOR * read + MEMORY_ALLOWANCE;
    eprintln!("{shape}: read {} KB, peak {} KB (bound {} KB)", read >> 10, peak >> 10, bound >> 10);
    assert!(peak <= bound, "{shape}: peak {peak} bytes > {MEMORY_FACTOR} × {read} + {MEMORY_ALLOWANCE}");
}

fn big(debug: usize, release: usize) -> usize {
    if cfg!(debug_assertions) || std::env::var_os("JXJY_BOUNDS_SMALL").is_some() { debug } else { release }
}

/// A zip of deflated parts, as a workbook is stored.
fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    zip::deflated(parts, 6)
}

const XLSX_HEADER: &str = r#"<row r="1"><c t="inlineStr"><is><t>课程名称</t></is></c><c t="inlineStr"><is><t>科目类型</t></is></c><c t="inlineStr"><is><t>学时</t></is></c><c t="inlineStr"><is><t>完成日期</t></is></c></row>"#;

fn sheet(rows: &str) -> String {
    format!("<worksheet><sheetData>{XLSX_HEADER}{rows}</sheetData></worksheet>")
}

/// A workbook from its parts, and how many bytes they inflate to.
fn workbook(parts: &[(&str, &[u8])]) -> (Vec<u8>, usize) {
    (zip(parts), parts.iter().map(|(_, d)| d.len()).sum())
}

/// One long shared string referenced by many cells.
fn shared_string(len: usize, refs: usize) -> (Vec<u8>, usize) {
    let sst = format!("<sst><si><t>{}</t></si></sst>", "课".repeat(len / 3));
    let mut rows = String::new();
    for r in 2..refs + 2 {
        let _ = write!(
            rows,
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}" t="inlineStr"><is><t>专业科目</t></is></c><c r="C{r}"><v>1</v></c><c r="D{r}"><v>43927</v></c></row>"#
        );
    }
    workbook(&[("xl/sharedStrings.xml", sst.as_bytes()), ("xl/worksheets/sheet1.xml", sheet(&rows).as_bytes())])
}

#[test]
fn one_long_shared_string_in_many_cells_is_not_copied() {
    let _one = serial();
    let (bytes, read) = shared_string(big(6 << 20, 60 << 20), 200);
    let (r, peak) = measured(&bytes);
    let r = r.unwrap();
    assert_eq!(r.rows.data, 200);
    assert_bounded("shared string × 200", read, peak);
}

#[test]
fn cells_far_to_the_right_are_not_padded() {
    let _one = serial();
    let n = big(100_000, 1_000_000);
    let mut rows = String::new();
    for r in 2..n + 2 {
        let _ = write!(rows, r#"<row r="{r}"><c r="IV{r}"/><c r="IV{r}"><v>1</v></c></row>"#);
    }
    let (bytes, read) = workbook(&[("xl/worksheets/sheet1.xml", sheet(&rows).as_bytes())]);
    let (r, peak) = measured(&bytes);
    assert_bounded("rows of <c r=\"IV1\">", read, peak);
    // Either read (each row an error) or refused as too many cells: never gigabytes.
    if let Ok(r) = r {
        assert_eq!(r.rows.data, n);
    }
}

#[test]
fn json_with_many_keys_then_empty_objects() {
    let _one = serial();
    let k = big(5_000, 20_000);
    let mut json = String::from("[{");
    for i in 0..k {
        let _ = write!(json, "{}\"k{i}\":0", if i == 0 { "" } else { "," });
    }
    json.push('}');
    for _ in 0..k {
        json.push_str(",{}");
    }
    json.push(']');
    let (r, peak) = measured(json.as_bytes());
    assert_bounded("JSON: many keys, then {}", json.len(), peak);
    let e = r.unwrap_err();
    assert!(e.to_string().contains(&MAX_COLUMNS.to_string()), "{e}");
}

#[test]
fn json_records_are_read_without_a_document_tree() {
    let _one = serial();
    // Small values in many records: a serde_json::Value per value would be ~16× the text.
    let n = big(50_000, 500_000);
    let mut json = String::from("[");
    for i in 0..n {
        let _ = write!(
            json,
            "{}{{\"课程名称\":\"c{}\",\"科目类型\":\"专业\",\"学时\":1,\"完成日期\":\"2020-04-01\",\"x\":[0,0,0,0,0,0,0,0]}}",
            if i == 0 { "" } else { "," },
            i % 100
        );
    }
    json.push(']');
    let (r, peak) = measured(json.as_bytes());
    let r = r.unwrap();
    assert_eq!(r.rows.data, n);
    assert_bounded("JSON records", json.len(), peak);
}

/// The smallest elements JSON has: each still becomes a row (an unreadable one).
#[test]
fn json_arrays_of_tiny_elements() {
    let _one = serial();
    let n = big(1_000_000, 20_000_000);
    for (shape, element) in [("[0,0,…]", "0"), ("[[],[],…]", "[]"), ("[{},{},…]", "{}"), ("[\"\",…]", "\"\"")] {
        let mut json = String::with_capacity(n * (element.len() + 1) + 2);
        json.push('[');
        for i in 0..n {
            if i > 0 {
                json.push(',');
            }
            json.push_str(element);
        }
        json.push(']');
        let (_, peak) = measured(json.as_bytes());
        assert_bounded(shape, json.len(), peak);
    }
}

#[test]
fn a_long_header_label_is_not_copied_into_every_error() {
    let _one = serial();
    let mut csv = format!("课程名称,科目类型,学{}时,完成日期\n", " ".repeat(1 << 20));
    let rows = big(20_000, 100_000);
    for _ in 0..rows {
        csv.push_str("a,专业,x,2020-04-01\n");
    }
    let (r, peak) = measured(csv.as_bytes());
    assert_bounded("1 MB header label", csv.len(), peak);
    if let Ok(r) = r {
        assert!(r.errors.iter().all(|e| e.column.chars().count() <= 40));
    }
}

#[test]
fn a_line_of_commas() {
    let _one = serial();
    let mut csv = String::from("课程名称,科目类型,学时,完成日期\n");
    csv.push_str(&",".repeat(big(20 << 20, 190 << 20)));
    csv.push('\n');
    let (r, peak) = measured(csv.as_bytes());
    assert_bounded("a line of commas", csv.len(), peak);
    let _ = r;
}

#[test]
fn a_quoted_line_of_commas() {
    let _one = serial();
    let mut csv = String::from("课程名称,科目类型,学时,完成日期\n\"\"");
    csv.push_str(&",".repeat(big(20 << 20, 100 << 20)));
    csv.push('\n');
    let (r, peak) = measured(csv.as_bytes());
    assert_bounded("a quoted line of commas", csv.len(), peak);
    let _ = r;
}

#[test]
fn a_too_wide_data_row_is_an_error() {
    let _one = serial();
    let mut csv = String::from("课程名称,科目类型,学时,完成日期\na,专业,4,2020-04-01\nb,专业,4,2020-04-01");
    csv.push_str(&",".repeat(MAX_COLUMNS));
    csv.push_str("x\nc,专业,4,2020-04-01,\"\"");
    csv.push_str(&",".repeat(MAX_COLUMNS));
    csv.push_str("\"y\"\nd,专业,4,2020-04-01");
    csv.push_str(&",".repeat(MAX_COLUMNS * 2));
    csv.push('\n');
    let (r, _) = measured(csv.as_bytes());
    let r = r.unwrap();
    // Rows 3 and 4 hold text past the last column read; row 5 only empty cells.
    assert_eq!((r.rows.data, r.rows.counted, r.rows.errors), (4, 2, 2), "{:?}", r.errors);
    assert!(r.errors.iter().all(|e| e.message.contains(&MAX_COLUMNS.to_string())), "{:?}", r.errors);
}

#[test]
fn millions_of_bad_rows_keep_a_thousand_errors() {
    let _one = serial();
    // 8 M rows of 24 bytes: just under the input limit.
    let n = big(300_000, 8_000_000);
    let mut csv = String::with_capacity(n * 24 + 64);
    csv.push_str("课程名称,科目类型,学时,完成日期\n");
    for _ in 0..n {
        csv.push_str("a,专业,x,2020-04-01\n");
    }
    let (r, peak) = measured(csv.as_bytes());
    let r = r.unwrap();
    assert_eq!(r.rows.errors, n);
    assert!(r.errors.len() <= 1_001, "{}", r.errors.len());
    let last = r.errors.last().unwrap();
    assert!(last.message.contains(&format!("{}", n - 1_000)), "{last:?}");
    assert!(r.assumptions.iter().any(|a| a.message.contains(&n.to_string())));
    assert_bounded("bad rows", csv.len(), peak);
}

#[test]
fn millions_of_people() {
    let _one = serial();
    let n = big(300_000, 7_000_000);
    let mut csv = String::with_capacity(n * 28 + 64);
    csv.push_str("姓名,科目类型,学时,完成日期\n");
    for i in 0..n {
        let _ = writeln!(csv, "p{i},专业,1,2020-04-01");
    }
    let (r, peak) = measured(csv.as_bytes());
    let r = r.unwrap();
    assert_eq!(r.rows.data, n);
    assert_eq!(r.rows.data, r.rows.counted + r.rows.errors);
    assert_eq!(r.people.len(), n.min(MAX_PEOPLE));
    if n > MAX_PEOPLE {
        assert!(r.errors[0].message.contains(&MAX_PEOPLE.to_string()), "{:?}", r.errors[0]);
    }
    assert_bounded("distinct people", csv.len(), peak);
}

#[test]
fn a_long_name_is_not_copied_into_every_name_mismatch_warning() {
    let _one = serial();
    let n = big(20_000, 200_000);
    let mut csv = format!(
        "身份证号,姓名,科目类型,学时,完成日期
410105199001011234,{},专业,1,2020-04-01
",
        "张".repeat(300_000)
    );
    // A real-looking ID on every row (row numbers under 身份证号 would not be used to tell people apart).
    for i in 0..n {
        let _ = writeln!(csv, "410105199001011234,李,专业,1,2020-04-{:02}", 1 + i % 28);
    }
    let (r, peak) = measured(csv.as_bytes());
    let r = r.unwrap();
    assert_eq!(r.people.len(), 1);
    assert!(r.people[0].warnings.len() <= 1_000);
    assert!(
        r.warnings.iter().any(|w| w.code == WarningCode::NameMismatch && w.message.contains(&(n - 1_000).to_string()))
    );
    assert_bounded("long name, then name mismatches", csv.len(), peak);
}

/// Short rows that each end excluded or flagged, so each costs an exclusion or a warning.
#[test]
fn short_rows_each_excluded_or_warned() {
    let _one = serial();
    let n = big(200_000, 4_000_000);
    let shapes: [(&str, &dyn Fn(usize) -> String); 5] = [
        ("make-up rows", &|i| format!("a,专业,1,2020-{}-{},2019\n", 4 + i % 6, 1 + i % 28)),
        ("completed outside the year", &|i| format!("a,专业,1,20{}-1-{},2020\n", 10 + i % 10, 1 + i % 28)),
        ("duplicates", &|_| "a,专业,1,2020-4-1,2020\n".to_owned()),
        ("failed exams", &|_| "a,专业,1,2020-4-1,2020,否\n".to_owned()),
        ("future dates", &|i| format!("a{},专业,1,2020-12-{},2020\n", i % 50, 1 + i % 9)),
    ];
    for (shape, row) in shapes {
        let mut csv = String::from("课程名称,科目类型,学时,完成日期,所属年度,是否合格\n");
        for i in 0..n {
            csv.push_str(&row(i));
        }
        let (r, peak) = measured(csv.as_bytes());
        let r = r.unwrap();
        assert_eq!(r.rows.data, n, "{shape}");
        assert_bounded(shape, csv.len(), peak);
    }
}

#[test]
fn an_ampersand_without_a_semicolon_is_linear() {
    let _one = serial();
    let amps = "&".repeat(big(1 << 20, 4 << 20));
    let rows = format!(r#"<row r="2"><c r="A2" t="inlineStr"><is><t>{amps}</t></is></c></row>"#);
    let (bytes, read) = workbook(&[("xl/worksheets/sheet1.xml", sheet(&rows).as_bytes())]);
    let (r, peak) = measured(&bytes);
    assert_bounded("& without ;", read, peak);
    let _ = r;
}

#[test]
fn many_sheets_and_unmatched_relationships_are_linear() {
    let _one = serial();
    let n = big(20_000, 60_000);
    let mut wb = String::from("<workbook><sheets>");
    let mut rels = String::from("<Relationships>");
    for i in 0..n {
        let _ = write!(wb, r#"<sheet name="s{i}" sheetId="{i}" r:id="a{i}"/>"#);
        let _ = write!(rels, r#"<Relationship Id="b{i}" Target="worksheets/x{i}.xml"/>"#);
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let data = sheet(
        r#"<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2" t="inlineStr"><is><t>专业科目</t></is></c><c r="C2"><v>4</v></c><c r="D2"><v>43927</v></c></row>"#,
    );
    let (bytes, read) = workbook(&[
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", data.as_bytes()),
    ]);
    let (r, peak) = measured(&bytes);
    assert_eq!(r.unwrap().rows.counted, 1);
    assert_bounded("sheets × relationships", read, peak);
}

#[test]
fn many_junk_header_columns_and_many_rows() {
    let _one = serial();
    let cols = big(20_000, 100_000);
    let rows = big(40_000, 400_000);
    let mut csv = String::from("课程名称,科目类型,学时,完成日期");
    for _ in 0..cols {
        csv.push_str(",类型");
    }
    csv.push('\n');
    for _ in 0..rows {
        csv.push_str("a,专业,x,2020-04-01\n");
    }
    let (r, peak) = measured(csv.as_bytes());
    assert_bounded("junk header columns", csv.len(), peak);
    let r = r.unwrap();
    assert_eq!(r.column_details.len(), MAX_COLUMNS);
    assert_eq!(r.rows.errors, rows);
}

#[test]
fn many_total_rows() {
    let _one = serial();
    let n = big(300_000, 5_000_000);
    let mut csv = String::from("课程名称,科目类型,学时,完成日期\n");
    for _ in 0..n {
        csv.push_str("合计\n");
    }
    let (r, peak) = measured(csv.as_bytes());
    assert_bounded("total rows", csv.len(), peak);
    let r = r.unwrap();
    assert_eq!(r.rows.skipped, n);
}

#[test]
fn the_input_limit_is_an_error_and_the_page_uses_the_same_number() {
    let _one = serial();
    // The page cannot call the core before reading a file: check.js holds the same number.
    let js = include_str!("../../site/assets/check.js");
    assert!(js.contains(&format!("MAX_INPUT_BYTES = {}", MAX_INPUT_BYTES)), "check.js must use {MAX_INPUT_BYTES}");
    let worker = include_str!("../../site/assets/worker.js");
    assert!(worker.contains(&format!("MAX_INPUT_BYTES = {}", MAX_INPUT_BYTES)), "worker.js must use {MAX_INPUT_BYTES}");
    let bytes = vec![b' '; MAX_INPUT_BYTES + 1];
    let e = jxjy_core::check(&bytes, &policy(), day("2020-11-01")).unwrap_err();
    assert_eq!(e, ImportError::TooLarge { size: MAX_INPUT_BYTES + 1 });
    assert!(e.to_string().contains("200 MB"), "{e}");
}

#[test]
fn rows_sharing_a_number_are_each_accounted_for() {
    let _one = serial();
    // Two rows written with the same r="2", both unreadable: two data rows, two error rows.
    let rows = r#"<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="C2"><v>x</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>b</t></is></c><c r="C2"><v>y</v></c></row>"#;
    let (bytes, _) = workbook(&[("xl/worksheets/sheet1.xml", sheet(rows).as_bytes())]);
    let r = measured(&bytes).0.unwrap();
    assert_eq!((r.rows.data, r.rows.errors), (2, 2));
}

// Issue 17: shared-string amplification, and reports that stream.

/// A workbook whose rows are `cells(r)` (the header of [`sheet`] above them) and whose one shared
/// string is `long`.
fn workbook_with(long: &str, refs: usize, cells: impl Fn(usize) -> String) -> (Vec<u8>, usize) {
    workbook_headed(&["课程名称", "科目类型", "学时", "完成日期"], long, refs, cells)
}

/// [`workbook_with`] under the header `labels` (columns A, B, …).
fn workbook_headed(labels: &[&str], long: &str, refs: usize, cells: impl Fn(usize) -> String) -> (Vec<u8>, usize) {
    let sst = format!("<sst><si><t>{long}</t></si></sst>");
    let mut rows = String::from(r#"<row r="1">"#);
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(rows, r#"<c r="{}1" t="inlineStr"><is><t>{label}</t></is></c>"#, char::from(b'A' + i as u8));
    }
    rows.push_str("</row>");
    for r in 2..refs + 2 {
        let _ = write!(rows, r#"<row r="{r}">{}</row>"#, cells(r));
    }
    let sheet = format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
    workbook(&[("xl/sharedStrings.xml", sst.as_bytes()), ("xl/worksheets/sheet1.xml", sheet.as_bytes())])
}

/// The checker with its ledger written row by row (what `--format json` and `--format ledger`
/// do), each entry serialised to nowhere: the peak of the check and the ledger together.
fn measured_streamed(bytes: &[u8]) -> (Option<Report>, usize) {
    let policy = policy();
    let today = day("2020-11-01");
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let report = jxjy_core::read(bytes).ok().and_then(|table| {
        let checked = jxjy_core::check::Checked::new(&table, &policy, today).ok()?;
        let mut line = String::new();
        checked.for_each_ledger_row(&mut |row| {
            line.clear();
            let _ = checked.report.write_ledger_line(&mut line, row);
            let _ = serde_json::to_writer(std::io::sink(), row.entry);
        });
        Some(checked.report)
    });
    let peak = ALLOC.peak_usage().saturating_sub(base);
    (report, peak)
}

/// A 256 KB string in the date column of every row: each row's error quotes the cell.
#[test]
fn a_long_shared_string_in_a_column_that_fails_is_quoted_cut_short() {
    let _one = serial();
    let long = "x".repeat(big(64, 256) << 10);
    let refs = big(300, 3_000);
    let (bytes, read) = workbook_with(&long, refs, |r| {
        format!(
            r#"<c r="A{r}" t="inlineStr"><is><t>课</t></is></c><c r="B{r}" t="inlineStr"><is><t>专业科目</t></is></c><c r="C{r}"><v>1</v></c><c r="D{r}" t="s"><v>0</v></c>"#
        )
    });
    let (r, peak) = measured(&bytes);
    let r = r.unwrap();
    assert_eq!(r.rows.errors, refs);
    assert_bounded("256 KB string in the date column", read, peak);
    let e = &r.errors[0];
    assert!(e.message.chars().count() < jxjy_core::text::MAX_QUOTED_CHARS + 80, "{}", e.message.len());
    assert!(e.message.contains("只引用前 200 字"), "{}", e.message);
    assert!(e.message.contains('…'), "{}", e.message);
    let (_, peak) = measured_streamed(&bytes);
    assert_bounded("256 KB string in the date column, ledger streamed", read, peak);
}

/// The same long string in every cell of every row (course, category, hours, date, name).
#[test]
fn a_long_shared_string_in_every_cell() {
    let _one = serial();
    let long = "课".repeat((big(64, 256) << 10) / 3);
    let refs = big(300, 3_000);
    let (bytes, read) = workbook_with(&long, refs, |r| {
        ["A", "B", "C", "D", "E"].iter().map(|c| format!(r#"<c r="{c}{r}" t="s"><v>0</v></c>"#)).collect()
    });
    let (r, peak) = measured(&bytes);
    assert_bounded("256 KB string in every cell", read, peak);
    drop(r);
    let (_, peak) = measured_streamed(&bytes);
    assert_bounded("256 KB string in every cell, ledger streamed", read, peak);
}

/// A long string as the 姓名, the 身份证号 and the course of many counted rows: one person,
/// named once; the ledger names them per row without copying them.
#[test]
fn a_long_shared_string_as_name_id_and_course() {
    let _one = serial();
    let long = "张".repeat((big(16, 64) << 10) / 3);
    let refs = big(2_000, 60_000);
    let labels = ["课程名称", "科目类型", "学时", "完成日期", "姓名", "身份证号"];
    let (bytes, read) = workbook_headed(&labels, &long, refs, |r| {
        format!(
            r#"<c r="A{r}" t="s"><v>0</v></c><c r="B{r}" t="inlineStr"><is><t>专业科目</t></is></c><c r="C{r}"><v>1</v></c><c r="D{r}"><v>{}</v></c><c r="E{r}" t="s"><v>0</v></c><c r="F{r}" t="s"><v>0</v></c>"#,
            43_900 + r % 300
        )
    });
    let (r, peak) = measured(&bytes);
    assert_bounded("64 KB string as course (name, ID beside)", read, peak);
    let r = r.unwrap();
    assert_eq!(r.rows.data, refs);
    assert_eq!(r.people.len(), 1);
    // Named once, and cut as every label is.
    assert!(r.people[0].person.chars().count() <= jxjy_core::text::MAX_QUOTED_CHARS + 1);
    drop(r);
    let (_, peak) = measured_streamed(&bytes);
    assert_bounded("64 KB string as course, ledger streamed", read, peak);
}

/// Many one-hour rows, every one a duplicate of the first: an exclusion per row, each naming the
/// row it repeats, with no message made per row.
#[test]
fn millions_of_duplicate_rows() {
    let _one = serial();
    let n = big(200_000, 2_000_000);
    let mut csv = String::with_capacity(20 * n + 32);
    csv.push_str("科目类型,学时,完成日期\n");
    for _ in 0..n {
        csv.push_str("专业,1,2020-01-01\n");
    }
    let (r, peak) = measured(csv.as_bytes());
    let r = r.unwrap();
    assert_eq!(r.rows.excluded, n - 1);
    assert_eq!(
        r.people[0].excluded[0].message.to_string(),
        "与第2行是同一人、同一课程、同一日期、同一学时的重复记录，只计一次。"
    );
    assert_bounded("duplicate rows", csv.len(), peak);
    drop(r);
    let (r, peak) = measured_streamed(csv.as_bytes());
    assert_eq!(r.unwrap().rows.data, n);
    assert_bounded("duplicate rows, ledger streamed", csv.len(), peak);
}

/// The ledger written row by row is the ledger kept in the report, entry for entry, with each
/// excluded row's message and each error row's listed errors.
#[test]
fn the_streamed_ledger_is_the_kept_ledger() {
    let _one = serial();
    let mut csv = String::from("姓名,课程名称,科目类型,学时,完成日期,考核结果\n");
    for i in 0..3_000 {
        let _ = writeln!(
            csv,
            "{},课{},{},{},{},{}",
            ["张三", "李四", ""][i % 3],
            i % 40,
            ["专业科目", "公需科目", "?"][i % 7 % 3],
            ["1", "2", "x"][i % 5 % 3],
            ["2020-03-01", "2019-05-01", "2020-12-20", "2020-02-30"][i % 11 % 4],
            ["合格", "", "不合格"][i % 13 % 3]
        );
        if i % 97 == 0 {
            csv.push_str("合计,,,,,\n");
        }
    }
    let options = jxjy_core::CheckOptions { ledger: true, ledger_cap: None };
    let kept = jxjy_core::check_with(csv.as_bytes(), &policy(), day("2020-11-01"), options).unwrap();
    let table = jxjy_core::read(csv.as_bytes()).unwrap();
    let policy = policy();
    let checked = jxjy_core::check::Checked::new(&table, &policy, day("2020-11-01")).unwrap();
    let mut streamed = Vec::new();
    let mut messages = 0;
    let mut error_rows = 0;
    checked.for_each_ledger_row(&mut |row| {
        streamed.push(row.entry.clone());
        let listed =
            kept.people.iter().flat_map(|p| p.excluded.iter().chain(&p.pending)).find(|x| x.row == row.entry.row);
        assert_eq!(row.message, listed.map(|x| &x.message), "row {}", row.entry.row);
        messages += usize::from(row.message.is_some());
        // (The summary that ends a cut error list names a row but is no error of it.)
        // The kept report lists the first rows' errors only; the streamed ledger every row's.
        let errors: Vec<_> = kept.errors.iter().filter(|e| e.row == row.entry.row && !e.column.is_empty()).collect();
        if !errors.is_empty() {
            assert_eq!(row.errors.iter().collect::<Vec<_>>(), errors, "row {}", row.entry.row);
        }
        error_rows += usize::from(!row.errors.is_empty());
    });
    assert_eq!(streamed, kept.ledger);
    assert_eq!(messages, kept.rows.excluded + kept.rows.pending);
    assert_eq!(error_rows, kept.rows.errors);
    assert!(messages > 100 && error_rows > jxjy_core::import::MAX_LISTED_ERROR_ROWS, "{messages} {error_rows}");
    // The report without a ledger is the kept one without it.
    let mut without = kept.clone();
    without.ledger.clear();
    assert_eq!(serde_json::to_string(&checked.report).unwrap(), serde_json::to_string(&without).unwrap());
}

/// Merged ranges (issue 18): filled only within the sheet's used range. A range down the whole
/// sheet (B2:B1048576) costs the rows the sheet has; thousands of ranges over the whole grid
/// (A1:XFD1048576, overlapping, which Excel never writes) are refused once the cells they would
/// write pass the used range + 65,536, never filled for minutes or gigabytes.
#[test]
fn merged_ranges_are_filled_within_the_used_range() {
    let _one = serial();
    let n = big(20_000, 200_000);
    let mut rows = String::new();
    for r in 2..n + 2 {
        let category = if r == 2 { r#"<c r="B2" t="inlineStr"><is><t>专业科目</t></is></c>"# } else { "" };
        let _ = write!(
            rows,
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>课{r}</t></is></c>{category}<c r="C{r}"><v>1</v></c><c r="D{r}"><v>43927</v></c></row>"#
        );
    }
    let down = format!(
        "<worksheet><sheetData>{XLSX_HEADER}{rows}</sheetData><mergeCells><mergeCell ref=\"B2:B1048576\"/></mergeCells></worksheet>"
    );
    let (bytes, read) = workbook(&[("xl/worksheets/sheet1.xml", down.as_bytes())]);
    let (r, peak) = measured(&bytes);
    let r = r.unwrap();
    assert_eq!((r.rows.data, r.rows.counted), (n, n));
    assert_eq!(r.column_details[1].merged_rows, n - 1);
    assert_bounded("B2:B1048576 over the rows", read, peak);

    let whole = "<mergeCell ref=\"A1:XFD1048576\"/>".repeat(big(5_000, 50_000));
    let over =
        format!("<worksheet><sheetData>{XLSX_HEADER}{rows}</sheetData><mergeCells>{whole}</mergeCells></worksheet>");
    let (bytes, read) = workbook(&[("xl/worksheets/sheet1.xml", over.as_bytes())]);
    let (r, peak) = measured(&bytes);
    assert!(matches!(&r, Err(ImportError::Xlsx(m)) if m.contains("合并单元格")), "{r:?}");
    assert_bounded("A1:XFD1048576 × thousands", read, peak);
}

/// An HTML table whose every row starts with a `rowspan`: each pushes the next rows' cells one
/// column to the right, so n rows fill n²/2 cells (up to `MAX_CELLS`, then an error). Each
/// filled run of columns is one merged note, not one per cell: at 10,000 rows (850 KB) the notes
/// alone were 8 bytes × 8 M cells and the peak twice the bound.
#[test]
fn html_rowspans_that_push_cells_rightwards_stay_bounded() {
    let _one = serial();
    let mut html = String::from("<table><tr><td>姓名</td><td>科目类型</td><td>学时</td><td>完成日期</td></tr>");
    for _ in 0..10_000 {
        html.push_str("<tr><td rowspan=10000>甲</td><td>专业科目</td><td>1</td><td>2020-01-01</td></tr>");
    }
    html.push_str("</table>");
    let (r, peak) = measured(html.as_bytes());
    if let Err(e) = &r {
        assert!(e.to_string().contains("单元格"), "{e}");
    }
    assert_bounded("html rowspans × 10,000 rows", html.len(), peak);
}
