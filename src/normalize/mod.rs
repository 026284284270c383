//! Normalize stage: map ingested rows onto the canonical contact and survey records of
//! `docs/contact-record.md`, and account for every row.
//!
//! Each data row becomes an accepted record, a rejected row (with file, row, column and
//! reason) or a duplicate (a `contact_id` seen before; the first row wins). Timestamps are
//! resolved to instants in the contract's time zone, enums and booleans are parsed, and
//! impossible values (negative durations, replies before arrival, scores off the scale) are
//! rejected rather than guessed. Personal data columns (`customer_id`, `customer_phone`,
//! `comment`) are recognised and never stored. The result is a pair of Polars frames; no KPI
//! is computed here.

use crate::error::Result;
use crate::util::InputFile;
use polars::prelude::*;

pub mod dtypes;
mod ids;
pub mod inspections;
pub mod partitions;
pub use inspections::InspectionSink;
pub use partitions::Partitions;

mod items;
mod surveys;
pub use surveys::SurveySink;

pub mod caller;
mod link;
mod sites;
pub use link::{link_surveys, CONTACT_ROW};

mod converted;
pub mod rules;
use converted::{check_channels, check_normalized, same_schema, take_normalized, EVERY_CONTACT};
use rules::known_channel;
pub use rules::{contact_check, Checks};

mod dedup;
use dedup::{finish_parts, kept, repeated_hashes, stack_parts};

mod kernel;
use kernel::{check_block, check_contact_range, range_text, ranges, take_block_parts, SUB_RANGE};

mod contacts;
pub use contacts::ContactSink;
use contacts::{
    check_contact, opt_column, opt_str_col, str_col, BlockPart, ContactCols, ContactScalars, KEY,
};

mod cells;
use cells::{
    cell_at, check_extra_columns, check_repeated_columns, header_key, label, map_headers,
    non_blank, parse_common_ms, parse_flag, parse_number, text, CommonMs, LocalToUtc,
};
pub use cells::{parse_timestamp, MAX_LABEL_CHARS};

mod ledger;
mod optvec;
pub use ledger::Ledger;
use ledger::{row_key, RowError};
pub(crate) use optvec::{OptVec, Rows};

/// Why a row was not accepted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    pub file: String,
    pub row: u64,
    pub column: String,
    pub reason: String,
    pub category: RejectionKind,
    /// `contacts`, `surveys` or `inspections`.
    pub input: &'static str,
}

/// Whether a row broke a rule or repeated an earlier row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RejectionKind {
    Rejected,
    Duplicate,
}

impl RejectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionKind::Rejected => "rejected",
            RejectionKind::Duplicate => "duplicate",
        }
    }
}

impl std::fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Row accounting for one input kind (`docs/metrics.md`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RowCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub duplicates: u64,
    /// Rows a mapping profile's row filters left out (read = accepted + rejected +
    /// duplicates + filtered), and how many each filter took, by its name.
    pub filtered: u64,
    pub filtered_by: std::collections::BTreeMap<String, u64>,
    pub out_of_period: u64,
    /// Accepted contacts that are outbound (call-backs, follow-ups): read to find
    /// call-backs, counted in no service figure. Part of `accepted`, like `out_of_period`,
    /// and like it set by the report: those of the period (the others are out of it).
    pub outbound: u64,
}

/// A reason in English: unit tests.
#[cfg(test)]
pub(crate) fn english(why: &str) -> String {
    static EN: std::sync::OnceLock<crate::config::text::Text> = std::sync::OnceLock::new();
    EN.get_or_init(|| crate::config::text::Text::load(crate::config::Lang::En))
        .reason(why)
}

/// Feed a small comma-separated table (header first, no quoting) into a sink: unit tests.
#[cfg(test)]
pub(crate) fn feed_csv(sink: &mut dyn crate::ingest::RowSink, csv: &str) {
    let file = InputFile::new("t.csv");
    let mut lines = csv.lines();
    let headers: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    sink.header(&file, &headers).unwrap();
    for (i, line) in lines.enumerate() {
        let cells: Vec<crate::ingest::Cell> = line
            .split(',')
            .map(|v| {
                if v.is_empty() {
                    crate::ingest::Cell::Empty
                } else {
                    crate::ingest::Cell::Text(v)
                }
            })
            .collect();
        sink.row(i as u64 + 2, &cells);
    }
}

/// A contacts frame with no row: what the contacts of a run read from partitions start as.
pub fn empty_contacts(channels: &crate::model::Channels) -> Result<DataFrame> {
    let mut contacts = ContactCols::default().into_frame(channels)?.drop(KEY)?;
    contacts.with_column(Column::new("has_survey".into(), Vec::<bool>::new()))?;
    Ok(contacts)
}

/// Everything ingested and normalized for a run.
pub struct Dataset {
    /// The canonical contact columns the inputs give (what the figures can be computed from).
    pub contact_columns: crate::columns::ColumnsSeen,
    /// The accepted contacts: all of them, or, for normalized Parquet partitions, those of
    /// the period asked last and those its responses and inspections link to.
    pub contacts: DataFrame,
    /// Accepted contacts not in `contacts` or `outbound` (0 when all are loaded).
    pub contacts_elsewhere: u64,
    /// The accepted outbound contacts (`direction`): call-backs and follow-ups, in no
    /// service figure; the contacts schema.
    pub outbound: DataFrame,
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

    /// Give up the dataset's tables (contacts, outbound contacts, responses, inspections),
    /// keeping the files read, the rejections and the counts: for the time after the last
    /// report's figures, when only its writing is left.
    pub fn release_tables(&mut self) {
        let d = &mut self.data;
        for t in [
            &mut d.contacts,
            &mut d.outbound,
            &mut d.surveys,
            &mut d.inspections,
            &mut d.criteria,
        ] {
            *t = t.clear();
        }
        self.parts = None;
        self.window = None;
    }

    /// The earliest and latest arrival of any accepted contact (epoch ms).
    pub fn arrival_range(&self) -> Result<Option<(i64, i64)>> {
        if let Some(p) = &self.parts {
            return Ok(p.arrival_range());
        }
        let span = self
            .data
            .contacts
            .clone()
            .lazy()
            .select([
                col("arrived_ms").min().alias("first"),
                col("arrived_ms").max().alias("last"),
            ])
            .collect()?;
        let at = |c: &str| -> Result<Option<i64>> { Ok(span.column(c)?.get(0)?.extract::<i64>()) };
        Ok(at("first")?.zip(at("last")?))
    }

    /// The dataset with every contact `period`'s KPIs need: with partitions, the contacts
    /// of the period's month (or of the period itself when it spans months) and those its
    /// responses and inspections link to, read unless the last period asked covers them.
    pub fn for_period(
        &mut self,
        period: crate::config::Period,
        contract: &crate::config::Contract,
    ) -> Result<&Dataset> {
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
        // The business days of the span (`day_start`).
        let bounds = contract.bounds(span);
        let t = std::time::Instant::now();
        let mut ids = linked_ids(&self.data.surveys, "responded_ms", bounds)?;
        ids.extend(linked_ids(&self.data.inspections, "inspected_ms", bounds)?);
        ids.sort_unstable();
        ids.dedup();
        let ids: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        // The previous window goes before the next is read.
        self.data.contacts = DataFrame::empty();
        self.data.outbound = DataFrame::empty();
        let (contacts, outbound) = split_outbound(parts.window(bounds, &ids)?)?;
        let (contacts, surveys) = link_surveys(contacts, self.data.surveys.clone())?;
        let held = (contacts.height() + outbound.height()) as u64;
        self.data.contacts_elsewhere = parts.accepted.saturating_sub(held);
        self.data.contacts = contacts;
        self.data.outbound = outbound;
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

/// The inbound and the outbound contacts of `contacts` (`direction`), in their order. Most
/// exports hold inbound contacts only: then nothing is copied.
pub fn split_outbound(contacts: DataFrame) -> Result<(DataFrame, DataFrame)> {
    split_rows(contacts, None)
}

/// Which rows of `contacts` are outbound (`None`: none is). Rows without the column's
/// value (contacts read from a partition only because a response or an inspection links
/// to them) are inbound.
fn outbound_rows(contacts: &DataFrame) -> Result<Option<BooleanChunked>> {
    let outbound = contacts.column("outbound")?.bool()?;
    if !outbound.any() {
        return Ok(None);
    }
    // The column itself, its bits as they are, unless a value is missing.
    Ok(Some(match outbound.null_count() {
        0 => outbound.clone(),
        _ => outbound.fill_null_with_values(false)?,
    }))
}

/// The outbound rows of `df` taken out (`None`: it has none), as [`split_rows`] splits.
pub(super) fn take_outbound(df: DataFrame) -> Result<(DataFrame, Option<DataFrame>)> {
    let Some(out) = outbound_rows(&df)? else {
        return Ok((df, None));
    };
    let rest = df.filter(&!&out)?;
    Ok((rest, Some(df.filter(&out)?)))
}

/// [`split_outbound`] of the rows `keep` keeps (all when `None`), the others dropped.
pub(crate) fn split_rows(
    contacts: DataFrame,
    keep: Option<&BooleanChunked>,
) -> Result<(DataFrame, DataFrame)> {
    let Some(out) = outbound_rows(&contacts)? else {
        let none = contacts.clear();
        return Ok((kept(contacts, keep)?, none));
    };
    let (mask, keep) = match keep {
        Some(k) => (&out & k, &!&out & k),
        None => (out.clone(), !&out),
    };
    // Column by column (a column to each thread), each original freed once split: the
    // peak is the frame and a column per thread, not two frames. Chunk by chunk, so that
    // the inbound frame keeps the parts the kernels run on in parallel (a filtered column
    // would be one chunk).
    let split = |c: Column| -> Result<(Column, Column)> {
        let s = c.take_materialized_series();
        let (mut i, mut o) = (s.clear(), s.clear());
        let mut at = 0;
        for len in s.chunk_lengths() {
            let part = s.slice(at as i64, len);
            o.append(&part.filter(&mask.slice(at as i64, len))?)?;
            i.append(&part.filter(&keep.slice(at as i64, len))?)?;
            at += len;
        }
        Ok((i.into_column(), o.into_column()))
    };
    use rayon::prelude::*;
    let (inbound, out): (Vec<Column>, Vec<Column>) = contacts
        .into_columns()
        .into_par_iter()
        .map(split)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let height = |cols: &[Column]| cols.first().map_or(0, |c| c.len());
    Ok((
        DataFrame::new(height(&inbound), inbound)?,
        DataFrame::new(height(&out), out)?,
    ))
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
    use super::cells::*;
    use super::contacts::*;
    use super::surveys::*;
    use super::*;
    use crate::config::contract::SurveyCfg;
    use crate::ingest::{self, Cell};
    use crate::model::parse_naive;
    use chrono::{NaiveDateTime, TimeZone};
    use std::path::Path;

    fn sink_rows(csv: &str) -> (DataFrame, Vec<Rejection>, RowCounts) {
        let mut s = ContactSink::new(chrono_tz::Asia::Shanghai, Checks::default());
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
        assert_eq!(rej[2].category, RejectionKind::Duplicate);
        assert_eq!(english(&rej[2].reason), "duplicate of t.csv row 2");
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
            let mut s = ContactSink::new(chrono_tz::Asia::Shanghai, Checks::default());
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
                other.extend(rej.iter().map(|r| {
                    format!(
                        "{} {} {} {}",
                        r.row,
                        r.column,
                        english(&r.reason),
                        r.category
                    )
                }));
                (rows, other)
            }
            Err(e) => (vec![], vec![e.to_string()]),
        }
    }

    /// Read CSV bytes into both sinks with the block reader or the record reader.
    fn read_both(bytes: &[u8], record_reader: bool) -> (Outcome, Vec<String>, Outcome, String) {
        let cfg = SurveyCfg::default();
        let tz = chrono_tz::Asia::Shanghai;
        let opts = crate::config::read::ReadOptions {
            record_reader,
            ..Default::default()
        };
        // Callers kept, so that both readers' `caller` columns are compared too.
        let checks = Checks {
            callers: true,
            ..Default::default()
        };
        let mut cs = ContactSink::new(tz, checks);
        let mut ss = SurveySink::new(tz, &cfg);
        // One file with both records' columns, read as either.
        cs.allow_extra_columns(true);
        ss.allow_extra_columns(true);
        let path = Path::new("t.csv");
        let c = ingest::read_bytes(path, bytes.to_vec(), &opts, &mut cs).map(|f| f.rows);
        let s = ingest::read_bytes(path, bytes.to_vec(), &opts, &mut ss).map(|f| f.rows);
        // The outbound rows apart: the block reader takes them out range by range, the
        // record reader splits them off at the end.
        let (contacts, outbound) = match cs.into_frames() {
            Ok((c, o, rej, n)) => (Ok((c, rej, n.clone())), outcome(Ok((o, Vec::new(), n))).0),
            Err(e) => (Err(e), Vec::new()),
        };
        (
            outcome(contacts),
            outbound,
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
            let phones = ["13812345678", "+86 138 1234 5678", "", " 010-6234 5678 ", "x", "0086 13812345678", "  ", "8613812345678", "1", "00", "138-1234-5679", "电话"];
            let directions = ["inbound", "outbound", "", "呼出", "x", "Outbound ", "回拨", "in", "", "", "out", "去电"];
            let mut csv = String::from("contact_id,channel,arrived_at,answered_at,wait_seconds,resolved,topic,score,response_id,kind,resolved_at,satisfaction,responded_at,nps,customer_phone,customer_id,direction\n");
            for r in &rows {
                let line = if r[0] == 11 && r[1] == 11 {
                    " , ,".to_string() // a blank row
                } else {
                    format!("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", ids[r[0]], channels[r[1]], times[r[2]], times[r[3]], nums[r[4]], flags[r[5]], topics[r[6]], nums[r[7]], ids[r[8]], kinds[r[9]], times[r[10]], nums[r[11]], times[r[12]], nums[r[13]], phones[r[4]], ids[r[5]], directions[r[13]])
                };
                csv.push_str(&line);
                csv.push_str(if crlf { "\r\n" } else { "\n" });
            }
            let block = read_both(csv.as_bytes(), false);
            let record = read_both(csv.as_bytes(), true);
            proptest::prop_assert_eq!(block, record);
        }
    }

    /// Line 2 is an outbound call-back, line 3 an inbound call with the same id: the first
    /// line wins though the block reader takes the outbound rows apart (they come after the
    /// inbound ones in its frame), so line 3 is the duplicate and the inbound frame is empty.
    #[test]
    fn the_first_line_wins_over_an_outbound_row_read_apart() {
        let csv = "contact_id,channel,arrived_at,direction\n\
                   1,phone,2026-10-01 09:00:00,outbound\n\
                   1,phone,2026-10-01 09:05:00,inbound\n\
                   2,phone,2026-10-01 09:06:00,inbound\n";
        for record_reader in [false, true] {
            let opts = crate::config::read::ReadOptions {
                record_reader,
                ..Default::default()
            };
            let mut cs = ContactSink::new(chrono_tz::Asia::Shanghai, Checks::default());
            ingest::read_bytes(Path::new("t.csv"), csv.as_bytes().to_vec(), &opts, &mut cs)
                .unwrap();
            let (inbound, outbound, rej, n) = cs.into_frames().unwrap();
            let ids = |df: &DataFrame| -> Vec<String> {
                let c = df.column("contact_id").unwrap().str().unwrap();
                c.iter().flatten().map(str::to_string).collect()
            };
            assert_eq!(ids(&outbound), ["1"], "{record_reader}");
            assert_eq!(ids(&inbound), ["2"], "{record_reader}");
            assert_eq!((n.read, n.accepted, n.duplicates), (3, 2, 1));
            assert_eq!(rej.len(), 1);
            assert_eq!(rej[0].row, 3);
            assert_eq!(english(&rej[0].reason), "duplicate of t.csv row 2");
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
        fn repeated_hashes_are_the_counted_ones(
            small in proptest::collection::vec(0u64..1500, 0..300),
            spread in proptest::collection::vec(0usize..40, 0..300),
            pool in proptest::collection::vec(proptest::prelude::any::<u64>(), 40),
        ) {
            // Hashes alike in their top bits, and hashes over the whole range (a pool of
            // 40, so that some repeat).
            let hashes: Vec<u64> = small.into_iter().chain(spread.into_iter().map(|i| pool[i])).collect();
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

    proptest::proptest! {
        /// The parser that keeps the last date gives what [`parse_common_ms`] (a parser
        /// with no date kept) gives, cell after cell: dates repeat (two in a pool of three), and any byte of a cell may be
        /// wrong (a letter, a full-width digit, a slash), also where the date is kept.
        #[test]
        fn the_date_cache_parses_as_the_plain_parser(
            cells in proptest::collection::vec((0usize..3, 0u32..26, 0u32..61, 0usize..22, "[0-9a/ :-]|\u{ff11}"), 1..60),
        ) {
            let dates = ["2026-10-31", "2026-11-01", "2024-02-29"];
            let mut cache = CommonMs::new();
            for (d, h, m, at, byte) in cells {
                let mut t = format!("{} {h:02}:{m:02}:07", dates[d]);
                if at < t.len() {
                    t.replace_range(at..at + 1, &byte);
                }
                proptest::prop_assert_eq!(cache.parse(&t), parse_common_ms(&t), "{}", t);
            }
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
