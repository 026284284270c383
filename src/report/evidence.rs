//! The evidence behind each missed SLA (未达标明细): every contact in its denominator but not
//! its numerator, one line each with what the provider needs to find and dispute it
//! (contact id, channel, agent, arrival, answer and resolution times, the time held against
//! the threshold, why it missed); for an SLA over inspections, every inspection that did not
//! pass (id, contact, agent, source, channel, time, score, the criteria it failed). The
//! period frame carries no customer data (no phone, id number or comment), so neither do
//! the lines. The rows are the KPI kernel's; this module
//! looks them up and words them, and decides nothing.

use super::Report;
use crate::config::contract::SlaMetric;
use crate::evaluate::Status;
use chrono::TimeZone;
use polars::prelude::*;
use polars_arrow::array::{BooleanArray, PrimitiveArray, StaticArray, Utf8ViewArray};

/// The contacts that missed one SLA.
#[derive(Debug, Clone)]
pub struct EvidenceList {
    pub sla: String,
    pub name: String,
    pub clause: String,
    pub threshold: Option<String>,
    pub metric: SlaMetric,
    /// How many contacts missed it: its denominator − numerator.
    pub missed: u64,
    /// Rows of the report's contact frame, and the time held against the threshold.
    pub rows: Vec<(u32, f64)>,
    /// For an SLA over inspections: those that did not pass (no `rows` then), and the
    /// criteria each failed.
    pub inspections: Option<(DataFrame, std::collections::HashMap<String, Vec<String>>)>,
}

/// The lists of the missed SLAs: over contacts from the kernel's rows (taken out of
/// `misses`: millions at 10 M contacts, not copied), over inspections from the inspections
/// that did not pass.
pub(super) fn lists(
    scorecard: &[crate::evaluate::ScoreLine],
    misses: &mut crate::kpi::Misses,
) -> Vec<EvidenceList> {
    let no_inspections = vec![None; scorecard.len()];
    let inspections = if misses.inspections.len() == scorecard.len() {
        &misses.inspections
    } else {
        &no_inspections
    };
    let mut rows = std::mem::take(&mut misses.rows);
    rows.resize_with(rows.len().max(scorecard.len()), Vec::new);
    scorecard
        .iter()
        .zip(rows)
        .zip(inspections)
        .filter(|((l, rows), failed)| {
            l.status == Status::Missed
                && (!rows.is_empty() || failed.as_ref().is_some_and(|f| f.height() > 0))
        })
        .map(|((l, rows), failed)| EvidenceList {
            sla: l.id.clone(),
            name: l.name.clone(),
            clause: l.clause.clone(),
            threshold: l.threshold.clone(),
            metric: l.metric,
            missed: (l.denominator - l.numerator).round() as u64,
            rows,
            inspections: failed
                .as_ref()
                .map(|f| (f.clone(), criteria_of(&misses.criteria_failed))),
        })
        .collect()
}

/// The criteria each inspection failed, by inspection id, in input order.
fn criteria_of(failed: &DataFrame) -> std::collections::HashMap<String, Vec<String>> {
    let mut by = std::collections::HashMap::<String, Vec<String>>::new();
    let (Ok(ids), Ok(names)) = (failed.column("inspection_id"), failed.column("criterion")) else {
        return by;
    };
    let (Ok(ids), Ok(names)) = (ids.str(), names.str()) else {
        return by;
    };
    for (id, name) in ids.iter().zip(names.iter()) {
        if let (Some(id), Some(name)) = (id, name) {
            by.entry(id.to_string()).or_default().push(name.to_string());
        }
    }
    by
}

impl Report {
    /// The evidence lines `lines` of `list` (those past its end left out), in row order.
    pub fn evidence_lines(
        &self,
        list: &EvidenceList,
        lines: std::ops::Range<usize>,
    ) -> Vec<[String; 8]> {
        let mut out = Vec::new();
        self.each_evidence_line(list, lines, &mut |fields| {
            out.push(fields.map(str::to_string))
        });
        out
    }

    /// Each evidence line `lines` of `list`, its fields handed to `f` borrowed. Only those
    /// rows are looked up, and no field is a string of its own: the lines of a list of
    /// millions are written a range at a time at the cost of their bytes.
    pub fn each_evidence_line(
        &self,
        list: &EvidenceList,
        lines: std::ops::Range<usize>,
        f: &mut dyn FnMut([&str; 8]),
    ) {
        let n = list.rows.len();
        let picked = &list.rows[lines.start.min(n)..lines.end.min(n)];
        // Each value read where it lies, chunk by chunk: no gathered copy of the range.
        let frame = &self.misses;
        let ids = Coded::of(frame, "contact_id");
        let mut ids = ids.at();
        let (channels, agents) = (Coded::of(frame, "channel"), Coded::of(frame, "agent_id"));
        let (mut channels, mut agents) = (channels.at(), agents.at());
        let ms = |c: &str| frame.column(c).ok().and_then(|c| c.i64().ok().cloned());
        let times = [ms("arrived_ms"), ms("answered_ms"), ms("resolved_ms")];
        let mut times = times.each_ref().map(|c| c.as_ref().map(At::of));
        let flag = |c: &str| frame.column(c).ok().and_then(|c| c.bool().ok().cloned());
        let (answered, resolved) = (flag("answered"), flag("resolved"));
        let (mut answered, mut resolved) =
            (answered.as_ref().map(At::of), resolved.as_ref().map(At::of));
        // What repeats is worded once: the zone, the reasons, each channel and agent. A
        // writer a column: each column's times come near time order, day after day.
        let zone = self.zone();
        let mut clocks = [0; 3].map(|_| TimeWriter::new(zone));
        // The few reasons (label keys), each with its words.
        let mut reasons: Vec<(&'static str, String)> = Vec::new();
        let mut labels = Worded::default();
        let mut masked = Worded::default();
        let mut bufs: [String; 4] = Default::default();
        let is_true = |c: &mut Option<At<'_, BooleanArray>>, row| {
            c.as_mut().and_then(|c| c.get(row)) == Some(true)
        };
        for &(row, time) in picked {
            let row = row as usize;
            for ((buf, col), clock) in bufs.iter_mut().zip(&mut times).zip(&mut clocks) {
                buf.clear();
                if let Some(t) = col.as_mut().and_then(|c| c.get(row)) {
                    clock.write(buf, t);
                }
            }
            bufs[3].clear();
            if !time.is_nan() {
                super::write_duration(&mut bufs[3], time);
            }
            let why = reason(
                list.metric,
                is_true(&mut answered, row),
                is_true(&mut resolved, row),
            );
            let k = match reasons.iter().position(|(key, _)| std::ptr::eq(*key, why)) {
                Some(k) => k,
                None => {
                    reasons.push((why, self.text.label(why)));
                    reasons.len() - 1
                }
            };
            let why = &reasons[k].1;
            let label = labels.word(&mut channels, row, |c| self.text.channel(c));
            let agent = masked.word(&mut agents, row, crate::model::mask_personal);
            f([
                ids.text(row).unwrap_or_default(),
                label,
                agent,
                &bufs[0],
                &bufs[1],
                &bufs[2],
                &bufs[3],
                why,
            ]);
        }
    }
}

/// A column's values read at rows that mostly go up (an evidence range's, in input
/// order): the chunk of the row before is tried first, else the row's chunk is searched.
struct At<'a, A> {
    chunks: Vec<&'a A>,
    /// Where each chunk starts, then where the last ends.
    starts: Vec<usize>,
    k: usize,
}

impl<'a, A: StaticArray> At<'a, A> {
    fn of<T: PolarsDataType<Array = A>>(c: &'a ChunkedArray<T>) -> Self {
        let chunks = crate::util::chunk_ranges(c).into_iter();
        let starts = chunks.map(|(at, _)| at).chain([c.len()]).collect();
        At {
            chunks: c.downcast_iter().collect(),
            starts,
            k: 0,
        }
    }

    /// The value at `row`; none when it is missing or past the end.
    #[inline]
    fn get(&mut self, row: usize) -> Option<A::ValueT<'a>> {
        let within = |k: usize| self.starts[k] <= row && row < self.starts[k + 1];
        if self.k >= self.chunks.len() || !within(self.k) {
            // The last chunk starting at or before the row (an empty one never: the chunk
            // after it starts at the same row).
            self.k = self.starts.partition_point(|&s| s <= row).checked_sub(1)?;
            if self.k >= self.chunks.len() {
                return None;
            }
        }
        self.chunks[self.k].get(row - self.starts[self.k])
    }
}

/// A text column of the misses frame: category codes with their texts, or text (cast
/// from any other type: a frame built by hand), or none.
enum Coded {
    Codes(UInt32Chunked, Arc<CategoricalMapping>),
    Text(StringChunked),
    Missing,
}

impl Coded {
    fn of(frame: &DataFrame, name: &str) -> Coded {
        let Ok(c) = frame.column(name) else {
            return Coded::Missing;
        };
        if let (Ok(mapping), Ok(codes)) = (c.dtype().cat_mapping(), c.cat32()) {
            return Coded::Codes(codes.physical().clone(), mapping.clone());
        }
        let text = match c.str() {
            Ok(t) => Some(t.clone()),
            Err(_) => c
                .cast(&DataType::String)
                .ok()
                .and_then(|c| c.str().ok().cloned()),
        };
        text.map_or(Coded::Missing, Coded::Text)
    }

    fn at(&self) -> CodedAt<'_> {
        match self {
            Coded::Codes(codes, mapping) => CodedAt::Codes(At::of(codes), mapping),
            Coded::Text(text) => CodedAt::Text(At::of(text)),
            Coded::Missing => CodedAt::Missing,
        }
    }
}

/// A [`Coded`] column being read.
enum CodedAt<'a> {
    Codes(At<'a, PrimitiveArray<u32>>, &'a CategoricalMapping),
    Text(At<'a, Utf8ViewArray>),
    Missing,
}

impl<'a> CodedAt<'a> {
    /// The text at `row` (none: missing).
    fn text(&mut self, row: usize) -> Option<&'a str> {
        match self {
            CodedAt::Codes(at, mapping) => mapping.cat_to_str(at.get(row)?),
            CodedAt::Text(at) => at.get(row),
            CodedAt::Missing => None,
        }
    }
}

/// Each value of a [`Coded`] column worded once (`word` of its text; of "" when none).
#[derive(Default)]
struct Worded {
    by_code: Vec<Option<String>>,
    by_text: hashbrown::HashMap<String, String, foldhash::fast::FixedState>,
    none: Option<String>,
}

impl Worded {
    fn word(&mut self, c: &mut CodedAt<'_>, row: usize, word: impl Fn(&str) -> String) -> &str {
        match c {
            CodedAt::Codes(at, mapping) => {
                let Some(code) = at.get(row) else {
                    return self.none.get_or_insert_with(|| word(""));
                };
                let k = code as usize;
                if self.by_code.len() <= k {
                    self.by_code.resize(k + 1, None);
                }
                self.by_code[k].get_or_insert_with(|| word(mapping.cat_to_str(code).unwrap_or("")))
            }
            CodedAt::Text(at) => {
                let t = at.get(row).unwrap_or_default();
                self.by_text.entry_ref(t).or_insert_with(|| word(t))
            }
            CodedAt::Missing => self.none.get_or_insert_with(|| word("")),
        }
    }
}

impl Report {
    /// The lines of a list over inspections (see [`crate::report::INSPECTION_EVIDENCE_COLUMNS`]):
    /// each inspection that did not pass, with the criteria it failed; empty for a list
    /// over contacts.
    pub fn inspection_lines(&self, list: &EvidenceList) -> Vec<[String; 8]> {
        let Some((f, criteria)) = &list.inspections else {
            return Vec::new();
        };
        let (t, tz) = (&self.text, self.zone());
        let text = |c: &str| {
            f.column(c)
                .ok()
                .and_then(|c| c.cast(&DataType::String).ok())
        };
        let cols = ["inspection_id", "contact_id", "agent", "source", "channel"].map(text);
        let when = f.column("when_ms").ok().and_then(|c| c.i64().ok().cloned());
        let score = f.column("score").ok().and_then(|c| c.f64().ok().cloned());
        let at = |k: usize, i: usize| {
            cols[k]
                .as_ref()
                .and_then(|c| c.str().ok()?.get(i).map(str::to_string))
                .unwrap_or_default()
        };
        (0..f.height())
            .map(|i| {
                let id = at(0, i);
                let failed = criteria
                    .get(&id)
                    .map(|v| {
                        v.iter()
                            .map(|c| t.criterion(c))
                            .collect::<Vec<_>>()
                            .join(&t.label("list_separator"))
                    })
                    .unwrap_or_default();
                let source = at(3, i);
                [
                    id,
                    at(1, i),
                    crate::model::mask_personal(&at(2, i)),
                    if source.is_empty() {
                        source
                    } else {
                        t.label_or(&format!("source_{source}"), &source)
                    },
                    t.channel(&at(4, i)),
                    when.as_ref()
                        .and_then(|c| c.get(i))
                        .map_or(String::new(), |t| local_time(tz, t).to_string()),
                    score
                        .as_ref()
                        .and_then(|c| c.get(i))
                        .map_or(String::new(), |v| format!("{v}")),
                    failed,
                ]
            })
            .collect()
    }

    /// The period's time zone.
    fn zone(&self) -> chrono_tz::Tz {
        self.metrics
            .period
            .timezone
            .parse()
            .unwrap_or(chrono_tz::UTC)
    }
}

/// The file beside the report holding the whole list of SLA `id`:
/// `evidence/<id>.csv`, the id's characters other than letters, digits, `_` and `-` as `_`.
pub fn evidence_file(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("evidence/{safe}.csv")
}

impl Report {
    /// The heading of `list`: its SLA's name, clause and threshold, and how many contacts
    /// missed it (inspections failed it).
    pub fn evidence_heading(&self, list: &EvidenceList) -> String {
        let t = &self.text;
        let threshold = list
            .threshold
            .as_ref()
            .map(|x| format!("{}{x}", t.label("param_separator")))
            .unwrap_or_default();
        t.label(if list.inspections.is_some() {
            "evidence_heading_qa"
        } else {
            "evidence_heading"
        })
        .replace("{name}", &list.name)
        .replace("{clause}", &list.clause)
        .replace("{threshold}", &threshold)
        .replace("{n}", &super::count(list.missed))
    }

    /// Under the first `shown` lines of a longer `list`: where the whole list is, and
    /// [`Report::evidence_sheet_limit`]'s warning.
    pub fn evidence_note(&self, list: &EvidenceList, shown: usize) -> Option<String> {
        (list.missed as usize > shown).then(|| {
            let note = self
                .text
                .label("evidence_cap_note")
                .replace("{cap}", &super::count(shown as u64))
                .replace("{n}", &super::count(list.missed))
                .replace("{file}", &evidence_file(&list.sla));
            note + &self.evidence_sheet_limit(list)
        })
    }

    /// For a `list` whose file, with its header line, has more lines than a sheet of Excel
    /// or WPS holds ([`crate::util::SHEET_ROWS`]): a sentence saying that opened there it is
    /// cut short, and after how many lines. Otherwise empty.
    pub fn evidence_sheet_limit(&self, list: &EvidenceList) -> String {
        sheet_limit(&self.text, list.missed)
    }

    /// The column labels of `list`'s lines.
    pub fn evidence_headers(&self, list: &EvidenceList) -> Vec<String> {
        self.text.labels(if list.inspections.is_some() {
            super::INSPECTION_EVIDENCE_COLUMNS
        } else {
            super::EVIDENCE_COLUMNS
        })
    }

    /// The first `n` lines of `list`, over contacts or over inspections.
    pub fn evidence_first(&self, list: &EvidenceList, n: usize) -> Vec<[String; 8]> {
        if list.inspections.is_some() {
            let mut all = self.inspection_lines(list);
            all.truncate(n);
            all
        } else {
            self.evidence_lines(list, 0..n)
        }
    }
}

/// [`Report::evidence_sheet_limit`] for a list of `lines` lines under its header line.
fn sheet_limit(text: &crate::config::text::Text, lines: u64) -> String {
    let rows = u64::from(crate::util::SHEET_ROWS);
    if lines < rows {
        return String::new();
    }
    text.label("evidence_sheet_limit")
        .replace("{rows}", &super::count(rows))
        .replace("{shown}", &super::count(rows - 1))
}

/// Time `ms` in zone `tz` to the second (`2026-10-01 08:14:49`, as the inputs write it).
fn local_time(tz: chrono_tz::Tz, ms: i64) -> chrono::NaiveDateTime {
    tz.timestamp_opt(ms.div_euclid(1000), 0)
        .earliest()
        .map_or_else(Default::default, |t| t.naive_local())
}

/// Instants written as local times to the second (`2026-10-01 08:14:49`, as
/// [`local_time`] and chrono's `Display` write them), for lines by the million: the zone's
/// offset is cached per hour ([`LocalClock`](crate::config::calendar::LocalClock)) and each
/// day's date is formatted once; the time of day is division.
struct TimeWriter {
    clock: crate::config::calendar::LocalClock,
    tz: chrono_tz::Tz,
    /// `YYYY-MM-DD ` by local day number.
    days: crate::util::FastMap<i64, String>,
    /// The day last written, and its text (copied into the same buffer each time).
    last: (i64, String),
}

impl TimeWriter {
    fn new(tz: chrono_tz::Tz) -> Self {
        TimeWriter {
            clock: crate::config::calendar::LocalClock::new(tz),
            tz,
            days: Default::default(),
            last: (i64::MIN, String::new()),
        }
    }

    fn write(&mut self, out: &mut String, ms: i64) {
        use std::fmt::Write as _;
        let Some(local) = self.clock.local_ms(ms) else {
            let _ = write!(out, "{}", local_time(self.tz, ms));
            return;
        };
        let secs = local.div_euclid(1000);
        let (day, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // Lines come near time order: the day before is the likely one.
        if self.last.0 != day {
            let date = self.days.entry(day).or_insert_with(|| {
                let d = chrono::DateTime::from_timestamp(day * 86_400, 0)
                    .map_or_else(Default::default, |t| t.naive_utc().date());
                format!("{d} ")
            });
            self.last.0 = day;
            self.last.1.clone_from(date);
        }
        out.push_str(&self.last.1);
        // `sod` is below a day's seconds: each part below 100.
        let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
        super::push_two_digits(out, h as u8);
        out.push(':');
        super::push_two_digits(out, m as u8);
        out.push(':');
        super::push_two_digits(out, s as u8);
    }
}

/// Why a contact missed an SLA of `metric`, as a label key.
fn reason(metric: SlaMetric, answered: bool, resolved: bool) -> &'static str {
    match metric {
        SlaMetric::ServiceLevel | SlaMetric::ResponseWithin | SlaMetric::UrgentResponseWithin
            if !answered =>
        {
            "evidence_not_answered"
        }
        SlaMetric::ServiceLevel | SlaMetric::ResponseWithin | SlaMetric::UrgentResponseWithin => {
            "evidence_answered_late"
        }
        SlaMetric::ResolvedWithin if resolved => "evidence_resolved_late",
        SlaMetric::FcrRate => "evidence_not_first_contact",
        _ => "evidence_not_resolved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet holds 1,048,576 rows, the header line one of them: a list of 1,048,575
    /// lines fits (no warning); one of 1,048,576 opens without its last line, so the
    /// warning says only the first 1,048,575 show.
    #[test]
    fn a_list_longer_than_a_sheet_is_said_to_be() {
        use crate::config::{text::Text, Lang};
        let zh = Text::load(Lang::Zh);
        assert_eq!(sheet_limit(&zh, 1_048_575), "");
        assert_eq!(
            sheet_limit(&zh, 1_048_576),
            "该文件超过 Excel、WPS 单表 1,048,576 行的上限，在其中打开只显示前 1,048,575 条；\
             完整查看请用文本编辑器或数据分析工具（如 Python、DuckDB）。"
        );
        let en = Text::load(Lang::En);
        assert_eq!(sheet_limit(&en, 3_200_000).matches("1,048,575").count(), 1);
    }

    /// Every 37 seconds over the hours around each 2026 clock change of Berlin and New
    /// York, through one writer (its caches filled on the way), as chrono gives them.
    #[test]
    fn local_times_across_clock_changes_are_chrono_s() {
        use chrono_tz::{America::New_York, Europe::Berlin};
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        for (tz, change) in [
            (Berlin, "2026-03-29T01:00:00Z"),
            (Berlin, "2026-10-25T01:00:00Z"),
            (New_York, "2026-03-08T07:00:00Z"),
            (New_York, "2026-11-01T06:00:00Z"),
        ] {
            let mut w = TimeWriter::new(tz);
            let c = at(change);
            for t in (c - 3 * 3_600_000..c + 3 * 3_600_000).step_by(37_000) {
                let mut fast = String::new();
                w.write(&mut fast, t);
                assert_eq!(fast, local_time(tz, t).to_string(), "{t} in {tz}");
            }
        }
    }

    /// Values read at rows across chunks, going up, back, and past the end: each the value
    /// at that row of the whole column.
    #[test]
    fn a_value_is_read_at_its_row_whatever_the_chunks() {
        let mut c = Int64Chunked::from_slice("t".into(), &[10, 11, 12]);
        c.append(&Int64Chunked::from_iter_options(
            "t".into(),
            [Some(13), None].into_iter(),
        ))
        .unwrap();
        c.append(&Int64Chunked::from_slice("t".into(), &[15]))
            .unwrap();
        assert_eq!(c.chunks().len(), 3);
        let mut at = At::of(&c);
        let rows = [0, 2, 3, 4, 5, 1, 5, 3, 6, 0];
        let got: Vec<_> = rows.iter().map(|&r| at.get(r)).collect();
        let want = [
            Some(10),
            Some(12),
            Some(13),
            None,
            Some(15),
            Some(11),
            Some(15),
            Some(13),
            None,
            Some(10),
        ];
        assert_eq!(got, want);
    }

    proptest::proptest! {
        /// The cached local time is what chrono's conversion and `Display` give, in a zone
        /// with daylight saving time (every hour of the clock changes included) and in
        /// Beijing time, over years 1900 to 2200.
        #[test]
        fn a_local_time_is_written_as_chrono_writes_it(
            ms in -2_208_988_800_000i64..7_258_118_400_000i64,
            near in 0i64..7_200_000,
        ) {
            for tz in [chrono_tz::Europe::Berlin, chrono_tz::America::New_York, chrono_tz::Asia::Shanghai] {
                let mut w = TimeWriter::new(tz);
                // A time, then one near it (the cache's day and hour at work).
                for t in [ms, ms + near, ms - near] {
                    let mut fast = String::new();
                    w.write(&mut fast, t);
                    proptest::prop_assert_eq!(&fast, &local_time(tz, t).to_string(), "{} in {}", t, tz);
                }
            }
        }
    }
}
