//! Cells to values: timestamps (the common `YYYY-MM-DD HH:MM:SS` form read straight from
//! the bytes, other forms through chrono, local times resolved in the contract's zone with the
//! offset cached per hour), numbers, flags, trimmed text and labels, and the header map from
//! a file's columns to the canonical ones. No rule here decides whether a row is accepted.

use crate::error::{Error, Result};
use crate::ingest::Cell;
use crate::model::{parse_bool, parse_naive};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use std::borrow::Cow;

/// `YYYY-MM-DD HH:MM:SS` read straight from the bytes (the common export form, and the
/// hot path of ingest); anything else, or an impossible date, returns `None` and goes
/// through the general parsers.
pub(super) fn parse_common(s: &str) -> Option<NaiveDateTime> {
    Some(DateTime::from_timestamp_millis(parse_common_ms(s)?)?.naive_utc())
}

/// [`parse_common`]'s value as milliseconds from 1970-01-01 00:00 of the same wall clock
/// (no zone), by integer arithmetic alone: the ingest kernels' form, with no calendar
/// structure built per cell.
pub(super) fn parse_common_ms(s: &str) -> Option<i64> {
    CommonMs::new().parse(s)
}

const DAY_MS: i64 = 86_400_000;

/// [`parse_common_ms`] keeping the day of the last date it read: an export's rows come in
/// time order, so most cells repeat the date before them and only their clock is read.
pub(super) struct CommonMs {
    /// The last date read (no date at first: zero bytes are no digits).
    date: [u8; 10],
    days: i64,
}

impl CommonMs {
    pub(super) fn new() -> Self {
        CommonMs {
            date: [0; 10],
            days: 0,
        }
    }

    /// [`parse_common_ms`] of `s`.
    #[inline]
    pub(super) fn parse(&mut self, s: &str) -> Option<i64> {
        let b = s.as_bytes();
        if b.len() != 19 {
            return None;
        }
        let days = if b[..10] == self.date {
            self.days
        } else {
            let days = date_days(&b[..10])?;
            self.date.copy_from_slice(&b[..10]);
            self.days = days;
            days
        };
        Some(days * DAY_MS + clock_ms(&b[10..])?)
    }
}

/// The `N` ASCII digits at the start of `b` as a number.
#[inline]
fn digits<const N: usize>(b: &[u8]) -> Option<i64> {
    let mut v = 0;
    for &c in &b[..N] {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as i64;
    }
    Some(v)
}

/// `YYYY-MM-DD` as days from 1970-01-01.
#[inline]
fn date_days(b: &[u8]) -> Option<i64> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    days_from_civil(
        digits::<4>(b)?,
        digits::<2>(&b[5..])?,
        digits::<2>(&b[8..])?,
    )
}

/// ` HH:MM:SS` as milliseconds into the day.
#[inline]
fn clock_ms(b: &[u8]) -> Option<i64> {
    if b[0] != b' ' || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (h, m, sec) = (
        digits::<2>(&b[1..])?,
        digits::<2>(&b[4..])?,
        digits::<2>(&b[7..])?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some((h * 60 + m) * 60_000 + sec * 1000)
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d`, `None` for a date that
/// does not exist (H. Hinnant's `days_from_civil`).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_days {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Parse a timestamp cell into Unix milliseconds; naive values are local to `tz`.
pub fn parse_timestamp(cell: &Cell, tz: Tz) -> std::result::Result<i64, String> {
    let local = |ndt: NaiveDateTime| -> std::result::Result<i64, String> {
        tz.from_local_datetime(&ndt)
            .earliest()
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| crate::why!("nonexistent_local_time", ndt, tz))
    };
    match cell {
        Cell::DateTime(ndt) => local(*ndt),
        Cell::Invalid(why) => Err(why.to_string()),
        Cell::Text(s) => {
            let s = s.trim();
            // Fast path for the commonest export form, `YYYY-MM-DD HH:MM:SS`.
            if let Some(ndt) = parse_common(s) {
                return local(ndt);
            }
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Ok(t.timestamp_millis());
            }
            for f in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
                if let Ok(t) = DateTime::parse_from_str(s, f) {
                    return Ok(t.timestamp_millis());
                }
            }
            if let Some(ndt) = parse_naive(s) {
                return local(ndt);
            }
            Err(crate::why!("not_a_timestamp", s))
        }
        Cell::Empty => Err(crate::why!("missing")),
        other => Err(crate::why!("not_a_timestamp", other.to_text())),
    }
}

pub(super) fn parse_number(cell: &Cell) -> std::result::Result<f64, String> {
    let v = match cell {
        Cell::Number(n) => *n,
        Cell::Duration(s) => *s,
        Cell::Text(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| crate::why!("not_a_number", s.trim()))?,
        Cell::Bool(b) => return Err(crate::why!("not_a_number", b)),
        Cell::DateTime(t) => return Err(crate::why!("date_not_number", t)),
        Cell::Empty => return Err(crate::why!("missing")),
        Cell::Invalid(why) => return Err(why.to_string()),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(crate::why!("not_finite"))
    }
}

pub(super) fn parse_flag(cell: &Cell) -> std::result::Result<bool, String> {
    let not_flag = |t: &str| crate::why!("not_a_flag", t);
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Invalid(why) => Err(why.to_string()),
        Cell::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
        Cell::Text(s) => parse_bool(s).ok_or_else(|| not_flag(s.trim())),
        other => {
            let t = other.to_text();
            parse_bool(&t).ok_or_else(|| not_flag(&t))
        }
    }
}

/// The first canonical column whose cell is invalid (an Excel error value, a formula saved
/// without its value, a value a mapping profile could not convert), as the row's error: such
/// a cell is never read as text or as blank.
pub(super) fn invalid_cell(
    pos: &[Option<usize>],
    cells: &[Cell],
    names: &[&'static str],
) -> Option<super::ledger::RowError> {
    pos.iter()
        .zip(names)
        .find_map(|(p, name)| match p.and_then(|i| cells.get(i)) {
            Some(Cell::Invalid(why)) => Some(super::ledger::RowError::new(*name, *why)),
            _ => None,
        })
}

/// A cell's text, trimmed; `None` when empty. Borrowed from the cell when it is text.
pub(super) fn text<'c>(cell: &Cell<'c>) -> Option<Cow<'c, str>> {
    match cell {
        Cell::Text(s) => {
            let t = trim(s);
            (!t.is_empty()).then_some(Cow::Borrowed(t))
        }
        c if c.is_empty() => None,
        c => Some(Cow::Owned(c.to_text())),
    }
}

/// `str::trim`, without decoding a character in the common case: text that starts with a
/// visible ASCII byte or a CJK ideograph (U+4000-U+9FFF, lead byte E4-E9) and ends with one.
/// No whitespace character is in that range.
#[inline]
pub(super) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let ideograph = |lead: u8| (0xE4..=0xE9).contains(&lead);
    let visible = |c: u8| c > b' ' && c < 0x7F;
    let starts = b.first().is_some_and(|&c| visible(c) || ideograph(c));
    let ends = match b.len() {
        0 => false,
        n => visible(b[n - 1]) || (n >= 3 && ideograph(b[n - 3])),
    };
    if starts && ends {
        s
    } else {
        s.trim()
    }
}

/// Longest label (topic, complaint type, agent, team) kept, in characters.
pub const MAX_LABEL_CHARS: usize = 256;

/// A label column's text, cut to [`MAX_LABEL_CHARS`] with an ellipsis: a runaway cell (a
/// pasted document, a broken export) must not turn into a chart label or a workbook cell
/// that no reader can take.
pub(super) fn label<'c>(cell: &Cell<'c>) -> Option<Cow<'c, str>> {
    text(cell).map(|s| {
        // A string of at most N bytes has at most N characters: no count needed.
        if s.len() > MAX_LABEL_CHARS && s.chars().count() > MAX_LABEL_CHARS {
            let mut cut: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
            cut.push('…');
            Cow::Owned(cut)
        } else {
            s
        }
    })
}

pub(super) use crate::columns::header_key;

/// Refuse a header with a column that is no canonical name (a misspelt `answerd_at` would
/// otherwise leave every contact unanswered without a word), unless `allowed`.
pub(super) fn check_extra_columns(
    file: &str,
    headers: &[String],
    canonical: &[&'static str],
    record: &str,
    allowed: bool,
) -> Result<()> {
    if allowed {
        return Ok(());
    }
    let unknown = headers.iter().find(|h| {
        let h = header_key(h);
        !h.is_empty() && !canonical.contains(&h.as_str())
    });
    let Some(h) = unknown else { return Ok(()) };
    let near = crate::util::closest(h.trim(), canonical.iter().map(|c| c.to_string()))
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    Err(Error::usage(format!(
        "{file}: column `{}` is not a canonical {record} column{near}",
        h.trim()
    ))
    .with_hint("rename it (docs/contact-record.md lists the names), read the file through a mapping profile, or pass --ignore-extra-columns to read it without that column"))
}

/// Refuse a header that names a canonical column twice: the first would silently be used for
/// both.
pub(super) fn check_repeated_columns(
    file: &str,
    headers: &[String],
    canonical: &[&'static str],
) -> Result<()> {
    for (i, h) in headers.iter().enumerate() {
        let name = header_key(h);
        if !canonical.contains(&name.as_str()) {
            continue;
        }
        if let Some(j) = headers[i + 1..].iter().position(|o| header_key(o) == name) {
            return Err(Error::usage(format!(
                "{file}: column `{name}` appears twice, as columns {} and {}",
                i + 1,
                i + j + 2
            ))
            .with_hint(
                "remove or rename one of them, so that it is clear which holds the values",
            ));
        }
    }
    Ok(())
}

/// Map header names to the positions of the canonical columns (case-insensitive, trimmed;
/// the first matching column wins): entry `k` is the file column holding `canonical[k]`.
pub(super) fn map_headers(headers: &[String], canonical: &[&'static str]) -> Vec<Option<usize>> {
    let mut m = vec![None; canonical.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = header_key(h);
        if let Some(k) = canonical.iter().position(|c| *c == h) {
            m[k].get_or_insert(i);
        }
    }
    m
}

pub(super) static EMPTY: Cell<'static> = Cell::Empty;

/// The cell of canonical column `k` in a row, `Empty` when the file lacks the column.
pub(super) fn cell_at<'r, 'c>(
    pos: &[Option<usize>],
    cells: &'r [Cell<'c>],
    k: usize,
) -> &'r Cell<'c> {
    pos[k].and_then(|i| cells.get(i)).unwrap_or(&EMPTY)
}
/// Local wall-clock times to Unix milliseconds with the zone's offset cached per local
/// hour: an hour whose two ends have one and the same offset keeps it throughout (offsets
/// never change twice within an hour). Other hours (a daylight-saving change) get `None`
/// and are left to [`parse_timestamp`].
pub(super) struct LocalToUtc {
    pub(super) tz: Tz,
    /// `(local hour, offset in ms or NO_OFFSET)`, direct-mapped by hour.
    pub(super) slots: [(i64, i64); 64],
}

pub(super) const NO_OFFSET: i64 = i64::MIN;

impl LocalToUtc {
    pub(super) fn new(tz: Tz) -> Self {
        LocalToUtc {
            tz,
            slots: [(i64::MIN, NO_OFFSET); 64],
        }
    }

    /// The instant of the local wall-clock time `local_ms` (see [`parse_common_ms`]).
    pub(super) fn to_utc(&mut self, local_ms: i64) -> Option<i64> {
        use chrono::Offset;
        let hour = local_ms.div_euclid(3_600_000);
        let tz = self.tz;
        let slot = &mut self.slots[hour.rem_euclid(64) as usize];
        if slot.0 != hour {
            let offset = |secs: i64| {
                let t = DateTime::from_timestamp(secs, 0)?.naive_utc();
                match tz.from_local_datetime(&t) {
                    chrono::LocalResult::Single(d) => {
                        Some(d.offset().fix().local_minus_utc() as i64 * 1000)
                    }
                    _ => None,
                }
            };
            let offset = match (offset(hour * 3600), offset(hour * 3600 + 3599)) {
                (Some(a), Some(b)) if a == b => a,
                _ => NO_OFFSET,
            };
            *slot = (hour, offset);
        }
        (slot.1 != NO_OFFSET).then(|| local_ms - slot.1)
    }
}

/// Whether a cell's text is not blank, without trimming in the common case.
pub(super) fn non_blank(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|&b| b > b' ' && b < 0x80) || !s.trim().is_empty()
}
