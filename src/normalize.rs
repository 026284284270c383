//! Normalize stage: map ingested rows onto the canonical contact and survey records of
//! `spec/contact-record.md`, and account for every row.
//!
//! Each data row becomes an accepted record, a rejected row (with file, row, column and
//! reason) or a duplicate (a `contact_id` seen before; the first row wins). Timestamps are
//! resolved to instants in the contract's time zone, enums and booleans are parsed, and
//! impossible values (negative durations, replies before arrival, scores off the scale) are
//! rejected rather than guessed. Personal data columns (`customer_id`, `customer_phone`,
//! `comment`) are recognised and never stored. The result is a pair of Polars frames; no KPI
//! is computed here.

use crate::columns::{contact as cc, survey as sc, CONTACT_COLUMNS, SURVEY_COLUMNS};
use crate::config::contract::SurveyCfg;
use crate::error::{Error, Result};
use crate::ingest::{self, Cell, RowSink};
use crate::model::{parse_bool, parse_naive, Channel, Complexity, Kind, Priority};
use crate::util::InputFile;
use crate::util::{chunk_ranges, FastMap};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;
use std::borrow::Cow;
use std::path::Path;

pub mod dtypes;
mod ids;
pub mod inspections;
pub mod partitions;
pub use inspections::InspectionSink;
pub use partitions::Partitions;

/// Why a row was not accepted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    pub file: String,
    pub row: u64,
    pub column: String,
    pub reason: String,
    /// `rejected` or `duplicate`.
    pub category: &'static str,
    /// `contacts`, `surveys` or `inspections`.
    pub input: &'static str,
}

/// Row accounting for one input kind (`spec/metrics.md`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RowCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub out_of_period: u64,
}

/// Sort key of a data row: the file's index in reading order, then its row number. Rows are
/// accepted, rejected and de-duplicated in this order whichever path read them.
fn row_key(file: u32, row: u64) -> u64 {
    ((file as u64) << 40) | (row & ROW_MASK)
}

const ROW_MASK: u64 = (1 << 40) - 1;

/// Row bookkeeping shared by the contact and survey sinks: counts every row and lists every
/// row that is not accepted.
#[derive(Debug, Default)]
pub struct Ledger {
    input: &'static str,
    /// Files read so far; the last one is being read.
    files: Vec<String>,
    /// Rows not accepted, with their sort keys.
    rejections: Vec<(u64, Rejection)>,
    pub counts: RowCounts,
}

impl Ledger {
    fn new(input: &'static str) -> Self {
        Ledger {
            input,
            ..Default::default()
        }
    }

    /// Start a new file.
    fn open(&mut self, file: &InputFile) {
        self.files.push(file.path.display().to_string());
    }

    /// The file being read.
    fn file(&self) -> &str {
        self.files.last().map(|s| s.as_str()).unwrap_or("")
    }

    fn file_index(&self) -> u32 {
        self.files.len().saturating_sub(1) as u32
    }

    /// Sort key of a row of the file being read.
    fn key(&self, row: u64) -> u64 {
        row_key(self.file_index(), row)
    }

    /// "duplicate of FILE row N" for the row with sort key `first`.
    fn duplicate_of(&self, first: u64) -> String {
        format!(
            "{DUPLICATE} {} row {}",
            self.files
                .get((first >> 40) as usize)
                .map(|s| s.as_str())
                .unwrap_or(""),
            first & ROW_MASK
        )
    }

    /// List a row that is not accepted (`duplicate` when the reason says so).
    fn reject(&mut self, key: u64, column: String, reason: String) {
        let category = if reason.starts_with(DUPLICATE) {
            self.counts.duplicates += 1;
            "duplicate"
        } else {
            self.counts.rejected += 1;
            "rejected"
        };
        // A value quoted in a reason may be personal data sitting in the wrong column.
        let reason = crate::model::mask_personal(&reason);
        let file = self
            .files
            .get((key >> 40) as usize)
            .cloned()
            .unwrap_or_default();
        self.rejections.push((
            key,
            Rejection {
                file,
                row: key & ROW_MASK,
                column,
                reason,
                category,
                input: self.input,
            },
        ));
    }

    /// The rejections in reading order, and the counts (`accepted` as given).
    fn finish(mut self, accepted: u64) -> (Vec<Rejection>, RowCounts) {
        self.rejections.sort_by_key(|(k, _)| *k);
        self.counts.accepted = accepted;
        (
            self.rejections.into_iter().map(|(_, r)| r).collect(),
            self.counts,
        )
    }

    /// Rejections so far (unit tests).
    #[cfg(test)]
    pub fn rejections(&self) -> Vec<&Rejection> {
        self.rejections.iter().map(|(_, r)| r).collect()
    }
}

const DUPLICATE: &str = "duplicate of";

/// `YYYY-MM-DD HH:MM:SS` read straight from the bytes (the common export form, and the
/// hot path of ingest); anything else, or an impossible date, returns `None` and goes
/// through the general parsers.
fn parse_common(s: &str) -> Option<NaiveDateTime> {
    Some(DateTime::from_timestamp_millis(parse_common_ms(s)?)?.naive_utc())
}

/// [`parse_common`]'s value as milliseconds from 1970-01-01 00:00 of the same wall clock
/// (no zone), by integer arithmetic alone: the ingest kernels' form, with no calendar
/// structure built per cell.
fn parse_common_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as i64)
        })
    };
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(((days * 24 + h) * 60 + m) * 60_000 + sec * 1000)
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d`, `None` for a date that
/// does not exist (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
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
            .ok_or_else(|| format!("{ndt} does not exist in {tz}"))
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
            Err(format!(
                "`{s}` is not a timestamp (expected ISO 8601 such as 2026-10-08 09:15:02)"
            ))
        }
        Cell::Empty => Err("missing".into()),
        other => Err(format!(
            "`{}` is not a timestamp (expected ISO 8601 such as 2026-10-08 09:15:02)",
            other.to_text()
        )),
    }
}

fn parse_number(cell: &Cell) -> std::result::Result<f64, String> {
    let v = match cell {
        Cell::Number(n) => *n,
        Cell::Duration(s) => *s,
        Cell::Text(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("`{}` is not a number", s.trim()))?,
        Cell::Bool(b) => return Err(format!("`{b}` is not a number")),
        Cell::DateTime(t) => return Err(format!("`{t}` is a date, not a number")),
        Cell::Empty => return Err("missing".into()),
        Cell::Invalid(why) => return Err(why.to_string()),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err("not a finite number".into())
    }
}

fn parse_flag(cell: &Cell) -> std::result::Result<bool, String> {
    let not_flag = |t: &str| {
        format!("`{t}` is not a yes/no value (expected true/false, 1/0, Y/N, yes/no, 是/否)")
    };
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

/// A cell's text, trimmed; `None` when empty. Borrowed from the cell when it is text.
fn text<'c>(cell: &Cell<'c>) -> Option<Cow<'c, str>> {
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
fn trim(s: &str) -> &str {
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
fn label<'c>(cell: &Cell<'c>) -> Option<Cow<'c, str>> {
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

/// Map header names to the positions of the canonical columns (case-insensitive, trimmed;
/// the first matching column wins): entry `k` is the file column holding `canonical[k]`.
fn map_headers(headers: &[String], canonical: &[&'static str]) -> Vec<Option<usize>> {
    let mut m = vec![None; canonical.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        if let Some(k) = canonical.iter().position(|c| *c == h) {
            m[k].get_or_insert(i);
        }
    }
    m
}

static EMPTY: Cell<'static> = Cell::Empty;

/// The cell of canonical column `k` in a row, `Empty` when the file lacks the column.
fn cell_at<'r, 'c>(pos: &[Option<usize>], cells: &'r [Cell<'c>], k: usize) -> &'r Cell<'c> {
    pos[k].and_then(|i| cells.get(i)).unwrap_or(&EMPTY)
}

type RowError = (String, String);

/// What one range of a block gives: its accepted rows and its rejected rows with keys.
type BlockPart = (DataFrame, Vec<(u64, RowError)>);

/// One contact, checked and parsed; text borrowed from the row where possible.
struct ContactValues<'c> {
    id: Cow<'c, str>,
    channel: Channel,
    kind: Kind,
    priority: Option<Priority>,
    complexity: Option<Complexity>,
    arrived: i64,
    answered: Option<i64>,
    resolved_at: Option<i64>,
    wait: Option<f64>,
    handle: Option<f64>,
    resolved: Option<bool>,
    answered_flag: Option<bool>,
    fcr: Option<bool>,
    sat: Option<f64>,
    topic: Option<Cow<'c, str>>,
    complaint_type: Option<Cow<'c, str>>,
    agent_id: Option<Cow<'c, str>>,
    agent_name: Option<Cow<'c, str>>,
    team: Option<Cow<'c, str>>,
}

/// Check and parse one contact row: the first problem found names its column. Duplicates
/// are not looked for here (see [`duplicates`]).
fn check_contact<'c>(
    get: impl Fn(usize) -> Cell<'c>,
    tz: Tz,
    survey: &SurveyCfg,
) -> std::result::Result<ContactValues<'c>, RowError> {
    let err = |k: usize, why: String| (CONTACT_COLUMNS[k].to_string(), why);
    let ts = |k: usize| -> std::result::Result<Option<i64>, RowError> {
        let c = get(k);
        if c.is_empty() {
            return Ok(None);
        }
        parse_timestamp(&c, tz).map(Some).map_err(|e| err(k, e))
    };
    let num = |k: usize| -> std::result::Result<Option<f64>, RowError> {
        let c = get(k);
        if c.is_empty() {
            return Ok(None);
        }
        parse_number(&c).map(Some).map_err(|e| err(k, e))
    };
    let flag = |k: usize| -> std::result::Result<Option<bool>, RowError> {
        let c = get(k);
        if c.is_empty() {
            return Ok(None);
        }
        parse_flag(&c).map(Some).map_err(|e| err(k, e))
    };

    let id = text(&get(cc::CONTACT_ID))
        .ok_or_else(|| err(cc::CONTACT_ID, "missing (required)".into()))?;
    let channel_text =
        text(&get(cc::CHANNEL)).ok_or_else(|| err(cc::CHANNEL, "missing (required)".into()))?;
    let channel = Channel::parse(&channel_text).ok_or_else(|| {
        err(
            cc::CHANNEL,
            format!(
                "unknown channel `{channel_text}` (expected {})",
                Channel::expected()
            ),
        )
    })?;
    let kind = match text(&get(cc::KIND)) {
        None => Kind::Consultation,
        Some(k) => Kind::parse(&k).ok_or_else(|| {
            err(
                cc::KIND,
                format!("unknown kind `{k}` (expected {})", Kind::expected()),
            )
        })?,
    };
    let priority = match text(&get(cc::PRIORITY)) {
        None => None,
        Some(p) => Some(Priority::parse(&p).ok_or_else(|| {
            err(
                cc::PRIORITY,
                format!("unknown priority `{p}` (expected {})", Priority::expected()),
            )
        })?),
    };
    let complexity = match text(&get(cc::COMPLEXITY)) {
        None => None,
        Some(p) => Some(Complexity::parse(&p).ok_or_else(|| {
            err(
                cc::COMPLEXITY,
                format!(
                    "unknown complexity `{p}` (expected {})",
                    Complexity::expected()
                ),
            )
        })?),
    };
    let arrived = match ts(cc::ARRIVED_AT)? {
        Some(t) => t,
        None => return Err(err(cc::ARRIVED_AT, "missing (required)".into())),
    };
    let answered = ts(cc::ANSWERED_AT)?;
    let resolved_at = ts(cc::RESOLVED_AT)?;
    if let Some(a) = answered {
        if a < arrived {
            return Err(err(cc::ANSWERED_AT, "answered before it arrived".into()));
        }
    }
    if let Some(r) = resolved_at {
        if r < arrived {
            return Err(err(cc::RESOLVED_AT, "resolved before it arrived".into()));
        }
    }
    if let (Some(a), Some(r)) = (answered, resolved_at) {
        if r < a {
            return Err(err(
                cc::RESOLVED_AT,
                "resolved before it was answered".into(),
            ));
        }
    }
    let wait = num(cc::WAIT_SECONDS)?;
    let handle = num(cc::HANDLE_SECONDS)?;
    for (k, v) in [(cc::WAIT_SECONDS, wait), (cc::HANDLE_SECONDS, handle)] {
        if let Some(v) = v {
            if v < 0.0 {
                return Err(err(k, format!("negative duration {v}")));
            }
        }
    }
    let resolved = flag(cc::RESOLVED)?;
    let answered_flag = flag(cc::ANSWERED)?;
    let fcr = flag(cc::FCR)?;
    let sat = num(cc::SATISFACTION)?;
    if let Some(s) = sat {
        if s < survey.scale_min || s > survey.scale_max {
            return Err(err(
                cc::SATISFACTION,
                format!(
                    "score {s} outside the survey scale {}..{}",
                    survey.scale_min, survey.scale_max
                ),
            ));
        }
    }
    Ok(ContactValues {
        id,
        channel,
        kind,
        priority,
        complexity,
        arrived,
        answered,
        resolved_at,
        wait,
        handle,
        resolved,
        answered_flag,
        fcr,
        sat,
        topic: label(&get(cc::TOPIC)),
        complaint_type: label(&get(cc::COMPLAINT_TYPE)),
        agent_id: label(&get(cc::AGENT_ID)),
        agent_name: label(&get(cc::AGENT_NAME)),
        team: label(&get(cc::TEAM)),
    })
}

/// A string column from values that borrow or own their text.
fn str_col<S: AsRef<str>>(name: &str, v: &[S]) -> Column {
    StringChunked::from_iter_values(name.into(), v.iter().map(|s| s.as_ref())).into_column()
}

fn opt_str_col<S: AsRef<str>>(name: &str, v: &[Option<S>]) -> Column {
    StringChunked::from_iter_options(
        name.into(),
        v.iter().map(|s| s.as_ref().map(|s| s.as_ref())),
    )
    .into_column()
}

/// A column from optional values, built as one array with its validity bits. (A Polars
/// builder pushes value and validity one by one, at several times the cost.)
pub(crate) fn opt_column<T, N>(name: &str, v: Vec<Option<N>>) -> Column
where
    T: PolarsDataType,
    T::Array: ArrayFromIter<Option<N>>,
    ChunkedArray<T>: IntoColumn,
{
    <std::vec::IntoIter<Option<N>> as ChunkedCollectInferIterExt<T>>::collect_ca_trusted(
        v.into_iter(),
        name.into(),
    )
    .into_column()
}

/// Name of the sort-key column carried until duplicates are resolved.
const KEY: &str = "_key";

/// Accepted contacts' parsed values, column-wise: every column but the text ones.
#[derive(Default)]
struct ContactScalars {
    key: Vec<u64>,
    channel: Vec<Channel>,
    kind: Vec<Kind>,
    priority: Vec<Option<Priority>>,
    complexity: Vec<Option<Complexity>>,
    arrived_ms: Vec<i64>,
    answered_ms: Vec<Option<i64>>,
    resolved_ms: Vec<Option<i64>>,
    wait_s: Vec<Option<f64>>,
    handle_s: Vec<Option<f64>>,
    resolved_flag: Vec<Option<bool>>,
    answered_flag: Vec<Option<bool>>,
    fcr: Vec<Option<bool>>,
    satisfaction: Vec<Option<f64>>,
}

/// Run `$body` with `$v` bound to each column vector of a [`ContactScalars`] but the key.
macro_rules! each_column {
    ($c:expr, $v:ident => $body:expr) => {
        each_column!(@ $c, $v, $body, channel kind priority complexity arrived_ms answered_ms
            resolved_ms wait_s handle_s resolved_flag answered_flag fcr satisfaction)
    };
    (@ $c:expr, $v:ident, $body:expr, $($field:ident)+) => {{
        let c = &mut *$c;
        $({
            let $v = &mut c.$field;
            $body;
        })+
    }};
}

impl ContactScalars {
    fn push(&mut self, key: u64, v: &ContactValues<'_>) {
        self.key.push(key);
        self.channel.push(v.channel);
        self.kind.push(v.kind);
        self.priority.push(v.priority);
        self.complexity.push(v.complexity);
        self.arrived_ms.push(v.arrived);
        self.answered_ms.push(v.answered);
        self.resolved_ms.push(v.resolved_at);
        self.wait_s.push(v.wait);
        self.handle_s.push(v.handle);
        self.resolved_flag.push(v.resolved);
        self.answered_flag.push(v.answered_flag);
        self.fcr.push(v.fcr);
        self.satisfaction.push(v.sat);
    }

    /// Overwrite row `j` (the key excepted) with `v`.
    fn set(&mut self, j: usize, v: &ContactValues<'_>) {
        self.channel[j] = v.channel;
        self.kind[j] = v.kind;
        self.priority[j] = v.priority;
        self.complexity[j] = v.complexity;
        self.arrived_ms[j] = v.arrived;
        self.answered_ms[j] = v.answered;
        self.resolved_ms[j] = v.resolved_at;
        self.wait_s[j] = v.wait;
        self.handle_s[j] = v.handle;
        self.resolved_flag[j] = v.resolved;
        self.answered_flag[j] = v.answered_flag;
        self.fcr[j] = v.fcr;
        self.satisfaction[j] = v.sat;
    }

    /// Room for `n` more rows (the key excepted).
    fn reserve(&mut self, n: usize) {
        each_column!(self, v => v.reserve_exact(n));
    }

    /// Keep the rows (the key excepted) whose `keep` is true.
    fn retain(&mut self, keep: &[bool]) {
        each_column!(self, v => {
            let mut k = keep.iter();
            v.retain(|_| *k.next().unwrap_or(&false));
        });
    }

    /// The rows as a frame with the sort key (the contacts schema plus `_key`), with their
    /// `contact_id` and their [`dtypes::LABELS`] columns.
    fn into_frame(self, contact_id: Column, labels: [Column; 5]) -> Result<DataFrame> {
        let c = self;
        let n = c.key.len();
        let [topic, complaint_type, agent_id, agent_name, team] = labels;
        fn codes<T: Copy>(v: &[T], code: impl Fn(T) -> u8) -> Vec<Option<u8>> {
            v.iter().map(|&x| Some(code(x))).collect()
        }
        fn opt_codes<T: Copy>(v: &[Option<T>], code: impl Fn(T) -> u8) -> Vec<Option<u8>> {
            v.iter().map(|x| x.map(&code)).collect()
        }
        Ok(DataFrame::new(
            n,
            vec![
                Column::new(KEY.into(), c.key),
                contact_id,
                dtypes::enum_column("channel", codes(&c.channel, |v| v as u8)),
                dtypes::enum_column("kind", codes(&c.kind, |v| v as u8)),
                topic,
                complaint_type,
                dtypes::enum_column("priority", opt_codes(&c.priority, |v| v as u8)),
                dtypes::enum_column("complexity", opt_codes(&c.complexity, |v| v as u8)),
                Column::new("arrived_ms".into(), c.arrived_ms),
                opt_column::<Int64Type, _>("answered_ms", c.answered_ms),
                opt_column::<Int64Type, _>("resolved_ms", c.resolved_ms),
                opt_column::<Float64Type, _>("wait_s", c.wait_s),
                opt_column::<Float64Type, _>("handle_s", c.handle_s),
                opt_column::<BooleanType, _>("resolved_flag", c.resolved_flag),
                opt_column::<BooleanType, _>("answered_flag", c.answered_flag),
                opt_column::<BooleanType, _>("fcr", c.fcr),
                agent_id,
                agent_name,
                team,
                opt_column::<Float64Type, _>("satisfaction", c.satisfaction),
            ],
        )?)
    }
}

/// Accepted contacts from the row-by-row readers, column-wise.
#[derive(Default)]
struct ContactCols {
    scalars: ContactScalars,
    contact_id: Vec<String>,
    topic: Vec<Option<String>>,
    complaint_type: Vec<Option<String>>,
    agent_id: Vec<Option<String>>,
    agent_name: Vec<Option<String>>,
    team: Vec<Option<String>>,
}

impl ContactCols {
    fn push(&mut self, key: u64, v: ContactValues<'_>) {
        self.scalars.push(key, &v);
        let own = |c: Option<Cow<str>>| c.map(Cow::into_owned);
        self.contact_id.push(v.id.into_owned());
        self.topic.push(own(v.topic));
        self.complaint_type.push(own(v.complaint_type));
        self.agent_id.push(own(v.agent_id));
        self.agent_name.push(own(v.agent_name));
        self.team.push(own(v.team));
    }

    fn is_empty(&self) -> bool {
        self.scalars.key.is_empty()
    }

    fn into_frame(self) -> Result<DataFrame> {
        let c = self;
        let label = |name: &str, v: &[Option<String>]| {
            dtypes::label_column(name, v.iter().map(Option::as_deref))
        };
        c.scalars.into_frame(
            str_col("contact_id", &c.contact_id),
            [
                label("topic", &c.topic)?,
                label("complaint_type", &c.complaint_type)?,
                label("agent_id", &c.agent_id)?,
                label("agent_name", &c.agent_name)?,
                label("team", &c.team)?,
            ],
        )
    }
}

/// The accepted rows of one text column of a block range, as [`text`] (for `contact_id`)
/// or [`label`] reads each cell. `None` in `file_col`: the file lacks the column.
fn range_text<'t>(
    split: &'t ingest::Split<'t>,
    file_col: Option<usize>,
    keep: &'t [bool],
    is_label: bool,
) -> impl Iterator<Item = Option<Cow<'t, str>>> + 't {
    keep.iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(move |(j, _)| {
            let c = file_col
                .and_then(|p| split.get(j, p))
                .map_or(Cell::Empty, Cell::Text);
            if is_label {
                label(&c)
            } else {
                text(&c)
            }
        })
}

/// Rows a range of a block is checked in at a time (see [`ContactSink::block`]). Unit
/// tests check row by row, to cross as many boundaries as there are rows.
#[cfg(not(test))]
const SUB_RANGE: usize = 2048;
#[cfg(test)]
const SUB_RANGE: usize = 1;

/// Split `0..n` into ranges for the thread pool.
fn ranges(n: usize) -> Vec<std::ops::Range<usize>> {
    let step = (n / (rayon::current_num_threads() * 4)).max(8192);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

/// Check every row of a block on the thread pool, range by range: `step` checks row `i`
/// (its cells filled in) and keeps it in the range's accumulator, or says why not; each
/// range's accumulator becomes one frame in `parts`, and each rejection goes to the ledger
/// with the row's sort key `key(i)`.
fn check_block<'a, C: Default>(
    block: &ingest::Block<'a>,
    step: impl Fn(&mut C, usize, &[Cell<'a>]) -> std::result::Result<(), RowError> + Sync,
    finish: impl Fn(C) -> Result<DataFrame> + Sync,
    key: impl Fn(usize) -> u64 + Sync,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<()> {
    use rayon::prelude::*;
    let results: Vec<Result<BlockPart>> = ranges(block.len())
        .into_par_iter()
        .map(|r| {
            let split = block.split(r.clone());
            let mut acc = C::default();
            let mut rejected = Vec::new();
            let mut cells = vec![Cell::Empty; block.width()];
            for (j, i) in r.enumerate() {
                split.fill(j, &mut cells);
                if let Err(e) = step(&mut acc, i, &cells) {
                    rejected.push((key(i), e));
                }
            }
            Ok((finish(acc)?, rejected))
        })
        .collect();
    take_block_parts(results, block.len(), parts, ledger)
}

/// Account for a block checked range by range: each range's accepted rows become a part,
/// its rejected rows go to the ledger.
fn take_block_parts(
    results: Vec<Result<BlockPart>>,
    height: usize,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<()> {
    ledger.counts.read += height as u64;
    for r in results {
        let (df, rejected) = r?;
        if df.height() > 0 {
            parts.push(df);
        }
        for (key, (column, reason)) in rejected {
            ledger.reject(key, column, reason);
        }
    }
    Ok(())
}

/// The hashes that occur more than once in `hashes`.
pub(crate) fn repeated_hashes(
    mut hashes: Vec<u64>,
) -> std::collections::HashSet<u64, foldhash::fast::FixedState> {
    use rayon::prelude::*;
    hashes.par_sort_unstable();
    hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect()
}

/// Rows that repeat an earlier row's id: `(row, first row)` positions in frame order. Every
/// id is hashed in parallel and the hashes sorted; only ids whose hash repeats are then
/// compared as text, in frame order.
fn duplicates(df: &DataFrame, id: &str) -> Result<Vec<(usize, usize)>> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let ids = df.column(id)?.str()?;
    let state = foldhash::fast::FixedState::default();
    let arrays: Vec<_> = ids.downcast_iter().collect();
    let hashes: Vec<u64> = arrays
        .par_iter()
        .flat_map_iter(|a| a.values_iter().map(|v| state.hash_one(v)))
        .collect();
    let repeated = repeated_hashes(hashes);
    if repeated.is_empty() {
        return Ok(Vec::new());
    }
    // The rows whose hash repeats, found in parallel array by array, then compared in order.
    let mut offsets = Vec::with_capacity(arrays.len());
    let mut at = 0usize;
    for a in &arrays {
        offsets.push(at);
        at += a.len();
    }
    let candidates: Vec<(usize, &str)> = arrays
        .par_iter()
        .zip(offsets)
        .flat_map_iter(|(a, offset)| {
            let (repeated, state) = (&repeated, &state);
            a.iter().enumerate().filter_map(move |(j, v)| {
                let v = v?;
                repeated
                    .contains(&state.hash_one(v))
                    .then_some((offset + j, v))
            })
        })
        .collect();
    let mut first: FastMap<&str, usize> = FastMap::default();
    let mut out = Vec::new();
    for (i, v) in candidates {
        match first.entry(v) {
            std::collections::hash_map::Entry::Occupied(e) => out.push((i, *e.get())),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    Ok(out)
}

/// Concatenate the parts (in key order), drop the rows whose id repeats an earlier row's
/// (listed as duplicates in the ledger) and the key column.
fn finish_parts(
    parts: Vec<DataFrame>,
    empty: DataFrame,
    id: &str,
    id_column: &str,
    ledger: &mut Ledger,
) -> Result<DataFrame> {
    let mut df = if parts.is_empty() {
        empty
    } else {
        let mut parts = parts.into_iter();
        let mut df = parts.next().unwrap_or(empty);
        for p in parts {
            df.vstack_mut_owned(p)?;
        }
        df
    };
    let dups = duplicates(&df, id)?;
    if !dups.is_empty() {
        let keys = df.column(KEY)?.u64()?.clone();
        let mut keep = vec![true; df.height()];
        for (i, f) in dups {
            keep[i] = false;
            let (k, fk) = (keys.get(i).unwrap_or(0), keys.get(f).unwrap_or(0));
            let why = ledger.duplicate_of(fk);
            ledger.reject(k, id_column.to_string(), why);
        }
        df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    }
    Ok(df.drop(KEY)?)
}

/// The checks named when a converted contact row breaks [`contact_check`].
const EVERY_CONTACT: &str = "every contact passes (unknown channel, reply before arrival, negative duration, score off the scale, ...)";

/// Whether column `c` holds one of `values`.
fn one_of(c: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .fold(lit(false), |e, v| e.or(col(c).eq(lit(*v))))
}

/// Whether `channel` is a canonical channel.
fn known_channel() -> Expr {
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    one_of("channel", &channels)
}

/// The invariants the row checks enforce on every accepted contact, as an expression over
/// the normalized columns (a `cseval convert` file whose rows break it was altered).
pub fn contact_check(survey: &SurveyCfg) -> Expr {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|c| c.as_str()).collect();
    let priorities: Vec<&str> = Priority::ALL.iter().map(|c| c.as_str()).collect();
    let complexities: Vec<&str> = Complexity::ALL.iter().map(|c| c.as_str()).collect();
    let optional = |c: &str, ok: Expr| col(c).is_null().or(ok);
    let (lo, hi) = (survey.scale_min, survey.scale_max);
    let good = col("contact_id")
        .is_not_null()
        .and(known_channel())
        .and(one_of("kind", &kinds))
        .and(optional("priority", one_of("priority", &priorities)))
        .and(optional("complexity", one_of("complexity", &complexities)))
        .and(col("arrived_ms").is_not_null())
        .and(optional(
            "answered_ms",
            col("answered_ms").gt_eq(col("arrived_ms")),
        ))
        .and(optional(
            "resolved_ms",
            col("resolved_ms").gt_eq(col("arrived_ms")),
        ))
        .and(optional(
            "resolved_ms",
            col("answered_ms")
                .is_null()
                .or(col("resolved_ms").gt_eq(col("answered_ms"))),
        ))
        .and(optional(
            "wait_s",
            col("wait_s")
                .gt_eq(lit(0.0))
                .and(col("wait_s").lt(lit(f64::INFINITY))),
        ))
        .and(optional(
            "handle_s",
            col("handle_s")
                .gt_eq(lit(0.0))
                .and(col("handle_s").lt(lit(f64::INFINITY))),
        ))
        .and(optional(
            "satisfaction",
            col("satisfaction")
                .gt_eq(lit(lo))
                .and(col("satisfaction").lt_eq(lit(hi))),
        ));
    good
}

/// Builds canonical contacts from ingested rows.
pub struct ContactSink<'a> {
    tz: Tz,
    survey: &'a SurveyCfg,
    /// Rows from the row-by-row readers, not yet moved into `parts`.
    cols: ContactCols,
    /// Accepted rows so far, as frames in reading order.
    parts: Vec<DataFrame>,
    pos: Vec<Option<usize>>,
    pub ledger: Ledger,
    /// A failure to build a part while rows were arriving, reported by `into_frame`.
    failed: Option<Error>,
}

/// Rows the row-by-row readers collect before they become a frame part: the part is built
/// while the reader waits for the next rows, not all at the end. A few rows in unit tests,
/// so that their row-by-row reads are split into parts.
const ROWS_PER_PART: usize = if cfg!(test) { 3 } else { 1 << 16 };

impl<'a> ContactSink<'a> {
    pub fn new(tz: Tz, survey: &'a SurveyCfg) -> Self {
        ContactSink {
            tz,
            survey,
            cols: ContactCols::default(),
            parts: Vec::new(),
            pos: Vec::new(),
            ledger: Ledger::new("contacts"),
            failed: None,
        }
    }

    /// Move the row-by-row rows into a part.
    fn flush(&mut self) -> Result<()> {
        if !self.cols.is_empty() {
            let cols = std::mem::take(&mut self.cols);
            self.parts.push(cols.into_frame()?);
        }
        Ok(())
    }

    /// The accepted contacts as a frame (one row per contact, the first of each id), the
    /// rejected rows in reading order and the counts. `has_survey` is false throughout
    /// until [`link_surveys`] sets it.
    pub fn into_frame(mut self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.flush()?;
        let empty = ContactCols::default().into_frame()?;
        let parts = std::mem::take(&mut self.parts);
        let df = finish_parts(parts, empty, "contact_id", "contact_id", &mut self.ledger)?;
        let n = df.height();
        let mut df = df;
        df.with_column(Column::new("has_survey".into(), vec![false; n]))?;
        let (rej, counts) = self.ledger.finish(n as u64);
        Ok((df, rej, counts))
    }
}

impl RowSink for ContactSink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.pos = map_headers(headers, CONTACT_COLUMNS);
        let missing: Vec<&str> = [cc::CONTACT_ID, cc::CHANNEL, cc::ARRIVED_AT]
            .into_iter()
            .filter(|k| self.pos[*k].is_none())
            .map(|k| CONTACT_COLUMNS[k])
            .collect();
        if !missing.is_empty() {
            return Err(Error::input(format!(
                "{}: required column(s) missing: {} (found: {})",
                self.ledger.file(),
                missing.join(", "),
                headers.join(", ")
            ))
            .with_hint("rename the columns to the canonical names listed in the README (spec/contact-record.md)"));
        }
        Ok(())
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        self.ledger.counts.read += 1;
        let key = self.ledger.key(row_no);
        let pos = &self.pos;
        match check_contact(|k| cell_at(pos, cells, k).clone(), self.tz, self.survey) {
            Ok(v) => self.cols.push(key, v),
            Err((column, reason)) => self.ledger.reject(key, column, reason),
        }
        if self.cols.scalars.key.len() >= ROWS_PER_PART {
            if let Err(e) = self.flush() {
                self.failed.get_or_insert(e);
            }
        }
    }

    /// A `cseval convert` file: taken as it is when its schema is the normalized one and
    /// every row keeps the invariants the row checks enforce; a file that breaks them was
    /// altered after conversion and is refused whole.
    fn normalized(&mut self, file: &InputFile, table: &DataFrame) -> Result<bool> {
        let want = dtypes::to_file(ContactCols::default().into_frame()?)?;
        if !same_schema(table, &want) {
            return Ok(false);
        }
        self.flush()?;
        self.ledger.open(file);
        let good = contact_check(self.survey);
        take_normalized(
            file,
            table,
            good,
            EVERY_CONTACT,
            &mut self.parts,
            &mut self.ledger,
        )
    }

    /// The same checks as [`RowSink::row`], on ranges of rows in parallel, each range's
    /// accepted rows becoming one frame. Each range splits its own lines; the values are
    /// parsed column by column (see [`check_contact_range`]), the labels go straight into
    /// their categoricals (see [`dtypes`]).
    fn block(&mut self, block: &ingest::Block<'_>) -> Result<()> {
        use rayon::prelude::*;
        self.flush()?;
        let (tz, survey, pos) = (self.tz, self.survey, &self.pos);
        let file = self.ledger.file_index();
        let rows = block.rows();
        let results: Vec<Result<BlockPart>> = ranges(block.len())
            .into_par_iter()
            .map(|r| {
                let key = |i: usize| row_key(file, rows[i]);
                let mut acc = ContactScalars::default();
                acc.reserve(r.len());
                let mut keep = Vec::with_capacity(r.len());
                let mut rejected = Vec::new();
                let mut contact_id = StringChunkedBuilder::new("contact_id".into(), r.len());
                let mut labels = [
                    (cc::TOPIC, "topic"),
                    (cc::COMPLAINT_TYPE, "complaint_type"),
                    (cc::AGENT_ID, "agent_id"),
                    (cc::AGENT_NAME, "agent_name"),
                    (cc::TEAM, "team"),
                ]
                .map(|(k, name)| (k, dtypes::LabelIds::new(name, r.len())));
                // A few thousand rows at a time: their cells' bounds and text stay in the
                // core's cache while every column is read from them in turn.
                for sub in r
                    .clone()
                    .step_by(SUB_RANGE)
                    .map(|s| s..(s + SUB_RANGE).min(r.end))
                {
                    let split = block.split(sub.clone());
                    let (sub_keep, sub_rejected) =
                        check_contact_range(&split, pos, sub.clone(), tz, survey, &mut acc);
                    rejected.extend(sub_rejected.into_iter().map(|(i, e)| (key(i), e)));
                    for v in range_text(&split, pos[cc::CONTACT_ID], &sub_keep, false) {
                        contact_id.append_option(v);
                    }
                    // Where this sub-range's agent ids start.
                    let from = labels[2].1.ids().len();
                    let [topic, complaint, agent, name, team] = &mut labels;
                    for (k, ids) in [topic, complaint, &mut *agent] {
                        for v in range_text(&split, pos[*k], &sub_keep, true) {
                            ids.push(v.as_deref())?;
                        }
                    }
                    // An agent's name and team mostly repeat with the agent's id.
                    let agents = &agent.1.ids()[from..];
                    for (k, ids) in [name, team] {
                        for (a, v) in agents
                            .iter()
                            .zip(range_text(&split, pos[*k], &sub_keep, true))
                        {
                            ids.push_keyed(*a, v.as_deref())?;
                        }
                    }
                    keep.extend(sub_keep);
                }
                if keep.iter().any(|k| !k) {
                    acc.retain(&keep);
                }
                acc.key = r
                    .clone()
                    .zip(&keep)
                    .filter(|(_, k)| **k)
                    .map(|(i, _)| key(i))
                    .collect();
                let [a, b, c, d, e] = labels.map(|(_, ids)| ids.finish());
                let contact_id = contact_id.finish().into_column();
                Ok((acc.into_frame(contact_id, [a?, b?, c?, d?, e?])?, rejected))
            })
            .collect();
        take_block_parts(results, block.len(), &mut self.parts, &mut self.ledger)
    }
}

/// Local wall-clock times to Unix milliseconds with the zone's offset cached per local
/// hour: an hour whose two ends have one and the same offset keeps it throughout (offsets
/// never change twice within an hour). Other hours (a daylight-saving change) get `None`
/// and are left to [`parse_timestamp`].
struct LocalToUtc {
    tz: Tz,
    /// `(local hour, offset in ms or NO_OFFSET)`, direct-mapped by hour.
    slots: [(i64, i64); 64],
}

const NO_OFFSET: i64 = i64::MIN;

impl LocalToUtc {
    fn new(tz: Tz) -> Self {
        LocalToUtc {
            tz,
            slots: [(i64::MIN, NO_OFFSET); 64],
        }
    }

    /// The instant of the local wall-clock time `local_ms` (see [`parse_common_ms`]).
    fn to_utc(&mut self, local_ms: i64) -> Option<i64> {
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
fn non_blank(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|&b| b > b' ' && b < 0x80) || !s.trim().is_empty()
}

/// Run `parse` over rows `r` of one column (`None`: the file lacks it), pushing each value
/// to `out`; a row `parse` is unsure of gets `fallback` and loses its `sure` mark.
fn column_kernel<'t, T: Copy>(
    values: impl ExactSizeIterator<Item = Option<&'t str>>,
    out: &mut Vec<T>,
    sure: &mut [bool],
    fallback: T,
    mut parse: impl FnMut(Option<&'t str>) -> Option<T>,
) {
    out.reserve_exact(values.len());
    for (j, v) in values.enumerate() {
        match parse(v) {
            Some(v) => out.push(v),
            None => {
                sure[j] = false;
                out.push(fallback);
            }
        }
    }
}

/// Check rows `r` of a block column by column. Tight kernels take the clean, common
/// values (canonical spellings, `YYYY-MM-DD HH:MM:SS`, plain numbers) with exactly the
/// results [`check_contact`] gives them; every row a kernel is unsure of (anything else,
/// including every row with a problem) goes through [`check_contact`], which decides and
/// names the problem. Appends the parsed values of every row to `c` (a rejected row's are
/// placeholders, and `key` is left as it is); returns which rows are accepted and the
/// rejections by row index.
fn check_contact_range(
    split: &ingest::Split<'_>,
    pos: &[Option<usize>],
    r: std::ops::Range<usize>,
    tz: Tz,
    survey: &SurveyCfg,
    c: &mut ContactScalars,
) -> (Vec<bool>, Vec<(usize, RowError)>) {
    let n = r.len();
    let mut sure = vec![true; n];
    // The range's first row in `c`.
    let base = c.arrived_ms.len();
    // Canonical column `k` of the range's rows.
    let a = |k: usize| (0..n).map(move |j| pos[k].and_then(|p| split.get(j, p)));
    let (lo, hi) = (survey.scale_min, survey.scale_max);
    for (j, v) in a(cc::CONTACT_ID).enumerate() {
        if !v.is_some_and(non_blank) {
            sure[j] = false;
        }
    }
    column_kernel(
        a(cc::CHANNEL),
        &mut c.channel,
        &mut sure,
        Channel::Other,
        |v| Channel::parse(v?),
    );
    column_kernel(
        a(cc::KIND),
        &mut c.kind,
        &mut sure,
        Kind::Other,
        |v| match v {
            None => Some(Kind::Consultation),
            Some(s) => Kind::parse(s),
        },
    );
    column_kernel(
        a(cc::PRIORITY),
        &mut c.priority,
        &mut sure,
        None,
        |v| match v {
            None => Some(None),
            Some(s) => Priority::parse(s).map(Some),
        },
    );
    column_kernel(
        a(cc::COMPLEXITY),
        &mut c.complexity,
        &mut sure,
        None,
        |v| match v {
            None => Some(None),
            Some(s) => Complexity::parse(s).map(Some),
        },
    );
    let mut zone = LocalToUtc::new(tz);
    column_kernel(a(cc::ARRIVED_AT), &mut c.arrived_ms, &mut sure, 0, |v| {
        zone.to_utc(parse_common_ms(v?)?)
    });
    for (k, out) in [
        (cc::ANSWERED_AT, &mut c.answered_ms),
        (cc::RESOLVED_AT, &mut c.resolved_ms),
    ] {
        column_kernel(a(k), out, &mut sure, None, |v| match v {
            None => Some(None),
            Some(s) => zone.to_utc(parse_common_ms(s)?).map(Some),
        });
    }
    let number = |v: Option<&str>, ok: &dyn Fn(f64) -> bool| match v {
        None => Some(None),
        // A plain number (no blanks around it) parses as `parse_number` reads it.
        Some(s) => s.parse::<f64>().ok().filter(|&x| ok(x)).map(Some),
    };
    let duration = |x: f64| x.is_finite() && x >= 0.0;
    column_kernel(a(cc::WAIT_SECONDS), &mut c.wait_s, &mut sure, None, |v| {
        number(v, &duration)
    });
    column_kernel(
        a(cc::HANDLE_SECONDS),
        &mut c.handle_s,
        &mut sure,
        None,
        |v| number(v, &duration),
    );
    column_kernel(
        a(cc::SATISFACTION),
        &mut c.satisfaction,
        &mut sure,
        None,
        |v| number(v, &|x| x.is_finite() && x >= lo && x <= hi),
    );
    for (k, out) in [
        (cc::RESOLVED, &mut c.resolved_flag),
        (cc::ANSWERED, &mut c.answered_flag),
        (cc::FCR, &mut c.fcr),
    ] {
        column_kernel(a(k), out, &mut sure, None, |v| match v {
            None => Some(None),
            Some(s) => parse_bool(s).map(Some),
        });
    }
    // The order of the three times.
    for j in 0..n {
        let (at, answered, resolved) = (
            c.arrived_ms[base + j],
            c.answered_ms[base + j],
            c.resolved_ms[base + j],
        );
        if answered.is_some_and(|t| t < at)
            || resolved.is_some_and(|t| t < at)
            || matches!((answered, resolved), (Some(x), Some(y)) if y < x)
        {
            sure[j] = false;
        }
    }
    let mut keep = vec![true; n];
    let mut rejected = Vec::new();
    for (j, i) in r.enumerate() {
        if sure[j] {
            continue;
        }
        let cell = |k: usize| {
            pos[k]
                .and_then(|p| split.get(j, p))
                .map_or(Cell::Empty, Cell::Text)
        };
        match check_contact(cell, tz, survey) {
            Ok(v) => c.set(base + j, &v),
            Err(e) => {
                keep[j] = false;
                rejected.push((i, e));
            }
        }
    }
    (keep, rejected)
}

/// Whether `table` has the columns and types of `want` without its leading `_key`.
fn same_schema(table: &DataFrame, want: &DataFrame) -> bool {
    let want: Vec<(&str, &DataType)> = want
        .columns()
        .iter()
        .skip(1)
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    let have: Vec<(&str, &DataType)> = table
        .columns()
        .iter()
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    want == have
}

/// Refuse a normalized table (read from `path`) with a row that breaks `good`: such a row,
/// breaking the checks `checks` names, was altered after conversion.
fn check_normalized(path: &Path, table: &DataFrame, good: Expr, checks: &str) -> Result<()> {
    let bad = table
        .clone()
        .lazy()
        .select([good.not().cast(DataType::Int64).sum().alias("bad")])
        .collect()?;
    let bad = bad.columns()[0].get(0)?.extract::<i64>().unwrap_or(0);
    if bad > 0 {
        return Err(Error::input(format!(
            "{}: {bad} row(s) break the checks {checks}: the file was changed after `cseval convert`",
            path.display()
        ))
        .with_hint("convert the original export again with `cseval convert`"));
    }
    Ok(())
}

/// Take a normalized table whose every row satisfies `good`, else refuse the whole file:
/// a row that breaks the checks `checks` names was altered after conversion.
fn take_normalized(
    file: &InputFile,
    table: &DataFrame,
    good: Expr,
    checks: &str,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<bool> {
    check_normalized(&file.path, table, good, checks)?;
    ledger.counts.read += table.height() as u64;
    parts.push(with_keys(
        &dtypes::to_memory(table.clone())?,
        ledger.file_index(),
    )?);
    Ok(true)
}

/// A normalized table with the sort keys of its rows (data row `i` is file row `i + 2`).
fn with_keys(table: &DataFrame, file: u32) -> Result<DataFrame> {
    let keys: Vec<u64> = (0..table.height() as u64)
        .map(|i| row_key(file, i + 2))
        .collect();
    let mut cols = vec![Column::new(KEY.into(), keys)];
    cols.extend(table.columns().iter().cloned());
    Ok(DataFrame::new(table.height(), cols)?)
}

/// Name of the survey column holding the row of the linked contact in the contacts frame
/// (null: no accepted contact has the survey's `contact_id`). Internal: never written out.
pub const CONTACT_ROW: &str = "_contact_row";

/// Link survey responses to contacts by `contact_id`: `has_survey` on the contacts that a
/// response links to (their inline score then does not count), and [`CONTACT_ROW`] on the
/// responses, so that the KPI stage reads a response's channel, agent and topic by row
/// instead of joining the contacts again. Contact ids are unique (duplicates are gone), so
/// a response links to at most one contact. Neither frame is copied.
pub fn link_surveys(
    mut contacts: DataFrame,
    mut surveys: DataFrame,
) -> Result<(DataFrame, DataFrame)> {
    use rayon::prelude::*;
    let t = std::time::Instant::now();
    let survey_ids = surveys.column("contact_id")?.str()?.clone();
    // Array by array: `ChunkedArray::iter` makes a dynamic call per value.
    let sids: Vec<Option<&str>> = survey_ids.downcast_iter().flat_map(|a| a.iter()).collect();
    // Each contact id's responses: the last found, the others through it.
    let table = ids::IdTable::new(&sids);
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: table");
    let t = std::time::Instant::now();
    // Chunk by chunk of the ids, so that `has_survey` has the frame's chunk layout.
    let ids = contacts.column("contact_id")?.str()?.clone();
    let parts: Vec<(BooleanChunked, Vec<(u32, u32)>)> = chunk_ranges(&ids)
        .into_par_iter()
        .map(|(offset, len)| {
            let part = ids.slice(offset as i64, len);
            let mut links = Vec::new();
            let mut has = Vec::with_capacity(len);
            table.find_all(part.downcast_iter().flat_map(|a| a.iter()), |hit| {
                if let Some(h) = hit {
                    links.push((h, (offset + has.len()) as u32));
                }
                has.push(hit.is_some());
            });
            (BooleanChunked::from_slice("has_survey".into(), &has), links)
        })
        .collect();
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: probe");
    let t = std::time::Instant::now();
    let mut has_survey = BooleanChunked::full("has_survey".into(), false, 0);
    let mut row: Vec<Option<u32>> = vec![None; sids.len()];
    for (has, links) in parts {
        has_survey.append_owned(has)?;
        for (last, j) in links {
            for i in table.with_same_id(last) {
                row[i as usize] = Some(j);
            }
        }
    }
    drop(table);
    contacts.with_column(has_survey.with_name("has_survey".into()).into_column())?;
    surveys.with_column(opt_column::<UInt32Type, _>(CONTACT_ROW, row))?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "link: rows");
    Ok((contacts, surveys))
}

/// One survey response, checked and parsed.
struct SurveyValues<'c> {
    rid: Cow<'c, str>,
    contact_id: Option<Cow<'c, str>>,
    responded: Option<i64>,
    score: f64,
    nps: Option<f64>,
}

fn check_survey<'c>(
    pos: &[Option<usize>],
    cells: &[Cell<'c>],
    tz: Tz,
    survey: &SurveyCfg,
    file: &str,
    row_no: u64,
) -> std::result::Result<SurveyValues<'c>, RowError> {
    let get = |k: usize| cell_at(pos, cells, k);
    let score_cell = get(sc::SCORE);
    if score_cell.is_empty() {
        return Err(("score".into(), "missing (required)".into()));
    }
    let score = parse_number(score_cell).map_err(|e| ("score".to_string(), e))?;
    if score < survey.scale_min || score > survey.scale_max {
        return Err((
            "score".into(),
            format!(
                "score {score} outside the survey scale {}..{}",
                survey.scale_min, survey.scale_max
            ),
        ));
    }
    let nps = match get(sc::NPS) {
        c if c.is_empty() => None,
        c => {
            let v = parse_number(c).map_err(|e| ("nps".to_string(), e))?;
            if !(0.0..=10.0).contains(&v) {
                return Err(("nps".into(), format!("{v} outside 0..10")));
            }
            Some(v)
        }
    };
    let responded = match get(sc::RESPONDED_AT) {
        c if c.is_empty() => None,
        c => Some(parse_timestamp(c, tz).map_err(|e| ("responded_at".to_string(), e))?),
    };
    let rid = text(get(sc::RESPONSE_ID)).unwrap_or_else(|| Cow::Owned(format!("{file}#{row_no}")));
    Ok(SurveyValues {
        rid,
        contact_id: text(get(sc::CONTACT_ID)),
        responded,
        score,
        nps,
    })
}

/// The values of a survey row whose cells are all in their commonest forms (plain numbers,
/// a `YYYY-MM-DD HH:MM:SS` time in an hour with one offset, an id), as [`check_survey`]
/// gives them, by the ingest kernels' arithmetic; `None` leaves the row to
/// [`check_survey`], which decides it and names any problem.
fn survey_plain<'c>(
    pos: &[Option<usize>],
    cells: &[Cell<'c>],
    zone: &mut LocalToUtc,
    survey: &SurveyCfg,
) -> Option<SurveyValues<'c>> {
    let get = |k: usize| cell_at(pos, cells, k);
    let plain = |c: &Cell<'c>| match c {
        Cell::Text(s) => Some(*s),
        _ => None,
    };
    // A plain number (no blanks around it) parses as `parse_number` reads it.
    let number =
        |k: usize, ok: &dyn Fn(f64) -> bool| plain(get(k))?.parse::<f64>().ok().filter(|&x| ok(x));
    let score = number(sc::SCORE, &|x| {
        x.is_finite() && x >= survey.scale_min && x <= survey.scale_max
    })?;
    let nps = match get(sc::NPS) {
        c if c.is_empty() => None,
        _ => Some(number(sc::NPS, &|x| (0.0..=10.0).contains(&x))?),
    };
    let responded = match get(sc::RESPONDED_AT) {
        c if c.is_empty() => None,
        c => Some(zone.to_utc(parse_common_ms(plain(c)?)?)?),
    };
    Some(SurveyValues {
        // Without an id, the row's stand-in id is `check_survey`'s to make.
        rid: text(get(sc::RESPONSE_ID))?,
        contact_id: text(get(sc::CONTACT_ID)),
        responded,
        score,
        nps,
    })
}

/// A block range's accepted survey responses, and its cache of the zone's offsets.
#[derive(Default)]
struct SurveyAcc<'c> {
    cols: SurveyCols<Cow<'c, str>>,
    zone: Option<LocalToUtc>,
}

/// Accepted survey responses, column-wise.
struct SurveyCols<S> {
    key: Vec<u64>,
    response_id: Vec<S>,
    contact_id: Vec<Option<S>>,
    responded_ms: Vec<Option<i64>>,
    score: Vec<f64>,
    nps: Vec<Option<f64>>,
}

impl<S> Default for SurveyCols<S> {
    fn default() -> Self {
        SurveyCols {
            key: Vec::new(),
            response_id: Vec::new(),
            contact_id: Vec::new(),
            responded_ms: Vec::new(),
            score: Vec::new(),
            nps: Vec::new(),
        }
    }
}

impl<S: AsRef<str>> SurveyCols<S> {
    fn push<'c>(&mut self, key: u64, v: SurveyValues<'c>)
    where
        S: From<Cow<'c, str>>,
    {
        self.key.push(key);
        self.response_id.push(v.rid.into());
        self.contact_id.push(v.contact_id.map(S::from));
        self.responded_ms.push(v.responded);
        self.score.push(v.score);
        self.nps.push(v.nps);
    }

    fn into_frame(self) -> Result<DataFrame> {
        let c = self;
        Ok(DataFrame::new(
            c.key.len(),
            vec![
                Column::new(KEY.into(), c.key),
                str_col("response_id", &c.response_id),
                opt_str_col("contact_id", &c.contact_id),
                opt_column::<Int64Type, _>("responded_ms", c.responded_ms),
                Column::new("score".into(), c.score),
                opt_column::<Float64Type, _>("nps", c.nps),
            ],
        )?)
    }
}

/// Builds canonical survey responses from ingested rows.
pub struct SurveySink<'a> {
    tz: Tz,
    survey: &'a SurveyCfg,
    cols: SurveyCols<String>,
    parts: Vec<DataFrame>,
    pos: Vec<Option<usize>>,
    pub ledger: Ledger,
}

impl<'a> SurveySink<'a> {
    pub fn new(tz: Tz, survey: &'a SurveyCfg) -> Self {
        SurveySink {
            tz,
            survey,
            cols: SurveyCols::default(),
            parts: Vec::new(),
            pos: Vec::new(),
            ledger: Ledger::new("surveys"),
        }
    }

    fn flush(&mut self) -> Result<()> {
        if !self.cols.key.is_empty() {
            let cols = std::mem::take(&mut self.cols);
            self.parts.push(cols.into_frame()?);
        }
        Ok(())
    }

    pub fn into_frame(mut self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        self.flush()?;
        let empty = SurveyCols::<String>::default().into_frame()?;
        let parts = std::mem::take(&mut self.parts);
        let df = finish_parts(parts, empty, "response_id", "response_id", &mut self.ledger)?;
        let n = df.height() as u64;
        let (rej, counts) = self.ledger.finish(n);
        Ok((df, rej, counts))
    }
}

impl RowSink for SurveySink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.pos = map_headers(headers, SURVEY_COLUMNS);
        if self.pos[sc::SCORE].is_none() {
            return Err(Error::input(format!(
                "{}: required survey column `score` missing (found: {})",
                self.ledger.file(),
                headers.join(", ")
            ))
            .with_hint("rename the overall-satisfaction column to `score`"));
        }
        Ok(())
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        self.ledger.counts.read += 1;
        let key = self.ledger.key(row_no);
        let file = self.ledger.file();
        match check_survey(&self.pos, cells, self.tz, self.survey, file, row_no) {
            Ok(v) => self.cols.push(key, v),
            Err((column, reason)) => self.ledger.reject(key, column, reason),
        }
    }

    fn normalized(&mut self, file: &InputFile, table: &DataFrame) -> Result<bool> {
        let want = SurveyCols::<String>::default().into_frame()?;
        if !same_schema(table, &want) {
            return Ok(false);
        }
        self.flush()?;
        self.ledger.open(file);
        let (lo, hi) = (self.survey.scale_min, self.survey.scale_max);
        let good = col("response_id")
            .is_not_null()
            .and(col("score").gt_eq(lit(lo)).and(col("score").lt_eq(lit(hi))))
            .and(
                col("nps")
                    .is_null()
                    .or(col("nps").gt_eq(lit(0.0)).and(col("nps").lt_eq(lit(10.0)))),
            );
        take_normalized(
            file,
            table,
            good,
            "every survey response passes (score off the scale, NPS outside 0..10, no id)",
            &mut self.parts,
            &mut self.ledger,
        )
    }

    fn block(&mut self, block: &ingest::Block<'_>) -> Result<()> {
        self.flush()?;
        let (pos, tz, survey) = (&self.pos, self.tz, self.survey);
        let file_index = self.ledger.file_index();
        let file = self.ledger.files.last().cloned().unwrap_or_default();
        let rows = block.rows();
        check_block(
            block,
            |acc: &mut SurveyAcc, i, cells| {
                let zone = acc.zone.get_or_insert_with(|| LocalToUtc::new(tz));
                let v = match survey_plain(pos, cells, zone, survey) {
                    Some(v) => v,
                    None => check_survey(pos, cells, tz, survey, &file, rows[i])?,
                };
                acc.cols.push(row_key(file_index, rows[i]), v);
                Ok(())
            },
            |acc| acc.cols.into_frame(),
            |i| row_key(file_index, rows[i]),
            &mut self.parts,
            &mut self.ledger,
        )
    }
}

/// Feed a small comma-separated table (header first, no quoting) into a sink: unit tests.
#[cfg(test)]
pub(crate) fn feed_csv(sink: &mut dyn RowSink, csv: &str) {
    let file = InputFile {
        path: "t.csv".into(),
        sha256: String::new(),
        rows: 0,
    };
    let mut lines = csv.lines();
    let headers: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    sink.header(&file, &headers).unwrap();
    for (i, line) in lines.enumerate() {
        let cells: Vec<Cell> = line
            .split(',')
            .map(|v| {
                if v.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(v)
                }
            })
            .collect();
        sink.row(i as u64 + 2, &cells);
    }
}

/// A contacts frame with no row: what the contacts of a run read from partitions start as.
pub fn empty_contacts() -> Result<DataFrame> {
    let mut contacts = ContactCols::default().into_frame()?.drop(KEY)?;
    contacts.with_column(Column::new("has_survey".into(), Vec::<bool>::new()))?;
    Ok(contacts)
}

/// Everything ingested and normalized for a run.
pub struct Dataset {
    /// The accepted contacts: all of them, or, for normalized Parquet partitions, those of
    /// the period asked last and those its responses and inspections link to.
    pub contacts: DataFrame,
    /// Accepted contacts not in `contacts` (0 when all are loaded).
    pub contacts_elsewhere: u64,
    pub surveys: DataFrame,
    pub inputs: Vec<InputFile>,
    pub survey_inputs: Vec<InputFile>,
    pub rejections: Vec<Rejection>,
    pub contact_rows: RowCounts,
    pub survey_rows: RowCounts,
    /// Quality inspections (empty without `--inspections`) and their criterion checks.
    pub inspections: DataFrame,
    pub criteria: DataFrame,
    pub inspection_inputs: Vec<InputFile>,
    pub inspection_rows: RowCounts,
}

/// A run's inputs: the dataset, with the contacts either all loaded or left in their
/// Parquet partitions and read for each period asked (see [`partitions`]).
pub struct Inputs {
    data: Dataset,
    parts: Option<Partitions>,
    /// The period whose contacts `data` holds (partitions only).
    window: Option<crate::config::Period>,
}

impl Inputs {
    /// A run's inputs: `data` with all its contacts, or with none when `parts` holds them.
    pub fn new(data: Dataset, parts: Option<Partitions>) -> Self {
        Inputs {
            data,
            parts,
            window: None,
        }
    }

    /// The dataset, giving up the partitions.
    pub fn into_data(self) -> Dataset {
        self.data
    }

    /// The dataset as it stands (for partitions: the contacts of the last period asked).
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The latest arrival of any accepted contact (epoch ms).
    pub fn latest_arrival(&self) -> Result<Option<i64>> {
        if let Some(p) = &self.parts {
            return Ok(p.latest_arrival());
        }
        let max = self
            .data
            .contacts
            .clone()
            .lazy()
            .select([col("arrived_ms").max()])
            .collect()?;
        Ok(max.column("arrived_ms")?.get(0)?.extract::<i64>())
    }

    /// The dataset with every contact `period`'s KPIs need: with partitions, the contacts
    /// of the period's month (or of the period itself when it spans months) and those its
    /// responses and inspections link to, read unless the last period asked covers them.
    pub fn for_period(&mut self, period: crate::config::Period, tz: Tz) -> Result<&Dataset> {
        use crate::config::Period;
        let Some(parts) = &self.parts else {
            return Ok(&self.data);
        };
        if self
            .window
            .is_some_and(|w| w.start <= period.start && period.end <= w.end)
        {
            return Ok(&self.data);
        }
        let month = Period::month_of(period.start);
        let span = if period.end <= month.end {
            month
        } else {
            period
        };
        let bounds = span.bounds_ms(tz);
        let t = std::time::Instant::now();
        let mut ids = linked_ids(&self.data.surveys, "responded_ms", bounds)?;
        ids.extend(linked_ids(&self.data.inspections, "inspected_ms", bounds)?);
        ids.sort_unstable();
        ids.dedup();
        let ids: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        // The previous window goes before the next is read.
        self.data.contacts = DataFrame::empty();
        let contacts = parts.window(bounds, &ids)?;
        let (contacts, surveys) = link_surveys(contacts, self.data.surveys.clone())?;
        self.data.contacts_elsewhere = parts.accepted.saturating_sub(contacts.height() as u64);
        self.data.contacts = contacts;
        self.data.surveys = surveys;
        self.window = Some(span);
        tracing::info!(
            period = %span.label(),
            contacts = self.data.contacts.height(),
            seconds = t.elapsed().as_secs_f64(),
            peak_mb = crate::util::peak_rss_mb(),
            "period read from the partitions"
        );
        Ok(&self.data)
    }
}

/// The distinct `contact_id`s of the rows of `frame` whose `time` is in `bounds` or missing
/// (the responses or inspections that may count in the period).
fn linked_ids(frame: &DataFrame, time: &str, bounds: (i64, i64)) -> Result<Vec<String>> {
    let (a, b) = bounds;
    let t = col(time);
    let df = frame
        .clone()
        .lazy()
        .filter(
            col("contact_id").is_not_null().and(
                t.clone()
                    .is_null()
                    .or(t.clone().gt_eq(lit(a)).and(t.lt(lit(b)))),
            ),
        )
        .select([col("contact_id")])
        .collect()?;
    Ok(df
        .column("contact_id")?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink_rows(csv: &str) -> (DataFrame, Vec<Rejection>, RowCounts) {
        let cfg = SurveyCfg::default();
        let mut s = ContactSink::new(chrono_tz::Asia::Shanghai, &cfg);
        feed_csv(&mut s, csv);
        s.into_frame().unwrap()
    }

    #[test]
    fn rows_are_accounted_for() {
        let (df, rej, n) = sink_rows(
            "Contact_ID,CHANNEL,arrived_at,answered_at,satisfaction\n\
             1,phone,2026-10-01 09:00:00,2026-10-01 09:00:10,5\n\
             2,fax,2026-10-01 09:00:00,,\n\
             3,email,yesterday,,\n\
             1,phone,2026-10-01 10:00:00,,\n\
             4,chat,2026-10-01 10:00:00,2026-10-01 09:59:00,\n\
             5,chat,2026-10-01T10:00:00+08:00,,9\n",
        );
        assert_eq!(n.read, 6);
        assert_eq!(n.accepted, 1);
        assert_eq!(n.rejected, 4);
        assert_eq!(n.duplicates, 1);
        assert_eq!(df.height(), 1);
        let cols: Vec<&str> = rej.iter().map(|r| r.column.as_str()).collect();
        assert_eq!(
            cols,
            [
                "channel",
                "arrived_at",
                "contact_id",
                "answered_at",
                "satisfaction"
            ]
        );
        assert_eq!(rej[2].category, "duplicate");
        assert_eq!(rej[2].reason, "duplicate of t.csv row 2");
        assert_eq!(rej[0].row, 3);
    }

    proptest::proptest! {
        /// For any mix of good, malformed and repeated rows: read = accepted + rejected +
        /// duplicates, every non-accepted row is listed, and the accepted ids are distinct.
        #[test]
        fn row_accounting_holds_for_random_mixes(kinds in proptest::collection::vec((0u8..6, 0u8..20), 0..60)) {
            let mut csv = String::from("contact_id,channel,arrived_at,answered_at,wait_seconds\n");
            for (kind, id) in &kinds {
                let row = match kind {
                    0 => format!("{id},phone,2026-10-01 09:00:00,2026-10-01 09:00:05,5"),
                    1 => format!("{id},fax,2026-10-01 09:00:00,,"),
                    2 => format!("{id},chat,not a time,,"),
                    3 => format!("{id},email,2026-10-01 09:00:00,2026-10-01 08:00:00,"),
                    4 => format!(",phone,2026-10-01 09:00:00,,"),
                    _ => format!("{id},web,2026-10-01 09:00:00,,-1"),
                };
                csv.push_str(&row);
                csv.push('\n');
            }
            let cfg = SurveyCfg::default();
            let mut s = ContactSink::new(chrono_tz::Asia::Shanghai, &cfg);
            feed_csv(&mut s, &csv);
            let (df, rej, n) = s.into_frame().unwrap();
            proptest::prop_assert_eq!(n.read, kinds.len() as u64);
            proptest::prop_assert_eq!(n.read, n.accepted + n.rejected + n.duplicates);
            proptest::prop_assert_eq!(rej.len() as u64, n.rejected + n.duplicates);
            proptest::prop_assert_eq!(df.height() as u64, n.accepted);
            let good: std::collections::BTreeSet<u8> = kinds.iter().filter(|k| k.0 == 0).map(|k| k.1).collect();
            proptest::prop_assert_eq!(n.accepted, good.len() as u64);
        }
    }

    /// What a sink made of a file: the frame (rows as text) and every other outcome.
    type Outcome = (Vec<String>, Vec<String>);

    fn outcome(r: Result<(DataFrame, Vec<Rejection>, RowCounts)>) -> Outcome {
        match r {
            Ok((df, rej, n)) => {
                let rows = (0..df.height())
                    .map(|i| format!("{:?}", df.get_row(i).unwrap().0))
                    .collect();
                let mut other = vec![format!("{n:?}"), format!("{:?}", df.schema())];
                other.extend(
                    rej.iter()
                        .map(|r| format!("{} {} {} {}", r.row, r.column, r.reason, r.category)),
                );
                (rows, other)
            }
            Err(e) => (vec![], vec![e.to_string()]),
        }
    }

    /// Read CSV bytes into both sinks with the block reader or the record reader.
    fn read_both(bytes: &[u8], record_reader: bool) -> (Outcome, Outcome, String) {
        let cfg = SurveyCfg::default();
        let tz = chrono_tz::Asia::Shanghai;
        let opts = crate::config::read::ReadOptions {
            record_reader,
            ..Default::default()
        };
        let mut cs = ContactSink::new(tz, &cfg);
        let mut ss = SurveySink::new(tz, &cfg);
        let path = Path::new("t.csv");
        let c = ingest::read_bytes(path, bytes.to_vec(), &opts, &mut cs).map(|f| f.rows);
        let s = ingest::read_bytes(path, bytes.to_vec(), &opts, &mut ss).map(|f| f.rows);
        (
            outcome(cs.into_frame()),
            outcome(ss.into_frame()),
            format!("{c:?} {s:?}"),
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The block reader (lines split in place + parallel checks) and the record reader give the same
        /// accepted rows, rejections and counts for any mix of messy values.
        #[test]
        fn block_and_record_readers_agree(rows in proptest::collection::vec(proptest::collection::vec(0usize..12, 14), 0..40), crlf in proptest::bool::ANY) {
            let ids = ["1", "2", " 3", "4 ", "", "A-1", "1", "b", "２", "  ", "7", "8"];
            let channels = ["phone", "PHONE", " chat", "电话", "fax", "", "Email", "web ", "微信", "Ｐhone", "other", "K"];
            let times = ["2026-10-01 09:00:00", "2026-10-01T09:00:05+08:00", "2026/10/01 09:01", "yesterday", "", "2026-10-01 08:59:59", "2026-02-30 10:00:00", " 2026-10-01 09:00:10 ", "2026-10-01 09:00", "2026-10-01T01:00:00Z", "0", "2026-10-01 09:00:00.5"];
            let nums = ["5", "-1", "1e400", "NaN", "", " 3 ", "abc", "0", "4.5", "6", "1", "10.5"];
            let flags = ["true", "Y", "是", "no", "maybe", "", " 1 ", "0.0", "FALSE", "t", "2", "否"];
            let long = format!("{} ", "长".repeat(300));
            let topics = ["运费", "", " 网点 ", "x", "运单查询", "y", "", "z", "q", "w", "运费", &long];
            let kinds = ["consultation", "Complaint", "投诉", " order", "", "x", "其他", "ORDER ", "suggestion", "complaint", "建议", "  "];
            let mut csv = String::from("contact_id,channel,arrived_at,answered_at,wait_seconds,resolved,topic,score,response_id,kind,resolved_at,satisfaction,responded_at,nps\n");
            for r in &rows {
                let line = if r[0] == 11 && r[1] == 11 {
                    " , ,".to_string() // a blank row
                } else {
                    format!("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", ids[r[0]], channels[r[1]], times[r[2]], times[r[3]], nums[r[4]], flags[r[5]], topics[r[6]], nums[r[7]], ids[r[8]], kinds[r[9]], times[r[10]], nums[r[11]], times[r[12]], nums[r[13]])
                };
                csv.push_str(&line);
                csv.push_str(if crlf { "\r\n" } else { "\n" });
            }
            let block = read_both(csv.as_bytes(), false);
            let record = read_both(csv.as_bytes(), true);
            proptest::prop_assert_eq!(block, record);
        }
    }

    #[test]
    fn block_reader_handles_ragged_and_short_lines() {
        let csv = "contact_id,channel,arrived_at,score\n1,phone,2026-10-01 09:00:00,5,extra,cells\n2,chat\n3,email,2026-10-01 09:00:00\n,,,,,x\n";
        assert_eq!(
            read_both(csv.as_bytes(), false),
            read_both(csv.as_bytes(), true)
        );
    }

    proptest::proptest! {
        /// The fast trim is `str::trim`, around ASCII, ideographs and Unicode blanks.
        #[test]
        fn trim_is_str_trim(s in "[ a-z\t\u{3000}\u{a0}\u{2028}\u{85}是中\u{4e00}\u{9fff}\u{3fff}é]{0,8}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn the_byte_parser_agrees_with_chrono() {
        for t in [
            "2026-10-08 09:15:02",
            "2024-02-29 23:59:59",
            "2026-01-01 00:00:00",
            "2000-02-29 12:00:00",
            "1969-12-31 23:59:59",
        ] {
            let want = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok();
            assert_eq!(parse_common(t), want, "{t}");
            assert_eq!(
                parse_common_ms(t),
                want.map(|n| n.and_utc().timestamp_millis()),
                "{t}"
            );
        }
        for t in [
            "2026-02-30 10:00:00",
            "1900-02-29 10:00:00",
            "2026-13-01 10:00:00",
            "2026-10-08 24:00:00",
            "2026-10-08T09:15:02",
            "2026-1a-08 09:15:02",
            "+026-10-08 09:15:02",
        ] {
            assert_eq!(parse_common(t), None, "{t}");
            assert_eq!(parse_common_ms(t), None, "{t}");
        }
    }

    proptest::proptest! {
        /// The repeated hashes are those a count finds.
        #[test]
        fn repeated_hashes_are_the_counted_ones(hashes in proptest::collection::vec(0u64..1500, 0..300)) {
            let mut count = std::collections::BTreeMap::new();
            for &h in &hashes {
                *count.entry(h).or_insert(0) += 1;
            }
            let want: std::collections::BTreeSet<u64> =
                count.into_iter().filter(|&(_, n)| n > 1).map(|(h, _)| h).collect();
            let got: std::collections::BTreeSet<u64> = repeated_hashes(hashes).into_iter().collect();
            proptest::prop_assert_eq!(got, want);
        }

        /// The kernels' integer parser gives chrono's wall-clock milliseconds, and refuses
        /// what chrono refuses, over every field's edges (years 0000-9999, month 0-13,
        /// day 0-32, hour, minute and second one past their limits).
        #[test]
        fn the_integer_parser_agrees_with_chrono(y in 0u32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61, se in 0u32..61) {
            let t = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}");
            let chrono = chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)
                .and_then(|d| d.and_hms_opt(h, mi, se));
            proptest::prop_assert_eq!(parse_common(&t), chrono, "{}", t);
            proptest::prop_assert_eq!(
                parse_common_ms(&t),
                chrono.map(|n| n.and_utc().timestamp_millis()),
                "{}", t
            );
        }
    }

    #[test]
    fn the_cached_zone_offset_agrees_with_chrono_or_abstains() {
        for tz in [chrono_tz::America::New_York, chrono_tz::Asia::Shanghai] {
            let mut zone = LocalToUtc::new(tz);
            for (day, n) in [
                ("2026-03-08", 0),
                ("2026-11-01", 0),
                ("1991-04-14", 0),
                ("1991-09-15", 0),
            ] {
                let start =
                    parse_naive(&format!("{day} 00:00")).unwrap() - chrono::Duration::hours(2);
                let mut abstained = n;
                for m in (0..28 * 60).step_by(7) {
                    let t = start + chrono::Duration::minutes(m);
                    let want = tz
                        .from_local_datetime(&t)
                        .single()
                        .map(|d| d.timestamp_millis());
                    match zone.to_utc(t.and_utc().timestamp_millis()) {
                        Some(ms) => assert_eq!(Some(ms), want, "{tz} {t}"),
                        None => abstained += 1,
                    }
                }
                // Only the hours of a change are left to the general parser.
                assert!(abstained <= 20, "{tz} {day}: {abstained}");
            }
        }
        // The hour skipped in New York is never given an instant.
        let mut zone = LocalToUtc::new(chrono_tz::America::New_York);
        let skipped = parse_naive("2026-03-08 02:30").unwrap();
        assert_eq!(zone.to_utc(skipped.and_utc().timestamp_millis()), None);
    }

    #[test]
    fn timestamps_are_local_to_the_contract_zone() {
        let tz = chrono_tz::Asia::Shanghai;
        let a = parse_timestamp(&Cell::Text("2026-10-08 09:15:02"), tz).unwrap();
        let b = parse_timestamp(&Cell::Text("2026-10-08T09:15:02+08:00"), tz).unwrap();
        let c = parse_timestamp(&Cell::Text("2026-10-08T01:15:02Z"), tz).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_timestamp(&Cell::Text("08/10/2026"), tz).is_err());
    }
}
