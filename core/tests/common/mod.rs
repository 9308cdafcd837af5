//! Shared helpers for jxjy-core's integration tests.
#![allow(dead_code)]

use jxjy_core::report::{PersonReport, Reason, WarningCode};
use jxjy_core::{Hours, NaiveDate, Policy, Report};

pub fn policy() -> Policy {
    Policy::from_toml(include_str!("../../../content/2020/policy.toml")).unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn h(s: &str) -> Hours {
    Hours::parse_cell(s).unwrap()
}

/// Checks CSV text as of 2020-11-01.
pub fn check(csv: &str) -> Report {
    check_on(csv, "2020-11-01")
}

pub fn check_on(csv: &str, today: &str) -> Report {
    jxjy_core::check(csv.as_bytes(), &policy(), day(today)).unwrap()
}

pub fn only(r: &Report) -> &PersonReport {
    assert_eq!(r.people.len(), 1, "{:#?}", r.people);
    &r.people[0]
}

/// (row, reason) of every excluded and pending row.
pub fn reasons(p: &PersonReport) -> Vec<(u32, Reason)> {
    let mut v: Vec<_> = p.excluded.iter().chain(&p.pending).map(|x| (x.row, x.reason)).collect();
    v.sort();
    v
}

pub fn row_warnings(p: &PersonReport) -> Vec<(u32, WarningCode)> {
    p.warnings.iter().map(|w| (w.row.unwrap_or(0), w.code)).collect()
}

pub fn file_warnings(r: &Report) -> Vec<WarningCode> {
    r.warnings.iter().map(|w| w.code).collect()
}
