//! Any bytes at all: `jxjy_core::check` must not panic, and on success every data row must be
//! accounted for exactly once.
#![no_main]

use std::sync::OnceLock;

use jxjy_core::{NaiveDate, Policy};
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::from_toml(include_str!("../../content/2020/policy.toml"))
            .expect("the shipped policy parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2020, 11, 1).expect("valid date");
    if let Ok(report) = jxjy_core::check(data, policy(), today) {
        let r = report.rows;
        assert_eq!(
            r.counted + r.excluded + r.pending + r.errors + r.skipped,
            r.data,
            "row accounting: {r:?}"
        );
        let counted: usize = report.people.iter().map(|p| p.counted).sum();
        let excluded: usize = report.people.iter().map(|p| p.excluded.len()).sum();
        let pending: usize = report.people.iter().map(|p| p.pending.len()).sum();
        assert_eq!((counted, excluded, pending), (r.counted, r.excluded, r.pending));
    }
});
