//! Legacy Excel (.xls) files, mutated from real ones: the compound-file pre-scan and calamine
//! behind it must not panic (libFuzzer aborts on any panic, even one `xls::read` would catch, so a
//! calamine panic the pre-scan lets through is a crash here), every data row must be accounted for,
//! and the peak memory must stay within the bound xls.rs states: calamine lays out at most
//! 16 cells per input byte + 65,536, at 24 to 32 bytes a cell for each grid and its copy — about a
//! kilobyte per input byte plus a few MB.
#![no_main]

use std::sync::OnceLock;

use jxjy_core::{NaiveDate, Policy};
use libfuzzer_sys::fuzz_target;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// An OLE compound file starts with these 8 bytes; anything else is the text path (`import`).
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::from_toml(include_str!("../../content/2020/policy.toml"))
            .expect("the shipped policy parses")
    })
}

fuzz_target!(|data: &[u8]| {
    if !data.starts_with(OLE) {
        return;
    }
    let today = NaiveDate::from_ymd_opt(2020, 11, 1).expect("valid date");
    let policy = policy();
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let result = jxjy_core::check(data, policy, today);
    let peak = ALLOC.peak_usage().saturating_sub(base);
    let bound = 1024 * data.len() + (8 << 20);
    assert!(peak <= bound, "peak {peak} bytes for {} input bytes (bound {bound})", data.len());
    if let Ok(report) = result {
        let r = report.rows;
        assert_eq!(
            r.counted + r.excluded + r.pending + r.errors + r.skipped,
            r.data,
            "row accounting: {r:?}"
        );
    }
});
