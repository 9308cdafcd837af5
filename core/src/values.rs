//! 单元格取值: reading one cell as a date, a category, an exam result, a filing state or a year.
//! Each parser takes the raw cell and returns a value or a Chinese explanation.

use chrono::{Datelike, NaiveDate};

use crate::text::{fold_width, match_key, quoted};

/// 科目类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 公需科目.
    Public,
    /// 专业科目.
    Professional,
}

/// 课程性质 of a public course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// 必修.
    Compulsory,
    /// 选修.
    Elective,
}

/// 考核结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exam {
    /// 合格.
    Passed,
    /// 不合格.
    Failed,
    /// No result yet (a blank cell, 待考).
    Pending,
}

/// 是否备案.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    /// 已备案.
    Filed,
    /// 未备案.
    NotFiled,
    /// Blank.
    Unknown,
}

/// The longest cell read as a value (a nature, an exam result, a status, a filing, a year, a date
/// or a range of dates): anything longer is none of them, and is said to be so without being
/// scanned — a 256 KB cell referenced by every row costs each row a length test, not 256 KB of
/// searching.
pub const MAX_VALUE_BYTES: usize = 256;

/// The longest cell read as a 科目类型: a course name that carries it (公需科目：知识产权…) may be long.
const MAX_CATEGORY_BYTES: usize = 1024;

/// Reads 公需科目/公需课/公需/专业科目/… with an optional merged nature (公需必修, 公需课（必修）).
pub fn category(cell: &str) -> Result<(Kind, Option<Nature>), String> {
    // The spellings real exports use, without allocating.
    match cell {
        "公需科目" | "公需" | "公需课" => return Ok((Kind::Public, None)),
        "专业科目" | "专业" | "专业课" => return Ok((Kind::Professional, None)),
        _ if cell.len() > MAX_CATEGORY_BYTES => {
            return Err(format!("无法识别的科目类型“{}”（应为公需科目或专业科目）", quoted(cell)));
        }
        _ => {}
    }
    let key = match_key(cell);
    if key.is_empty() {
        return Err("科目类型为空（应为公需科目或专业科目）".to_owned());
    }
    let kind =
        if key.contains("公需") || key.contains("公共") || key.starts_with("public") || key.starts_with("general") {
            Kind::Public
        } else if key.contains("专业") || key.starts_with("professional") || key.starts_with("special") {
            Kind::Professional
        } else if let Ok(n) = nature(cell) {
            // A bare 必修/选修 in the category column can only be a public course: professional
            // courses have no such split.
            return Ok((Kind::Public, n));
        } else {
            return Err(format!("无法识别的科目类型“{}”（应为公需科目或专业科目）", quoted(cell)));
        };
    let nature = nature(cell).ok().flatten();
    Ok((kind, nature))
}

/// Reads 必修/选修 (and English); `Ok(None)` for a blank cell.
pub fn nature(cell: &str) -> Result<Option<Nature>, String> {
    match cell {
        "" => return Ok(None),
        "必修" | "必修课" => return Ok(Some(Nature::Compulsory)),
        "选修" | "选修课" => return Ok(Some(Nature::Elective)),
        _ if cell.len() > MAX_VALUE_BYTES => {
            return Err(format!("无法识别的课程性质“{}”（应为必修或选修）", quoted(cell)));
        }
        _ => {}
    }
    let key = match_key(cell);
    if key.is_empty() {
        return Ok(None);
    }
    let compulsory =
        key.contains("必修") || key.contains("compulsory") || key.contains("required") || key.contains("mandatory");
    let elective = key.contains("选修") || key.contains("elective") || key.contains("optional");
    match (compulsory, elective) {
        (true, false) => Ok(Some(Nature::Compulsory)),
        (false, true) => Ok(Some(Nature::Elective)),
        _ => Err(format!("无法识别的课程性质“{}”（应为必修或选修）", quoted(cell))),
    }
}

/// Reads 合格/通过/是/√/pass against 不合格/未通过/否/×/fail; scores of 60 and above pass.
pub fn exam(cell: &str) -> Result<Exam, String> {
    match cell {
        "合格" | "通过" | "是" => return Ok(Exam::Passed),
        "不合格" | "未通过" | "否" => return Ok(Exam::Failed),
        "" => return Ok(Exam::Pending),
        _ if cell.len() > MAX_VALUE_BYTES => {
            return Err(format!("无法识别的考核结果“{}”（应为合格或不合格）", quoted(cell)));
        }
        _ => {}
    }
    let key = match_key(cell);
    if key.is_empty() {
        return Ok(Exam::Pending);
    }
    const FAILED: &[&str] = &[
        "不合格",
        "未通过",
        "没通过",
        "不通过",
        "否",
        "×",
        "✗",
        "✘",
        "x",
        "fail",
        "failed",
        "no",
        "n",
        "false",
        "缺考",
        "不及格",
    ];
    const PENDING: &[&str] =
        &["待考", "未考", "未考试", "待考核", "考核中", "待定", "未出", "pending", "待审核", "审核中"];
    const PASSED: &[&str] = &[
        "合格",
        "通过",
        "已通过",
        "考核合格",
        "考试合格",
        "是",
        "√",
        "✓",
        "✔",
        "pass",
        "passed",
        "yes",
        "y",
        "true",
        "及格",
        "优秀",
        "良好",
        "优",
        "良",
        "中",
        "已合格",
    ];
    let key: &str = &key;
    if FAILED.contains(&key) {
        return Ok(Exam::Failed);
    }
    if PENDING.contains(&key) {
        return Ok(Exam::Pending);
    }
    if PASSED.contains(&key) {
        return Ok(Exam::Passed);
    }
    let folded = fold_width(cell.trim()).trim_end_matches('分').trim().to_owned();
    if let Some(score) = crate::float::parse_f64(&folded)
        && (0.0..=100.0).contains(&score)
    {
        return Ok(if score >= 60.0 { Exam::Passed } else { Exam::Failed });
    }
    if key.contains("不合格") || key.contains("未通过") {
        return Ok(Exam::Failed);
    }
    if key.contains("合格") || key.contains("通过") {
        return Ok(Exam::Passed);
    }
    Err(format!("无法识别的考核结果“{}”（应为合格或不合格）", quoted(cell)))
}

/// 学习状态: whether the study is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 已完成, 已学完, 已结业, 100%.
    Finished,
    /// 学习中, 未完成, 未开始, a percentage below 100%.
    Unfinished,
    /// A blank cell: not stated.
    Unknown,
}

/// Words that say the study is finished (after [`match_key`]); 是/√ in a 是否完成 column.
const FINISHED: &[&str] = &[
    "已完成",
    "完成",
    "已学完",
    "学完",
    "已结业",
    "结业",
    "已通过",
    "已结束",
    "已完结",
    "已审核",
    "审核通过",
    "已认定",
    "是",
    "√",
    "✓",
    "✔",
    "yes",
    "y",
    "true",
    "finished",
    "completed",
    "complete",
    "done",
];
/// Words that say it is not (an audit not yet passed included: the hours are not registered yet).
const UNFINISHED: &[&str] = &[
    "学习中",
    "进行中",
    "未完成",
    "未学完",
    "未开始",
    "未结业",
    "未学",
    "在学",
    "待学习",
    "未结束",
    "待审核",
    "审核中",
    "未审核",
    "未认定",
    "否",
    "×",
    "✗",
    "✘",
    "no",
    "n",
    "false",
    "inprogress",
    "notstarted",
    "notcompleted",
    "incomplete",
    "unfinished",
    "ongoing",
    "started",
];
/// Yes/no words: a 是否完成 column's values, too common to reveal a column or to be a remark.
const YES_NO: &[&str] = &["是", "否", "√", "✓", "✔", "×", "✗", "✘", "yes", "y", "no", "n", "true", "false"];
/// Words that say an exam was failed (for remarks: a 备注 that says 不合格 on some rows).
const FAILED_WORDS: &[&str] =
    &["不合格", "未通过", "没通过", "不通过", "fail", "failed", "缺考", "不及格", "考核不合格", "考试不合格"];

/// What a remark cell (备注) says, read leniently: only plain failure or unfinished words count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remark {
    /// 不合格, 未通过, …
    Failed,
    /// 未完成, 学习中, 待审核, …
    Unfinished,
    /// Anything else (blank, 线上, 面授…): says nothing.
    Nothing,
}

/// Reads a remark cell; never an error.
pub fn remark(cell: &str) -> Remark {
    // No remark word holds a digit, and `match_key` keeps digits: a 序号 or a score says
    // nothing, without a key made (the check asks this of unused columns on every row).
    // (Longer cells are no remark word either: `remark_by_key` says so before scanning them.)
    if cell.len() <= 48 && cell.bytes().any(|b| b.is_ascii_digit()) {
        return Remark::Nothing;
    }
    remark_by_key(cell)
}

/// [`remark`] without its digit shortcut: the cell's match key against the word lists.
fn remark_by_key(cell: &str) -> Remark {
    if cell.is_empty() || cell.len() > 48 {
        return Remark::Nothing;
    }
    let key = match_key(cell);
    let key: &str = &key;
    if FAILED_WORDS.contains(&key) {
        Remark::Failed
    } else if UNFINISHED.contains(&key) && !YES_NO.contains(&key) {
        Remark::Unfinished
    } else {
        Remark::Nothing
    }
}

/// Reads 已完成/学习中/未完成/… or a percentage (100% is finished, less is not).
pub fn status(cell: &str) -> Result<Status, String> {
    match cell {
        "" => return Ok(Status::Unknown),
        "已完成" | "已学完" | "已结业" => return Ok(Status::Finished),
        "学习中" | "未完成" | "进行中" | "未开始" => return Ok(Status::Unfinished),
        _ if cell.len() > MAX_VALUE_BYTES => {
            return Err(format!("无法识别的学习状态“{}”（应为已完成、学习中或完成百分比）", quoted(cell)));
        }
        _ => {}
    }
    let key = match_key(cell);
    if key.is_empty() {
        return Ok(Status::Unknown);
    }
    if let Some(p) = percent(&fold_width(cell.trim())) {
        return Ok(if p >= 100.0 { Status::Finished } else { Status::Unfinished });
    }
    let key: &str = &key;
    if UNFINISHED.contains(&key) {
        return Ok(Status::Unfinished);
    }
    if FINISHED.contains(&key) {
        return Ok(Status::Finished);
    }
    Err(format!("无法识别的学习状态“{}”（应为已完成、学习中或完成百分比）", quoted(cell)))
}

/// `80%`, `80.5%`, `已学80%` (full-width folded) → the number before the percent sign.
fn percent(folded: &str) -> Option<f64> {
    let body = folded.trim().strip_suffix('%')?;
    let start = body.char_indices().rev().take_while(|&(_, c)| c.is_ascii_digit() || c == '.').last()?.0;
    let n = crate::float::parse_f64(&body[start..])?;
    (0.0..=100.0).contains(&n).then_some(n)
}

/// What a cell's value says about its column, for columns whose header is generic (类别,
/// 状态, type, status, 备注…) or not recognised: strict words only, so a column is taken
/// for an exam or status column only when its cells plainly say so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Looks {
    pub category: bool,
    pub nature: bool,
    pub exam: bool,
    pub status: bool,
    pub filing: bool,
}

/// What `cell` (trimmed) looks like; all false for a blank cell or anything unclear.
pub fn looks_like(cell: &str) -> Looks {
    let mut l = Looks::default();
    // Every word below is at most 12 characters; a longer cell is not scanned (a few decoration
    // characters aside, each at most 4 bytes).
    if cell.len() > 64 {
        return l;
    }
    let key = match_key(cell);
    let key: &str = &key;
    if key.is_empty() || key.chars().count() > 12 {
        return l;
    }
    l.category = key.contains("公需")
        || key.contains("专业")
        || key.contains("公共科目")
        || ["public", "professional", "general"].iter().any(|w| key.starts_with(w));
    l.nature = !l.category
        && ["必修", "选修", "必修课", "选修课", "compulsory", "elective", "required", "optional", "mandatory"]
            .contains(&key);
    l.exam = [
        "合格",
        "不合格",
        "通过",
        "未通过",
        "不通过",
        "考核合格",
        "考试合格",
        "已合格",
        "pass",
        "passed",
        "fail",
        "failed",
        "及格",
        "不及格",
        "缺考",
        "待考",
        "未考",
    ]
    .contains(&key)
        || key == "已通过";
    l.status = !YES_NO.contains(&key)
        && (FINISHED.contains(&key) || UNFINISHED.contains(&key) || percent(&fold_width(cell)).is_some());
    l.filing = ["已备案", "未备案", "备案", "filed", "notfiled", "unfiled"].contains(&key);
    l
}

/// Reads 是/已备案 against 否/未备案; blank is unknown.
pub fn filing(cell: &str) -> Result<Filing, String> {
    match cell {
        "是" | "已备案" => return Ok(Filing::Filed),
        "否" | "未备案" => return Ok(Filing::NotFiled),
        "" => return Ok(Filing::Unknown),
        _ if cell.len() > MAX_VALUE_BYTES => {
            return Err(format!("无法识别的备案情况“{}”（应为是/已备案或否/未备案）", quoted(cell)));
        }
        _ => {}
    }
    let key = match_key(cell);
    if key.is_empty() {
        return Ok(Filing::Unknown);
    }
    const NOT_FILED: &[&str] =
        &["否", "未备案", "不备案", "没有备案", "无", "×", "✗", "no", "n", "false", "notfiled", "unfiled"];
    const FILED: &[&str] =
        &["是", "已备案", "备案", "有", "√", "✓", "✔", "yes", "y", "true", "filed", "已在市人社局备案"];
    let key: &str = &key;
    if NOT_FILED.contains(&key) || key.starts_with("未备案") {
        return Ok(Filing::NotFiled);
    }
    if FILED.contains(&key) || key.starts_with("已备案") {
        return Ok(Filing::Filed);
    }
    Err(format!("无法识别的备案情况“{}”（应为是/已备案或否/未备案）", quoted(cell)))
}

/// Reads 2020, 2020年, 2020年度, ２０２０.
pub fn year(cell: &str) -> Result<Option<i32>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    // The common case: four ASCII digits.
    if let Some((y, [])) = digits(cell.as_bytes(), 4, 4) {
        return if (1990..=2100).contains(&y) { Ok(i32::try_from(y).ok()) } else { year_slow(cell) };
    }
    year_slow(cell)
}

fn year_slow(cell: &str) -> Result<Option<i32>, String> {
    if cell.len() > MAX_VALUE_BYTES {
        return Err(format!("无法识别的年度“{}”（应为四位年份，如 2020）", quoted(cell)));
    }
    let folded = fold_width(cell.trim());
    let s = folded.trim().trim_end_matches('度').trim_end_matches('年').trim();
    if s.is_empty() {
        return Ok(None);
    }
    // A year written by Excel as a number may come as "2020.0".
    let s = s.strip_suffix(".0").unwrap_or(s);
    match s.parse::<i32>() {
        Ok(y) if (1990..=2100).contains(&y) => Ok(Some(y)),
        _ => Err(format!("无法识别的年度“{}”（应为四位年份，如 2020）", quoted(cell))),
    }
}

/// Reads a completion date: 2020-03-26, 2020/3/26, 2020.3.26, 2020年3月26日, 20200326, an Excel
/// serial (43916), a date with a time after it, or a range (`2020-03-01至2020-03-05`: the end).
pub fn date(cell: &str) -> Result<Option<NaiveDate>, String> {
    Ok(period(cell)?.map(|(_, end)| end))
}

/// Reads a training period: a date (start = end) or a range written `2020.03.02-2020.03.06`,
/// `2020-03-01至2020-03-05`, `2020/12/28-2021/01/03`, with the year (and month) left off the end
/// (`2020年5月11日至5月15日`, `2020.03.02-03.06`, `2020年5月11日至15日`) → (start, end). A record
/// completes when its training ends (本站理解), so the end is the completion date. A month alone
/// (`2020年8月`) is an error that says what to write.
pub fn period(cell: &str) -> Result<Option<(NaiveDate, NaiveDate)>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    // The common shapes, straight from the bytes (the checker's hot path).
    if let Some(d) = plain_ymd(cell.as_bytes()).or_else(|| chinese_ymd(cell)) {
        return Ok(Some((d, d)));
    }
    if cell.len() > MAX_VALUE_BYTES {
        return Err(format!("无法识别的日期“{}”（应为 2020-03-26 这样的日期）", quoted(cell)));
    }
    let folded = fold_width(cell.trim());
    let s = folded.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let written = cell.trim();
    let Some((left, right)) = split_range(s) else {
        return one_date(s, written).map(|d| Some((d, d)));
    };
    let start = one_date(left, written)?;
    let end = range_end(right, start).ok_or_else(|| bad_date(written))??;
    if end < start {
        return Err(format!("培训时间“{}”的结束日期早于开始日期，请核对", quoted(written)));
    }
    Ok(Some((start, end)))
}

fn bad_date(written: &str) -> String {
    format!("无法识别的日期“{}”（应为 2020-03-26 这样的日期，培训时间段写作 2020-03-02至2020-03-06）", quoted(written))
}

/// The two sides of a range, trimmed, when `s` is one: split at 至/到/~/—/–/" - "/"--", or at
/// the one `-` between two dates written with dots or slashes (`2020.03.02-2020.03.06`), or at
/// the middle `-` of `2020-03-01-2020-03-05`.
fn split_range(s: &str) -> Option<(&str, &str)> {
    let pair = |at: usize, len: usize| {
        let (l, r) = (s[..at].trim(), s[at + len..].trim());
        (!l.is_empty() && !r.is_empty()).then_some((l, r))
    };
    for sep in ["至", "到", "~", "—", "–", "--", " - "] {
        if let Some(at) = s.find(sep) {
            return pair(at, sep.len());
        }
    }
    let dashes: Vec<usize> = s.match_indices('-').map(|(i, _)| i).collect();
    match dashes.len() {
        // 2020-03-26 is a date; a lone dash between dates of dots, slashes or 年月日 is a range.
        1 if s[..dashes[0]].contains(['.', '/', '日', '号']) || s[..dashes[0]].len() == 8 => pair(dashes[0], 1),
        // 2020-03-01-03-05, 2020-03-01-2020-03-05.
        4 | 5 => pair(dashes[2], 1),
        _ => None,
    }
}

/// The end of a range: a whole date, or month and day (`5月15日`, `03.06`) in the start's year,
/// or a day alone (`15日`) in the start's month. `None`: not a date at all.
fn range_end(s: &str, start: NaiveDate) -> Option<Result<NaiveDate, String>> {
    if s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return Some(one_date(s, s));
    }
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '月', '日', '号']).filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts.len() > 2
        || !parts.iter().all(|p| p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<u32>().ok();
    let (m, d) = match parts.as_slice() {
        [m, d] => (num(m)?, num(d)?),
        [d] if s.ends_with(['日', '号']) => (start.month(), num(d)?),
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(start.year(), m, d).ok_or_else(|| format!("日期“{}年{m}月{d}日”不存在", start.year())))
}

/// One date (already folded and trimmed), the slow path; `written` is the cell for messages.
fn one_date(s: &str, written: &str) -> Result<NaiveDate, String> {
    let bad = || bad_date(written);
    let impossible = || format!("日期“{}”不存在", quoted(written));
    // Drop a time of day.
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    if let Some(d) = plain_ymd(s.as_bytes()).or_else(|| chinese_ymd(s)) {
        return Ok(d);
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Some(d) = compact_or_serial(s)
    {
        return d.ok_or_else(impossible);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月', '日', '号']).filter(|p| !p.is_empty()).collect();
    if !parts.iter().all(|p| p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit())) || parts.is_empty() {
        return Err(bad());
    }
    // A year and a month only (2020年8月, 2020-08): the day is needed to place the record
    // (the year-end carry-over period, the make-up windows).
    if let [y, m] = parts.as_slice()
        && y.len() == 4
        && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
    {
        return Err(format!(
            "“{written}”只写了年月，缺少日：请写出完成（培训结束）的日期，如 {y}-{m:0>2}-15；培训时间段写作 {y}-{m:0>2}-03至{y}-{m:0>2}-07"
        ));
    }
    if parts.len() != 3 || parts[0].len() != 4 {
        return Err(bad());
    }
    let (Ok(y), Ok(m), Ok(d)) = (parts[0].parse::<i32>(), parts[1].parse::<u32>(), parts[2].parse::<u32>()) else {
        return Err(bad());
    };
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(impossible)?;
    plausible(date).ok_or_else(bad)
}

/// The common shapes `2020-03-26`, `2020/3/26`, `2020.3.6` read straight from the bytes; `None`
/// for anything else (including impossible dates, which the general path explains).
fn plain_ymd(b: &[u8]) -> Option<NaiveDate> {
    if !(8..=10).contains(&b.len()) || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[4];
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let rest = &b[5..];
    let mid = rest.iter().position(|&c| c == sep)?;
    let (m, d) = (&rest[..mid], &rest[mid + 1..]);
    let num = |x: &[u8]| -> Option<u32> {
        if x.is_empty() || x.len() > 2 || !x.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(x.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0')))
    };
    let y = b[..4].iter().fold(0i32, |a, &c| a * 10 + i32::from(c - b'0'));
    NaiveDate::from_ymd_opt(y, num(m)?, num(d)?).and_then(plausible)
}

/// `2020年3月26日` (or 号) read directly; `None` for anything else.
fn chinese_ymd(s: &str) -> Option<NaiveDate> {
    let (y, rest) = digits(s.as_bytes(), 4, 4)?;
    let (m, rest) = digits(rest.strip_prefix("年".as_bytes())?, 1, 2)?;
    let (d, rest) = digits(rest.strip_prefix("月".as_bytes())?, 1, 2)?;
    if rest != "日".as_bytes() && rest != "号".as_bytes() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).and_then(plausible)
}

/// A number of `min..=max` ASCII digits at the start of `b`, and what follows it.
fn digits(b: &[u8], min: usize, max: usize) -> Option<(u32, &[u8])> {
    let n = b.iter().take(max + 1).take_while(|c| c.is_ascii_digit()).count();
    if !(min..=max).contains(&n) {
        return None;
    }
    Some((b[..n].iter().fold(0, |v, &c| v * 10 + u32::from(c - b'0')), &b[n..]))
}

/// `20200326` or an Excel serial day number. `None` when it is neither shape.
fn compact_or_serial(s: &str) -> Option<Option<NaiveDate>> {
    if s.len() == 8 && !s.contains('.') {
        let (y, m, d) = (s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?);
        return Some(NaiveDate::from_ymd_opt(y, m, d).and_then(plausible));
    }
    let serial = crate::float::parse_f64(s)?;
    // 1990-01-01 .. 2100-12-31 in Excel's 1900 date system.
    if !(32_874.0..=73_415.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    Some(epoch.checked_add_days(chrono::Days::new(serial.trunc() as u64)))
}

fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    (1990..=2100).contains(&d.year()).then_some(d)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_in_every_shape() {
        for (cell, want) in [
            ("2020-03-26", "2020-03-26"),
            ("2020/3/26", "2020-03-26"),
            ("2020.3.26", "2020-03-26"),
            ("2020年3月26日", "2020-03-26"),
            ("2020年03月26号", "2020-03-26"),
            ("20200326", "2020-03-26"),
            ("43916", "2020-03-26"),
            ("43916.5", "2020-03-26"),
            ("２０２０－０３－２６", "2020-03-26"),
            ("2020-03-26 14:30:00", "2020-03-26"),
            ("2020-03-26T14:30:00", "2020-03-26"),
            ("2020-03-01至2020-03-05", "2020-03-05"),
            ("2020.3.1~2020.3.5", "2020-03-05"),
            ("2020.03.02-2020.03.06", "2020-03-06"),
            ("2020年5月11日至5月15日", "2020-05-15"),
            ("2020年5月11日至15日", "2020-05-15"),
            ("2020.03.02-03.06", "2020-03-06"),
            ("2020/12/28-2021/01/03", "2021-01-03"),
            ("2020-03-01-2020-03-05", "2020-03-05"),
            ("2020-03-01-03-05", "2020-03-05"),
            ("20200301-20200305", "2020-03-05"),
            ("2020.03.02 - 2020.03.06", "2020-03-06"),
            ("2020年5月11日—2020年5月15日", "2020-05-15"),
            ("２０２０．０３．０２－２０２０．０３．０６", "2020-03-06"),
            (" 2020/12/10 ", "2020-12-10"),
        ] {
            assert_eq!(date(cell), Ok(Some(d(want))), "{cell}");
        }
        assert_eq!(date(""), Ok(None));
    }

    #[test]
    fn impossible_and_unreadable_dates() {
        assert!(date("2020-02-30").unwrap_err().contains("不存在"));
        assert!(date("20201340").unwrap_err().contains("不存在"));
        for month in ["2020-3", "2020年8月", "2020.08", "2020/8"] {
            assert!(date(month).unwrap_err().contains("只写了年月"), "{month}");
        }
        assert!(date("2020年8月").unwrap_err().contains("2020-08-15"));
        assert!(date("2020.03.06-2020.03.02").unwrap_err().contains("早于"));
        assert!(date("2020.03.02-02.30").unwrap_err().contains("不存在"));
        assert!(date("2020.03.02-下周").is_err());
        assert_eq!(period("2020/12/28-2021/01/03"), Ok(Some((d("2020-12-28"), d("2021-01-03")))));
        assert_eq!(period("2020-03-26"), Ok(Some((d("2020-03-26"), d("2020-03-26")))));
        assert!(date("昨天").unwrap_err().contains("无法识别"));
        assert!(date("12").is_err());
        assert!(date("3/26/2020").is_err());
        assert!(date("1800-01-01").is_err());
        assert!(date("99999999999999999999").is_err());
    }

    #[test]
    fn categories_and_natures() {
        use Kind::*;
        use Nature::*;
        assert_eq!(category("公需科目"), Ok((Public, None)));
        assert_eq!(category("公需课"), Ok((Public, None)));
        assert_eq!(category("公需"), Ok((Public, None)));
        assert_eq!(category("专业科目"), Ok((Professional, None)));
        assert_eq!(category("专业课"), Ok((Professional, None)));
        assert_eq!(category("专业"), Ok((Professional, None)));
        assert_eq!(category("公需必修"), Ok((Public, Some(Compulsory))));
        assert_eq!(category("公需课（必修）"), Ok((Public, Some(Compulsory))));
        assert_eq!(category("公需科目-选修课"), Ok((Public, Some(Elective))));
        assert_eq!(category("必修"), Ok((Public, Some(Compulsory))));
        assert_eq!(category("Public"), Ok((Public, None)));
        assert_eq!(category("Professional"), Ok((Professional, None)));
        assert!(category("").unwrap_err().contains("为空"));
        assert!(category("其他").unwrap_err().contains("无法识别"));
        assert_eq!(nature("必修课"), Ok(Some(Compulsory)));
        assert_eq!(nature("选修"), Ok(Some(Elective)));
        assert_eq!(nature("elective"), Ok(Some(Elective)));
        assert_eq!(nature(""), Ok(None));
        assert!(nature("必修选修").is_err());
    }

    #[test]
    fn exam_results() {
        for c in ["合格", "通过", "是", "√", "pass", "PASS", "考核合格", "85", "60分", "优秀"] {
            assert_eq!(exam(c), Ok(Exam::Passed), "{c}");
        }
        for c in ["不合格", "未通过", "否", "×", "fail", "59", "0", "缺考"] {
            assert_eq!(exam(c), Ok(Exam::Failed), "{c}");
        }
        for c in ["", "  ", "待考"] {
            assert_eq!(exam(c), Ok(Exam::Pending), "{c:?}");
        }
        assert!(exam("也许").is_err());
        assert!(exam("150").is_err());
    }

    #[test]
    fn filing_states() {
        for c in ["是", "已备案", "yes", "√"] {
            assert_eq!(filing(c), Ok(Filing::Filed), "{c}");
        }
        for c in ["否", "未备案", "no", "未备案（平台）"] {
            assert_eq!(filing(c), Ok(Filing::NotFiled), "{c}");
        }
        assert_eq!(filing(""), Ok(Filing::Unknown));
        assert!(filing("不知道").is_err());
    }

    #[test]
    fn no_remark_word_holds_a_digit() {
        for w in FAILED_WORDS.iter().chain(UNFINISHED) {
            assert!(!w.bytes().any(|b| b.is_ascii_digit()), "{w}");
        }
    }

    proptest::proptest! {
        /// The digit shortcut of `remark` answers as the words do: cells of digits (ASCII and
        /// full-width), remark words, spaces and decoration mixed.
        #[test]
        fn remark_shortcut_agrees_with_the_words(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(FAILED_WORDS.iter().chain(UNFINISHED).chain(YES_NO).copied().collect::<Vec<_>>())
                        .prop_map(str::to_owned),
                    "[0-9０-９ 　()（）*.%分a-zA-Z]{0,4}",
                ],
                0..4,
            )
        ) {
            let cell = parts.concat();
            proptest::prop_assert_eq!(remark(&cell), remark_by_key(&cell), "{:?}", cell);
        }
    }

    #[test]
    fn years() {
        assert_eq!(year("2020"), Ok(Some(2020)));
        assert_eq!(year("2019年"), Ok(Some(2019)));
        assert_eq!(year("2019年度"), Ok(Some(2019)));
        assert_eq!(year("２０１９"), Ok(Some(2019)));
        assert_eq!(year("2019.0"), Ok(Some(2019)));
        assert_eq!(year(""), Ok(None));
        assert!(year("去年").is_err());
        assert!(year("20").is_err());
    }
}
