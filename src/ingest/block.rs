//! CSV blocks split in place: the byte scans (SIMD on x86-64) that find delimiters, line
//! breaks, quotes and NUL bytes 64 bytes at a time, and [`Block`]/[`Split`], the cells of
//! whole quote-free lines without a copy.

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
pub(super) fn separators(bytes: &[u8; 64], delim: u8) -> u64 {
    bytes_of(bytes, [delim, b'\n'])
}

/// Bit `i` set where byte `i` of `bytes` is one of `of`: SSE2 (part of every x86-64)
/// compares 16 bytes at a time; other targets take [`bytes_of_scalar`]. Against a
/// `memchr2` search stopping at each cell, this halves the splitting time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
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
pub(super) fn bytes_of<const N: usize>(bytes: &[u8; 64], of: [u8; N]) -> u64 {
    bytes_of_scalar(bytes, &of)
}

/// [`bytes_of`] byte by byte.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn bytes_of_scalar(bytes: &[u8; 64], of: &[u8]) -> u64 {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, c)| of.contains(c))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// Call `f(offset, window, valid)` on each 64 bytes of `b` from `offset`; the last window
/// is padded with zero bytes, and `valid` has a bit set for each byte of `b` it holds.
#[inline(always)]
pub(super) fn each_window(b: &[u8], mut f: impl FnMut(usize, &[u8; 64], u64)) {
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
