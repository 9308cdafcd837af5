//! `jxjy check`: the CLI adapter over `jxjy_core::check`.
//!
//! Exit 0: checked (compliant or not); 1: nothing could be read; 2: usage error.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, TimeDelta, Utc};
use clap::{Args, ValueEnum};
use jxjy_core::Report;
use jxjy_core::check::Checked;
use jxjy_core::columns::How;
use jxjy_core::import::row_label;
use jxjy_core::report::{Assumption, LedgerRow, PersonReport};
use jxjy_core::years::{self, YearsChecked, YearsReport};

use crate::policy_source;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The records file (CSV, TSV, XLSX or JSON; UTF-8, GBK or UTF-16). `-` reads standard input.
    pub file: PathBuf,
    /// Judge deadlines as of this day (YYYY-MM-DD). Default: today in Asia/Shanghai.
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// The policy file. Default: the newest content/<year>/policy.toml here, else the built-in one.
    /// With --years, may be given once per year (default: every content/<year>/policy.toml here).
    #[arg(long)]
    pub policy: Vec<PathBuf>,
    /// Check several years at once, each by its own year's policy: a range (2018-2020), one year,
    /// or `all` (every year the rows belong to). Prints a person × year grid.
    #[arg(long)]
    pub years: Option<String>,
    /// Output: text for people, json for scripts, csv for a per-person summary, ledger for every
    /// row with its outcome (明细, CSV for Excel).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Csv,
    Ledger,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("“{s}”不是 YYYY-MM-DD 格式的日期"))
}

/// Today in Asia/Shanghai (UTC+8 all year; China has no daylight saving time).
pub fn today_in_shanghai() -> NaiveDate {
    (Utc::now().naive_utc() + TimeDelta::hours(8)).date()
}

/// Why `jxjy check` stops: the exit code (1: nothing could be read; 2: usage) and the message.
struct Stop(u8, String);

pub fn run(args: &CheckArgs) -> ExitCode {
    let mut out = Output::new(std::io::stdout().lock());
    let done = if args.years.is_some() { years_output(args, &mut out) } else { one_policy_output(args, &mut out) };
    match done {
        Ok(()) => {
            // A closed pipe (`| head`) is not an error worth a message.
            out.finish();
            ExitCode::SUCCESS
        }
        Err(Stop(code, message)) => {
            eprintln!("jxjy check: {message}");
            ExitCode::from(code)
        }
    }
}

/// Standard output, written as the report is made (never held whole: the JSON ledger of two
/// million rows is 850 MB). Text goes through [`fmt::Write`], with control characters from the
/// file escaped when `terminal` is on; JSON through [`Write`]. After a write fails (a closed
/// pipe) nothing more is written, and the writers stop at the next line.
struct Output<W: Write> {
    w: std::io::BufWriter<W>,
    /// Escape what would act on a terminal (see [`terminal_safe`]).
    terminal: bool,
    failed: bool,
}

impl<W: Write> Output<W> {
    fn new(w: W) -> Output<W> {
        Output { w: std::io::BufWriter::with_capacity(64 << 10, w), terminal: false, failed: false }
    }

    fn finish(mut self) {
        if !self.failed {
            let _ = self.w.flush();
        }
    }
}

impl<W: Write> std::fmt::Write for Output<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let text = if self.terminal { terminal_safe(s) } else { std::borrow::Cow::Borrowed(s) };
        self.write_all(text.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.failed {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        self.w.write(buf).inspect_err(|_| self.failed = true)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// The input's bytes, or exit 1 saying why they could not be read.
fn input(args: &CheckArgs) -> Result<Vec<u8>, Stop> {
    read_input(args).map_err(|e| Stop(1, e))
}

/// A core error names the file it is about (exit 1).
fn unreadable(args: &CheckArgs, e: &jxjy_core::ImportError) -> Stop {
    Stop(1, format!("{}: {e}", args.file.display()))
}

/// The input's file name, as the report's note on what the file really was reads it ("" for stdin).
fn file_name(args: &CheckArgs) -> String {
    args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// One file against one policy.
fn one_policy_output(args: &CheckArgs, out: &mut Output<impl Write>) -> Result<(), Stop> {
    if args.policy.len() > 1 {
        return Err(Stop(2, "多个 --policy 只能与 --years 一起使用".to_owned()));
    }
    let (policy, _origin) =
        policy_source::load(args.policy.first().map(PathBuf::as_path)).map_err(|e| Stop(2, format!("{e:#}")))?;
    let bytes = input(args)?;
    let today = args.today.unwrap_or_else(today_in_shanghai);
    let table = jxjy_core::read(&bytes).map_err(|e| unreadable(args, &e))?;
    // The report first, without its ledger: the JSON (the object the page gets) and the ledger
    // CSV write the ledger after it, judging the rows again one by one (`Checked`).
    let mut checked = Checked::new(&table, &policy, today).map_err(|e| unreadable(args, &e))?;
    let all;
    if args.policy.is_empty() {
        // As the self-check does on a site of several years: rows that all belong to one year are
        // judged by that year's policy when the content folder has it, not by the newest.
        match checked.report.rows_by_year.as_slice() {
            [(year, _)] if *year != policy.year => {
                all = policy_source::load_all(&[]).map_err(|e| Stop(2, format!("{e:#}")))?;
                if let Some(own) = all.iter().find(|p| p.year == *year) {
                    checked = Checked::new(&table, own, today).map_err(|e| unreadable(args, &e))?;
                }
            }
            [_, _, ..] => {
                let years: Vec<String> = checked.report.rows_by_year.iter().map(|(y, _)| y.to_string()).collect();
                eprintln!(
                    "jxjy check: 文件中的记录属于 {} 多个年度，以下按 {} 年度的政策检查；逐年检查请加 --years all",
                    years.join("、"),
                    checked.report.policy.year
                );
            }
            _ => {}
        }
    }
    checked.report.note_file_name(&file_name(args));
    let report = &checked.report;
    let _ = match args.format {
        OutputFormat::Json => {
            let ledger = StreamedLedger { rows: report.rows.data, each: &|f| checked.for_each_ledger_row(f) };
            return json(out, &WithLedger { report, ledger });
        }
        OutputFormat::Text => {
            out.terminal = true;
            render_text(out, report)
        }
        OutputFormat::Csv => report.write_people_csv(out),
        OutputFormat::Ledger => write_ledger_csv(out, &checked),
    };
    Ok(())
}

/// The ledger CSV, a line per row as the rows are judged again.
fn write_ledger_csv(out: &mut dyn std::fmt::Write, checked: &Checked<'_>) -> std::fmt::Result {
    out.write_str(checked.report.ledger_csv_header())?;
    let mut done = Ok(());
    checked.for_each_ledger_row(&mut |row| {
        if done.is_ok() {
            done = checked.report.write_ledger_line(out, row);
        }
    });
    done
}

/// The report with its ledger last, as `check_with(…, ledger)` gives it, the ledger written
/// entry by entry as the rows are judged again.
#[derive(serde::Serialize)]
struct WithLedger<'a> {
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "StreamedLedger::is_empty")]
    ledger: StreamedLedger<'a>,
}

/// Hands every row of a ledger, as it is judged, to its argument.
type EachRow<'a> = &'a dyn Fn(&mut dyn FnMut(LedgerRow<'_>));

/// A ledger written as its rows are judged.
struct StreamedLedger<'a> {
    rows: usize,
    each: EachRow<'a>,
}

impl StreamedLedger<'_> {
    /// A file without data rows has no ledger (the key is left out, as for an empty one).
    fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl serde::Serialize for StreamedLedger<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        let mut failed = None;
        (self.each)(&mut |row| {
            if failed.is_none() {
                failed = seq.serialize_element(row.entry).err();
            }
        });
        match failed {
            Some(e) => Err(e),
            None => seq.end(),
        }
    }
}

/// `--years`: every year by its own policy, and a person × year grid.
fn years_output(args: &CheckArgs, out: &mut Output<impl Write>) -> Result<(), Stop> {
    let range = match args.years.as_deref() {
        Some("all") | None => None,
        Some(r) => {
            Some(years::parse_range(r).ok_or_else(|| Stop(2, format!("--years “{r}” 应为 2018-2020、2020 或 all")))?)
        }
    };
    if args.format == OutputFormat::Ledger {
        return Err(Stop(2, "--format ledger 每次只列一个年度的明细：请去掉 --years".to_owned()));
    }
    let policies = policy_source::load_all(&args.policy).map_err(|e| Stop(2, format!("{e:#}")))?;
    let bytes = input(args)?;
    let today = args.today.unwrap_or_else(today_in_shanghai);
    let table = jxjy_core::read(&bytes).map_err(|e| unreadable(args, &e))?;
    let mut checked = YearsChecked::new(&table, &policies, today, range).map_err(|e| unreadable(args, &e))?;
    let name = file_name(args);
    for year in &mut checked.report.years {
        if let Some(report) = &mut year.report {
            report.note_file_name(&name);
        }
    }
    let report = &checked.report;
    let _ = match args.format {
        OutputFormat::Json => return json(out, &YearsJson(&checked)),
        OutputFormat::Text => {
            out.terminal = true;
            out.write_str(&render_years_text(report, today))
        }
        OutputFormat::Csv | OutputFormat::Ledger => out.write_str(&report.grid_csv()),
    };
    Ok(())
}

/// A years report with each year's ledger written as it is made, year by year: the shape of
/// [`YearsReport`] with `ledger` in each year's report, as `check_years(…, ledger)` gives it.
struct YearsJson<'a>(&'a YearsChecked<'a>);

impl serde::Serialize for YearsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Years<'a>(&'a YearsChecked<'a>);
        impl serde::Serialize for Years<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.report.years.len()))?;
                for y in &self.0.report.years {
                    seq.serialize_element(&Year { checked: self.0, y })?;
                }
                seq.end()
            }
        }
        struct Year<'a> {
            checked: &'a YearsChecked<'a>,
            y: &'a years::YearResult,
        }
        impl serde::Serialize for Year<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let y = self.y;
                let mut m = s.serialize_struct("YearResult", 4)?;
                m.serialize_field("year", &y.year)?;
                m.serialize_field("rows", &y.rows)?;
                if let Some(report) = &y.report {
                    let each = |f: &mut dyn FnMut(LedgerRow<'_>)| self.checked.for_each_ledger_row(y.year, f);
                    let ledger = StreamedLedger { rows: report.rows.data, each: &each };
                    m.serialize_field("report", &WithLedger { report, ledger })?;
                }
                if let Some(message) = &y.message {
                    m.serialize_field("message", message)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_struct("YearsReport", 2)?;
        m.serialize_field("years", &Years(self.0))?;
        m.serialize_field("grid", &self.0.report.grid)?;
        m.end()
    }
}

/// Pretty JSON and a line break, written as it is made. A closed pipe is no error worth a message.
fn json(out: &mut Output<impl Write>, value: &impl serde::Serialize) -> Result<(), Stop> {
    match serde_json::to_writer_pretty(&mut *out, value) {
        Ok(()) => {
            let _ = out.write_all(b"\n");
            Ok(())
        }
        Err(_) if out.failed => Ok(()),
        Err(e) => Err(Stop(1, e.to_string())),
    }
}

/// The grid first (who met which year), then one line per year, then each year's verdicts.
pub fn render_years_text(r: &YearsReport, today: NaiveDate) -> String {
    let mut o = String::new();
    let span = match (r.years.first(), r.years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}–{}", a.year, b.year),
        (Some(a), _) => a.year.to_string(),
        _ => "（文件中没有可读的记录）".to_owned(),
    };
    let _ = writeln!(o, "多年度学时核查 · {span} · 今天 {today}");
    let _ = write!(o, "\n  {:<14}", "人员");
    for y in &r.years {
        let _ = write!(o, "\t{}", y.year);
    }
    let _ = writeln!(o);
    for p in &r.grid {
        let _ = write!(o, "  {:<14}", if p.person.is_empty() { "本人" } else { p.person.as_str() });
        for c in &p.years {
            let _ = write!(o, "\t{}", c.text());
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o);
    for y in &r.years {
        match (&y.report, &y.message) {
            (Some(rep), _) => {
                let met = rep.people.iter().filter(|p| p.compliant).count();
                let _ = writeln!(
                    o,
                    "{}年度（{}）：文件中属于该年度的记录 {} 行；{} 人中 {met} 人达标{}",
                    y.year,
                    rep.policy.source,
                    y.rows,
                    rep.people.len(),
                    premise(&rep.assumptions, &[])
                );
            }
            (None, Some(m)) => {
                let _ = writeln!(o, "{}年度：文件中属于该年度的记录 {} 行；{m}", y.year, y.rows);
            }
            (None, None) => {}
        }
    }
    let _ = writeln!(o, "\n每个年度的明细：jxjy check 文件 --policy content/<年度>/policy.toml");
    o
}

/// The grid for a spreadsheet: one line per person, one column per year.
/// The bytes to check: a file's size is checked before it is read, and standard input is read
/// up to one byte past the limit ([`jxjy_core::import::MAX_INPUT_BYTES`], the page's too).
fn read_input(args: &CheckArgs) -> Result<Vec<u8>, String> {
    use jxjy_core::import::{MAX_INPUT_BYTES, too_large_message};
    let limit = MAX_INPUT_BYTES as u64;
    let mut buf = Vec::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin().take(limit + 1).read_to_end(&mut buf).map_err(|e| format!("无法读取标准输入：{e}"))?;
        if buf.len() > MAX_INPUT_BYTES {
            return Err(format!(
                "标准输入超过 {} MB 的上限，未检查。请按年度或单位拆分后分批检查",
                MAX_INPUT_BYTES >> 20
            ));
        }
        return Ok(buf);
    }
    let cannot = |e: std::io::Error| format!("无法读取 {}：{e}", args.file.display());
    let file = std::fs::File::open(&args.file).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    if size > limit {
        return Err(format!(
            "{}：{}",
            args.file.display(),
            too_large_message(usize::try_from(size).unwrap_or(usize::MAX))
        ));
    }
    // Read no more than the limit even if the file grows meanwhile.
    file.take(limit + 1).read_to_end(&mut buf).map_err(cannot)?;
    if buf.len() > MAX_INPUT_BYTES {
        return Err(format!("{}：{}", args.file.display(), too_large_message(buf.len())));
    }
    Ok(buf)
}

/// The report for people: verdict first, then what to do.
pub fn render_text(o: &mut dyn std::fmt::Write, r: &Report) -> std::fmt::Result {
    let _ = writeln!(o, "{} · {}年度学时核查 · 今天 {}", r.policy.source, r.policy.year, r.today);
    let cols: Vec<String> = r
        .column_details
        .iter()
        .map(|c| match c.how {
            How::Values => format!("{}→{}（按内容识别）", c.column, c.read_as),
            _ => format!("{}→{}", c.column, c.read_as),
        })
        .collect();
    let format = format!("{:?}", r.format).to_uppercase();
    let header = if r.header_row == 0 {
        "列名取自对象的键".to_owned()
    } else {
        format!("表头在第{}行", r.header_row)
    };
    let _ = writeln!(o, "读取：{format}，{header}；{}", cols.join("，"));
    if !r.sheets.is_empty() {
        let sheets: Vec<String> = r.sheets.iter().map(|s| format!("“{}”{}", s.name, s.note)).collect();
        let _ = writeln!(o, "工作表：{}", sheets.join("；"));
    }
    for c in r.column_details.iter().filter(|c| c.how != How::Header || c.merged_rows > 0) {
        if let Some(note) = &c.note {
            let _ = writeln!(o, "  「{}」{note}", c.column);
        }
    }
    let rc = r.rows;
    let _ = writeln!(
        o,
        "数据行 {}：计入 {}，未计入 {}，待定 {}，有错误 {}，跳过 {}",
        rc.data, rc.counted, rc.excluded, rc.pending, rc.errors, rc.skipped
    );
    if r.people.len() > 1 {
        let _ = writeln!(
            o,
            "\n人员汇总（{} 人，达标 {} 人）{}",
            r.people.len(),
            r.people.iter().filter(|p| p.compliant).count(),
            premise(&r.assumptions, &[])
        );
        let _ = writeln!(o, "  {:<12}\t结果\t还需\t必修\t公需\t专业\t合计", "人员");
        for p in &r.people {
            let _ = writeln!(
                o,
                "  {:<12}\t{}\t{}\t{}\t{}\t{}\t{}",
                p.person,
                verdict_cell(p),
                p.needed,
                p.hours.public_compulsory,
                p.hours.public,
                p.hours.professional,
                p.hours.total
            );
        }
    }
    for p in &r.people {
        person_text(o, r, p)?;
    }
    if !r.deadlines.is_empty() {
        let _ = writeln!(o, "\n时间节点");
        for d in &r.deadlines {
            let when = if d.active && d.start.is_some() {
                format!("进行中，至 {}（还剩 {} 天）", d.date, d.days_left)
            } else if let (Some(start), Some(n)) = (d.start, d.starts_in) {
                format!("{start} 至 {}（{n} 天后开始）", d.date)
            } else if d.days_left == 0 {
                format!("{}（今天）", d.date)
            } else {
                format!("{}（还有 {} 天）", d.date, d.days_left)
            };
            let _ = writeln!(o, "  {} {} [{}] {}", d.code.label(), when, d.who, d.message);
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(o, "\n提示");
        for w in &r.warnings {
            let _ = writeln!(o, "  {}", w.message);
        }
    }
    if !r.errors.is_empty() {
        writeln!(o, "\n无法读取的单元格（这些行未计入，其他行照常计算）")?;
        for e in &r.errors {
            writeln!(o, "  {}「{}」：{}", row_label(e.sheet.as_deref(), e.row), e.column, e.message)?;
        }
    }
    Ok(())
}

/// 达标 / 未达标, marked when the file's own 是否达标 says otherwise (the reason is on the verdict line).
fn verdict_cell(p: &PersonReport) -> &'static str {
    let differs = p.assumptions.iter().any(|a| a.code == jxjy_core::report::AssumptionCode::StatedVerdictDiffers);
    match (p.compliant, differs) {
        (true, false) => "达标",
        (false, false) => "未达标",
        (true, true) => "达标（与文件不符）",
        (false, true) => "未达标（与文件不符）",
    }
}

/// What a verdict rests on, said on the verdict's own line: `（前提：…；…）`.
fn premise(file: &[Assumption], person: &[Assumption]) -> String {
    let all: Vec<&str> = file.iter().chain(person).map(|a| a.message.as_str()).collect();
    if all.is_empty() { String::new() } else { format!("（前提：{}）", all.join("；")) }
}

fn person_text(o: &mut dyn std::fmt::Write, r: &Report, p: &PersonReport) -> std::fmt::Result {
    let who = if p.person.is_empty() { String::new() } else { format!("【{}】", p.person) };
    let verdict = if p.compliant {
        format!("已达到{}年度学时要求", r.policy.year)
    } else {
        format!("未达标，还需 {} 学时", p.needed)
    };
    let _ = writeln!(o, "\n{who}{verdict}{}", premise(&r.assumptions, &p.assumptions));
    let line = |o: &mut dyn std::fmt::Write, name: &str, have, need, short: jxjy_core::Hours| {
        let gap = if short > jxjy_core::Hours::ZERO { format!("  差 {short}") } else { "  ✓".to_owned() };
        let _ = writeln!(o, "  {name}  {have} / {need}{gap}");
    };
    line(o, "公需必修", p.hours.public_compulsory, p.required.public_compulsory, p.shortfall.public_compulsory);
    line(o, "公需合计", p.hours.public, p.required.public, p.shortfall.public);
    line(o, "专业科目", p.hours.professional, p.required.professional, p.shortfall.professional);
    line(o, "全年合计", p.hours.total, p.required.total, p.shortfall.total);
    for (title, list) in [("未计入", &p.excluded), ("待定（学完并考核合格后才计入）", &p.pending)] {
        if !list.is_empty() {
            let _ = writeln!(o, "  {title}：");
            for x in list.iter() {
                let at = row_label(x.sheet.as_deref(), x.row);
                writeln!(o, "    {at} {}（{}学时）[{}] {}", x.course, x.hours, x.reason.label(), x.message)?;
            }
        }
    }
    if !p.warnings.is_empty() {
        let _ = writeln!(o, "  提示：");
        for w in &p.warnings {
            writeln!(o, "    {} {}", row_label(w.sheet.as_deref(), w.row.unwrap_or(0)), w.message)?;
        }
    }
    Ok(())
}

/// Text for a terminal: control characters from the user's file (an ANSI escape in a name, a
/// carriage return that hides a line, a bidi override) are shown as `\u{…}` instead of acting.
/// Only the report's own line breaks and tabs pass.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let acts = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut o = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts(c) {
            let _ = write!(o, "\\u{{{:x}}}", c as u32);
        } else {
            o.push(c);
        }
    }
    std::borrow::Cow::Owned(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_the_file_do_not_reach_the_terminal() {
        let out = terminal_safe("【\u{1b}[2J\u{1b}]0;x\u{7}张伟\r】\t学时\n\u{202e}abc");
        assert_eq!(out, "【\\u{1b}[2J\\u{1b}]0;x\\u{7}张伟\\u{d}】\t学时\n\\u{202e}abc");
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(parse_day("2020-11-01"), Ok(NaiveDate::from_ymd_opt(2020, 11, 1).unwrap()));
        assert!(parse_day("2020/11/01").is_err());
        assert!(parse_day("2020-02-30").is_err());
    }
}
