//! CSV and TSV (what Excel puts on the clipboard), read with the `csv` crate.

use std::ops::ControlFlow;

use super::Cells;

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
pub fn for_each_row(text: &str, delimiter: u8, f: &mut dyn FnMut(u32, &dyn Cells) -> ControlFlow<()>) {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter { text: text.as_bytes(), at: 0, line: 1, last_len: None };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                // The csv crate's own line count skips blank lines; count them as a spreadsheet does.
                let line = lines.line_of_record_at(record.position().map_or(0, |p| p.byte() as usize));
                // Unquoted, the record's raw length is its fields plus the delimiters between them.
                let raw_len = record.as_slice().len() + record.len().saturating_sub(1);
                lines.last_len = Some(raw_len);
                // An unquoted record is a plain slice of the (already valid) text, so each field is
                // an O(1) slice of it; a quoted one is validated once as the csv reader unescaped it.
                let source = text
                    .get(lines.at..lines.at + raw_len)
                    .filter(|raw| memchr::memchr(b'"', raw.as_bytes()).is_none())
                    .map(Text::Source)
                    .or_else(|| simdutf8::basic::from_utf8(record.as_slice()).ok().map(Text::Unescaped));
                let row = CsvRow { text: source, record: &record };
                if f(line, &row).is_break() {
                    return;
                }
            }
            // Reading from memory only fails on I/O, which cannot happen; stop rather than loop.
            Ok(false) | Err(_) => return,
        }
    }
}

/// Where a record's fields can be sliced from.
#[derive(Clone, Copy)]
enum Text<'r> {
    /// The record's own bytes in the source text, delimiters included (unquoted records).
    Source(&'r str),
    /// The fields as the csv reader unescaped them, concatenated and validated.
    Unescaped(&'r str),
}

/// One CSV record, readable as `&str` fields without validating each one.
struct CsvRow<'r> {
    /// `None` only if the record were not UTF-8 (it always is: the text was valid before it was
    /// split at ASCII delimiters).
    text: Option<Text<'r>>,
    record: &'r csv::ByteRecord,
}

impl Cells for CsvRow<'_> {
    fn len(&self) -> usize {
        self.record.len()
    }

    fn get(&self, i: usize) -> &str {
        match self.text {
            // Field i sits after i delimiters in the source.
            Some(Text::Source(t)) => self.record.range(i).and_then(|r| t.get(r.start + i..r.end + i)).unwrap_or(""),
            Some(Text::Unescaped(t)) => self.record.range(i).and_then(|r| t.get(r)).unwrap_or(""),
            None => Cells::get(self.record, i),
        }
    }

    fn is_blank(&self) -> bool {
        // Only ASCII blanks can be judged on bytes; anything else goes the careful way.
        let bytes = self.record.as_slice();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        if bytes.is_ascii() {
            return false;
        }
        (0..self.len()).all(|i| crate::text::trim_cell(self.get(i)).is_empty())
    }
}

/// Turns record start offsets (visited in increasing order) into 1-based line numbers, counting
/// `\n`, `\r\n` and a lone `\r` each as one line end. Most records are one unquoted line, which
/// is recognised from lengths alone; anything else (blank lines, quoted line breaks) is counted.
struct LineCounter<'t> {
    text: &'t [u8],
    /// Where the previous record's text starts.
    at: usize,
    line: u32,
    /// The raw length of the previous record if it was unquoted.
    last_len: Option<usize>,
}

/// How many line ends `a` holds, `next` being the byte after it.
fn line_ends(a: &[u8], next: Option<u8>) -> usize {
    let lf = memchr::memchr_iter(b'\n', a).count();
    let lone_cr = memchr::memchr_iter(b'\r', a).filter(|&i| a.get(i + 1).copied().or(next) != Some(b'\n')).count();
    lf + lone_cr
}

impl LineCounter<'_> {
    /// The line on which the record whose bytes start at `start` begins (skipping the blank
    /// lines that the csv reader includes before it).
    fn line_of_record_at(&mut self, start: usize) -> u32 {
        let start = start.min(self.text.len());
        let first =
            self.text[start..].iter().position(|&b| b != b'\r' && b != b'\n').map_or(self.text.len(), |p| start + p);
        if first > self.at {
            let chunk = &self.text[self.at..first];
            let one_line = self.last_len.is_some_and(|n| {
                (chunk.len() == n + 1 && matches!(chunk[n], b'\n' | b'\r'))
                    || (chunk.len() == n + 2 && &chunk[n..] == b"\r\n")
            });
            let ends = if one_line { 1 } else { line_ends(chunk, self.text.get(first).copied()) };
            self.line = self.line.saturating_add(u32::try_from(ends).unwrap_or(u32::MAX));
            self.at = first;
        }
        self.line
    }
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

    #[test]
    fn ragged_rows_are_kept() {
        let r = rows("a,b,c\n1\n1,2,3,4\n");
        assert_eq!(r[1].1, ["1"]);
        assert_eq!(r[2].1.len(), 4);
    }
}
