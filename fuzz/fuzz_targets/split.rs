//! Any text, any of the three delimiters: jxjy's record splitter must give the same records,
//! field for field, as the `csv` crate, and each record's line must be 1 plus the line ends
//! (`\n`, and `\r` not before `\n`) before its first byte.
#![no_main]

use std::ops::ControlFlow;

use jxjy_core::import::{MAX_COLUMNS, Table};
use libfuzzer_sys::fuzz_target;

fn csv_crate_records(text: &str, delimiter: u8) -> Vec<(u32, Vec<Vec<u8>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).expect("reading from memory") {
        let mut start = record.position().expect("a position").byte() as usize;
        if start == 0 && text.starts_with('\u{feff}') {
            start = 3;
        }
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let ends = bytes[..start]
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        out.push((1 + ends as u32, record.iter().map(<[u8]>::to_vec).collect()));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let delimiter = [b',', b'\t', b';'][usize::from(pick % 3)];
    let table = Table::Delimited { text: text.into(), delimiter, lossy: false };
    let mut ours = Vec::new();
    table.for_each_row(&mut |line, row| {
        ours.push((line, (0..row.len()).map(|i| row.get(i).as_bytes().to_vec()).collect::<Vec<_>>()));
        ControlFlow::Continue(())
    });
    // Past MAX_COLUMNS fields, jxjy keeps one more span for the rest of the record; it is blank
    // (only spaces and delimiters) exactly when the fields it stands for are.
    let blank = |f: &[u8]| f.iter().all(|&b| b.is_ascii_whitespace() || matches!(b, b',' | b'\t' | b';'));
    let theirs: Vec<(u32, Vec<Vec<u8>>)> = csv_crate_records(text, delimiter)
        .into_iter()
        .map(|(line, mut fields)| {
            if fields.len() > MAX_COLUMNS {
                let rest_blank = fields[MAX_COLUMNS..].iter().all(|f| blank(f));
                fields.truncate(MAX_COLUMNS);
                fields.push(if rest_blank { Vec::new() } else { b"x".to_vec() });
            }
            (line, fields)
        })
        .collect();
    for (_, fields) in &mut ours {
        if fields.len() > MAX_COLUMNS {
            let rest_blank = blank(&fields[MAX_COLUMNS]);
            fields[MAX_COLUMNS] = if rest_blank { Vec::new() } else { b"x".to_vec() };
        }
    }
    assert_eq!(ours, theirs, "{text:?}");
});
