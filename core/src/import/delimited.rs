//! CSV and TSV (what Excel puts on the clipboard), read with the `csv` crate.

use std::ops::ControlFlow;

use super::{MAX_COLUMNS, Row};

/// Picks the delimiter from the first lines: a tab (Excel's clipboard and "Unicode text"), a
/// comma, or a semicolon (CSV from a European-locale Excel), by which splits the lines most evenly.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(30).collect();
    let mut best = (b',', 0usize);
    for d in [b'\t', b',', b';'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        // Lines that share the most common non-zero count vote for this delimiter.
        let mut votes = 0;
        for &c in counts.iter().filter(|&&c| c > 0) {
            let same = counts.iter().filter(|&&x| x == c).count();
            votes = votes.max(same * 1000 + c);
        }
        if votes > best.1 {
            best = (d, votes);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == d && !quoted
        })
        .count()
}

/// Calls `f` for every record with the line on which it starts.
///
/// Splits the records exactly as the `csv` crate does (`flexible`, no headers, `"` quotes with
/// `""` inside, `\r`, `\n` and `\r\n` all ending a record, blank lines skipped, a UTF-8 BOM
/// at the start dropped), but most records are one line without a quote: the line end is found
/// with `memchr` and the fields are cut in place into slices of `text` (see
/// [`split_unquoted_line`]), with no copy and no state machine. A line that holds a quote goes to
/// `csv-core`, the parser inside the `csv` crate, for that one record.
pub fn for_each_row(text: &str, delimiter: u8, f: &mut dyn FnMut(u32, Row<'_>) -> ControlFlow<()>) {
    let mut records = Records::new(text, delimiter);
    while let Some(line) = records.advance() {
        if f(line, records.row()).is_break() {
            return;
        }
    }
}

/// A cursor over the records of a delimited text.
struct Records<'t> {
    text: &'t str,
    delimiter: u8,
    /// Where the next record (or the blank lines before it) starts.
    at: usize,
    /// The 1-based line of `at`.
    line: u32,
    /// The current record's fields, as byte ranges of `text` or of the quoted reader's output.
    spans: Vec<(usize, usize)>,
    /// Whether `spans` index the quoted reader's output rather than `text`.
    from_quoted: bool,
    /// Made on the first record with a quote.
    quoted: Option<QuotedReader>,
}

impl<'t> Records<'t> {
    fn new(text: &'t str, delimiter: u8) -> Records<'t> {
        // The csv reader drops a UTF-8 BOM at the very start (decoding has usually taken it already).
        let at = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        Records { text, delimiter, at, line: 1, spans: Vec::with_capacity(16), from_quoted: false, quoted: None }
    }

    /// Moves to the next record and returns the line it starts on, or `None` at the end.
    fn advance(&mut self) -> Option<u32> {
        let bytes = self.text.as_bytes();
        // Blank lines between records are skipped, each one counted.
        while let Some(&b) = bytes.get(self.at) {
            match b {
                b'\n' => self.line = self.line.saturating_add(1),
                // A lone CR ends a line; in CRLF the LF counts.
                b'\r' if bytes.get(self.at + 1) != Some(&b'\n') => self.line = self.line.saturating_add(1),
                b'\r' => {}
                _ => break,
            }
            self.at += 1;
        }
        let start = self.at;
        if start >= bytes.len() {
            return None;
        }
        let line = self.line;
        let rest = &bytes[start..];
        // The line end, or a quote before it: one search finds either.
        let unquoted_len = match memchr::memchr3(b'\n', b'\r', b'"', rest) {
            Some(i) if rest[i] == b'"' => None,
            Some(i) => Some(i),
            None => Some(rest.len()),
        };
        self.spans.clear();
        // Without a quote, the whole record is this line and its fields lie between the delimiters.
        if let Some(len) = unquoted_len {
            split_unquoted_line(&rest[..len], start, self.delimiter, &mut self.spans);
            self.from_quoted = false;
            // The line end is left for the blank-line loop to count.
            self.at = start + len;
        } else {
            let delimiter = self.delimiter;
            let quoted = self.quoted.get_or_insert_with(|| QuotedReader::new(delimiter));
            let consumed = quoted.read(rest, &mut self.spans);
            // Line ends inside the quotes, and the record's own end, are counted here.
            let next = bytes.get(start + consumed).copied();
            self.line = self.line.saturating_add(line_ends(&rest[..consumed], next));
            self.from_quoted = true;
            self.at = start + consumed;
        }
        Some(line)
    }

    fn row(&self) -> Row<'_> {
        let text = match (&self.quoted, self.from_quoted) {
            (Some(q), true) => q.text(),
            _ => self.text,
        };
        Row::spans(text, &self.spans)
    }
}

/// Pushes the spans of the fields of `line`, which starts at byte `start` of the text and holds
/// no quote, as split at `delimiter`. At most [`MAX_COLUMNS`] fields are cut: the rest of a
/// wider line is one more span, delimiters and all (the checker tells whether it holds text).
/// Eight bytes at a time: fields are short (a name, a date, a number), so finding each
/// delimiter with a bit trick on a word beats a `memchr` call per field. (The search for the
/// line's end has already ruled out a quote.)
// Not inlined: in the record loop its registers spill to the stack.
#[inline(never)]
fn split_unquoted_line(line: &[u8], start: usize, delimiter: u8, spans: &mut Vec<(usize, usize)>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let delimiters = ONES * u64::from(delimiter);
    let mut field_start = start;
    let mut chunks = line.chunks_exact(8);
    let mut at = start;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let mut found = zero_bytes(word ^ delimiters);
        // A word holds at most eight delimiters: the column limit is looked at per word, and
        // per delimiter only near it.
        let near_limit = spans.len() + 8 > MAX_COLUMNS;
        while found != 0 {
            let d = at + (found.trailing_zeros() / 8) as usize;
            if near_limit && spans.len() == MAX_COLUMNS {
                spans.push((field_start, start + line.len()));
                return;
            }
            spans.push((field_start, d));
            field_start = d + 1;
            found &= found - 1;
        }
        at += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == delimiter {
            if spans.len() == MAX_COLUMNS {
                break;
            }
            spans.push((field_start, at + i));
            field_start = at + i + 1;
        }
    }
    spans.push((field_start, start + line.len()));
}

/// The high bit set in exactly the bytes of `x` that are zero. Exact, with no carries between
/// bytes: the low seven bits are added separately from the high one.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// One record that `csv-core` reads: the quotes taken off, the fields side by side in `out`.
struct QuotedReader {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// How many bytes of `out` the last record filled.
    len: usize,
}

impl QuotedReader {
    fn new(delimiter: u8) -> QuotedReader {
        let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        // csv-core drops a BOM on its first read only; that read is here, on a blank line, so a
        // record later in the text that starts with U+FEFF keeps it, as with the `csv` crate.
        let _ = reader.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
        QuotedReader { reader, out: vec![0; 256], ends: vec![0; 16], len: 0 }
    }

    /// Reads the record at the start of `input` into `spans` (ranges of [`Self::text`]) and
    /// returns how many bytes of `input` it took, its line end included.
    fn read(&mut self, input: &[u8], spans: &mut Vec<(usize, usize)>) -> usize {
        let (mut consumed, mut out_len, mut fields) = (0, 0, 0);
        loop {
            let (result, nin, nout, nend) =
                self.reader.read_record(&input[consumed..], &mut self.out[out_len..], &mut self.ends[fields..]);
            consumed += nin;
            out_len += nout;
            fields += nend;
            match result {
                // At the end of the text; the next call, with no input, finishes the record.
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => {
                    // Past MAX_COLUMNS fields, the one slot after them is written over and over:
                    // the last span then covers every further field (their text back to back).
                    let room = (self.ends.len() * 2).min(MAX_COLUMNS + 1);
                    if room > self.ends.len() {
                        self.ends.resize(room, 0);
                    } else {
                        fields = MAX_COLUMNS;
                    }
                }
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
        }
        self.len = out_len;
        let mut field_start = 0;
        for &end in &self.ends[..fields] {
            spans.push((field_start, end));
            field_start = end;
        }
        consumed
    }

    /// The fields of the last record, back to back. They are valid UTF-8 (the input was, and
    /// only ASCII quotes were taken out); if they somehow were not, the fields read as empty.
    fn text(&self) -> &str {
        simdutf8::basic::from_utf8(&self.out[..self.len]).unwrap_or("")
    }
}

/// How many line ends `a` holds, `next` being the byte after it: each `\n`, and each `\r` not
/// followed by `\n`.
fn line_ends(a: &[u8], next: Option<u8>) -> u32 {
    let lf = memchr::memchr_iter(b'\n', a).count();
    let lone_cr = memchr::memchr_iter(b'\r', a).filter(|&i| a.get(i + 1).copied().or(next) != Some(b'\n')).count();
    u32::try_from(lf + lone_cr).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u32, Vec<String>)> {
        let d = sniff_delimiter(text);
        let mut out = Vec::new();
        for_each_row(text, d, &mut |n, cells| {
            out.push((n, (0..cells.len()).map(|i| cells.get(i).to_owned()).collect()));
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n"), b';');
        // A comma inside a course name does not outvote the tabs.
        assert_eq!(sniff_delimiter("课程\t学时\n经济, 热点\t4\n知识产权\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b\"\tc\n\"d,e\"\tf\n"), b'\t');
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_newlines() {
        let text = "标题\n\n课程,学时\r\n\"多行\n课程\",4\n\n知识产权,2\n";
        let r = rows(text);
        assert_eq!(r.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3, 4, 7]);
        assert_eq!(r[2].1, ["多行\n课程", "4"]);
        assert_eq!(r[3].1, ["知识产权", "2"]);
    }

    #[test]
    fn line_numbers_with_old_mac_and_windows_endings() {
        assert_eq!(rows("a,b\r\r1,2\r\r\r3,4\r").iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3, 6]);
        assert_eq!(rows("\r\n\r\na,b\r\n1,2").iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 4]);
    }

    /// The records as the `csv` crate reads them (fields only).
    fn csv_crate_fields(text: &str) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        reader
            .byte_records()
            .map(|r| r.expect("from memory").iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect())
            .collect()
    }

    /// The line-end search that also stops at a quote: a quote at any offset of a line (inside
    /// the eight-byte words, in the tail, after the last delimiter, past [`MAX_COLUMNS`] fields),
    /// and quotes only on a later line, split as the `csv` crate splits them.
    #[test]
    fn a_quote_anywhere_in_a_line_sends_it_to_the_quoted_reader() {
        for at in 0..40 {
            let head: String = (0..at).map(|i| if i % 3 == 2 { ',' } else { 'a' }).collect();
            for text in [
                format!("{head}\"q,q\",z\r\nplain,line\n"),
                format!("{head}\"多\n行\"\nx,y"),
                format!("plain,{head}\nnext,\"{head}\""),
                format!("{head},\"\""),
            ] {
                let ours: Vec<Vec<String>> = rows(&text).into_iter().map(|(_, f)| f).collect();
                assert_eq!(ours, csv_crate_fields(&text), "{text:?}");
            }
        }
        let wide = format!("{}\"x,y\"\n", ",".repeat(MAX_COLUMNS + 5));
        let r = rows(&wide);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1.len(), MAX_COLUMNS + 1);
        assert!(r[0].1[MAX_COLUMNS].contains("x"), "{:?}", &r[0].1[MAX_COLUMNS]);
    }

    #[test]
    fn ragged_rows_are_kept() {
        let r = rows("a,b,c\n1\n1,2,3,4\n");
        assert_eq!(r[1].1, ["1"]);
        assert_eq!(r[2].1.len(), 4);
    }
}
