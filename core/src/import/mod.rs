//! 导入: turns the bytes a person gives us into rows of text cells, whatever the format and
//! encoding. Row numbers are the ones the person sees: the line in a text file (blank lines
//! counted), the sheet's own row number in a workbook, the element's 1-based index in JSON.
//!
//! # Resources
//!
//! Memory and time grow with the input, never faster: `check` on any bytes allocates at most
//! [`MEMORY_FACTOR`] × the bytes read + [`MEMORY_ALLOWANCE`] at its peak (the report included), and
//! its time is near-linear. "The bytes read" is the input, or for a workbook what its parts inflate
//! to (at most 160 MB, see `zip::MAX_TOTAL_BYTES`). What keeps it so, and says so in Chinese when
//! an input goes past it:
//!
//! - the input is at most [`MAX_INPUT_BYTES`] ([`ImportError::TooLarge`]; both front ends check the
//!   size before reading a file);
//! - a row has at most [`MAX_COLUMNS`] columns: cells past it are not read, and a data row with text
//!   there is a row error; a JSON file with more keys, or a sheet with more than [`MAX_CELLS`]
//!   cells, is refused;
//! - a workbook's shared strings are stored once and referenced by index, never copied per cell;
//! - at most [`MAX_LISTED_ERROR_ROWS`] rows' errors are listed (the rest counted, with a summary),
//!   at most [`MAX_PEOPLE`] people are told apart (rows of further people are errors);
//! - exclusion messages are shared by the rows with the same reason, year and date;
//! - XML entities, a workbook's relationships and parts are found in constant time, and a header
//!   has at most [`MAX_COLUMNS`] labels, so no per-row lookup grows with the input.
//!
//! `tests/bounds.rs` measures every shape that broke this with a counting allocator.

use std::borrow::Cow;
use std::ops::ControlFlow;

#[cfg(feature = "xls")]
mod cfb;
mod decode;
mod delimited;
mod grid;
mod html;
#[cfg(feature = "json")]
mod json;
pub mod sheets;
#[cfg(feature = "xls")]
mod xls;
#[cfg(feature = "xlsx")]
mod xlsx;
#[cfg(feature = "xlsx")]
mod xml;
#[cfg(feature = "xlsx")]
mod zip;

pub use decode::{Encoding, decode, detect};
pub use grid::{Grid, Merge, MergeError, TooManyCells};
pub use sheets::{RowAt, SheetNote, Sheets, row_label};

/// The largest input read, in bytes (200 MB). The CLI and the page check a file's size against
/// it before reading (`site/assets/check.js` and `worker.js` hold the same number).
pub const MAX_INPUT_BYTES: usize = 200 << 20;
/// Peak memory of a check is at most this many times the bytes read…
pub const MEMORY_FACTOR: usize = 8;
/// …plus this.
pub const MEMORY_ALLOWANCE: usize = 64 << 20;
/// Columns read in a row; cells further right are not read.
pub const MAX_COLUMNS: usize = 1024;
/// Cells a sheet or a JSON file may hold, counting the empty ones left of a filled cell.
pub const MAX_CELLS: usize = 8_000_000;
/// Rows whose errors are listed one by one; the errors of later rows are counted and summarised.
pub const MAX_LISTED_ERROR_ROWS: usize = 1_000;
/// People told apart in one file; rows of further people are errors.
pub const MAX_PEOPLE: usize = 100_000;

/// Why nothing at all could be read (the CLI exits 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// No bytes, or only whitespace.
    Empty,
    /// The bytes are not a table (an image, a PDF, binary data…), with what they look like.
    NotATable(String),
    /// No row looks like a header of study records.
    NoHeader,
    /// A column that every verdict needs is missing; no verdict is given.
    MissingColumn {
        /// What is missing, in Chinese.
        missing: String,
        /// The columns that were found, with what they were read as.
        found: Vec<String>,
    },
    /// Rows were read but no person could be judged (every row unreadable): no verdict.
    NoPerson {
        /// Why, in Chinese.
        why: String,
        /// The first errors, as `第3行「学时」…`.
        errors: Vec<String>,
    },
    /// The workbook could not be read.
    Xlsx(String),
    /// The JSON could not be read.
    Json(String),
    /// A shape of file this build does not read (the page's first module, which hands such a file
    /// to its second module): what the file is.
    NotInThisBuild(&'static str),
    /// The input is larger than [`MAX_INPUT_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Empty => f.write_str("文件为空，没有可读取的记录"),
            ImportError::NotATable(what) => write!(f, "无法读取：{what}。请提供 CSV、TSV、XLSX 或 JSON 格式的学时记录"),
            ImportError::NoHeader => f.write_str(
                "未找到表头：需要一行列名，至少包含“学时”以及“科目类型”或“课程名称”等列（例如：课程名称、科目类型、学时、完成日期）",
            ),
            ImportError::MissingColumn { missing, found } => write!(
                f,
                "找不到“{missing}”列，无法判断是否达标。文件中找到的列：{}。请在表格中加上这一列（例如“科目类型”填公需科目或专业科目，“学时”填数字）后再检查",
                if found.is_empty() { "无".to_owned() } else { found.join("、") }
            ),
            ImportError::NoPerson { why, errors } => write!(
                f,
                "无法给出结论：{why}。{}",
                if errors.is_empty() { String::new() } else { format!("例如：{}", errors.join("；")) }
            ),
            ImportError::Xlsx(why) => write!(f, "无法读取 Excel 工作簿：{why}"),
            ImportError::Json(why) => write!(f, "无法读取 JSON：{why}"),
            ImportError::NotInThisBuild(what) => write!(f, "此版本未包含{what}的读取功能"),
            ImportError::TooLarge { size } => write!(f, "{}", too_large_message(*size)),
        }
    }
}

impl std::error::Error for ImportError {}

/// What every front end says about a file over [`MAX_INPUT_BYTES`] (`check.js` words it the same).
pub fn too_large_message(size: usize) -> String {
    // Tenths of a MB, rounded as `{:.1}` rounds the exact quotient (ties to even), in integers:
    // formatting an f64 would add core's float printer (≈10 KB) to the page's module for one line.
    let tenths = (size as u64).saturating_mul(10);
    let (mut whole, rest) = (tenths >> 20, tenths & ((1 << 20) - 1));
    if rest > 1 << 19 || (rest == 1 << 19 && whole % 2 == 1) {
        whole += 1;
    }
    format!(
        "文件过大（{}.{} MB），超过 {} MB 的上限，未读取。请按年度或单位拆分后分批检查",
        whole / 10,
        whole % 10,
        MAX_INPUT_BYTES >> 20
    )
}

/// The format the rows were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
    /// Legacy Excel (BIFF8).
    Xls,
    Json,
    /// An HTML `<table>` (the "导出Excel" of many platforms, saved with a .xls name).
    Html,
}

impl Format {
    /// What the bytes were, in Chinese, for [`format_note`]: in full, and short.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Format::Csv => ("逗号分隔的文本（CSV）", "CSV 文本"),
            Format::Tsv => ("制表符分隔的文本（TSV）", "制表符分隔的文本"),
            Format::Xlsx => ("Excel 工作簿（.xlsx）", ".xlsx 工作簿"),
            Format::Xls => ("旧版 Excel 工作簿（.xls）", ".xls 工作簿"),
            Format::Json => ("JSON 文本", "JSON"),
            Format::Html => ("网页表格（HTML）", "网页表格"),
        }
    }
}

/// What a file really was when its name says otherwise — "文件名为 .xls，实际是网页表格（HTML）" —
/// or `None` when the name's extension fits the bytes or names no table format. The core reads
/// bytes, not names: the CLI (the path) and the page (`file.name`) ask this with the report's
/// format, so both say it in these words.
pub fn format_note(format: Format, file_name: &str) -> Option<String> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    let fits: &[Format] = match ext.as_str() {
        "xls" | "et" => &[Format::Xls],
        "xlsx" | "xlsm" => &[Format::Xlsx],
        "csv" => &[Format::Csv, Format::Tsv],
        "tsv" | "txt" => &[Format::Tsv, Format::Csv],
        "json" => &[Format::Json],
        "htm" | "html" => &[Format::Html],
        _ => return None,
    };
    let (what, short) = format.describe();
    (!fits.contains(&format)).then(|| format!("文件名为 .{ext}，实际是{what}，已按{short}读取"))
}

/// Whether this build reads any format into a [`Grid`] (a workbook, JSON, a web page): without
/// one (the page's first module) a table is always delimited text, and the grid's row code is left
/// out (`table_from_rows` aside, which only tests call).
const GRIDS: bool = cfg!(any(feature = "xlsx", feature = "xls", feature = "json", feature = "html", test));

/// Any source of rows: a delimited text read lazily, or a grid already in memory.
// One table per check: the size of the grid arm does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Table<'a> {
    /// CSV or TSV text, parsed on each pass (fast and allocation-light for large files).
    Delimited {
        text: Cow<'a, str>,
        delimiter: u8,
        /// Whether decoding replaced bad bytes with U+FFFD (only then are cells searched for it).
        lossy: bool,
    },
    /// Rows already split into cells (XLSX, JSON), and for a workbook of several sheets, which
    /// were read.
    Grid { grid: Grid, format: Format, sheets: Box<Sheets> },
}

/// The cells of one row, whatever the table behind it: slices of one text (a CSV or TSV
/// record) or the cells of a [`Grid`] row. A plain value, so reading a cell is an inlined slice.
#[derive(Debug, Clone, Copy)]
pub struct Row<'r>(RowCells<'r>);

#[derive(Debug, Clone, Copy)]
enum RowCells<'r> {
    /// Each cell is `text[start..end]`.
    Spans {
        text: &'r str,
        spans: &'r [(usize, usize)],
    },
    Strings(&'r [String]),
    /// Each cell is an index into a [`Grid`]'s strings.
    Pooled {
        text: &'r str,
        strings: &'r [(u32, u32)],
        cells: &'r [u32],
    },
}

impl<'r> Row<'r> {
    /// A row whose cells are the given ranges of `text`.
    pub(crate) fn spans(text: &'r str, spans: &'r [(usize, usize)]) -> Row<'r> {
        Row(RowCells::Spans { text, spans })
    }

    /// A row of a [`Grid`].
    pub(crate) fn pooled(text: &'r str, strings: &'r [(u32, u32)], cells: &'r [u32]) -> Row<'r> {
        Row(RowCells::Pooled { text, strings, cells })
    }

    /// A row of separate strings.
    pub fn strings(cells: &'r [String]) -> Row<'r> {
        Row(RowCells::Strings(cells))
    }

    /// How many cells the row has.
    #[inline]
    pub fn len(self) -> usize {
        match self.0 {
            RowCells::Spans { spans, .. } => spans.len(),
            RowCells::Strings(cells) => cells.len(),
            RowCells::Pooled { cells, .. } => cells.len(),
        }
    }

    /// Whether the row has no cells.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Cell `i`, or `""` past the end.
    #[inline]
    pub fn get(self, i: usize) -> &'r str {
        match self.0 {
            RowCells::Spans { text, spans } => spans.get(i).and_then(|&(a, b)| text.get(a..b)).unwrap_or(""),
            RowCells::Strings(cells) => cells.get(i).map_or("", String::as_str),
            RowCells::Pooled { text, strings, cells } => pooled_cell(text, strings, cells, i),
        }
    }

    /// Whether every cell is blank.
    #[inline]
    pub fn is_blank(self) -> bool {
        // Most rows start with a filled cell whose first byte is no space: no need to trim.
        let first = self.get(0).as_bytes().first();
        if first.is_some_and(|&b| b.is_ascii_graphic() || (0xE4..=0xE9).contains(&b)) {
            return false;
        }
        (0..self.len()).all(|i| crate::text::trim_cell(self.get(i)).is_empty())
    }
}

/// Cell `i` of a grid row; out of line, so `Row::get` stays small enough to inline for CSV rows.
#[inline(never)]
fn pooled_cell<'r>(text: &'r str, strings: &'r [(u32, u32)], cells: &'r [u32], i: usize) -> &'r str {
    cells.get(i).map_or("", |&c| grid::string(text, strings, c))
}

impl Table<'_> {
    /// Whether cells may hold U+FFFD from bytes that could not be decoded.
    pub fn may_have_replacements(&self) -> bool {
        match self {
            Table::Delimited { lossy, .. } => *lossy,
            Table::Grid { .. } => true,
        }
    }

    /// The format of the source.
    pub fn format(&self) -> Format {
        match self {
            Table::Delimited { delimiter: b'\t', .. } => Format::Tsv,
            Table::Delimited { .. } => Format::Csv,
            Table::Grid { format, .. } => *format,
        }
    }

    /// The sheets of a workbook of several: which were read (row numbers name their sheet
    /// through [`Sheets::at`] when more than one was).
    pub fn sheets(&self) -> Option<&Sheets> {
        match self {
            Table::Grid { sheets, .. } if sheets::WORKBOOKS && !sheets.notes.is_empty() => Some(sheets),
            _ => None,
        }
    }

    /// Row `key` of the table: its sheet (when several were read) and the sheet's own row.
    pub fn row_at(&self, key: u32) -> RowAt {
        match self.sheets() {
            Some(s) => s.at(key),
            None => RowAt { sheet: None, row: key },
        }
    }

    /// For each of the first `columns` columns, how many rows below the header row `after` hold
    /// a value from a merged range (none for text).
    pub fn merged_rows(&self, after: u32, columns: usize) -> Vec<usize> {
        match self {
            Table::Grid { grid, .. } if sheets::WORKBOOKS => grid.merged_rows(after, columns),
            _ => vec![0; columns],
        }
    }

    /// Calls `f` with each row below the header row `header` (rows above it and the header itself
    /// are passed over), in order, until it breaks.
    pub fn for_each_data_row(&self, header: u32, f: &mut dyn FnMut(u32, Row<'_>) -> ControlFlow<()>) {
        let mut past = false;
        self.for_each_row(&mut |number, cells| {
            if past {
                f(number, cells)
            } else {
                past = number == header;
                ControlFlow::Continue(())
            }
        });
    }

    /// Calls `f` with each row's number and cells, in order, until it breaks.
    pub fn for_each_row(&self, f: &mut dyn FnMut(u32, Row<'_>) -> ControlFlow<()>) {
        match self {
            Table::Delimited { text, delimiter, .. } => delimited::for_each_row(text, *delimiter, f),
            Table::Grid { grid, .. } if GRIDS => {
                for i in 0..grid.len() {
                    let Some((number, row)) = grid.row(i) else { return };
                    if f(number, row).is_break() {
                        return;
                    }
                }
            }
            Table::Grid { .. } => {}
        }
    }
}

/// The encoding [`read_table`] reads `bytes` in as text; `None` for a workbook or a file it names
/// as binary (an image, a PDF…), which is not decoded at all.
pub fn text_encoding(bytes: &[u8]) -> Option<Encoding> {
    if sniff_binary(bytes).is_some() {
        return None;
    }
    // A web page's encoding is named by its <meta> (the reader's; the page's worker sends a file
    // that starts like HTML to the second module, and asks that module this).
    #[cfg(feature = "html")]
    if html::sniff(bytes) {
        return Some(html::encoding(bytes));
    }
    Some(detect(bytes))
}

/// Detects the format and encoding of `bytes` and returns its rows.
pub fn read_table(bytes: &[u8]) -> Result<Table<'_>, ImportError> {
    if let Some(what) = sniff_binary(bytes) {
        return match what {
            Sniffed::Zip => read_zip(bytes),
            Sniffed::Ole => read_ole(bytes),
            Sniffed::Other(why) => Err(ImportError::NotATable(why.to_owned())),
        };
    }
    if html::sniff(bytes) {
        return read_html(bytes);
    }
    let (text, encoding) = decode(bytes);
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Err(ImportError::Empty);
    }
    if looks_binary(trimmed) {
        return Err(ImportError::NotATable("文件内容不是文本（可能是图片、压缩包或其他二进制文件）".to_owned()));
    }
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Some(grid) = read_json(trimmed)
    {
        return grid.map(|grid| Table::Grid { grid, format: Format::Json, sheets: Box::default() });
    }
    let delimiter = delimited::sniff_delimiter(&text);
    let lossy =
        matches!(encoding, Encoding::Utf8Lossy) || (!matches!(encoding, Encoding::Utf8) && text.contains('\u{fffd}'));
    Ok(Table::Delimited { text, delimiter, lossy })
}

enum Sniffed {
    Zip,
    /// An OLE compound file: a legacy .xls workbook (or a Word document).
    Ole,
    Other(&'static str),
}

fn sniff_binary(bytes: &[u8]) -> Option<Sniffed> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG", "这是一张 PNG 图片，不是表格"),
        (b"\xFF\xD8\xFF", "这是一张 JPEG 图片，不是表格"),
        (b"GIF8", "这是一张 GIF 图片，不是表格"),
        (b"%PDF", "这是 PDF 文件，不是表格；请从平台导出 Excel 或 CSV"),
        (b"Rar!", "这是 RAR 压缩包，不是表格"),
        (b"7z\xBC\xAF", "这是 7z 压缩包，不是表格"),
        (b"\x1F\x8B", "这是 gzip 压缩文件，不是表格"),
    ];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(Sniffed::Zip);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Some(Sniffed::Ole);
    }
    SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)).map(|(_, why)| Sniffed::Other(why))
}

/// Text that starts like JSON: its rows, or its error when it is JSON that cannot be used, or
/// `None` when it clearly is not JSON (then it is read as delimited text).
#[cfg(feature = "json")]
fn read_json(trimmed: &str) -> Option<Result<Grid, ImportError>> {
    match json::read(trimmed) {
        Ok(grid) => Some(Ok(grid)),
        Err(e) if trimmed.starts_with('[') || serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok() => {
            Some(Err(e))
        }
        Err(_) => None,
    }
}

/// Without the JSON reader (the page's first module, whose worker hands text that starts like JSON
/// to the second module), such text is refused rather than misread as delimited text.
#[cfg(not(feature = "json"))]
fn read_json(_: &str) -> Option<Result<Grid, ImportError>> {
    Some(Err(ImportError::NotInThisBuild("JSON 记录")))
}

#[cfg(feature = "xls")]
fn read_ole(bytes: &[u8]) -> Result<Table<'_>, ImportError> {
    xls::read(bytes).map(|grid| sheets::select(grid, Format::Xls))
}

#[cfg(not(feature = "xls"))]
fn read_ole(_: &[u8]) -> Result<Table<'_>, ImportError> {
    Err(ImportError::NotATable(
        "这是旧版 Excel（.xls）或 Word 文件，此处无法读取旧版 Excel；请在 Excel 中另存为 .xlsx 或 CSV 后再试"
            .to_owned(),
    ))
}

#[cfg(feature = "xlsx")]
fn read_zip(bytes: &[u8]) -> Result<Table<'_>, ImportError> {
    xlsx::read(bytes).map(|grid| sheets::select(grid, Format::Xlsx))
}

#[cfg(not(feature = "xlsx"))]
fn read_zip(_: &[u8]) -> Result<Table<'_>, ImportError> {
    Err(ImportError::NotInThisBuild("Excel 工作簿（.xlsx）"))
}

/// An HTML page or bare `<table>`: decoded by its own rule ([`html::encoding`]), its table that
/// holds records (a header by meaning among its first rows) read into a grid.
#[cfg(feature = "html")]
fn read_html(bytes: &[u8]) -> Result<Table<'_>, ImportError> {
    let text = match html::encoding(bytes) {
        Encoding::Gb18030 => decode::gb18030(bytes).0,
        Encoding::Utf8Lossy | Encoding::Utf8 => {
            String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        }
        _ => decode(bytes).0,
    };
    let holds_records = |grid: &Grid, rows: std::ops::Range<usize>| {
        rows.take(crate::columns::HEADER_SEARCH_ROWS)
            .filter_map(|i| grid.row(i))
            .any(|(number, row)| crate::columns::Columns::from_row(number, row).score().is_some())
    };
    let grid = html::read(&text, holds_records)?;
    if !grid.has_text() {
        return Err(ImportError::NotATable("这是网页（HTML），其中没有可读取的表格".to_owned()));
    }
    Ok(Table::Grid { grid, format: Format::Html, sheets: Box::default() })
}

/// Without the HTML reader (the page's first module: its worker then reads the file again with
/// the second), a web page is named rather than misread as delimited text.
#[cfg(not(feature = "html"))]
fn read_html(_: &[u8]) -> Result<Table<'_>, ImportError> {
    Err(ImportError::NotInThisBuild("网页表格（HTML）"))
}

/// Text with NULs or many control characters is not a table someone typed.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample
        .iter()
        .filter(|&&c| (c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{c}')) || c == '\u{fffd}')
        .count();
    sample.contains(&'\0') || control * 10 > sample.len()
}

/// Reads a whole table from pre-split rows (used by tests and by callers that already hold cells).
pub fn table_from_rows<I, R, S>(rows: I) -> Table<'static>
where
    I: IntoIterator<Item = (u32, R)>,
    R: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut grid = Grid::default();
    for (number, cells) in rows {
        let cells: Vec<u32> = cells.into_iter().map(|c| grid.add(&c.into())).collect();
        // Test tables are small: past MAX_CELLS the rest is dropped.
        let _ = grid.push_row(number, &cells);
    }
    Table::Grid { grid, format: Format::Csv, sheets: Box::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_note_is_given_only_when_the_bytes_are_not_what_the_name_says() {
        let note = format_note(Format::Html, "导出.XLS").unwrap();
        assert_eq!(note, "文件名为 .xls，实际是网页表格（HTML），已按网页表格读取");
        assert!(format_note(Format::Tsv, "导出.xlsx").unwrap().contains("制表符分隔的文本"));
        for (format, name) in [
            (Format::Csv, "学时.csv"),
            (Format::Tsv, "学时.csv"),
            (Format::Csv, "学时.txt"),
            (Format::Xls, "学时.et"),
            (Format::Html, "学时.htm"),
            (Format::Html, "学时"),
            (Format::Csv, ""),
            (Format::Xlsx, "学时.dat"),
        ] {
            assert_eq!(format_note(format, name), None, "{format:?} {name}");
        }
    }

    #[test]
    fn the_too_large_message_rounds_as_float_formatting_does() {
        let float = |size: usize| {
            format!(
                "文件过大（{:.1} MB），超过 {} MB 的上限，未读取。请按年度或单位拆分后分批检查",
                size as f64 / f64::from(1u32 << 20),
                MAX_INPUT_BYTES >> 20
            )
        };
        let mb = 1usize << 20;
        // Ties (x.x5 MB exactly) round to even, as `{:.1}` does; and sizes around them.
        let ties = (0..4000).map(|k| (2 * k + 1) * mb / 20).filter(|s| s * 20 % mb == 0);
        let sizes = ties.flat_map(|s| [s - 1, s, s + 1]).chain([0, 1, mb, MAX_INPUT_BYTES + 1, usize::MAX >> 8]);
        for size in sizes.chain((0..100_000).map(|i| i * 7919 + 200 * mb)) {
            assert_eq!(too_large_message(size), float(size), "{size}");
        }
    }
}
