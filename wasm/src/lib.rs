//! jxjy-wasm: the self-check page's entry point into jxjy-core. It only converts types and
//! forwards calls; every rule, label and export format lives in the core.
//!
//! The module carries no encoding tables: the page asks [`encoding`] which encoding the core's
//! rule picks, and decodes GB18030 with the browser's `TextDecoder` before calling [`check`].

use std::cell::Cell;

use jxjy_core::report::LedgerEntry;
use jxjy_core::{CheckOptions, NaiveDate, Policy};

/// The most ledger rows (明细) the page is given: enough for any person's year, and a unit's
/// 50 MB file does not become a 50 MB table (the counts still cover every row).
const LEDGER_CAP: usize = 20_000;
/// The most rows of each person's 未计入 and 待定 lists (and row warnings) the page is given (their full numbers come
/// in `listed_of`): a file of a million repeated rows was a million-row table, and a report JSON
/// of gigabytes in the page, where the CLI writes it as it goes.
const ROW_LIST_CAP: usize = 1_000;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The ledger of the last report [`check`] returned, kept here rather than written into its
    /// JSON: the page asks [`ledger`] for the one person it shows (a unit's 10,000-row ledger was
    /// most of the report's JSON, written, sent and parsed before anything was drawn).
    static LEDGER: Cell<Vec<LedgerEntry>> = const { Cell::new(Vec::new()) };
    /// Whose ledger rows the page shows first with that report: see [`opens_on`].
    static OPENS_ON: Cell<i32> = const { Cell::new(NO_LEDGER) };
}

/// [`opens_on`] when no ledger is kept.
const NO_LEDGER: i32 = -2;

/// Checks `bytes` against the policy (its wire lines, `Policy::to_wire`, as embedded in the page)
/// as of `today`
/// (`YYYY-MM-DD`). Returns the report as JSON — its ledger (the first 20,000 rows) not in it but
/// kept for [`ledger`], and counted in `ledger_rows` — with `people_csv`, the per-person export,
/// when the file has several people; or `{"fatal": "…"}` when nothing could be read. `name` is the
/// file's name ("" for pasted text): the report says when the bytes are not what it names.
#[wasm_bindgen]
pub fn check(bytes: &[u8], policy: &str, today: &str, name: &str) -> String {
    drop(LEDGER.take());
    OPENS_ON.set(NO_LEDGER);
    let policy = match Policy::from_wire(policy) {
        Ok(p) => p,
        Err(e) => return fatal(&e.to_string()),
    };
    let Some(day) = parse_day(today) else { return fatal(&format!("日期“{today}”无效")) };
    let options = CheckOptions { ledger: true, ledger_cap: Some(LEDGER_CAP) };
    match jxjy_core::check_with(bytes, &policy, day, options) {
        Ok(mut report) => {
            note_file_name(&mut report, name);
            report_json(report)
        }
        Err(e) => not_read(&e),
    }
}

/// The ledger rows (明细) of the last [`check`] as a JSON array: those of person `person` (an
/// index into the report's `people`), or every row when `person` is negative.
#[wasm_bindgen]
pub fn ledger(person: i32) -> String {
    let ledger = LEDGER.take();
    let rows: Vec<&LedgerEntry> = match u32::try_from(person) {
        Ok(p) => ledger.iter().filter(|e| e.person == Some(p)).collect(),
        Err(_) => ledger.iter().collect(),
    };
    let json = serde_json::to_string(&rows).unwrap_or_else(|e| unwritable(&e));
    LEDGER.set(ledger);
    json
}

/// The person the page opens the last report on, as [`ledger`] takes it: -1 (every row) for one
/// person's file, else the first person short of hours (else the first); -2 when no ledger is kept
/// (nothing was read, or several years' reports, which carry theirs). The worker sends that
/// person's rows with the report, without reading the report's JSON to find them.
#[wasm_bindgen]
pub fn opens_on() -> i32 {
    OPENS_ON.get()
}

/// The report as JSON, with `people_csv` when it has several people; its ledger kept for
/// [`ledger`] and only counted (`ledger_rows`).
fn report_json(mut report: jxjy_core::Report) -> String {
    let ledger = std::mem::take(&mut report.ledger);
    cap_lists(&mut report);
    let mut json = match serde_json::to_string(&report) {
        Ok(json) => json,
        Err(e) => return unwritable(&e),
    };
    if !ledger.is_empty() {
        json.pop();
        json.push_str(",\"ledger_rows\":");
        // (Written by serde_json, as the report's row numbers are: a few bytes less module.)
        json.push_str(&serde_json::to_string(&u32::try_from(ledger.len()).unwrap_or(u32::MAX)).unwrap_or_default());
        json.push('}');
        LEDGER.set(ledger);
        let first_short = report.people.iter().position(|p| !p.compliant).unwrap_or(0);
        let person = if report.people.len() == 1 { -1 } else { i32::try_from(first_short).unwrap_or(0) };
        OPENS_ON.set(person);
    }
    if report.people.len() > 1 {
        // Appended to the object rather than built as a second value: a unit's report is large.
        if let Ok(csv) = serde_json::to_string(&report.people_csv()) {
            json.pop();
            json.push_str(",\"people_csv\":");
            json.push_str(&csv);
            json.push('}');
        }
    }
    json
}

/// Checks `bytes` year by year against `policies` (every year's policy, `Policy::several_to_wire`,
/// as the site embeds it): when the rows belong to several years, the person × year grid and each
/// year's report (`{"years": […], "grid": […]}`); when they belong to one year that has a
/// policy, that year's report exactly as [`check`] gives it; with no dated row, [`check`] against
/// `current`, the policy of the site's current year.
///
/// Only in the modules built with feature `years` (jxjy_years, and jxjy_full).
#[cfg(feature = "years")]
#[wasm_bindgen]
pub fn check_years(bytes: &[u8], policies: &str, current: &str, today: &str, name: &str) -> String {
    // Several years' reports carry their ledgers in their JSON; one year's is kept, as by `check`.
    drop(LEDGER.take());
    OPENS_ON.set(NO_LEDGER);
    let policies = match Policy::several_from_wire(policies) {
        Ok(p) => p,
        Err(e) => return fatal(&e.to_string()),
    };
    let Some(day) = parse_day(today) else { return fatal(&format!("日期“{today}”无效")) };
    let options = CheckOptions { ledger: true, ledger_cap: Some(LEDGER_CAP) };
    let mut years = match jxjy_core::years::check_years(bytes, &policies, day, None, options) {
        Ok(years) => years,
        Err(e) => return not_read(&e),
    };
    match years.years.len() {
        0 => check(bytes, current, today, name),
        1 if years.years[0].report.is_some() => {
            let mut report = years.years.remove(0).report.expect("checked above");
            note_file_name(&mut report, name);
            report_json(report)
        }
        _ => match (
            serde_json::to_string(&{
                for report in years.years.iter_mut().filter_map(|y| y.report.as_mut()) {
                    note_file_name(report, name);
                    cap_lists(report);
                }
                &years
            }),
            serde_json::to_string(&years.grid_csv()),
        ) {
            // The grid's CSV (as `jxjy check --years … --format csv` writes it) appended to the object.
            (Ok(mut json), Ok(csv)) => {
                json.pop();
                json.push_str(",\"grid_csv\":");
                json.push_str(&csv);
                json.push('}');
                json
            }
            (Err(e), _) | (_, Err(e)) => unwritable(&e),
        },
    }
}

/// Each person's 未计入 and 待定 lists and row warnings cut to [`ROW_LIST_CAP`] entries.
fn cap_lists(report: &mut jxjy_core::Report) {
    for person in &mut report.people {
        person.cap_lists(ROW_LIST_CAP);
    }
}

/// The report says when the bytes are not what the file's name says (`Report::note_file_name`),
/// in the second module only: the worker sends it every file named as a workbook, a web page or
/// JSON, the only names a text file the first module reads could contradict (≈1 KB gzip less of
/// the first load).
#[cfg(feature = "full")]
fn note_file_name(report: &mut jxjy_core::Report, name: &str) {
    report.note_file_name(name);
}

#[cfg(not(feature = "full"))]
fn note_file_name(_: &mut jxjy_core::Report, _: &str) {}

/// The WHATWG label of the encoding the core reads `bytes` in (`utf-8`, `gb18030`, `utf-16le`…),
/// or `binary` for a workbook or a file that is not text.
#[wasm_bindgen]
pub fn encoding(bytes: &[u8]) -> String {
    jxjy_core::import::text_encoding(bytes).map_or("binary", |e| e.label()).to_owned()
}

/// A report serde_json could not write. It cannot happen (every key of the report is a string and
/// none of its `Serialize` impls fails), so it is said without serde_json's own wording: printing
/// its error brought every message of its parser and the names of every `io::ErrorKind` (≈4 KB)
/// into the module for it.
fn unwritable(e: &serde_json::Error) -> String {
    fatal(&format!("检查结果无法写成 JSON（{:?}）", e.classify()))
}

/// `{"fatal": why}` for a file that could not be checked; with `"reader": "full"` when this module
/// lacks the reader the file needs (a per-person summary, JSON, a workbook), so that the worker
/// checks it again with the second module.
fn not_read(e: &jxjy_core::ImportError) -> String {
    let mut json = fatal(&e.to_string());
    if matches!(e, jxjy_core::ImportError::NotInThisBuild(_)) {
        json.pop();
        json.push_str(",\"reader\":\"full\"}");
    }
    json
}

/// `{"fatal": message}`, written as a string rather than through `serde_json::Value` (whose map
/// and value code would otherwise be in the module for this one object).
fn fatal(message: &str) -> String {
    let message = serde_json::to_string(message).unwrap_or_else(|_| "\"\"".to_owned());
    format!("{{\"fatal\":{message}}}")
}

/// `YYYY-MM-DD` (month and day of one or two digits, as chrono reads them), what
/// `<input type="date">` gives: parsed by hand, as chrono's `FromStr` brings its whole format
/// parser (≈10 KB) into the module.
fn parse_day(s: &str) -> Option<NaiveDate> {
    let number = |part: &str, len: std::ops::RangeInclusive<usize>| {
        let digits = len.contains(&part.len()) && part.bytes().all(|c| c.is_ascii_digit());
        digits.then(|| part.bytes().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')))
    };
    let mut parts = s.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let year = i32::try_from(number(year, 4..=4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(month, 1..=2)?, number(day, 1..=2)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_chrono_reads_them() {
        let days = ["2020-11-01", "2020-02-29", "2021-02-29", "2020-13-01", "2020-1-1", "2020-001-01", "20201101", ""];
        for s in
            days.into_iter().chain(["2020-11-0x", "0000-01-01", "9999-12-31", "2020-11-01-", "2020--11", "2020-11"])
        {
            assert_eq!(parse_day(s), s.parse::<NaiveDate>().ok(), "{s}");
        }
    }

    #[test]
    fn the_ledger_is_kept_out_of_the_report_and_given_by_person() {
        let policy = jxjy_core::policy::Policy::from_toml(include_str!("../../content/2020/policy.toml")).unwrap();
        let policy = policy.to_wire();
        let csv = "姓名,课程名称,科目类型,学时,完成日期\n甲,课一,专业科目,10,2020-03-01\n乙,课二,公需科目,3,2020-04-01\n甲,课三,专业科目,2,2020-05-01\n";
        let report: serde_json::Value =
            serde_json::from_str(&check(csv.as_bytes(), &policy, "2020-11-01", "")).unwrap();
        assert_eq!(report["ledger"], serde_json::Value::Null);
        assert_eq!(report["ledger_rows"], 3);
        let rows = |person| -> Vec<u64> {
            let v: serde_json::Value = serde_json::from_str(&ledger(person)).unwrap();
            v.as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect()
        };
        let first = report["people"].as_array().unwrap().iter().position(|p| p["person"] == "甲").unwrap();
        assert_eq!(rows(i32::try_from(first).unwrap()), [2, 4]);
        assert_eq!(rows(-1), [2, 3, 4]);
        // The page opens on the first person short of hours (both are), one person's file on every row.
        assert_eq!(opens_on(), 0);
        check(
            "姓名,课程名称,科目类型,学时,完成日期\n甲,课一,专业科目,10,2020-03-01\n".as_bytes(),
            &policy,
            "2020-11-01",
            "",
        );
        assert_eq!(opens_on(), -1);
        // The next check's report replaces it, and a fatal one leaves none.
        check(b"", &policy, "2020-11-01", "");
        assert_eq!(ledger(-1), "[]");
        assert_eq!(opens_on(), NO_LEDGER);
    }

    #[test]
    fn a_persons_row_lists_are_cut_and_their_full_numbers_given() {
        let policy = jxjy_core::policy::Policy::from_toml(include_str!("../../content/2020/policy.toml")).unwrap();
        let mut csv = String::from("姓名,课程名称,科目类型,学时,完成日期,考核结果\n");
        // 2,500 repeats of one course, 1,200 courses waiting for their exam, for 甲; 乙 whole.
        for _ in 0..2_501 {
            csv.push_str("甲,课一,专业科目,1,2020-03-01,合格\n");
        }
        for i in 0..1_200 {
            csv.push_str(&format!("甲,待考{i},专业科目,1,2020-03-01,待考\n"));
        }
        csv.push_str("乙,课二,公需科目,3,2020-04-01,合格\n乙,课二,公需科目,3,2020-04-01,合格\n");
        // 丙: 1,100 courses dated after today, a row warning each.
        for i in 0..1_100 {
            csv.push_str(&format!("丙,未来{i},专业科目,1,2020-12-01,合格\n"));
        }
        let report: serde_json::Value =
            serde_json::from_str(&check(csv.as_bytes(), &policy.to_wire(), "2020-11-01", "")).unwrap();
        let person = |name: &str| report["people"].as_array().unwrap().iter().find(|p| p["person"] == name).unwrap();
        let a = person("甲");
        assert_eq!(a["excluded"].as_array().unwrap().len(), ROW_LIST_CAP);
        assert_eq!(a["pending"].as_array().unwrap().len(), ROW_LIST_CAP);
        assert_eq!(a["listed_of"], serde_json::json!({ "excluded": 2_500, "pending": 1_200, "warnings": 0 }));
        assert_eq!(a["excluded"][0]["row"], 3, "the first rows are kept");
        assert_eq!(a["hours"]["professional"], 1, "the verdict is the whole file's");
        let c = person("丙");
        assert_eq!(c["warnings"].as_array().unwrap().len(), ROW_LIST_CAP, "{}", c["warnings"][0]);
        assert_eq!(c["listed_of"]["warnings"], 1_100);
        let b = person("乙");
        assert_eq!(b["excluded"].as_array().unwrap().len(), 1);
        assert!(b.get("listed_of").is_none());
        // The per-person export counts every row.
        let line = report["people_csv"].as_str().unwrap().lines().find(|l| l.starts_with("甲,")).unwrap().to_owned();
        assert!(line.contains(",2500,1200,"), "{line}");
    }

    #[test]
    fn a_fatal_error_is_one_json_string() {
        let v: serde_json::Value = serde_json::from_str(&fatal("无法读取：“a\"b”\n")).unwrap();
        assert_eq!(v, serde_json::json!({ "fatal": "无法读取：“a\"b”\n" }));
    }
}
