//! Ingest stage: find input files and read them as rows of cells.
//!
//! Inputs are files, directories (every supported file inside, sorted by name) or globs.
//! CSV/TSV/TXT are decoded (UTF-8, UTF-8 with BOM, else GB18030) and their delimiter is
//! detected from the header line; XLSX/XLSM/XLS/ODS are read with calamine (first sheet),
//! keeping typed cells (numbers, dates). Rows are pushed one at a time into a [`RowSink`],
//! so no stage holds a second copy of the raw file. This stage knows nothing of canonical
//! columns: mapping values onto records is the normalize stage's job.

use crate::config::read::{Encoding, ReadOptions};
use crate::error::{io_err, Error, Result};
use crate::util::{sha256, InputFile};
use chrono::NaiveDateTime;
use polars::prelude::DataFrame;
use std::path::{Path, PathBuf};

pub mod mapped;
mod merges;
mod xlsx;
use xlsx::{check_zip, read_workbook, read_xlsx_streaming, SharedBytes};

mod parquet;
use parquet::read_parquet;

mod csv;
use csv::{read_csv, read_csv_streaming, streams};

mod block;
use block::{field, text_bytes};
mod scan;
pub use block::{Block, Split};

/// One cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    /// A date/time-formatted workbook cell.
    DateTime(NaiveDateTime),
    /// A duration-formatted workbook cell, in seconds.
    Duration(f64),
    Bool(bool),
    /// A value a mapping profile could not convert; holds the reason.
    Invalid(&'a str),
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
    /// Render for messages and text fields.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    format!("{n}")
                }
            }
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Duration(s) => format!("{s}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Invalid(why) => why.to_string(),
        }
    }
}

/// Receives a table: its header, then each data row with its row number as a user sees it
/// (spreadsheet row / CSV line, header = 1).
pub trait RowSink {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()>;
    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]);
    /// A data row left out by a mapping profile's row filter `rule`: counted as read and
    /// filtered, never as accepted or rejected.
    fn filtered(&mut self, _row_no: u64, _rule: &str) {}
    /// A workbook's date system, before its header: `true` when its serial numbers count
    /// from 1904-01-01 (a Mac Excel workbook) rather than 1899-12-30.
    fn workbook(&mut self, _date_1904: bool) {}
    /// A whole table already in the sink's normalized form (a file written by `cseval
    /// convert`). Returns `false` when the sink does not take it as such; the file is then
    /// read row by row.
    fn normalized(&mut self, _file: &InputFile, _table: &DataFrame) -> Result<bool> {
        Ok(false)
    }
    /// A block of data rows (see [`Block`]). Sinks that can work on ranges of rows in
    /// parallel override this; the default hands the rows over one at a time.
    fn block(&mut self, block: &Block<'_>) -> Result<()> {
        let mut cells = Vec::new();
        for (i, row) in block.rows().iter().enumerate() {
            cells.clear();
            cells.extend(block.cells(i));
            self.row(*row, &cells);
        }
        Ok(())
    }
}

/// A table's header from one row or from several (a grouped heading above the
/// sub-headings): [`HeaderRows::push`] takes the header rows one by one and gives the names
/// once the last has come. A column's name joins its non-empty cells with `/` (`呼入/开始时间`;
/// a column without a group keeps its sub-heading alone).
pub(crate) struct HeaderRows {
    want: usize,
    rows: Vec<Vec<String>>,
}

impl HeaderRows {
    pub(crate) fn new(opts: &ReadOptions) -> Self {
        HeaderRows {
            want: opts.header_rows.max(1) as usize,
            rows: Vec::new(),
        }
    }

    /// Whether more than one row makes the header.
    pub(crate) fn grouped(&self) -> bool {
        self.want > 1
    }

    pub(crate) fn push(&mut self, row: Vec<String>) -> Option<Vec<String>> {
        self.rows.push(row);
        if self.rows.len() < self.want {
            return None;
        }
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        Some(
            (0..width)
                .map(|i| {
                    let mut parts: Vec<&str> = self
                        .rows
                        .iter()
                        .filter_map(|r| r.get(i).map(|c| c.trim()).filter(|c| !c.is_empty()))
                        .collect();
                    // A heading merged down both rows is one name, not `编号/编号`.
                    parts.dedup();
                    parts.join("/")
                })
                .collect(),
        )
    }
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a third-party parser on untrusted bytes: a panic inside it (an arithmetic overflow
/// on a damaged file, in a build that checks them) becomes an error naming it, instead of
/// ending the run. Only calls into calamine are guarded; a panic in cseval's own code is
/// still an internal error.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    GUARDED.with(|g| g.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    r.map_err(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the parser failed".into());
        format!("the file is damaged ({why})")
    })
}

/// Whether the current thread is inside [`guarded`]: a panic hook stays quiet then (the
/// panic becomes an error that names the file).
pub fn panic_is_guarded() -> bool {
    GUARDED.with(|g| g.get())
}

/// Where a header was read from, added to any error about it: the place (sheet and
/// spreadsheet row, or file line), a word on `header_row` when the row holds a single cell
/// (a title above the table), and a workbook's other sheets (a cover sheet before the data).
pub(crate) fn header_note(e: Error, place: &str, headers: &[String], others: &[String]) -> Error {
    let filled: Vec<&String> = headers.iter().filter(|h| !h.trim().is_empty()).collect();
    let mut e = e.with_note(format!("the column names were read from {place}"));
    if let [only] = filled[..] {
        e = e.with_note(format!(
            "that row holds one cell only (`{}`), a title? set `header_row` in the mapping profile's [source] to the row that holds the column names",
            crate::model::mask_personal(only)
        ));
    }
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|s| format!("`{s}`")).collect();
        e = e.with_note(format!(
            "the workbook's other sheets: {}; name the one to read with `sheet` in the profile's [source]",
            names.join(", ")
        ));
    }
    e
}

const SUPPORTED: &[&str] = &[
    "csv", "tsv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods", "et", "parquet",
];

fn is_supported(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SUPPORTED.contains(&e.to_ascii_lowercase().as_str()))
}

/// Expand files, directories and globs into a sorted, de-duplicated file list.
pub fn expand_paths(specs: &[PathBuf], what: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for spec in specs {
        if spec.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(spec)
                .map_err(|e| io_err(spec, "list the directory", e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_supported(p))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::input(format!(
                    "{}: the directory holds no supported {what} file",
                    spec.display()
                ))
                .with_hint(format!("supported extensions: {}", SUPPORTED.join(", "))));
            }
            out.extend(files);
        } else if spec.is_file() {
            out.push(spec.clone());
        } else {
            let pattern = spec.to_string_lossy();
            let matches: Vec<PathBuf> = glob::glob(&pattern)
                .map_err(|e| Error::usage(format!("{what} `{pattern}`: invalid glob: {e}")))?
                .filter_map(|r| r.ok())
                .filter(|p| p.is_file())
                .collect();
            if matches.is_empty() {
                return Err(
                    Error::input(format!("{what} `{pattern}`: no such file")).with_hint(
                        "pass a file, a directory or a quoted glob such as \"exports/*.csv\"",
                    ),
                );
            }
            out.extend(matches);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(out)
}

/// Read a file into a sink with default options. Returns its fingerprint and row count.
pub fn read_file(path: &Path, sink: &mut dyn RowSink) -> Result<InputFile> {
    read_file_with(path, &ReadOptions::default(), sink)
}

/// Read a file into a sink. Returns its fingerprint and row count.
pub fn read_file_with(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    let size = std::fs::metadata(path)
        .map_err(|e| io_err(path, "read", e))?
        .len();
    if size > opts.limits.max_file_bytes {
        return Err(Error::input(format!(
            "{}: {size} bytes is over the input size limit of {} bytes",
            path.display(),
            opts.limits.max_file_bytes
        ))
        .with_hint("split the export by month, convert it to Parquet, or raise --max-input-mb"));
    }
    if is_delimited(path) && streams(opts) && sniff_file(path)? == Content::Text {
        return read_csv_streaming(path, opts, sink);
    }
    let bytes = std::fs::read(path).map_err(|e| io_err(path, "read", e))?;
    read_bytes(path, bytes, opts, sink)
}

/// A path's extension in lower case ("" without one): it picks the reader.
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether the path names a delimited text file (every extension but the spreadsheet and
/// Parquet ones).
fn is_delimited(path: &Path) -> bool {
    !matches!(
        extension(path).as_str(),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "et" | "parquet"
    )
}

/// Read a file's bytes into a sink; `path` names it in messages and its extension picks
/// the reader. Fuzz targets call this directly.
pub fn read_bytes(
    path: &Path,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    let named = extension(path);
    let content = sniff(&bytes);
    if bytes.is_empty() && !is_delimited(path) {
        return Err(Error::input(format!(
            "{}: the file is empty (0 bytes), not a {named} workbook",
            path.display()
        ))
        .with_hint("the export or the copy did not finish; export the file again"));
    }
    // The reader follows the content, not the name: an old .xls or a WPS .et saved under
    // .xlsx, a workbook named .csv.
    let ext = match content {
        Content::Zip if matches!(named.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") => named.clone(),
        Content::Zip => "xlsx".to_string(),
        Content::Ole => "xls".to_string(),
        Content::Parquet => "parquet".to_string(),
        Content::Text
            if matches!(
                named.as_str(),
                "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "et"
            ) =>
        {
            let page = bytes.trim_ascii_start().starts_with(b"<");
            let head = &bytes[..bytes.len().min(1024)];
            let text = !head.contains(&0) && std::str::from_utf8(head).is_ok();
            let (what, hint) = match (page, text) {
                (true, _) => (
                    "an HTML or XML page (some systems export a web table under a spreadsheet name)",
                    "open it in Excel or WPS and save it as .xlsx",
                ),
                (false, true) => ("text", "if it is a CSV export, rename it to .csv"),
                (false, false) => (
                    "bytes of no spreadsheet format (a damaged or unfinished file?)",
                    "export the file again",
                ),
            };
            return Err(Error::input(format!(
                "{}: not a {named} workbook: the file holds {what}",
                path.display()
            ))
            .with_hint(hint));
        }
        Content::Text => named.clone(),
    };
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") {
        check_zip(path, &bytes, opts.limits)?;
    }
    let mut file = InputFile::new(path);
    match ext.as_str() {
        "xlsx" | "xlsm" => {
            // The fingerprint is taken on another thread, which shares the bytes with the
            // reader, while the sheet is parsed.
            let bytes = SharedBytes(std::sync::Arc::new(bytes));
            let shared = bytes.clone();
            let h = std::thread::spawn(move || sha256(shared.as_ref()));
            read_xlsx_streaming(&mut file, bytes, opts, sink)?;
            file.sha256 = h.join().map_err(|_| {
                Error::runtime(format!("{}: fingerprinting failed", path.display()))
            })?;
        }
        "parquet" => {
            file.sha256 = sha256(&bytes);
            read_parquet(&mut file, bytes, sink)?;
        }
        "xls" | "xlsb" | "ods" => {
            file.sha256 = sha256(&bytes);
            read_workbook(&mut file, bytes, opts, sink).map_err(|e| {
                if named == "et" {
                    e.with_note("a WPS .et workbook: save it as .xlsx in WPS")
                } else {
                    e
                }
            })?;
        }
        _ => {
            // The fingerprint is taken on another thread while the text is parsed.
            let sha = std::thread::scope(|s| {
                let h = s.spawn(|| sha256(&bytes));
                read_csv(&mut file, &bytes, opts, sink)?;
                Ok::<_, Error>(h.join().unwrap_or_else(|_| sha256(&bytes)))
            })?;
            file.sha256 = sha;
        }
    }
    Ok(file)
}

/// What a file holds, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// A zip archive: XLSX, XLSM, ODS.
    Zip,
    /// An OLE2 compound file: XLS, WPS .et.
    Ole,
    Parquet,
    Text,
}

fn sniff(head: &[u8]) -> Content {
    if head.starts_with(b"PK\x03\x04") {
        Content::Zip
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Content::Ole
    } else if head.starts_with(b"PAR1") {
        Content::Parquet
    } else {
        Content::Text
    }
}

fn sniff_file(path: &Path) -> Result<Content> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, "read", e))?;
    let n = f.read(&mut head).map_err(|e| io_err(path, "read", e))?;
    Ok(sniff(&head[..n]))
}

/// Decode bytes: UTF-8 (BOM stripped), else GB18030.
pub fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    decode_as(bytes, Encoding::Auto)
}

fn decode_as(bytes: &[u8], enc: Encoding) -> std::borrow::Cow<'_, str> {
    let stripped = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match enc {
        Encoding::Gb18030 => encoding_rs::GB18030.decode(bytes).0,
        Encoding::Utf8 => String::from_utf8_lossy(stripped),
        Encoding::Auto => match std::str::from_utf8(stripped) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => encoding_rs::GB18030.decode(bytes).0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::block::*;
    use super::csv::*;
    use super::scan::{scan_on, Isa};
    use super::*;

    /// A file refused part-way (a NUL byte after the first piece, with many pieces still to
    /// read) returns its error: the reading thread, blocked on a full channel, is let go
    /// instead of waited for. Run on a thread of its own so that a hang fails the test.
    #[test]
    fn a_file_refused_part_way_returns_instead_of_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        let mut text = String::from("contact_id,channel,arrived_at\n");
        for i in 0..2000 {
            text.push_str(&format!("{i},phone,2026-10-01 09:00:00\n"));
            if i == 50 {
                text.push_str("x\0,phone,2026-10-01 09:00:00\n");
            }
        }
        std::fs::write(&path, text).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sink = crate::normalize::ContactSink::new(
                chrono_tz::Asia::Shanghai,
                crate::normalize::Checks::default(),
            );
            let r = read_file_with(&path, &ReadOptions::default(), &mut sink);
            let _ = tx.send(r.map(|_| ()).map_err(|e| e.message));
        });
        let r = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("no hang");
        assert!(r.unwrap_err().contains("NUL"), "a NUL byte named");
    }

    proptest::proptest! {
        /// The one-pass byte checks agree with the searches they replace, on texts that
        /// cross the 64-byte windows.
        #[test]
        fn text_bytes_agree_with_searches(bytes in proptest::collection::vec(proptest::sample::select(b"\n\n\r\"\0abc,"), 0..200), quote in proptest::sample::select(b"\"'")) {
            let b = &bytes[..];
            let irregular = memchr::memchr(quote, b).is_some()
                || b.starts_with(b"\n")
                || b.starts_with(b"\r")
                || memchr::memmem::find(b, b"\n\n").is_some()
                || memchr::memmem::find(b, b"\n\r\n").is_some()
                || !memchr::memchr_iter(b'\r', b).all(|i| b.get(i + 1) == Some(&b'\n'));
            let want = TextBytes { nul: memchr::memchr(0, b).is_some(), irregular };
            proptest::prop_assert_eq!(text_bytes(b, quote), want);
            for isa in Isa::here() {
                proptest::prop_assert_eq!(scan_on(isa, ByteChecks { b, quote }), want, "{:?}", isa);
            }
        }

        /// Splitting in place gives the cells that `str::split` finds on each line, cut or
        /// padded to the header's width, on lines longer than the 64-byte windows.
        #[test]
        fn blocks_split_long_lines_as_str_split_does(lines in proptest::collection::vec(proptest::collection::vec("[a-z是]{0,40}", 1..12), 1..20), crlf in proptest::bool::ANY, last_break in proptest::bool::ANY) {
            let width = 6;
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.iter().map(|l| format!("x{}", l.join(","))).collect::<Vec<_>>().join(nl);
            if last_break {
                text.push_str(nl);
            }
            // On every instruction set the machine has, and as `Block::new` picks it.
            let blocks = Isa::here().into_iter().map(|isa| {
                let block = scan_on(isa, NewBlock { text: &text, first_line: 2, delim: b',', width });
                let split = scan_on(isa, SplitRows { block: &block, r: 0..block.len() });
                (block, split, format!("{isa:?}"))
            });
            let best = Block::new(&text, 2, b',', width);
            let split = best.split(0..best.len());
            for (block, split, isa) in blocks.chain([(best, split, "best".into())]) {
                proptest::prop_assert_eq!(block.len(), lines.len(), "{}", isa);
                proptest::prop_assert_eq!(block.rows(), (2..2 + lines.len() as u64).collect::<Vec<_>>(), "{}", isa);
                for (i, l) in lines.iter().enumerate() {
                    let line = format!("x{}", l.join(","));
                    let mut want: Vec<&str> = line.split(',').take(width).collect();
                    want.resize(width, "");
                    let got: Vec<&str> = (0..width).map(|j| split.get(i, j).unwrap_or("")).collect();
                    proptest::prop_assert_eq!(got, want, "{} line {}", isa, i);
                }
            }
        }
    }

    #[test]
    fn gb18030_and_bom_are_decoded() {
        let (gb, _, _) = encoding_rs::GB18030.encode("渠道,主题\n电话,运费\n");
        assert_eq!(decode(&gb), "渠道,主题\n电话,运费\n");
        assert_eq!(decode("\u{feff}a,b".as_bytes()), "a,b");
    }

    struct Rows(Vec<u64>);
    impl RowSink for Rows {
        fn header(&mut self, _: &InputFile, _: &[String]) -> Result<()> {
            Ok(())
        }
        fn row(&mut self, row: u64, _: &[Cell<'_>]) {
            self.0.push(row);
        }
    }

    #[test]
    fn row_numbers_are_physical_lines_with_any_line_break() {
        for (text, want) in [
            ("h\r\na\r\nb\r\n", vec![2, 3]),
            ("h\ra\rb", vec![2, 3]),
            ("h\n\"x\ny\"\nb\n", vec![2, 4]),
            ("h\n\na\n", vec![3]),
            ("h\r\n\"q\"\r\n\r\nb\r\n", vec![2, 4]),
            ("h,i\n1,2\n , \n3,4", vec![2, 4]),
        ] {
            for record_reader in [false, true] {
                let opts = ReadOptions {
                    record_reader,
                    ..Default::default()
                };
                let mut rows = Rows(vec![]);
                read_bytes(
                    Path::new("t.csv"),
                    text.as_bytes().to_vec(),
                    &opts,
                    &mut rows,
                )
                .unwrap();
                assert_eq!(rows.0, want, "{text:?} record_reader={record_reader}");
            }
        }
    }

    /// Every row with its cells, as a sink sees them.
    struct Cells(Vec<(u64, Vec<String>)>);
    impl RowSink for Cells {
        fn header(&mut self, _: &InputFile, _: &[String]) -> Result<()> {
            Ok(())
        }
        fn row(&mut self, row: u64, cells: &[Cell<'_>]) {
            self.0
                .push((row, cells.iter().map(|c| c.to_text()).collect()));
        }
    }

    #[test]
    fn streamed_pieces_read_as_the_whole_file_does() {
        let body: String = (0..120).map(|i| format!("C{i},{},x{i}\n", i % 7)).collect();
        let lines: Vec<&str> = body.lines().collect();
        let with = |at: usize, insert: &str| {
            let mut l = lines.clone();
            l.insert(at, insert);
            format!("id,n,t\n{}\n", l.join("\n"))
        };
        for text in [
            format!("id,n,t\n{body}"),
            format!("\u{feff}id,n,t\r\n{}", body.replace('\n', "\r\n")),
            with(90, "C900,1,\"two\nlines\""),
            with(70, ""),
            with(80, "C800,2,x,extra"),
            // A line longer than a block, in the middle of the file.
            with(60, &format!("C600,3,{}", "y".repeat(3 * BLOCK_BYTES))),
            format!("id,n,t\n{}", body.trim_end()),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            std::fs::write(&path, &text).unwrap();
            let mut streamed = Cells(vec![]);
            let f = read_file_with(&path, &ReadOptions::default(), &mut streamed)
                .and_then(|f| f.settled())
                .unwrap();
            let mut whole = Cells(vec![]);
            let opts = ReadOptions {
                record_reader: true,
                ..Default::default()
            };
            let g = read_file_with(&path, &opts, &mut whole).unwrap();
            assert_eq!(streamed.0, whole.0, "{text:?}");
            assert_eq!(f.rows, g.rows);
            assert_eq!(f.sha256, sha256(text.as_bytes()));
            assert_eq!(f.sha256, g.sha256);
            assert!(streamed.0.len() >= 120);
        }
    }

    /// Bad bytes in a later piece of a streamed file (pieces of about `BLOCK_BYTES` = 100
    /// bytes in tests, of whole lines): refused, naming the line the bad piece starts on;
    /// a NUL byte there is refused too. Lines 2-101 are `C000,0000` to `C099,0099` (10
    /// bytes each), the bad line is 102. The reading thread reads 100 bytes at a time and
    /// cuts each piece after its last line break, carrying the rest over: the header (5
    /// bytes) and lines 2-10 (90 bytes) make the first piece, lines 11-20 the next (5
    /// carried + 95 read), and so on: the piece of lines 101-102 is the bad one, its byte
    /// 11 the first bad byte (line 101's 10 bytes, then `C`).
    #[test]
    fn text_that_stops_being_utf8_is_refused_with_its_line() {
        let text = |bad: &[u8]| {
            let mut text: Vec<u8> = b"id,n\n".to_vec();
            for i in 0..100 {
                text.extend_from_slice(format!("C{i:03},{i:04}\n").as_bytes());
            }
            text.extend_from_slice(bad);
            text
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let read = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            read_file_with(&path, &ReadOptions::default(), &mut Cells(vec![]))
                .unwrap_err()
                .to_string()
        };
        let err = read(&text(b"C\xff00,0001\n"));
        assert!(
            err.contains("not UTF-8")
                && err.contains("from line 101: the text is not UTF-8 (byte 11 "),
            "{err}"
        );
        let err = read(&text(b"C\x0000,0001\n"));
        assert!(err.contains("t.csv") && err.contains("NUL"), "{err}");
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("a,b"), b',');
        assert_eq!(detect_delimiter("single"), b',');
    }
}
