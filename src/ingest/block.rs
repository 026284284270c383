//! CSV blocks split in place: the byte scans that find delimiters, line breaks, quotes and
//! NUL bytes 64 bytes at a time (on the instructions `ingest::scan` picks), and
//! [`Block`]/[`Split`], the cells of whole quote-free lines without a copy. It does not
//! decide which text may be split so: that is `ingest::csv`'s [`TextBytes`] check.

use super::scan::{scan, Scan, ScanJob};
use super::Cell;

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
    pub(super) fn new(text: &'t str, first_line: u64, delim: u8, width: usize) -> Self {
        scan(NewBlock {
            text,
            first_line,
            delim,
            width,
        })
    }

    /// [`Block::new`] on instruction set `S`.
    #[inline(always)]
    fn new_on<S: Scan>(text: &'t str, first_line: u64, delim: u8, width: usize) -> Self {
        let b = text.as_bytes();
        let mut rows = RowStarts {
            text,
            delim,
            starts: Vec::with_capacity(b.len() / 64),
            rows: Vec::with_capacity(b.len() / 64),
            line: first_line,
            at: 0,
        };
        // The line breaks 64 bytes at a time, as bits.
        each_window::<S, _>(b, &mut rows);
        rows.take(b.len());
        let RowStarts {
            mut starts,
            rows,
            line,
            ..
        } = rows;
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
        scan(SplitRows { block: self, r })
    }

    /// [`Block::split`] on instruction set `S`.
    #[inline(always)]
    fn split_on<S: Scan>(&self, r: std::ops::Range<usize>) -> Split<'t> {
        let b = self.text.as_bytes();
        let w = self.width;
        let mut bounds = Vec::with_capacity(r.len() * w);
        for i in r.clone() {
            // The delimiters and the line break of the line 64 bytes at a time, as bits
            // ([`Scan::bytes_of`]), stopping at the header's width of cells or the line break.
            let (start, limit) = (self.starts[i], self.starts[i + 1]);
            let (mut from, mut k, mut cells) = (start, limit, 0);
            let mut at64 = start;
            'line: while at64 < limit {
                let mut bits = match b.get(at64..at64 + 64) {
                    Some(window) => {
                        S::bytes_of(window.try_into().expect("64 bytes"), [self.delim, b'\n'])
                    }
                    None => {
                        let mut pad = [0u8; 64];
                        pad[..b.len() - at64].copy_from_slice(&b[at64..]);
                        S::bytes_of(&pad, [self.delim, b'\n'])
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

/// [`Block::new`] as a job for [`scan`].
pub(super) struct NewBlock<'t> {
    pub(super) text: &'t str,
    pub(super) first_line: u64,
    pub(super) delim: u8,
    pub(super) width: usize,
}

impl<'t> ScanJob for NewBlock<'t> {
    type Out = Block<'t>;
    #[inline(always)]
    fn run<S: Scan>(self) -> Block<'t> {
        Block::new_on::<S>(self.text, self.first_line, self.delim, self.width)
    }
}

/// [`Block::split`] as a job for [`scan`].
pub(super) struct SplitRows<'b, 't> {
    pub(super) block: &'b Block<'t>,
    pub(super) r: std::ops::Range<usize>,
}

impl<'t> ScanJob for SplitRows<'_, 't> {
    type Out = Split<'t>;
    #[inline(always)]
    fn run<S: Scan>(self) -> Split<'t> {
        self.block.split_on::<S>(self.r)
    }
}

/// What looks at a text 64 bytes at a time ([`each_window`]). A trait rather than a
/// closure: its `#[inline(always)]` method is compiled into each instruction set's
/// instance of the scan, where a closure would be a function of its own compiled for none.
trait Windows {
    /// The `window` of the text from byte `offset`; `valid` has a bit set for each byte of
    /// the text it holds (the last is padded with zero bytes).
    fn window<S: Scan>(&mut self, offset: usize, window: &[u8; 64], valid: u64);
}

/// Hand each 64 bytes of `b` to `w`, the last padded with zero bytes.
#[inline(always)]
fn each_window<S: Scan, W: Windows>(b: &[u8], w: &mut W) {
    let mut chunks = b.chunks_exact(64);
    for (k, window) in chunks.by_ref().enumerate() {
        w.window::<S>(64 * k, window.try_into().expect("64 bytes"), u64::MAX);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut pad = [0u8; 64];
        pad[..tail.len()].copy_from_slice(tail);
        w.window::<S>(b.len() - tail.len(), &pad, (1u64 << tail.len()) - 1);
    }
}

/// [`Block::new`]'s rows so far: where each starts, its file line.
struct RowStarts<'t> {
    text: &'t str,
    delim: u8,
    starts: Vec<usize>,
    rows: Vec<u64>,
    /// The file line of the line from `at`.
    line: u64,
    at: usize,
}

impl RowStarts<'_> {
    /// The line from `at` to `end` (past its line break, if it has one).
    #[inline(always)]
    fn take(&mut self, end: usize) {
        if end == self.at {
            return;
        }
        // A line is blank when every cell is: the common line has a visible first byte.
        let first = self.text.as_bytes()[self.at];
        let visible = first > b' ' && first < 0x80 && first != self.delim;
        if visible || !line_is_blank(&self.text[self.at..end], self.delim) {
            self.starts.push(self.at);
            self.rows.push(self.line);
        }
        self.line += 1;
        self.at = end;
    }
}

impl Windows for RowStarts<'_> {
    #[inline(always)]
    fn window<S: Scan>(&mut self, offset: usize, window: &[u8; 64], valid: u64) {
        let mut bits = S::bytes_of(window, [b'\n']) & valid;
        while bits != 0 {
            self.take(offset + bits.trailing_zeros() as usize + 1);
            bits &= bits - 1;
        }
    }
}

/// What a look at every byte of a text finds before it is split in blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextBytes {
    /// A NUL byte: no text export ([`check_text`]).
    pub(super) nul: bool,
    /// A quote character, a carriage return not before a line feed or an empty line (at
    /// the start too): the block reader cannot take the text ([`blocks_apply`]).
    pub(super) irregular: bool,
}

/// [`TextBytes`] of `b` in one pass, 64 bytes at a time as bits, where the checks one by
/// one took five searches.
pub(super) fn text_bytes(b: &[u8], quote: u8) -> TextBytes {
    scan(ByteChecks { b, quote })
}

/// [`text_bytes`] as a job for [`scan`].
pub(super) struct ByteChecks<'a> {
    pub(super) b: &'a [u8],
    pub(super) quote: u8,
}

impl ScanJob for ByteChecks<'_> {
    type Out = TextBytes;
    #[inline(always)]
    fn run<S: Scan>(self) -> TextBytes {
        text_bytes_on::<S>(self.b, self.quote)
    }
}

/// [`text_bytes`] on instruction set `S`.
#[inline(always)]
fn text_bytes_on<S: Scan>(b: &[u8], quote: u8) -> TextBytes {
    let mut look = LookAtBytes {
        quote,
        nul: false,
        irregular: false,
        // Bit 63: the last byte of the window before. The text starts after a line break.
        prev_lf: 1 << 63,
        prev_cr: 0,
    };
    each_window::<S, _>(b, &mut look);
    TextBytes {
        nul: look.nul,
        irregular: look.irregular || b.last() == Some(&b'\r'),
    }
}

/// [`text_bytes`] so far.
struct LookAtBytes {
    quote: u8,
    nul: bool,
    irregular: bool,
    /// The line feeds and carriage returns of the window before.
    prev_lf: u64,
    prev_cr: u64,
}

impl Windows for LookAtBytes {
    #[inline(always)]
    fn window<S: Scan>(&mut self, _: usize, window: &[u8; 64], valid: u64) {
        let lf = S::bytes_of(window, [b'\n']);
        let mut cr = 0;
        if S::bytes_of(window, [b'\r', 0, self.quote]) & valid != 0 {
            cr = S::bytes_of(window, [b'\r']) & valid;
            self.nul |= S::bytes_of(window, [0]) & valid != 0;
            self.irregular |= S::bytes_of(window, [self.quote]) & valid != 0;
        }
        let lf_before = (lf << 1) | (self.prev_lf >> 63);
        let lf_two_before = (lf << 2) | (self.prev_lf >> 62);
        let cr_before = (cr << 1) | (self.prev_cr >> 63);
        // "\n\n" and "\n\r\n" end here, or a carriage return before is not before a line
        // feed (one at the window's last byte is looked at in the next window).
        self.irregular |= lf & lf_before != 0
            || lf & cr_before & lf_two_before != 0
            || cr_before & !lf & valid != 0;
        (self.prev_lf, self.prev_cr) = (lf, cr);
    }
}

/// A delimited file's field as a cell: empty, or its text (an Excel-style `="T01"` as `T01`).
pub(super) fn field(f: &str) -> Cell<'_> {
    if f.is_empty() {
        return Cell::Empty;
    }
    // `="T01"`: Excel's way of keeping a value as text in a CSV, which it shows as `T01`.
    // (It holds quotes, so only the record reader meets it.)
    match f.strip_prefix("=\"").and_then(|v| v.strip_suffix('"')) {
        Some(v) if !v.contains('"') => field(v),
        _ => Cell::Text(f),
    }
}

/// Whether every cell of a line is blank.
pub(super) fn line_is_blank(line: &str, delim: u8) -> bool {
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
        let (s, e) = (s as usize, e as usize);
        debug_assert!(e <= self.text.len() && self.text.is_char_boundary(s));
        debug_assert!(self.text.is_char_boundary(e));
        // SAFETY: `Block::split_on` made every bound a line's start or end (before its
        // line break, or before a carriage return there), or a position of an ASCII
        // delimiter or just after one, in `text`: each is within `text` and a character
        // boundary of UTF-8 text, and a cell is taken only when its start is before its end.
        (s < e).then(|| unsafe { self.text.get_unchecked(s..e) })
    }

    /// Fill `cells` (the header's width of them) with row `i`'s.
    pub fn fill(&self, i: usize, cells: &mut [Cell<'t>]) {
        for (j, c) in cells.iter_mut().enumerate() {
            *c = self.get(i, j).map_or(Cell::Empty, Cell::Text);
        }
    }
}
