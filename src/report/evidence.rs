//! The evidence behind each missed SLA (未达标明细): every contact in its denominator but not
//! its numerator, one line each with what the provider needs to find and dispute it
//! (contact id, channel, agent, arrival, answer and resolution times, the time held against
//! the threshold, why it missed). The period frame carries no customer data (no phone, id
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
}

/// The lists of the missed SLAs over contacts, from the kernel's rows (`misses`).
pub(super) fn lists(
    scorecard: &[crate::evaluate::ScoreLine],
    misses: &crate::kpi::Misses,
) -> Vec<EvidenceList> {
    scorecard
        .iter()
        .zip(&misses.rows)
        .filter(|(l, rows)| l.status == Status::Missed && !rows.is_empty())
        .map(|(l, rows)| EvidenceList {
            sla: l.id.clone(),
            name: l.name.clone(),
            clause: l.clause.clone(),
            threshold: l.threshold.clone(),
            metric: l.metric,
            missed: (l.denominator - l.numerator).round() as u64,
            rows: rows.clone(),
        })
        .collect()
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
        let tz: chrono_tz::Tz = self
            .metrics
            .period
            .timezone
            .parse()
            .unwrap_or(chrono_tz::UTC);
        // The local time to the second (`2026-10-01 08:14:49`, as the inputs write it).
        let local = |v: Option<i64>| {
            v.and_then(|ms| tz.timestamp_opt(ms.div_euclid(1000), 0).earliest())
                .map_or(String::new(), |t| t.naive_local().to_string())
        };
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
