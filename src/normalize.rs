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

use crate::config::contract::SurveyCfg;
use crate::error::{Error, Result};
use crate::ingest::{self, Cell, InputFile, RowSink};
use crate::model::{parse_bool, Channel, Complexity, Kind, Priority};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Why a row was not accepted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    pub file: String,
    pub row: u64,
    pub column: String,
    pub reason: String,
    /// `rejected` or `duplicate`.
    pub category: &'static str,
    /// `contacts` or `surveys`.
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

/// A hash map with a fast, fixed-seed hasher (the per-cell lookups are ingest's hot path).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Row bookkeeping shared by the contact and survey sinks: counts every row and lists every
/// row that is not accepted.
#[derive(Debug, Default)]
pub struct Ledger {
    input: &'static str,
    /// Files read so far; the last one is being read.
    files: Vec<String>,
    pub rejections: Vec<Rejection>,
    pub counts: RowCounts,
}

impl Ledger {
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

    /// "duplicate of FILE row N" for an earlier row.
    fn duplicate_of(&self, (file, row): (u32, u64)) -> String {
        format!(
            "{DUPLICATE} {} row {row}",
            self.files
                .get(file as usize)
                .map(|s| s.as_str())
                .unwrap_or("")
        )
    }

    fn new(input: &'static str) -> Self {
        Ledger {
            input,
            ..Default::default()
        }
    }

    /// Record the outcome of one data row.
    fn record(&mut self, row: u64, outcome: std::result::Result<(), (String, String)>) {
        self.counts.read += 1;
        let (column, reason) = match outcome {
            Ok(()) => {
                self.counts.accepted += 1;
                return;
            }
            Err(e) => e,
        };
        let category = if reason.starts_with(DUPLICATE) {
            "duplicate"
        } else {
            "rejected"
        };
        if category == "duplicate" {
            self.counts.duplicates += 1;
        } else {
            self.counts.rejected += 1;
        }
        // A value quoted in a reason may be personal data sitting in the wrong column.
        let reason = crate::model::mask_personal(&reason);
        self.rejections.push(Rejection {
            file: self.file().to_string(),
            row,
            column,
            reason,
            category,
            input: self.input,
        });
    }
}

const DUPLICATE: &str = "duplicate of";

/// Canonical contact columns, in file-header spelling.
pub const CONTACT_COLUMNS: &[&str] = &[
    "contact_id",
    "channel",
    "kind",
    "topic",
    "complaint_type",
    "priority",
    "complexity",
    "arrived_at",
    "answered_at",
    "resolved_at",
    "wait_seconds",
    "handle_seconds",
    "resolved",
    "first_contact_resolved",
    "agent_id",
    "agent_name",
    "team",
    "customer_id",
    "customer_phone",
    "satisfaction",
    // Extension: an answered flag for exports that give one instead of `answered_at`.
    "answered",
];

pub const SURVEY_COLUMNS: &[&str] = &[
    "response_id",
    "contact_id",
    "responded_at",
    "score",
    "nps",
    "comment",
];

/// `YYYY-MM-DD HH:MM:SS` read straight from the bytes (the common export form, and the
/// hot path of ingest); anything else, or an impossible date, returns `None` and goes
/// through the general parsers.
fn parse_common(s: &str) -> Option<NaiveDateTime> {
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
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
}

/// Parse a naive ISO-like timestamp (no offset).
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
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
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Invalid(why) => Err(why.to_string()),
        Cell::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
        other => {
            let t = other.to_text();
            parse_bool(&t).ok_or_else(|| {
                format!(
                    "`{t}` is not a yes/no value (expected true/false, 1/0, Y/N, yes/no, 是/否)"
                )
            })
        }
    }
}

fn text(cell: &Cell) -> Option<String> {
    if cell.is_empty() {
        None
    } else {
        Some(cell.to_text())
    }
}

/// Longest label (topic, complaint type, agent, team) kept, in characters.
pub const MAX_LABEL_CHARS: usize = 256;

/// A label column's text, cut to [`MAX_LABEL_CHARS`] with an ellipsis: a runaway cell (a
/// pasted document, a broken export) must not turn into a chart label or a workbook cell
/// that no reader can take.
fn label(cell: &Cell) -> Option<String> {
    text(cell).map(|s| {
        if s.chars().count() > MAX_LABEL_CHARS {
            let mut cut: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
            cut.push('…');
            cut
        } else {
            s
        }
    })
}

/// Map header names to canonical column indexes (case-insensitive, trimmed; the first
/// matching column wins).
fn map_headers(headers: &[String], canonical: &[&'static str]) -> FastMap<&'static str, usize> {
    let mut m = FastMap::default();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        if let Some(c) = canonical.iter().find(|c| **c == h) {
            m.entry(*c).or_insert(i);
        }
    }
    m
}

/// Accepted contacts, column-wise.
#[derive(Default)]
struct ContactCols {
    contact_id: Vec<String>,
    channel: Vec<&'static str>,
    kind: Vec<&'static str>,
    topic: Vec<Option<String>>,
    complaint_type: Vec<Option<String>>,
    priority: Vec<Option<&'static str>>,
    complexity: Vec<Option<&'static str>>,
    arrived_ms: Vec<i64>,
    answered_ms: Vec<Option<i64>>,
    resolved_ms: Vec<Option<i64>>,
    wait_s: Vec<Option<f64>>,
    handle_s: Vec<Option<f64>>,
    resolved_flag: Vec<Option<bool>>,
    answered_flag: Vec<Option<bool>>,
    fcr: Vec<Option<bool>>,
    agent_id: Vec<Option<String>>,
    agent_name: Vec<Option<String>>,
    team: Vec<Option<String>>,
    satisfaction: Vec<Option<f64>>,
    has_survey: Vec<bool>,
}

/// Builds canonical contacts from ingested rows.
pub struct ContactSink<'a> {
    tz: Tz,
    survey: &'a SurveyCfg,
    cols: ContactCols,
    map: FastMap<&'static str, usize>,
    seen: FastMap<String, (u32, u64)>,
    pub ledger: Ledger,
}

impl<'a> ContactSink<'a> {
    pub fn new(tz: Tz, survey: &'a SurveyCfg) -> Self {
        ContactSink {
            tz,
            survey,
            cols: ContactCols::default(),
            map: FastMap::default(),
            seen: FastMap::default(),
            ledger: Ledger::new("contacts"),
        }
    }

    fn try_row(
        &mut self,
        row_no: u64,
        cells: &[Cell<'_>],
    ) -> std::result::Result<(), (String, String)> {
        let get = |name: &str| -> &Cell {
            self.map
                .get(name)
                .and_then(|&i| cells.get(i))
                .unwrap_or(&Cell::Empty)
        };
        let err = |col: &str, why: String| (col.to_string(), why);
        let ts = |name: &str| -> std::result::Result<Option<i64>, (String, String)> {
            let c = get(name);
            if c.is_empty() {
                return Ok(None);
            }
            parse_timestamp(c, self.tz)
                .map(Some)
                .map_err(|e| err(name, e))
        };
        let num = |name: &str| -> std::result::Result<Option<f64>, (String, String)> {
            let c = get(name);
            if c.is_empty() {
                return Ok(None);
            }
            parse_number(c).map(Some).map_err(|e| err(name, e))
        };
        let flag = |name: &str| -> std::result::Result<Option<bool>, (String, String)> {
            let c = get(name);
            if c.is_empty() {
                return Ok(None);
            }
            parse_flag(c).map(Some).map_err(|e| err(name, e))
        };

        let id = text(get("contact_id"))
            .ok_or_else(|| err("contact_id", "missing (required)".into()))?;
        let channel_text =
            text(get("channel")).ok_or_else(|| err("channel", "missing (required)".into()))?;
        let channel = Channel::parse(&channel_text).ok_or_else(|| {
            err(
                "channel",
                format!(
                    "unknown channel `{channel_text}` (expected {})",
                    Channel::expected()
                ),
            )
        })?;
        let kind = match text(get("kind")) {
            None => Kind::Consultation,
            Some(k) => Kind::parse(&k).ok_or_else(|| {
                err(
                    "kind",
                    format!("unknown kind `{k}` (expected {})", Kind::expected()),
                )
            })?,
        };
        let priority = match text(get("priority")) {
            None => None,
            Some(p) => Some(Priority::parse(&p).ok_or_else(|| {
                err(
                    "priority",
                    format!("unknown priority `{p}` (expected {})", Priority::expected()),
                )
            })?),
        };
        let complexity = match text(get("complexity")) {
            None => None,
            Some(p) => Some(Complexity::parse(&p).ok_or_else(|| {
                err(
                    "complexity",
                    format!(
                        "unknown complexity `{p}` (expected {})",
                        Complexity::expected()
                    ),
                )
            })?),
        };
        let arrived = match ts("arrived_at")? {
            Some(t) => t,
            None => return Err(err("arrived_at", "missing (required)".into())),
        };
        let answered = ts("answered_at")?;
        let resolved_at = ts("resolved_at")?;
        if let Some(a) = answered {
            if a < arrived {
                return Err(err("answered_at", "answered before it arrived".into()));
            }
        }
        if let Some(r) = resolved_at {
            if r < arrived {
                return Err(err("resolved_at", "resolved before it arrived".into()));
            }
        }
        if let (Some(a), Some(r)) = (answered, resolved_at) {
            if r < a {
                return Err(err("resolved_at", "resolved before it was answered".into()));
            }
        }
        let wait = num("wait_seconds")?;
        let handle = num("handle_seconds")?;
        for (name, v) in [("wait_seconds", wait), ("handle_seconds", handle)] {
            if let Some(v) = v {
                if v < 0.0 {
                    return Err(err(name, format!("negative duration {v}")));
                }
            }
        }
        let resolved = flag("resolved")?;
        let answered_flag = flag("answered")?;
        let fcr = flag("first_contact_resolved")?;
        let sat = num("satisfaction")?;
        if let Some(s) = sat {
            if s < self.survey.scale_min || s > self.survey.scale_max {
                return Err(err(
                    "satisfaction",
                    format!(
                        "score {s} outside the survey scale {}..{}",
                        self.survey.scale_min, self.survey.scale_max
                    ),
                ));
            }
        }
        if let Some(first) = self.seen.get(&id) {
            return Err(("contact_id".into(), self.ledger.duplicate_of(*first)));
        }
        self.seen
            .insert(id.clone(), (self.ledger.file_index(), row_no));
        let c = &mut self.cols;
        c.contact_id.push(id);
        c.channel.push(channel.as_str());
        c.kind.push(kind.as_str());
        c.topic.push(label(get("topic")));
        c.complaint_type.push(label(get("complaint_type")));
        c.priority.push(priority.map(|p| p.as_str()));
        c.complexity.push(complexity.map(|p| p.as_str()));
        c.arrived_ms.push(arrived);
        c.answered_ms.push(answered);
        c.resolved_ms.push(resolved_at);
        c.wait_s.push(wait);
        c.handle_s.push(handle);
        c.resolved_flag.push(resolved);
        c.answered_flag.push(answered_flag);
        c.fcr.push(fcr);
        c.agent_id.push(label(get("agent_id")));
        c.agent_name.push(label(get("agent_name")));
        c.team.push(label(get("team")));
        c.satisfaction.push(sat);
        c.has_survey.push(false);
        Ok(())
    }

    /// Mark contacts that have a survey record (their inline score then does not count).
    pub fn mark_surveyed(&mut self, ids: &std::collections::HashSet<String>) {
        for (i, id) in self.cols.contact_id.iter().enumerate() {
            if ids.contains(id) {
                self.cols.has_survey[i] = true;
            }
        }
    }

    /// The accepted contacts as a frame (one row per contact).
    pub fn into_frame(self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        let c = self.cols;
        let n = c.contact_id.len();
        let df = DataFrame::new(
            n,
            vec![
                Column::new("contact_id".into(), c.contact_id),
                Column::new("channel".into(), c.channel),
                Column::new("kind".into(), c.kind),
                Column::new("topic".into(), c.topic),
                Column::new("complaint_type".into(), c.complaint_type),
                Column::new("priority".into(), c.priority),
                Column::new("complexity".into(), c.complexity),
                Column::new("arrived_ms".into(), c.arrived_ms),
                Column::new("answered_ms".into(), c.answered_ms),
                Column::new("resolved_ms".into(), c.resolved_ms),
                Column::new("wait_s".into(), c.wait_s),
                Column::new("handle_s".into(), c.handle_s),
                Column::new("resolved_flag".into(), c.resolved_flag),
                Column::new("answered_flag".into(), c.answered_flag),
                Column::new("fcr".into(), c.fcr),
                Column::new("agent_id".into(), c.agent_id),
                Column::new("agent_name".into(), c.agent_name),
                Column::new("team".into(), c.team),
                Column::new("satisfaction".into(), c.satisfaction),
                Column::new("has_survey".into(), c.has_survey),
            ],
        )?;
        Ok((df, self.ledger.rejections, self.ledger.counts))
    }
}

impl RowSink for ContactSink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.map = map_headers(headers, CONTACT_COLUMNS);
        let missing: Vec<&str> = ["contact_id", "channel", "arrived_at"]
            .into_iter()
            .filter(|c| !self.map.contains_key(c))
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
        let outcome = self.try_row(row_no, cells);
        self.ledger.record(row_no, outcome);
    }
}

/// Accepted survey responses, column-wise.
#[derive(Default)]
struct SurveyCols {
    response_id: Vec<String>,
    contact_id: Vec<Option<String>>,
    responded_ms: Vec<Option<i64>>,
    score: Vec<f64>,
    nps: Vec<Option<f64>>,
}

/// Builds canonical survey responses from ingested rows.
pub struct SurveySink<'a> {
    tz: Tz,
    survey: &'a SurveyCfg,
    cols: SurveyCols,
    map: FastMap<&'static str, usize>,
    seen: FastMap<String, (u32, u64)>,
    pub ledger: Ledger,
}

impl<'a> SurveySink<'a> {
    pub fn new(tz: Tz, survey: &'a SurveyCfg) -> Self {
        SurveySink {
            tz,
            survey,
            cols: SurveyCols::default(),
            map: FastMap::default(),
            seen: FastMap::default(),
            ledger: Ledger::new("surveys"),
        }
    }

    fn try_row(
        &mut self,
        row_no: u64,
        cells: &[Cell<'_>],
    ) -> std::result::Result<(), (String, String)> {
        let get = |name: &str| -> &Cell {
            self.map
                .get(name)
                .and_then(|&i| cells.get(i))
                .unwrap_or(&Cell::Empty)
        };
        let score_cell = get("score");
        if score_cell.is_empty() {
            return Err(("score".into(), "missing (required)".into()));
        }
        let score = parse_number(score_cell).map_err(|e| ("score".to_string(), e))?;
        if score < self.survey.scale_min || score > self.survey.scale_max {
            return Err((
                "score".into(),
                format!(
                    "score {score} outside the survey scale {}..{}",
                    self.survey.scale_min, self.survey.scale_max
                ),
            ));
        }
        let nps = match get("nps") {
            c if c.is_empty() => None,
            c => {
                let v = parse_number(c).map_err(|e| ("nps".to_string(), e))?;
                if !(0.0..=10.0).contains(&v) {
                    return Err(("nps".into(), format!("{v} outside 0..10")));
                }
                Some(v)
            }
        };
        let responded = match get("responded_at") {
            c if c.is_empty() => None,
            c => Some(parse_timestamp(c, self.tz).map_err(|e| ("responded_at".to_string(), e))?),
        };
        let rid =
            text(get("response_id")).unwrap_or_else(|| format!("{}#{row_no}", self.ledger.file()));
        if let Some(first) = self.seen.get(&rid) {
            return Err(("response_id".into(), self.ledger.duplicate_of(*first)));
        }
        self.seen
            .insert(rid.clone(), (self.ledger.file_index(), row_no));
        self.cols.response_id.push(rid);
        self.cols.contact_id.push(text(get("contact_id")));
        self.cols.responded_ms.push(responded);
        self.cols.score.push(score);
        self.cols.nps.push(nps);
        Ok(())
    }

    /// Contact ids that have a survey record.
    pub fn linked_contacts(&self) -> std::collections::HashSet<String> {
        self.cols.contact_id.iter().flatten().cloned().collect()
    }

    pub fn into_frame(self) -> Result<(DataFrame, Vec<Rejection>, RowCounts)> {
        let c = self.cols;
        let n = c.score.len();
        let df = DataFrame::new(
            n,
            vec![
                Column::new("response_id".into(), c.response_id),
                Column::new("contact_id".into(), c.contact_id),
                Column::new("responded_ms".into(), c.responded_ms),
                Column::new("score".into(), c.score),
                Column::new("nps".into(), c.nps),
            ],
        )?;
        Ok((df, self.ledger.rejections, self.ledger.counts))
    }
}

impl RowSink for SurveySink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.ledger.open(file);
        self.map = map_headers(headers, SURVEY_COLUMNS);
        if !self.map.contains_key("score") {
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
        let outcome = self.try_row(row_no, cells);
        self.ledger.record(row_no, outcome);
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

/// Everything ingested and normalized for a run.
pub struct Dataset {
    pub contacts: DataFrame,
    pub surveys: DataFrame,
    pub inputs: Vec<InputFile>,
    pub survey_inputs: Vec<InputFile>,
    pub rejections: Vec<Rejection>,
    pub contact_rows: RowCounts,
    pub survey_rows: RowCounts,
}

/// Read every contact and survey input, through its mapping profile when one is given.
pub fn load(cfg: &crate::config::RunConfig) -> Result<Dataset> {
    let tz = cfg.contract.tz();
    let survey_cfg = &cfg.contract.survey;
    // A progress bar over the input files, only on a terminal.
    let bar = if cfg.progress {
        let b = indicatif::ProgressBar::new((cfg.surveys.len() + cfg.calls.len()) as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut ssink = SurveySink::new(tz, survey_cfg);
    let mut survey_inputs = Vec::new();
    for p in &cfg.surveys {
        bar.set_message(p.display().to_string());
        survey_inputs.push(read_one(
            p,
            cfg.survey_mapping.as_ref(),
            cfg.limits,
            &mut ssink,
        )?);
        bar.inc(1);
    }
    let mut csink = ContactSink::new(tz, survey_cfg);
    let mut inputs = Vec::new();
    for p in &cfg.calls {
        bar.set_message(p.display().to_string());
        inputs.push(read_one(p, cfg.mapping.as_ref(), cfg.limits, &mut csink)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    csink.mark_surveyed(&ssink.linked_contacts());
    let (contacts, mut rejections, contact_rows) = csink.into_frame()?;
    let (surveys_df, srej, survey_rows) = ssink.into_frame()?;
    rejections.extend(srej);
    Ok(Dataset {
        contacts,
        surveys: surveys_df,
        inputs,
        survey_inputs,
        rejections,
        contact_rows,
        survey_rows,
    })
}

fn read_one(
    p: &Path,
    profile: Option<&crate::mapping::Profile>,
    limits: ingest::Limits,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    tracing::info!(file = %p.display(), "reading");
    let mut opts = profile.map(|prof| prof.read.clone()).unwrap_or_default();
    opts.limits = limits;
    match profile {
        None => ingest::read_file_with(p, &opts, sink),
        Some(prof) => {
            let mut mapped = crate::mapping::MappedSink::new(prof, sink);
            ingest::read_file_with(p, &opts, &mut mapped)
        }
    }
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

    #[test]
    fn the_byte_parser_agrees_with_chrono() {
        for t in [
            "2026-10-08 09:15:02",
            "2024-02-29 23:59:59",
            "2026-01-01 00:00:00",
        ] {
            assert_eq!(
                parse_common(t),
                NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok(),
                "{t}"
            );
        }
        for t in [
            "2026-02-30 10:00:00",
            "2026-13-01 10:00:00",
            "2026-10-08 24:00:00",
            "2026-10-08T09:15:02",
            "2026-1a-08 09:15:02",
            "+026-10-08 09:15:02",
        ] {
            assert_eq!(parse_common(t), None, "{t}");
        }
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
