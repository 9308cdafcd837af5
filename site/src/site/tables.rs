//! Checks and drawings for the tables in the content: the quota table (知识更新工程培训任务)
//! must add up and is drawn as an SVG bar chart at build time; repeated rows are flagged.

use std::fmt::Write as _;

use super::diagnostics::Finding;
use super::escape;
use super::markdown::Table;

/// One region's quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub region: String,
    pub people: u64,
}

/// The quota table: the first table whose first header is 区域 and that has a numeric column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaTable {
    pub label: String,
    pub rows: Vec<Quota>,
    /// The 总计 row's value and line, if present.
    pub total: Option<(u64, usize)>,
}

fn is_total(s: &str) -> bool {
    matches!(s.trim(), "总计" | "合计" | "总数" | "合 计" | "总 计")
}

/// Finds and reads the quota table, reporting cells that are not numbers.
pub fn quota(tables: &[Table], file: &str, findings: &mut Vec<Finding>) -> Option<QuotaTable> {
    let t = tables.iter().find(|t| t.header.first().is_some_and(|h| h.trim() == "区域"))?;
    let col = t.header.iter().position(|h| h.contains('人') || h.contains("人数") || h.contains("任务"))?;
    let mut q = QuotaTable { label: t.header[col].clone(), rows: Vec::new(), total: None };
    for (line, cells) in &t.rows {
        let region = cells.first().cloned().unwrap_or_default();
        let raw = cells.get(col).map(String::as_str).unwrap_or("").trim();
        let n = if raw.contains(',') { raw.replace(',', "").parse::<u64>() } else { raw.parse::<u64>() };
        let Ok(n) = n else {
            findings.push(Finding::error(file, *line, format!("培训任务表“{region}”一行的人数“{raw}”不是整数")));
            continue;
        };
        if is_total(&region) {
            q.total = Some((n, *line));
        } else {
            q.rows.push(Quota { region, people: n });
        }
    }
    Some(q)
}

/// 总计 must equal the sum of the rows.
pub fn check_total(q: &QuotaTable, file: &str, line: usize, findings: &mut Vec<Finding>) {
    let sum: u64 = q.rows.iter().map(|r| r.people).sum();
    match q.total {
        Some((total, total_line)) if total != sum => findings.push(Finding::error(
            file,
            total_line,
            format!(
                "培训任务表的总计为 {total}，但各行之和为 {sum}（相差 {}）；请核对各行人数或总计",
                total.abs_diff(sum)
            ),
        )),
        None => findings.push(Finding::warning(file, line, format!("培训任务表没有“总计”行；各行之和为 {sum}"))),
        _ => {}
    }
}

/// Rows that repeat an earlier row of the same table (ignoring a leading 序号 column).
pub fn duplicate_rows(tables: &[Table], file: &str, findings: &mut Vec<Finding>) {
    for t in tables {
        let skip = usize::from(t.header.first().is_some_and(|h| matches!(h.trim(), "序号" | "编号" | "No." | "#")));
        // Rows sorted by their cells, stably: each repeat comes after the first row it repeats.
        // (A hash map of the rows' cells cost twice as much on the benchmark's small tables.)
        let mut rows: Vec<(&[String], usize)> = t
            .rows
            .iter()
            .map(|(line, cells)| (&cells[skip.min(cells.len())..], *line))
            .filter(|(key, _)| !key.iter().all(|c| c.is_empty()))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        for same in rows.chunk_by(|a, b| a.0 == b.0) {
            let at = same[0].1;
            repeats.extend(same[1..].iter().map(|&(_, line)| (line, at)));
        }
        repeats.sort_unstable();
        if let Some(&(line, at)) = repeats.first() {
            let lines: Vec<String> = repeats.iter().map(|(l, _)| l.to_string()).collect();
            let shown = if lines.len() > 5 {
                format!("{} 等 {}", lines[..5].join("、"), lines.len())
            } else {
                lines.join("、")
            };
            findings.push(Finding::warning(
                file,
                line,
                format!(
                    "表格（第 {} 行起）有重复的行：第 {shown} 行与第 {at} 行等内容相同；请确认是否为原文录入错误",
                    t.line
                ),
            ));
        }
    }
}

/// A horizontal bar chart of the quota, sorted as in the table, as inline SVG (no JavaScript).
pub fn chart_svg(q: &QuotaTable) -> String {
    let max = q.rows.iter().map(|r| r.people).max().unwrap_or(1).max(1);
    // Room for labels and values in the larger type a phone gets (doc.css: the chart shrinks to the
    // screen there and the text grows to stay legible): a five-character region, a four-digit value.
    let (label_w, bar_w, row_h, top) = (120u64, 480u64, 28u64, 8u64);
    let height = top * 2 + row_h * q.rows.len() as u64;
    let width = label_w + bar_w + 72;
    let total: u64 = q.rows.iter().map(|r| r.people).sum();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure class="quota-chart"><svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="quota-chart-title" xmlns="http://www.w3.org/2000/svg"><title id="quota-chart-title">{}：各区域培训任务（共 {total} 人）</title>"#,
        escape(&q.label)
    );
    // Each row written piece by piece: `write!` with its eight numbers was most of the chart's time.
    for (i, r) in q.rows.iter().enumerate() {
        let y = top + row_h * i as u64;
        let w = (r.people * bar_w).div_ceil(max).max(1);
        let middle = y + row_h / 2;
        s.push_str(r#"<g><text x=""#);
        push_number(&mut s, label_w - 8);
        s.push_str(r#"" y=""#);
        push_number(&mut s, middle);
        s.push_str(r#"" text-anchor="end" dominant-baseline="central" class="label">"#);
        s.push_str(&escape(&r.region));
        s.push_str(r#"</text><rect x=""#);
        push_number(&mut s, label_w);
        s.push_str(r#"" y=""#);
        push_number(&mut s, y + 4);
        s.push_str(r#"" width=""#);
        push_number(&mut s, w);
        s.push_str(r#"" height=""#);
        push_number(&mut s, row_h - 8);
        s.push_str(r#"" class="bar"/><text x=""#);
        push_number(&mut s, label_w + w + 6);
        s.push_str(r#"" y=""#);
        push_number(&mut s, middle);
        s.push_str(r#"" dominant-baseline="central" class="value">"#);
        push_number(&mut s, r.people);
        s.push_str("</text></g>");
    }
    let _ = write!(s, r#"</svg><figcaption>{}，共 {total} 人（据下表绘制）</figcaption></figure>"#, escape(&q.label));
    s
}

/// `n` in decimal onto `s`.
fn push_number(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.extend(digits[at..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[(&str, &str)]) -> Table {
        Table {
            line: 10,
            header: vec!["区域".into(), "急需紧缺和骨干专业技术人员培训（人）".into(), "备注".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, (a, b))| (12 + i, vec![a.to_string(), b.to_string(), String::new()]))
                .collect(),
        }
    }

    #[test]
    fn total_must_add_up() {
        let mut f = Vec::new();
        let q = quota(&[table(&[("中原区", "260"), ("二七区", "310"), ("总计", "570")])], "q.md", &mut f).unwrap();
        check_total(&q, "q.md", 10, &mut f);
        assert!(f.is_empty(), "{f:?}");
        let q = quota(&[table(&[("中原区", "260"), ("二七区", "310"), ("总计", "600")])], "q.md", &mut f).unwrap();
        check_total(&q, "q.md", 10, &mut f);
        assert_eq!(f.len(), 1);
        assert!(f[0].is_error());
        assert_eq!(f[0].line, 14);
        assert!(f[0].message.contains("570"), "{}", f[0].message);
    }

    #[test]
    fn non_numbers_are_errors() {
        let mut f = Vec::new();
        quota(&[table(&[("中原区", "二百六")])], "q.md", &mut f);
        assert!(f[0].is_error() && f[0].line == 12);
    }

    #[test]
    fn repeated_rows_are_warned_once_per_table() {
        let t = Table {
            line: 40,
            header: vec!["序号".into(), "单位名称".into(), "人数".into()],
            rows: (1..=20)
                .map(|i| (41 + i, vec![i.to_string(), "郑州市人力资源和社会保障局".into(), "100".into()]))
                .collect(),
        };
        let mut f = Vec::new();
        duplicate_rows(&[t], "q.md", &mut f);
        assert_eq!(f.len(), 1);
        assert!(!f[0].is_error());
        assert_eq!(f[0].line, 43);
        assert!(f[0].message.contains("等 19 行"), "{}", f[0].message);
    }

    #[test]
    fn repeats_are_listed_in_line_order_after_the_row_first_repeated() {
        let rows = ["a", "b", "a", "b", "c", "a"];
        let t = Table {
            line: 1,
            header: vec!["单位".into()],
            rows: rows.iter().enumerate().map(|(i, r)| (3 + i, vec![r.to_string()])).collect(),
        };
        let mut f = Vec::new();
        duplicate_rows(&[t], "q.md", &mut f);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, 5);
        assert!(f[0].message.contains("第 5、6、8 行与第 3 行"), "{}", f[0].message);
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 120, 4096, u64::MAX] {
            let mut s = String::new();
            push_number(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn chart_has_a_bar_per_region_and_escapes() {
        let q = QuotaTable {
            label: "培训（人）".into(),
            rows: vec![Quota { region: "<a>".into(), people: 10 }, Quota { region: "b".into(), people: 5 }],
            total: None,
        };
        let svg = chart_svg(&q);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("&lt;a&gt;"));
        assert!(svg.contains("width=\"480\""));
        assert!(svg.contains("width=\"240\""));
    }
}
