//! Contacts: one row checked and parsed ([`check_contact`], the first problem found names
//! its column), the accepted rows gathered column-wise, and [`ContactSink`], which builds the
//! canonical contact frame from a reader's rows, blocks or normalized tables and accounts for
//! every row.

use super::rules::Checks;
use super::{
    cell_at, check_contact_range, check_extra_columns, check_repeated_columns, contact_check,
    label, map_headers, parse_flag, parse_number, parse_timestamp, range_text, ranges, row_key,
    same_schema, stack_parts, take_block_parts, take_normalized, text, Ledger, OptVec, Rejection,
    RowCounts, RowError, Rows, EVERY_CONTACT, SUB_RANGE,
};
use crate::columns::{contact as cc, ColumnsSeen, CONTACT_COLUMNS};
use crate::error::{Error, Result};
use crate::ingest::{self, Cell, RowSink};
use crate::model::{Channel, Channels, Complexity, Direction, Kind, Priority};
use crate::normalize::cells::invalid_cell;
use crate::util::InputFile;
use chrono_tz::Tz;
use polars::prelude::*;
use std::borrow::Cow;

/// What one range of a block gives: its accepted rows and its rejected rows with keys.
pub(super) type BlockPart = (DataFrame, Vec<(u64, RowError)>);

/// One contact, checked and parsed; text borrowed from the row where possible.
pub(super) struct ContactValues<'c> {
    pub(super) id: Cow<'c, str>,
    pub(super) channel: Channel,
    pub(super) kind: Kind,
    pub(super) priority: Option<Priority>,
    pub(super) complexity: Option<Complexity>,
    pub(super) arrived: i64,
    pub(super) answered: Option<i64>,
    pub(super) resolved_at: Option<i64>,
    pub(super) wait: Option<f64>,
    pub(super) handle: Option<f64>,
    pub(super) resolved: Option<bool>,
    pub(super) answered_flag: Option<bool>,
    pub(super) fcr: Option<bool>,
    pub(super) sat: Option<f64>,
    pub(super) topic: Option<Cow<'c, str>>,
    pub(super) complaint_type: Option<Cow<'c, str>>,
    pub(super) agent_id: Option<Cow<'c, str>>,
    pub(super) agent_name: Option<Cow<'c, str>>,
    pub(super) team: Option<Cow<'c, str>>,
    pub(super) site: Option<Cow<'c, str>>,
    /// Who called (see [`super::caller`]); `None` as well when callers are not kept.
    pub(super) caller: Option<u64>,
    /// An outbound contact (a call-back or follow-up), not an inbound one.
    pub(super) outbound: bool,
}

/// Check and parse one contact row: the first problem found names its column. Duplicates
/// are not looked for here (see [`duplicates`]).
pub(super) fn check_contact<'c>(
    get: impl Fn(usize) -> Cell<'c>,
    tz: Tz,
    checks: &Checks,
) -> std::result::Result<ContactValues<'c>, RowError> {
    let survey = &checks.survey;
    let err = |k: usize, why: String| RowError::new(CONTACT_COLUMNS[k], why);
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
        .ok_or_else(|| err(cc::CONTACT_ID, crate::why!("missing_required")))?;
    let channel_text =
        text(&get(cc::CHANNEL)).ok_or_else(|| err(cc::CHANNEL, crate::why!("missing_required")))?;
    let channel = checks.channels.parse(&channel_text).ok_or_else(|| {
        err(
            cc::CHANNEL,
            crate::why!(
                "unknown_channel",
                channel_text,
                crate::why::list(checks.channels.names())
            ),
        )
    })?;
    // The closed vocabularies: a value not in one is refused, naming what is expected.
    let list = |expected: String| crate::why::list(expected.split(", "));
    let kind = match text(&get(cc::KIND)) {
        None => Kind::Consultation,
        Some(k) => Kind::parse(&k).ok_or_else(|| {
            err(
                cc::KIND,
                crate::why!("unknown_kind", k, list(Kind::expected())),
            )
        })?,
    };
    let priority = text(&get(cc::PRIORITY))
        .map(|p| {
            Priority::parse(&p).ok_or_else(|| {
                let expected = list(Priority::expected());
                err(cc::PRIORITY, crate::why!("unknown_priority", p, expected))
            })
        })
        .transpose()?;
    let complexity = text(&get(cc::COMPLEXITY))
        .map(|p| {
            Complexity::parse(&p).ok_or_else(|| {
                let expected = list(Complexity::expected());
                err(
                    cc::COMPLEXITY,
                    crate::why!("unknown_complexity", p, expected),
                )
            })
        })
        .transpose()?;
    let direction = text(&get(cc::DIRECTION))
        .map(|d| {
            Direction::parse(&d).ok_or_else(|| {
                let expected = list(Direction::expected());
                err(cc::DIRECTION, crate::why!("unknown_direction", d, expected))
            })
        })
        .transpose()?;
    let outbound = direction == Some(Direction::Outbound);
    let arrived = match ts(cc::ARRIVED_AT)? {
        Some(t) => t,
        None => return Err(err(cc::ARRIVED_AT, crate::why!("missing_required"))),
    };
    let answered = ts(cc::ANSWERED_AT)?;
    let resolved_at = ts(cc::RESOLVED_AT)?;
    if let Some(a) = answered {
        if a < arrived {
            return Err(err(cc::ANSWERED_AT, crate::why!("answered_before_arrival")));
        }
    }
    if let Some(r) = resolved_at {
        if r < arrived {
            return Err(err(cc::RESOLVED_AT, crate::why!("resolved_before_arrival")));
        }
    }
    if let (Some(a), Some(r)) = (answered, resolved_at) {
        if r < a {
            return Err(err(cc::RESOLVED_AT, crate::why!("resolved_before_answer")));
        }
    }
    let wait = num(cc::WAIT_SECONDS)?;
    let handle = num(cc::HANDLE_SECONDS)?;
    for (k, v) in [(cc::WAIT_SECONDS, wait), (cc::HANDLE_SECONDS, handle)] {
        if let Some(v) = v {
            if v < 0.0 {
                return Err(err(k, crate::why!("negative_duration", v)));
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
                crate::why!("score_outside_scale", s, survey.scale_min, survey.scale_max),
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
        site: label(&get(cc::SITE)),
        caller: checks.callers.then(|| caller_of(&get)).flatten(),
        outbound,
    })
}

/// Who called (the row's phone number, else its customer id), as [`super::caller`] keys it.
fn caller_of<'c>(get: &impl Fn(usize) -> Cell<'c>) -> Option<u64> {
    let (phone, id) = (get(cc::CUSTOMER_PHONE), get(cc::CUSTOMER_ID));
    super::caller::caller(text(&phone).as_deref(), text(&id).as_deref())
}

/// A string column from values that borrow or own their text.
pub(super) fn str_col<S: AsRef<str>>(name: &str, v: &[S]) -> Column {
    StringChunked::from_iter_values(name.into(), v.iter().map(|s| s.as_ref())).into_column()
}

pub(super) fn opt_str_col<S: AsRef<str>>(name: &str, v: &[Option<S>]) -> Column {
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
pub(super) const KEY: &str = "_key";

/// Accepted contacts' parsed values, column-wise: every column but the text ones.
#[derive(Default)]
pub(super) struct ContactScalars {
    pub(super) key: Vec<u64>,
    pub(super) channel: Vec<Channel>,
    pub(super) kind: Vec<Kind>,
    pub(super) priority: Vec<Option<Priority>>,
    pub(super) complexity: Vec<Option<Complexity>>,
    pub(super) arrived_ms: Vec<i64>,
    pub(super) answered_ms: OptVec<i64>,
    pub(super) resolved_ms: OptVec<i64>,
    pub(super) wait_s: OptVec<f64>,
    pub(super) handle_s: OptVec<f64>,
    pub(super) resolved_flag: OptVec<bool>,
    pub(super) answered_flag: OptVec<bool>,
    pub(super) fcr: OptVec<bool>,
    pub(super) satisfaction: OptVec<f64>,
    pub(super) outbound: Vec<bool>,
    /// Who called; empty when the run keeps no callers (then the frame has no `caller`).
    pub(super) caller: OptVec<u64>,
    /// Whether callers are kept (`Checks::callers`): not a column.
    pub(super) keep_callers: bool,
}

/// Run `$body` with `$v` bound to each column vector of a [`ContactScalars`] but the key.
macro_rules! each_column {
    ($c:expr, $v:ident => $body:expr) => {
        each_column!(@ $c, $v, $body, channel kind priority complexity arrived_ms answered_ms
            resolved_ms wait_s handle_s resolved_flag answered_flag fcr satisfaction outbound caller)
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
    pub(super) fn push(&mut self, key: u64, v: &ContactValues<'_>) {
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
        self.outbound.push(v.outbound);
        if self.keep_callers {
            self.caller.push(v.caller);
        }
    }

    /// Overwrite row `j` (the key excepted) with `v`.
    pub(super) fn set(&mut self, j: usize, v: &ContactValues<'_>) {
        self.channel[j] = v.channel;
        self.kind[j] = v.kind;
        self.priority[j] = v.priority;
        self.complexity[j] = v.complexity;
        self.arrived_ms[j] = v.arrived;
        self.answered_ms.set(j, v.answered);
        self.resolved_ms.set(j, v.resolved_at);
        self.wait_s.set(j, v.wait);
        self.handle_s.set(j, v.handle);
        self.resolved_flag.set(j, v.resolved);
        self.answered_flag.set(j, v.answered_flag);
        self.fcr.set(j, v.fcr);
        self.satisfaction.set(j, v.sat);
        self.outbound[j] = v.outbound;
        if self.keep_callers {
            self.caller.set(j, v.caller);
        }
    }

    /// Room for `n` more rows (the key excepted).
    pub(super) fn reserve(&mut self, n: usize) {
        each_column!(self, v => Rows::reserve_rows(v, n));
    }

    /// Keep the rows (the key excepted) whose `keep` is true.
    pub(super) fn retain(&mut self, keep: &[bool]) {
        each_column!(self, v => Rows::keep(v, keep));
    }

    /// The rows as a frame with the sort key (the contacts schema plus `_key`), with their
    /// `contact_id` and their [`super::dtypes::LABELS`] columns.
    pub(super) fn into_frame(
        self,
        channels: &Channels,
        contact_id: Column,
        labels: [Column; 6],
    ) -> Result<DataFrame> {
        let c = self;
        let n = c.key.len();
        let [topic, complaint_type, agent_id, agent_name, team, site] = labels;
        use super::dtypes::{channel_column, enum_column};
        Ok(DataFrame::new(
            n,
            vec![
                Column::new(KEY.into(), c.key),
                contact_id,
                channel_column(channels, c.channel.iter().map(|v| Some(v.index() as u8))),
                enum_column("kind", c.kind.iter().map(|&v| Some(v as u8))),
                topic,
                complaint_type,
                enum_column("priority", c.priority.iter().map(|v| v.map(|v| v as u8))),
                enum_column(
                    "complexity",
                    c.complexity.iter().map(|v| v.map(|v| v as u8)),
                ),
                Column::new("arrived_ms".into(), c.arrived_ms),
                c.answered_ms.into_column::<Int64Type>("answered_ms"),
                c.resolved_ms.into_column::<Int64Type>("resolved_ms"),
                c.wait_s.into_column::<Float64Type>("wait_s"),
                c.handle_s.into_column::<Float64Type>("handle_s"),
                c.resolved_flag.into_bool_column("resolved_flag"),
                c.answered_flag.into_bool_column("answered_flag"),
                c.fcr.into_bool_column("fcr"),
                agent_id,
                agent_name,
                team,
                c.satisfaction.into_column::<Float64Type>("satisfaction"),
                site,
                Column::new("outbound".into(), c.outbound),
            ]
            .into_iter()
            .chain(
                c.keep_callers
                    .then(|| c.caller.into_column::<UInt64Type>("caller")),
            )
            .collect(),
        )?)
    }
}

/// Accepted contacts from the row-by-row readers, column-wise.
#[derive(Default)]
pub(super) struct ContactCols {
    pub(super) scalars: ContactScalars,
    pub(super) contact_id: Vec<String>,
    pub(super) topic: Vec<Option<String>>,
    pub(super) complaint_type: Vec<Option<String>>,
    pub(super) agent_id: Vec<Option<String>>,
    pub(super) agent_name: Vec<Option<String>>,
    pub(super) team: Vec<Option<String>>,
    pub(super) site: Vec<Option<String>>,
}

impl ContactCols {
    pub(super) fn push(&mut self, key: u64, v: ContactValues<'_>) {
        self.scalars.push(key, &v);
        let own = |c: Option<Cow<str>>| c.map(Cow::into_owned);
        self.contact_id.push(v.id.into_owned());
        self.topic.push(own(v.topic));
        self.complaint_type.push(own(v.complaint_type));
        self.agent_id.push(own(v.agent_id));
        self.agent_name.push(own(v.agent_name));
        self.team.push(own(v.team));
        self.site.push(own(v.site));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.scalars.key.is_empty()
    }

    pub(super) fn into_frame(self, channels: &Channels) -> Result<DataFrame> {
        let c = self;
        let label = |name: &str, v: &[Option<String>]| {
            super::dtypes::label_column(name, v.iter().map(Option::as_deref))
        };
        c.scalars.into_frame(
            channels,
            str_col("contact_id", &c.contact_id),
            [
                label("topic", &c.topic)?,
                label("complaint_type", &c.complaint_type)?,
                label("agent_id", &c.agent_id)?,
                label("agent_name", &c.agent_name)?,
                label("team", &c.team)?,
                label("site", &c.site)?,
            ],
        )
    }
}

/// Builds canonical contacts from ingested rows.
pub struct ContactSink {
    pub(super) tz: Tz,
    pub(super) checks: Checks,
    /// Rows from the row-by-row readers, not yet moved into `parts`.
    pub(super) cols: ContactCols,
    /// Accepted rows so far, as frames in reading order.
    pub(super) parts: Vec<DataFrame>,
    /// The outbound rows of the blocks read, taken out of `parts` as each range is checked
    /// (in reading order): the inbound frame is then never copied to split them off.
    pub(super) out_parts: Vec<DataFrame>,
    pub(super) pos: Vec<Option<usize>>,
    pub ledger: Ledger,
    /// A failure to build a part while rows were arriving, reported by `into_frame`.
    pub(super) failed: Option<Error>,
    /// The canonical columns the inputs read so far give.
    pub(super) seen: ColumnsSeen,
    /// Read files with columns that are no canonical names (`--ignore-extra-columns`).
    pub(super) allow_extra: bool,
}

/// Rows the row-by-row readers collect before they become a frame part: the part is built
/// while the reader waits for the next rows, not all at the end. A few rows in unit tests,
/// so that their row-by-row reads are split into parts.
pub(super) const ROWS_PER_PART: usize = if cfg!(test) { 3 } else { 1 << 16 };

impl ContactCols {
    /// No rows yet; keeping callers when `keep_callers`.
    pub(super) fn new(keep_callers: bool) -> Self {
        let mut c = ContactCols::default();
        c.scalars.keep_callers = keep_callers;
        c
    }
}

impl ContactSink {
    pub fn new(tz: Tz, checks: Checks) -> Self {
        ContactSink {
            tz,
            cols: ContactCols::new(checks.callers),
            checks,
            parts: Vec::new(),
            out_parts: Vec::new(),
            pos: Vec::new(),
            ledger: Ledger::new("contacts"),
            failed: None,
            seen: ColumnsSeen::default(),
            allow_extra: false,
        }
    }

    /// Read files with columns that are no canonical names instead of refusing them.
    pub fn allow_extra_columns(&mut self, yes: bool) {
        self.allow_extra = yes;
    }

    /// The canonical columns the inputs read so far give.
    pub fn columns_seen(&self) -> ColumnsSeen {
        self.seen
    }

    /// Move the row-by-row rows into a part.
    pub(super) fn flush(&mut self) -> Result<()> {
        if !self.cols.is_empty() {
            let cols = std::mem::replace(&mut self.cols, ContactCols::new(self.checks.callers));
            self.parts.push(cols.into_frame(&self.checks.channels)?);
            super::kernel::settle(&mut self.parts)?;
        }
        Ok(())
    }

    /// The accepted contacts as a frame (one row per contact, the first of each id), the
    /// rejected rows in reading order and the counts. `has_survey` is false throughout
    /// until [`link_surveys`] sets it.
    pub fn into_frame(self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        let (df, keep, _, rej, counts) = self.finish()?;
        Ok((super::kept(df, keep.as_ref())?, rej, counts))
    }

    /// [`Self::into_frame`] split into the inbound and the outbound contacts: those the
    /// block reader took apart as it went, and those of the other readers split off here
    /// ([`super::split_outbound`], nothing copied when they hold none).
    pub fn into_frames(self) -> Result<(DataFrame, DataFrame, Vec<Rejection>, RowCounts)> {
        let (df, keep, n_out, rej, counts) = self.finish()?;
        // The rows of `parts` (inbound, but for those the row-by-row readers and converted
        // files gave), then those of `out_parts`.
        let n_in = df.height() - n_out;
        let keep_of = |at: usize, n: usize| keep.as_ref().map(|k| k.slice(at as i64, n));
        let (inbound, mut outbound) =
            super::split_rows(df.slice(0, n_in), keep_of(0, n_in).as_ref())?;
        if n_out > 0 {
            let read = super::kept(df.slice(n_in as i64, n_out), keep_of(n_in, n_out).as_ref())?;
            outbound.vstack_mut_owned(read)?;
            outbound.rechunk_mut_par();
        }
        Ok((inbound, outbound, rej, counts))
    }

    /// Every row read as a frame (the rows of `parts`, then the last `n_out` rows: those of
    /// `out_parts`), which rows to keep (`None`: all), `n_out`, the rejections and the counts.
    #[allow(clippy::type_complexity)]
    fn finish(
        mut self,
    ) -> Result<(
        DataFrame,
        Option<BooleanChunked>,
        usize,
        Vec<Rejection>,
        RowCounts,
    )> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.flush()?;
        let empty = ContactCols::new(self.checks.callers).into_frame(&self.checks.channels)?;
        let mut parts = std::mem::take(&mut self.parts);
        let n_out = self.out_parts.iter().map(DataFrame::height).sum();
        parts.append(&mut self.out_parts);
        let (mut df, keep) =
            stack_parts(parts, empty, "contact_id", "contact_id", &mut self.ledger)?;
        let n = df.height();
        df.with_column(BooleanChunked::full("has_survey".into(), false, n).into_column())?;
        let kept = keep
            .as_ref()
            .map_or(n as u64, |k| k.sum().unwrap_or(0) as u64);
        let (rej, counts) = self.ledger.finish(kept);
        Ok((df, keep, n_out, rej, counts))
    }
}

impl RowSink for ContactSink {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.pos = map_headers(headers, CONTACT_COLUMNS);
        for (k, p) in self.pos.iter().enumerate() {
            if p.is_some() {
                self.seen.add(k);
            }
        }
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
            .with_hint(
                "rename the columns to the canonical names listed in docs/contact-record.md",
            ));
        }
        let file = self.ledger.file();
        check_repeated_columns(file, headers, CONTACT_COLUMNS)?;
        check_extra_columns(file, headers, CONTACT_COLUMNS, "contact", self.allow_extra)
    }

    fn filtered(&mut self, _row_no: u64, rule: &str) {
        self.ledger.filtered(rule);
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        self.ledger.counts.read += 1;
        let key = self.ledger.key(row_no);
        let pos = &self.pos;
        if let Some(e) = invalid_cell(pos, cells, CONTACT_COLUMNS) {
            return self.ledger.reject(key, e);
        }
        match check_contact(|k| cell_at(pos, cells, k).clone(), self.tz, &self.checks) {
            Ok(v) => self.cols.push(key, v),
            Err(e) => self.ledger.reject(key, e),
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
        let channels = &self.checks.channels;
        let want = super::dtypes::to_file(ContactCols::default().into_frame(channels)?)?;
        if !same_schema(table, &want) {
            return Ok(false);
        }
        self.flush()?;
        self.ledger.open(file);
        self.seen = ColumnsSeen::all();
        let good = contact_check(&self.checks);
        // A converted file holds no caller (it is never written): its contacts have none.
        let mut table = table.clone();
        if self.checks.callers {
            let none = Column::full_null("caller".into(), table.height(), &DataType::UInt64);
            table.with_column(none)?;
        }
        take_normalized(
            file,
            &table,
            good,
            &self.checks.channels,
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
        let (tz, checks, pos) = (self.tz, &self.checks, &self.pos);
        let file = self.ledger.file_index();
        let rows = block.rows();
        let results: Vec<Result<(BlockPart, Option<DataFrame>)>> = ranges(block.len())
            .into_par_iter()
            .map(|r| {
                let key = |i: usize| row_key(file, rows[i]);
                let mut acc = ContactScalars {
                    keep_callers: checks.callers,
                    ..Default::default()
                };
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
                    (cc::SITE, "site"),
                ]
                .map(|(k, name)| (k, super::dtypes::LabelIds::new(name, r.len())));
                // A few thousand rows at a time: their cells' bounds and text stay in the
                // core's cache while every column is read from them in turn.
                for sub in r
                    .clone()
                    .step_by(SUB_RANGE)
                    .map(|s| s..(s + SUB_RANGE).min(r.end))
                {
                    let split = block.split(sub.clone());
                    let (sub_keep, sub_rejected) =
                        check_contact_range(&split, pos, sub.clone(), tz, checks, &mut acc);
                    rejected.extend(sub_rejected.into_iter().map(|(i, e)| (key(i), e)));
                    for v in range_text(&split, pos[cc::CONTACT_ID], &sub_keep, false) {
                        contact_id.append_option(v);
                    }
                    // Where this sub-range's agent ids start.
                    let from = labels[2].1.ids().len();
                    let [topic, complaint, agent, name, team, site] = &mut labels;
                    for (k, ids) in [topic, complaint, &mut *agent] {
                        for v in range_text(&split, pos[*k], &sub_keep, true) {
                            ids.push(v.as_deref())?;
                        }
                    }
                    // An agent's name and team mostly repeat with the agent's id.
                    let agents = agent.1.ids();
                    for (k, ids) in [name, team, site] {
                        for (j, v) in (from..).zip(range_text(&split, pos[*k], &sub_keep, true)) {
                            ids.push_keyed(agents.get(j), v.as_deref())?;
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
                let [a, b, c, d, e, f] = labels.map(|(_, ids)| ids.finish());
                let contact_id = contact_id.finish().into_column();
                let df = acc.into_frame(&checks.channels, contact_id, [a?, b?, c?, d?, e?, f?])?;
                let (inbound, outbound) = super::take_outbound(df)?;
                Ok(((inbound, rejected), outbound))
            })
            .collect();
        let mut parts = Vec::with_capacity(results.len());
        for r in results {
            parts.push(r.map(|(part, outbound)| {
                self.out_parts.extend(outbound);
                part
            }));
        }
        super::kernel::settle(&mut self.out_parts)?;
        take_block_parts(parts, block.len(), &mut self.parts, &mut self.ledger)
    }
}
