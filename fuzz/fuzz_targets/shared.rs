//! Workbooks whose shared strings are long and referenced many times (issue 17): the input is a
//! recipe (below) that this target turns into an .xlsx, so libFuzzer mutates lengths, reference
//! counts, columns and cell kinds instead of breaking the zip. The custom mutator keeps inputs
//! recipes: it mutates with libFuzzer's own mutator, then puts the magic back. Every workbook is
//! checked with the report kept and with the ledger streamed (what `--format json` does), and the
//! peak of each must stay within the core's bound: `MEMORY_FACTOR` × the bytes its parts inflate
//! to + `MEMORY_ALLOWANCE`.
//!
//! Recipe: `JXSS`, then bytes read in order (missing bytes are 0):
//! - strings: 1 + b % 3 shared strings; each is one character (b % 6 of a fixed list) repeated
//!   2^(b % 19) times (up to 256 K characters);
//! - rows: u16 little-endian % 8192;
//! - columns: 1 + b % 8, each a header label (b % 12 of a fixed list) and a cell kind: a shared
//!   string (b % 3), a fixed value (b % 8 of a list), or blank;
//! - the rest of the input is ignored.
#![no_main]

use std::fmt::Write as _;
use std::sync::OnceLock;

use jxjy_core::import::{MEMORY_ALLOWANCE, MEMORY_FACTOR};
use jxjy_core::{NaiveDate, Policy};
use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use peak_alloc::PeakAlloc;

#[path = "../../core/tests/common/zip.rs"]
mod zip;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const MAGIC: &[u8] = b"JXSS";
const CHARS: [char; 6] = ['x', '张', '课', '1', ' ', '&'];
const LABELS: [&str; 12] = [
    "课程名称",
    "科目类型",
    "学时",
    "完成日期",
    "姓名",
    "身份证号",
    "课程性质",
    "考核结果",
    "是否备案",
    "学习状态",
    "年度",
    "备注",
];
const VALUES: [&str; 8] = ["专业科目", "公需科目", "1", "2020-05-01", "合格", "是", "必修", "已完成"];

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::from_toml(include_str!("../../content/2020/policy.toml")).expect("the shipped policy parses")
    })
}

struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn next(&mut self) -> usize {
        self.0.next().copied().unwrap_or(0).into()
    }
}

/// The workbook a recipe describes, and the bytes its parts inflate to.
fn workbook(recipe: &[u8]) -> (Vec<u8>, usize) {
    let mut b = Bytes(recipe.iter());
    let strings: Vec<String> =
        (0..1 + b.next() % 3).map(|_| CHARS[b.next() % CHARS.len()].to_string().repeat(1 << (b.next() % 19))).collect();
    let rows = (b.next() | b.next() << 8) % 8192;
    let columns: Vec<(&str, usize)> =
        (0..1 + b.next() % 8).map(|_| (LABELS[b.next() % LABELS.len()], b.next())).collect();
    let mut sst = String::from("<sst>");
    for s in &strings {
        let s = s.replace('&', "&amp;");
        let _ = write!(sst, "<si><t xml:space=\"preserve\">{s}</t></si>");
    }
    sst.push_str("</sst>");
    let mut sheet = String::from("<worksheet><sheetData><row r=\"1\">");
    for (i, (label, _)) in columns.iter().enumerate() {
        let _ = write!(sheet, r#"<c r="{}1" t="inlineStr"><is><t>{label}</t></is></c>"#, char::from(b'A' + i as u8));
    }
    sheet.push_str("</row>");
    for r in 2..rows + 2 {
        let _ = write!(sheet, r#"<row r="{r}">"#);
        for (i, &(_, kind)) in columns.iter().enumerate() {
            let col = char::from(b'A' + i as u8);
            match kind % 3 {
                0 => {
                    let _ = write!(sheet, r#"<c r="{col}{r}" t="s"><v>{}</v></c>"#, (kind / 3 + r) % strings.len());
                }
                1 => {
                    let _ = write!(
                        sheet,
                        r#"<c r="{col}{r}" t="inlineStr"><is><t>{}</t></is></c>"#,
                        VALUES[kind / 3 % VALUES.len()]
                    );
                }
                _ => {}
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let inflated = sst.len() + sheet.len();
    (zip(&[("xl/sharedStrings.xml", sst.as_bytes()), ("xl/worksheets/sheet1.xml", sheet.as_bytes())]), inflated)
}

/// A zip of deflated parts (what every spreadsheet program writes), fast to make.
fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    zip::deflated(parts, 1)
}

fn assert_bounded(what: &str, inflated: usize, peak: usize) {
    let bound = MEMORY_FACTOR * inflated + MEMORY_ALLOWANCE;
    assert!(peak <= bound, "{what}: peak {peak} bytes for {inflated} inflated bytes (bound {bound})");
}

fuzz_target!(|data: &[u8]| {
    let Some(recipe) = data.strip_prefix(MAGIC) else { return };
    let (bytes, inflated) = workbook(recipe);
    let today = NaiveDate::from_ymd_opt(2020, 11, 1).expect("valid date");
    let policy = policy();

    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let kept = jxjy_core::check(&bytes, policy, today);
    assert_bounded("report", inflated, ALLOC.peak_usage().saturating_sub(base));
    if let Ok(r) = &kept {
        let r = r.rows;
        assert_eq!(r.counted + r.excluded + r.pending + r.errors + r.skipped, r.data, "row accounting: {r:?}");
    }
    drop(kept);

    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    if let Ok(table) = jxjy_core::read(&bytes) {
        if let Ok(checked) = jxjy_core::check::Checked::new(&table, policy, today) {
            let mut line = String::new();
            let mut rows = 0;
            checked.for_each_ledger_row(&mut |row| {
                line.clear();
                let _ = checked.report.write_ledger_line(&mut line, row);
                rows += 1;
            });
            assert_eq!(rows, checked.report.rows.data, "one ledger line per data row");
        }
    }
    assert_bounded("streamed ledger", inflated, ALLOC.peak_usage().saturating_sub(base));
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, _seed: u32| {
    // Mutate the recipe after the magic, then put the magic back.
    if max_size <= MAGIC.len() {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let body = size.saturating_sub(MAGIC.len());
    data.copy_within(MAGIC.len().min(size)..size, 0);
    let new = libfuzzer_sys::fuzzer_mutate(&mut data[..max_size - MAGIC.len()], body, max_size - MAGIC.len());
    data.copy_within(0..new, MAGIC.len());
    data[..MAGIC.len()].copy_from_slice(MAGIC);
    new + MAGIC.len()
});
