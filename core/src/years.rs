//! 多年度核查: a file whose rows belong to several years (a 职称 application looks at every year
//! since the last promotion), each year judged by its own year's policy.
//!
//! Each year with a policy gets the ordinary [`Report`] of the whole file against that policy
//! (rows of other years are `outside_year` there), so every rule holds per year unchanged. A year
//! the file speaks of but no policy covers is reported as such, never silently dropped.

use std::ops::RangeInclusive;

use chrono::NaiveDate;
use serde::Serialize;

use crate::hours::Hours;
use crate::import::{self, ImportError, Table};
use crate::policy::Policy;
use crate::report::{LedgerRow, Report, csv_field};
use crate::{CheckOptions, check};

/// What one year came to.
#[derive(Debug, Clone, Serialize)]
pub struct YearResult {
    pub year: i32,
    /// Readable rows that belong to this year.
    pub rows: usize,
    /// The report against this year's policy; `None` when no policy covers the year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    /// For a year without a policy: 没有该年度的政策文件.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One person's verdict in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearVerdict {
    /// 达标.
    Met,
    /// 未达标.
    Short,
    /// 无政策: no policy for the year, so no verdict.
    NoPolicy,
}

/// A cell of the person × year grid.
#[derive(Debug, Clone, Serialize)]
pub struct GridCell {
    pub year: i32,
    pub verdict: YearVerdict,
    /// Hours still needed that year (for `short`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<Hours>,
}

impl GridCell {
    /// 达标, 未达标（还需N）, 无政策: the cell as the CLI, the CSV and the page write it.
    pub fn text(&self) -> String {
        match (self.verdict, self.needed) {
            (YearVerdict::Met, _) => "达标".to_owned(),
            (YearVerdict::Short, Some(n)) => format!("未达标（还需{n}）"),
            (YearVerdict::Short, None) => "未达标".to_owned(),
            (YearVerdict::NoPolicy, _) => "无政策".to_owned(),
        }
    }
}

/// One row of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct PersonYears {
    pub person: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub years: Vec<GridCell>,
}

/// The result of checking several years at once.
#[derive(Debug, Clone, Serialize)]
pub struct YearsReport {
    /// Each year asked for (or, without a range, each year the file speaks of), ascending.
    pub years: Vec<YearResult>,
    /// People (in order of first appearance) × years.
    pub grid: Vec<PersonYears>,
}

impl YearsReport {
    /// The person × year grid as CSV for Excel (UTF-8 with BOM, CRLF): 人员, 身份证号/工号, then
    /// one column per year — `jxjy check --years … --format csv` and the page's download.
    pub fn grid_csv(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::from("\u{feff}人员,身份证号/工号");
        for y in &self.years {
            let _ = write!(o, ",{}年度", y.year);
        }
        o.push_str("\r\n");
        for p in &self.grid {
            let _ = write!(o, "{},{}", csv_field(&p.person), csv_field(p.id.as_deref().unwrap_or("")));
            for c in &p.years {
                let _ = write!(o, ",{}", c.text());
            }
            o.push_str("\r\n");
        }
        o
    }
}

/// Checks `bytes` year by year: every year in `range` (default: every year the rows belong to),
/// each against the policy in `policies` with that year.
pub fn check_years(
    bytes: &[u8],
    policies: &[Policy],
    today: NaiveDate,
    range: Option<RangeInclusive<i32>>,
    options: CheckOptions,
) -> Result<YearsReport, ImportError> {
    let table = import::read_table(bytes)?;
    let each = &mut |p: &Policy| check::check_table(&table, p, today, options).map(|r| (r, ()));
    Ok(check_years_of(policies, range, each)?.0)
}

/// A years report whose ledgers are written row by row, year by year, rather than kept (what
/// `jxjy check --years … --format json` writes): the memory of the reports, not of the ledgers.
#[derive(Debug)]
pub struct YearsChecked<'t> {
    table: &'t Table<'t>,
    /// Per year of `report.years`, how its ledger is written (`None`: no policy).
    rows: Vec<Option<check::LedgerRows>>,
    policies: &'t [Policy],
    today: NaiveDate,
    /// The report, without ledgers.
    pub report: YearsReport,
}

impl<'t> YearsChecked<'t> {
    /// Checks `table` as [`check_years`] does, without ledgers, keeping what they need.
    pub fn new(
        table: &'t Table<'t>,
        policies: &'t [Policy],
        today: NaiveDate,
        range: Option<RangeInclusive<i32>>,
    ) -> Result<YearsChecked<'t>, ImportError> {
        let each = &mut |p: &Policy| check::check_for_ledger(table, p, today);
        let (report, rows) = check_years_of(policies, range, each)?;
        Ok(YearsChecked { table, rows, policies, today, report })
    }

    /// Calls `f` with every data row's ledger entry under `year`'s policy (nothing when the year
    /// has none), in the order of that year's [`Report::ledger`].
    pub fn for_each_ledger_row(&self, year: i32, f: &mut dyn FnMut(LedgerRow<'_>)) {
        let Some(i) = self.report.years.iter().position(|y| y.year == year) else { return };
        let (Some(Some(rows)), Some(report), Some(policy)) =
            (self.rows.get(i), self.report.years[i].report.as_ref(), self.policies.iter().find(|p| p.year == year))
        else {
            return;
        };
        check::for_each_ledger_row(self.table, rows, report, policy, self.today, f);
    }
}

/// Checks the table against one policy: its report, and what else the caller keeps of it.
type CheckOne<'c, T> = &'c mut dyn FnMut(&Policy) -> Result<(Report, T), ImportError>;

/// The years report from `check`, which checks the table against one policy, and what `check`
/// gave beside each year's report.
fn check_years_of<T>(
    policies: &[Policy],
    range: Option<RangeInclusive<i32>>,
    check: CheckOne<'_, T>,
) -> Result<(YearsReport, Vec<Option<T>>), ImportError> {
    // Which years the file speaks of: one pass with any policy (the rows' years do not depend on it).
    let Some(any) = policies.iter().max_by_key(|p| p.year) else {
        return Err(ImportError::NotATable("没有任何年度的政策文件".to_owned()));
    };
    let first = check(any)?;
    let in_file = first.0.rows_by_year.clone();
    let years: Vec<i32> = match &range {
        Some(r) => r.clone().take(MAX_YEARS).collect(),
        None => in_file.iter().map(|(y, _)| *y).take(MAX_YEARS).collect(),
    };
    let mut first = Some(first);
    let mut results = Vec::with_capacity(years.len());
    let mut besides = Vec::with_capacity(years.len());
    for year in years {
        let rows = in_file.iter().find(|(y, _)| *y == year).map_or(0, |(_, n)| *n);
        let checked = match policies.iter().find(|p| p.year == year) {
            Some(p) if p.year == any.year => first.take(),
            Some(p) => Some(check(p)?),
            None => None,
        };
        let (report, beside) = checked.map_or((None, None), |(r, b)| (Some(r), Some(b)));
        let message = report.is_none().then(|| format!("没有{year}年度的政策文件，无法判断该年度是否达标"));
        results.push(YearResult { year, rows, report, message });
        besides.push(beside);
    }
    Ok((YearsReport { grid: grid(&results), years: results }, besides))
}

/// The most years one check covers (a range like 1990–2100 is a typo, not a request).
pub const MAX_YEARS: usize = 50;

/// People × years from the per-year reports (every report lists the same people in the same
/// order: people come from the rows, whatever the year).
fn grid(years: &[YearResult]) -> Vec<PersonYears> {
    let Some(people) = years.iter().find_map(|y| y.report.as_ref()).map(|r| &r.people) else {
        return Vec::new();
    };
    people
        .iter()
        .enumerate()
        .map(|(i, p)| PersonYears {
            person: p.person.clone(),
            id: p.id.clone(),
            years: years
                .iter()
                .map(|y| {
                    let cell = y.report.as_ref().and_then(|r| r.people.get(i));
                    match cell {
                        Some(q) if q.compliant => GridCell { year: y.year, verdict: YearVerdict::Met, needed: None },
                        Some(q) => GridCell { year: y.year, verdict: YearVerdict::Short, needed: Some(q.needed) },
                        None => GridCell { year: y.year, verdict: YearVerdict::NoPolicy, needed: None },
                    }
                })
                .collect(),
        })
        .collect()
}

/// `2018-2020`, `2018～2020` or `2020` → the years.
pub fn parse_range(s: &str) -> Option<RangeInclusive<i32>> {
    let s = s.trim();
    let (a, b) = s.split_once(['-', '~', '～', '至']).unwrap_or((s, s));
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    ((1990..=2100).contains(&a) && (a..=2100).contains(&b) && (b - a) < MAX_YEARS as i32).then_some(a..=b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("2018-2020"), Some(2018..=2020));
        assert_eq!(parse_range("2020"), Some(2020..=2020));
        assert_eq!(parse_range("2018～2020"), Some(2018..=2020));
        assert_eq!(parse_range("2020-2018"), None);
        assert_eq!(parse_range("1900-2020"), None);
        assert_eq!(parse_range("abc"), None);
    }
}
