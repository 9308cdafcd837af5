//! Any bytes at all: `jxjy_core::check` must not panic, on success every data row must be
//! accounted for exactly once, and a text input (not a workbook, whose parts inflate) must not
//! make it allocate more than `MEMORY_FACTOR` × its size + 1 MB at the peak. Run with
//! `-rss_limit_mb` and `-malloc_limit_mb` (fuzz/README.md) so any other blow-up is a crash too.
#![no_main]

use std::sync::OnceLock;

use jxjy_core::import::MEMORY_FACTOR;
use jxjy_core::{NaiveDate, Policy};
use libfuzzer_sys::fuzz_target;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::from_toml(include_str!("../../content/2020/policy.toml"))
            .expect("the shipped policy parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2020, 11, 1).expect("valid date");
    let policy = policy();
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let result = jxjy_core::check(data, policy, today);
    let peak = ALLOC.peak_usage().saturating_sub(base);
    // Workbooks are held to their own bounds: an .xlsx's parts inflate, an .xls is the `xls` target's.
    if !data.starts_with(b"PK") && !data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let bound = MEMORY_FACTOR * data.len() + (1 << 20);
        assert!(peak <= bound, "peak {peak} bytes for {} input bytes (bound {bound})", data.len());
    }
    if let Ok(report) = result {
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
