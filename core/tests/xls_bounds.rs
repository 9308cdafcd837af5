//! Legacy .xls files that would make calamine allocate out of proportion to the file, or index past
//! a record, are refused before calamine sees them: measured with a counting allocator (bytes, not
//! time) and with every single-byte mutation of a real file.
#![cfg(feature = "xls")]

use std::sync::Mutex;

use jxjy_core::import::{ImportError, read_table};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// One measurement at a time: the allocator's peak is process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

/// What the reader says when calamine panicked after all (`catch_unwind`, the last resort).
const PANICKED: &str = "读取器内部错误";
/// Reading any of these files must stay far below this.
const CEILING: usize = 64 << 20;

const UNIT: &[u8] = include_bytes!("../../tests/fixtures/unit-xlwt.xls");
const LIBREOFFICE: &[u8] = include_bytes!("../../tests/fixtures/personal-libreoffice.xls");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/fixtures/xls/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The outcome of reading `bytes` (the error message, if any) and the peak heap it took beyond
/// what was in use before.
fn measured(bytes: &[u8]) -> (Result<usize, String>, usize) {
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let outcome = match read_table(bytes) {
        Ok(table) => {
            let mut rows = 0;
            table.for_each_row(&mut |_, _| {
                rows += 1;
                std::ops::ControlFlow::Continue(())
            });
            Ok(rows)
        }
        Err(ImportError::Xlsx(m) | ImportError::NotATable(m)) => Err(m),
        Err(e) => Err(format!("{e:?}")),
    };
    (outcome, ALLOC.peak_usage().saturating_sub(base))
}

#[test]
fn corner_cells_are_refused_in_little_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for name in ["corner-1.xls", "corner-20.xls"] {
        let (outcome, peak) = measured(&fixture(name));
        let message = outcome.unwrap_err();
        assert!(message.contains("表格范围过大（65536行×256列）") && message.contains(".xlsx 或 CSV"), "{message}");
        assert!(peak < CEILING, "{name}: {peak} bytes");
        eprintln!("{name}: refused with a peak of {peak} bytes");
    }
}

#[test]
fn files_that_made_calamine_panic_are_errors() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for name in ["mut_180.xls", "mut_214.xls"] {
        let (outcome, peak) = measured(&fixture(name));
        let message = outcome.unwrap_err();
        assert!(message.contains(".xls") && !message.contains(PANICKED), "{name}: {message}");
        assert!(peak < CEILING, "{name}: {peak} bytes");
    }
}

#[test]
fn the_unit_workbook_still_reads() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (outcome, peak) = measured(UNIT);
    assert!(outcome.unwrap() > 5);
    assert!(peak < 4 << 20, "{peak} bytes");
}

/// Every single-byte change of the two real files (xlwt's and LibreOffice's), three ways at each
/// offset: read or refused, never a panic caught at the last resort, never past the memory ceiling.
#[test]
fn every_single_byte_mutation_is_safe() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut worst = 0;
    let (mut read, mut refused) = (0, 0);
    for (file, at) in [UNIT, LIBREOFFICE].into_iter().flat_map(|f| (0..f.len()).map(move |at| (f, at))) {
        for change in [0xFF, 0x01, 0x80] {
            let mut bytes = file.to_vec();
            bytes[at] ^= change;
            let (outcome, peak) = measured(&bytes);
            match outcome {
                Ok(_) => read += 1,
                Err(m) => {
                    assert!(!m.contains(PANICKED), "byte {at} ^ {change:#x}: calamine panicked");
                    refused += 1;
                }
            }
            assert!(peak < CEILING, "byte {at} ^ {change:#x}: {peak} bytes");
            worst = worst.max(peak);
        }
    }
    eprintln!("{read} read, {refused} refused, worst peak {worst} bytes");
}

/// Random damage: a few bytes changed at once, in the real files and the one-sheet corner file
/// (where a change may shrink the area into the budget and let calamine allocate all of it).
#[test]
fn random_multi_byte_damage_is_safe() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let corner = fixture("corner-1.xls");
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // XLS_FUZZ_CASES=100000 for a longer search.
    let cases = std::env::var("XLS_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1500);
    for file in [UNIT, LIBREOFFICE, &corner] {
        for case in 0..cases {
            let mut bytes = file.to_vec();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let (outcome, peak) = measured(&bytes);
            if let Err(m) = outcome {
                assert!(!m.contains(PANICKED), "case {case}: calamine panicked");
            }
            assert!(peak < CEILING, "case {case}: {peak} bytes");
        }
    }
}

/// The cost this guards against, for the record: calamine alone on the one-sheet corner file.
/// Ignored: it allocates about a gigabyte (`cargo test --features xls --test xls_bounds -- --ignored`).
#[test]
#[ignore]
fn before_calamine_alone_on_the_corner_file() {
    use calamine::{Reader, Xls};
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = fixture("corner-1.xls");
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let sheets = Xls::new(std::io::Cursor::new(&bytes[..])).unwrap().worksheets();
    let peak = ALLOC.peak_usage().saturating_sub(base);
    eprintln!("calamine alone: {} sheet(s), a peak of {peak} bytes", sheets.len());
    assert!(peak > CEILING);
}
