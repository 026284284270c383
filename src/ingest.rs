//! Ingest stage: find input files and read them as rows of cells.
//!
//! Inputs are files, directories (every supported file inside, sorted by name) or globs.
//! CSV/TSV/TXT are decoded (UTF-8, UTF-8 with BOM, else GB18030) and their delimiter is
//! detected from the header line; XLSX/XLSM/XLS/ODS are read with calamine (first sheet),
//! keeping typed cells (numbers, dates). Rows are pushed one at a time into a [`RowSink`],
//! so no stage holds a second copy of the raw file. This stage knows nothing of canonical
//! columns: mapping values onto records is the normalize stage's job.

use crate::error::{io_err, Error, Result};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use chrono::NaiveDateTime;
use polars::prelude::DataFrame;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

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

/// Whole lines of a CSV without quote characters, none of them blank, split in place: no
/// cell is copied. Row `i` is file line `rows()[i]`; its cells are what lies between the
/// delimiters, as the record reader hands them over ([`Block::cells`]); a range of rows
/// split at once ([`Block::split`]) has the header's width of them (missing cells empty,
/// cells beyond the header's left out).
pub struct Block<'t> {
    text: &'t str,
    delim: u8,
    width: usize,
    /// Where each row's line starts in `text`, then where the text ends.
    starts: Vec<usize>,
    rows: Vec<u64>,
    lines: u64,
}

impl<'t> Block<'t> {
    /// The rows of `text` (whole lines, the first being line `first_line`) whose cells are
    /// not all blank.
    fn new(text: &'t str, first_line: u64, delim: u8, width: usize) -> Self {
        let b = text.as_bytes();
        let mut starts = Vec::with_capacity(b.len() / 64);
        let mut rows = Vec::with_capacity(b.len() / 64);
        let mut line = first_line;
        let mut at = 0;
        // The line from `at` to `end` (past its line break, if it has one).
        let mut take = |end: usize| {
            if end == at {
                return;
            }
            // A line is blank when every cell is: the common line has a visible first byte.
            let first = b[at];
            let visible = first > b' ' && first < 0x80 && first != delim;
            if visible || !line_is_blank(&text[at..end], delim) {
                starts.push(at);
                rows.push(line);
            }
            line += 1;
            at = end;
        };
        // The line breaks 64 bytes at a time, as bits.
        each_window(b, |offset, window, valid| {
            let mut bits = bytes_of(window, [b'\n']) & valid;
            while bits != 0 {
                take(offset + bits.trailing_zeros() as usize + 1);
                bits &= bits - 1;
            }
        });
        take(b.len());
        // The end of the text closes the last row (each row ends at its own line break).
        starts.push(b.len());
        Block {
            text,
            delim,
            width,
            starts,
            rows,
            lines: line - first_line,
        }
    }

    /// Lines in the block's text, blank ones included.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Rows in the block.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Cells per row (the header's width).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The file line of each row.
    pub fn rows(&self) -> &[u64] {
        &self.rows
    }

    /// Where row `i`'s line starts and ends (before its line break).
    fn line(&self, i: usize) -> (usize, usize) {
        let b = self.text.as_bytes();
        let start = self.starts[i];
        let mut end = memchr::memchr(b'\n', &b[start..self.starts[i + 1]])
            .map_or(self.starts[i + 1], |k| start + k);
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// Every cell of row `i`, as many as its line has.
    pub fn cells(&self, i: usize) -> impl Iterator<Item = Cell<'t>> + 't {
        let (start, end) = self.line(i);
        let text: &'t str = self.text;
        text[start..end].split(self.delim as char).map(field)
    }

    /// The cells of rows `r`, split.
    pub fn split(&self, r: std::ops::Range<usize>) -> Split<'t> {
        let b = self.text.as_bytes();
        let w = self.width;
        let mut bounds = Vec::with_capacity(r.len() * w);
        for i in r.clone() {
            // The delimiters and the line break of the line 64 bytes at a time, as bits
            // ([`separators`]), stopping at the header's width of cells or the line break.
            let (start, limit) = (self.starts[i], self.starts[i + 1]);
            let (mut from, mut k, mut cells) = (start, limit, 0);
            let mut at64 = start;
            'line: while at64 < limit {
                let mut bits = match b.get(at64..at64 + 64) {
                    Some(window) => separators(window.try_into().expect("64 bytes"), self.delim),
                    None => {
                        let mut pad = [0u8; 64];
                        pad[..b.len() - at64].copy_from_slice(&b[at64..]);
                        separators(&pad, self.delim)
                    }
                };
                if limit - at64 < 64 {
                    bits &= (1u64 << (limit - at64)) - 1;
                }
                while bits != 0 {
                    let at = at64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if b[at] == b'\n' {
                        k = at;
                        break 'line;
                    }
                    bounds.push((from as u32, at as u32));
                    from = at + 1;
                    cells += 1;
                    if cells == w {
                        k = at;
                        break 'line;
                    }
                }
                at64 += 64;
            }
            if cells < w {
                let end = if k > from && b[k - 1] == b'\r' {
                    k - 1
                } else {
                    k
                };
                bounds.push((from as u32, end as u32));
                cells += 1;
            }
            bounds.extend(std::iter::repeat_n((0, 0), w - cells));
        }
        Split {
            text: self.text,
            width: w,
            bounds,
        }
    }
}

/// Bit `i` set where byte `i` of `bytes` is the delimiter or a line break.
#[inline]
fn separators(bytes: &[u8; 64], delim: u8) -> u64 {
    bytes_of(bytes, [delim, b'\n'])
}

/// Bit `i` set where byte `i` of `bytes` is one of `of`: SSE2 (part of every x86-64)
/// compares 16 bytes at a time; other targets take [`bytes_of_scalar`]. Against a
/// `memchr2` search stopping at each cell, this halves the splitting time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
    use std::arch::x86_64::*;
    // SAFETY: every x86-64 processor has SSE2 (the target's baseline), and each unaligned
    // load reads bytes 16k..16k+16 of the 64-byte array.
    unsafe {
        let mut bits = 0u64;
        for k in 0..4 {
            let v = _mm_loadu_si128(bytes.as_ptr().add(16 * k) as *const __m128i);
            let mut hit = _mm_setzero_si128();
            for c in of {
                hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
            }
            bits |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
        }
        bits
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
    bytes_of_scalar(bytes, &of)
}

/// [`bytes_of`] byte by byte.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn bytes_of_scalar(bytes: &[u8; 64], of: &[u8]) -> u64 {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, c)| of.contains(c))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// Call `f(offset, window, valid)` on each 64 bytes of `b` from `offset`; the last window
/// is padded with zero bytes, and `valid` has a bit set for each byte of `b` it holds.
#[inline(always)]
fn each_window(b: &[u8], mut f: impl FnMut(usize, &[u8; 64], u64)) {
    let mut chunks = b.chunks_exact(64);
    for (k, window) in chunks.by_ref().enumerate() {
        f(64 * k, window.try_into().expect("64 bytes"), u64::MAX);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut pad = [0u8; 64];
        pad[..tail.len()].copy_from_slice(tail);
        f(b.len() - tail.len(), &pad, (1u64 << tail.len()) - 1);
    }
}

/// What a look at every byte of a text finds before it is split in blocks.
#[derive(Debug, PartialEq)]
struct TextBytes {
    /// A NUL byte: no text export ([`check_text`]).
    nul: bool,
    /// A quote character, a carriage return not before a line feed or an empty line (at
    /// the start too): the block reader cannot take the text ([`blocks_apply`]).
    irregular: bool,
}

/// [`TextBytes`] of `b` in one pass, 64 bytes at a time as bits, where the checks one by
/// one took five searches.
fn text_bytes(b: &[u8], quote: u8) -> TextBytes {
    let (mut nul, mut irregular) = (false, false);
    // Bit 63: the last byte of the window before. The text starts after a line break.
    let (mut prev_lf, mut prev_cr) = (1u64 << 63, 0u64);
    each_window(b, |_, window, valid| {
        let lf = bytes_of(window, [b'\n']);
        let mut cr = 0;
        if bytes_of(window, [b'\r', 0, quote]) & valid != 0 {
            cr = bytes_of(window, [b'\r']) & valid;
            nul |= bytes_of(window, [0]) & valid != 0;
            irregular |= bytes_of(window, [quote]) & valid != 0;
        }
        let lf_before = (lf << 1) | (prev_lf >> 63);
        let lf_two_before = (lf << 2) | (prev_lf >> 62);
        let cr_before = (cr << 1) | (prev_cr >> 63);
        // "\n\n" and "\n\r\n" end here, or a carriage return before is not before a line
        // feed (one at the window's last byte is looked at in the next window).
        irregular |= lf & lf_before != 0
            || lf & cr_before & lf_two_before != 0
            || cr_before & !lf & valid != 0;
        (prev_lf, prev_cr) = (lf, cr);
    });
    TextBytes {
        nul,
        irregular: irregular || b.last() == Some(&b'\r'),
    }
}

/// A delimited file's field as a cell: empty, or its text.
fn field(f: &str) -> Cell<'_> {
    if f.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(f)
    }
}

/// Whether every cell of a line is blank.
fn line_is_blank(line: &str, delim: u8) -> bool {
    line.split(delim as char).all(|c| c.trim().is_empty())
}

/// The cells of a range of a [`Block`]'s rows.
pub struct Split<'t> {
    text: &'t str,
    width: usize,
    /// `(start, end)` in the block's text of each cell, row after row.
    bounds: Vec<(u32, u32)>,
}

impl<'t> Split<'t> {
    /// Cell `j` of row `i` (counted from the range's start); `None` when empty.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> Option<&'t str> {
        let (s, e) = self.bounds[i * self.width + j];
        // The bounds are line starts and ends and ASCII delimiters: character boundaries.
        (s < e).then(|| &self.text[s as usize..e as usize])
    }

    /// Fill `cells` (the header's width of them) with row `i`'s.
    pub fn fill(&self, i: usize, cells: &mut [Cell<'t>]) {
        for (j, c) in cells.iter_mut().enumerate() {
            *c = self.get(i, j).map_or(Cell::Empty, Cell::Text);
        }
    }
}

/// An input file with its fingerprint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputFile {
    pub path: PathBuf,
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
}

const SUPPORTED: &[&str] = &[
    "csv", "tsv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods", "parquet",
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

/// Text encoding of a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    #[serde(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

/// Resource limits, so that a bad file cannot exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input file read, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size a workbook (a zip archive) may declare.
    pub max_uncompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 << 30,
            max_uncompressed_bytes: 8 << 30,
        }
    }
}

/// How to read one file: which sheet, which row holds the header, delimiter and encoding.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    /// 1-based row (spreadsheet row or CSV record) holding the header; default: the first.
    pub header_row: Option<u64>,
    pub delimiter: Option<u8>,
    /// Quote character of a delimited file (default `"`).
    pub quote: Option<u8>,
    pub encoding: Encoding,
    pub limits: Limits,
    /// Read CSV record by record even where the block reader applies (tests compare the
    /// two readers).
    pub record_reader: bool,
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
    if is_delimited(path) && streams(opts) {
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
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "parquet"
    )
}

/// Whether a delimited file may be read piece by piece: its header is the first line and
/// its text is UTF-8 (a GB18030 file is decoded whole).
fn streams(opts: &ReadOptions) -> bool {
    !opts.record_reader && opts.header_row.unwrap_or(1) <= 1 && opts.encoding != Encoding::Gb18030
}

/// What the reading thread of [`read_csv_streaming`] hands over.
enum Piece {
    /// Bytes of the file ending at a line break (the last piece: at the end of the file).
    Lines(Vec<u8>),
    /// The whole file's sha256, after the last piece.
    Done(String),
}

/// Read a delimited file in pieces of about [`BLOCK_BYTES`] whole lines, so that neither
/// the file nor its text is ever held whole: a thread reads and fingerprints the file
/// while the pieces already read are parsed. A piece the block reader cannot take (quotes,
/// blank lines, bare carriage returns) sends the rest of the file through the record
/// reader; a file whose start is not UTF-8 is read whole and decoded as before.
fn read_csv_streaming(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, "read", e))?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Piece>>(1);
    // Pieces done with come back to be filled again: the same few buffers carry the whole
    // file, instead of fresh memory (which the kernel must zero) for every piece.
    let (back, returned) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut hasher = Sha256::new();
            let mut carry: Vec<u8> = Vec::new();
            loop {
                let mut buf = returned.try_recv().unwrap_or_default();
                buf.clear();
                // Room for a block, the last read and a carried line of up to a megabyte
                // at once: a buffer that comes back is then filled again where it is,
                // not moved to fresh memory because this piece's carry is a little longer.
                buf.reserve((BLOCK_BYTES + carry.len()).max(BLOCK_BYTES + (1 << 20)) + (1 << 20));
                buf.append(&mut carry);
                let mut eof = false;
                let mut line_break = false;
                // Fill to the block size, then on to a line break.
                loop {
                    let start = buf.len();
                    let n = match (&mut f)
                        .take((1 << 20).min(BLOCK_BYTES) as u64)
                        .read_to_end(&mut buf)
                    {
                        Ok(n) => n,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    };
                    hasher.update(&buf[start..]);
                    if n == 0 {
                        eof = true;
                        break;
                    }
                    line_break = line_break || memchr::memchr(b'\n', &buf[start..]).is_some();
                    if buf.len() >= BLOCK_BYTES && line_break {
                        break;
                    }
                }
                if !eof {
                    let cut = memchr::memrchr(b'\n', &buf).map_or(buf.len(), |i| i + 1);
                    carry = buf.split_off(cut);
                }
                if !buf.is_empty() && tx.send(Ok(Piece::Lines(buf))).is_err() {
                    return;
                }
                if eof {
                    let _ = tx.send(Ok(Piece::Done(format!("{:x}", hasher.finalize()))));
                    return;
                }
            }
        });
        let mut file = InputFile {
            path: path.to_path_buf(),
            sha256: String::new(),
            rows: 0,
        };
        let read_err = |e: std::io::Error| io_err(path, "read", e);
        let mut next = || -> Result<Piece> {
            match rx.recv() {
                Ok(r) => r.map_err(read_err),
                Err(_) => Err(Error::runtime(format!(
                    "{}: the reading thread stopped",
                    path.display()
                ))),
            }
        };
        // The rest of the file in one buffer (after `head`), and its fingerprint.
        let rest =
            |head: Vec<u8>, next: &mut dyn FnMut() -> Result<Piece>| -> Result<(Vec<u8>, String)> {
                let mut all = head;
                loop {
                    match next()? {
                        Piece::Lines(b) => all.extend_from_slice(&b),
                        Piece::Done(sha) => return Ok((all, sha)),
                    }
                }
            };
        let first = match next()? {
            Piece::Lines(b) => b,
            Piece::Done(sha) => {
                // An empty file: the whole-text reader says so.
                file.sha256 = sha;
                read_csv(&mut file, b"", opts, sink)?;
                return Ok(file);
            }
        };
        let stripped = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first);
        let utf8 = std::str::from_utf8(stripped).is_ok();
        if (!utf8 && opts.encoding == Encoding::Auto)
            || !blocks_apply(&decode_as(&first, opts.encoding), opts)
        {
            let (all, sha) = rest(first, &mut next)?;
            read_csv(&mut file, &all, opts, sink)?;
            file.sha256 = sha;
            return Ok(file);
        }
        let text = decode_as(&first, opts.encoding);
        check_text(&file, &text)?;
        let delim = opts.delimiter.unwrap_or_else(|| detect_delimiter(&text));
        let mut blocks = CsvBlocks::start(&mut file, &text, delim, sink)?;
        let rest_text = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
        blocks.lines(&mut file, rest_text, sink)?;
        drop(text);
        loop {
            let piece = match next()? {
                Piece::Lines(b) => b,
                Piece::Done(sha) => {
                    file.sha256 = sha;
                    return Ok(file);
                }
            };
            // SIMD validation for the common case; std's names where a bad byte is.
            let text = match simdutf8::basic::from_utf8(&piece)
                .or_else(|_| std::str::from_utf8(&piece))
            {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) if opts.encoding == Encoding::Utf8 => String::from_utf8_lossy(&piece),
                Err(e) => {
                    return Err(Error::input(format!(
                        "{}: from line {}: the text is not UTF-8 (byte {} of that part), though the start of the file is",
                        path.display(),
                        blocks.line,
                        e.valid_up_to()
                    ))
                    .with_hint("export the whole file in one encoding (UTF-8, or GB18030 with --encoding gb18030)"));
                }
            };
            // One pass over the bytes for both the checks of `check_text` and `blocks_apply`.
            let bytes = text_bytes(text.as_bytes(), quote_of(opts));
            if bytes.nul {
                return Err(nul_error(&file));
            }
            if block_options(opts) && !bytes.irregular {
                blocks.lines(&mut file, &text, sink)?;
                drop(text);
                let _ = back.send(piece);
            } else {
                // Quotes or blank lines from here on: the record reader takes the rest.
                drop(text);
                let (all, sha) = rest(piece, &mut next)?;
                let all = String::from_utf8(all)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                read_records(
                    &mut file,
                    &all,
                    blocks.line,
                    delim,
                    opts.quote.or(Some(b'"')),
                    sink,
                )?;
                file.sha256 = sha;
                return Ok(file);
            }
        }
    })
}

/// Refuse text that is no export: a NUL byte anywhere.
fn check_text(file: &InputFile, text: &str) -> Result<()> {
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return Err(nul_error(file));
    }
    Ok(())
}

fn nul_error(file: &InputFile) -> Error {
    Error::input(format!(
        "{}: the file contains NUL bytes: it is not a text export",
        file.path.display()
    ))
}

/// Read a file's bytes into a sink; `path` names it in messages and its extension picks
/// the reader. Fuzz targets call this directly.
pub fn read_bytes(
    path: &Path,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    let ext = extension(path);
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") {
        check_zip(path, &bytes, opts.limits)?;
    }
    let mut file = InputFile {
        path: path.to_path_buf(),
        sha256: String::new(),
        rows: 0,
    };
    let digest = |b: &[u8]| format!("{:x}", Sha256::digest(b));
    match ext.as_str() {
        "xlsx" | "xlsm" => {
            // The fingerprint is taken on another thread, which shares the bytes with the
            // reader, while the sheet is parsed.
            let bytes = SharedBytes(std::sync::Arc::new(bytes));
            let shared = bytes.clone();
            let h = std::thread::spawn(move || digest(shared.as_ref()));
            read_xlsx_streaming(&mut file, bytes, opts, sink)?;
            file.sha256 = h.join().map_err(|_| {
                Error::runtime(format!("{}: fingerprinting failed", path.display()))
            })?;
        }
        "parquet" => {
            file.sha256 = digest(&bytes);
            read_parquet(&mut file, bytes, sink)?;
        }
        "xls" | "xlsb" | "ods" => {
            file.sha256 = digest(&bytes);
            read_workbook(&mut file, bytes, opts, sink)?;
        }
        _ => {
            // The fingerprint is taken on another thread while the text is parsed.
            let sha = std::thread::scope(|s| {
                let h = s.spawn(|| digest(&bytes));
                read_csv(&mut file, &bytes, opts, sink)?;
                Ok::<_, Error>(h.join().unwrap_or_else(|_| digest(&bytes)))
            })?;
            file.sha256 = sha;
        }
    }
    Ok(file)
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

fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    [b',', b'\t', b';', b'|']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .filter(|d| first.bytes().any(|b| b == *d))
        .unwrap_or(b',')
}

fn read_csv(
    file: &mut InputFile,
    bytes: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let text = decode_as(bytes, opts.encoding);
    if text.trim().is_empty() {
        return Err(
            Error::input(format!("{}: the file is empty", file.path.display()))
                .with_hint("expected a header row and data rows"),
        );
    }
    check_text(file, &text)?;
    let delim = opts.delimiter.unwrap_or_else(|| detect_delimiter(&text));
    if !opts.record_reader && blocks_apply(&text, opts) {
        let mut blocks = CsvBlocks::start(file, &text, delim, sink)?;
        let rest = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
        return blocks.lines(file, rest, sink);
    }
    let header_row = opts.header_row.unwrap_or(1).max(1);
    let mut record_no = 0u64;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .quote(opts.quote.unwrap_or(b'"'))
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut header_seen = false;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(Error::input(format!(
                    "{}: line {line}: cannot parse CSV: {e}",
                    file.path.display()
                ))
                .with_hint("check for a quote left open or a wrong delimiter"));
            }
        }
        let line = lines.line_of(record.position().map_or(0, |p| p.byte()));
        record_no += 1;
        if record_no < header_row {
            continue;
        }
        if !header_seen {
            let headers: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
            sink.header(file, &headers)?;
            header_seen = true;
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cells: Vec<Cell> = record.iter().map(field).collect();
        file.rows += 1;
        sink.row(line, &cells);
    }
    if !header_seen {
        return Err(Error::input(format!(
            "{}: no header row",
            file.path.display()
        )));
    }
    Ok(())
}

/// Whether a decoded CSV reads the same split in place ([`Block`]) as through the csv
/// crate: the header is on the first line, the delimiter is ASCII, there is no quote
/// character (so no quoted delimiter or line break), no bare carriage return and no blank
/// line, so that data row `i` is line `i + 2`. Other files take the record-by-record reader.
fn blocks_apply(text: &str, opts: &ReadOptions) -> bool {
    block_options(opts) && !text_bytes(text.as_bytes(), quote_of(opts)).irregular
}

/// The options [`blocks_apply`] needs.
fn block_options(opts: &ReadOptions) -> bool {
    opts.header_row.unwrap_or(1) <= 1 && opts.delimiter.is_none_or(|d| d.is_ascii())
}

fn quote_of(opts: &ReadOptions) -> u8 {
    opts.quote.unwrap_or(b'"')
}

/// Bytes of CSV text read and split at a time: bounds the memory of the file's text and of
/// the cell bounds. Unit tests use tiny blocks to cross many boundaries.
#[cfg(not(test))]
const BLOCK_BYTES: usize = 16 << 20;
#[cfg(test)]
const BLOCK_BYTES: usize = 100;

/// Reads a CSV that [`blocks_apply`] accepts in blocks of whole lines, each split in place
/// ([`Block`]) and passed to the sink's [`RowSink::block`]. Rows whose cells are all blank
/// are skipped, as the record reader skips them.
struct CsvBlocks {
    delim: u8,
    width: usize,
    /// Line number of the next line.
    line: u64,
}

impl CsvBlocks {
    /// Read the header (the first line of `text`) into the sink.
    fn start(
        file: &mut InputFile,
        text: &str,
        delim: u8,
        sink: &mut dyn RowSink,
    ) -> Result<CsvBlocks> {
        let header_line = text.split('\n').next().unwrap_or("");
        let headers: Vec<String> = header_line
            .split(delim as char)
            .map(|h| h.trim().to_string())
            .collect();
        sink.header(file, &headers)?;
        Ok(CsvBlocks {
            delim,
            width: headers.len(),
            line: 2,
        })
    }

    /// Read whole data lines (the next lines of the file) into the sink, a block at a time.
    fn lines(&mut self, file: &mut InputFile, text: &str, sink: &mut dyn RowSink) -> Result<()> {
        let mut rest = text;
        while !rest.is_empty() {
            let cut = if rest.len() <= BLOCK_BYTES {
                rest.len()
            } else {
                memchr::memchr(b'\n', &rest.as_bytes()[BLOCK_BYTES..])
                    .map_or(rest.len(), |i| BLOCK_BYTES + i + 1)
            };
            let (chunk, tail) = rest.split_at(cut);
            rest = tail;
            if chunk.len() > u32::MAX as usize {
                // A line of gigabytes: beyond the cell bounds a block keeps.
                read_records(file, chunk, self.line, self.delim, None, sink)?;
                self.line += memchr::memchr_iter(b'\n', chunk.as_bytes()).count() as u64
                    + u64::from(!chunk.ends_with('\n'));
                continue;
            }
            let t = std::time::Instant::now();
            let block = Block::new(chunk, self.line, self.delim, self.width);
            self.line += block.lines();
            file.rows += block.len() as u64;
            let split_at = t.elapsed().as_secs_f64();
            sink.block(&block)?;
            tracing::debug!(
                lines = split_at,
                check = t.elapsed().as_secs_f64() - split_at,
                rows = block.len(),
                peak_mb = crate::kpi::peak_rss_mb(),
                "block"
            );
        }
        Ok(())
    }
}

/// Data rows of a line-aligned piece of a CSV, record by record; its first line is line
/// `first_line` of the file. `quote`: the quote character, if the piece may hold quotes.
fn read_records(
    file: &mut InputFile,
    chunk: &str,
    first_line: u64,
    delim: u8,
    quote: Option<u8>,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .quoting(quote.is_some())
        .quote(quote.unwrap_or(b'"'))
        .flexible(true)
        .has_headers(false)
        .from_reader(chunk.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(chunk.as_bytes());
    while rdr.read_record(&mut record).map_err(|e| {
        Error::input(format!(
            "{}: line {first_line}+: cannot parse CSV: {e}",
            file.path.display()
        ))
    })? {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = first_line + lines.line_of(record.position().map_or(0, |p| p.byte())) - 1;
        let cells: Vec<Cell> = record.iter().map(field).collect();
        file.rows += 1;
        sink.row(line, &cells);
    }
    Ok(())
}

/// Line numbers of records from their byte offsets. The csv crate's own line count lags
/// on CRLF files (the `\n` of a `\r\n` is counted with the next record); here a record's
/// line is the line of its first byte after any line breaks, counted incrementally.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at byte `start` (offsets only increase).
    fn line_of(&mut self, start: u64) -> u64 {
        let mut b = (start as usize).min(self.text.len());
        while b < self.text.len() && matches!(self.text[b], b'\r' | b'\n') {
            b += 1;
        }
        if b > self.at {
            // A line ends at `\n`, or at a `\r` not followed by `\n` (old Mac files).
            let t = self.text;
            self.line += memchr::memchr2_iter(b'\n', b'\r', &t[self.at..b])
                .filter(|&i| t[self.at + i] == b'\n' || t.get(self.at + i + 1) != Some(&b'\n'))
                .count() as u64;
            self.at = b;
        }
        self.line
    }
}

/// Refuse a workbook whose zip entries declare more uncompressed data than the limit (a zip
/// bomb), before any of it is inflated.
fn check_zip(path: &Path, bytes: &[u8], limits: Limits) -> Result<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| {
            Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
                .with_hint("the file may be damaged; re-export it")
        })?;
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_uncompressed_bytes {
        return Err(Error::input(format!(
            "{}: the workbook declares {total} bytes uncompressed, over the limit of {} bytes (a zip bomb?)",
            path.display(),
            limits.max_uncompressed_bytes
        ))
        .with_hint("re-export the sheet as CSV, or raise --max-uncompressed-mb if the file is genuine"));
    }
    Ok(())
}

/// The sheet to read: the one the options name, else the first.
fn pick_sheet(path: &Path, names: &[String], opts: &ReadOptions) -> Result<String> {
    match &opts.sheet {
        Some(want) => names.iter().find(|n| *n == want).cloned().ok_or_else(|| {
            Error::input(format!("{}: no sheet `{want}`", path.display()))
                .with_hint(format!("the workbook's sheets: {}", names.join(", ")))
        }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::input(format!("{}: the workbook has no sheet", path.display()))),
    }
}

/// Convert one workbook value to a cell (shared by the dense and the streaming readers).
fn excel_cell<'a>(v: &'a calamine::DataRef<'a>) -> Cell<'a> {
    use calamine::DataRef as D;
    match v {
        D::Empty | D::Error(_) => Cell::Empty,
        D::String(s) | D::DateTimeIso(s) | D::DurationIso(s) => Cell::Text(s.as_str()),
        D::SharedString(s) => Cell::Text(s),
        D::Int(i) => Cell::Number(*i as f64),
        D::Float(f) => Cell::Number(*f),
        D::Bool(b) => Cell::Bool(*b),
        D::DateTime(dt) => excel_datetime(dt),
    }
}

fn excel_datetime<'a>(dt: &calamine::ExcelDateTime) -> Cell<'a> {
    // A pure time of day (value below one day) is kept as seconds: it is either a duration
    // stored as a time (talk time) or the time half of a date + time.
    if dt.is_duration() || dt.as_f64() < 1.0 {
        Cell::Duration(dt.as_f64() * 86_400.0)
    } else {
        match dt.as_datetime() {
            Some(t) => Cell::DateTime(t),
            None => Cell::Number(dt.as_f64()),
        }
    }
}

/// A file's bytes shared between the reader and the fingerprinting thread.
#[derive(Clone)]
struct SharedBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// XLSX/XLSM with calamine's streaming cell reader: cells arrive row by row and no dense
/// range is allocated, so a sheet whose used area is declared (or padded) to a million rows
/// by 16,384 columns costs only the cells it really holds.
fn read_xlsx_streaming(
    file: &mut InputFile,
    bytes: SharedBytes,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    use calamine::{DataRef, Xlsx};
    let path = file.path.clone();
    let bad = |e: &dyn std::fmt::Display| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    };
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let sheet = pick_sheet(&path, &wb.sheet_names(), opts)?;
    let mut reader = wb.worksheet_cells_reader(&sheet).map_err(|e| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    })?;
    let header_row = opts.header_row.unwrap_or(0);
    let mut header_seen = false;
    let mut current: Option<u32> = None;
    let mut row_vals: Vec<(u32, DataRef)> = Vec::new();
    let mut flush =
        |row: u32, vals: &mut Vec<(u32, DataRef)>, header_seen: &mut bool| -> Result<()> {
            let width = vals.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut cells: Vec<Cell> = vec![Cell::Empty; width];
            for (c, v) in vals.iter() {
                cells[*c as usize] = excel_cell(v);
            }
            let user_row = row as u64 + 1;
            let blank = cells.iter().all(|c| c.is_empty());
            if !*header_seen {
                if user_row >= header_row && !blank {
                    let headers: Vec<String> = cells.iter().map(|c| c.to_text()).collect();
                    sink.header(file, &headers)?;
                    *header_seen = true;
                }
            } else if !blank {
                file.rows += 1;
                sink.row(user_row, &cells);
            }
            vals.clear();
            Ok(())
        };
    // calamine parses the sheet on a second thread while this one checks the rows it has
    // already parsed: the sheet's XML is read once, and the checks cost no extra time as
    // long as they keep up with the parsing.
    type Batch<'a> = std::result::Result<Vec<(u32, u32, DataRef<'a>)>, String>;
    const BATCH: usize = 1 << 16;
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
        // Emptied batches go back to the parsing thread, so that no batch is allocated
        // (and its pages faulted in) more than once.
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<(u32, u32, DataRef<'_>)>>();
        scope.spawn(move || {
            let fresh = || {
                back_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH))
            };
            let mut batch = fresh();
            loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => {
                        let (r, c) = cell.get_position();
                        let v = cell.get_value().clone();
                        if !matches!(v, DataRef::Empty) {
                            batch.push((r, c, v));
                        }
                        if batch.len() >= BATCH {
                            let full = std::mem::replace(&mut batch, fresh());
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(None) => {
                        let _ = tx.send(Ok(batch));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                }
            }
        });
        for batch in rx {
            let batch = batch.map_err(|e| {
                Error::input(format!(
                    "{}: sheet `{sheet}`: cannot read: {e}",
                    path.display()
                ))
            })?;
            let mut batch = batch;
            for (r, c, v) in batch.drain(..) {
                if current.is_some_and(|cur| cur != r) {
                    flush(current.unwrap_or(0), &mut row_vals, &mut header_seen)?;
                }
                current = Some(r);
                row_vals.push((c, v));
            }
            let _ = back_tx.send(batch);
        }
        Ok(())
    })?;
    if let Some(cur) = current {
        flush(cur, &mut row_vals, &mut header_seen)?;
    }
    if !header_seen {
        return Err(
            Error::input(format!("{}: sheet `{sheet}` is empty", path.display()))
                .with_hint("expected a header row and data rows"),
        );
    }
    Ok(())
}

/// Parquet (through Polars): string, number and boolean columns become cells; other types
/// are passed on as their text.
fn read_parquet(file: &mut InputFile, bytes: Vec<u8>, sink: &mut dyn RowSink) -> Result<()> {
    use polars::prelude::{AnyValue, ParquetReader, SerReader};
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| {
            Error::input(format!("{}: cannot read Parquet: {e}", file.path.display()))
                .with_hint("the file may be damaged or not really Parquet")
        })?;
    if sink.normalized(file, &df)? {
        file.rows = df.height() as u64;
        return Ok(());
    }
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    sink.header(file, &headers)?;
    let columns = df.columns();
    let mut owned: Vec<Option<String>> = vec![None; columns.len()];
    for i in 0..df.height() {
        let values: Vec<AnyValue> = columns
            .iter()
            .map(|c| c.get(i).unwrap_or(AnyValue::Null))
            .collect();
        for (o, v) in owned.iter_mut().zip(&values) {
            *o = match v {
                AnyValue::Null | AnyValue::String(_) | AnyValue::Boolean(_) => None,
                v if v.is_primitive_numeric() => None,
                AnyValue::StringOwned(s) => Some(s.to_string()),
                other => Some(other.to_string()),
            };
        }
        let cells: Vec<Cell> = values
            .iter()
            .zip(&owned)
            .map(|(v, o)| match (v, o) {
                (_, Some(s)) => Cell::Text(s.as_str()),
                (AnyValue::Null, _) => Cell::Empty,
                (AnyValue::String(s), _) => {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s)
                    }
                }
                (AnyValue::Boolean(b), _) => Cell::Bool(*b),
                (v, _) => v.extract::<f64>().map_or(Cell::Empty, Cell::Number),
            })
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        file.rows += 1;
        // Row numbers as in a spreadsheet view: header = 1.
        sink.row(i as u64 + 2, &cells);
    }
    Ok(())
}

fn read_workbook(
    file: &mut InputFile,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let path = file.path.clone();
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::input(format!("{}: cannot open the workbook: {e}", path.display()))
            .with_hint("the file may be damaged or not really a spreadsheet; re-export it")
    })?;
    let sheet = pick_sheet(&path, &wb.sheet_names(), opts)?;
    let range = wb.worksheet_range(&sheet).map_err(|e| {
        Error::input(format!(
            "{}: sheet `{sheet}`: cannot read: {e}",
            path.display()
        ))
    })?;
    let start_row = range.start().map(|(r, _)| r).unwrap_or(0) as u64;
    let start_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
    let mut rows = range.rows();
    // Skip the rows above the header (1-based spreadsheet row numbers).
    let skip = opts
        .header_row
        .map_or(0, |h| h.saturating_sub(1).saturating_sub(start_row));
    let start_row = start_row + skip;
    for _ in 0..skip {
        rows.next();
    }
    let header_row = rows
        .next()
        .ok_or_else(|| Error::input(format!("{}: sheet `{sheet}` is empty", path.display())))?;
    let mut headers: Vec<String> = vec![String::new(); start_col];
    headers.extend(header_row.iter().map(|c| match c {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }));
    sink.header(file, &headers)?;
    let mut cells: Vec<Cell> = Vec::new();
    for (i, row) in rows.enumerate() {
        cells.clear();
        cells.extend(std::iter::repeat_n(Cell::Empty, start_col));
        cells.extend(row.iter().map(|c| match c {
            Data::Empty | Data::Error(_) => Cell::Empty,
            Data::String(s) => Cell::Text(s.as_str()),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => excel_datetime(dt),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.as_str()),
        }));
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        file.rows += 1;
        // Row numbers as Excel shows them: 1-based, header at start_row + 1.
        sink.row(start_row + i as u64 + 2, &cells);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The SIMD separator bits are the byte-by-byte ones.
        #[test]
        fn separator_bits_agree(bytes in proptest::collection::vec(proptest::sample::select(b",;\t\n\ra\xe4"), 64), delim in proptest::sample::select(b",;\t")) {
            let bytes: [u8; 64] = bytes.try_into().unwrap();
            proptest::prop_assert_eq!(separators(&bytes, delim), bytes_of_scalar(&bytes, &[delim, b'\n']));
        }

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
            let block = Block::new(&text, 2, b',', width);
            let split = block.split(0..block.len());
            proptest::prop_assert_eq!(block.len(), lines.len());
            for (i, l) in lines.iter().enumerate() {
                let line = format!("x{}", l.join(","));
                let mut want: Vec<&str> = line.split(',').take(width).collect();
                want.resize(width, "");
                let got: Vec<&str> = (0..width).map(|j| split.get(i, j).unwrap_or("")).collect();
                proptest::prop_assert_eq!(got, want, "line {}", i);
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
            format!("id,n,t\n{}", body.trim_end()),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            std::fs::write(&path, &text).unwrap();
            let mut streamed = Cells(vec![]);
            let f = read_file_with(&path, &ReadOptions::default(), &mut streamed).unwrap();
            let mut whole = Cells(vec![]);
            let opts = ReadOptions {
                record_reader: true,
                ..Default::default()
            };
            let g = read_file_with(&path, &opts, &mut whole).unwrap();
            assert_eq!(streamed.0, whole.0, "{text:?}");
            assert_eq!(f.rows, g.rows);
            assert_eq!(f.sha256, format!("{:x}", Sha256::digest(text.as_bytes())));
            assert_eq!(f.sha256, g.sha256);
            assert!(streamed.0.len() >= 120);
        }
    }

    #[test]
    fn text_that_stops_being_utf8_is_refused_with_its_line() {
        let mut text: Vec<u8> = b"id,n\n".to_vec();
        for i in 0..100 {
            text.extend_from_slice(format!("C{i},{i}\n").as_bytes());
        }
        text.extend_from_slice(b"C\xff,1\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &text).unwrap();
        let err = read_file_with(&path, &ReadOptions::default(), &mut Cells(vec![]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not UTF-8") && err.contains("from line"),
            "{err}"
        );
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("a,b"), b',');
        assert_eq!(detect_delimiter("single"), b',');
    }
}
