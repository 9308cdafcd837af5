//! Import + evaluate a generated 100,000-row CSV, beside the `csv` crate merely reading the same
//! bytes into `ByteRecord`s, in one group so both run in the same process.
//!
//! Target: `jxjy_check` at most 2× `csv_byterecord_read`. `scripts/bench-import.sh` runs this
//! and prints both times, rows/s and the ratio.

use std::hint::black_box;
use std::time::Duration;

use chrono::Datelike;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use jxjy_core::{NaiveDate, Policy};

/// Data rows in the generated file (the title and header rows come on top).
const ROWS: usize = 100_000;
/// Distinct people; rows are grouped by person as a platform export is.
const PEOPLE: usize = 2_000;

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are the output.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        ((u64::from(self.next()) * n as u64) >> 31) as usize
    }
    /// True with probability `percent`/100.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "建华", "晓燕", "志强", "海燕", "文博",
];
/// Course names are built from a topic, a focus and a form: 8–20 characters.
const TOPICS: &[&str] = &[
    "知识产权",
    "人工智能",
    "大数据",
    "职业道德",
    "法治建设",
    "乡村振兴",
    "生态文明",
    "数字经济",
    "网络安全",
    "创新驱动发展",
    "心理健康",
    "应急管理",
    "黄河流域生态保护",
    "专业技术人员",
    "新型城镇化",
    "公共卫生",
    "工程质量",
    "财务会计",
    "教育信息化",
    "智慧农业",
];
const FOCUS: &[&str] = &[
    "与",
    "的",
    "理论与实践",
    "前沿",
    "政策解读",
    "案例分析",
    "基础",
    "能力提升",
    "发展趋势",
    "标准规范",
    "热点问题",
    "法律法规",
];
const FORMS: &[&str] = &[
    "专题讲座",
    "培训班",
    "研修",
    "（上）",
    "（下）",
    "实务",
    "概论",
    "专题",
    "系列课程",
    "高级研修班",
    "网络课程",
    "继续教育课程",
];
const HOURS: &[&str] = &["1", "1.5", "2", "2", "3", "4", "4", "4.5", "6", "8", "12", "24"];

/// A person: 张伟0001 and an 18-digit ID number.
fn person(p: usize) -> (String, String) {
    let name =
        format!("{}{}{:04}", SURNAMES[p % SURNAMES.len()], GIVEN[(p / SURNAMES.len() + p * 7) % GIVEN.len()], p + 1);
    let mut rng = Lcg(p as u64 * 7919 + 17);
    let region = ["410102", "410105", "410122", "410181", "410184"][rng.below(5)];
    let birth = format!("{}{:02}{:02}", 1960 + rng.below(40), 1 + rng.below(12), 1 + rng.below(28));
    let check = if rng.percent(9) { "X".to_owned() } else { rng.below(10).to_string() };
    let id = format!("{region}{birth}{:03}{check}", rng.below(1000));
    (name, id)
}

fn course(rng: &mut Lcg) -> String {
    loop {
        let name = format!("{}{}{}", rng.pick(TOPICS), rng.pick(FOCUS), rng.pick(FORMS));
        let name = if rng.percent(3) {
            // Some platforms number their courses.
            format!("{name}（第{}讲）", 1 + rng.below(12))
        } else {
            name
        };
        if (8..=20).contains(&name.chars().count()) {
            return name;
        }
    }
}

/// A day of 2020 in one of the formats exports mix: `2020-05-01`, `2020/5/1`, `2020年5月1日`.
fn date(rng: &mut Lcg) -> String {
    // Mostly before "today" (2020-11-01); a few later in the year (future, freeze period).
    let ordinal = if rng.percent(95) { 1 + rng.below(305) } else { 1 + rng.below(366) };
    let d = NaiveDate::from_yo_opt(2020, ordinal as u32).expect("a day of 2020");
    let (m, day) = (d.month(), d.day());
    match rng.below(20) {
        0..=11 => format!("2020-{m:02}-{day:02}"),
        12..=16 => format!("2020/{m}/{day}"),
        _ => format!("2020年{m}月{day}日"),
    }
}

/// Quotes a cell the way Excel does when it holds a comma or a quote.
fn push_cell(out: &mut String, cell: &str) {
    if cell.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// The CSV as Excel saves "CSV UTF-8": a BOM, CRLF line ends, a title row above the header.
fn generate() -> Vec<u8> {
    let mut rng = Lcg(0x6A78_6A79_2020);
    let mut out = String::with_capacity(ROWS * 140);
    out.push('\u{feff}');
    out.push_str("2020年度专业技术人员继续教育学时明细表,,,,,,,,,,\r\n");
    out.push_str("序号,姓名,身份证号,课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案,所属年度\r\n");
    let mut previous: Option<(usize, Vec<String>)> = None;
    let mut current_person = usize::MAX;
    let mut who = (String::new(), String::new());
    for i in 0..ROWS {
        let p = i * PEOPLE / ROWS;
        if p != current_person {
            current_person = p;
            who = person(p);
        }
        // A few percent are the same course entered twice (a duplicate the checker counts once).
        let cells = match &previous {
            Some((q, cells)) if *q == p && rng.percent(3) => cells.clone(),
            _ => {
                let public = rng.percent(35);
                let category = if public { "公需科目" } else { "专业科目" };
                let nature = if public {
                    rng.pick(&["必修", "必修", "必修", "选修", "选修", ""])
                } else {
                    rng.pick(&["", "", "", "", "", "", "选修", "必修"])
                };
                let mut course = course(&mut rng);
                if rng.percent(1) {
                    // A comma inside a name: a quoted field.
                    course = format!("{course}, 第二期");
                }
                let mut hours = rng.pick(HOURS).to_owned();
                let mut date = date(&mut rng);
                let mut category = category.to_owned();
                let exam = match rng.below(100) {
                    0..=86 => "合格",
                    87..=94 => "",
                    _ => "不合格",
                };
                let filing = match rng.below(100) {
                    0..=69 => "是",
                    70..=95 => "",
                    _ => "否",
                };
                let year = if rng.percent(25) { "2020" } else { "" };
                // About one row in a hundred has a cell that cannot be read.
                if rng.percent(1) {
                    match rng.below(4) {
                        0 => hours = rng.pick(&["", "约4", "-2", "四"]).to_owned(),
                        1 => date = rng.pick(&["2020-02-30", "昨天", "2020-13-01"]).to_owned(),
                        2 => category = "其他".to_owned(),
                        _ => hours = "0".to_owned(),
                    }
                }
                vec![
                    course,
                    category,
                    nature.to_owned(),
                    hours,
                    date,
                    exam.to_owned(),
                    filing.to_owned(),
                    year.to_owned(),
                ]
            }
        };
        out.push_str(&(i + 1).to_string());
        out.push(',');
        out.push_str(&who.0);
        out.push(',');
        out.push_str(&who.1);
        for cell in &cells {
            out.push(',');
            push_cell(&mut out, cell);
        }
        out.push_str("\r\n");
        previous = Some((p, cells));
    }
    out.into_bytes()
}

/// What the raw baseline does: every record into one reused `ByteRecord`.
fn raw_read(bytes: &[u8]) -> usize {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut fields = 0;
    while reader.read_byte_record(&mut record).expect("reading from memory") {
        fields += record.len();
    }
    fields
}

fn bench(c: &mut Criterion) {
    let bytes = generate();
    let policy = Policy::from_toml(include_str!("../../content/2020/policy.toml")).expect("the shipped policy");
    let today = NaiveDate::from_ymd_opt(2020, 11, 1).expect("a date");

    // Check once that the data is what it claims to be before timing it.
    let report = jxjy_core::check(&bytes, &policy, today).expect("the generated CSV imports");
    let r = &report.rows;
    eprintln!(
        "generated {} bytes: {} data rows, {} people; counted {}, excluded {}, pending {}, errors {}, skipped {}",
        bytes.len(),
        r.data,
        report.people.len(),
        r.counted,
        r.excluded,
        r.pending,
        r.errors,
        r.skipped
    );
    assert_eq!(r.data, ROWS);
    assert_eq!(report.people.len(), PEOPLE);
    assert_eq!(raw_read(&bytes), (ROWS + 2) * 11);

    let mut group = c.benchmark_group("import");
    group
        .throughput(Throughput::Elements(ROWS as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(15));
    group.bench_function("csv_byterecord_read", |b| {
        b.iter(|| black_box(raw_read(black_box(&bytes))));
    });
    group.bench_function("jxjy_check", |b| {
        b.iter(|| black_box(jxjy_core::check(black_box(&bytes), &policy, today)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
