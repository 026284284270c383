//! The evidence behind each missed SLA (未达标明细): every contact in its denominator but not
//! its numerator, one line each with what the provider needs to find and dispute it
//! (contact id, channel, agent, arrival, answer and resolution times, the time held against
//! the threshold, why it missed); for an SLA over inspections, every inspection that did not
//! pass (id, contact, agent, source, channel, time, score, the criteria it failed). The period frame carries no customer data (no phone, id
//! number or comment), so neither do the lines. The rows are the KPI kernel's; this module
//! looks them up and words them, and decides nothing.

use super::Report;
use crate::config::contract::SlaMetric;
use crate::evaluate::Status;
use chrono::TimeZone;
use polars::prelude::*;

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

/// The lists of the missed SLAs: over contacts from the kernel's rows, over inspections
/// from the inspections that did not pass (`misses`).
pub(super) fn lists(
    scorecard: &[crate::evaluate::ScoreLine],
    misses: &crate::kpi::Misses,
) -> Vec<EvidenceList> {
    let no_inspections = vec![None; scorecard.len()];
    let inspections = if misses.inspections.len() == scorecard.len() {
        &misses.inspections
    } else {
        &no_inspections
    };
    scorecard
        .iter()
        .zip(misses.rows.iter().chain(std::iter::repeat(&Vec::new())))
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
            rows: rows.clone(),
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
    /// Only those rows are looked up: the lines of a list of millions are made a range at
    /// a time.
    pub fn evidence_lines(
        &self,
        list: &EvidenceList,
        lines: std::ops::Range<usize>,
    ) -> Vec<[String; 8]> {
        let n = list.rows.len();
        let picked = &list.rows[lines.start.min(n)..lines.end.min(n)];
        let idx = IdxCa::from_vec(
            "row".into(),
            picked.iter().map(|&(row, _)| row as IdxSize).collect(),
        );
        let Ok(f) = self.misses.take(&idx) else {
            return Vec::new();
        };
        let text = |c: &str| {
            f.column(c)
                .ok()
                .and_then(|c| c.cast(&DataType::String).ok())
        };
        let (ids, channels, agents) = (text("contact_id"), text("channel"), text("agent_id"));
        let ms = |c: &str| f.column(c).ok().and_then(|c| c.i64().ok().cloned());
        let (arrived, answered, resolved) =
            (ms("arrived_ms"), ms("answered_ms"), ms("resolved_ms"));
        let flag = |c: &str| f.column(c).ok().and_then(|c| c.bool().ok().cloned());
        let (is_answered, is_resolved) = (flag("answered"), flag("resolved"));
        let local = |v: Option<i64>| self.local_time(v);
        let str_at = |c: &Option<Column>, i: usize| {
            c.as_ref()
                .and_then(|c| c.str().ok()?.get(i).map(str::to_string))
                .unwrap_or_default()
        };
        let ms_at = |c: &Option<Int64Chunked>, i: usize| c.as_ref().and_then(|c| c.get(i));
        let flag_at = |c: &Option<BooleanChunked>, i: usize| {
            c.as_ref().and_then(|c| c.get(i)).unwrap_or(false)
        };
        picked
            .iter()
            .enumerate()
            .map(|(i, &(_, time))| {
                let why = reason(
                    list.metric,
                    flag_at(&is_answered, i),
                    flag_at(&is_resolved, i),
                );
                [
                    str_at(&ids, i),
                    self.text.channel(&str_at(&channels, i)),
                    crate::model::mask_personal(&str_at(&agents, i)),
                    local(ms_at(&arrived, i)),
                    local(ms_at(&answered, i)),
                    local(ms_at(&resolved, i)),
                    if time.is_nan() {
                        String::new()
                    } else {
                        super::duration(time)
                    },
                    self.text.label(why),
                ]
            })
            .collect()
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
        let t = &self.text;
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
                    self.local_time(when.as_ref().and_then(|c| c.get(i))),
                    score
                        .as_ref()
                        .and_then(|c| c.get(i))
                        .map_or(String::new(), |v| format!("{v}")),
                    failed,
                ]
            })
            .collect()
    }

    /// A time of the period's zone to the second (`2026-10-01 08:14:49`, as the inputs
    /// write it); empty for none.
    fn local_time(&self, ms: Option<i64>) -> String {
        let tz: chrono_tz::Tz = self
            .metrics
            .period
            .timezone
            .parse()
            .unwrap_or(chrono_tz::UTC);
        ms.and_then(|ms| tz.timestamp_opt(ms.div_euclid(1000), 0).earliest())
            .map_or(String::new(), |t| t.naive_local().to_string())
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
