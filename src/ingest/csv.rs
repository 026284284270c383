//! Delimited text (CSV/TSV/TXT): delimiter and encoding detection, the streaming reader that
//! reads a file in pieces of whole lines on a thread while the pieces read are parsed, the
//! block reader that splits quote-free pieces in place, and the record reader (the csv crate)
//! for everything else. Both readers give the same rows and row numbers.

use super::{decode_as, field, header_note, text_bytes, Block, Cell, HeaderRows, RowSink};
use crate::config::read::{Encoding, ReadOptions};
use crate::error::{io_err, Error, Result};
use crate::util::{IdleHash, InputFile};
use std::path::Path;

/// Whether a delimited file may be read piece by piece: its header is the first line and
/// its text is UTF-8 (a GB18030 file is decoded whole).
pub(super) fn streams(opts: &ReadOptions) -> bool {
    !opts.record_reader
        && opts.header_row.unwrap_or(1) <= 1
        && opts.header_rows <= 1
        && opts.encoding != Encoding::Gb18030
}

/// What the reading thread of [`read_csv_streaming`] hands over.
pub(super) enum Piece {
    /// Bytes of the file ending at a line break (the last piece: at the end of the file).
    Lines(Vec<u8>),
    /// The end of the file, after the last piece.
    Done,
}

/// Read a delimited file in pieces of about [`BLOCK_BYTES`] whole lines, so that neither
/// the file nor its text is ever held whole: a thread reads the file while the pieces
/// already read are parsed, and its fingerprint is worked out in idle time ([`IdleHash`];
/// [`InputFile::settled`] waits for it). A piece the block reader cannot take (quotes,
/// blank lines, bare carriage returns) sends the rest of the file through the record
/// reader; a file whose start is not UTF-8 is read whole and decoded as before.
pub(super) fn read_csv_streaming(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    let f = std::fs::File::open(path).map_err(|e| io_err(path, "read", e))?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Piece>>(1);
    // Pieces done with come back to be filled again: the same few buffers carry the whole
    // file, instead of fresh memory (which the kernel must zero) for every piece.
    let (back, returned) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        scope.spawn(move || read_pieces(f, tx, returned));
        // Owned here, so that a return (an error in the middle of the file) drops it before
        // the scope waits for the reading thread: its next send fails and it stops, instead
        // of waiting forever for room in the channel.
        let rx = rx;
        let mut file = InputFile::new(path);
        // The fingerprint is worked out apart, in the time the cores are idle.
        file.pending = Some(IdleHash::start(path).map_err(|e| io_err(path, "read", e))?);
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
        // The rest of the file in one buffer (after `head`).
        let rest = |head: Vec<u8>, next: &mut dyn FnMut() -> Result<Piece>| -> Result<Vec<u8>> {
            let mut all = head;
            loop {
                match next()? {
                    Piece::Lines(b) => all.extend_from_slice(&b),
                    Piece::Done => return Ok(all),
                }
            }
        };
        let first = match next()? {
            Piece::Lines(b) => b,
            Piece::Done => {
                // An empty file: the whole-text reader says so.
                read_csv(&mut file, b"", opts, sink)?;
                return Ok(file);
            }
        };
        let stripped = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first);
        let utf8 = std::str::from_utf8(stripped).is_ok();
        if (!utf8 && opts.encoding == Encoding::Auto)
            || !blocks_apply(&decode_as(&first, opts.encoding), opts)
        {
            let all = rest(first, &mut next)?;
            read_csv(&mut file, &all, opts, sink)?;
            return Ok(file);
        }
        let text = decode_as(&first, opts.encoding);
        check_text(&file, &text)?;
        let delim = opts.delimiter.unwrap_or_else(|| detect_delimiter(&text));
        tracing::debug!(file = %path.display(), instructions = ?super::scan::Isa::best(), "byte scans");
        let mut blocks = CsvBlocks::start(&mut file, &text, delim, sink)?;
        let rest_text = &text[text.find('\n').map_or(text.len(), |i| i + 1)..];
        blocks.lines(&mut file, rest_text, sink)?;
        drop(text);
        loop {
            let piece = match next()? {
                Piece::Lines(b) => b,
                Piece::Done => return Ok(file),
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
                let all = rest(piece, &mut next)?;
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
                return Ok(file);
            }
        }
    })
}

/// The reading thread of [`read_csv_streaming`]: reads `f` in pieces of whole lines of
/// about [`BLOCK_BYTES`] into buffers that come back through `returned`; sends each piece,
/// then the end, or the first read error.
fn read_pieces(
    mut f: std::fs::File,
    tx: std::sync::mpsc::SyncSender<std::io::Result<Piece>>,
    returned: std::sync::mpsc::Receiver<Vec<u8>>,
) {
    use std::io::Read;
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
            let _ = tx.send(Ok(Piece::Done));
            return;
        }
    }
}

/// Refuse text that is no export: a NUL byte anywhere.
pub(super) fn check_text(file: &InputFile, text: &str) -> Result<()> {
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return Err(nul_error(file));
    }
    Ok(())
}

pub(super) fn nul_error(file: &InputFile) -> Error {
    Error::input(format!(
        "{}: the file contains NUL bytes: it is not a text export",
        file.path.display()
    ))
}

pub(super) fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    [b',', b'\t', b';', b'|']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .filter(|d| first.bytes().any(|b| b == *d))
        .unwrap_or(b',')
}

pub(super) fn read_csv(
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
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .quote(opts.quote.unwrap_or(b'"'))
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut header_seen = false;
    let mut header_rows = HeaderRows::new(opts);
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
        // `header_row` counts the file's lines, blank ones included, as an editor shows them.
        if line < header_row {
            continue;
        }
        if !header_seen {
            let row: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
            if let Some(headers) = header_rows.push(row) {
                sink.header(file, &headers)
                    .map_err(|e| header_note(e, &format!("line {line}"), &headers, &[]))?;
                header_seen = true;
            }
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
pub(super) fn blocks_apply(text: &str, opts: &ReadOptions) -> bool {
    block_options(opts) && !text_bytes(text.as_bytes(), quote_of(opts)).irregular
}

/// The options [`blocks_apply`] needs.
pub(super) fn block_options(opts: &ReadOptions) -> bool {
    opts.header_row.unwrap_or(1) <= 1
        && opts.header_rows <= 1
        && opts.delimiter.is_none_or(|d| d.is_ascii())
}

pub(super) fn quote_of(opts: &ReadOptions) -> u8 {
    opts.quote.unwrap_or(b'"')
}

/// Bytes of CSV text read and split at a time: bounds the memory of the file's text and of
/// the cell bounds. Unit tests use tiny blocks to cross many boundaries.
#[cfg(not(test))]
pub(super) const BLOCK_BYTES: usize = 16 << 20;
#[cfg(test)]
pub(super) const BLOCK_BYTES: usize = 100;

/// Reads a CSV that [`blocks_apply`] accepts in blocks of whole lines, each split in place
/// ([`Block`]) and passed to the sink's [`RowSink::block`]. Rows whose cells are all blank
/// are skipped, as the record reader skips them.
pub(super) struct CsvBlocks {
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
        sink.header(file, &headers)
            .map_err(|e| header_note(e, "line 1", &headers, &[]))?;
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
                peak_mb = crate::util::peak_rss_mb(),
                "block"
            );
        }
        Ok(())
    }
}

/// Data rows of a line-aligned piece of a CSV, record by record; its first line is line
/// `first_line` of the file. `quote`: the quote character, if the piece may hold quotes.
pub(super) fn read_records(
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
pub(super) struct LineCounter<'a> {
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
