//! jxjy-core: the continuing-education (专业技术人员继续教育) policy model, record import and
//! compliance rules.
//!
//! Pure: no I/O, no clock, no browser. Callers pass bytes, a [`Policy`] and `today`; they get a
//! [`Report`] back, the same object the CLI prints as JSON and the self-check page renders.
//!
//! ```
//! # #[cfg(feature = "toml")] {
//! let policy = jxjy_core::Policy::from_toml(include_str!("../../content/2020/policy.toml")).unwrap();
//! let csv = "课程名称,科目类型,学时,完成日期\n知识产权,公需必修,24,2020-05-01\n";
//! let today = chrono::NaiveDate::from_ymd_opt(2020, 11, 1).unwrap();
//! let report = jxjy_core::check(csv.as_bytes(), &policy, today).unwrap();
//! assert_eq!(report.people[0].shortfall.public_compulsory, jxjy_core::Hours::ZERO);
//! assert_eq!(report.people[0].needed, jxjy_core::Hours::whole(66));
//! # }
//! ```

// The core must never panic on input: no unwrap/expect/panic outside tests.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod check;
pub mod columns;
pub mod deadlines;
pub mod float;
mod fxhash;
pub mod hours;
pub mod import;
mod order;
pub mod policy;
pub mod policy_diff;
pub mod report;
pub mod text;
pub mod values;
pub mod years;

#[cfg(all(test, feature = "toml"))]
pub(crate) mod testing;

pub use chrono::NaiveDate;
pub use hours::Hours;
pub use import::{Format, ImportError};
pub use policy::{Policy, PolicyError};
pub use report::Report;

/// Reads `bytes` (CSV, TSV, XLSX or JSON in any supported encoding) and checks every record
/// against `policy` as of `today`.
pub fn check(bytes: &[u8], policy: &Policy, today: NaiveDate) -> Result<Report, ImportError> {
    check_with(bytes, policy, today, CheckOptions::default())
}

/// What a check produces beyond the report's verdicts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Keep every data row with its outcome in `Report::ledger` (明细), up to `ledger_cap` rows.
    pub ledger: bool,
    /// The most ledger entries kept (`None`: all). The page keeps a bounded ledger so a unit's
    /// 50 MB file does not become a 50 MB table; the CLI keeps all.
    pub ledger_cap: Option<usize>,
}

/// The rows of `bytes`, whatever the format and encoding: what [`check_with`] reads, for a caller
/// that checks them itself ([`check::Checked`]).
pub fn read(bytes: &[u8]) -> Result<import::Table<'_>, ImportError> {
    if bytes.len() > import::MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    import::read_table(bytes)
}

/// [`check`], with options.
pub fn check_with(
    bytes: &[u8],
    policy: &Policy,
    today: NaiveDate,
    options: CheckOptions,
) -> Result<Report, ImportError> {
    let table = read(bytes)?;
    check::check_table(&table, policy, today, options)
}
