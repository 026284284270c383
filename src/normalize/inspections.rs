//! Quality inspections, the third input kind: one row per inspected contact (a sampled
//! recording or transcript) or per mystery-shopper test, with the inspector's verdict and,
//! optionally, a pass/fail or a score per criterion (`criterion_greeting`,
//! `criterion_accuracy`, …).
//!
//! Like the contact and survey sinks, every row is accepted, rejected (file, row, column,
//! reason) or a duplicate (an `inspection_id` seen before). The verdict is the `passed`
//! column when given, else `score ≥ [quality] pass_score`, else "every criterion passed"; a
//! row with none of the three is rejected rather than guessed. Comments are never stored.
//! Inspections are sampled, so they are few: rows are checked one at a time. The sink yields
//! two frames, the inspections and their criterion checks (long form); linking to contacts
//! and every KPI happen in the KPI stage.

use super::{
    cell_at, header_key, map_headers, parse_flag, parse_number, parse_timestamp, text, Ledger,
};
use super::{Rejection, RowCounts, RowError};
use crate::config::contract::QualityCfg;
use crate::error::{Error, Result};
use crate::ingest::{Cell, RowSink};
use crate::model::{Channel, Channels, InspectionSource};
use crate::normalize::cells::invalid_cell;
use crate::util::InputFile;
use chrono_tz::Tz;
use polars::prelude::*;
use std::collections::HashMap;

use crate::columns::{inspection as ic, CRITERION_PREFIX, INSPECTION_COLUMNS};

/// A pass/fail verdict: the yes/no words of the spec plus the inspection words
/// (`pass`/`fail`, `合格`/`不合格`, `通过`/`不通过`, `达标`/`不达标`).
fn parse_verdict(cell: &Cell) -> std::result::Result<bool, String> {
    if let Cell::Text(s) = cell {
        match s.trim().to_lowercase().as_str() {
            "pass" | "passed" | "ok" | "合格" | "通过" | "达标" => return Ok(true),
            "fail" | "failed" | "不合格" | "不通过" | "未通过" | "不达标" => {
                return Ok(false)
            }
            _ => {}
        }
    }
    parse_flag(cell).map_err(|_| crate::why!("not_a_verdict", cell.to_text().trim()))
}

/// One accepted inspection.
struct Inspection {
    /// The row's sort key (see `Ledger::key`).
    key: u64,
    id: String,
    contact_id: Option<String>,
    agent_id: Option<String>,
    agent_name: Option<String>,
    inspector: Option<String>,
    inspected: Option<i64>,
    source: InspectionSource,
    channel: Option<Channel>,
    score: Option<f64>,
    passed: bool,
    /// The verdict is `score ≥ pass_score` (no `passed` column value).
    by_score: bool,
    criteria: Vec<(usize, bool)>,
}

/// Builds canonical inspections from ingested rows.
pub struct InspectionSink<'a> {
    tz: Tz,
    quality: &'a QualityCfg,
    channels: &'a Channels,
    pos: Vec<Option<usize>>,
    /// Criterion index (into `criteria`) and column position, for the file being read.
    criterion_pos: Vec<(usize, usize)>,
    criteria: Vec<String>,
    seen: HashMap<String, u64>,
    rows: Vec<Inspection>,
    /// Where the rows of the file being read start in `rows`.
    file_start: usize,
    pub ledger: Ledger,
}

impl<'a> InspectionSink<'a> {
    pub fn new(tz: Tz, quality: &'a QualityCfg, channels: &'a Channels) -> Self {
        InspectionSink {
            tz,
            quality,
            channels,
            pos: Vec::new(),
            criterion_pos: Vec::new(),
            criteria: Vec::new(),
            seen: HashMap::new(),
            rows: Vec::new(),
            file_start: 0,
            ledger: Ledger::new("inspections"),
        }
    }

    fn check(&self, cells: &[Cell<'_>], row_no: u64) -> std::result::Result<Inspection, RowError> {
        if let Some(e) = invalid_cell(&self.pos, cells, INSPECTION_COLUMNS) {
            return Err(e);
        }
        let get = |k: usize| cell_at(&self.pos, cells, k);
        let owned = |k: usize| text(get(k)).map(|s| s.into_owned());
        let source = match text(get(ic::SOURCE)) {
            None => InspectionSource::Recording,
            Some(s) => InspectionSource::parse(&s).ok_or_else(|| {
                RowError::new(
                    "source",
                    crate::why!(
                        "unknown_source",
                        s,
                        crate::why::list(InspectionSource::expected().split(", "))
                    ),
                )
            })?,
        };
        let channels = self.channels;
        let channel = match text(get(ic::CHANNEL)) {
            None => None,
            Some(s) => Some(channels.parse(&s).ok_or_else(|| {
                RowError::new(
                    "channel",
                    crate::why!("unknown_channel", s, crate::why::list(channels.names())),
                )
            })?),
        };
        let inspected = match get(ic::INSPECTED_AT) {
            c if c.is_empty() => None,
            // An inspection is often dated by day only: it then counts from midnight.
            c => Some(
                parse_timestamp(c, self.tz)
                    .or_else(|e| {
                        let t = c.to_text();
                        ["%Y-%m-%d", "%Y/%m/%d"]
                            .iter()
                            .find_map(|f| chrono::NaiveDate::parse_from_str(t.trim(), f).ok())
                            .and_then(|d| {
                                use chrono::TimeZone;
                                self.tz
                                    .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                                    .earliest()
                            })
                            .map(|t| t.timestamp_millis())
                            .ok_or(e)
                    })
                    .map_err(|e| RowError::new("inspected_at", e))?,
            ),
        };
        let score = match get(ic::SCORE) {
            c if c.is_empty() => None,
            c => {
                let v = parse_number(c).map_err(|e| RowError::new("score", e))?;
                if v < 0.0 {
                    return Err(RowError::new("score", crate::why!("negative_score", v)));
                }
                Some(v)
            }
        };
        let passed = match get(ic::PASSED) {
            c if c.is_empty() => None,
            c => Some(parse_verdict(c).map_err(|e| RowError::new("passed", e))?),
        };
        let mut criteria = Vec::new();
        for &(k, p) in &self.criterion_pos {
            let c = cells.get(p).unwrap_or(&Cell::Empty);
            if c.is_empty() {
                continue;
            }
            let column = format!("{CRITERION_PREFIX}{}", self.criteria[k]);
            let ok = match (c, self.quality.criterion_pass_score) {
                (Cell::Number(v), Some(min)) => *v >= min,
                (Cell::Text(s), Some(min)) if s.trim().parse::<f64>().is_ok() => {
                    let v = parse_number(c).map_err(|e| RowError::new(column.clone(), e))?;
                    v >= min
                }
                _ => parse_verdict(c).map_err(|e| {
                    let why = match parse_number(c) {
                        // A criterion scored in points, with no score to pass it by.
                        Ok(v) => crate::why!("criterion_in_points", v),
                        Err(_) => e,
                    };
                    RowError::new(column.clone(), why)
                })?,
            };
            criteria.push((k, ok));
        }
        let by_score = passed.is_none() && score.is_some();
        let passed = match (passed, score) {
            (Some(p), _) => p,
            (None, Some(s)) => s >= self.quality.pass_score,
            (None, None) if !criteria.is_empty() => criteria.iter().all(|(_, ok)| *ok),
            (None, None) => return Err(RowError::new("passed", crate::why!("no_verdict"))),
        };
        Ok(Inspection {
            key: self.ledger.key(row_no),
            by_score,
            id: owned(ic::ID).unwrap_or_else(|| format!("{}#{row_no}", self.ledger.file())),
            contact_id: owned(ic::CONTACT_ID),
            agent_id: owned(ic::AGENT_ID),
            agent_name: owned(ic::AGENT_NAME),
            inspector: owned(ic::INSPECTOR),
            inspected,
            source,
            channel,
            score,
            passed,
            criteria,
        })
    }

    /// The file just read judged by scores that are all fractions (between 0 and 1, one
    /// strictly inside) while the pass score is above 1: percentages read as fractions (an
    /// XLS or ODS file carries no number formats; a CSV may hold `0.85`). Every inspection
    /// would fail and money would follow a misreading, so those rows are rejected, naming
    /// why, instead.
    fn reject_fraction_scores(&mut self) {
        let pass = self.quality.pass_score;
        let start = std::mem::replace(&mut self.file_start, self.rows.len());
        let judged = || self.rows[start..].iter().filter(|x| x.by_score);
        let fraction = |v: f64| (0.0..=1.0).contains(&v);
        let suspect = pass > 1.0
            && judged().all(|x| x.score.is_some_and(fraction))
            && judged().any(|x| x.score.is_some_and(|v| v > 0.0 && v < 1.0));
        if !suspect {
            return;
        }
        let (kept, fractions): (Vec<Inspection>, Vec<Inspection>) =
            self.rows.drain(start..).partition(|x| !x.by_score);
        self.rows.extend(kept);
        self.file_start = self.rows.len();
        for x in fractions {
            self.seen.remove(&x.id);
            let why = crate::why!("score_reads_as_fraction", x.score.unwrap_or_default(), pass);
            self.ledger.reject(x.key, RowError::new("score", why));
        }
    }

    /// The accepted inspections, their criterion checks (`inspection_id`, `criterion`,
    /// `ok`), the rejections and the row counts.
    pub fn into_frames(mut self) -> Result<(DataFrame, DataFrame, Vec<Rejection>, RowCounts)> {
        self.reject_fraction_scores();
        let r = &self.rows;
        let s =
            |f: fn(&Inspection) -> Option<&str>| -> Vec<Option<&str>> { r.iter().map(f).collect() };
        let insp = DataFrame::new(
            r.len(),
            vec![
                Column::new(
                    "inspection_id".into(),
                    r.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
                ),
                Column::new("contact_id".into(), s(|x| x.contact_id.as_deref())),
                Column::new("agent_id".into(), s(|x| x.agent_id.as_deref())),
                Column::new("agent_name".into(), s(|x| x.agent_name.as_deref())),
                Column::new("inspector".into(), s(|x| x.inspector.as_deref())),
                Column::new(
                    "inspected_ms".into(),
                    r.iter().map(|x| x.inspected).collect::<Vec<_>>(),
                ),
                Column::new(
                    "source".into(),
                    r.iter().map(|x| x.source.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "channel".into(),
                    r.iter()
                        .map(|x| x.channel.map(|c| self.channels.name(c)))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "score".into(),
                    r.iter().map(|x| x.score).collect::<Vec<_>>(),
                ),
                Column::new(
                    "passed".into(),
                    r.iter().map(|x| x.passed).collect::<Vec<_>>(),
                ),
            ],
        )?;
        let (mut ids, mut names, mut oks) = (Vec::new(), Vec::new(), Vec::new());
        for x in r {
            for &(k, ok) in &x.criteria {
                ids.push(x.id.as_str());
                names.push(self.criteria[k].as_str());
                oks.push(ok);
            }
        }
        let crit = DataFrame::new(
            ids.len(),
            vec![
                Column::new("inspection_id".into(), ids),
                Column::new("criterion".into(), names),
                Column::new("ok".into(), oks),
            ],
        )?;
        let n = insp.height() as u64;
        let (rej, counts) = self.ledger.finish(n);
        Ok((insp, crit, rej, counts))
    }
}

impl RowSink for InspectionSink<'_> {
    fn header(&mut self, file: &InputFile, headers: &[String]) -> Result<()> {
        self.reject_fraction_scores();
        self.ledger.open(file);
        self.pos = map_headers(headers, INSPECTION_COLUMNS);
        self.criterion_pos.clear();
        for (i, h) in headers.iter().enumerate() {
            let h = header_key(h);
            if let Some(name) = h.strip_prefix(CRITERION_PREFIX) {
                if name.is_empty()
                    || self
                        .criterion_pos
                        .iter()
                        .any(|(k, _)| self.criteria[*k] == name)
                {
                    continue;
                }
                let k = match self.criteria.iter().position(|c| c == name) {
                    Some(k) => k,
                    None => {
                        self.criteria.push(name.to_string());
                        self.criteria.len() - 1
                    }
                };
                self.criterion_pos.push((k, i));
            }
        }
        let verdicts = [ic::SCORE, ic::PASSED]
            .iter()
            .any(|k| self.pos[*k].is_some());
        if !verdicts && self.criterion_pos.is_empty() {
            return Err(Error::input(format!(
                "{}: an inspection file needs a `passed` or `score` column or `{CRITERION_PREFIX}…` columns (found: {})",
                self.ledger.file(),
                headers.join(", ")
            ))
            .with_hint("map the inspector's verdict with a mapping profile (records = \"inspections\")"));
        }
        Ok(())
    }

    fn filtered(&mut self, _row_no: u64, rule: &str) {
        self.ledger.filtered(rule);
    }

    fn row(&mut self, row_no: u64, cells: &[Cell<'_>]) {
        self.ledger.counts.read += 1;
        let key = self.ledger.key(row_no);
        match self.check(cells, row_no) {
            Ok(x) => {
                if let Some(first) = self.seen.get(&x.id) {
                    self.ledger.duplicate(key, "inspection_id", *first);
                } else {
                    self.seen.insert(x.id.clone(), key);
                    self.rows.push(x);
                }
            }
            Err(e) => self.ledger.reject(key, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::feed_csv;

    static CHANNELS: std::sync::LazyLock<Channels> = std::sync::LazyLock::new(Channels::default);

    fn sink(q: &QualityCfg, csv: &str) -> (DataFrame, DataFrame, Vec<Rejection>, RowCounts) {
        let mut s = InspectionSink::new(chrono_tz::Asia::Shanghai, q, &CHANNELS);
        feed_csv(&mut s, csv);
        s.into_frames().unwrap()
    }

    #[test]
    fn a_file_of_fraction_scores_against_a_pass_score_in_points_is_rejected() {
        let q = QualityCfg::default(); // pass_score 80
                                       // Percentages read as fractions (85 %, 92.5 %, 75 %): scored against 80 all three
                                       // would fail. Q4's verdict is its own `passed`, so it stands.
        let (df, _, rej, n) = sink(
            &q,
            "inspection_id,score,passed
Q1,0.85,
Q2,0.925,
Q3,0.75,
Q4,0.5,合格
",
        );
        assert_eq!((n.read, n.accepted, n.rejected), (4, 1, 3));
        assert_eq!(
            df.column("inspection_id").unwrap().str().unwrap().get(0),
            Some("Q4")
        );
        assert_eq!(rej.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(
            rej[0].column == "score"
                && crate::normalize::english(&rej[0].reason).starts_with("score 0.85 reads as a fraction: every score of this file lies between 0 and 1, and the pass score is 80"),
            "{rej:?}"
        );
        // Scores of 0 and 1 alone, or any score above 1, are points: kept.
        for csv in [
            "inspection_id,score\nQ1,0\nQ2,1\n",
            "inspection_id,score\nQ1,0.5\nQ2,85\n",
        ] {
            let (_, _, rej, n) = sink(&q, csv);
            assert_eq!((n.accepted, rej.len()), (2, 0), "{csv}");
        }
        // With a pass score of 0.8 (scores as fractions), fractions are the scale.
        let q = QualityCfg {
            pass_score: 0.8,
            ..QualityCfg::default()
        };
        let (_, _, rej, n) = sink(&q, "inspection_id,score\nQ1,0.85\nQ2,0.75\n");
        assert_eq!((n.accepted, rej.len()), (2, 0));
    }

    #[test]
    fn verdicts_come_from_passed_then_score_then_criteria() {
        let q = QualityCfg::default(); // pass_score 80
        let (df, crit, rej, n) = sink(
            &q,
            "inspection_id,contact_id,source,score,passed,criterion_greeting,Criterion_Accuracy\n\
             Q1,C1,录音,75,合格,pass,fail\n\
             Q2,C2,mystery_shopper,80,,,\n\
             Q3,,,79.5,,是,\n\
             Q4,C4,recording,,,1,0\n\
             Q5,C5,recording,,,,\n\
             Q1,C6,recording,90,,,\n\
             Q7,C7,tv,90,,,\n\
             Q8,C8,recording,90,,7,\n",
        );
        // Q1 passed by its verdict although 75 < 80; Q2 by score 80 ≥ 80; Q3 fails (79.5);
        // Q4 fails on accuracy; Q5 has no verdict; the second Q1 is a duplicate; Q7 has an
        // unknown source; Q8's criterion is scored in points without criterion_pass_score.
        assert_eq!((n.read, n.accepted, n.rejected, n.duplicates), (8, 4, 3, 1));
        let passed: Vec<bool> = df
            .column("passed")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(passed, [true, true, false, false]);
        let src: Vec<&str> = df
            .column("source")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(
            src,
            ["recording", "mystery_shopper", "recording", "recording"]
        );
        assert_eq!(crit.height(), 5);
        let cols: Vec<&str> = rej.iter().map(|r| r.column.as_str()).collect();
        assert_eq!(
            cols,
            ["passed", "inspection_id", "source", "criterion_greeting"]
        );
        assert!(
            crate::normalize::english(&rej[3].reason).contains("criterion_pass_score"),
            "{}",
            rej[3].reason
        );
        assert_eq!(
            crate::normalize::english(&rej[1].reason),
            "duplicate of t.csv row 2"
        );
    }

    #[test]
    fn criterion_points_use_the_contract_threshold() {
        let q = QualityCfg {
            criterion_pass_score: Some(6.0),
            ..QualityCfg::default()
        };
        let (df, crit, rej, _) = sink(&q, "criterion_greeting,criterion_accuracy\n7,5\n6,10\n");
        assert!(rej.is_empty());
        let passed: Vec<bool> = df
            .column("passed")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(passed, [false, true]);
        let ok: Vec<bool> = crit
            .column("ok")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(ok, [true, false, true, true]);
    }

    #[test]
    fn a_file_without_any_verdict_column_is_refused() {
        let q = QualityCfg::default();
        let mut s = InspectionSink::new(chrono_tz::Asia::Shanghai, &q, &CHANNELS);
        let file = InputFile::new("qa.csv");
        let e = s
            .header(&file, &["inspection_id".into(), "contact_id".into()])
            .unwrap_err();
        assert!(e.to_string().contains("qa.csv"), "{e}");
    }
}
